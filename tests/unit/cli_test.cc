// `codecache run` as a user runs it: the launcher (CODECACHE_CLI) with --engine
// set to the engine of this test binary. Bad arguments exit 2 with a message on
// stderr and nothing on stdout; a run prints one JSON object per request with the
// documented fields (see `codecache --help`).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.h"
#include "core/model/cache_key.h"
#include "unit/test_support.h"

namespace codecache::test {
namespace {

using nlohmann::json;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<json> lines;  // the JSON lines of stdout, parsed
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

CliResult run_cli(const std::vector<std::string>& args) {
  ScratchDir dir;
  const std::string out_path = (dir.path() / "stdout").string();
  const std::string err_path = (dir.path() / "stderr").string();
  codecache::conformance::SpawnSpec spec;
  spec.argv = {CODECACHE_CLI};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdout_path = out_path;
  spec.stderr_path = err_path;
  CliResult r;
  const int status = codecache::conformance::ChildProcess(spec).wait();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] == '{') r.lines.push_back(json::parse(line));
  }
  return r;
}

std::vector<std::string> with_engine(std::vector<std::string> args) {
  args.insert(args.begin(), {"run", "--engine", std::string(test_engine())});
  return args;
}

// ---------------------------------------------------------------------------
// Bad arguments: exit 2, a clear message, no output
// ---------------------------------------------------------------------------

void expect_bad_arguments(const CliResult& r, const std::string& mentions) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("codecache: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
}

TEST(CliArguments, UnknownEngine) {
  expect_bad_arguments(run_cli({"run", "--engine", "lua54", "-e", "ngx.say(1)"}), "lua54");
}

TEST(CliArguments, ZeroRequests) {
  expect_bad_arguments(run_cli(with_engine({"--requests", "0", "-e", "ngx.say(1)"})), "--requests");
}

TEST(CliArguments, UnknownOption) {
  expect_bad_arguments(run_cli(with_engine({"--bogus", "-e", "ngx.say(1)"})), "--bogus");
}

TEST(CliArguments, NoHandler) {
  expect_bad_arguments(run_cli(with_engine({})), "at least one handler");
}

TEST(CliArguments, UnknownProfile) {
  expect_bad_arguments(run_cli(with_engine({"--profile", "nginx", "-e", "ngx.say(1)"})), "nginx");
}

TEST(CliArguments, BadCodeCacheValue) {
  expect_bad_arguments(run_cli(with_engine({"--code-cache", "maybe", "-e", "ngx.say(1)"})),
                       "maybe");
}

TEST(CliArguments, NoSubcommand) {
  const CliResult r = run_cli({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(r.err.empty());
}

TEST(CliArguments, HelpExitsZero) {
  const CliResult r = run_cli({"run", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--code-cache"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

TEST(CliRun, OneJsonLinePerRequestWithTheDocumentedFields) {
  const std::string ok = "ngx.say(\"hi\")";
  const std::string bad = "error(\"boom\")";
  const CliResult r = run_cli(
      with_engine({"--profile", "classic", "--requests", "2", "-e", ok, "-e", bad}));
  ASSERT_EQ(r.exit_code, 0) << r.err;  // 0 whatever the handlers did
  ASSERT_EQ(r.lines.size(), 4u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;  // nothing else
  for (int i = 0; i < 4; ++i) {
    const json& j = r.lines[i];
    SCOPED_TRACE(j.dump());
    const bool first = i % 2 == 0;
    for (const char* field : {"request", "handler", "engine", "profile", "cache", "status",
                              "aborted", "body", "log", "limit", "cache_key"}) {
      EXPECT_TRUE(j.contains(field)) << field;
    }
    EXPECT_FALSE(j.contains("limit_detail"));  // only when known
    EXPECT_EQ(j["request"], i + 1);
    EXPECT_EQ(j["handler"], first ? "content_by_lua(nginx.conf:40)" : "content_by_lua(nginx.conf:41)");
    EXPECT_EQ(j["engine"], std::string(test_engine()));
    EXPECT_EQ(j["profile"], "classic");
    EXPECT_EQ(j["cache"], i < 2 ? "miss" : "hit");
    EXPECT_EQ(j["status"], first ? 200 : 500);
    EXPECT_EQ(j["aborted"], false);
    EXPECT_EQ(j["body"], first ? "hi\n" : "");
    EXPECT_TRUE(j["log"].is_array());
    EXPECT_EQ(j["log"].size(), first ? 0u : 1u);
    EXPECT_TRUE(j["limit"].is_null());
    EXPECT_EQ(j["cache_key"], "content_by_lua_nhli_" + md5_hex(first ? ok : bad));
  }
  const std::string log = r.lines[1]["log"][0];
  EXPECT_EQ(log.rfind("[error] lua entry thread aborted: runtime error: "
                      "content_by_lua(nginx.conf:41):1: boom",
                      0),
            0u)
      << log;
}

TEST(CliRun, ALoadFailureIsSaidInFields) {
  const CliResult r = run_cli(with_engine(
      {"--profile", "classic", "-e", "ngx.say(", "-e", "end, error('no closure'), function()", "-e", "ngx.say(1)"}));
  ASSERT_EQ(r.lines.size(), 3u) << r.out;
  EXPECT_EQ(r.lines[0]["load_failure"], "compile");
  EXPECT_EQ(r.lines[0]["load_error"].get<std::string>().rfind("content_by_lua(nginx.conf:40):", 0), 0u)
      << r.lines[0].dump();
  EXPECT_EQ(r.lines[1]["load_failure"], "factory");
  EXPECT_NE(r.lines[1]["load_error"].get<std::string>().find("no closure"), std::string::npos)
      << r.lines[1].dump();
  EXPECT_FALSE(r.lines[2].contains("load_failure"));
  EXPECT_FALSE(r.lines[2].contains("load_error"));
}

TEST(CliRun, MissThenHitWithDebugLines) {
  const CliResult r =
      run_cli(with_engine({"--requests", "2", "--log-level", "debug", "-e", "ngx.say(1)"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 2u) << r.out;
  const std::string key = "content_by_lua_nhli_" + md5_hex("ngx.say(1)");
  EXPECT_EQ(r.lines[0]["cache"], "miss");
  EXPECT_EQ(r.lines[1]["cache"], "hit");
  EXPECT_EQ(r.lines[0]["log"], json::array({"[debug] code cache lookup (key='" + key + "', ref=-1)",
                                            "[debug] code cache miss (key='" + key + "', ref=-1)"}));
  EXPECT_EQ(r.lines[1]["log"], json::array({"[debug] code cache lookup (key='" + key + "', ref=1)",
                                            "[debug] code cache hit (key='" + key + "', ref=1)"}));
  EXPECT_EQ(r.lines[0]["body"], "1\n");
  EXPECT_EQ(r.lines[1]["body"], "1\n");
}

TEST(CliRun, CodeCacheOff) {
  const CliResult r = run_cli(with_engine(
      {"--code-cache", "off", "--requests", "2", "-e",
       "if not _G.foo then _G.foo = 1 else _G.foo = _G.foo + 1 end ngx.say(\"_G.foo: \", _G.foo)"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 2u) << r.out;
  for (const json& j : r.lines) {
    EXPECT_EQ(j["cache"], "off");
    EXPECT_EQ(j["body"], "_G.foo: 1\n");
  }
}

TEST(CliRun, DefaultProfileFollowsTheEngine) {
  const CliResult r = run_cli(with_engine({"-e", "ngx.say(1)"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 1u) << r.out;
  // OpenResty's LuaJIT gets the OpenResty build, the other engines the classic
  // one (OPENRESTY_LUAJIT, which only OpenResty's luajit.h defines, selects the
  // code paths in ngx_http_lua_clfactory.c and ngx_http_lua_cache.c).
  EXPECT_EQ(r.lines[0]["profile"], test_engine() == "luajit2" ? "openresty" : "classic");
}

TEST(CliRun, LimitAndDetail) {
  const CliResult r = run_cli(with_engine(
      {"--max-instructions", "100000", "-e", "os.exit()", "-e", "while true do end"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 2u) << r.out;
  EXPECT_EQ(r.lines[0]["limit"], "sandbox");
  EXPECT_EQ(r.lines[0]["limit_detail"], "os.exit");
  EXPECT_EQ(r.lines[0]["status"], 500);
  EXPECT_EQ(r.lines[1]["limit"], "instructions");
  EXPECT_FALSE(r.lines[1].contains("limit_detail"));
}

TEST(CliRun, FileHandlersAndConfLine) {
  ScratchDir dir;
  const std::string path = dir.write("h.lua", "ngx.say(\"from file\")");
  const std::string missing = (dir.path() / "missing.lua").string();
  const CliResult r = run_cli(
      with_engine({"--conf-line", "10", "-e", "ngx.say(\"inline\")", path, missing}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 3u) << r.out;
  EXPECT_EQ(r.lines[0]["handler"], "content_by_lua(nginx.conf:10)");
  EXPECT_EQ(r.lines[0]["body"], "inline\n");
  EXPECT_EQ(r.lines[1]["handler"], path);
  EXPECT_EQ(r.lines[1]["body"], "from file\n");
  EXPECT_EQ(r.lines[1]["cache_key"], "nhlf_" + md5_hex(path));
  EXPECT_EQ(r.lines[2]["handler"], missing);
  EXPECT_EQ(r.lines[2]["status"], 404);
  EXPECT_EQ(r.lines[2]["log"][0], "[error] failed to load external Lua file \"" + missing +
                                      "\": cannot open " + missing + ": No such file or directory");
}

}  // namespace
}  // namespace codecache::test
