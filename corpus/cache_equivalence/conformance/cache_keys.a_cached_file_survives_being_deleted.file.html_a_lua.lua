ngx.say("still here")
