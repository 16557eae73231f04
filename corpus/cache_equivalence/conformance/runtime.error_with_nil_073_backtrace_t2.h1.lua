local function bar()
    error(nil)
end
local function foo()
    bar()
end
foo()