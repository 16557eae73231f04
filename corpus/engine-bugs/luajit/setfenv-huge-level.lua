-- Run under the fuzz preset (UBSan): build-fuzz/bin/fuzz_chunk_loader_luajit2 THIS_FILE
-- Both LuaJITs: lj_debug.c:32:14: runtime error: signed integer overflow: -2147483648 - 1.
-- PUC Lua 5.1: "bad argument #1 to 'setfenv' (invalid level)", no UB.
setfenv(9999999999, {})
