// Shared helpers for the unit tests (see test_support.h).
#include "unit/test_support.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>
#include <random>
#include <stdexcept>

#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"

namespace codecache::test {

Settings settings_for(Profile profile, bool code_cache) {
  Settings s;
  s.profile = profile;
  s.code_cache = code_cache;
  s.limits.instructions = 5'000'000;
  s.limits.cpu_ms = 1000;
  s.limits.memory_bytes = 32u << 20;
  return s;
}

Outcome run_inline(Profile profile, std::string_view code) {
  Worker worker(settings_for(profile));
  Handler handler = Handler::inline_code(std::string(code));
  return worker.run(handler);
}

std::vector<Outcome> run_times(Worker& worker, Handler& handler, int times) {
  std::vector<Outcome> outcomes;
  for (int i = 0; i < times; ++i) outcomes.push_back(worker.run(handler));
  return outcomes;
}

int count_log_lines(const Outcome& outcome, std::string_view needle) {
  int n = 0;
  for (const auto& line : outcome.log)
    if (line.find(needle) != std::string::npos) ++n;
  return n;
}

bool log_contains(const Outcome& outcome, std::string_view needle) {
  return count_log_lines(outcome, needle) > 0;
}

std::string dump_log(const Outcome& outcome) {
  std::string out = "log (" + std::to_string(outcome.log.size()) + " lines):";
  for (const auto& line : outcome.log) out += "\n  " + line;
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::uint8_t> random_bytes(std::mt19937& rng, std::size_t max_size) {
  std::vector<std::uint8_t> bytes(std::uniform_int_distribution<std::size_t>(0, max_size)(rng));
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  return bytes;
}

std::string_view test_engine() { return CODECACHE_TEST_ENGINE; }

bool engine_is_luajit() { return engine::id() != Engine::lua51; }

std::string profile_name(Profile profile) { return std::string(to_string(profile)); }

CwdGuard::CwdGuard(const std::filesystem::path& dir) : previous_(std::filesystem::current_path()) {
  std::filesystem::current_path(dir);
}

CwdGuard::~CwdGuard() {
  std::error_code ec;
  std::filesystem::current_path(previous_, ec);
}

std::string dump_bytecode(std::string_view source, bool strip, std::string_view chunkname) {
  lua_State* L = luaL_newstate();
  if (L == nullptr) throw std::runtime_error("luaL_newstate failed");
  luaL_openlibs(L);
  std::string bytes;
  std::string error;
  lua_getfield(L, LUA_GLOBALSINDEX, "string");
  lua_getfield(L, -1, "dump");
  std::string name(chunkname);
  if (luaL_loadbuffer(L, source.data(), source.size(), name.c_str()) != 0) {
    error = lua_tostring(L, -1);
  } else {
    lua_pushboolean(L, strip ? 1 : 0);
    if (lua_pcall(L, 2, 1, 0) != 0) {
      error = lua_tostring(L, -1);
    } else {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      bytes.assign(s, len);
    }
  }
  lua_close(L);
  if (!error.empty()) throw std::runtime_error("dump_bytecode: " + error);
  return bytes;
}

}  // namespace codecache::test
