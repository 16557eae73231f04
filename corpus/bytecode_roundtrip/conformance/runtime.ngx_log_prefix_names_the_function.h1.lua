local function helper()
    ngx.log(ngx.ERR, "from helper")
end
helper()