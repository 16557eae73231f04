ngx.say("ok") -- blah
