setfenv(0, {ngx = ngx}) v = 1
--[[B]]
ngx.say(v)