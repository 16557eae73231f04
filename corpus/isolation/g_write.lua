_G.x = 5
--[[B]]
ngx.say(_G.x)