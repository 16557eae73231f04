-- Run as a content handler: `build/bin/codecache run --engine luajit -e "$(cat THIS_FILE)"`.
-- Expected (PUC Lua 5.1, and LuaJIT after jit.off()): the first pass of the last loop raises
-- "bad argument #1 to 'floor' (number expected, got no value)" and nothing is printed.
-- Both LuaJITs print "true" first (math.floor returned a number), then raise the error.
local a, b, c, s, t, u = 1, 2, 3, "abc", {1, 2, 3}, {x = 1}
local function show(v) local ty = type(v) if ty == "table" or ty == "function" then return ty end return tostring(v) end
local function nn(v) if v ~= v then return 0 end return v end
t[#t + 1] = nn(("3.0" < string.format("%s", "10")))
do local g = 0 while g < 4 and ((true and true) and (true and true)) do g = g + 1
do local g = 0 while g < 4 and ((true and true) and (true and true)) do g = g + 1
table.insert(t, nn(math.max(nn(math.max(nn(0), nn(1))), nn(math.max(nn(0), nn(0))))))
end end
if (string.sub(s, -3, 6) ~= string.sub(string.rep(s, 2), 2, 6)) then
table.insert(t, nn(math.max(nn(0), nn(0))))
end
end end
do local g = 0 while g < 4 and ((true and true) and (true and true)) do g = g + 1
ngx.say(show((math.floor(string.byte("-0", 4)) <= 1e15)))
end end
