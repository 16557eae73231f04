// The life of one request (see request.h).
#include "core/model/request.h"

#include <cerrno>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/plumbing/capped_text.h"
#include "core/model/chunk_loader.h"
#include "core/hardening/execution_budget.h"
#include "core/model/request_env.h"
#include "core/model/traceback.h"
#include "core/engine/engine.h"

namespace codecache {
namespace {

// Outcome::load_error keeps at most this much of the loader's message (the log
// line keeps it within the log's own room): a syntax error quotes at most one
// token of the source, which no fuzz target makes longer than this.
constexpr std::size_t kLoadErrorMax = 64 * 1024;

// Sets the running request for the ngx API for one scope.
class ServingScope {
 public:
  ServingScope(VmContext& ctx, RequestState& state) : ctx_(ctx) { ctx_.request = &state; }
  ~ServingScope() { ctx_.request = nullptr; }
  ServingScope(const ServingScope&) = delete;
  ServingScope& operator=(const ServingScope&) = delete;

 private:
  VmContext& ctx_;
};

// The absolute path ngx_lua loads and logs a file handler by (it rebases the
// configured path before loading, ngx_http_lua_rebase_path).
std::string script_path(const Handler& h) {
  return std::filesystem::absolute(h.source).lexically_normal().string();
}

// What nginx's "%s" prints of a Lua string: its bytes up to the first NUL. ngx_lua
// logs load, factory and runtime errors and the traceback that way
// (ngx_http_lua_cache.c, ngx_http_lua_cache_load_code and
// ngx_http_lua_cache_loadbuffer; ngx_http_lua_util.c, ngx_http_lua_run_thread).
std::string_view as_c_string(std::string_view text) { return text.substr(0, text.find('\0')); }

std::string load_error_prefix(const Handler& h) {
  if (h.kind == Handler::Kind::file) {
    return "failed to load external Lua file \"" + script_path(h) + "\": ";
  }
  return "failed to load inlined Lua code: ";
}

// Whether a runtime error's message names a stack overflow ("stack overflow",
// "C stack overflow", "stack overflow (<what>)"). The engines count the overflows
// they raise (engine::stack_overflows) but do not mark the error value they raise,
// and a handler may catch a real overflow with pcall and then fail otherwise: the
// text is the one sign that the error that ended the request is an overflow. The
// count (or the harness's own flag) then tells a real one from a script's
// error("stack overflow") (RequestState::conclude).
bool names_stack_overflow(std::string_view message) {
  return message.find("stack overflow") != std::string_view::npos;
}

// lua_tostring of an error value, or "unknown reason" (a table's __tostring is
// not used: observed on ngx_lua 0.10.23).
int describe_error_value(lua_State* L) {
  if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) {
    lua_pushvalue(L, 1);
    return 1;
  }
  lua_pushliteral(L, "unknown reason");
  return 1;
}

}  // namespace

Request::Request(Vm& vm, Handler& handler)
    : vm_(&vm),
      state_(vm.settings().log_level, vm.settings().limits.memory_bytes),
      stack_overflows_at_start_(engine::stack_overflows()) {
  start(handler);
}

Request::~Request() { release_thread(); }

void Request::start(Handler& handler) {
  lua_State* L = vm_->state();
  VmContext& ctx = vm_->context();
  const Profile profile = vm_->settings().profile;
  state_.cache_key = handler.cache_key;

  std::optional<RequestGlobals> globals;  // classic and sealed: the request's globals T

  bool from_cache = false;
  const bool loaded = load(handler, from_cache);
  // With the code cache off the state is `off` whether or not the load succeeds.
  state_.cache = !vm_->settings().code_cache ? CacheState::off
                 : from_cache                 ? CacheState::hit
                                              : CacheState::miss;
  if (!loaded) return finish(Ending::load_failed);

  if (profile != Profile::openresty) {
    // The closure factory makes the request's closure. classic: on the main thread
    // with the main globals, before the request's thread exists, as ngx_lua
    // (ngx_http_lua_cache.c, ngx_http_lua_cache_loadbuffer, calls the factory;
    // ngx_http_lua_contentby.c, ngx_http_lua_content_by_chunk, then makes the
    // thread); sealed: on the request's own thread, whose globals are its sealed T
    // (give_request_globals).
    lua_State* factory_thread = L;
    if (profile == Profile::sealed) {
      start_thread();
      globals = give_request_globals(co_, profile, &state_);
      factory_thread = co_;
    }
    int status;
    {
      ServingScope serving(ctx, state_);
      ctx.factory_running = true;
      status = run_budgeted(ctx, state_.budget, factory_thread,
                            [&] { return lua_pcall(factory_thread, 0, 1, 0); });
      ctx.factory_running = false;
    }
    if (ctx.abandoned) return finish_abandoned();
    if (status != 0) {
      size_t len = 0;
      const char* err = lua_tolstring(factory_thread, -1, &len);
      state_.load_failure = LoadFailure::factory;
      state_.load_error = err != nullptr ? std::string_view(err, len).substr(0, kLoadErrorMax) : "unknown error";
      if (from_cache) {
        state_.log(LogLevel::err, {"lua: failed to run factory at key \"", handler.cache_key.view(),
                                   "\": ", err != nullptr ? as_c_string({err, len}) : "unknown error"});
      } else {
        state_.log(LogLevel::err,
                   {load_error_prefix(handler), "fail to generate new closure from the closure factory"});
      }
      lua_pop(factory_thread, 1);
      return finish(Ending::factory_failed);
    }
  }

  if (co_ == nullptr) start_thread();
  if (profile == Profile::classic) {
    give_request_globals(co_, profile, &state_);
  } else if (globals) {
    globals->set_env_of_top();  // sealed: the closure the factory returned
  }
}

// The request's thread, anchored, with the function on top of L's stack moved to it.
void Request::start_thread() {
  lua_State* L = vm_->state();
  co_ = lua_newthread(L);
  anchor_thread();  // pops the thread; the function is on top again
  lua_xmove(L, co_, 1);
}

bool Request::load(Handler& handler, bool& from_cache) {
  lua_State* L = vm_->state();
  VmContext& ctx = vm_->context();
  if (handler.cache_vm != ctx.id) {
    // A ref into another VM's cache means nothing here. ngx_lua 0.10.23 (the
    // real referee) still does not reset it when the code cache is off, so the
    // fresh VM's lookup logs that stale ref and misses (ngx_http_lua_contentby.c,
    // ngx_http_lua_content_handler_inline passes &llcf->content_src_ref as it is;
    // the reset came with ngx_lua's commit a47ad520; cache_keys.case, "inline keys
    // with the code cache off"); a VM replaced after it was abandoned (our own,
    // with the cache on) starts over.
    if (vm_->settings().code_cache) handler.cache_ref = kRefNil;
    handler.cache_vm = ctx.id;
  }
  from_cache = CodeCache::lookup(L, handler.cache_key, handler.cache_ref, state_.cache_events);
  if (state_.logs(LogLevel::debug)) {
    for (const CacheEvent& event : state_.cache_events) {
      state_.log(LogLevel::debug, describe(event, handler.cache_key.view()));
    }
  }
  if (from_cache) return true;

  const LoaderKind kind =
      vm_->settings().profile == Profile::openresty ? LoaderKind::direct : LoaderKind::factory;
  LoadResult result;
  {
    ServingScope serving(ctx, state_);
    BudgetScope budget(ctx, state_.budget, L);
    if (handler.kind == Handler::Kind::file) {
      // ngx_lua's classic build with the code cache off builds the request's VM
      // first; its failed module searches (resty.core asks for thread.exdata,
      // which stock LuaJIT lacks) leave errno at ENOENT (observed on 0.10.23).
      const Settings& s = vm_->settings();
      const int stale_errno = s.profile == Profile::classic && !s.code_cache ? ENOENT : 0;
      result = s.files ? load_file(L, kind, script_path(handler), stale_errno, s.files)
                       : load_file(L, kind, script_path(handler), stale_errno);
    } else {
      result = load_inline(L, kind, handler.source, handler.chunkname.c_str());
    }
  }
  if (!result.ok()) {  // failed loads are never cached: the next request retries
    state_.log(LogLevel::err, {load_error_prefix(handler), as_c_string(result.message)});
    state_.load_failure = result.lua_status == LUA_ERRFILE ? LoadFailure::read : LoadFailure::compile;
    state_.load_error = std::string_view(result.message).substr(0, kLoadErrorMax);
    state_.load_status = result.http_status();
    if (result.lua_status == LUA_ERRMEM) state_.budget.memory_refused = true;
    return false;
  }
  CodeCache::store(L, handler.cache_key, handler.cache_ref);
  return true;
}

bool Request::resume() {
  if (finished_) return true;
  VmContext& ctx = vm_->context();
  if (ctx.abandoned) {  // another request on this VM was cut off while this one paused
    finish_abandoned();
    return true;
  }
  int status;
  {
    ServingScope serving(ctx, state_);
    status = run_budgeted(ctx, state_.budget, co_, [&] { return lua_resume(co_, 0); });
  }
  if (ctx.abandoned) {
    finish_abandoned();
    return true;
  }
  if (status == LUA_YIELD && !state_.exited) {
    lua_settop(co_, 0);  // a pause: what it yielded is dropped
    return false;
  }
  if (status == 0 || state_.exited || is_exit_sentinel(co_, -1)) {
    finish(state_.exited ? Ending::exited : Ending::returned);
    return true;
  }
  finish_with_runtime_error(co_, status);
  return true;
}

// The line is built once, within the room left in the log: the error value stays
// on the main thread's stack meanwhile (it is a string of the Lua heap, which the
// memory cap counts), and the traceback is built within the same room.
void Request::finish_with_runtime_error(lua_State* thread, int status) {
  lua_State* L = vm_->state();
  std::string_view message = "unknown reason";
  bool described = false;
  if (status == LUA_ERRMEM) {
    message = "not enough memory";
  } else {
    VmContext& ctx = vm_->context();
    lua_pushcfunction(L, describe_error_value);
    lua_xmove(thread, L, 1);
    ServingScope serving(ctx, state_);
    const int rc = run_budgeted(ctx, state_.budget, L, [&] { return lua_pcall(L, 1, 1, 0); });
    if (ctx.abandoned) return finish_abandoned();
    described = true;
    size_t len = 0;
    const char* s = rc == 0 && lua_isstring(L, -1) ? lua_tolstring(L, -1, &len) : nullptr;
    if (s != nullptr) message = std::string_view(s, len);
  }
  CappedText trace(state_.log_room(LogLevel::err));
  append_thread_traceback(thread, trace);
  if (trace.full()) {
    state_.truncate_log(LogLevel::err);
  } else {
    state_.log(LogLevel::err,
               {"lua entry thread aborted: runtime error: ", as_c_string(message), "\n", as_c_string(trace.str())});
  }
  state_.error_names_stack_overflow = names_stack_overflow(message);
  state_.engine_raised_stack_overflow = engine::stack_overflows() != stack_overflows_at_start_;
  if (described) lua_pop(L, 1);
  finish(Ending::runtime_error);
}

void Request::finish(Ending ending) {
  state_.ending = ending;
  state_.conclude(outcome_);
  finished_ = true;
  release_thread();
  vm_->settle();
}

void Request::finish_abandoned() {
  state_.log(LogLevel::err,
             "lua entry thread aborted: runtime error: CPU time budget exhausted inside a C "
             "function (hard deadline); the VM was abandoned");
  state_.ending = Ending::abandoned;
  state_.conclude(outcome_);
  co_ = nullptr;  // the VM is never touched again
  finished_ = true;
}

void Request::anchor_thread() { anchor_ = vm_->anchors().hold(vm_->state()); }

void Request::release_thread() {
  if (co_ == nullptr) return;
  vm_->anchors().release(anchor_);
  co_ = nullptr;
}

}  // namespace codecache
