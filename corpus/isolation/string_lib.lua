string.leak = 1
--[[B]]
ngx.say(string.leak)