// Reading a LuaJIT bytecode dump as lj_bcread.c does (see luajit_bytecode_dump.h).
// Each step below names the reader's step it mirrors; the engine's own headers give
// the format's constants and the sizes it allocates.
#include "core/engine/luajit_bytecode_dump.h"

#include <cstddef>
#include <limits>
#include <utility>

extern "C" {
#include "lj_obj.h"
#include "lj_bc.h"
#include "lj_bcdump.h"
#include "lj_debug.h"
#include "lj_tab.h"
}

namespace codecache::engine::luajit_dump {
namespace {

// The first thing the reader would refuse, or do wrong, decides: reading stops there.
struct Stop {
  Outcome outcome;
  std::string problem;
};

[[noreturn]] void unsafe(std::string problem) { throw Stop{Outcome::unsafe, std::move(problem)}; }
[[noreturn]] void refused(std::string note) { throw Stop{Outcome::refused, std::move(note)}; }

// What lj_bcread may read at one point: the rest of the input at the top level,
// a prototype's declared length inside it. Its reads are unchecked past that
// length, so going past it is unsafe.
class Cursor {
 public:
  Cursor(std::string_view bytes, std::size_t at, std::size_t end, std::string where)
      : bytes_(bytes), at_(at), end_(end), where_(std::move(where)) {}

  std::size_t left() const { return end_ - at_; }
  std::size_t at() const { return at_; }
  const std::string& where() const { return where_; }

  std::uint8_t byte() {
    need(1);
    return static_cast<std::uint8_t>(bytes_[at_++]);
  }
  std::uint8_t peek() const { return static_cast<std::uint8_t>(bytes_[at_]); }
  std::string_view take(std::size_t n) {
    need(n);
    std::string_view s = bytes_.substr(at_, n);
    at_ += n;
    return s;
  }

  // lj_buf_ruleb128: 7 bits a byte, low bits first. A sixth byte would be shifted
  // by 35 bits (undefined behaviour, which the fuzz build's UBSan stops on).
  std::uint32_t uleb() {
    std::uint32_t v = byte();
    if (v >= 0x80) {
      v &= 0x7f;
      int shift = 0;
      std::uint32_t b;
      do {
        shift += 7;
        if (shift > 28) unsafe(where_ + ": a ULEB128 number longer than 5 bytes");
        b = byte();
        v |= (b & 0x7f) << shift;  // bits past 32 are dropped, as the engine's are
      } while (b >= 0x80);
    }
    return v;
  }

  // bcread_uleb128_33: the top 32 bits of a 33-bit ULEB128 (the low bit of the
  // first byte tells an integer from a double); shifts run 6, 13, 20, 27, then 34.
  std::uint32_t uleb33() {
    std::uint32_t v = byte() >> 1;
    if (v >= 0x40) {
      v &= 0x3f;
      int shift = -1;
      std::uint32_t b;
      do {
        shift += 7;
        if (shift > 27) unsafe(where_ + ": a ULEB128 number longer than 5 bytes");
        b = byte();
        v |= (b & 0x7f) << shift;
      } while (b >= 0x80);
    }
    return v;
  }

  // A 16- or 32-bit word in the dump's byte order (lj_bcread swaps it into the host's).
  std::uint32_t word(std::size_t size, bool big_endian) {
    std::string_view s = take(size);
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < size; ++i) {
      const std::size_t from = big_endian ? i : size - 1 - i;
      v = (v << 8) | static_cast<std::uint8_t>(s[from]);
    }
    return v;
  }

 private:
  void need(std::size_t n) {
    if (n > left()) unsafe(where_ + " is cut short (the reader would read past it)");
  }

  std::string_view bytes_;
  std::size_t at_;
  std::size_t end_;
  std::string where_;
};

bool is_number(std::uint32_t lo, std::uint32_t hi) {
  TValue o;
  o.u32.lo = lo;
  o.u32.hi = hi;
  return tvisnum(&o);
}

bool is_nan(std::uint32_t lo, std::uint32_t hi) {
  TValue o;
  o.u32.lo = lo;
  o.u32.hi = hi;
  return tvisnan(&o);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  Dump read() {
    Dump dump;
    try {
      read_all(dump);
    } catch (const Stop& stop) {
      dump.outcome = stop.outcome;
      dump.problem = stop.problem;
      dump.protos.clear();
      return dump;
    }
    if (!deferred_.empty()) {
      dump.outcome = Outcome::unsafe;
      dump.problem = deferred_;
    }
    return dump;
  }

 private:
  // A reason that matters only if the whole dump reads (the value is stored, and
  // harmful only when run): kept, and reported after the last prototype.
  void defer(std::string problem) {
    if (deferred_.empty()) deferred_ = std::move(problem);
  }

  bool big_endian() const { return (flags_ & BCDUMP_F_BE) != 0; }
  bool stripped() const { return (flags_ & BCDUMP_F_STRIP) != 0; }

  // lj_bcread: header, then prototypes until a 0 length, then nothing more.
  void read_all(Dump& dump) {
    // bcread_header, with engines/patches/*-bcread-truncated-header.patch: the ESC
    // was read by lj_lex_setup; at least 4 more bytes, and a one-byte flags field.
    if (bytes_.size() < 5 || (static_cast<std::uint8_t>(bytes_[4]) & 0x80))
      refused("header cut short");
    if (static_cast<std::uint8_t>(bytes_[1]) != BCDUMP_HEAD2 ||
        static_cast<std::uint8_t>(bytes_[2]) != BCDUMP_HEAD3 ||
        static_cast<std::uint8_t>(bytes_[3]) != BCDUMP_VERSION)
      refused("not this engine's bytecode format");
    flags_ = static_cast<std::uint8_t>(bytes_[4]);
    dump.flags = flags_;
    if ((flags_ & ~static_cast<std::uint32_t>(BCDUMP_F_KNOWN)) != 0) refused("unknown header flags");
    if ((flags_ & BCDUMP_F_FR2) != LJ_FR2 * BCDUMP_F_FR2) refused("built for the other frame layout (FR2)");
#if !LJ_HASFFI
    if (flags_ & BCDUMP_F_FFI) refused("needs the FFI");
#endif
    Cursor top(bytes_, 5, bytes_.size(), "the dump");
    if (!stripped()) {
      const std::uint32_t len = top.uleb();
      if (len > top.left()) refused("chunk name cut short");  // bcread_need
      top.take(len);
    }
    for (;;) {
      if (top.left() > 0 && top.peek() == 0) {  // the shortcut for the final 0
        top.take(1);
        break;
      }
      const std::uint32_t len = top.uleb();
      if (len == 0) break;
      if (len > top.left()) refused("a prototype cut short");  // bcread_need
      const std::size_t index = dump.protos.size();
      Cursor in(bytes_, top.at(), top.at() + len, "prototype " + std::to_string(index + 1));
      dump.protos.push_back(read_proto(in));
      if (in.left() != 0) refused("a prototype longer than its contents");
      top.take(len);
      stack_.push_back(static_cast<std::int32_t>(index));
    }
    if (top.left() != 0) refused("bytes after the end of the dump");
    if (stack_.size() != 1) refused("not exactly one main function");
  }

  // lj_bcread_proto.
  Proto read_proto(Cursor& in) {
    Proto p;
    const std::string& where = in.where();
    p.flags = in.byte();
    p.numparams = in.byte();
    p.framesize = in.byte();
    p.sizeuv = in.byte();
    const std::uint32_t sizekgc = in.uleb();
    const std::uint32_t sizekn = in.uleb();
    const std::uint32_t sizebc = in.uleb() + 1;  // MSize: wraps to 0
    std::uint32_t sizedbg = 0;
    if (!stripped()) {
      sizedbg = in.uleb();
      if (sizedbg) {
        p.firstline = in.uleb();
        p.numline = in.uleb();
      }
    }
    // The allocation lj_bcread computes in 32 bits before it reads what it counts.
    if (sizebc == 0) unsafe(where + ": instruction count overflows");
    std::uint64_t sizept = sizeof(GCproto) + std::uint64_t{sizebc} * sizeof(BCIns) +
                           std::uint64_t{sizekgc} * sizeof(GCRef);
    sizept = (sizept + sizeof(TValue) - 1) & ~std::uint64_t{sizeof(TValue) - 1};
    sizept += std::uint64_t{sizekn} * sizeof(TValue) + ((p.sizeuv + 1u) & ~1u) * 2u + sizedbg;
    if (sizept > LJ_MAX_MEM32) unsafe(where + ": its sizes overflow the prototype's allocation");

    // bcread_bytecode: instruction 0 is the function header the reader puts there.
    if (std::uint64_t{sizebc - 1} * sizeof(BCIns) > in.left()) unsafe(where + " is cut short (instructions)");
    p.bc.resize(sizebc);
    p.bc[0] = BCINS_AD((p.flags & PROTO_VARARG) ? BC_FUNCV : BC_FUNCF, p.framesize, 0);
    for (std::uint32_t i = 1; i < sizebc; ++i) p.bc[i] = in.word(4, big_endian());
    // bcread_uv
    for (unsigned i = 0; i < p.sizeuv; ++i) p.uv.push_back(static_cast<std::uint16_t>(in.word(2, big_endian())));
    // bcread_kgc
    if (sizekgc > in.left()) unsafe(where + " is cut short (constants)");
    p.kgc.reserve(sizekgc);
    p.child.assign(sizekgc, -1);
    for (std::uint32_t i = 0; i < sizekgc; ++i) p.kgc.push_back(read_constant(in, p, i));
    // bcread_knum
    if (sizekn > in.left()) unsafe(where + " is cut short (numbers)");
    for (std::uint32_t i = 0; i < sizekn; ++i) {
      if (in.left() == 0) unsafe(where + " is cut short (numbers)");
      const bool isnum = (in.peek() & 1) != 0;  // the uleb33 below reads this byte again
      const std::uint32_t lo = in.uleb33();
      const std::uint32_t hi = isnum ? in.uleb() : 0;
      if (isnum && !is_number(lo, hi))
        defer(where + ": number constant " + std::to_string(i) + " is not a number");
      p.knum.push_back(Number{!isnum, lo, hi});
    }
    if (sizedbg) read_debug_info(in, p, sizebc, sizedbg);
    return p;
  }

  Constant read_constant(Cursor& in, Proto& p, std::uint32_t i) {
    const std::uint32_t tp = in.uleb();
    if (tp >= BCDUMP_KGC_STR) {
      in.take(tp - BCDUMP_KGC_STR);
      return Constant::string;
    }
    if (tp == BCDUMP_KGC_TAB) {
      read_template(in);
      return Constant::table;
    }
#if LJ_HASFFI
    if (tp != BCDUMP_KGC_CHILD) {
      if (!(flags_ & BCDUMP_F_FFI))
        defer(in.where() + ": a cdata constant in a dump without the FFI flag");
      in.uleb();
      in.uleb();
      if (tp == BCDUMP_KGC_COMPLEX) {
        in.uleb();
        in.uleb();
        return Constant::complex;
      }
      return tp == BCDUMP_KGC_I64 ? Constant::int64 : Constant::uint64;
    }
#endif
    if (stack_.empty()) refused("a child prototype that is not there");  // L->top <= oldtop
    p.child[i] = stack_.back();
    stack_.pop_back();
    return Constant::child;
  }

  // bcread_ktab: lj_tab_new first (which refuses sizes past the engine's limits),
  // then the entries; bcread_ktabk for each key and value.
  void read_template(Cursor& in) {
    const std::uint32_t narray = in.uleb();
    const std::uint32_t nhash = in.uleb();
    if (narray > LJ_MAX_ASIZE || hsize2hbits(nhash) > LJ_MAX_HBITS) refused("a table template too large");
    if (narray > in.left() || nhash > in.left() / 2) unsafe(in.where() + " is cut short (table template)");
    for (std::uint32_t i = 0; i < narray; ++i) read_template_item(in, false);
    for (std::uint32_t i = 0; i < nhash; ++i) {
      read_template_item(in, true);
      read_template_item(in, false);
    }
  }

  void read_template_item(Cursor& in, bool key) {
    const std::uint32_t tp = in.uleb();
    if (tp >= BCDUMP_KTAB_STR) {
      in.take(tp - BCDUMP_KTAB_STR);
    } else if (tp == BCDUMP_KTAB_INT) {
      in.uleb();
    } else if (tp == BCDUMP_KTAB_NUM) {
      const std::uint32_t lo = in.uleb();
      const std::uint32_t hi = in.uleb();
      if (!is_number(lo, hi)) {
        // As a key lj_tab_set would take it for the object its tag says.
        if (key) unsafe(in.where() + ": a table template key that is not a number");
        defer(in.where() + ": a table template value that is not a number");
      } else if (key && is_nan(lo, hi)) {
        refused("a NaN table template key");  // lj_tab_set: "table index is NaN"
      }
    } else if (key && tp == BCDUMP_KTAB_NIL) {
      unsafe(in.where() + ": a nil table template key");  // lj_assertLS(!tvisnil(&key))
    }
  }

  // bcread_dbg and bcread_varinfo: line info, then the upvalue names, which the
  // reader walks to find the variable info; the variable info itself is read only
  // by lj_debug, later.
  void read_debug_info(Cursor& in, Proto& p, std::uint32_t sizebc, std::uint32_t sizedbg) {
    const std::string& where = in.where();
    std::string_view dbg = in.take(sizedbg);
    p.debug_info = true;
    const auto numline = static_cast<BCLine>(p.numline);  // the reader's BCLine
    const std::size_t width = numline < 256 ? 1 : numline < 65536 ? 2 : 4;
    const std::uint64_t sizeli = std::uint64_t{sizebc - 1} * width;
    if (sizeli > dbg.size()) unsafe(where + ": line info larger than its debug info");
    const auto first = static_cast<std::int64_t>(static_cast<BCLine>(p.firstline));
    const auto fits = [](std::int64_t line) {
      return line >= std::numeric_limits<BCLine>::min() && line <= std::numeric_limits<BCLine>::max();
    };
    if (!fits(first + numline)) defer(where + ": its last line overflows");
    Cursor lines(dbg, 0, sizeli, where + "'s line info");
    for (std::uint32_t i = 1; i < sizebc; ++i) {
      const std::uint32_t v = lines.word(width, width > 1 && big_endian());
      const std::int64_t delta = width == 4 ? static_cast<std::int32_t>(v) : static_cast<std::int64_t>(v);
      if (!fits(first + delta)) defer(where + ": a line number overflows");
    }
    // bcread_varinfo: one NUL-terminated name per upvalue.
    std::size_t at = sizeli;
    for (unsigned n = 0; n < p.sizeuv; ++n) {
      const std::size_t nul = dbg.find('\0', at);
      if (nul == std::string_view::npos) unsafe(where + ": upvalue names run past its debug info");
      at = nul + 1;
    }
    read_variables(dbg.substr(at), p, sizebc, where);
  }

  // lj_debug.c debug_varname's walk: a name (a VARNAME_* byte or a NUL-terminated
  // string), the start as a delta from the previous start, the length; a 0 byte ends.
  void read_variables(std::string_view info, Proto& p, std::uint32_t sizebc, const std::string& where) {
    Cursor in(info, 0, info.size(), where + "'s variable info");
    std::uint64_t last = 0;
    try {
      for (;;) {
        const std::uint8_t vn = in.byte();
        if (vn == VARNAME_END) return;
        bool hidden = true;  // every VARNAME_* name is "(for ...)"
        if (vn >= VARNAME__MAX) {
          hidden = vn == '(';
          while (in.byte() != 0) {
          }
        }
        const std::uint64_t start = last + in.uleb();
        const std::uint64_t end = start + in.uleb();
        if (end > sizebc) {
          defer(where + ": a variable's range past its instructions");
          return;
        }
        last = start;
        p.variables.push_back(Variable{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end), hidden});
      }
    } catch (const Stop& stop) {  // read only at run time: a reason, not a stop
      defer(stop.problem);
    }
  }

  std::string_view bytes_;
  std::uint32_t flags_ = 0;
  std::vector<std::int32_t> stack_;  // lj_bcread's prototypes on the Lua stack
  std::string deferred_;
};

}  // namespace

Dump read(std::string_view bytes) { return Reader(bytes).read(); }

}  // namespace codecache::engine::luajit_dump
