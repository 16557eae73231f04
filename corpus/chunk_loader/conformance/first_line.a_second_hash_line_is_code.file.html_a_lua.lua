#!/bin/lua
#!/bin/lua
ngx.say("ok")
