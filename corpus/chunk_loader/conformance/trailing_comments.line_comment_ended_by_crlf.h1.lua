ngx.say("ok") -- blah
