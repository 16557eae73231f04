variable = "Test"
return true
