#!/usr/bin/env bash
# Proves a static engine library really carries the fuzz build's instrumentation:
# libFuzzer coverage counters, ASan checks and UBSan handlers must all be referenced
# by its objects (a well-known Lua fuzzing project once lost UBSan on its engine
# without noticing).
#   fuzz/check_instrumented.sh LIBRARY
set -euo pipefail
lib=${1:?usage: check_instrumented.sh LIBRARY}
symbols=$(nm -A "$lib" 2>/dev/null | awk '$2 == "U" || $3 == "U" { print $NF }' | sort -u)
status=0
for want in __sanitizer_cov_8bit_counters_init __asan_report_load8 __ubsan_handle_; do
  if grep -q "^$want" <<<"$symbols"; then
    echo "ok: $(basename "$lib") references $want"
  else
    echo "MISSING: $(basename "$lib") does not reference $want" >&2
    status=1
  fi
done
exit $status
