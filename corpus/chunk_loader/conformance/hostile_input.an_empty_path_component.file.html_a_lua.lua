ngx.say("double slash")
