-- Run as a content handler: `build/bin/codecache run --engine luajit -e "$(cat THIS_FILE)"`.
-- Expected (PUC Lua 5.1): runtime error "bad argument #1 to 'floor' (number expected, got no value)".
-- Both LuaJITs print 7: the first argument of f, a stale stack slot.
local function g() end
local function f(a) return math.floor(g()) end
ngx.say(f(7))
