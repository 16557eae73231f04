ngx.say("from a BOM file")
