// The ngx API (see ngx_api.h). Every function reaches the running request through
// context_of(L).request; outside a request they behave as in ngx_lua's init phase.
#include "core/model/ngx_api.h"

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/plumbing/capped_text.h"
#include "core/hardening/execution_budget.h"
#include "core/plumbing/request_state.h"

namespace codecache {
namespace {

// The request the ngx API works on: none while the closure factory runs
// (VmContext::factory_running; factory.case "the escape has no request").
RequestState* current_request(lua_State* L) {
  const VmContext& ctx = context_of(L);
  return ctx.factory_running ? nullptr : ctx.request;
}
// The request being served, whose log and budget every line and limit goes to.
RequestState* serving_request(lua_State* L) { return context_of(L).request; }

// A number as ngx.say, ngx.print and ngx.log write it (ngx_http_lua_output.h,
// ngx_http_lua_write_num), not as Lua's tostring does: a whole number in int32
// range as an integer (so -0 is "0"), anything else with C's "%.14g" ("inf",
// "-nan"). nginx tests the range by casting to int32_t and back; here the range
// is tested first, so no out-of-range cast happens.
void append_ngx_number(lua_State* L, int index, CappedText& out) {
  const double num = static_cast<double>(lua_tonumber(L, index));
  char text[64];
  if (num >= INT32_MIN && num <= INT32_MAX && num == std::trunc(num)) {
    // The same digits as "%d", without printf's format parsing (most of a small
    // handler's ngx.say cost when it printed an integer).
    const auto end = std::to_chars(text, text + sizeof text, static_cast<int>(num)).ptr;
    out.append({text, static_cast<std::size_t>(end - text)});
  } else {
    std::snprintf(text, sizeof text, "%.14g", num);
    out.append(text);
  }
}

// ngx.say / ngx.print flatten their arguments as ngx_lua does
// (ngx_http_lua_output.c: ngx_http_lua_ngx_echo, ngx_http_lua_calc_strlen_in_table,
// ngx_http_lua_copy_str_in_table): strings and numbers as they are, nil, true,
// false, ngx.null as "null", and array tables element by element, 1 to their
// largest key, nested tables in place. The bytes go into a CappedText within the
// room left in the body, so flattening stops where the harness's output cap is
// passed, however often the arguments reach the same data (ngx_lua has no cap).

void append_value(lua_State* L, int index, int arg, CappedText& out);

// The largest key of the table at `index`, every key being a positive integer
// (ngx_http_lua_calc_strlen_in_table). ngx_lua keeps it in an int: a key past
// INT_MAX converts as x86-64 converts it (cvttsd2si gives INT_MIN), so the table
// flattens as empty unless a later key in lua_next's order is larger.
int array_length(lua_State* L, int index, int arg) {
  int max = 0;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pollinterrupt(L);  // a big table reached many times runs no instruction
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      const lua_Number key = lua_tonumber(L, -1);
      if (std::floor(key) == key && key >= 1) {
        if (key > max) max = key < 2147483648.0 ? static_cast<int>(key) : INT_MIN;
        continue;
      }
    }
    luaL_argerror(L, arg, "non-array table found");
  }
  return max;
}

void append_table(lua_State* L, int index, int arg, CappedText& out) {
  // Each level of nesting holds one slot, and lua_next two more. PUC Lua's
  // lua_rawgeti and lua_next never grow the stack, so ask for them; past
  // LUAI_MAXCSTACK the engine refuses, which also ends a table that holds itself
  // (on LuaJIT ngx_lua's recursion ends the same way, in a stack overflow).
  if (!lua_checkstack(L, 3)) {
    if (RequestState* r = serving_request(L)) r->budget.stack_overflow_raised = true;
    luaL_error(L, "stack overflow (table nested too deeply)");
  }
  const int max = array_length(L, index, arg);
  for (std::int64_t i = 1; i <= max && !out.full(); ++i) {
    // Nothing to write (empty tables reached 2^60 times) runs no instruction
    // either: the CPU watchdog's interrupt raises the budget's error here.
    lua_pollinterrupt(L);
    lua_rawgeti(L, index, static_cast<int>(i));
    const int type = lua_type(L, -1);
    if (type != LUA_TNUMBER && type != LUA_TSTRING && type != LUA_TNIL &&
        type != LUA_TBOOLEAN && type != LUA_TTABLE &&
        !(type == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == nullptr)) {
      lua_pushfstring(L, "bad data type %s found", lua_typename(L, type));
      luaL_argerror(L, arg, lua_tostring(L, -1));
    }
    append_value(L, lua_gettop(L), arg, out);
    lua_pop(L, 1);
  }
}

void append_value(lua_State* L, int index, int arg, CappedText& out) {
  switch (lua_type(L, index)) {
    case LUA_TNUMBER: append_ngx_number(L, index, out); return;
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      out.append({s, len});
      return;
    }
    case LUA_TNIL: out.append("nil"); return;
    case LUA_TBOOLEAN: out.append(lua_toboolean(L, index) ? "true" : "false"); return;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, index) == nullptr) {
        out.append("null");
        return;
      }
      break;
    case LUA_TTABLE: append_table(L, index, arg, out); return;
    default: break;
  }
  lua_pushfstring(L, "string, number, boolean, nil, ngx.null, or array table expected, but got %s",
                  luaL_typename(L, index));
  luaL_argerror(L, arg, lua_tostring(L, -1));
}

int emit(lua_State* L, bool newline) {
  RequestState* r = current_request(L);
  if (r == nullptr) return luaL_error(L, "no request object found");  // ngx_http_lua_ngx_echo
  if (r->header_only) {
    lua_pushnil(L);
    lua_pushliteral(L, "header only");
    return 2;
  }
  HarnessFrame frame;  // flattening calls no metamethod and polls the interrupt
  CappedText out(r->body_room());
  const int n = lua_gettop(L);
  for (int i = 1; i <= n && !out.full(); ++i) append_value(L, i, i, out);
  if (newline) out.append("\n");
  if (out.full()) {
    r->budget.output_refused = true;
    return luaL_error(L, "response body exceeds the harness output limit");
  }
  // The first output sends the header; with a status that has no body, nginx's
  // header filter (ngx_http_header_filter_module.c) marks the request header only
  // and ngx_http_lua_send_chain_link drops the data (runtime.case "a 204 reply has
  // no body").
  const int status = r->status_or_ok();
  if (!r->headers_sent && (status == 204 || status == 304)) {
    r->headers_sent = true;
    r->header_only = true;
    lua_pushinteger(L, 1);
    return 1;
  }
  if (!r->send(out.str())) {
    r->budget.output_refused = true;
    return luaL_error(L, "response body exceeds the harness output limit");
  }
  r->headers_sent = true;
  lua_pushinteger(L, 1);
  return 1;
}

int ngx_say(lua_State* L) { return emit(L, true); }
int ngx_print(lua_State* L) { return emit(L, false); }

// ngx.flush([wait]) (ngx_http_lua_output.c ngx_http_lua_ngx_flush): one boolean
// argument at most; until the header went out, and unless it waits until some
// body data did too, there is nothing to flush: nil and "nothing to flush", and
// the header is still unsent (a later error is still a 500). Pinned by the
// runtime.case cases "ngx.flush ...".
int ngx_flush(lua_State* L) {
  const int n = lua_gettop(L);
  if (n > 1) return luaL_error(L, "attempt to pass %d arguments, but accepted 0 or 1", n);
  bool wait = false;
  if (n == 1) {
    luaL_checktype(L, 1, LUA_TBOOLEAN);
    wait = lua_toboolean(L, 1) != 0;
  }
  RequestState* r = current_request(L);
  if (r == nullptr) return luaL_error(L, "no request found");
  if (r->header_only) {
    lua_pushnil(L);
    lua_pushliteral(L, "header only");
    return 2;
  }
  if (!r->headers_sent || (r->body().empty() && !wait)) {
    lua_pushnil(L);
    lua_pushliteral(L, "nothing to flush");
    return 2;
  }
  lua_pushinteger(L, 1);
  return 1;
}

// ngx_lua's log prefix (ngx_http_lua_log.c log_wrapper): "<basename of
// short_src>:<line>: [<name>(): ]". A function's name can be a string constant of
// any length, so it is appended within the message's cap like the rest.
void append_caller_prefix(lua_State* L, CappedText& out) {
  lua_Debug ar{};
  if (!lua_getstack(L, 1, &ar) || !lua_getinfo(L, "Snl", &ar)) {
    out.append("?:0: ");
    return;
  }
  const char* base = ar.short_src;
  for (const char* p = ar.short_src; *p; ++p)
    if (*p == '/' || *p == '\\') base = p + 1;
  out.append(base);
  out.append(":");
  out.append(std::to_string(ar.currentline > 0 ? ar.currentline : ar.linedefined));
  out.append(": ");
  if (ar.namewhat != nullptr && *ar.namewhat != '\0' && ar.what != nullptr && *ar.what == 'L' &&
      ar.name != nullptr) {
    out.append(ar.name);
    out.append("(): ");
  }
}

// ngx.log and print (ngx_http_lua_log.c log_wrapper). First every argument is
// checked and every __tostring called, in order, as ngx_lua does before it writes
// anything (a table is replaced by what its __tostring returned); then the message
// is built within the room left in the request's log, with no call back into Lua:
// once the room is full the rest is not copied and the log is truncated.
int write_log(lua_State* L, LogLevel level) {
  RequestState* r = serving_request(L);
  if (r == nullptr || !r->logs(level)) return 0;
  const int n = lua_gettop(L);
  for (int i = 1; i <= n; ++i) {
    switch (lua_type(L, i)) {
      case LUA_TNUMBER:
      case LUA_TSTRING:
      case LUA_TNIL:
      case LUA_TBOOLEAN:
      case LUA_TLIGHTUSERDATA: break;
      case LUA_TTABLE:
        if (!luaL_callmeta(L, i, "__tostring"))
          return luaL_argerror(L, i, "expected table to have __tostring metamethod");
        if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER) {
          lua_pop(L, 1);
          lua_pushliteral(L, "");  // what ngx_lua copies of anything else: nothing
        }
        lua_replace(L, i);
        break;
      default:
        lua_pushfstring(L, "string, number, boolean, or nil expected, got %s",
                        luaL_typename(L, i));
        return luaL_argerror(L, i, lua_tostring(L, -1));
    }
  }
  HarnessFrame frame;
  CappedText message(r->log_room(level));
  message.append("[lua] ");
  append_caller_prefix(L, message);
  for (int i = 1; i <= n && !message.full(); ++i) {
    switch (lua_type(L, i)) {
      case LUA_TNUMBER: append_ngx_number(L, i, message); break;
      case LUA_TSTRING: {
        size_t len = 0;
        const char* s = lua_tolstring(L, i, &len);
        message.append({s, len});
        break;
      }
      case LUA_TNIL: message.append("nil"); break;
      case LUA_TBOOLEAN: message.append(lua_toboolean(L, i) ? "true" : "false"); break;
      default:  // a light userdata: ngx.null
        if (lua_touserdata(L, i) == nullptr) message.append("null");
        break;
    }
  }
  if (message.full()) {
    r->truncate_log(level);
  } else {
    r->log(level, message.str());
  }
  return 0;
}

int ngx_log(lua_State* L) {
  int level = luaL_checkint(L, 1);
  if (level < static_cast<int>(LogLevel::stderr_) || level > static_cast<int>(LogLevel::debug)) {
    lua_pushfstring(L, "bad log level: %d", level);
    return luaL_argerror(L, 1, lua_tostring(L, -1));
  }
  lua_remove(L, 1);
  return write_log(L, static_cast<LogLevel>(level));
}

int lua_print(lua_State* L) { return write_log(L, LogLevel::notice); }

int ngx_exit(lua_State* L) {
  int code = luaL_checkint(L, 1);
  RequestState* r = current_request(L);
  if (r == nullptr) return luaL_error(L, "no request found");
  // resty.core's ngx.exit (lib/resty/core/exit.lua) refuses these two.
  if (code == kNgxAgain || code == kNgxDone)
    return luaL_error(L, "bad argument to 'ngx.exit': does not accept NGX_AGAIN or NGX_DONE");
  // ngx_http_lua_control.c, ngx_http_lua_ffi_exit: after the header, an error
  // status cannot be sent any more; it is logged when it differs from the one
  // sent, and the request ends normally.
  if (r->headers_sent && code >= 300 && !terminates_connection(code)) {
    const int sent = r->status_or_ok();
    if (code != sent) {
      // nginx holds the status as an ngx_uint_t and logs it with %ui: a negative
      // ngx.status shows as its 64-bit two's complement.
      const auto as_ngx_uint = static_cast<std::uint64_t>(static_cast<std::int64_t>(sent));
      HarnessFrame frame;
      r->log(LogLevel::err, "attempt to set status " + std::to_string(code) +
                                " via ngx.exit after sending out the response status " + std::to_string(as_ngx_uint));
    }
    code = 200;
  }
  r->exited = true;
  r->exit_code = code;
  r->budget.exit_requested = true;
  // The entry thread yields to the scheduler; from a user coroutine or a pcall the
  // budget hook unwinds the rest of the request on the next instruction.
  unwind_on_next_instruction(L);
  return lua_yield(L, 0);
}

int ngx_sleep(lua_State* L) {
  luaL_checknumber(L, 1);
  if (current_request(L) == nullptr) return luaL_error(L, "no request found");
  return lua_yield(L, 0);
}

int ngx_get_phase(lua_State* L) {
  lua_pushstring(L, current_request(L) != nullptr ? "content" : "init");
  return 1;
}

int ngx_index(lua_State* L) {  // __index(ngx, key) for the magic fields
  const char* key = lua_tostring(L, 2);
  if (key != nullptr && std::strcmp(key, "status") == 0) {
    RequestState* r = current_request(L);
    lua_pushinteger(L, r != nullptr ? r->status_set : 0);
    return 1;
  }
  return 0;
}

int ngx_newindex(lua_State* L) {  // __newindex(ngx, key, value)
  const char* key = lua_tostring(L, 2);
  if (key != nullptr && std::strcmp(key, "status") == 0) {
    RequestState* r = current_request(L);
    int status = luaL_checkint(L, 3);
    if (r == nullptr) return luaL_error(L, "no request found");
    if (r->headers_sent) {
      HarnessFrame frame;
      r->log(LogLevel::err, "attempt to set ngx.status after sending out response headers");
      return 0;
    }
    r->status_set = status;
    return 0;
  }
  lua_rawset(L, 1);
  return 0;
}

void set_int(lua_State* L, const char* name, int value) {
  lua_pushinteger(L, value);
  lua_setfield(L, -2, name);
}

}  // namespace

void open_ngx_api(lua_State* L) {
  lua_createtable(L, 0, 64);
  const luaL_Reg functions[] = {
      {"say", ngx_say},     {"print", ngx_print},         {"flush", ngx_flush},
      {"log", ngx_log},     {"exit", ngx_exit},           {"sleep", ngx_sleep},
      {"get_phase", ngx_get_phase}, {nullptr, nullptr}};
  for (const luaL_Reg* f = functions; f->name != nullptr; ++f) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, -2, f->name);
  }
  const char* levels[] = {"STDERR", "EMERG", "ALERT", "CRIT", "ERR",
                          "WARN",   "NOTICE", "INFO", "DEBUG"};
  for (int i = 0; i < 9; ++i) set_int(L, levels[i], i);
  set_int(L, "OK", 0);
  set_int(L, "ERROR", -1);
  set_int(L, "AGAIN", -2);
  set_int(L, "DONE", -4);
  set_int(L, "DECLINED", -5);
  const struct { const char* name; int code; } http[] = {
      {"HTTP_OK", 200}, {"HTTP_CREATED", 201}, {"HTTP_NO_CONTENT", 204},
      {"HTTP_MOVED_PERMANENTLY", 301}, {"HTTP_MOVED_TEMPORARILY", 302},
      {"HTTP_NOT_MODIFIED", 304}, {"HTTP_BAD_REQUEST", 400}, {"HTTP_UNAUTHORIZED", 401},
      {"HTTP_FORBIDDEN", 403}, {"HTTP_NOT_FOUND", 404}, {"HTTP_NOT_ALLOWED", 405},
      {"HTTP_INTERNAL_SERVER_ERROR", 500}, {"HTTP_BAD_GATEWAY", 502},
      {"HTTP_SERVICE_UNAVAILABLE", 503}, {"HTTP_GATEWAY_TIMEOUT", 504}};
  for (const auto& h : http) set_int(L, h.name, h.code);
  lua_pushlightuserdata(L, nullptr);
  lua_setfield(L, -2, "null");

  lua_createtable(L, 0, 2);  // metatable for ngx.status
  lua_pushcfunction(L, ngx_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ngx_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);

  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "ngx");
  lua_pop(L, 1);
  lua_setfield(L, LUA_GLOBALSINDEX, "ngx");

  lua_pushcfunction(L, lua_print);
  lua_setfield(L, LUA_GLOBALSINDEX, "print");
}

}  // namespace codecache
