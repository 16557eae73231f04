// The LuaJIT bytecode verifier (see luajit_bytecode_verifier.h). The dump is read
// as lj_bcread reads it (luajit_bytecode_dump.h); then each prototype is checked
// instruction by instruction (operands against the engine's own BCDEF modes), and
// by one forward data-flow pass for what an instruction relies on earlier ones to
// have established. The rules, and the engine code that relies on each:
//
// Prototype: 1 <= framesize <= LJ_MAX_SLOTS (the recorder's slot map); numparams
//   <= framesize (FUNCF/FUNCV clear the missing parameters); sizeuv <=
//   LJ_MAX_UPVAL; 1 .. LJ_MAX_BCINS instructions; PROTO_CHILD set when it has child
//   prototypes (lj_snap.c snap_useuv looks for their upvalues only then); at most
//   framesize variables live at any pc, and their ranges inside the prototype
//   (lj_debug.c debug_localname returns frame+n for the n-th live name, unchecked).
// Opcodes: only what the parser writes. JIT-patched ones (JFORI, JFORL, JITERL,
//   JLOOP, JFUNCF, JFUNCV: their D is a trace number), their interpreter-only
//   twins (IFORL, IITERL, ILOOP, IFUNCF, IFUNCV), function headers (FUNCF, FUNCV,
//   FUNCC, FUNCCW: lj_bcread writes the one header itself), and ISTYPE, ISNUM,
//   TGETR, TSETR (library bytecode: TGETR/TSETR take any slot for a table
//   unchecked, ISTYPE's error path indexes a type-name table by D) are refused.
// Operands, by mode: a slot (dst, var, and every base/rbase range: CALL* frames
//   and arguments, results of CALL/ITERC/VARG/RET*, KNIL, CAT, FORI/FORL's four,
//   ITERC/ITERN's three below A and two above) below framesize; an upvalue below
//   sizeuv; a number constant below sizekn; a str/tab/func/cdata constant below
//   sizekgc and of that kind (KBASE[~D] is used as that object, unchecked); pri
//   <= 2 (KPRI, ISEQP, USETP build the TValue ~D: a larger D forges a GC object);
//   jump targets inside 1 .. sizebc-1; TNEW's hash bits <= LJ_MAX_HBITS. CALL and
//   CALLT take at least the function (C/D >= 1: NARGS 0 would make the callee
//   clear slot -1), ITERC/ITERN C == 3 (the recorder sizes the call by C), CAT
//   B < C (lj_meta_cat reads top-1), KNIL A < D (the VM sets at least two slots),
//   VARG only in vararg prototypes and with C == numparams (it finds the varargs
//   through the vararg frame), TSETM's start index the parser's biased integer
//   (hi word 0x43300000, lo <= LJ_MAX_ASIZE; the VM adds it to the count in 32
//   bits and indexes the array with it).
// Upvalues of a child prototype (FNEW, lj_func_newL_gc): a local slot below the
//   parent's framesize (no other bits) or a parent upvalue below its sizeuv.
// Shape: no instruction falls off the end; a comparison or test is followed by
//   JMP (the VM and rec_comp_fixup read its D); FORI and FORL point at each other
//   (FORL jumps back to FORI+1, FORI out to FORL+1: trace_stop patches FORI
//   through FORL's jump, JFORI reads the trace number from FORL); ITERC/ITERN is
//   followed by ITERL with the same A, which jumps back to just after the loop's
//   JMP (ITERC) or ISNEXT (ITERN) that jumps to it (rec_iterl and rec_setup_root
//   read pc[-1], the JIT's blacklisting rewrites the ISNEXT); ISNEXT jumps to its
//   ITERN (it patches its target's opcode when its check fails).
// Flow (one forward pass, states joined at every pc):
//   - multres: CALLM, CALLMT, RETM and TSETM consume MULTRES values from the slot
//     where the instruction just before them (or just before the UCLO that jumps
//     to them, as parse_return writes it) left them: a CALL/CALLM with B = 0 or a
//     VARG with B = 0 whose A is where the consumer expects them. Reached any other
//     way, they would take a stale count of stale slots.
//   - open upvalues: FNEW leaves its child's local slots open until UCLO closes
//     them. None may be open at a return or tail call (the upvalue would point into
//     a dead frame, later another frame's link), nor at or above a call's base (the
//     callee's function and link slots).
//   - what the interpreter does not check again: TSETM takes slot A-1 as a table
//     ("Guaranteed to be a table", vm_x64.dasc), FORL takes A..A+2 as numbers (an
//     assertion in the fuzz build, and the recorder's loop analysis): each must
//     hold what TNEW/TDUP or FORI put there on every path, with no write between,
//     counting a call (any instruction that may run Lua code) as a write to every
//     slot that is open or carries a name debug.setlocal accepts.
//   - ITERN reads A-2 as a table unchecked and A-1 as an index whose high word is
//     LJ_KEYINDEX (it rewrites only the low word: anything else there becomes a
//     forged object). ISNEXT checks and sets them, and despecializes ISNEXT->JMP,
//     ITERN->ITERC when its check fails (vm_x64.dasc BC_ISNEXT). The verifier keeps
//     ITERN (rewriting it to ITERC would change how pairs() meets a table that
//     grows while it runs) and proves instead that nothing can have changed those
//     slots: every way into the loop (ISNEXT+1 .. ITERL) is the ISNEXT's jump or
//     from inside it, and nothing inside writes A-3..A-1 (calls counted as above).
//   - the index ISNEXT puts in A-1 is a value no Lua code may see: a slot that may
//     hold it is read by nothing but its ITERN until it is written, is never open,
//     and never carries a name debug.getlocal returns the value of.
//   - named slots at a call are below its base (debug.setlocal from the callee
//     would otherwise reach the callee's own frame).
// Liveness: the recorder (J->maxslot) and lj_snap.c snap_usedef take operands to say
//   which slots are dead from an instruction on, and drop them from the trace and
//   its snapshots: the A of JMP (and of the JMP after a comparison, both ways),
//   LOOP and ISNEXT; a FOR loop's A on the way out, A+4 in the loop; ITERL's and
//   ITERN's A-3 out, their results in; a call's or VARG's results; CAT's operands.
//   A backward liveness pass checks that no slot they call dead is read later (the
//   loop optimizer asserts on such a slot, "uninitialized slot accessed").
// Loop extent: rec_setup_root takes a LOOP's loop to run from where the JMP before
//   its exit jumps back to (a while loop's condition) to that JMP; the condition,
//   before the LOOP, holds no loop of its own (one there made the recorder assert).
//   A JMP that jumps back past the LOOP (a repeat-until-true ending in a loop)
//   gives an extent without a condition, whose trace the recorder aborts.
// The recorder: lj_record.c find_kinit takes the last KSHORT/KNUM before a FORI
//   that writes one of its slots for that slot's value (the start of the loop is
//   then known not to need an array bounds check). When it would find one, every
//   way to the FORI must pass that instruction, with no write to the slot between.
// Debug names: the sandbox refuses debug.setlocal on, and hides the value of,
//   names that start with '(' (sandbox.cc), which is what the parser gives hidden
//   slots; a dump's variable info can give any slot any name, hence the rules above.
//
// Kept within bounds: a dump of at most kMaxInstructions instructions in all, and
// the backward scans (find_kinit, the loop regions) within a budget proportional
// to its size; past either the dump is refused as too large or too complex.
#include "core/engine/luajit_bytecode_verifier.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "core/engine/luajit_bytecode_dump.h"

extern "C" {
#include "lj_obj.h"
#include "lj_bc.h"
#include "lj_bcdump.h"
}

namespace codecache::engine::luajit_bytecode {
namespace {

using luajit_dump::Constant;
using luajit_dump::Proto;

// Each opcode's name and operand modes, expanded from the engine's own BCDEF list
// (lj_bc.h): the numbering is this engine's, never a copy.
struct OpInfo {
  const char* name;
  BCMode a;
  BCMode b;
  BCMode c;
};
#define CODECACHE_OP_INFO(name, ma, mb, mc, mm) {#name, BCM##ma, BCM##mb, BCM##mc},
constexpr OpInfo kOps[] = {BCDEF(CODECACHE_OP_INFO)};
#undef CODECACHE_OP_INFO
static_assert(sizeof(kOps) / sizeof(kOps[0]) == BC__MAX, "one entry per opcode");

constexpr std::uint32_t kFr2 = LJ_FR2;
constexpr std::uint32_t kMaxInstructions = 1u << 21;  // in all prototypes of one dump
constexpr std::int32_t kNoMultres = -1;
constexpr std::uint32_t kPrimitiveMax = 2;            // nil, false, true
constexpr std::uint32_t kTsetmHi = 0x43300000;        // lj_parse.c expr_table's biased integer

struct Problem {
  std::string text;
};
[[noreturn]] void fail(std::string text) { throw Problem{std::move(text)}; }

// An instruction's opcode, as a number: a corrupted one need not be a BCOp at all.
using Op = std::uint32_t;
Op op_of(BCIns ins) { return ins & 0xff; }
const char* name_of(Op op) { return op < BC__MAX ? kOps[op].name : "?"; }

// A set of frame slots (a frame has at most LJ_MAX_SLOTS = 250 of them).
class Slots {
 public:
  static constexpr std::uint32_t kTop = 255;  // "up to the top of the frame"

  void add(std::uint32_t s) {
    if (s <= kTop) w_[s >> 6] |= std::uint64_t{1} << (s & 63);
  }
  void add_range(std::uint32_t lo, std::uint32_t hi) {
    for (std::uint32_t s = lo; s <= std::min(hi, kTop); ++s) add(s);
  }
  bool has(std::uint32_t s) const { return s <= kTop && ((w_[s >> 6] >> (s & 63)) & 1); }
  bool empty() const { return (w_[0] | w_[1] | w_[2] | w_[3]) == 0; }
  // The lowest member at or above `lo`, or -1.
  int first_from(std::uint32_t lo = 0) const {
    for (std::uint32_t s = lo; s <= kTop; ++s)
      if (has(s)) return static_cast<int>(s);
    return -1;
  }
  Slots operator&(const Slots& o) const { return apply(o, [](auto x, auto y) { return x & y; }); }
  Slots operator|(const Slots& o) const { return apply(o, [](auto x, auto y) { return x | y; }); }
  Slots operator-(const Slots& o) const { return apply(o, [](auto x, auto y) { return x & ~y; }); }
  bool operator==(const Slots&) const = default;

 private:
  template <typename F>
  Slots apply(const Slots& o, F f) const {
    Slots r;
    for (int i = 0; i < 4; ++i) r.w_[i] = f(w_[i], o.w_[i]);
    return r;
  }
  std::array<std::uint64_t, 4> w_{};
};

Slots range(std::uint32_t lo, std::uint32_t hi) {
  Slots s;
  s.add_range(lo, hi);
  return s;
}
Slots one(std::uint32_t s) { return range(s, s); }

// What is known before an instruction, on every path to it.
struct State {
  Slots open;      // may: slots an open upvalue points to
  Slots keyindex;  // may: slots that may hold ISNEXT's internal index
  Slots table;     // must: slots holding the table TNEW/TDUP made, unchanged since
  Slots number;    // must: FORI's three slots, checked as numbers, unchanged since
  std::int32_t multres = kNoMultres;  // where MULTRES values start, if just produced

  // Joins `o` into this state; true when this state changed.
  bool join(const State& o) {
    State j{open | o.open, keyindex | o.keyindex, table & o.table, number & o.number,
            multres == o.multres ? multres : kNoMultres};
    const bool changed = !(j.open == open && j.keyindex == keyindex && j.table == table &&
                           j.number == number && j.multres == multres);
    *this = j;
    return changed;
  }
};

// Scans that walk back over the bytecode share one budget per dump.
class Budget {
 public:
  explicit Budget(std::uint64_t steps) : left_(steps) {}
  void spend(std::uint64_t steps) {
    if (steps > left_) fail("too complex to verify (its loops and for-loop initializers)");
    left_ -= steps;
  }

 private:
  std::uint64_t left_;
};

bool is_comparison(Op op) { return op >= BC_ISLT && op <= BC_ISF; }
bool is_call(Op op) { return op == BC_CALL || op == BC_CALLM || op == BC_ITERC || op == BC_ITERN; }
bool is_return(Op op) {
  return op == BC_RET || op == BC_RET0 || op == BC_RET1 || op == BC_RETM || op == BC_CALLT ||
         op == BC_CALLMT;
}

bool refused_opcode(Op op) {
  switch (op) {
    case BC_ISTYPE: case BC_ISNUM: case BC_TGETR: case BC_TSETR:
    case BC_JFORI: case BC_IFORL: case BC_JFORL: case BC_IITERL: case BC_JITERL:
    case BC_ILOOP: case BC_JLOOP:
    case BC_FUNCF: case BC_IFUNCF: case BC_JFUNCF: case BC_FUNCV: case BC_IFUNCV:
    case BC_JFUNCV: case BC_FUNCC: case BC_FUNCCW:
      return true;
    default:
      return op >= BC__MAX;
  }
}

// Instructions that never run Lua code (no metamethod, no call, no allocation that
// could run a finalizer); every other one may, and may then write slots through an
// open upvalue or debug.setlocal.
bool never_runs_lua(Op op) {
  switch (op) {
    case BC_MOV: case BC_NOT: case BC_KSTR: case BC_KCDATA: case BC_KSHORT: case BC_KNUM:
    case BC_KPRI: case BC_KNIL: case BC_UGET: case BC_USETV: case BC_USETS: case BC_USETN:
    case BC_USETP: case BC_UCLO: case BC_JMP: case BC_LOOP: case BC_FORI: case BC_FORL:
    case BC_ITERL: case BC_IST: case BC_ISF: case BC_ISTC: case BC_ISFC:
      return true;
    default:
      return false;
  }
}

// The checks of one prototype.
class Checker {
 public:
  Checker(const std::vector<Proto>& protos, std::size_t index, Budget& budget)
      : protos_(protos),
        p_(protos[index]),
        number_(index + 1),
        budget_(budget),
        n_(static_cast<std::uint32_t>(p_.bc.size())),
        fs_(p_.framesize) {}

  void run() {
    check_prototype();
    compute_names();
    for (std::uint32_t pc = 1; pc < n_; ++pc) check_instruction(pc);
    flow();
    for (std::uint32_t pc = 1; pc < n_; ++pc)
      if (seen_[pc]) check_state(pc, in_[pc]);
    for (std::uint32_t pc = 1; pc < n_; ++pc) {
      if (!seen_[pc]) continue;
      if (op(pc) == BC_FORI) check_kinit(pc);
      if (op(pc) == BC_ITERN) check_iterator_loop(pc);
    }
    liveness();
    for (std::uint32_t pc = 1; pc < n_; ++pc)
      if (seen_[pc]) check_dead_slots(pc);
  }

 private:
  // -- Reporting ------------------------------------------------------------

  std::string where() const { return "prototype " + std::to_string(number_); }
  std::string where(std::uint32_t pc) const {
    return where() + ", pc " + std::to_string(pc) + " (" + name_of(op(pc)) + ")";
  }
  [[noreturn]] void fail_at(std::uint32_t pc, const std::string& what) const { fail(where(pc) + ": " + what); }

  // -- Instruction fields -----------------------------------------------------

  BCIns ins(std::uint32_t pc) const { return p_.bc[pc]; }
  Op op(std::uint32_t pc) const { return op_of(p_.bc[pc]); }
  std::uint32_t a(std::uint32_t pc) const { return bc_a(p_.bc[pc]); }
  std::uint32_t b(std::uint32_t pc) const { return bc_b(p_.bc[pc]); }
  std::uint32_t c(std::uint32_t pc) const { return bc_c(p_.bc[pc]); }
  std::uint32_t d(std::uint32_t pc) const { return bc_d(p_.bc[pc]); }
  // A jump's target; checked to be inside 1 .. sizebc-1 before it is used.
  std::uint32_t target(std::uint32_t pc) const {
    return static_cast<std::uint32_t>(static_cast<std::int64_t>(pc) + 1 + bc_j(p_.bc[pc]));
  }

  // -- The prototype ----------------------------------------------------------

  void check_prototype() {
    if (fs_ < 1 || fs_ > LJ_MAX_SLOTS)
      fail(where() + ": frame size " + std::to_string(fs_) + " outside 1.." + std::to_string(LJ_MAX_SLOTS));
    if (p_.numparams > fs_)
      fail(where() + ": " + std::to_string(p_.numparams) + " parameters in a frame of " + std::to_string(fs_));
    if (p_.sizeuv > LJ_MAX_UPVAL) fail(where() + ": " + std::to_string(p_.sizeuv) + " upvalues");
    if (n_ < 2) fail(where() + ": no instructions");
    if (n_ > LJ_MAX_BCINS) fail(where() + ": more than " + std::to_string(LJ_MAX_BCINS) + " instructions");
    const bool children = std::any_of(p_.kgc.begin(), p_.kgc.end(), [](Constant k) { return k == Constant::child; });
    if (children && !(p_.flags & PROTO_CHILD)) fail(where() + ": child prototypes without the PROTO_CHILD flag");
  }

  // Which slots carry a name at each pc, as lj_debug.c debug_varname counts them:
  // the n-th variable live at pc names slot n. The reader checked the ranges.
  void compute_names() {
    live_vars_.assign(n_, 0);
    if (p_.variables.empty()) return;
    named_.assign(n_, Slots{});
    std::vector<std::uint32_t> live;  // indices into variables, in order
    std::size_t next = 0;
    for (std::uint32_t pc = 0; pc < n_; ++pc) {
      while (next < p_.variables.size() && p_.variables[next].start <= pc) live.push_back(next++);
      std::erase_if(live, [&](std::uint32_t i) { return p_.variables[i].end <= pc; });
      if (live.size() > fs_)
        fail(where() + ": " + std::to_string(live.size()) + " variables live at pc " + std::to_string(pc) +
             " in a frame of " + std::to_string(fs_));
      live_vars_[pc] = static_cast<std::uint8_t>(live.size());
      for (std::size_t k = 0; k < live.size(); ++k)
        if (!p_.variables[live[k]].hidden) named_[pc].add(static_cast<std::uint32_t>(k));
    }
  }

  // Slots debug.setlocal and debug.getlocal take by name at pc.
  Slots named(std::uint32_t pc) const { return named_.empty() ? Slots{} : named_[pc]; }

  // -- Static operand checks --------------------------------------------------

  void slot(std::uint32_t pc, std::uint32_t s) const {
    if (s >= fs_)
      fail_at(pc, "slot " + std::to_string(s) + " is outside the frame (" + std::to_string(fs_) + " slots)");
  }
  // Slots first .. last, none when last < first.
  void slots(std::uint32_t pc, std::int64_t first, std::int64_t last) const {
    if (last < first) return;
    if (first < 0) fail_at(pc, "slot " + std::to_string(first) + " is below the frame");
    if (last >= fs_)
      fail_at(pc, "slots " + std::to_string(first) + ".." + std::to_string(last) + " reach outside the frame (" +
                      std::to_string(fs_) + " slots)");
  }
  void upvalue(std::uint32_t pc, std::uint32_t u) const {
    if (u >= p_.sizeuv)
      fail_at(pc, "upvalue " + std::to_string(u) + " of " + std::to_string(p_.sizeuv));
  }
  // The collectable constant ~d: kgc[size-1-d].
  std::size_t constant(std::uint32_t pc, std::uint32_t k, Constant kind, const char* kind_name) const {
    if (k >= p_.kgc.size())
      fail_at(pc, "constant " + std::to_string(k) + " of " + std::to_string(p_.kgc.size()));
    const std::size_t i = p_.kgc.size() - 1 - k;
    const bool ok = kind == Constant::int64 ? (p_.kgc[i] == Constant::int64 || p_.kgc[i] == Constant::uint64 ||
                                               p_.kgc[i] == Constant::complex)
                                            : p_.kgc[i] == kind;
    if (!ok) fail_at(pc, "constant " + std::to_string(k) + " is not a " + kind_name);
    return i;
  }
  void number(std::uint32_t pc, std::uint32_t k) const {
    if (k >= p_.knum.size())
      fail_at(pc, "number constant " + std::to_string(k) + " of " + std::to_string(p_.knum.size()));
  }
  void jump(std::uint32_t pc) const {
    const std::int64_t t = static_cast<std::int64_t>(pc) + 1 + bc_j(ins(pc));
    if (t < 1 || t >= n_) fail_at(pc, "jumps to " + std::to_string(t) + ", outside 1.." + std::to_string(n_ - 1));
  }
  void follows(std::uint32_t pc, std::uint32_t next) const {
    if (next >= n_) fail_at(pc, "falls off the end of the prototype");
  }

  // An operand by its mode (lj_bc.h); `field` is its value.
  void operand(std::uint32_t pc, BCMode mode, std::uint32_t field) const {
    switch (mode) {
      case BCMdst: case BCMvar: slot(pc, field); break;
      case BCMuv: upvalue(pc, field); break;
      case BCMnum: number(pc, field); break;
      case BCMstr: constant(pc, field, Constant::string, "string"); break;
      case BCMtab: constant(pc, field, Constant::table, "table template"); break;
      case BCMfunc: constant(pc, field, Constant::child, "prototype"); break;
      case BCMcdata: constant(pc, field, Constant::int64, "cdata"); break;
      case BCMpri:
        if (field > kPrimitiveMax) fail_at(pc, "primitive " + std::to_string(field) + " is not nil, false or true");
        break;
      case BCMjump: jump(pc); break;
      default: break;  // lit, lits, none; base and rbase ranges are checked per opcode
    }
  }

  void check_instruction(std::uint32_t pc) {
    const Op o = op(pc);
    if (o >= BC__MAX) fail(where() + ", pc " + std::to_string(pc) + ": unknown opcode " + std::to_string(o));
    if (refused_opcode(o)) {
      const bool jit = o == BC_JFORI || o == BC_JFORL || o == BC_JITERL || o == BC_JLOOP || o == BC_JFUNCF ||
                       o == BC_JFUNCV;
      fail_at(pc, jit ? "a JIT-patched opcode (its operand is a trace number)" : "an opcode the parser never writes");
    }
    const OpInfo& info = kOps[o];
    const bool abc = info.b != BCMnone;
    operand(pc, info.a, a(pc));
    if (abc) operand(pc, info.b, b(pc));
    operand(pc, info.c, abc ? c(pc) : d(pc));
    const std::uint32_t A = a(pc), B = b(pc), C = c(pc), D = d(pc);
    switch (o) {
      case BC_CAT:
        if (B >= C) fail_at(pc, "concatenates slots " + std::to_string(B) + ".." + std::to_string(C));
        slots(pc, B, C);
        break;
      case BC_KNIL:
        if (A >= D) fail_at(pc, "clears slots " + std::to_string(A) + ".." + std::to_string(D) + " (at least two)");
        slots(pc, A, D);
        break;
      case BC_TNEW:
        if ((D >> 11) > LJ_MAX_HBITS) fail_at(pc, "hash part of 2^" + std::to_string(D >> 11) + " slots");
        break;
      case BC_FNEW:
        check_child_upvalues(pc, p_.child[constant(pc, D, Constant::child, "prototype")]);
        break;
      case BC_TSETM: {
        slots(pc, static_cast<std::int64_t>(A) - 1, A);
        const luajit_dump::Number& k = p_.knum[D];
        if (k.integer || k.hi != kTsetmHi || k.lo > LJ_MAX_ASIZE)
          fail_at(pc, "number constant " + std::to_string(D) + " is not an array index");
        break;
      }
      case BC_CALLM: slots(pc, A, std::int64_t{A} + kFr2 + C); results(pc, A, B); break;
      case BC_CALL:
        if (C < 1) fail_at(pc, "calls without the function (C = 0)");
        slots(pc, A, std::int64_t{A} + kFr2 + C - 1);
        results(pc, A, B);
        break;
      case BC_CALLMT: slots(pc, A, std::int64_t{A} + kFr2 + D); break;
      case BC_CALLT:
        if (D < 1) fail_at(pc, "calls without the function (D = 0)");
        slots(pc, A, std::int64_t{A} + kFr2 + D - 1);
        break;
      case BC_ITERC: case BC_ITERN:
        slots(pc, static_cast<std::int64_t>(A) - 3, std::int64_t{A} + kFr2 + 2);
        if (C != 3) fail_at(pc, "C = " + std::to_string(C) + ", not 3");
        if (B < 2 || (o == BC_ITERN && B > 3)) fail_at(pc, "B = " + std::to_string(B));
        results(pc, A, B);
        follows(pc, pc + 1);
        if (op(pc + 1) != BC_ITERL || a(pc + 1) != A) fail_at(pc, "not followed by its ITERL");
        break;
      case BC_ISNEXT:
        slots(pc, static_cast<std::int64_t>(A) - 3, A);
        if (op(target(pc)) != BC_ITERN || a(target(pc)) != A) fail_at(pc, "does not jump to its ITERN");
        break;
      case BC_VARG:
        if (!(p_.flags & PROTO_VARARG)) fail_at(pc, "in a prototype that takes no varargs");
        if (C != p_.numparams) fail_at(pc, "C = " + std::to_string(C) + ", not the " + std::to_string(p_.numparams) + " parameters");
        slot(pc, A);
        results(pc, A, B);
        break;
      case BC_RETM: slots(pc, A, std::int64_t{A} + D); break;
      case BC_RET:
        if (D < 1) fail_at(pc, "D = 0");
        slots(pc, A, std::int64_t{A} + D - 2);
        if (A + D - 1 > fs_) fail_at(pc, "returns from outside the frame");
        break;
      case BC_RET1:
        if (D != 2) fail_at(pc, "D = " + std::to_string(D) + ", not 2");
        slot(pc, A);
        break;
      case BC_RET0:
        if (D != 1) fail_at(pc, "D = " + std::to_string(D) + ", not 1");
        if (A > fs_) fail_at(pc, "A = " + std::to_string(A) + " is above the frame");
        break;
      case BC_FORI: case BC_FORL: {
        slots(pc, A, std::int64_t{A} + 3);
        const bool init = o == BC_FORI;
        const std::uint32_t t = target(pc);
        const std::uint32_t partner = t - 1;  // FORI's target follows FORL; FORL's follows FORI
        if ((init ? partner <= pc : t > pc) || op(partner) != (init ? BC_FORL : BC_FORI) || a(partner) != A ||
            target(partner) != pc + 1)
          fail_at(pc, init ? "does not jump past its FORL" : "does not jump back into its FORI's loop");
        break;
      }
      case BC_ITERL: {
        slot(pc, A);
        const Op call = pc > 1 ? op(pc - 1) : Op{BC__MAX};
        if ((call != BC_ITERC && call != BC_ITERN) || a(pc - 1) != A) fail_at(pc, "does not follow its ITERC/ITERN");
        const std::uint32_t t = target(pc);
        if (t > pc - 1 || op(t - 1) != (call == BC_ITERN ? BC_ISNEXT : BC_JMP) || target(t - 1) != pc - 1)
          fail_at(pc, "does not jump back past the loop's entry");
        break;
      }
      case BC_LOOP:
        check_loop_extent(pc);
        [[fallthrough]];
      case BC_JMP: case BC_UCLO:
        if (A > fs_) fail_at(pc, "A = " + std::to_string(A) + " is above the frame");
        break;
      default:
        break;
    }
    if (is_comparison(o)) {
      follows(pc, pc + 1);
      if (op(pc + 1) != BC_JMP) fail_at(pc, "not followed by JMP");
    }
    // Going on past it (past the JMP after a comparison, past the ITERL after ITERN).
    switch (o) {
      case BC_JMP: case BC_UCLO: case BC_ISNEXT:
      case BC_RET: case BC_RET0: case BC_RET1: case BC_RETM: case BC_CALLT: case BC_CALLMT:
        break;
      default:
        follows(pc, is_comparison(o) || o == BC_ITERN ? pc + 2 : pc + 1);
        break;
    }
  }

  // lj_record.c rec_setup_root takes a LOOP's extent from the JMP just before its
  // exit: when that jumps back, to the start of a while loop's condition, which
  // the LOOP follows. A condition holds no loop of its own. The JMP may also jump
  // back to a point after the LOOP: the parser writes that for `repeat ... until
  // true` whose body ends in another loop or a backward goto. The extent then
  // starts past the LOOP and holds no condition; the trace never gets back to its
  // LOOP and is aborted (lj_record_ins: LJ_TRERR_LLEAVE outside the extent,
  // rec_loop_interp: LJ_TRERR_LINNER or LJ_TRERR_LUNROLL at an inner loop).
  void check_loop_extent(std::uint32_t pc) const {
    const std::uint32_t back = target(pc) - 1;
    if (op(back) != BC_JMP || bc_j(ins(back)) >= 0) return;
    const std::int64_t start = static_cast<std::int64_t>(back) + 1 + bc_j(ins(back));
    if (start > pc) return;
    for (std::uint32_t q = static_cast<std::uint32_t>(std::max<std::int64_t>(start, 1)); q < pc; ++q) {
      budget_.spend(1);
      const Op o = op(q);
      if (o == BC_FORI || o == BC_FORL || o == BC_ITERC || o == BC_ITERN || o == BC_ITERL || o == BC_ISNEXT ||
          o == BC_LOOP)
        fail_at(pc, "its loop's condition (pc " + std::to_string(start) + " on) holds the loop at pc " +
                        std::to_string(q));
    }
  }

  // B-1 results from slot A (B = 0: any number, MULTRES).
  void results(std::uint32_t pc, std::uint32_t A, std::uint32_t B) const {
    if (B >= 2) slots(pc, A, std::int64_t{A} + B - 2);
  }

  void check_child_upvalues(std::uint32_t pc, std::int32_t child) const {
    for (std::uint16_t v : protos_[child].uv) {
      if (v & PROTO_UV_LOCAL) {
        if ((v & 0x3f00) != 0 || (v & 0xff) >= fs_)
          fail_at(pc, "its closure's upvalue takes slot " + std::to_string(v & 0xff) + " (descriptor " +
                          std::to_string(v) + ") in a frame of " + std::to_string(fs_));
      } else if (v >= p_.sizeuv) {
        fail_at(pc, "its closure's upvalue takes upvalue " + std::to_string(v) + " of " + std::to_string(p_.sizeuv));
      }
    }
  }

  // Where control goes after pc (the checks above made every target valid).
  int successors(std::uint32_t pc, std::array<std::uint32_t, 3>& next) const {
    const Op o = op(pc);
    if (is_comparison(o)) {
      next = {pc + 2, target(pc + 1), 0};
      return 2;
    }
    switch (o) {
      case BC_JMP: case BC_UCLO: case BC_ISNEXT: next[0] = target(pc); return 1;
      case BC_FORI: case BC_FORL: case BC_ITERL: next = {pc + 1, target(pc), 0}; return 2;
      // ITERN branches by its ITERL's jump, or leaves the loop past it; run as
      // ITERC (once ISNEXT or the JIT despecialized it) it goes on to the ITERL.
      case BC_ITERN: next = {pc + 1, target(pc + 1), pc + 2}; return 3;
      case BC_RET: case BC_RET0: case BC_RET1: case BC_RETM: case BC_CALLT: case BC_CALLMT: return 0;
      default: next[0] = pc + 1; return 1;
    }
  }

  // -- What an instruction writes and reads -------------------------------------

  // Every slot it may write (for what must stay unchanged).
  Slots writes(std::uint32_t pc, const State& in) const {
    const Op o = op(pc);
    const std::uint32_t A = a(pc), B = b(pc), C = c(pc), D = d(pc);
    Slots w;
    if (kOps[o].a == BCMdst) w.add(A);
    switch (o) {
      case BC_KNIL: w = range(A, D); break;
      case BC_CAT: w = one(A) | range(B, C); break;
      case BC_FORI: w = range(A, A + 3); break;
      case BC_FORL: w = one(A) | one(A + 3); break;
      case BC_ITERL: case BC_ISNEXT: w = one(A - 1); break;
      case BC_VARG: w = B == 0 ? range(A, Slots::kTop) : B >= 2 ? range(A, A + B - 2) : Slots{}; break;
      case BC_CALL: case BC_CALLM: case BC_ITERC: case BC_ITERN: w = range(A, Slots::kTop); break;
      default: break;
    }
    if (!never_runs_lua(o)) w = w | in.open | named(pc);
    return w;
  }

  // The slots it certainly writes on the way to `to` (for what may hold an index).
  Slots overwrites(std::uint32_t pc, std::uint32_t to) const {
    const Op o = op(pc);
    const std::uint32_t A = a(pc), B = b(pc), D = d(pc);
    const auto only_to = [&](std::uint32_t t, Slots s) {
      std::array<std::uint32_t, 3> next{};
      const int count = successors(pc, next);
      for (int i = 0; i < count; ++i)
        if (next[i] == to && next[i] != t) return Slots{};  // another edge to the same place
      return to == t ? s : Slots{};
    };
    switch (o) {
      case BC_ISTC: case BC_ISFC: return only_to(target(pc + 1), one(A));  // copies only when it jumps
      case BC_KNIL: return range(A, D);
      case BC_FORI: return one(A + 3);
      case BC_FORL: return one(A) | one(A + 3);
      case BC_ITERL: return only_to(target(pc), one(A - 1));
      case BC_VARG: return B >= 2 ? range(A, A + B - 2) : Slots{};
      case BC_CALL: case BC_CALLM: case BC_ITERC:
        return one(A + 1) | (B >= 2 ? range(A, A + B - 2) : Slots{});
      case BC_ITERN:
        return only_to(target(pc + 1), range(A, A + 1)) | only_to(pc + 1, one(A + 1) | range(A, A + B - 2));
      default:
        return kOps[o].a == BCMdst ? one(A) : Slots{};
    }
  }

  // The slots it reads.
  Slots reads(std::uint32_t pc) const {
    const Op o = op(pc);
    const OpInfo& info = kOps[o];
    const std::uint32_t A = a(pc), B = b(pc), C = c(pc), D = d(pc);
    Slots r;
    if (info.a == BCMvar) r.add(A);
    if (info.b == BCMvar) r.add(B);
    if (info.c == BCMvar) r.add(info.b != BCMnone ? C : D);
    switch (o) {
      case BC_CAT: r = range(B, C); break;
      case BC_RET: r = D >= 2 ? range(A, A + D - 2) : Slots{}; break;
      case BC_RET1: r = one(A); break;
      case BC_RETM: r = D >= 1 ? range(A, A + D - 1) : Slots{}; break;
      case BC_CALL: r = one(A) | range(A + 1 + kFr2, A + kFr2 + C - 1); break;
      case BC_CALLM: r = one(A) | range(A + 1 + kFr2, A + kFr2 + C); break;
      case BC_CALLT: r = one(A) | range(A + 1 + kFr2, A + kFr2 + D - 1); break;
      case BC_CALLMT: r = one(A) | range(A + 1 + kFr2, A + kFr2 + D); break;
      case BC_ITERC: case BC_ITERN: case BC_ISNEXT: r = range(A - 3, A - 1); break;
      case BC_TSETM: r = one(A - 1); break;
      case BC_FORI: case BC_FORL: r = range(A, A + 2); break;
      case BC_ITERL: r = one(A); break;
      default: break;
    }
    return r;
  }

  // -- The data-flow pass -------------------------------------------------------

  State transfer(std::uint32_t pc, const State& in, std::uint32_t to) const {
    const Op o = op(pc);
    const std::uint32_t A = a(pc), B = b(pc);
    const Slots w = writes(pc, in);
    State out;
    out.open = in.open;
    out.keyindex = in.keyindex - overwrites(pc, to);
    out.table = in.table - w;
    out.number = in.number - w;
    switch (o) {
      case BC_FNEW: {
        const Proto& child = protos_[p_.child[p_.kgc.size() - 1 - d(pc)]];
        for (std::uint16_t v : child.uv)
          if (v & PROTO_UV_LOCAL) out.open.add(v & 0xff);
        break;
      }
      case BC_UCLO: out.open = in.open - range(A, Slots::kTop); break;
      case BC_TNEW: case BC_TDUP: out.table.add(A); break;
      case BC_FORI: case BC_FORL: out.number = out.number | range(A, A + 2); break;
      case BC_ISNEXT: out.keyindex.add(A - 1); break;
      default: break;
    }
    if (((o == BC_CALL || o == BC_CALLM) && B == 0) || (o == BC_VARG && B == 0))
      out.multres = static_cast<std::int32_t>(A);
    else if (o == BC_UCLO)
      out.multres = in.multres;
    return out;
  }

  void flow() {
    in_.assign(n_, State{});
    seen_.assign(n_, 0);
    min_pred_.assign(n_, n_);
    max_pred_.assign(n_, 0);
    std::vector<std::uint32_t> work{1};
    seen_[1] = 1;
    while (!work.empty()) {
      const std::uint32_t pc = work.back();
      work.pop_back();
      std::array<std::uint32_t, 3> next{};
      const int count = successors(pc, next);
      for (int i = 0; i < count; ++i) {
        const std::uint32_t to = next[i];
        min_pred_[to] = std::min(min_pred_[to], pc);
        max_pred_[to] = std::max(max_pred_[to], pc);
        const State out = transfer(pc, in_[pc], to);
        if (!seen_[to]) {
          seen_[to] = 1;
          in_[to] = out;
          work.push_back(to);
        } else if (in_[to].join(out)) {
          work.push_back(to);
        }
      }
    }
  }

  // -- What the JIT takes to be dead ----------------------------------------------

  // Going from pc to `to`, the slots from `from` up (but `except`) are dead for the
  // JIT: the recorder drops them (J->maxslot) and lj_snap.c snap_usedef, which takes
  // the same operands for the same facts, purges them from snapshots; a slot read
  // after that is one it has lost (an assertion in the fuzz build, a bad IR
  // reference in a release build). The parser's operands say so of free registers.
  struct Dead {
    std::uint32_t from = Slots::kTop + 1;  // none
    int except = -1;
  };
  Dead dead_after(std::uint32_t pc, std::uint32_t to) const {
    const Op o = op(pc);
    const std::uint32_t A = a(pc), B = b(pc), C = c(pc);
    if (is_comparison(o)) {  // rec_comp_fixup, and IST..ISFC: the JMP's A, both ways
      const bool copies = (o == BC_ISTC || o == BC_ISFC) && to == target(pc + 1) && to != pc + 2;
      return {a(pc + 1), copies ? static_cast<int>(A) : -1};
    }
    switch (o) {
      case BC_JMP: case BC_ISNEXT: case BC_LOOP: return {A};
      case BC_FORI: return {to == pc + 1 ? A + 4 : A};  // in the loop: its four slots stay
      case BC_FORL: return {to == pc + 1 ? A : A + 4};
      case BC_ITERL: return {to == pc + 1 ? A - 3 : A - 1 + b(pc - 1)};
      case BC_ITERN:
        if (to == pc + 2) return {A - 3};
        if (to == pc + 1) return {A + B - 1};  // run as ITERC, like a call
        return {A + B - 1};
      case BC_CALL: case BC_ITERC:  // results; with MULTRES, what lies past the arguments
        return {B >= 1 ? A + B - 1 : A + C + kFr2};
      case BC_CALLM: case BC_VARG: return B >= 1 ? Dead{A + B - 1} : Dead{};
      case BC_CAT: return {C + 1, static_cast<int>(A)};  // snap_usedef: above the operands
      default: return {};
    }
  }

  // Slots read before they are written from each pc on (an open upvalue's slot
  // always: a closure may read it).
  void liveness() {
    live_.assign(n_, Slots{});
    std::vector<std::uint32_t> first(n_ + 1, 0), preds;  // predecessors, packed
    std::array<std::uint32_t, 3> next{};
    for (std::uint32_t pc = 1; pc < n_; ++pc) {
      if (!seen_[pc]) continue;
      const int count = successors(pc, next);
      for (int i = 0; i < count; ++i) ++first[next[i] + 1];
    }
    for (std::uint32_t pc = 0; pc < n_; ++pc) first[pc + 1] += first[pc];
    preds.resize(first[n_]);
    std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
    for (std::uint32_t pc = 1; pc < n_; ++pc) {
      if (!seen_[pc]) continue;
      const int count = successors(pc, next);
      for (int i = 0; i < count; ++i) preds[fill[next[i]]++] = pc;
    }
    std::vector<std::uint32_t> work;
    std::vector<std::uint8_t> queued(n_, 0);
    for (std::uint32_t pc = 1; pc < n_; ++pc)
      if (seen_[pc]) work.push_back(pc), queued[pc] = 1;
    while (!work.empty()) {
      const std::uint32_t pc = work.back();
      work.pop_back();
      queued[pc] = 0;
      Slots live = reads(pc) | in_[pc].open;
      const int count = successors(pc, next);
      for (int i = 0; i < count; ++i) live = live | (live_[next[i]] - overwrites(pc, next[i]));
      if (live == live_[pc]) continue;
      live_[pc] = live;
      for (std::uint32_t k = first[pc]; k < first[pc + 1]; ++k)
        if (!queued[preds[k]]) work.push_back(preds[k]), queued[preds[k]] = 1;
    }
  }

  void check_dead_slots(std::uint32_t pc) const {
    std::array<std::uint32_t, 3> next{};
    const int count = successors(pc, next);
    for (int i = 0; i < count; ++i) {
      const Dead dead = dead_after(pc, next[i]);
      Slots lost = live_[next[i]] - range(0, dead.from > 0 ? dead.from - 1 : 0);
      if (dead.from == 0) lost = live_[next[i]];
      if (dead.except >= 0) lost = lost - one(static_cast<std::uint32_t>(dead.except));
      if (!lost.empty())
        fail_at(pc, "has the JIT take slots from " + std::to_string(dead.from) + " for dead at pc " +
                        std::to_string(next[i]) + ", but slot " + std::to_string(lost.first_from()) +
                        " is read from there");
    }
  }

  // -- Checks on what the pass found ------------------------------------------------

  void check_state(std::uint32_t pc, const State& s) const {
    const Op o = op(pc);
    const std::uint32_t A = a(pc), C = c(pc), D = d(pc);
    // The internal index ISNEXT leaves in A-1: read by its ITERN only, never seen.
    Slots leak = reads(pc) & s.keyindex;
    if (o == BC_ITERN) leak = leak - one(A - 1);
    if (!leak.empty())
      fail_at(pc, "reads slot " + std::to_string(leak.first_from()) + ", which may hold ITERN's internal index");
    const Slots exposed = s.keyindex & (s.open | named(pc));
    if (!exposed.empty())
      fail_at(pc, "slot " + std::to_string(exposed.first_from()) +
                      " may hold ITERN's internal index and is reachable by name or upvalue");
    if (is_call(o)) {
      const int open = s.open.first_from(A);
      if (open >= 0) fail_at(pc, "slot " + std::to_string(open) + " is open (an upvalue) at a call from slot " + std::to_string(A));
      if (live_vars_[pc] > A)
        fail_at(pc, "slot " + std::to_string(A) + " carries a name at a call from it (" + std::to_string(live_vars_[pc]) +
                        " variables live)");
    }
    if (is_return(o) && !s.open.empty())
      fail_at(pc, "returns with slot " + std::to_string(s.open.first_from()) + " still open (an upvalue)");
    std::int64_t want = -1;
    switch (o) {
      case BC_CALLM: want = std::int64_t{A} + 1 + kFr2 + C; break;
      case BC_CALLMT: want = std::int64_t{A} + 1 + kFr2 + D; break;
      case BC_RETM: want = std::int64_t{A} + D; break;
      case BC_TSETM: want = A; break;
      default: break;
    }
    if (want >= 0 && s.multres != want)
      fail_at(pc, s.multres == kNoMultres
                      ? "takes MULTRES values no instruction just produced"
                      : "takes MULTRES values from slot " + std::to_string(want) + ", produced at slot " +
                            std::to_string(s.multres));
    if (o == BC_TSETM && !s.table.has(A - 1))
      fail_at(pc, "slot " + std::to_string(A - 1) + " may not hold the table TNEW/TDUP made");
    if (o == BC_FORL && !(s.number.has(A) && s.number.has(A + 1) && s.number.has(A + 2)))
      fail_at(pc, "slots " + std::to_string(A) + ".." + std::to_string(A + 2) + " may not hold FORI's numbers");
  }

  // lj_record.c find_kinit, for FORI's slot: the pc of the KSHORT/KNUM it would
  // take that slot's value from, if any.
  std::optional<std::uint32_t> kinit(std::uint32_t fori, std::uint32_t s) const {
    for (std::uint32_t pc = fori - 1; pc > 0; --pc) {
      budget_.spend(1);
      const Op o = op(pc);
      if (kOps[o].a == BCMbase && a(pc) <= s) return std::nullopt;
      if (kOps[o].a == BCMdst && a(pc) == s) {
        if (o != BC_KSHORT && o != BC_KNUM) return std::nullopt;
        if (jump_into(pc, fori)) return std::nullopt;
        return pc;
      }
    }
    return std::nullopt;
  }

  // Whether a JMP at or before kpc lands in (kpc, end]: find_kinit's own check.
  bool jump_into(std::uint32_t kpc, std::uint32_t end) const {
    if (jmp_min_target_.empty()) {
      // For each pc, the nearest target above it of the JMPs at or before it.
      jmp_min_target_.assign(n_, n_);
      std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> targets;
      for (std::uint32_t pc = 1; pc < n_; ++pc) {
        if (op(pc) == BC_JMP) targets.push(target(pc));
        while (!targets.empty() && targets.top() <= pc) targets.pop();
        if (!targets.empty()) jmp_min_target_[pc] = targets.top();
      }
    }
    return jmp_min_target_[kpc] <= end;
  }

  // When find_kinit would take a constant for one of FORI's slots, every way to the
  // FORI passes that constant's instruction and nothing between writes the slot.
  void check_kinit(std::uint32_t fori) const {
    const std::uint32_t A = a(fori);
    for (std::uint32_t s = A; s <= A + 2; ++s) {
      const std::optional<std::uint32_t> kpc = kinit(fori, s);
      if (!kpc) continue;
      budget_.spend(fori - *kpc);
      for (std::uint32_t pc = *kpc + 1; pc <= fori; ++pc) {
        if (!seen_[pc]) continue;
        if (min_pred_[pc] < *kpc || max_pred_[pc] >= fori)
          fail_at(fori, "slot " + std::to_string(s) + " is taken as the constant at pc " + std::to_string(*kpc) +
                            " by the JIT, but pc " + std::to_string(pc) + " is reached another way");
        if (pc < fori && writes(pc, in_[pc]).has(s))
          fail_at(fori, "slot " + std::to_string(s) + " is taken as the constant at pc " + std::to_string(*kpc) +
                            " by the JIT, but pc " + std::to_string(pc) + " may write it");
      }
    }
  }

  // ITERN at pc, its ISNEXT at j: the loop j+1 .. pc+1 is entered only by the
  // ISNEXT's jump, and nothing in it writes the three slots ISNEXT checked.
  void check_iterator_loop(std::uint32_t pc) const {
    const std::uint32_t j = target(pc + 1) - 1;
    const std::uint32_t A = a(pc);
    budget_.spend(pc + 2 - j);
    for (std::uint32_t v = j + 1; v <= pc + 1; ++v) {
      if (!seen_[v]) continue;
      const std::uint32_t lowest = v == pc ? j : j + 1;
      if (min_pred_[v] < lowest || max_pred_[v] > pc + 1)
        fail_at(pc, "its loop is entered at pc " + std::to_string(v) + " other than by its ISNEXT");
      if (v < pc) {
        const Slots w = writes(v, in_[v]) & range(A - 3, A - 1);
        if (!w.empty())
          fail_at(pc, "pc " + std::to_string(v) + " may write slot " + std::to_string(w.first_from()) +
                          ", which ISNEXT checked for it");
      }
    }
  }

  const std::vector<Proto>& protos_;
  const Proto& p_;
  std::size_t number_;
  Budget& budget_;
  std::uint32_t n_;
  std::uint32_t fs_;
  std::vector<std::uint8_t> live_vars_;  // variables live at each pc
  std::vector<Slots> named_;        // slots with a name debug.getlocal/setlocal take, per pc
  std::vector<State> in_;
  std::vector<Slots> live_;         // slots read before written from each pc on
  std::vector<std::uint8_t> seen_;  // reachable from pc 1
  std::vector<std::uint32_t> min_pred_;
  std::vector<std::uint32_t> max_pred_;
  mutable std::vector<std::uint32_t> jmp_min_target_;
};

}  // namespace

Result verify(std::string_view dump) {
  const luajit_dump::Dump read = luajit_dump::read(dump);
  if (read.outcome == luajit_dump::Outcome::refused) return {Verdict::refused_by_engine, read.problem};
  if (read.outcome == luajit_dump::Outcome::unsafe) return {Verdict::unsafe, read.problem};
  std::uint64_t instructions = 0;
  for (const Proto& p : read.protos) instructions += p.bc.size();
  if (instructions > kMaxInstructions)
    return {Verdict::unsafe, "too large to verify (" + std::to_string(instructions) + " instructions)"};
  Budget budget(64 * instructions + (1u << 20));
  try {
    for (std::size_t i = 0; i < read.protos.size(); ++i) Checker(read.protos, i, budget).run();
  } catch (const Problem& problem) {
    return {Verdict::unsafe, problem.text};
  }
  return {};
}

}  // namespace codecache::engine::luajit_bytecode
