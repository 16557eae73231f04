ngx.say("a") error("late")
