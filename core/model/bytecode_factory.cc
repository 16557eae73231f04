// Rewrites a precompiled Lua file into a closure factory, byte for byte as
// classic (non-OPENRESTY_LUAJIT) ngx_lua does when it loads bytecode from a file:
// the file's main proto becomes the only child of a synthetic vararg function
// that returns a fresh closure of it (see bytecode_factory.h; ngx_http_lua_clfactory.c,
// ngx_http_lua_clfactory_bytecode_prepare).
//
// Everything here is plain byte manipulation; no Lua engine is involved. The
// resulting bytes are only meaningful to an engine whose own header matches
// (LuaJIT checks this itself; for PUC Lua the header checks below mirror
// ngx_lua's, and lua_load rejects anything else).
#include "core/model/bytecode_factory.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace codecache {
namespace {

// ngx_lua reports a short header read as "cannot read header: " followed by
// strerror(errno). fread() at end of file does not set errno, so the text
// depends on whatever errno held before; in the common case that is 0, which
// glibc renders as "Success". We fix that text rather than calling strerror()
// so the message is the same on every host and libc.
constexpr const char* kShortHeaderError = "cannot read header: Success";
constexpr const char* kBadHeaderError = "bad byte-code header";
constexpr const char* kUnsupportedVersionError = "bytecode format version unsupported";

BytecodeFactory failure(const char* message) {
  BytecodeFactory result;
  result.error = message;
  return result;
}

BytecodeFactory success(std::string bytes) {
  BytecodeFactory result;
  result.ok = true;
  result.bytes = std::move(bytes);
  return result;
}

// ---------------------------------------------------------------------------
// LuaJIT
// ---------------------------------------------------------------------------

constexpr std::size_t kLuaJitHeaderSize = 5;  // ESC 'L' 'J' version flags
constexpr unsigned char kLuaJitVersion20 = 1;
constexpr unsigned char kLuaJitVersion21 = 2;
constexpr unsigned char kLuaJitFlagBigEndian = 0x01;
constexpr unsigned char kLuaJitFlagStripped = 0x02;

// Opcode numbers of the three instructions the factory needs. LuaJIT 2.1
// inserted ISTYPE/ISNUM before them, shifting each by two.
struct LuaJitOpcodes {
  std::uint8_t fnew;
  std::uint8_t uclo;
  std::uint8_t ret1;
};
constexpr LuaJitOpcodes kLuaJit20Opcodes{0x31, 0x30, 0x48};
constexpr LuaJitOpcodes kLuaJit21Opcodes{0x33, 0x32, 0x4c};

// LuaJIT's AD instruction format: op in bits 0-7, A in 8-15, D in 16-31.
constexpr std::uint32_t luajit_ad(std::uint8_t op, std::uint8_t a, std::uint16_t d) {
  return std::uint32_t{op} | (std::uint32_t{a} << 8) | (std::uint32_t{d} << 16);
}

void append_u32(std::string& out, std::uint32_t value, bool big_endian) {
  for (int i = 0; i < 4; ++i) {
    const int shift = big_endian ? 8 * (3 - i) : 8 * i;
    out += static_cast<char>((value >> shift) & 0xff);
  }
}

// The synthetic outer proto plus the stream's 0x00 footer:
//   function(...)  FNEW 0 <kgc 0>; UCLO 0 -> next; RET1 0 2  end
// where kgc 0 is a child reference to the proto just before it in the stream,
// i.e. the file's main function. Every count fits in one ULEB128 byte.
std::string luajit_factory_proto(const LuaJitOpcodes& ops, bool big_endian, bool stripped) {
  constexpr std::uint8_t kProtoFlags = 0x01 | 0x02;  // PROTO_CHILD | PROTO_VARARG
  constexpr std::uint8_t kNumParams = 0;
  constexpr std::uint8_t kFrameSize = 1;
  constexpr std::uint8_t kNumUpvalues = 0;
  constexpr std::uint8_t kNumGcConstants = 1;
  constexpr std::uint8_t kNumNumberConstants = 0;
  constexpr std::uint8_t kNumInstructions = 3;  // excluding the implicit FUNCV
  constexpr std::uint8_t kDebugInfoSize = 0;    // present only when not stripped
  constexpr std::uint8_t kGcChild = 0;          // BCDUMP_KGC_CHILD
  constexpr std::uint16_t kJumpBias = 0x8000;   // a jump offset of 0
  constexpr char kFooter = '\0';

  std::string body;
  body += static_cast<char>(kProtoFlags);
  body += static_cast<char>(kNumParams);
  body += static_cast<char>(kFrameSize);
  body += static_cast<char>(kNumUpvalues);
  body += static_cast<char>(kNumGcConstants);
  body += static_cast<char>(kNumNumberConstants);
  body += static_cast<char>(kNumInstructions);
  if (!stripped) body += static_cast<char>(kDebugInfoSize);
  append_u32(body, luajit_ad(ops.fnew, 0, 0), big_endian);
  append_u32(body, luajit_ad(ops.uclo, 0, kJumpBias), big_endian);
  append_u32(body, luajit_ad(ops.ret1, 0, 2), big_endian);
  body += static_cast<char>(kGcChild);

  std::string proto;
  proto += static_cast<char>(body.size());  // ULEB128 length, < 128
  proto += body;
  proto += kFooter;
  return proto;
}

// ---------------------------------------------------------------------------
// PUC Lua 5.1
// ---------------------------------------------------------------------------

constexpr std::size_t kPucHeaderSize = 12;
constexpr std::string_view kPucSignature = "\x1bLua";
constexpr unsigned char kPucVersion = 0x51;
constexpr std::size_t kPucVersionAt = 4;
constexpr std::size_t kPucEndiannessAt = 6;  // 1 = little endian
constexpr std::size_t kPucIntSizeAt = 7;
constexpr std::size_t kPucSizeTSizeAt = 8;
constexpr std::size_t kPucInstructionSizeAt = 9;

// Lua 5.1's iABC format: op in bits 0-5, A in 6-13, C in 14-22, B in 23-31.
constexpr std::uint32_t puc_abc(std::uint8_t op, std::uint32_t a, std::uint32_t b,
                                std::uint32_t c) {
  return std::uint32_t{op} | (a << 6) | (c << 14) | (b << 23);
}
constexpr std::uint8_t kPucOpReturn = 30;
constexpr std::uint8_t kPucOpClosure = 36;

// The factory's code: CLOSURE 0 0; RETURN 0 2; RETURN 0 1.
//
// For big-endian hosts ngx_lua's byte tables encode the last instruction as
// 0x0008001e instead of RETURN 0 1 (0x0080001e). That instruction is never
// executed, but its C operand is non-zero, which Lua 5.1's code checker may
// refuse. We reproduce ngx_lua's bytes, quirk included; the word is only used
// on a big-endian host, because the header check below demands host endianness.
constexpr std::array<std::uint32_t, 3> kPucFactoryCodeLittle{
    puc_abc(kPucOpClosure, 0, 0, 0), puc_abc(kPucOpReturn, 0, 2, 0),
    puc_abc(kPucOpReturn, 0, 1, 0)};
constexpr std::array<std::uint32_t, 3> kPucFactoryCodeBig{
    puc_abc(kPucOpClosure, 0, 0, 0), puc_abc(kPucOpReturn, 0, 2, 0), 0x0008001e};
static_assert(kPucFactoryCodeLittle[0] == 0x00000024);
static_assert(kPucFactoryCodeLittle[1] == 0x0100001e);
static_assert(kPucFactoryCodeLittle[2] == 0x0080001e);

constexpr bool kHostIsLittleEndian = std::endian::native == std::endian::little;

// An instruction is the 32-bit word widened to the file's instruction size,
// in the file's byte order.
void append_puc_instruction(std::string& out, std::uint32_t word, std::size_t size,
                            bool little_endian) {
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t significance = little_endian ? i : size - 1 - i;  // byte index from LSB
    out += significance < 4 ? static_cast<char>((word >> (8 * significance)) & 0xff) : '\0';
  }
}

// ints and size_ts are stored in host layout; the header check guarantees the
// file's layout is the host's.
template <typename T>
void append_native(std::string& out, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  out.append(raw, sizeof(T));
}

bool puc_header_matches_host(std::string_view header) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(header[at]); };
  const std::size_t instruction_size = byte(kPucInstructionSizeAt);
  return header.substr(0, kPucSignature.size()) == kPucSignature &&
         byte(kPucVersionAt) == kPucVersion &&
         byte(kPucEndiannessAt) == (kHostIsLittleEndian ? 1 : 0) &&
         byte(kPucIntSizeAt) == sizeof(int) && byte(kPucSizeTSizeAt) == sizeof(std::size_t) &&
         (instruction_size == 4 || instruction_size == 8);
}

}  // namespace

BytecodeFactory wrap_luajit_bytecode(std::string_view file_bytes) {
  if (file_bytes.size() < kLuaJitHeaderSize) return failure(kShortHeaderError);
  if (file_bytes.substr(0, 3) != std::string_view("\x1bLJ", 3)) return failure(kBadHeaderError);

  const auto version = static_cast<unsigned char>(file_bytes[3]);
  const auto flags = static_cast<unsigned char>(file_bytes[4]);
  const LuaJitOpcodes* opcodes = nullptr;
  if (version == kLuaJitVersion21)
    opcodes = &kLuaJit21Opcodes;
  else if (version == kLuaJitVersion20)
    opcodes = &kLuaJit20Opcodes;
  else
    return failure(kUnsupportedVersionError);

  // ngx_lua streams the file without its last byte (the 0x00 footer, not
  // checked) and then appends the factory proto and a new footer. A file that
  // is nothing but the header has no body to trim, so nothing is dropped.
  std::string_view kept = file_bytes;
  if (file_bytes.size() > kLuaJitHeaderSize) kept.remove_suffix(1);

  std::string out(kept);
  out += luajit_factory_proto(*opcodes, (flags & kLuaJitFlagBigEndian) != 0,
                              (flags & kLuaJitFlagStripped) != 0);
  return success(std::move(out));
}

BytecodeFactory wrap_puc_bytecode(std::string_view file_bytes) {
  if (file_bytes.size() < kPucHeaderSize) return failure(kShortHeaderError);
  const std::string_view header = file_bytes.substr(0, kPucHeaderSize);
  if (!puc_header_matches_host(header)) return failure(kBadHeaderError);

  const std::size_t instruction_size = static_cast<unsigned char>(header[kPucInstructionSizeAt]);
  const auto& code = kHostIsLittleEndian ? kPucFactoryCodeLittle : kPucFactoryCodeBig;

  std::string out(header);
  // Outer proto: no source name, lines 0..0, no upvalues or parameters,
  // vararg (VARARG_ISVARARG = 2), two stack slots.
  append_native<std::size_t>(out, 0);  // source string length
  append_native<int>(out, 0);          // linedefined
  append_native<int>(out, 0);          // lastlinedefined
  out += '\0';                         // nups
  out += '\0';                         // numparams
  out += '\x02';                       // is_vararg
  out += '\x02';                       // maxstacksize
  append_native<int>(out, static_cast<int>(code.size()));  // sizecode
  for (std::uint32_t word : code)
    append_puc_instruction(out, word, instruction_size, kHostIsLittleEndian);
  append_native<int>(out, 0);  // sizek
  append_native<int>(out, 1);  // sizep
  // p[0]: the file's own main proto, verbatim.
  out.append(file_bytes.substr(kPucHeaderSize));
  // Outer proto's debug info, all empty: sizelineinfo, sizelocvars, sizeupvalues.
  append_native<int>(out, 0);
  append_native<int>(out, 0);
  append_native<int>(out, 0);
  return success(std::move(out));
}

}  // namespace codecache
