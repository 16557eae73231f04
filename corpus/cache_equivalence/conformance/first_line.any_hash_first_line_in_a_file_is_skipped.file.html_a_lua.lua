# not a shebang, still skipped
ngx.say("ok")
