// The LuaJIT bytecode verifier (engine/luajit_bytecode_verifier.h), LuaJIT builds
// only (tests/CMakeLists.txt leaves luajit_*_test.cc out of the Lua 5.1 build):
// every dump string.dump writes, full and stripped and as the classic factory
// rewrites it, is safe and still runs as its source; and for each rule a dump made
// by hand (luajit_dump_builder.h), valid but for one thing, is refused with that
// rule's message, and only that one. Then the loader: a refused dump is a load
// error, file or inline, under every profile.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/model/bytecode_factory.h"
#include "core/engine/luajit_bytecode_verifier.h"
#include "unit/luajit_dump_builder.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

using namespace luajit_dump_builder;
using engine::luajit_bytecode::Result;
using engine::luajit_bytecode::Verdict;
using engine::luajit_bytecode::verify;

constexpr std::uint32_t kFr2 = LJ_FR2;

// -- Valid dumps --------------------------------------------------------------------

std::string long_function() {
  std::string s = "local x, t = 0, {} ";
  for (int i = 0; i < 2000; ++i) s += "x = x + " + std::to_string(i % 7) + " t[" + std::to_string(i % 50) + "] = x ";
  return s + "ngx.say(x, ' ', #t)";
}

const std::vector<std::string>& valid_sources() {
  static const std::vector<std::string> sources = {
      "local t = {} for i = 1, 10 do t[i] = i * 2 end ngx.say(#t, ' ', t[10])",
      "local s = 0 for i = 10, 1, -2.5 do s = s + i end for i = 1, 0 do s = -1 end ngx.say(s)",
      "local r = {} for k, v in pairs({a = 1}) do r[#r + 1] = k .. v end "
      "for i, v in ipairs({4, 5}) do r[#r + 1] = i + v end "
      "for k in next, {x = 1} do r[#r + 1] = k end ngx.say(table.concat(r, ','))",
      "local function iter(s, i) if i < s then return i + 1 end end "
      "local n = 0 for i in iter, 3, 0 do n = n + i end ngx.say(n)",
      "local n = 0 while n < 3 do n = n + 1 end repeat n = n - 1 until n == 1 ngx.say(n)",
      // the JMP before an outer LOOP's exit jumps back past that LOOP (not for until false)
      "local n = 0 repeat while n < 3 do n = n + 1 end until true "
      "repeat while true do n = n + 1 break end until true "
      "repeat n = n + 1 if n > 9 then break end until false "
      "repeat ::again:: n = n + 1 if n < 20 then goto again end until true ngx.say(n)",
      "local function f(...) return ... end "
      "local function g(a, ...) local x, y = ... return select('#', ...), a, f(...) end "
      "ngx.say(g(1, nil, 3)) ngx.say(f()) ngx.say(#{f(1, 2, 3)}, #{g(1, 2, 3)})",
      "local function m() return 1, 2, 3 end local a, b, c = m() local t = {m(), m()} "
      "local function tail() return m() end ngx.say(a + b + c, ' ', #t, ' ', select(3, tail()))",
      "local function mk() local n = 0 return function() n = n + 1 return n end end "
      "local c = mk() c() ngx.say(c()) "
      "local fs = {} for i = 1, 3 do local j = i fs[i] = function() return j end end "
      "ngx.say(fs[1]() + fs[3]()) do local z = 1 local function get() return z end z = 2 ngx.say(get()) end",
      "local t = {x = 1, y = {1, 2, 3}, [3] = 'three', 'a', 'b', [1.5] = true, [false] = 0} "
      "ngx.say(t.x, #t.y, t[3], t[1], t[2], tostring(t[1.5]), t[false])",
      "local function a() local function b() local function c() return 42 end return c() end return b() end "
      "ngx.say(a())",
      "local obj = {v = 3} function obj:get(d) return self.v + d end ngx.say(obj:get(1), ('x'):rep(3))",
      "for i = 1, 3 do if i == 2 then goto continue end ngx.say(i) ::continue:: end",
      "local a, b = 7, 2 ngx.say(a > b and 'gt' or 'le', not (a == b), a % b, a ^ b, -a, #'abc', a .. b .. 'c')",
      "local big, u, im = 1LL + 2, 3ULL, 2i ngx.say(tostring(big), ' ', tostring(u), ' ', tostring(im))",
      "local ok, e = pcall(error, 'x') local co = coroutine.wrap(function(v) return coroutine.yield(v) * 2 end) "
      "ngx.say(ok, ' ', e, ' ', co(3), ' ', co(4))",
      long_function(),
  };
  return sources;
}

TEST(LuaJitBytecodeVerifier, AcceptsWhatStringDumpWrites) {
  for (const std::string& source : valid_sources()) {
    for (bool strip : {false, true}) {
      SCOPED_TRACE(source.substr(0, 80) + (strip ? " (stripped)" : " (full)"));
      const std::string bytes = dump_bytecode(source, strip, "@t.lua");
      const Result plain = verify(bytes);
      EXPECT_EQ(plain.verdict, Verdict::safe) << plain.problem;
      const BytecodeFactory wrapped = wrap_luajit_bytecode(bytes);
      ASSERT_TRUE(wrapped.ok);
      const Result factory = verify(wrapped.bytes);
      EXPECT_EQ(factory.verdict, Verdict::safe) << factory.problem;
    }
  }
}

// A dump runs as its source does, under both loaders.
TEST(LuaJitBytecodeVerifier, AcceptedDumpsRunAsTheirSource) {
  ScratchDir dir;
  for (Profile profile : {Profile::classic, Profile::openresty}) {
    Worker worker(settings_for(profile));
    int n = 0;
    for (const std::string& source : valid_sources()) {
      SCOPED_TRACE(profile_name(profile) + ": " + source.substr(0, 80));
      const std::string name = std::to_string(++n);
      Handler from_source = Handler::file(dir.write(name + ".lua", source));
      const Outcome expected = worker.run(from_source);
      EXPECT_EQ(expected.status, 200) << dump_log(expected);
      for (bool strip : {false, true}) {
        const std::string path = dir.write(name + (strip ? "s" : "f") + ".luac", dump_bytecode(source, strip));
        Handler from_dump = Handler::file(path);
        const Outcome got = worker.run(from_dump);
        EXPECT_EQ(got.status, expected.status) << dump_log(got);
        EXPECT_EQ(got.body, expected.body);
      }
    }
  }
}

// -- One rule at a time ------------------------------------------------------------

// Returns 42: the base every hand-made case below starts from.
Proto returns_42() {
  Proto p;
  p.code = {ad(BC_KSHORT, 0, 42), ad(BC_RET1, 0, 2)};
  return p;
}

std::string problem_of(const std::string& bytes) {
  const Result r = verify(bytes);
  EXPECT_EQ(r.verdict, Verdict::unsafe) << r.problem;
  return r.problem;
}

TEST(LuaJitBytecodeVerifier, HandMadeBaseIsSafe) {
  const Result r = verify(dump({returns_42()}));
  EXPECT_EQ(r.verdict, Verdict::safe) << r.problem;
}

TEST(LuaJitBytecodeVerifier, SlotOutsideTheFrame) {
  Proto p = returns_42();
  p.framesize = 2;
  p.code[0] = ad(BC_KSHORT, 2, 42);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KSHORT): slot 2 is outside the frame (2 slots)");
}

TEST(LuaJitBytecodeVerifier, FrameSizeAndParameters) {
  Proto p = returns_42();
  p.framesize = 251;
  EXPECT_EQ(problem_of(dump({p})), "prototype 1: frame size 251 outside 1..250");
  p = returns_42();
  p.numparams = 5;
  EXPECT_EQ(problem_of(dump({p})), "prototype 1: 5 parameters in a frame of 4");
}

TEST(LuaJitBytecodeVerifier, UpvalueOutOfRange) {
  Proto p = returns_42();
  p.code[0] = ad(BC_UGET, 0, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (UGET): upvalue 0 of 0");
  p.uv = {0};  // the main function's upvalues are made empty by lua_load: any descriptor
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
}

TEST(LuaJitBytecodeVerifier, NumberConstantOutOfRange) {
  Proto p = returns_42();
  p.code[0] = ad(BC_KNUM, 0, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KNUM): number constant 0 of 0");
  p.knum = {number(1.5)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
}

TEST(LuaJitBytecodeVerifier, NumberConstantThatIsNoNumber) {
  Proto p = returns_42();
  p.code[0] = ad(BC_KNUM, 0, 0);
  p.knum = {number(0x1000, 0xfffd8000)};  // the tag of a string, and its "pointer"
  EXPECT_EQ(problem_of(dump({p})), "prototype 1: number constant 0 is not a number");
}

TEST(LuaJitBytecodeVerifier, ConstantOfTheWrongKind) {
  Proto p = returns_42();
  p.kgc = {table(0, 0, "")};
  p.code[0] = ad(BC_KSTR, 0, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KSTR): constant 0 is not a string");
  p.code[0] = ad(BC_KSTR, 0, 1);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KSTR): constant 1 of 1");
  p.kgc = {string("s")};
  p.code[0] = ad(BC_TDUP, 0, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (TDUP): constant 0 is not a table template");
  p.code[0] = ad(BC_KCDATA, 0, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KCDATA): constant 0 is not a cdata");
  p.code[0] = ad(BC_FNEW, 0, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (FNEW): constant 0 is not a prototype");
  p.code = {abc(BC_TGETS, 0, 0, 0), ad(BC_RET1, 0, 2)};
  p.kgc = {table(0, 0, "")};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (TGETS): constant 0 is not a string");
}

TEST(LuaJitBytecodeVerifier, PrimitiveOtherThanNilFalseTrue) {
  Proto p = returns_42();
  p.code[0] = ad(BC_KPRI, 0, 2);
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  p.code[0] = ad(BC_KPRI, 0, 4);  // ~4: a string at address 0
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KPRI): primitive 4 is not nil, false or true");
}

TEST(LuaJitBytecodeVerifier, JumpOutsideThePrototype) {
  Proto p = returns_42();
  p.code = {aj(BC_JMP, 0, -2), ad(BC_RET0, 0, 1)};  // to pc 0, the function header
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (JMP): jumps to 0, outside 1..2");
  p.code[0] = aj(BC_JMP, 0, 1);  // to pc 3, past the end
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (JMP): jumps to 3, outside 1..2");
}

TEST(LuaJitBytecodeVerifier, OpcodesTheParserNeverWrites) {
  Proto p = returns_42();
  p.code[0] = ad(BC_JLOOP, 0, 7);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (JLOOP): a JIT-patched opcode (its operand is a trace number)");
  p.code[0] = ad(BC_JFORL, 0, 7);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (JFORL): a JIT-patched opcode (its operand is a trace number)");
  p.code[0] = ad(BC_ISTYPE, 0, 3);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (ISTYPE): an opcode the parser never writes");
  p.code[0] = abc(BC_TGETR, 0, 1, 2);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (TGETR): an opcode the parser never writes");
  p.code[0] = ad(BC_FUNCF, 4, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (FUNCF): an opcode the parser never writes");
  p.code[0] = ad(200, 0, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1: unknown opcode 200");
}

TEST(LuaJitBytecodeVerifier, FallingOffTheEnd) {
  Proto p = returns_42();
  p.code = {ad(BC_KSHORT, 0, 42)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KSHORT): falls off the end of the prototype");
}

TEST(LuaJitBytecodeVerifier, ComparisonWithoutItsJump) {
  Proto p = returns_42();
  p.code = {ad(BC_KSHORT, 0, 1), ad(BC_ISLT, 0, 0), aj(BC_JMP, 1, 0), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  p.code[2] = ad(BC_KSHORT, 1, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 2 (ISLT): not followed by JMP");
}

TEST(LuaJitBytecodeVerifier, RangesOfCatKnilAndTnew) {
  Proto p = returns_42();
  p.code = {ad(BC_KNIL, 0, 1), abc(BC_CAT, 0, 1, 1), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 2 (CAT): concatenates slots 1..1");
  p.code = {ad(BC_KNIL, 1, 1), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KNIL): clears slots 1..1 (at least two)");
  p.code = {ad(BC_KNIL, 0, 4), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (KNIL): slots 0..4 reach outside the frame (4 slots)");
  p.code = {ad(BC_TNEW, 0, 27 << 11), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (TNEW): hash part of 2^27 slots");
}

TEST(LuaJitBytecodeVerifier, CallsAndTheirFrames) {
  Proto p = returns_42();
  p.kgc = {string("f")};
  // GGET 0 "f"; CALL 0 2 1 (no arguments, one result); RET1 0 2
  p.code = {ad(BC_GGET, 0, 0), abc(BC_CALL, 0, 2, 1), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  p.code[1] = abc(BC_CALL, 0, 2, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 2 (CALL): calls without the function (C = 0)");
  p.code[1] = abc(BC_CALL, 0, 2, 4);  // three arguments: slots 2..4, and the frame has 4
  EXPECT_EQ(problem_of(dump({p})),
            "prototype 1, pc 2 (CALL): slots 0.." + std::to_string(3 + kFr2) + " reach outside the frame (4 slots)");
  p.code[1] = abc(BC_CALL, 0, 6, 1);  // five results
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 2 (CALL): slots 0..4 reach outside the frame (4 slots)");
}

TEST(LuaJitBytecodeVerifier, Varargs) {
  Proto p = returns_42();
  p.code = {abc(BC_VARG, 0, 2, 0), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  p.flags = 0;
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (VARG): in a prototype that takes no varargs");
  p.flags = PROTO_VARARG;
  p.code[0] = abc(BC_VARG, 0, 2, 1);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 1 (VARG): C = 1, not the 0 parameters");
}

TEST(LuaJitBytecodeVerifier, MultresConsumerRightAfterItsProducer) {
  Proto p = returns_42();
  // VARG 0 0 0 (all varargs from slot 0); RETM 0 0 (return them)
  p.code = {abc(BC_VARG, 0, 0, 0), ad(BC_RETM, 0, 0)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  // the same through the UCLO parse_return puts before a return
  p.code = {abc(BC_VARG, 0, 0, 0), aj(BC_UCLO, 0, 0), ad(BC_RETM, 0, 0)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  p.code = {abc(BC_VARG, 1, 0, 0), ad(BC_RETM, 0, 0)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 2 (RETM): takes MULTRES values from slot 0, produced at slot 1");
  p.code = {abc(BC_VARG, 0, 2, 0), ad(BC_RETM, 0, 0)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 2 (RETM): takes MULTRES values no instruction just produced");
  // reached also by a jump that produced nothing: KSHORT 0 1; ISF 0; JMP -> RETM; VARG 0 0 0; RETM 0 0
  p.code = {ad(BC_KSHORT, 0, 1), ad(BC_ISF, 0, 0), aj(BC_JMP, 0, 1), abc(BC_VARG, 0, 0, 0), ad(BC_RETM, 0, 0)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 5 (RETM): takes MULTRES values no instruction just produced");
}

TEST(LuaJitBytecodeVerifier, TsetmNeedsItsTableAndItsIndex) {
  Proto p = returns_42();
  p.knum = {number(1, 0x43300000)};
  // TNEW 0; VARG 1 0 0; TSETM 1 k0; RET1 0 2
  p.code = {ad(BC_TNEW, 0, 0), abc(BC_VARG, 1, 0, 0), ad(BC_TSETM, 1, 0), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  p.code[0] = ad(BC_KSHORT, 0, 5);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 3 (TSETM): slot 0 may not hold the table TNEW/TDUP made");
  p.code[0] = ad(BC_TNEW, 0, 0);
  p.knum = {number(0xffffffff, 0x43300000)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 3 (TSETM): number constant 0 is not an array index");
}

TEST(LuaJitBytecodeVerifier, NumericForLoopsPairUp) {
  Proto p = returns_42();
  p.framesize = 5;
  // KSHORT 0 1; KSHORT 1 3; KSHORT 2 1; FORI 0 -> 6; FORL 0 -> 5; RET0
  const std::vector<BCIns> loop = {ad(BC_KSHORT, 0, 1), ad(BC_KSHORT, 1, 3), ad(BC_KSHORT, 2, 1),
                                   aj(BC_FORI, 0, 1), aj(BC_FORL, 0, -1), ad(BC_RET0, 0, 1)};
  p.code = loop;
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  p.code[4] = aj(BC_FORL, 1, -1);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 4 (FORI): does not jump past its FORL");
  // the body writes the loop's limit: KSHORT 1 99 between FORI and FORL
  p.code = {ad(BC_KSHORT, 0, 1), ad(BC_KSHORT, 1, 3), ad(BC_KSHORT, 2, 1), aj(BC_FORI, 0, 2),
            ad(BC_KSHORT, 1, 99), aj(BC_FORL, 0, -2), ad(BC_RET0, 0, 1)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 6 (FORL): slots 0..2 may not hold FORI's numbers");
}

TEST(LuaJitBytecodeVerifier, ForLoopConstantTheJitWouldTrust) {
  Proto p = returns_42();
  p.framesize = 5;
  // KSHORT 0 -5; KSHORT 0 1; KSHORT 1 3; KSHORT 2 1; FORI; FORL; RET0: safe.
  p.code = {ad(BC_KSHORT, 0, static_cast<std::uint16_t>(-5)), ad(BC_KSHORT, 0, 1), ad(BC_KSHORT, 1, 3),
            ad(BC_KSHORT, 2, 1), aj(BC_FORI, 0, 1), aj(BC_FORL, 0, -1), ad(BC_RET0, 0, 1)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe);
  // A UCLO jumping over `KSHORT 0 1`: find_kinit still takes the 1 (it checks JMPs only).
  p.code[0] = aj(BC_UCLO, 4, 1);
  EXPECT_EQ(problem_of(dump({p})),
            "prototype 1, pc 5 (FORI): slot 0 is taken as the constant at pc 2 by the JIT, but pc 3 is reached another way");
}

// What LOOP and JMP say is dead (A and up) must be: the JIT drops those slots.
TEST(LuaJitBytecodeVerifier, SlotsTheJitTakesForDeadAreDead) {
  Proto p = returns_42();
  p.knum = {integer(1)};
  // 1 KSHORT 0 0; 2 KSHORT 1 5; 3 ISGE 0 1; 4 JMP 2 -> 8; 5 LOOP 1 -> 8;
  // 6 ADDVN 0 0 1; 7 JMP 1 -> 2; 8 RET1 0 2   (while n < 5 do n = n + 1 end)
  p.code = {ad(BC_KSHORT, 0, 0), ad(BC_KSHORT, 1, 5), ad(BC_ISGE, 0, 1), aj(BC_JMP, 2, 3),
            aj(BC_LOOP, 1, 2),   abc(BC_ADDVN, 0, 0, 0), aj(BC_JMP, 1, -6), ad(BC_RET1, 0, 2)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe) << verify(dump({p})).problem;
  p.code[4] = aj(BC_LOOP, 0, 2);
  EXPECT_EQ(problem_of(dump({p})),
            "prototype 1, pc 5 (LOOP): has the JIT take slots from 0 for dead at pc 6, but slot 0 is read from there");
  p.code[4] = aj(BC_LOOP, 1, 2);
  p.code[6] = aj(BC_JMP, 0, -6);
  EXPECT_EQ(problem_of(dump({p})),
            "prototype 1, pc 7 (JMP): has the JIT take slots from 0 for dead at pc 2, but slot 0 is read from there");
}

// The recorder takes a while loop to start where the JMP before the LOOP's exit
// jumps back to (its condition): no loop may sit there.
TEST(LuaJitBytecodeVerifier, AWhileLoopsConditionHoldsNoLoop) {
  Proto p = returns_42();
  p.knum = {integer(1)};
  // 1 KSHORT 0 0; 2 LOOP 1 -> 3; 3 KSHORT 1 5; 4 ISGE 0 1; 5 JMP 2 -> 9; 6 LOOP 1 -> 9;
  // 7 ADDVN 0 0 1; 8 JMP 1 -> 3; 9 RET1 0 2
  p.code = {ad(BC_KSHORT, 0, 0), aj(BC_LOOP, 1, 0),      ad(BC_KSHORT, 1, 5), ad(BC_ISGE, 0, 1),
            aj(BC_JMP, 2, 3),    aj(BC_LOOP, 1, 2),      abc(BC_ADDVN, 0, 0, 0), aj(BC_JMP, 1, -6),
            ad(BC_RET1, 0, 2)};
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe) << verify(dump({p})).problem;
  p.code[7] = aj(BC_JMP, 1, -7);  // back to pc 2, before the other LOOP
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 6 (LOOP): its loop's condition (pc 2 on) holds the loop at pc 2");
}

// A generic for over pairs(): the parser's shape (ISNEXT -> ITERN, ITERL back).
Proto pairs_loop() {
  Proto p;
  p.framesize = 7;
  p.kgc = {string("pairs")};
  // 1 GGET 0 "pairs"; 2 TNEW 2 (the argument, after the frame link); 3 CALL 0 4 2
  // (pairs(t): next, t, nil in 0..2); 4 ISNEXT 3 -> 6; 5 MOV 5 3 (the body);
  // 6 ITERN 3 3 3; 7 ITERL 3 -> 5; 8 RET0
  p.code = {ad(BC_GGET, 0, 0),   ad(BC_TNEW, 2, 0), abc(BC_CALL, 0, 4, 2), aj(BC_ISNEXT, 3, 1),
            ad(BC_MOV, 5, 3),    abc(BC_ITERN, 3, 3, 3), aj(BC_ITERL, 3, -3), ad(BC_RET0, 0, 1)};
  return p;
}

TEST(LuaJitBytecodeVerifier, PairsLoopsKeepTheirHiddenSlots) {
  Proto p = pairs_loop();
  EXPECT_EQ(verify(dump({p})).verdict, Verdict::safe) << verify(dump({p})).problem;
  // the body writes the table ITERN reads unchecked
  p.code[4] = ad(BC_KSHORT, 1, 7);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 6 (ITERN): pc 5 may write slot 1, which ISNEXT checked for it");
  // the ISNEXT does not lead to its ITERN
  p = pairs_loop();
  p.code[3] = aj(BC_ISNEXT, 3, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 4 (ISNEXT): does not jump to its ITERN");
  // ITERN without its ITERL
  p = pairs_loop();
  p.code[6] = ad(BC_RET0, 0, 1);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 6 (ITERN): not followed by its ITERL");
}

TEST(LuaJitBytecodeVerifier, PairsLoopIsEnteredByItsIsnextOnly) {
  Proto p = pairs_loop();
  // 1 GGET; 2 TNEW; 3 CALL; 4 JMP -> 6 (into the loop, past its ISNEXT);
  // 5 ISNEXT -> 7; 6 MOV 5 3; 7 ITERN; 8 ITERL -> 6; 9 RET0
  p.code = {ad(BC_GGET, 0, 0), ad(BC_TNEW, 2, 0),    abc(BC_CALL, 0, 4, 2), aj(BC_JMP, 3, 1),
            aj(BC_ISNEXT, 3, 1), ad(BC_MOV, 5, 3), abc(BC_ITERN, 3, 3, 3), aj(BC_ITERL, 3, -3),
            ad(BC_RET0, 0, 1)};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 7 (ITERN): its loop is entered at pc 6 other than by its ISNEXT");
}

TEST(LuaJitBytecodeVerifier, ItsInternalIndexStaysHidden) {
  Proto p = pairs_loop();
  // after the loop, return slot 2 (where ISNEXT put its index): 8 RET1 2 2
  p.code[7] = ad(BC_RET1, 2, 2);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1, pc 8 (RET1): reads slot 2, which may hold ITERN's internal index");
}

// A child prototype and the parent that makes a closure of it.
Proto child_with_upvalue(std::uint16_t descriptor) {
  Proto c;
  c.flags = 0;
  c.framesize = 2;
  c.uv = {descriptor};
  c.code = {ad(BC_UGET, 0, 0), ad(BC_RET1, 0, 2)};
  return c;
}
Proto parent_of_one_child(bool close) {
  Proto p;
  p.flags = PROTO_VARARG | PROTO_CHILD;
  p.framesize = 4;
  p.kgc = {child()};
  // FNEW 1 <child>; UCLO 0 -> next; RET1 1 2
  p.code = {ad(BC_FNEW, 1, 0), aj(BC_UCLO, 0, 0), ad(BC_RET1, 1, 2)};
  if (!close) p.code[1] = ad(BC_MOV, 2, 1);
  return p;
}

TEST(LuaJitBytecodeVerifier, ClosureUpvaluesStayInTheParent) {
  EXPECT_EQ(verify(dump({child_with_upvalue(PROTO_UV_LOCAL | 0), parent_of_one_child(true)})).verdict, Verdict::safe);
  EXPECT_EQ(problem_of(dump({child_with_upvalue(PROTO_UV_LOCAL | 4), parent_of_one_child(true)})),
            "prototype 2, pc 1 (FNEW): its closure's upvalue takes slot 4 (descriptor 32772) in a frame of 4");
  EXPECT_EQ(problem_of(dump({child_with_upvalue(0), parent_of_one_child(true)})),
            "prototype 2, pc 1 (FNEW): its closure's upvalue takes upvalue 0 of 0");
  Proto parent = parent_of_one_child(true);
  parent.flags = PROTO_VARARG;
  EXPECT_EQ(problem_of(dump({child_with_upvalue(PROTO_UV_LOCAL | 0), parent})),
            "prototype 2: child prototypes without the PROTO_CHILD flag");
}

TEST(LuaJitBytecodeVerifier, OpenUpvaluesAreClosedBeforeReturning) {
  EXPECT_EQ(problem_of(dump({child_with_upvalue(PROTO_UV_LOCAL | 0), parent_of_one_child(false)})),
            "prototype 2, pc 3 (RET1): returns with slot 0 still open (an upvalue)");
}

TEST(LuaJitBytecodeVerifier, NoOpenUpvalueAtACallsFrame) {
  Proto parent = parent_of_one_child(true);
  // FNEW 1 <child capturing slot 2>; CALL 1 1 1 (the frame at 1: its link slot is 2)
  parent.code = {ad(BC_FNEW, 1, 0), abc(BC_CALL, 1, 1, 1), aj(BC_UCLO, 0, 0), ad(BC_RET0, 0, 1)};
  EXPECT_EQ(problem_of(dump({child_with_upvalue(PROTO_UV_LOCAL | 2), parent})),
            "prototype 2, pc 2 (CALL): slot 2 is open (an upvalue) at a call from slot 1");
}

TEST(LuaJitBytecodeVerifier, DebugInfoNamesSlotsOfTheFrameOnly) {
  Proto p = returns_42();
  p.framesize = 1;
  p.debug = debug_info(2, {}, {{"a", 0, 3}, {"b", 0, 3}});
  EXPECT_EQ(problem_of(dump({p}, kFr2Flag)), "prototype 1: 2 variables live at pc 0 in a frame of 1");
  // a named slot at a call is below the call's base
  p = returns_42();
  p.kgc = {string("f")};
  p.code = {ad(BC_GGET, 0, 0), abc(BC_CALL, 0, 2, 1), ad(BC_RET1, 0, 2)};
  p.debug = debug_info(3, {}, {{"x", 0, 4}});
  EXPECT_EQ(problem_of(dump({p}, kFr2Flag)),
            "prototype 1, pc 2 (CALL): slot 0 carries a name at a call from it (1 variables live)");
  p.debug = debug_info(3, {}, {{"x", 0, 2}});
  EXPECT_EQ(verify(dump({p}, kFr2Flag)).verdict, Verdict::safe);
}

// -- The reader: what lj_bcread does with the bytes ----------------------------------

TEST(LuaJitBytecodeVerifier, LeavesWhatTheEngineRefusesToIt) {
  const std::string good = dump({returns_42()});
  EXPECT_EQ(verify(good.substr(0, 3)).verdict, Verdict::refused_by_engine);  // header cut short
  std::string other = good;
  other[3] = 9;  // another version
  EXPECT_EQ(verify(other).verdict, Verdict::refused_by_engine);
  other = good;
  other[4] ^= BCDUMP_F_FR2;  // the other frame layout
  EXPECT_EQ(verify(other).verdict, Verdict::refused_by_engine);
  EXPECT_EQ(verify(good.substr(0, 8)).verdict, Verdict::refused_by_engine);  // a prototype cut short
  EXPECT_EQ(verify(good + "x").verdict, Verdict::refused_by_engine);        // bytes after the end
  EXPECT_EQ(verify(dump({returns_42(), returns_42()})).verdict, Verdict::refused_by_engine);  // two mains
  Proto longer = returns_42();
  longer.extra = "zz";
  EXPECT_EQ(verify(dump({longer})).verdict, Verdict::refused_by_engine);
  Proto orphan = parent_of_one_child(true);  // its child is not in the dump
  EXPECT_EQ(verify(dump({orphan})).verdict, Verdict::refused_by_engine);
}

TEST(LuaJitBytecodeVerifier, RefusesWhatTheReaderWouldReadWrongly) {
  const std::string good = dump({returns_42()});
  // no final 0: the reader reads one byte past the dump
  EXPECT_EQ(problem_of(good.substr(0, good.size() - 1)), "the dump is cut short (the reader would read past it)");
  Proto p = returns_42();
  p.kgc = {table(0, 1, ktab_nil() + ktab_int(1))};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1: a nil table template key");
  p.kgc = {table(1, 0, ktab_num(0x1000, 0xfffd8000))};
  EXPECT_EQ(problem_of(dump({p})), "prototype 1: a table template value that is not a number");
  p.kgc = {int64(1, 0)};
  p.code[0] = ad(BC_KCDATA, 0, 0);
  EXPECT_EQ(problem_of(dump({p})), "prototype 1: a cdata constant in a dump without the FFI flag");
  EXPECT_EQ(verify(dump({p}, BCDUMP_F_STRIP | BCDUMP_F_FFI | kFr2Flag)).verdict, Verdict::safe);
  std::string overlong = dump({returns_42()});
  overlong.replace(5, 1, "\x80\x80\x80\x80\x80\x80");  // the prototype's length, in six bytes
  EXPECT_EQ(problem_of(overlong), "the dump: a ULEB128 number longer than 5 bytes");
  Proto many = returns_42();
  many.extra = "";
  std::string cut = dump({many});
  cut[12] = 0x7f;  // 127 instructions in a prototype of a few bytes
  EXPECT_EQ(problem_of(cut), "prototype 1 is cut short (instructions)");
}

// -- The loader -----------------------------------------------------------------------

// KPRI 0 4 forges a string at address 0, which ngx.say then reads.
std::string crashing_dump() {
  Proto p;
  p.framesize = 4;
  p.kgc = {string("say"), string("ngx")};
  p.code = {ad(BC_GGET, 0, 0), abc(BC_TGETS, 0, 0, 1), ad(BC_KPRI, 2, 4), abc(BC_CALL, 0, 1, 2), ad(BC_RET0, 0, 1)};
  return dump({p});
}

TEST(LuaJitBytecodeVerifier, TheLoaderRefusesAnUnsafeFile) {
  ScratchDir dir;
  const std::string path = dir.write("bad.luac", crashing_dump());
  for (Profile profile : {Profile::classic, Profile::openresty, Profile::sealed}) {
    SCOPED_TRACE(profile_name(profile));
    Worker worker(settings_for(profile));
    Handler handler = Handler::file(path);
    const Outcome out = worker.run(handler);
    // Under classic the file's main function is prototype 1 of the factory's 2.
    const std::string problem = "prototype 1, pc 3 (KPRI): primitive 4 is not nil, false or true";
    EXPECT_EQ(out.status, 500);
    EXPECT_EQ(out.load_failure, LoadFailure::compile);
    EXPECT_EQ(out.load_error, "bad byte-code in " + path + ": " + problem);
    ASSERT_EQ(out.log.size(), 1u) << dump_log(out);
    EXPECT_EQ(out.log[0], "[error] failed to load external Lua file \"" + path + "\": bad byte-code in " + path +
                              ": " + problem);
    EXPECT_EQ(worker.run(handler).cache, CacheState::miss);  // a failed load is not cached
  }
}

TEST(LuaJitBytecodeVerifier, TheDirectLoaderRefusesUnsafeInlineCode) {
  const Outcome out = run_inline(Profile::openresty, crashing_dump());
  EXPECT_EQ(out.status, 500);
  EXPECT_EQ(out.load_failure, LoadFailure::compile);
  EXPECT_EQ(out.load_error,
            "bad byte-code in content_by_lua(nginx.conf:40): prototype 1, pc 3 (KPRI): primitive 4 is not nil, false "
            "or true");
}

// A dump written on a big-endian machine: lj_bcread swaps its words, and so does
// the verifier before it checks them.
TEST(LuaJitBytecodeVerifier, BigEndianDumpsAreReadSwapped) {
  Proto p;
  p.kgc = {string("say"), string("ngx")};
  p.code = {ad(BC_GGET, 0, 0), abc(BC_TGETS, 0, 0, 1), ad(BC_KSHORT, 2, 42), abc(BC_CALL, 0, 1, 2),
            ad(BC_RET0, 0, 1)};
  const std::uint8_t flags = BCDUMP_F_STRIP | BCDUMP_F_BE | kFr2Flag;
  const std::string bytes = dump({p}, flags);
  EXPECT_EQ(verify(bytes).verdict, Verdict::safe) << verify(bytes).problem;
  const Outcome out = run_inline(Profile::openresty, bytes);
  EXPECT_EQ(out.body, "42\n") << dump_log(out);
  p.code[2] = ad(BC_KPRI, 2, 4);
  EXPECT_EQ(problem_of(dump({p}, flags)), "prototype 1, pc 3 (KPRI): primitive 4 is not nil, false or true");
}

// string.dump of a closure whose upvalue is its parent's upvalue: under classic
// the factory makes it a closure of the factory, which has no upvalue to give, so
// ngx_lua reads past that closure; under openresty lua_load gives it an empty one.
TEST(LuaJitBytecodeVerifier, ADumpedClosureWithUpvaluesUnderTheFactory) {
  const std::string source =
      "local up = 41 local function mid() return function() return up end end return string.dump(mid())";
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  ASSERT_EQ(luaL_dostring(L, source.c_str()), 0);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  const std::string bytes(s, len);
  lua_close(L);
  EXPECT_EQ(verify(bytes).verdict, Verdict::safe);
  const Result wrapped = verify(wrap_luajit_bytecode(bytes).bytes);
  EXPECT_EQ(wrapped.verdict, Verdict::unsafe);
  EXPECT_EQ(wrapped.problem, "prototype 2, pc 1 (FNEW): its closure's upvalue takes upvalue 0 of 0");
}

}  // namespace
}  // namespace codecache::test
