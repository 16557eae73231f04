// A LuaJIT bytecode dump read byte for byte as the engine's reader (lj_bcread.c)
// reads it, every length bounded by the bytes given, and no Lua state involved:
// the prototypes it would build, or where that reader would stop on its own or
// run past what it was given. The rules on what the prototypes may then do are
// the verifier's (luajit_bytecode_verifier.h). Compiled into the LuaJIT builds only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace codecache::engine::luajit_dump {

// What reading the whole dump comes to.
enum class Outcome {
  read,     // lj_bcread would build these prototypes
  refused,  // lj_bcread refuses the dump itself, before any unsafe step (its error is kept)
  unsafe,   // lj_bcread would read past the dump, overflow a size, or trip an assertion
};

// The kinds of a prototype's collectable constants (BCDUMP_KGC_*).
enum class Constant : std::uint8_t { child, table, int64, uint64, complex, string };

// A number constant as stored: an integer (isnum bit clear) or the two words of a double.
struct Number {
  bool integer;
  std::uint32_t lo;
  std::uint32_t hi;
};

// One entry of a prototype's variable info: the name is live for pc in [start, end);
// `hidden` when the name starts with '(' (the parser's "(for index)"… and what
// lj_debug calls unnamed slots), which the sandbox keeps out of debug.getlocal/setlocal.
struct Variable {
  std::uint32_t start;
  std::uint32_t end;
  bool hidden;
};

struct Proto {
  std::uint8_t flags = 0;      // PROTO_* as stored
  std::uint8_t numparams = 0;
  std::uint8_t framesize = 0;
  std::uint8_t sizeuv = 0;
  std::vector<std::uint32_t> bc;      // host order; bc[0] is the FUNCF/FUNCV header lj_bcread adds
  std::vector<std::uint16_t> uv;      // upvalue descriptors
  std::vector<Constant> kgc;          // in dump order: operand d names kgc[kgc.size() - 1 - d]
  std::vector<std::int32_t> child;    // for each kgc entry, the index of its prototype (or -1)
  std::vector<Number> knum;
  bool debug_info = false;            // non-empty debug info (line and variable info)
  std::uint32_t firstline = 0;
  std::uint32_t numline = 0;
  std::vector<Variable> variables;    // empty without debug info
};

struct Dump {
  Outcome outcome = Outcome::read;
  std::string problem;             // for `unsafe` (and a note for `refused`)
  std::uint32_t flags = 0;         // BCDUMP_F_* of the header
  std::vector<Proto> protos;       // in dump order; the last one is the main function
};

// Reads `bytes`, which start with the ESC of a bytecode dump. A prototype's
// contents are checked only as far as the reader itself depends on them (its
// sizes, its debug info, its table templates); what the prototypes would do when
// run is left to the verifier, and reported here only when it is a reason of its
// own (a number constant that is no number, say) and the rest of the dump reads.
Dump read(std::string_view bytes);

}  // namespace codecache::engine::luajit_dump
