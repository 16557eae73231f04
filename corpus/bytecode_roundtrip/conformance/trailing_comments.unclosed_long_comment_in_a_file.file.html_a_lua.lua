ngx.say("ok")
--[==[ open