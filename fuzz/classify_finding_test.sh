#!/usr/bin/env bash
# Checks fuzz/classify_finding.sh on typical reports: engine frames on top make an
# engine finding, everything else (core frames, property violations, timeouts,
# out-of-memory) a harness finding. Run by ctest (label fuzz-regression).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
expect() {  # expect WANT ARTIFACT_NAME REPORT_TEXT
  printf '%s\n' "$3" >"$tmp/report"
  got=$(bash "$here/classify_finding.sh" "$2" "$tmp/report")
  if [ "$got" != "$1" ]; then echo "FAIL: $2: want '$1', got '$got'" >&2; failures=$((failures + 1)); fi
}
expect "engine luajit" crash-a \
  "/x/build-fuzz/engines/luajit-build/src/lj_strfmt.c:290:11: runtime error: negation of -9223372036854775808"
expect "engine lua51" crash-b "==1==ERROR: AddressSanitizer: heap-buffer-overflow
    #0 0x55 in __asan_memcpy /build/llvm-toolchain-14/compiler-rt/lib/asan/asan_interceptors.cpp:22:3
    #1 0x55 in luaS_newlstr /x/build-fuzz/engines/lua51-src/src/lstring.c:80:3
    #2 0x55 in codecache::Request::load(codecache::Handler&, bool&) /x/core/model/request.cc:136"
expect "engine luajit2" crash-c "==1==ERROR: AddressSanitizer: SEGV on unknown address
    #0 0x55 in lj_tab_get /x/build-fuzz/engines/luajit2-build/src/lj_tab.c:400:1"
expect "harness crash" crash-d "==1==ERROR: AddressSanitizer: heap-use-after-free
    #0 0x55 in codecache::Request::load(codecache::Handler&, bool&) /x/core/model/request.cc:136
    #1 0x55 in lua_pcall /x/build-fuzz/engines/lua51-src/src/lapi.c:80:3"
expect "harness ubsan" crash-e "/x/core/hardening/memory_budget.cc:10:3: runtime error: signed integer overflow"
# LuaJIT builds in its src/: UBSan names the bare file, its stack the full path
# (setfenv(9999999999, {}) on luajit2, ./harness fuzz on 2026-12-04).
expect "engine luajit2" crash-e2 "lj_debug.c:32:14: runtime error: signed integer overflow: -2147483648 - 1 cannot be represented in type 'int'
    #0 0x55 in lj_debug_frame /x/build-fuzz/engines/luajit2-build/src/lj_debug.c:32:14
    #1 0x55 in lj_cf_setfenv /x/build-fuzz/engines/luajit2-build/src/lib_base.c:172:9"
# A bare file name whose stack starts in the core stays the harness's.
expect "harness ubsan" crash-e3 "request.cc:10:3: runtime error: signed integer overflow
    #0 0x55 in codecache::Request::resume() /x/core/model/request.cc:10:3
    #1 0x55 in lua_resume /x/build-fuzz/engines/luajit2-build/src/lj_api.c:1292:12"
expect "harness property" crash-f "isolation violated (sealed)
    #6 0x7f in abort stdlib/abort.c:79:7
    #7 0x55 in lj_err_throw /x/build-fuzz/engines/luajit-build/src/lj_err.c:1:1"
expect "harness timeout" timeout-g "    #0 0x55 in lj_vm_hook /x/build-fuzz/engines/luajit-build/src/lj_vm.S:1"
expect "harness out-of-memory" oom-h "==1== ERROR: libFuzzer: out-of-memory"
expect "harness api-misuse" crash-i "codecache_fuzz: /x/build-fuzz/engines/lua51-src/src/lapi.c:1021: void lua_rawgeti(lua_State*, int, int): Assertion \`ttistable(t)' failed.
==1== ERROR: libFuzzer: deadly signal
    #0 0x55 in __sanitizer_print_stack_trace
    #3 0x7f in abort stdlib/abort.c:79:7
    #4 0x7f in __assert_fail assert/assert.c:101:3
    #5 0x55 in lua_rawgeti /x/build-fuzz/engines/lua51-src/src/lapi.c:1021:3
    #6 0x55 in codecache::ThreadAnchors::release(lua_State*) /x/core/hardening/thread_anchors.cc:40"
expect "harness api-misuse" crash-j "/x/build-fuzz/engines/luajit2-build/src/lj_api.c:91: lua_settop: assertion failed
==1== ERROR: libFuzzer: deadly signal
    #3 0x7f in abort stdlib/abort.c:79:7
    #4 0x55 in lj_assert_fail /x/build-fuzz/engines/luajit2-build/src/lj_assert.c:27:3
    #5 0x55 in lua_settop /x/build-fuzz/engines/luajit2-build/src/lj_api.c:91:5"
expect "harness api-misuse" crash-k "==1==ERROR: AddressSanitizer: SEGV on unknown address
    #0 0x55 in lua_rawseti /x/build-fuzz/engines/lua51-src/src/lapi.c:611:3
    #1 0x55 in codecache::Request::run(codecache::Handler&) /x/core/model/request.cc:136"
expect "harness property" crash-l "bytecode_roundtrip violated: full dump differs (classic, luajit)
[error] lua entry thread aborted: runtime error: /codecache-fuzz/handler.lua:1: attempt to call global 'y' (a nil value)
    #7 0x55 in violation /x/fuzz/bytecode_roundtrip.cc:163:3"
[ "$failures" -eq 0 ] && echo "ok: classify_finding.sh sorts all 12 reports"
exit $((failures > 0))
