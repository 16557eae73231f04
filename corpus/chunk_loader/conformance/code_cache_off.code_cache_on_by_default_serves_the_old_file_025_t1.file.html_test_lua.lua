ngx.say(32)
