// `referee_fuzz_<build>`: the generated differential against the real module.
// Generates handler files (referee_gen.h), serves them in batches on a real nginx
// + ngx_lua of one build (`openresty` or `classic`, fixed at compile time with
// the engine it links) and on the model, with the code cache on and off, and
// compares every request (referee_differential.h). Prints progress per batch and a
// summary: handlers tried, agreement per code-cache setting, and the classes of
// disagreement with one example each. Every disagreeing handler is written to
// --out with both outcomes. Exit status 1 when any request disagrees.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <stdlib.h>

#include "case_file.h"
#include "nginx_build.h"
#include "referee_case_writer.h"
#include "referee_differential.h"
#include "referee_fuzz_options.h"
#include "referee_gen.h"
#include "referee_minimise.h"

namespace {

using namespace codecache::conformance;
namespace fs = std::filesystem;

const std::string kBuild = CODECACHE_NGINX_BUILD;

struct ClassTally {
  std::size_t count = 0;
  Disagreement example;
  std::string source;
  std::string dress;
  std::uint64_t seed = 0;
};

struct SettingTally {
  std::size_t handlers = 0, requests = 0, agreed = 0, excused = 0, failed_batches = 0, nginx_failed_excused = 0,
              cut_log_lines = 0;
  std::uint64_t nginx_failed_example = 0;
  std::map<std::string, ClassTally> classes;
  std::map<std::string, std::pair<std::size_t, std::size_t>> by_dress;  // handlers, disagreeing
};

void write_disagreement(const RefereeFuzzOptions& o, bool cache_on, std::uint64_t seed, const GeneratedHandler& h,
                        const Disagreement& d) {
  const std::string stem =
      o.out + "/" + kBuild + "." + (cache_on ? "on" : "off") + "." + std::to_string(seed);
  std::ofstream(stem + ".lua", std::ios::binary) << h.source;
  std::ofstream(stem + ".txt", std::ios::binary)
      << "build " << kBuild << ", code cache " << (cache_on ? "on" : "off") << ", seed " << seed << ", dress "
      << h.dress << "\nrequest " << d.request << ": the " << d.field << " differs\n=== model: status "
      << d.model_outcome << "\n=== nginx: status " << d.nginx_outcome << "\n";
}

// The first handler of each class, minimised and written as a conformance case
// expecting what nginx answered: <out>/<build>.<on|off>.<seed>.case.
void write_case(const RefereeFuzzOptions& o, const NginxBuild& build, bool cache_on, std::uint64_t seed,
                const GeneratedHandler& h, const std::string& klass) {
  const Minimised m = minimise_handler(h.source, klass, build, cache_on, o.rounds, o.work);
  const BatchResult r = compare_batch({m.source}, build, cache_on, o.rounds, o.work);
  const std::string path = o.out + "/" + kBuild + "." + (cache_on ? "on" : "off") + "." + std::to_string(seed) + ".case";
  if (!r.setup_error.empty() || r.nginx_outcomes.size() != static_cast<std::size_t>(o.rounds)) {
    std::cerr << "    no case written for seed " << seed << ": the minimised handler could not be served again ("
              << r.setup_error << ")\n";
    return;
  }
  GeneratedCase g{m.source, "${dir}/h0.lua", r.nginx_outcomes, kBuild, build.engine, build.profile, cache_on, seed,
                  h.dress, klass};
  std::ofstream(path, std::ios::binary) << generated_case_text(g);
  std::cerr << "    seed " << seed << ": minimised from " << h.source.size() << " to " << m.source.size()
            << " bytes in " << m.batches << " batches, " << (r.disagreements.empty() ? "no longer disagreeing (!)" : "still disagreeing")
            << "; case " << path << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  int exit_status = 0;
  std::optional<RefereeFuzzOptions> parsed = parse_referee_fuzz_options(argc, argv, kBuild, exit_status);
  if (!parsed) return exit_status;
  RefereeFuzzOptions o = std::move(*parsed);

  const NginxBuild build = nginx_build(kBuild, o.root);
  if (std::string missing = missing_parts(build); !missing.empty()) {
    std::cerr << "referee_fuzz_" << kBuild << ": the nginx build is not prepared (missing " << missing
              << "); build the target nginx_referee_builds\n";
    return 2;
  }
  if (o.seed == 0) o.seed = std::random_device{}() | 1;
  fs::create_directories(o.out);
  std::string own_work;
  if (o.work.empty()) {
    std::string pattern = (fs::temp_directory_path() / "crf-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "referee_fuzz_" << kBuild << ": cannot make a work directory " << pattern << "\n";
      return 2;
    }
    o.work = own_work = pattern;
  }
  fs::create_directories(o.work);
  std::vector<bool> settings;
  if (o.code_cache != "off") settings.push_back(true);
  if (o.code_cache != "on") settings.push_back(false);
  std::cerr << "referee_fuzz_" << kBuild << ": seed " << o.seed << ", " << build.engine << " / " << build.profile
            << ", batches of " << o.batch << " handlers x " << o.rounds << " requests\n";

  const auto started = std::chrono::steady_clock::now();
  const auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  std::map<bool, SettingTally> tallies;
  std::uint64_t next_seed = o.seed;
  bool any_disagreement = false;
  for (std::size_t round = 0;; ++round) {
    const bool cache_on = settings[round % settings.size()];
    SettingTally& tally = tallies[cache_on];
    if (o.minutes > 0 ? elapsed_s() > o.minutes * 60 : tally.handlers >= o.handlers) {
      if (o.minutes > 0 || std::all_of(settings.begin(), settings.end(),
                                       [&](bool s) { return tallies[s].handlers >= o.handlers; }))
        break;
      continue;
    }
    const std::size_t count = o.minutes > 0 ? o.batch : std::min(o.batch, o.handlers - tally.handlers);
    std::vector<GeneratedHandler> generated;
    std::vector<std::string> sources;
    const std::uint64_t first_seed = next_seed;
    for (std::size_t i = 0; i < count; ++i) {
      generated.push_back(generate_referee_handler(next_seed++));
      sources.push_back(generated.back().source);
    }
    const auto batch_started = std::chrono::steady_clock::now();
    const BatchResult r = compare_batch(sources, build, cache_on, o.rounds, o.work);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_started).count();
    tally.handlers += count;
    if (!r.setup_error.empty()) {
      ++tally.failed_batches;
      any_disagreement = true;
      std::cerr << "  batch from seed " << first_seed << " (cache " << (cache_on ? "on" : "off")
                << ") could not be served: " << r.setup_error << "\n";
      if (r.failed_handler >= 0 && static_cast<std::size_t>(r.failed_handler) < count) {
        const auto h = static_cast<std::size_t>(r.failed_handler);
        Disagreement d{h, 0, "served", "", "", "(not compared)", "the batch failed: " + r.setup_error};
        std::cerr << "    while serving the handler of seed " << first_seed + h << "\n";
        write_disagreement(o, cache_on, first_seed + h, generated[h], d);
      }
      continue;
    }
    tally.requests += r.requests;
    tally.agreed += r.agreed;
    tally.excused += r.excused;
    tally.cut_log_lines += r.excused_cut_log_lines;
    for (const std::size_t h : r.excused_failures) {
      if (tally.nginx_failed_excused++ == 0) tally.nginx_failed_example = first_seed + h;
      std::cerr << "    nginx failed on the handler of seed " << first_seed + h
                << ", which the model's budget cut off: excused, the batch goes on\n";
    }
    std::vector<bool> disagreeing(count, false);
    for (const Disagreement& d : r.disagreements) {
      any_disagreement = true;
      disagreeing[d.handler] = true;
      const std::uint64_t seed = first_seed + d.handler;
      const std::string klass = disagreement_class(d);
      ClassTally& c = tally.classes[klass];
      write_disagreement(o, cache_on, seed, generated[d.handler], d);
      if (c.count++ == 0) {
        c = {1, d, generated[d.handler].source, generated[d.handler].dress, seed};
        if (o.write_cases) write_case(o, build, cache_on, seed, generated[d.handler], klass);
      }
    }
    for (std::size_t i = 0; i < count; ++i) {
      auto& [handlers, disagree] = tally.by_dress[generated[i].dress];
      ++handlers;
      disagree += disagreeing[i] ? 1 : 0;
    }
    std::cerr << "  cache " << (cache_on ? "on " : "off") << ": " << count << " handlers, " << r.agreed << " of "
              << r.requests << " requests agree (" << static_cast<int>(static_cast<double>(count) / seconds)
              << " handlers/s)\n";
  }

  std::cout << "# referee_fuzz " << kBuild << " (" << build.engine << " / " << build.profile << "), seed " << o.seed
            << ", " << static_cast<int>(elapsed_s()) << " s\n";
  for (const bool cache_on : settings) {
    const SettingTally& t = tallies[cache_on];
    const std::size_t compared = t.requests - t.excused;
    std::cout << "\ncode cache " << (cache_on ? "on" : "off") << ": " << t.handlers << " handlers, " << t.agreed
              << " of " << compared << " requests agree ("
              << (compared ? 100.0 * static_cast<double>(t.agreed) / static_cast<double>(compared) : 0.0)
              << "%); " << t.excused << " excused (the model's own budget cut them off, or nginx cut a log line); " << t.failed_batches
              << " batches not served\n";
    if (t.cut_log_lines > 0)
      std::cout << "  of the excused: " << t.cut_log_lines
                << " whose logs differ only where nginx cut an entry at its 2048-byte buffer\n";
    if (t.nginx_failed_excused > 0)
      std::cout << "  of the excused: nginx died on (or did not answer) " << t.nginx_failed_excused
                << " handlers, e.g. seed " << t.nginx_failed_example << "\n";
    for (const auto& [dress, counts] : t.by_dress)
      if (counts.second > 0)
        std::cout << "  dress " << dress << ": " << counts.second << " of " << counts.first << " handlers disagree\n";
    std::vector<std::pair<std::string, const ClassTally*>> sorted;
    for (const auto& [name, c] : t.classes) sorted.emplace_back(name, &c);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      const ClassTally& c = *sorted[i].second;
      std::cout << "  " << c.count << " x " << escape(sorted[i].first, 120) << "\n";
      if (i >= o.show) continue;
      std::cout << "      seed " << c.seed << " (" << c.dress << "), request " << c.example.request
                << "\n      handler: " << escape(c.source, 300) << "\n      model: " << escape(c.example.model, 300)
                << "\n      nginx: " << escape(c.example.nginx, 300) << "\n";
    }
  }
  if (!own_work.empty()) {
    std::error_code ec;
    fs::remove_all(own_work, ec);
  }
  std::cout << "\nDisagreeing handlers and both outcomes: " << o.out << "/\n";
  return any_disagreement ? 1 : 0;
}
