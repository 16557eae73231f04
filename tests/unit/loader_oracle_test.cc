// The chunk_loader oracle's evidence (fuzz/loader_oracle.h evidence_against) on
// this binary's engine: each documented class of factory/direct disagreement, found
// by the real loaders, holds its evidence; a result that is not what the loaders
// give, or a class without its evidence, is refused with the reason.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/model/chunk_loader.h"
#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"
#include "loader_oracle.h"

namespace codecache::fuzz {
namespace {

constexpr const char* kChunk = "=content_by_lua(nginx.conf:40)";

class LoaderOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    L_ = luaL_newstate();
    luaL_openlibs(L_);
  }
  void TearDown() override { lua_close(L_); }

  LoadResult load(LoaderKind kind, std::string_view text) {
    LoadResult r = load_inline(L_, kind, text, kChunk);
    if (r.ok()) lua_pop(L_, 1);
    return r;
  }
  DirectLoad direct_load() {
    return [this](std::string_view text) { return load(LoaderKind::direct, text); };
  }
  // The evidence for `source`, whose loaders must disagree as `expected`.
  std::string evidence(std::string_view source, Disagreement expected) {
    const LoadResult factory = load(LoaderKind::factory, source);
    const LoadResult direct = load(LoaderKind::direct, source);
    EXPECT_NE(factory.ok(), direct.ok()) << source;
    const Disagreement d = classify(source, factory.ok(), factory.ok() ? direct.message : factory.message);
    EXPECT_EQ(to_string(d), std::string(to_string(expected))) << source;
    return evidence_against(d, source, factory, direct, direct_load(), luajit());
  }
  static bool luajit() { return engine::bytecode_format() == engine::BytecodeFormat::luajit; }

  lua_State* L_ = nullptr;
};

TEST_F(LoaderOracle, TopLevelVarargHoldsItsEvidence) {
  EXPECT_EQ(evidence("return select('#', ...)", Disagreement::vararg), "");
}

TEST_F(LoaderOracle, AnEscapingEndHoldsItsEvidence) {
  EXPECT_EQ(evidence("end, function()", Disagreement::wrapper_escape), "");
}

TEST_F(LoaderOracle, ASkippedFirstLineHoldsItsEvidenceOnLuaJITOnly) {
  if (!luajit()) {
    // Lua 5.1's buffer loader skips nothing: both loaders refuse the '#'.
    EXPECT_FALSE(load(LoaderKind::direct, "#!x\nreturn 1").ok());
    EXPECT_FALSE(load(LoaderKind::factory, "#!x\nreturn 1").ok());
    return;
  }
  EXPECT_EQ(evidence("#!/usr/bin/env luajit\nreturn 1", Disagreement::skipped_first_line), "");
  EXPECT_EQ(evidence("\xEF\xBB\xBFreturn 1", Disagreement::skipped_first_line), "");
}

TEST_F(LoaderOracle, AChunkAtTheLevelLimitHoldsItsEvidence) {
  // The first depth of nested parentheses the factory refuses and the direct loader
  // takes: the wrapper's two extra levels reach the limit.
  for (int depth = 100; depth < 400; ++depth) {
    const std::string source = "return " + std::string(static_cast<std::size_t>(depth), '(') + "1" +
                               std::string(static_cast<std::size_t>(depth), ')');
    if (load(LoaderKind::factory, source).ok() || !load(LoaderKind::direct, source).ok()) continue;
    EXPECT_EQ(evidence(source, Disagreement::nesting_limit), "") << "depth " << depth;
    return;
  }
  FAIL() << "no depth where only the factory reaches the limit";
}

TEST_F(LoaderOracle, AFactoryResultThatIsNotTheWrappersIsRefused) {
  // What the core's factory would give if it wrapped the source differently.
  const std::string source = "return select('#', ...)";
  LoadResult factory;
  factory.lua_status = LUA_ERRSYNTAX;
  factory.message = "content_by_lua(nginx.conf:40):1: some other error";
  EXPECT_EQ(evidence_against(Disagreement::vararg, source, factory, load(LoaderKind::direct, source),
                             direct_load(), luajit()),
            "the factory's result is not the direct load of ngx_lua's wrapper");
}

TEST_F(LoaderOracle, AClassWithoutItsEvidenceIsRefused) {
  // The message says vararg, but the source does not load with a vararg wrapper.
  const std::string broken = "return ... +";
  EXPECT_EQ(evidence_against(Disagreement::vararg, broken, load(LoaderKind::factory, broken),
                             load(LoaderKind::direct, broken), direct_load(), luajit()),
            "the wrapper with a vararg function does not load either");
  // An unmatched `end` is evidence; another error near 'end' is not.
  const std::string source = "end, function()";
  LoadResult direct;
  direct.lua_status = LUA_ERRSYNTAX;
  direct.message = "content_by_lua(nginx.conf:40):1: unexpected symbol near 'end'";
  EXPECT_EQ(evidence_against(Disagreement::wrapper_escape, source, load(LoaderKind::factory, source),
                             direct, direct_load(), luajit()),
            "the direct loader's error is not an unmatched 'end'");
  // A limit the wrapper cannot cause is no level limit, and a shallow chunk is not
  // near one.
  const std::string locals = "local a = 1";
  LoadResult factory;
  factory.lua_status = LUA_ERRSYNTAX;
  factory.message = "content_by_lua(nginx.conf:40):1: too many local variables";
  // The nesting evidence for `locals` with `factory` as the factory's (and its
  // wrapper's) result.
  auto nesting_evidence = [&] {
    const DirectLoad wrapper_as_factory = [&](std::string_view text) {
      return text.starts_with("return function") ? factory : load(LoaderKind::direct, text);
    };
    return evidence_against(Disagreement::nesting_limit, locals, factory,
                            load(LoaderKind::direct, locals), wrapper_as_factory, luajit());
  };
  EXPECT_EQ(nesting_evidence(), "the factory's error is not a level limit");
  factory.message = "content_by_lua(nginx.conf:40):1: chunk has too many syntax levels";
  EXPECT_EQ(nesting_evidence(), "the source is not within two levels of the limit");
  EXPECT_EQ(evidence_against(Disagreement::skipped_first_line, "#x", factory, factory,
                             [&](std::string_view) { return factory; }, false),
            "only LuaJIT's lexer skips a first line");
}

}  // namespace
}  // namespace codecache::fuzz
