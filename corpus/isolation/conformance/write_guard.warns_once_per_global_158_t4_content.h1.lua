if not foo then
    foo = 1
else
    ngx.log(ngx.WARN, "old foo: ", foo)
    foo = foo + 1
end
ngx.say(foo)