#!/bin/lua
ngx.say(debug.getinfo(1).currentline)