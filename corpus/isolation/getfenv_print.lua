getfenv(print).w = 1
--[[B]]
ngx.say(w)