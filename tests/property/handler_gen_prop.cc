// The generator itself: how many generated handlers load (at least 95 % under
// both loaders), that every feature it advertises is generated, and that the
// handlers always terminate without hitting a limit.
#include <array>
#include <iostream>
#include <map>

#include "core/model/handler.h"
#include "property/prop_support.h"

namespace codecache::prop {
namespace {

bool loaded(const Outcome& outcome) { return outcome.load_failure == LoadFailure::none; }

// Handlers as the properties see them: sizes cycling over RapidCheck's 0..100.
std::vector<GeneratedHandler> sample_handlers(std::size_t n, GenOptions options = {}) {
  std::vector<GeneratedHandler> out;
  const auto gen = gen_handler(options);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(gen(rc::Random(rapidcheck_seed() + i), static_cast<int>(i % 101)).value());
  }
  return out;
}

TEST(Generator, LoadingRate) {
  const std::size_t n = 2000;
  const auto handlers = sample_handlers(n);
  std::size_t factory_ok = 0, direct_ok = 0, limits = 0;
  std::map<std::string, std::size_t> feature_count;
  for (std::size_t i = 0; i < n; ++i) {
    const Outcome classic = run_alone(handlers[i], 0, settings_for(Profile::classic));
    const Outcome openresty = run_alone(handlers[i], 0, settings_for(Profile::openresty, false));
    factory_ok += loaded(classic);
    direct_ok += loaded(openresty);
    if (classic.limit != LimitKind::none || openresty.limit != LimitKind::none) {
      ++limits;
      ADD_FAILURE() << "generated handler hit a limit (" << to_string(classic.limit) << "/"
                    << to_string(openresty.limit) << "):\n"
                    << rc::toString(handlers[i]);
    }
    for (unsigned bit = 1; bit <= kLastFeature; bit <<= 1)
      if (handlers[i].has(bit)) ++feature_count[describe_features(bit)];
  }
  const double factory_rate = static_cast<double>(factory_ok) / n;
  const double direct_rate = static_cast<double>(direct_ok) / n;
  std::cout << "[generator] " << CODECACHE_TEST_ENGINE << ": " << n
            << " generated handlers; loading rate: factory (classic) " << factory_rate * 100
            << " %, direct (openresty) " << direct_rate * 100 << " %" << std::endl;
  std::cout << "[generator] features:";
  for (const auto& [feature, count] : feature_count) std::cout << " " << feature << "=" << count;
  std::cout << std::endl;
  RecordProperty("factory_loading_rate", std::to_string(factory_rate));
  RecordProperty("direct_loading_rate", std::to_string(direct_rate));
  EXPECT_GE(factory_rate, 0.95);
  EXPECT_GE(direct_rate, 0.95);
  EXPECT_EQ(limits, 0u);
  // Every feature is generated; only `...` (the factory cannot load it) fails to load.
  for (unsigned bit = 1; bit <= kLastFeature; bit <<= 1)
    EXPECT_GT(feature_count[describe_features(bit)], 0u) << describe_features(bit);
  EXPECT_EQ(direct_ok, n);
  std::size_t vararg = feature_count[describe_features(kVararg)];
  EXPECT_EQ(n - factory_ok, vararg);
}

TEST(Generator, ExcludedFeaturesAreNeverGenerated) {
  const unsigned exclude = kClassicLeaks | kVararg | kReturn;
  for (const auto& h : sample_handlers(500, GenOptions{exclude})) {
    ASSERT_FALSE(h.has(exclude)) << rc::toString(h);
  }
}

}  // namespace
}  // namespace codecache::prop
