local function level3() error("deep") end
local function level2() level3() end
local function level1() level2() end
level1()