local n = select("#", ...) ngx.say(n)
