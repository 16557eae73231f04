// Request benchmarks for one engine: the engine's floor (a new thread and a pcall of
// an already-loaded function), ngx_lua's own sequence of C-API calls for one cached
// request of each build (the fair floor of a request), a cached request per profile,
// the code cache off, a cache miss, miss / hit cost as the handler source grows, and a
// fresh ready-to-serve VM per profile against luaL_newstate + luaL_openlibs. After
// the table it prints, from the same run, each profile's ratio to the floors and
// cache-off / cache-on (lines starting with "ratio", which the smoke test checks).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "core/model/handler.h"
#include "core/plumbing/outcome.h"
#include "core/plumbing/request_state.h"
#include "core/plumbing/settings.h"
#include "core/model/vm.h"
#include "core/model/worker.h"
#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"

namespace {

using namespace codecache;

// The small handler every per-request benchmark serves.
constexpr char kHandler[] = "local a = 1 ngx.say(\"hello \", a)";
constexpr char kBody[] = "hello 1\n";
constexpr int kSizes[] = {1024, 10 * 1024, 100 * 1024};

std::string name_of(const char* kind, const std::string& suffix = "") {
  std::string name = std::string("BM_") + kind + "/" + std::string(engine::name());
  if (!suffix.empty()) name += "/" + suffix;
  return name;
}

Settings settings_for(Profile profile, bool code_cache = true) {
  Settings s;
  s.profile = profile;
  s.code_cache = code_cache;
  return s;
}

// Outside the timed loops: the request did what the benchmark claims to measure.
bool served(benchmark::State& state, const Outcome& out, CacheState cache) {
  if (out.status != 200 || out.cache != cache || out.limit != LimitKind::none) {
    state.SkipWithError("the handler did not run as expected (status, cache state or limit)");
    return false;
  }
  return true;
}

// `local a = <serial>`, then `if a == -1 then <padding> end` (compiled, never run),
// then the ngx.say: a handler of at least `size` bytes whose run time does not grow
// with its size. A distinct serial gives a distinct source and so a distinct key.
std::string sized_source(int size, std::uint64_t serial) {
  std::string src = "local a = " + std::to_string(serial) + "\nif a == -1 then\n";
  const std::string tail = "end\nngx.say(\"hello \", a)\n";
  char line[96];
  for (int i = 0; src.size() + tail.size() < static_cast<std::size_t>(size); ++i) {
    std::snprintf(line, sizeof line, "  ngx.say(\"padding line %06d of a handler that grows\", a)\n", i);
    src += line;
  }
  return src + tail;
}

// The floor: lua_newthread + pcall of an already-loaded function on one VM, with the
// same handler loaded directly and ngx.say writing into one long-lived request.
void BM_baseline(benchmark::State& state) {
  Vm vm(Settings{});
  lua_State* L = vm.state();
  if (luaL_loadbuffer(L, kHandler, sizeof kHandler - 1, "=baseline") != 0) {
    state.SkipWithError("the baseline handler did not load");
    return;
  }
  const int fn = luaL_ref(L, LUA_REGISTRYINDEX);
  RequestState request(LogLevel::info, Limits{}.memory_bytes);
  vm.context().request = &request;
  for (auto _ : state) {
    lua_State* co = lua_newthread(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
    lua_xmove(L, co, 1);
    if (lua_pcall(co, 0, 0, 0) != 0) {
      state.SkipWithError("the baseline handler failed");
      break;
    }
    lua_pop(L, 1);  // the thread, left to the collector like a finished request's
    request.discard_body();
  }
  vm.context().request = nullptr;
  luaL_unref(L, LUA_REGISTRYINDEX, fn);
  lua_settop(L, 0);
}

// ngx_lua's own work for one cached request, written plainly with the C API on a VM
// of the profile (so that ngx.say is the same function): look the cached function
// up by key in the code cache table; classic: pcall the closure factory for a fresh
// closure (ngx_http_lua_cache.c, ngx_http_lua_cache_loadbuffer); a thread anchored
// in a table (ngx_http_lua_util.c, ngx_http_lua_new_thread); classic: a new globals
// table with _G set to itself and a metatable {__index = _G}, set as the closure's
// environment (ngx_http_lua_create_new_globals_table and the setfenv that follows);
// lua_xmove, lua_resume, and the thread's release from the table.
void BM_ngx_sequence(benchmark::State& state, Profile profile) {
  Vm vm(settings_for(profile));
  lua_State* L = vm.state();
  const bool classic = profile == Profile::classic;
  const std::string code = classic ? "return function() " + std::string(kHandler) + "\nend" : kHandler;
  const char* const key = "nhli_0123456789abcdef0123456789abcdef";
  lua_newtable(L);
  const int cache = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  const int threads = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_rawgeti(L, LUA_REGISTRYINDEX, cache);
  if (luaL_loadbuffer(L, code.data(), code.size(), "=content_by_lua(nginx.conf:40)") != 0) {
    state.SkipWithError("the handler did not load");
    return;
  }
  lua_setfield(L, -2, key);
  lua_pop(L, 1);
  RequestState request(LogLevel::info, Limits{}.memory_bytes);
  vm.context().request = &request;
  for (auto _ : state) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, cache);
    lua_getfield(L, -1, key);
    lua_remove(L, -2);
    if (classic && lua_pcall(L, 0, 1, 0) != 0) {
      state.SkipWithError("the closure factory failed");
      break;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, threads);
    lua_State* co = lua_newthread(L);
    const int ref = luaL_ref(L, -2);
    lua_pop(L, 1);
    if (classic) {
      lua_createtable(L, 0, 1);
      lua_pushvalue(L, -1);
      lua_setfield(L, -2, "_G");
      lua_createtable(L, 0, 1);
      lua_pushvalue(L, LUA_GLOBALSINDEX);
      lua_setfield(L, -2, "__index");
      lua_setmetatable(L, -2);
      lua_setfenv(L, -2);
    }
    lua_xmove(L, co, 1);
    if (lua_resume(co, 0) != 0) {
      state.SkipWithError("the handler failed");
      break;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, threads);
    luaL_unref(L, -1, ref);
    lua_pop(L, 1);
    request.discard_body();
  }
  if (request.body().empty() && state.iterations() == 0) state.SkipWithError("nothing ran");
  vm.context().request = nullptr;
  lua_settop(L, 0);
}

// A VM ready to serve requests of `profile` (libraries, sandbox, ngx API, hooks),
// made and closed.
void BM_fresh_vm(benchmark::State& state, Profile profile) {
  for (auto _ : state) {
    Vm vm(settings_for(profile));
    benchmark::DoNotOptimize(vm.state());
  }
}

// Its anchor: the engine's own newest state with the standard libraries.
void BM_plain_vm(benchmark::State& state) {
  for (auto _ : state) {
    lua_State* L = luaL_newstate();
    luaL_openlibs(L);
    benchmark::DoNotOptimize(L);
    lua_close(L);
  }
}

// A code cache hit of `source` through Worker::run (the miss happens before timing).
void run_hits(benchmark::State& state, Profile profile, const std::string& source) {
  Worker worker(settings_for(profile));
  Handler handler = Handler::inline_code(source);
  if (!served(state, worker.run(handler), CacheState::miss)) return;
  Outcome first = worker.run(handler);
  if (!served(state, first, CacheState::hit)) return;
  if (source == kHandler && first.body != kBody) {
    state.SkipWithError("unexpected body");
    return;
  }
  for (auto _ : state) {
    Outcome out = worker.run(handler);
    benchmark::DoNotOptimize(out);
  }
}

// Cache misses, on the engine's default profile: every timed request runs a Handler
// whose code no earlier request used, so it does lookup (miss), load, store, the
// factory (classic) and the run. Handlers are built
// (key hashed) and the Worker replaced every `batch` requests with the timer
// paused, which keeps the key computation (config time in nginx) out of the
// measurement and the cache at most `batch` entries.
void run_misses(benchmark::State& state, int size, std::size_t batch) {
  static std::uint64_t serial = 1;
  const Settings settings = settings_for(default_profile());
  std::unique_ptr<Worker> worker;
  std::vector<Handler> handlers;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == handlers.size()) {
      state.PauseTiming();
      worker.reset();
      worker = std::make_unique<Worker>(settings);
      handlers.clear();
      for (std::size_t i = 0; i < batch; ++i) {
        handlers.push_back(Handler::inline_code(
            size == 0 ? "local a = " + std::to_string(serial++) + " ngx.say(\"hello \", a)"
                      : sized_source(size, serial++)));
      }
      next = 0;
      state.ResumeTiming();
    }
    Outcome out = worker->run(handlers[next++]);
    if (out.cache != CacheState::miss || out.status != 200) {
      state.SkipWithError("a miss request did not miss or failed");
      break;
    }
    benchmark::DoNotOptimize(out);
  }
}

void BM_request(benchmark::State& state, Profile profile) { run_hits(state, profile, kHandler); }

// The code cache off, on the engine's default profile: every request builds (and
// closes) its own VM (ngx_http_lua_create_ctx, ngx_http_lua_cleanup_vm).
void BM_uncached(benchmark::State& state) {
  Worker worker(settings_for(default_profile(), false));
  Handler handler = Handler::inline_code(kHandler);
  if (!served(state, worker.run(handler), CacheState::off)) return;
  for (auto _ : state) {
    Outcome out = worker.run(handler);
    benchmark::DoNotOptimize(out);
  }
}

void BM_miss(benchmark::State& state) { run_misses(state, 0, 1000); }

void BM_miss_size(benchmark::State& state, int size) {
  // About 1 MiB of source per batch: the cache stays far below the memory cap.
  run_misses(state, size, std::clamp<std::size_t>((1u << 20) / size, 8, 1000));
}

void BM_hit_size(benchmark::State& state, int size) {
  run_hits(state, default_profile(), sized_source(size, 0));
}

void register_benchmarks() {
  using benchmark::kMicrosecond;
  benchmark::RegisterBenchmark(name_of("baseline").c_str(), BM_baseline);
  for (Profile p : {Profile::classic, Profile::openresty}) {
    benchmark::RegisterBenchmark(name_of("ngx_sequence", std::string(to_string(p))).c_str(), BM_ngx_sequence, p);
  }
  for (Profile p : {Profile::classic, Profile::openresty, Profile::sealed}) {
    benchmark::RegisterBenchmark(name_of("request", std::string(to_string(p))).c_str(), BM_request, p);
  }
  benchmark::RegisterBenchmark(name_of("plain_vm").c_str(), BM_plain_vm)->Unit(kMicrosecond);
  for (Profile p : {Profile::classic, Profile::openresty, Profile::sealed}) {
    benchmark::RegisterBenchmark(name_of("fresh_vm", std::string(to_string(p))).c_str(), BM_fresh_vm, p)
        ->Unit(kMicrosecond);
  }
  benchmark::RegisterBenchmark(name_of("uncached").c_str(), BM_uncached)->Unit(kMicrosecond);
  benchmark::RegisterBenchmark(name_of("miss").c_str(), BM_miss)->Unit(kMicrosecond);
  for (int size : kSizes) {
    benchmark::RegisterBenchmark(name_of("miss_size", std::to_string(size)).c_str(), BM_miss_size, size)
        ->Unit(kMicrosecond);
  }
  for (int size : kSizes) {
    benchmark::RegisterBenchmark(name_of("hit_size", std::to_string(size)).c_str(), BM_hit_size, size);
  }
}

// The console table, plus the mean real and CPU time per iteration of every benchmark.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  explicit CollectingReporter(bool color) : ConsoleReporter(color ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations == 0) continue;
      Mean& m = seconds_[run.benchmark_name()];
      m.real += run.real_accumulated_time / static_cast<double>(run.iterations);
      m.cpu += run.cpu_accumulated_time / static_cast<double>(run.iterations);
      ++m.count;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Seconds per iteration, or a negative value when the benchmark did not run.
  double seconds(const std::string& name, bool cpu = false) const {
    auto it = seconds_.find(name);
    if (it == seconds_.end()) return -1.0;
    return (cpu ? it->second.cpu : it->second.real) / it->second.count;
  }

 private:
  struct Mean {
    double real = 0;
    double cpu = 0;
    int count = 0;
  };
  std::map<std::string, Mean> seconds_;
};

void print_ratio(const CollectingReporter& r, const std::string& label, const std::string& num,
                 const std::string& den, const char* target = nullptr) {
  const double a = r.seconds(num);
  const double b = r.seconds(den);
  if (a < 0 || b <= 0) {
    std::printf("ratio %-30s = n/a (%s or %s did not run)\n", label.c_str(), num.c_str(), den.c_str());
    return;
  }
  // Real time decides; the CPU-time ratio beside it shows when a busy machine skews it.
  const double cpu = r.seconds(num, true) / r.seconds(den, true);
  std::printf("ratio %-30s = %9.2fx  (cpu %7.2fx)  %s / %s%s%s\n", label.c_str(), a / b, cpu,
              num.c_str(), den.c_str(), target != nullptr ? "; target " : "",
              target != nullptr ? target : "");
}

void print_ratios(const CollectingReporter& r) {
  const std::string base = name_of("baseline");
  const std::string on = name_of("request", std::string(to_string(default_profile())));
  std::printf("\nRatios on %s, real time per request (CPU time in parentheses), from this run:\n",
              std::string(engine::name()).c_str());
  print_ratio(r, "classic / baseline", name_of("request", "classic"), base, "<= 1.3x");
  print_ratio(r, "openresty / baseline", name_of("request", "openresty"), base, "<= 1.1x");
  print_ratio(r, "sealed / baseline", name_of("request", "sealed"), base);
  print_ratio(r, "sealed / classic", name_of("request", "sealed"), name_of("request", "classic"),
              "<= 1.5x");
  for (const char* p : {"classic", "openresty"})
    print_ratio(r, std::string(p) + " / ngx_sequence " + p, name_of("request", p), name_of("ngx_sequence", p),
                "<= 1.2x");
  print_ratio(r, "sealed / ngx_sequence classic", name_of("request", "sealed"),
              name_of("ngx_sequence", "classic"), "<= 2.0x");
  for (const char* p : {"classic", "openresty", "sealed"})
    print_ratio(r, std::string("fresh_vm ") + p + " / plain_vm", name_of("fresh_vm", p), name_of("plain_vm"),
                "<= 2.0x");
  print_ratio(r, "cache-off / cache-on", name_of("uncached"), on);
  print_ratio(r, "miss / hit", name_of("miss"), on);
  for (int size : kSizes) {
    const std::string s = std::to_string(size);
    print_ratio(r, "miss / hit at " + s + " B", name_of("miss_size", s), name_of("hit_size", s));
  }
  print_ratio(r, "hit 100 KiB / hit 1 KiB", name_of("hit_size", std::to_string(kSizes[2])),
              name_of("hit_size", std::to_string(kSizes[0])));
  std::fflush(stdout);
}

// Our reporter replaces the library's default one, so --benchmark_color
// (true / false / auto, default auto: a terminal) is applied here.
bool use_color(int argc, char** argv) {
  std::string_view color = "auto";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--benchmark_color=")) color = arg.substr(arg.find('=') + 1);
  }
  if (color == "auto") return isatty(fileno(stdout)) != 0;
  return color == "true" || color == "yes" || color == "1";
}

}  // namespace

int main(int argc, char** argv) {
  // Default min time 0.2 s (a whole run stays well under 20 s); a later
  // --benchmark_min_time on the command line wins.
  static char default_min_time[] = "--benchmark_min_time=0.2";
  std::vector<char*> args{argv[0], default_min_time};
  args.insert(args.end(), argv + 1, argv + argc);
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  const bool color = use_color(n, args.data());  // before Initialize consumes the flag
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;

  register_benchmarks();
  CollectingReporter reporter(color);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_ratios(reporter);
  benchmark::Shutdown();
  return 0;
}
