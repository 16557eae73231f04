local s = [==[
]] ]=] ]==] ngx.say(#s)