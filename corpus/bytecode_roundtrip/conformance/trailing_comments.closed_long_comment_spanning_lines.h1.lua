ngx.say("ok") --[[ one
two
three ]]