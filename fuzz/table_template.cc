// The table-template evidence of bytecode_roundtrip (table_template.h): jit.util's
// funck walks each proto's GC constants (templates and child protos, in the order
// the dump keeps), and each template is described by its border and its key order.
#include "table_template.h"

#include "core/engine/engine.h"
#include "core/engine/lua_headers.h"
#include "plain_vm.h"

namespace codecache::fuzz {
namespace {

// Arguments: the source's main function, the dump's. Returns the description of
// the first template that differs, or nothing.
constexpr const char kCompare[] = R"lua(
local funck = require("jit.util").funck
local function describe(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  return #t, table.concat(keys, " ")
end
local index = 0
local function walk(a, b)
  local i = -1
  while true do
    local ka, kb = funck(a, i), funck(b, i)
    if ka == nil or kb == nil then return nil end
    if type(ka) == "table" and type(kb) == "table" then
      index = index + 1
      local na, ia = describe(ka)
      local nb, ib = describe(kb)
      if na ~= nb then
        return "template " .. index .. ": border " .. na .. " from source, " .. nb .. " from the dump"
      end
      if ia ~= ib then
        return "template " .. index .. ": keys in the order " .. ia .. " from source, " .. ib .. " from the dump"
      end
    elseif type(ka) == "proto" and type(kb) == "proto" then
      local found = walk(ka, kb)
      if found then return found end
    end
    i = i - 1
  end
end
return walk(...)
)lua";

}  // namespace

std::string template_moved_by_roundtrip(std::string_view source, std::string_view dump,
                                        std::string_view chunkname) {
  if (engine::bytecode_format() != engine::BytecodeFormat::luajit) return {};
  lua_State* L = plain_vm();
  const std::string name(chunkname);
  std::string found;
  lua_settop(L, 0);
  if (luaL_loadbuffer(L, kCompare, sizeof kCompare - 1, "=table_template") == 0 &&
      luaL_loadbuffer(L, source.data(), source.size(), name.c_str()) == 0 &&
      luaL_loadbuffer(L, dump.data(), dump.size(), name.c_str()) == 0 &&
      lua_pcall(L, 2, 1, 0) == 0 && lua_isstring(L, -1)) {
    found = lua_tostring(L, -1);
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT, 0);
  return found;
}

}  // namespace codecache::fuzz
