getmetatable(_G).__index.z = 1
--[[B]]
ngx.say(z)