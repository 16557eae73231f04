ngx.say("a")
