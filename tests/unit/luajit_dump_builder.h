// Hand-made LuaJIT bytecode dumps for the verifier's tests: prototypes written
// field by field in the format lj_bcwrite.c writes (lj_bcdump.h), so that a test
// can start from a valid dump and break exactly one thing. LuaJIT builds only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "lj_obj.h"
#include "lj_bc.h"
#include "lj_bcdump.h"
}

namespace codecache::test::luajit_dump_builder {

inline std::string uleb(std::uint64_t v) {
  std::string s;
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    s += static_cast<char>(b);
  } while (v);
  return s;
}

// A number constant: an integer, or the two words of a double (33-bit ULEB128 with
// the low bit telling which, as bcwrite_knum writes it).
inline std::string integer(std::int32_t k) { return uleb(std::uint64_t{static_cast<std::uint32_t>(k)} << 1); }
inline std::string number(std::uint32_t lo, std::uint32_t hi) {
  return uleb((std::uint64_t{lo} << 1) | 1) + uleb(hi);
}
inline std::string number(double d) {
  TValue o;
  o.n = d;
  return number(o.u32.lo, o.u32.hi);
}

// Collectable constants.
inline std::string string(const std::string& s) { return uleb(BCDUMP_KGC_STR + s.size()) + s; }
inline std::string child() { return uleb(BCDUMP_KGC_CHILD); }
inline std::string int64(std::uint32_t lo, std::uint32_t hi) { return uleb(BCDUMP_KGC_I64) + uleb(lo) + uleb(hi); }
// A table template: narray array items, then nhash key/value pairs (items as ktab_*).
inline std::string table(std::uint32_t narray, std::uint32_t nhash, const std::string& items) {
  return uleb(BCDUMP_KGC_TAB) + uleb(narray) + uleb(nhash) + items;
}
inline std::string ktab_int(std::uint32_t v) { return uleb(BCDUMP_KTAB_INT) + uleb(v); }
inline std::string ktab_str(const std::string& s) { return uleb(BCDUMP_KTAB_STR + s.size()) + s; }
inline std::string ktab_nil() { return uleb(BCDUMP_KTAB_NIL); }
inline std::string ktab_num(std::uint32_t lo, std::uint32_t hi) { return uleb(BCDUMP_KTAB_NUM) + uleb(lo) + uleb(hi); }

// Instructions; a jump's j is relative: the target is pc + 1 + j.
inline BCIns ad(std::uint32_t op, std::uint32_t a, std::uint32_t d) { return BCINS_AD(op, a, d); }
inline BCIns abc(std::uint32_t op, std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  return BCINS_ABC(op, a, b, c);
}
inline BCIns aj(std::uint32_t op, std::uint32_t a, std::int32_t j) { return BCINS_AJ(op, a, j); }

struct Proto {
  std::uint8_t flags = PROTO_VARARG;
  std::uint8_t numparams = 0;
  std::uint8_t framesize = 4;
  std::vector<BCIns> code;          // pc 1, 2, ...: the header at pc 0 is lj_bcread's
  std::vector<std::uint16_t> uv;
  std::vector<std::string> kgc;     // in dump order: operand d names kgc[size-1-d]
  std::vector<std::string> knum;
  // Without strip: line info (one byte per instruction), upvalue names, variable
  // info (ended by a 0 byte), as lj_bcwrite writes them; firstline/numline.
  std::string debug;
  std::uint32_t firstline = 1;
  std::uint32_t numline = 1;
  std::string extra;                // bytes appended to the prototype (length mismatches)
};

inline std::string proto(const Proto& p, bool strip, bool big_endian = false) {
  std::string body;
  body += static_cast<char>(p.flags);
  body += static_cast<char>(p.numparams);
  body += static_cast<char>(p.framesize);
  body += static_cast<char>(p.uv.size());
  body += uleb(p.kgc.size()) + uleb(p.knum.size()) + uleb(p.code.size());
  if (!strip) {
    body += uleb(p.debug.size());
    if (!p.debug.empty()) body += uleb(p.firstline) + uleb(p.numline);
  }
  for (BCIns ins : p.code)
    for (int i = 0; i < 4; ++i) body += static_cast<char>((ins >> (8 * (big_endian ? 3 - i : i))) & 0xff);
  for (std::uint16_t v : p.uv) {
    body += static_cast<char>(big_endian ? v >> 8 : v & 0xff);
    body += static_cast<char>(big_endian ? v & 0xff : v >> 8);
  }
  for (const std::string& k : p.kgc) body += k;
  for (const std::string& k : p.knum) body += k;
  if (!strip) body += p.debug;
  body += p.extra;
  return uleb(body.size()) + body;
}

inline constexpr std::uint8_t kFr2Flag = LJ_FR2 ? BCDUMP_F_FR2 : 0;

// A dump of `protos` in dump order (children first, the main function last).
inline std::string dump(const std::vector<Proto>& protos, std::uint8_t flags = BCDUMP_F_STRIP | kFr2Flag,
                        const std::string& tail = std::string(1, '\0')) {
  std::string out = "\x1bLJ";
  out += static_cast<char>(BCDUMP_VERSION);
  out += static_cast<char>(flags);
  const bool strip = (flags & BCDUMP_F_STRIP) != 0;
  if (!strip) out += uleb(5) + "=test";
  for (const Proto& p : protos) out += proto(p, strip, (flags & BCDUMP_F_BE) != 0);
  return out + tail;
}

// The debug info of a prototype with `n` instructions on line 1, the upvalue
// names and variables (name, start pc, end pc) given.
struct Var {
  std::string name;  // "(for index)" and the like are written as VARNAME_* codes
  std::uint32_t start;
  std::uint32_t end;
};
inline std::string debug_info(std::size_t n, const std::vector<std::string>& uvnames, const std::vector<Var>& vars) {
  std::string s(n, '\0');
  for (const std::string& u : uvnames) s += u + '\0';
  std::uint32_t last = 0;
  for (const Var& v : vars) {
    s += v.name + '\0';
    s += uleb(v.start - last) + uleb(v.end - v.start);
    last = v.start;
  }
  return s + '\0';
}

}  // namespace codecache::test::luajit_dump_builder
