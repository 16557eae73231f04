// Shared pieces of the property tests (see prop_support.h).
#include "property/prop_support.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>

#include <rapidcheck/detail/Configuration.h>

#include "core/model/handler.h"

namespace codecache::prop {
namespace {

std::size_t g_sequences = 0;
std::string g_first_failure;  // note_failure

int cases_from_env() {
  const char* text = std::getenv("CODECACHE_PROPERTY_CASES");
  if (text == nullptr || *text == '\0') return kDefaultCases;
  char* end = nullptr;
  long n = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || n <= 0 || n > 100'000'000) return kDefaultCases;
  return static_cast<int>(n);
}

// Runs before every ordinary static initialiser (priority 101), hence before
// RapidCheck can read RC_PARAMS (it does so once, on first use).
__attribute__((constructor(101))) void set_rapidcheck_cases() {
  const char* existing = std::getenv("RC_PARAMS");
  std::string params = existing != nullptr ? existing : "";
  if (params.find("max_success") != std::string::npos) return;
  if (!params.empty()) params += ' ';
  params += "max_success=" + std::to_string(cases_from_env());
  setenv("RC_PARAMS", params.c_str(), 1);
}

bool is_cache_debug_line(const std::string& line) {
  return line.rfind("[debug] code cache ", 0) == 0;
}

}  // namespace

int configured_cases() { return rc::detail::configuration().testParams.maxSuccess; }

std::uint64_t rapidcheck_seed() { return rc::detail::configuration().testParams.seed; }

Settings settings_for(Profile profile, bool code_cache) {
  Settings s;
  s.profile = profile;
  s.code_cache = code_cache;
  s.limits.instructions = 5'000'000;
  s.limits.cpu_ms = 2000;
  s.limits.memory_bytes = 32u << 20;
  s.log_level = LogLevel::debug;  // everything; the code cache lines are filtered by observe()
  return s;
}

Observed observe(const Outcome& outcome) {
  Observed o;
  o.status = outcome.status;
  o.aborted = outcome.aborted;
  o.body = outcome.body;
  for (const auto& line : outcome.log)
    if (!is_cache_debug_line(line)) o.log.push_back(line);
  o.limit = outcome.limit;
  return o;
}

void showValue(const Observed& observed, std::ostream& os) {
  os << "{status=" << observed.status << " aborted=" << (observed.aborted ? "true" : "false")
     << " limit=" << to_string(observed.limit) << " body=";
  rc::show(observed.body, os);
  os << " log=";
  rc::show(observed.log, os);
  os << "}";
}

void showValue(const Scenario& scenario, std::ostream& os) {
  os << "scenario:\n";
  for (std::size_t i = 0; i < scenario.handlers.size(); ++i) {
    os << "  H" << i << " (conf line " << 40 + i << "): ";
    showValue(scenario.handlers[i], os);
    os << "\n";
  }
  os << "  steps:";
  for (const auto& step : scenario.steps) {
    if (step.interleave) {
      os << " [start H" << step.a << ", resume once, run H" << step.b << ", finish H" << step.a
         << "]";
    } else {
      os << " [run H" << step.a << "]";
    }
  }
}

rc::Gen<Scenario> gen_scenario(GenOptions options, std::size_t max_handlers,
                               std::size_t max_steps) {
  return rc::gen::exec([=] {
    Scenario s;
    const std::size_t n = *full_size(rc::gen::inRange<std::size_t>(1, max_handlers + 1));
    s.handlers = *rc::gen::container<std::vector<GeneratedHandler>>(n, gen_handler(options));
    auto step = rc::gen::exec([n] {
      Step st;
      st.interleave = *full_size(rc::gen::weightedElement<bool>({{3, false}, {2, true}}));
      st.a = *full_size(rc::gen::inRange<std::size_t>(0, n));
      if (st.interleave) st.b = *full_size(rc::gen::inRange<std::size_t>(0, n));
      return st;
    });
    s.steps = *rc::gen::resize(
        static_cast<int>(max_steps),
        rc::gen::nonEmpty(rc::gen::container<std::vector<Step>>(step)));
    return s;
  });
}

std::vector<Executed> run_scenario(const Scenario& scenario, const Settings& settings,
                                   const std::function<void(Worker&)>& between) {
  Worker worker(settings);
  if (between) between(worker);
  std::vector<Handler> handlers;
  for (std::size_t i = 0; i < scenario.handlers.size(); ++i) {
    handlers.push_back(Handler::inline_code(scenario.handlers[i].source, static_cast<int>(40 + i)));
  }
  std::vector<Executed> done;
  for (std::size_t k = 0; k < scenario.steps.size(); ++k) {
    const Step& st = scenario.steps[k];
    if (!st.interleave) {
      done.push_back({st.a, k, std::nullopt, false, worker.run(handlers[st.a])});
      if (between) between(worker);
      continue;
    }
    auto first = worker.start(handlers[st.a]);
    const bool paused = !first->resume();
    Outcome second = worker.run(handlers[st.b]);
    while (!first->resume()) {
    }
    done.push_back({st.b, k, st.a, false, std::move(second)});
    done.push_back({st.a, k, st.b, paused, first->outcome()});
    if (between) between(worker);
  }
  return done;
}

Outcome run_alone(const GeneratedHandler& handler, std::size_t index, const Settings& settings) {
  Worker worker(settings);
  Handler h = Handler::inline_code(handler.source, static_cast<int>(40 + index));
  return worker.run(h);
}

void count_sequence() { ++g_sequences; }

void note_failure(const std::string& account) {
  if (g_first_failure.empty()) g_first_failure = account;
}
void forget_failures() { g_first_failure.clear(); }

void note_difference(const Scenario& scenario, const std::string& where, const char* first_label,
                     const Observed& first, const char* second_label, const Observed& second) {
  note_failure(rc::toString(scenario) + "\n" + where + " differs\n" + first_label + ": " + rc::toString(first) + "\n" +
               second_label + ": " + rc::toString(second));
}
std::size_t sequences_so_far() { return g_sequences; }

double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

void report_result(const char* name, const rc::detail::TestResult& result, double seconds,
                   std::size_t sequences) {
  using namespace rc::detail;
  const std::uint64_t seed = rapidcheck_seed();
  if (result.template is<SuccessResult>()) {
    const auto& success = result.template get<SuccessResult>();
    std::cout << "[property] " << CODECACHE_TEST_ENGINE << " " << name << ": "
              << success.numSuccess << " cases, " << sequences << " sequences in " << seconds
              << " s (" << (seconds > 0 ? static_cast<double>(sequences) / seconds : 0.0)
              << " sequences/s), seed=" << seed << std::endl;
    if (!success.distribution.empty()) {
      printResultMessage(result, std::cout);
      std::cout << std::endl;
    }
    ::testing::Test::RecordProperty("sequences", static_cast<int>(sequences));
    return;
  }
  std::ostringstream message;
  message << "RapidCheck seed=" << seed << " (engine " << CODECACHE_TEST_ENGINE << ")\n";
  if (result.template is<FailureResult>()) {
    const auto& failure = result.template get<FailureResult>();
    Configuration config;
    config.testParams.seed = seed;
    config.reproduce[name] = failure.reproduce;
    message << "reproduce: RC_PARAMS=\"" << configToMinimalString(config) << "\"\n"
            << "or rerun the whole property: RC_PARAMS=\"seed=" << seed << "\"\n";
    printResultMessage(failure, message);
    // RapidCheck's description of a case that passed (Property.hpp).
    if (failure.description == "no exceptions thrown") {
      message << "\nNOT REPRODUCED: the shrunk case passed when it ran again, so this failure "
                 "depends on more than the generated input.\n";
    }
    if (!g_first_failure.empty()) message << "\nFirst failing run:\n" << g_first_failure << "\n";
  } else {
    printResultMessage(result, message);
  }
  ADD_FAILURE() << message.str();
}

}  // namespace codecache::prop
