ngx.say("b")
