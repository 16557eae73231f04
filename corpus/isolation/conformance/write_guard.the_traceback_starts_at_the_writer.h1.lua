local function set_it()
    conform_deep = 1
end
set_it()