ngx.say("ok")
--[[
line three
line four