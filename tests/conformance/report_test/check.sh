#!/usr/bin/env bash
# "Cached equals uncached" can fail on its own: a case whose on and off runs both
# pass (it checks no body) but print different bodies must fail its per-case ctest
# run (`conform_<engine> --case ID`), and the report must count it as a disagreement
# and exit 1. Also, a runner that dies half-way must fail the report (exit 2), not be
# taken as a shorter list. Run by ctest (label conformance).
#   tests/conformance/report_test/check.sh BIN_DIR
set -euo pipefail
bin=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
"$bin/conform_luajit2" --cases "$here" --case cache_difference/unchecked_body_differs_between_cached_and_uncached \
  >"$tmp/case_out" 2>&1 || status=$?
cat "$tmp/case_out"
[ "$status" = 1 ] || { echo "FAIL: the per-case run exited $status, not 1, on a cached/uncached difference" >&2; exit 1; }
grep -q 'openresty\]: the cached and uncached runs both passed but their whole outcomes differ' "$tmp/case_out" ||
  { echo "FAIL: the per-case run does not name the difference" >&2; exit 1; }

status=0
"$bin/codecache-conform" --report "$tmp/report.md" --cases "$here" --engines luajit2 >"$tmp/out" 2>&1 || status=$?
cat "$tmp/out"
[ "$status" = 1 ] || { echo "FAIL: the report exited $status, not 1, on a cached/uncached difference" >&2; exit 1; }
grep -q "1 case(s) whose cached and uncached outcomes differ" "$tmp/out" ||
  { echo "FAIL: the difference is not counted" >&2; exit 1; }
grep -q 'cached equals uncached\*\*: `cache_difference/unchecked_body_differs' "$tmp/report.md" ||
  { echo "FAIL: the case is not listed as failing the column" >&2; cat "$tmp/report.md" >&2; exit 1; }

# A runner that dies half-way: a stand-in conform_luajit2 that prints one passing
# run and then kills itself.
mkdir -p "$tmp/bin"
cp "$bin/codecache-conform" "$tmp/bin/"
cat >"$tmp/bin/conform_luajit2" <<'RUNNER'
#!/usr/bin/env bash
echo '{"id":"x/y","profile":"openresty","code_cache":"on","passed":true,"property":"","hostile":false,"seconds":0.1,"fingerprint":"1","cache_dependent":false,"file":"x.case","line":1,"failures":[]}'
kill -SEGV $$
RUNNER
chmod +x "$tmp/bin/conform_luajit2"
status=0
"$tmp/bin/codecache-conform" --report "$tmp/report2.md" --engines luajit2 >"$tmp/out2" 2>&1 || status=$?
cat "$tmp/out2"
[ "$status" = 2 ] || { echo "FAIL: a runner killed by a signal gave exit $status, not 2" >&2; exit 1; }
grep -qE "conform_luajit2 did not finish cleanly \((killed by signal 11 \(Segmentation fault\)|exited with status 139), 1 runs reported\)" "$tmp/out2" ||
  { echo "FAIL: the runner's death is not named" >&2; exit 1; }
echo "ok: the per-case run and the report fail on a cached/uncached difference; the report fails on a runner that died"
