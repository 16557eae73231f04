
    ngx.say("hello"
        