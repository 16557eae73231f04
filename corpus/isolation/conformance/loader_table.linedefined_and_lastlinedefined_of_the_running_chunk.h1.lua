local info = debug.getinfo(1, "S")
ngx.say(info.linedefined, " ", info.lastlinedefined)