// The fuzz targets' watch on the shared state (fuzz/shared_state_watch.h): digests
// see a change without naming it, snapshots name it, no watch knows nothing, and a
// change the snapshots of a second serve miss is still reported as one.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "shared_state_watch.h"
#include "test_support.h"

namespace codecache::fuzz {
namespace {

// What serving `code` on a fresh classic worker changed, as `watch` tells it.
std::optional<std::string> change_seen(Watch watch, const std::string& code) {
  Worker worker(test::settings_for(Profile::classic));
  const StateMark before = mark(worker, watch);
  Handler handler = Handler::inline_code(code);
  worker.run(handler);
  return change_between(before, mark(worker, watch));
}

TEST(SharedStateWatch, DigestsSeeAChangeAndSnapshotsNameIt) {
  EXPECT_EQ(change_seen(Watch::digests, "string.leak = 1"), std::string(kUnnamedChange));
  EXPECT_EQ(change_seen(Watch::snapshots, "string.leak = 1"), "string.leak added");
}

TEST(SharedStateWatch, NoChangeIsEmptyEitherWay) {
  EXPECT_EQ(change_seen(Watch::digests, "local t = {1} ngx.say(#t)"), "");
  EXPECT_EQ(change_seen(Watch::snapshots, "local t = {1} ngx.say(#t)"), "");
}

TEST(SharedStateWatch, WatchingNothingKnowsNothing) {
  EXPECT_EQ(change_seen(Watch::nothing, "string.leak = 1"), std::nullopt);
}

TEST(SharedStateWatch, WithTheCodeCacheOffNothingIsWatched) {
  Worker worker(test::settings_for(Profile::classic, false));
  EXPECT_EQ(change_between(mark(worker, Watch::digests), mark(worker, Watch::digests)), std::nullopt);
}

TEST(SharedStateWatch, AChangeTheSecondServeMissesIsStillNamedAsOne) {
  EXPECT_EQ(name_of_change("string.leak added"), "string.leak added");
  const std::string missed = name_of_change("");
  EXPECT_NE(missed.find(kUnnamedChange), std::string::npos) << missed;
  EXPECT_EQ(name_of_change(std::nullopt), missed);
}

}  // namespace
}  // namespace codecache::fuzz
