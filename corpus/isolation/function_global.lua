function f() return 1 end
--[[B]]
ngx.say(f and f() or "nil")