local function boom()
    error("boom")
end
boom()