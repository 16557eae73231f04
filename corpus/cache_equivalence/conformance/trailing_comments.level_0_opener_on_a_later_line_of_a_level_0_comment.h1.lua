ngx.say("ok")
--[[
one
[[ ]]