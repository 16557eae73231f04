if x then
foo()