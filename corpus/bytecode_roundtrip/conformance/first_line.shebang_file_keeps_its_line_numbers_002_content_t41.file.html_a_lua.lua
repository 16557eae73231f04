#!/bin/lua

ngx.say("line ", debug.getinfo(1).currentline)
