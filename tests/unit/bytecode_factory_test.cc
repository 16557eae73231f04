// Byte-level tests of the closure-factory rewrite of precompiled Lua files
// (bytecode_factory.h). No Lua engine is needed: inputs are hand-built.
#include "core/model/bytecode_factory.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstring>
#include <string>

namespace codecache {
namespace {

using namespace std::string_literals;

// ---------------------------------------------------------------------------
// LuaJIT
// ---------------------------------------------------------------------------

constexpr unsigned char kBigEndian = 0x01;
constexpr unsigned char kStripped = 0x02;

// A LuaJIT-looking file: header, an opaque body and the 0x00 footer. The body
// is never parsed by the rewrite, so any bytes do.
std::string luajit_file(unsigned char version, unsigned char flags,
                        const std::string& body = "\x05\x02\x00\x01\xAA\xBB"s) {
  std::string file = "\x1bLJ"s;
  file += static_cast<char>(version);
  file += static_cast<char>(flags);
  return file + body + '\0';
}

// The synthetic proto + footer ngx_lua appends, written out by hand.
const std::string kLj21StrippedLittle =
    "\x14\x03\x00\x01\x00\x01\x00\x03"
    "\x33\x00\x00\x00\x32\x00\x00\x80\x4c\x00\x02\x00"
    "\x00\x00"s;
const std::string kLj21UnstrippedLittle =
    "\x15\x03\x00\x01\x00\x01\x00\x03\x00"
    "\x33\x00\x00\x00\x32\x00\x00\x80\x4c\x00\x02\x00"
    "\x00\x00"s;
const std::string kLj21StrippedBig =
    "\x14\x03\x00\x01\x00\x01\x00\x03"
    "\x00\x00\x00\x33\x80\x00\x00\x32\x00\x02\x00\x4c"
    "\x00\x00"s;
const std::string kLj20StrippedLittle =
    "\x14\x03\x00\x01\x00\x01\x00\x03"
    "\x31\x00\x00\x00\x30\x00\x00\x80\x48\x00\x02\x00"
    "\x00\x00"s;
const std::string kLj20UnstrippedBig =
    "\x15\x03\x00\x01\x00\x01\x00\x03\x00"
    "\x00\x00\x00\x31\x80\x00\x00\x30\x00\x02\x00\x48"
    "\x00\x00"s;

TEST(LuaJitBytecodeFactory, ShortInputCannotReadHeader) {
  const std::string full = luajit_file(2, 0);
  for (std::size_t size = 0; size < 5; ++size) {
    const BytecodeFactory result = wrap_luajit_bytecode(full.substr(0, size));
    EXPECT_FALSE(result.ok) << size;
    EXPECT_EQ(result.error, "cannot read header: Success") << size;
  }
}

TEST(LuaJitBytecodeFactory, BadSignature) {
  std::string wrong_l = luajit_file(2, 0);
  wrong_l[1] = 'l';
  std::string wrong_j = luajit_file(2, 0);
  wrong_j[2] = 'X';
  std::string wrong_esc = luajit_file(2, 0);
  wrong_esc[0] = '#';
  std::string puc = "\x1bLua\x51\x00\x01\x04\x08\x04\x08\x00"s;
  for (const std::string& file : {wrong_l, wrong_j, wrong_esc, puc}) {
    const BytecodeFactory result = wrap_luajit_bytecode(file);
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, "bad byte-code header");
  }
}

TEST(LuaJitBytecodeFactory, UnsupportedVersion) {
  for (unsigned char version : {0, 3, 0x80, 0xff}) {
    const BytecodeFactory result = wrap_luajit_bytecode(luajit_file(version, 0));
    EXPECT_FALSE(result.ok) << int(version);
    EXPECT_EQ(result.error, "bytecode format version unsupported") << int(version);
  }
}

TEST(LuaJitBytecodeFactory, ShortInputIsCheckedBeforeSignature) {
  const BytecodeFactory result = wrap_luajit_bytecode("XYZ");
  EXPECT_EQ(result.error, "cannot read header: Success");
}

TEST(LuaJitBytecodeFactory, OutputLengthsAndFraming) {
  for (unsigned char version : {1, 2}) {
    for (unsigned char flags : {0x00, 0x01, 0x02, 0x03, 0x08, 0x0a}) {
      const std::string file = luajit_file(version, flags);
      const BytecodeFactory result = wrap_luajit_bytecode(file);
      ASSERT_TRUE(result.ok) << result.error;
      EXPECT_TRUE(result.error.empty());
      const std::size_t appended = (flags & kStripped) ? 22 : 23;
      EXPECT_EQ(result.bytes.size(), file.size() - 1 + appended);
      EXPECT_EQ(result.bytes.substr(0, 5), file.substr(0, 5));
      // Everything but the file's footer is kept verbatim.
      EXPECT_EQ(result.bytes.substr(0, file.size() - 1), file.substr(0, file.size() - 1));
      EXPECT_EQ(result.bytes.back(), '\0');
    }
  }
}

TEST(LuaJitBytecodeFactory, ExactFactoryProto) {
  struct Case {
    unsigned char version;
    unsigned char flags;
    const std::string* tail;
  };
  const Case cases[] = {
      {2, kStripped, &kLj21StrippedLittle},
      {2, 0, &kLj21UnstrippedLittle},
      {2, kStripped | kBigEndian, &kLj21StrippedBig},
      {1, kStripped, &kLj20StrippedLittle},
      {1, kBigEndian, &kLj20UnstrippedBig},
  };
  for (const Case& c : cases) {
    const std::string file = luajit_file(c.version, c.flags);
    const BytecodeFactory result = wrap_luajit_bytecode(file);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.bytes, file.substr(0, file.size() - 1) + *c.tail)
        << "version " << int(c.version) << " flags " << int(c.flags);
  }
}

TEST(LuaJitBytecodeFactory, LastByteIsDroppedEvenIfNotZero) {
  // ngx_lua does not check the footer, it just withholds the last byte.
  std::string file = luajit_file(2, kStripped);
  file.back() = '\x7f';
  const BytecodeFactory result = wrap_luajit_bytecode(file);
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(result.bytes, file.substr(0, file.size() - 1) + kLj21StrippedLittle);
}

TEST(LuaJitBytecodeFactory, HeaderOnlyFileKeepsAllFiveBytes) {
  // With no body after the header there is nothing to withhold.
  const std::string header = "\x1bLJ\x02\x02"s;
  const BytecodeFactory result = wrap_luajit_bytecode(header);
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(result.bytes, header + kLj21StrippedLittle);
}

TEST(LuaJitBytecodeFactory, LargeBodyIsCopiedIntact) {
  std::string body;
  for (int i = 0; i < 3 * 4096 + 17; ++i) body += static_cast<char>(i * 7);
  const std::string file = luajit_file(2, 0, body);
  const BytecodeFactory result = wrap_luajit_bytecode(file);
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(result.bytes.size(), file.size() - 1 + 23);
  EXPECT_EQ(result.bytes.substr(5, body.size()), body);
}

// ---------------------------------------------------------------------------
// PUC Lua 5.1
// ---------------------------------------------------------------------------

constexpr bool kLittleHost = std::endian::native == std::endian::little;

std::string puc_header(unsigned char instruction_size = 4) {
  std::string header = "\x1bLua"s;
  header += '\x51';                      // version
  header += '\x00';                      // format
  header += kLittleHost ? '\x01' : '\x00';
  header += static_cast<char>(sizeof(int));
  header += static_cast<char>(sizeof(std::size_t));
  header += static_cast<char>(instruction_size);
  header += '\x08';                      // sizeof(lua_Number)
  header += '\x00';                      // integral numbers?
  return header;
}

// An opaque "main proto": the rewrite copies it without parsing.
const std::string kMainProto = "\x11\x22\x33\x44\x00\x55\x66\x77\x88\x99"s;

int read_int(const std::string& bytes, std::size_t at) {
  int value;
  std::memcpy(&value, bytes.data() + at, sizeof(int));
  return value;
}

std::size_t read_size_t(const std::string& bytes, std::size_t at) {
  std::size_t value;
  std::memcpy(&value, bytes.data() + at, sizeof(std::size_t));
  return value;
}

TEST(PucBytecodeFactory, ShortInputCannotReadHeader) {
  const std::string full = puc_header() + kMainProto;
  for (std::size_t size = 0; size < 12; ++size) {
    const BytecodeFactory result = wrap_puc_bytecode(full.substr(0, size));
    EXPECT_FALSE(result.ok) << size;
    EXPECT_EQ(result.error, "cannot read header: Success") << size;
  }
}

TEST(PucBytecodeFactory, BadHeaderForEachCheckedField) {
  struct Corruption {
    std::size_t at;
    char value;
  };
  const Corruption corruptions[] = {
      {0, '#'},                         // ESC
      {1, 'l'},                         // signature
      {3, 'A'},                         // signature
      {4, '\x50'},                      // version
      {4, '\x52'},                      // version
      {6, kLittleHost ? '\x00' : '\x01'},  // endianness
      {6, '\x02'},                      // endianness
      {7, static_cast<char>(sizeof(int) + 1)},
      {8, static_cast<char>(sizeof(std::size_t) == 8 ? 4 : 8)},
      {9, '\x02'},                      // instruction size
      {9, '\x05'},
      {9, '\x00'},
  };
  for (const Corruption& c : corruptions) {
    std::string file = puc_header() + kMainProto;
    file[c.at] = c.value;
    const BytecodeFactory result = wrap_puc_bytecode(file);
    EXPECT_FALSE(result.ok) << "byte " << c.at;
    EXPECT_EQ(result.error, "bad byte-code header") << "byte " << c.at;
  }
}

TEST(PucBytecodeFactory, LuaJitFileIsBadHeader) {
  const BytecodeFactory result = wrap_puc_bytecode(luajit_file(2, 0, "0123456789"));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "bad byte-code header");
}

TEST(PucBytecodeFactory, UncheckedHeaderBytesAreCopied) {
  std::string header = puc_header();
  header[5] = '\x07';   // format
  header[10] = '\x04';  // sizeof(lua_Number)
  header[11] = '\x01';  // integral
  const BytecodeFactory result = wrap_puc_bytecode(header + kMainProto);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.bytes.substr(0, 12), header);
}

// Walks the outer proto field by field.
void expect_puc_structure(unsigned char instruction_size) {
  const std::string header = puc_header(instruction_size);
  const std::string file = header + kMainProto;
  const BytecodeFactory result = wrap_puc_bytecode(file);
  ASSERT_TRUE(result.ok) << result.error;
  const std::string& out = result.bytes;

  const std::size_t expected_size = 12 + sizeof(std::size_t) + 2 * sizeof(int) + 4 +
                                    sizeof(int) + 3 * instruction_size + 2 * sizeof(int) +
                                    kMainProto.size() + 3 * sizeof(int);
  ASSERT_EQ(out.size(), expected_size);

  std::size_t at = 0;
  EXPECT_EQ(out.substr(at, 12), header);
  at += 12;
  EXPECT_EQ(read_size_t(out, at), 0u) << "source length";
  at += sizeof(std::size_t);
  EXPECT_EQ(read_int(out, at), 0) << "linedefined";
  at += sizeof(int);
  EXPECT_EQ(read_int(out, at), 0) << "lastlinedefined";
  at += sizeof(int);
  EXPECT_EQ(out[at++], '\0') << "nups";
  EXPECT_EQ(out[at++], '\0') << "numparams";
  EXPECT_EQ(out[at++], '\x02') << "is_vararg";
  EXPECT_EQ(out[at++], '\x02') << "maxstacksize";
  EXPECT_EQ(read_int(out, at), 3) << "sizecode";
  at += sizeof(int);

  const std::string code = out.substr(at, 3 * instruction_size);
  at += 3 * instruction_size;
  if (kLittleHost) {
    if (instruction_size == 4) {
      EXPECT_EQ(code, "\x24\x00\x00\x00\x1e\x00\x00\x01\x1e\x00\x80\x00"s);
    } else {
      EXPECT_EQ(code,
                "\x24\x00\x00\x00\x00\x00\x00\x00\x1e\x00\x00\x01\x00\x00\x00\x00"
                "\x1e\x00\x80\x00\x00\x00\x00\x00"s);
    }
  } else {
    if (instruction_size == 4) {
      EXPECT_EQ(code, "\x00\x00\x00\x24\x01\x00\x00\x1e\x00\x08\x00\x1e"s);
    } else {
      EXPECT_EQ(code,
                "\x00\x00\x00\x00\x00\x00\x00\x24\x00\x00\x00\x00\x01\x00\x00\x1e"
                "\x00\x00\x00\x00\x00\x08\x00\x1e"s);
    }
  }

  EXPECT_EQ(read_int(out, at), 0) << "sizek";
  at += sizeof(int);
  EXPECT_EQ(read_int(out, at), 1) << "sizep";
  at += sizeof(int);
  EXPECT_EQ(out.substr(at, kMainProto.size()), file.substr(12)) << "child proto";
  at += kMainProto.size();
  for (const char* field : {"sizelineinfo", "sizelocvars", "sizeupvalues"}) {
    EXPECT_EQ(read_int(out, at), 0) << field;
    at += sizeof(int);
  }
  EXPECT_EQ(at, out.size());
}

TEST(PucBytecodeFactory, StructureWithFourByteInstructions) { expect_puc_structure(4); }

TEST(PucBytecodeFactory, StructureWithEightByteInstructions) { expect_puc_structure(8); }

TEST(PucBytecodeFactory, HeaderOnlyFileHasEmptyChild) {
  const BytecodeFactory result = wrap_puc_bytecode(puc_header());
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(result.bytes.size(),
            12 + sizeof(std::size_t) + 2 * sizeof(int) + 4 + sizeof(int) + 12 +
                2 * sizeof(int) + 3 * sizeof(int));
}

}  // namespace
}  // namespace codecache
