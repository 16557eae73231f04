local function bar()
    return lua_concat(3)
end
local function foo()
    bar()
end
foo()