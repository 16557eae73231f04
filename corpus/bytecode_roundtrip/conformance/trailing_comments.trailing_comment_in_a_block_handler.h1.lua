
    ngx.say("ok") -- the last word
