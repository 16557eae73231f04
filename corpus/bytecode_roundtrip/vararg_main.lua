local n = select("#", ...)
ngx.say("args ", n)
