// P1 isolation. In `sealed` nothing a request does is visible to another: for any
// sequence of requests on one VM, including interleaved ones (start A, resume it
// once so it may pause at a coroutine.yield(), run B to completion, finish A),
// every request's outcome (status, body, aborted, error log without the code
// cache lines, limit) equals its outcome alone on a fresh VM.
//
// `classic` keeps ngx_lua's real leaks (README "Profiles"; ngx_http_lua_new_thread:
// a request's globals reach the main VM's tables through __index): library
// table writes (also through the string metatable), writes through getmetatable(_G).__index,
// package.loaded writes and writes into debug.getfenv(print) (a C function's env
// is the main _G). The property holds for classic once those are not generated; the
// example tests below show that each of them really leaks in classic and that
// sealed closes it.
#include <map>

#include "core/model/handler.h"
#include "property/prop_support.h"

namespace codecache::prop {
namespace {

void check_isolation(Profile profile, GenOptions options) {
  const Scenario scenario = *gen_scenario(options);
  count_sequence();
  const Settings settings = settings_for(profile);
  const std::vector<Executed> executed = run_scenario(scenario, settings);
  std::map<std::size_t, Observed> alone;  // a handler alone on a fresh VM
  bool paused = false, failed = false;
  for (const Executed& e : executed) {
    auto it = alone.find(e.handler);
    if (it == alone.end()) {
      it = alone.emplace(e.handler, observe(run_alone(scenario.handlers[e.handler], e.handler,
                                                      settings)))
               .first;
    }
    const Observed shared = observe(e.outcome);
    RC_LOG() << "step " << e.step << ": H" << e.handler
             << (e.partner ? " (interleaved with H" + std::to_string(*e.partner) + ")" : "")
             << "\n";
    if (shared != it->second) {
      note_difference(scenario, "step " + std::to_string(e.step) + ": H" + std::to_string(e.handler),
                      "on the shared VM", shared, "alone", it->second);
    }
    RC_ASSERT(shared == it->second);
    paused = paused || e.paused;
    failed = failed || shared.status != 200 || shared.aborted;
  }
  RC_TAG(paused ? "a request paused while another ran" : "no pause between requests");
  RC_TAG(failed ? "some request failed (load, runtime error)" : "all requests 200");
}

CC_PROP(P1Isolation, Sealed, ()) { check_isolation(Profile::sealed, GenOptions{}); }

CC_PROP(P1Isolation, ClassicWithoutKnownLeaks, ()) {
  check_isolation(Profile::classic, GenOptions{kClassicLeaks});
}

// --- the documented classic leaks, and sealed closing them -----------------

struct Pair {
  Outcome writer, reader;
  bool paused = false;  // interleaved: the writer paused before the reader ran
};

// A then B on one worker; with `interleaved`, B runs while A is paused after its
// write (A yields right after writing).
Pair writer_then_reader(Profile profile, const std::string& writer, const std::string& reader,
                        bool interleaved) {
  Worker worker(settings_for(profile));
  Handler a = Handler::inline_code(writer + (interleaved ? " coroutine.yield()" : ""), 40);
  Handler b = Handler::inline_code(reader, 41);
  Pair p;
  if (!interleaved) {
    p.writer = worker.run(a);
    p.reader = worker.run(b);
    return p;
  }
  auto first = worker.start(a);
  p.paused = !first->resume();
  p.reader = worker.run(b);
  while (!first->resume()) {
  }
  p.writer = first->outcome();
  return p;
}

struct Leak {
  const char* name;
  const char* writer;  // classic: succeeds and writes into the main VM
  const char* reader;
};

const Leak kLeaks[] = {
    {"library table", "string.x = 1 ngx.say('w')", "ngx.say(tostring(string.x))"},
    {"metatable __index", "getmetatable(_G).__index.x = 1 ngx.say('w')", "ngx.say(tostring(x))"},
    {"package.loaded", "package.loaded.x = 1 ngx.say('w')",
     "ngx.say(tostring(package.loaded.x))"},
    {"string metatable", "getmetatable('').__index.x = 1 ngx.say('w')",
     "ngx.say(tostring(('').x))"},
    {"C function env", "debug.getfenv(print).x = 1 ngx.say('w')", "ngx.say(tostring(x))"},
};

class DocumentedLeaks : public ::testing::TestWithParam<bool> {};

TEST_P(DocumentedLeaks, ClassicLeaksEach) {
  for (const Leak& leak : kLeaks) {
    Pair p = writer_then_reader(Profile::classic, leak.writer, leak.reader, GetParam());
    EXPECT_EQ(p.writer.status, 200) << leak.name;
    EXPECT_EQ(p.writer.body, "w\n") << leak.name;
    EXPECT_EQ(p.paused, GetParam()) << leak.name;
    EXPECT_EQ(p.reader.body, "1\n") << leak.name << ": classic should leak (README \"Profiles\")";
  }
}

TEST_P(DocumentedLeaks, SealedClosesEach) {
  for (const Leak& leak : kLeaks) {
    Pair p = writer_then_reader(Profile::sealed, leak.writer, leak.reader, GetParam());
    EXPECT_EQ(p.reader.status, 200) << leak.name;
    EXPECT_EQ(p.reader.body, "nil\n") << leak.name << ": sealed must not leak";
    // What the writer itself sees: its own copy (library, package.loaded), or, for
    // the metatable, an __index that is not a table to write into.
    if (std::string(leak.name) != "library table" && std::string(leak.name) != "package.loaded") {
      // _G's __index is a function, getmetatable("") a string, debug.getfenv is
      // gone: the attempt is a runtime error, the writer has nothing to write into.
      EXPECT_EQ(p.writer.status, 500) << leak.name;
    } else {
      EXPECT_EQ(p.writer.body, "w\n") << leak.name;
      EXPECT_EQ(p.paused, GetParam()) << leak.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(P1Isolation, DocumentedLeaks, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "Interleaved" : "InOrder"; });

// README "Profiles" lists `getfenv(print)` among classic's leaks, but getfenv of a
// C function answers the running thread's globals on both engine families
// (lbaselib.c luaB_getfenv, LuaJIT lib_base.c getfenv): the request's own T. The
// C function's real env, the main _G, is what debug.getfenv(print) returns (the
// "C function env" leak above).
TEST(P1Isolation, ClassicGetfenvOfACFunctionIsTheRequestsOwnGlobals) {
  Worker worker(settings_for(Profile::classic));
  Handler a =
      Handler::inline_code("ngx.say(tostring(getfenv(print) == _G)) getfenv(print).x = 1", 40);
  Handler b = Handler::inline_code("ngx.say(tostring(x))", 41);
  EXPECT_EQ(worker.run(a).body, "true\n");
  EXPECT_EQ(worker.run(b).body, "nil\n");
}

// A writer also sees its own writes in sealed (the copy is per request, not read-only).
TEST(P1Isolation, SealedWriterSeesItsOwnWrites) {
  Worker worker(settings_for(Profile::sealed));
  Handler h = Handler::inline_code(
      "string.x = 1 package.loaded.x = 2 ngx.say(string.x, package.loaded.x, "
      "tostring(package.loaded.string == string))");
  EXPECT_EQ(worker.run(h).body, "12true\n");
  EXPECT_EQ(worker.run(h).body, "12true\n");
}

}  // namespace
}  // namespace codecache::prop
