local _M = {}
ngx.say("loading")
function _M.hi() ngx.say("hello, foo") end
return _M
