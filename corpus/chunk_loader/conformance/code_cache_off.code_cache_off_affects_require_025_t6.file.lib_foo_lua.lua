module(..., package.seeall); ngx.say(32);
