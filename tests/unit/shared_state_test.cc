// The shared-state snapshot (core/model/shared_state.h) on real workers: what each
// profile's requests change of the state the classic build shares, named by path.
// Nothing a request only reads, writes into its own globals or caches changes it;
// classic's documented leaks (a library table, the string metatable,
// package.loaded, the closure factory escaping to the main globals) do; sealed
// leaks none of them.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/model/shared_state.h"
#include "core/model/worker.h"
#include "test_support.h"

namespace codecache {
namespace {

// What serving `code` once on a worker that already served `warm_up` changed; the
// digests taken at the same points must agree that something did.
std::string change_by(Profile profile, std::string_view code, std::string_view warm_up = "ngx.say(1)") {
  Worker worker(test::settings_for(profile));
  Handler first = Handler::inline_code(std::string(warm_up));
  worker.run(first);
  lua_State* L = worker.main_vm()->state();
  const SharedStateSnapshot before = snapshot_shared_state(L);
  const SharedStateDigest digest_before = digest_shared_state(L);
  EXPECT_TRUE(before.complete);
  EXPECT_TRUE(digest_before.complete);
  Handler handler = Handler::inline_code(std::string(code));
  worker.run(handler);
  const std::string change = shared_state_change(before, snapshot_shared_state(L));
  EXPECT_EQ(shared_state_changed(digest_before, digest_shared_state(L)), !change.empty())
      << code << ": the digests disagree with the snapshots, which found \"" << change << "\"";
  return change;
}

class SharedStateProfiles : public ::testing::TestWithParam<Profile> {};
INSTANTIATE_TEST_SUITE_P(Profiles, SharedStateProfiles,
                         ::testing::Values(Profile::classic, Profile::openresty, Profile::sealed),
                         [](const auto& tp) { return test::profile_name(tp.param); });

TEST_P(SharedStateProfiles, RequestsThatOnlyReadOrFailChangeNothing) {
  EXPECT_EQ(change_by(GetParam(), "ngx.say(string.rep('a', 3), #table.concat({1, 2}))"), "");
  EXPECT_EQ(change_by(GetParam(), "local t = {} for i = 1, 100 do t[i] = i end ngx.say(#t)"), "");
  EXPECT_EQ(change_by(GetParam(), "error('boom')"), "");
  EXPECT_EQ(change_by(GetParam(), "ngx.say(1)", "ngx.say(1)"), "");  // a code cache hit
  EXPECT_EQ(change_by(GetParam(), "ngx.status = 201 ngx.header['X-A'] = 1 ngx.ctx.a = 1 ngx.log(ngx.ERR, 'x')"), "");
}

TEST_P(SharedStateProfiles, LibraryTablesAreSharedExceptUnderSealed) {
  const std::string change = change_by(GetParam(), "string.leak = 1");
  EXPECT_EQ(change, GetParam() == Profile::sealed ? "" : "string.leak added");
  EXPECT_EQ(change_by(GetParam(), "table.insert = nil"),
            GetParam() == Profile::sealed ? "" : "table.insert removed");
}

TEST_P(SharedStateProfiles, TheStringMetatableIsSharedExceptUnderSealed) {
  const std::string change = change_by(GetParam(), "pcall(function() getmetatable('').__index.x = 1 end)");
  EXPECT_EQ(change, GetParam() == Profile::sealed ? "" : "string.x added");  // __index is string
}

TEST_P(SharedStateProfiles, GlobalsAreSharedOnlyUnderOpenresty) {
  EXPECT_EQ(change_by(GetParam(), "leaked_global = {1}"),
            GetParam() == Profile::openresty ? "leaked_global added" : "");
}

TEST_P(SharedStateProfiles, TheClassicFactoryEscapeWritesTheMainGlobals) {
  // `end, <expr>, function()`: the expression runs in the closure factory, on the
  // main globals under classic (ngx_lua's behaviour), on the request's under sealed;
  // the direct loader (openresty) refuses the chunk.
  EXPECT_EQ(change_by(GetParam(), "end, (function() escaped = 1 end)(), function()"),
            GetParam() == Profile::classic ? "escaped added" : "");
}

TEST(SharedState, NamesANestedChangeByItsPath) {
  Worker worker(test::settings_for(Profile::classic));
  Handler first = Handler::inline_code("package.loaded.m = {a = {}}");
  worker.run(first);
  const SharedStateSnapshot before = snapshot_shared_state(worker.main_vm()->state());
  Handler second = Handler::inline_code("package.loaded.m.a[1] = true");
  worker.run(second);
  EXPECT_EQ(shared_state_change(before, snapshot_shared_state(worker.main_vm()->state())),
            "package.loaded.m.a[1] added");
}

TEST(SharedState, APartialSnapshotComparesWithNothing) {
  Worker worker(test::settings_for(Profile::classic));
  SharedStateSnapshot snapshot = snapshot_shared_state(worker.main_vm()->state());
  EXPECT_EQ(shared_state_change(snapshot, snapshot), "");
  snapshot.complete = false;
  EXPECT_EQ(shared_state_change(snapshot, snapshot), "the shared state exceeds the snapshot's caps");
  SharedStateDigest digest = digest_shared_state(worker.main_vm()->state());
  EXPECT_FALSE(shared_state_changed(digest, digest));
  digest.complete = false;
  EXPECT_TRUE(shared_state_changed(digest, digest));
}

TEST(SharedState, ADeepChainReachesTheDepthCap) {
  Worker worker(test::settings_for(Profile::classic));
  Handler handler = Handler::inline_code(
      "local t = string for i = 1, 200 do t.next = {} t = t.next end");
  worker.run(handler);
  EXPECT_FALSE(snapshot_shared_state(worker.main_vm()->state()).complete);
  EXPECT_FALSE(digest_shared_state(worker.main_vm()->state()).complete);
}

// Tables are known by identity, not contents: a shared table replaced by an equal
// copy is a change (another request would write into the new one).
TEST(SharedState, ATableReplacedByAnEqualCopyIsAChange) {
  EXPECT_EQ(change_by(Profile::classic,
                      "local c = {} for k, v in pairs(os) do c[k] = v end package.loaded.os = c"),
            "package.loaded.os changed");
}

}  // namespace
}  // namespace codecache
