local t = nil
local function f() return t.x end
local ok, err = pcall(f)
ngx.say(ok, " ", err)
local a
ngx.say(a + 1)
