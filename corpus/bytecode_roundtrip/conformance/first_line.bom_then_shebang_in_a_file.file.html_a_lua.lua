#!/bin/lua
ngx.say("ok")
