ngx.say(1)
ngx.say(2)
-- c
