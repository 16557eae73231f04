local x = 1
error("in file")
