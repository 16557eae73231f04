#!/usr/bin/env bash
# Classifies one fuzz finding by the report its minimized input produces.
# Prints "engine <engine>" when the failure is a crash (sanitizer report or fatal
# signal) whose first frame outside the sanitizer runtime, libc and libstdc++ is
# engine code — a file of an engine tree (build*/engines/<engine>-src|-build/, i.e.
# LuaJIT's lj_*.c / lib_*.c, Lua 5.1's l*.c); otherwise "harness <why>": property
# violations (the target aborts from its own code), crashes in the core or the
# target, an abort in the engine's C API check (lapi.c, lj_api.c: the engines are
# built with LUA_USE_APICHECK, and a failed check means the harness misused the
# API, not that the engine is wrong), and every timeout, out-of-memory or leak
# (the harness must bound those whatever the engine does).
#   fuzz/classify_finding.sh ARTIFACT_NAME REPORT_FILE
set -euo pipefail
name=$1 report=$2
case "$name" in
  timeout-*) echo "harness timeout"; exit 0 ;;
  oom-*) echo "harness out-of-memory"; exit 0 ;;
  leak-*) echo "harness leak"; exit 0 ;;
  slow-unit-*) echo "harness slow-unit"; exit 0 ;;
esac
engine_of() {
  sed -n 's#.*/engines/\(lua51\|luajit2\|luajit\)-\(src\|build\)/.*#\1#p' <<<"$1" | head -1
}
# UBSan names the faulting source line first: "<path>:<line>:<col>: runtime error: ...".
# (Anchored: a handler's own log line "lua entry thread aborted: runtime error: …"
# in a property violation's report is not UBSan's.)
# LuaJIT is compiled from inside its src/, so UBSan may name only "lj_debug.c:32:14";
# then the stack UBSan prints (its first "#0" frame, with the full path) says where.
ubsan=$(grep -m1 -E '^[^ ]+:[0-9]+:[0-9]+: runtime error: ' "$report" || true)
if [ -n "$ubsan" ]; then
  engine=$(engine_of "${ubsan%%: runtime error*}")
  if [ -z "$engine" ] && [[ "${ubsan%%: runtime error*}" != */* ]]; then
    engine=$(engine_of "$(grep -m1 -E '^ *#0 0x[0-9a-f]+ in ' "$report" || true)")
  fi
  if [ -n "$engine" ]; then echo "engine $engine"; else echo "harness ubsan"; fi
  exit 0
fi
if grep -q 'violated\|engines disagree\|the harness failed' "$report"; then
  echo "harness property"
  exit 0
fi
# The API check's assertion names its file: "lapi.c:123: ...: Assertion `...' failed"
# (Lua 5.1's assert) or "lj_api.c:123: ...: assertion failed" (LuaJIT's lj_assertL).
if grep -qE '(^|[/ ])(lapi|lj_api)\.c:[0-9]+: .*[Aa]ssertion' "$report"; then
  echo "harness api-misuse"
  exit 0
fi
# First symbolized frame that is not the sanitizer runtime, libFuzzer, libc or libstdc++.
frame=$(grep -E '^ *#[0-9]+ 0x[0-9a-f]+ in ' "$report" |
        grep -vE 'compiler-rt|/sanitizer_common/|/asan/|/ubsan/|/fuzzer/|libc\.so|libc-|libstdc\+\+|/usr/include/|__interceptor_|__asan_|__sanitizer_|abort|raise' |
        head -1 || true)
engine=$(engine_of "$frame")
if [ -n "$engine" ] && grep -qE '/(lapi|lj_api)\.c:' <<<"$frame"; then
  echo "harness api-misuse"  # the crash is in the API's own code, reached by our call
elif [ -n "$engine" ]; then echo "engine $engine"; else echo "harness crash"; fi
