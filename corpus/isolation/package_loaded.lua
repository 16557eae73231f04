package.loaded.m = {1}
--[[B]]
ngx.say(package.loaded.m)