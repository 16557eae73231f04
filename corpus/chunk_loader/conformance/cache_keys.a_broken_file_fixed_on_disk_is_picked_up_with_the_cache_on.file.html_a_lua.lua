ngx.say(
