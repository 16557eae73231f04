rawset(_G, "y", 1)
--[[B]]
ngx.say(y)