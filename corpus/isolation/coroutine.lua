coroutine.wrap(function() c = 1 end)()
--[[B]]
ngx.say(c)