ngx.say("loading") return {}
