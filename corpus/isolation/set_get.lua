key = 1 ngx.say("set")
--[[B]]
ngx.say(key or "nil")