#!/bin/lua
ngx.say("ok")
for end
