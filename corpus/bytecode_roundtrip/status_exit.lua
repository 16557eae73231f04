ngx.status = 201
for i = 1, 3 do ngx.say(i * i) end
if ngx.status == 201 then ngx.exit(201) end
ngx.say("not reached")
