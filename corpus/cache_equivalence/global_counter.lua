x = (x or 0) + 1 ngx.say(x)
