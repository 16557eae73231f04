local mt = getmetatable("") if type(mt) == "table" then mt.__index = {} end
--[[B]]
ngx.say(("x"):upper())