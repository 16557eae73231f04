#!/usr/bin/env bash
# Checks that fuzz/campaign.sh cannot hide a failure: it runs the campaign over a
# build directory of stand-in fuzz targets (shell scripts that behave like libFuzzer)
# where one target dies on its seeds with a crash, two print their check rates (one of them per profile), one binary is missing, one exits
# without final stats and the others complete, and checks that every target x engine
# still gets a row with the right status, that the crash is minimized, classified and
# saved, that the totals line is printed and that the campaign fails. Run by ctest
# (label fuzz-regression).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/build/bin"

# The stand-in: its behaviour is chosen by its own name.
cat >"$tmp/fake_fuzzer" <<'EOF'
#!/usr/bin/env bash
name=$(basename "$0") prefix="" exact="" input=""
for a in "$@"; do
  case "$a" in
    -artifact_prefix=*) prefix=${a#*=} ;;
    -exact_artifact_path=*) exact=${a#*=} ;;
    -*) ;;
    *) [ -f "$a" ] && input=$a ;;
  esac
done
crash_report() {
  echo "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1"
  echo "    #0 0x55 in codecache::Request::finish() /x/core/model/request.cc:10"
}
case "$name" in
  fuzz_isolation_luajit)  # dies on its seeds: a crash in the core
    if [ -n "$exact" ]; then printf 'min' >"$exact"; exit 0; fi   # -minimize_crash
    if [ -n "$input" ]; then crash_report; exit 1; fi              # the stack replay
    echo "#2	INITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb"
    crash_report
    printf 'crashing input' >"${prefix}crash-0123"
    exit 1 ;;
  fuzz_differential)  # still running when progress is reported: waits for that line
    for _ in $(seq 600); do grep -qE '^campaign [0-9]{2}:' "$CAMPAIGN_OUT" && break; sleep 0.2; done
    echo "#64	pulse  cov: 120 ft: 340 corp: 12/1Kb lim: 4 exec/s: 640 rss: 40Mb"
    echo "stat::number_of_executed_units: 6400"
    echo "stat::average_exec_per_sec:     640"
    echo "#check-rate differential: 90 of 100 inputs checked (90.0%); excused: cut off by a limit on some engine 10"
    exit 0 ;;
  fuzz_cache_equivalence_lua51)  # one tally per profile
    echo "#64	pulse  cov: 120 ft: 340 corp: 12/1Kb lim: 4 exec/s: 640 rss: 40Mb"
    echo "stat::number_of_executed_units: 6400"
    echo "stat::average_exec_per_sec:     640"
    echo "#check-rate cache_equivalence/sealed: 95 of 100 inputs checked (95.0%); excused: a NUL byte 5"
    echo "#check-rate cache_equivalence/classic: 15 of 100 inputs checked (15.0%); excused: a NUL byte 5, names state classic shares 80"
    exit 0 ;;
  fuzz_bytecode_roundtrip_lua51)  # ends without its final stats
    echo "#2	INITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb"
    exit 0 ;;
  *)
    echo "#64	pulse  cov: 120 ft: 340 corp: 12/1Kb lim: 4 exec/s: 640 rss: 40Mb"
    echo "stat::number_of_executed_units: 6400"
    echo "stat::average_exec_per_sec:     640"
    exit 0 ;;
esac
EOF
chmod +x "$tmp/fake_fuzzer"
targets=$(sed -n 's/^set(CODECACHE_FUZZ_TARGETS \(.*\))$/\1/p' "$here/CMakeLists.txt")
luajit_targets=$(sed -n 's/^set(CODECACHE_LUAJIT_FUZZ_TARGETS \(.*\))$/\1/p' "$here/CMakeLists.txt")
for t in $targets; do
  for e in lua51 luajit luajit2; do ln -s "$tmp/fake_fuzzer" "$tmp/build/bin/fuzz_${t}_$e"; done
done
for t in $luajit_targets; do
  for e in luajit luajit2; do ln -s "$tmp/fake_fuzzer" "$tmp/build/bin/fuzz_${t}_$e"; done
done
ln -s "$tmp/fake_fuzzer" "$tmp/build/bin/fuzz_differential"
rm "$tmp/build/bin/fuzz_chunk_loader_luajit2"  # never starts
# A finding left in the work directory by an earlier campaign is not this one's.
mkdir -p "$tmp/build/campaign/trailing_comment_lua51/findings"
printf 'stale' >"$tmp/build/campaign/trailing_comment_lua51/findings/crash-stale"

status=0
export CAMPAIGN_OUT="$tmp/out"
bash "$here/campaign.sh" --minutes 1 --build-dir "$tmp/build" --save "$tmp/saved" --progress 1 \
  >"$tmp/out" 2>&1 || status=$?

failures=0
check() {  # check DESCRIPTION COMMAND...
  if ! "${@:2}"; then echo "FAIL: $1" >&2; failures=$((failures + 1)); fi
}
row() { grep -E "^$1 +$2 +$3" "$tmp/out" >/dev/null; }
check "the campaign fails" test "$status" = 1
for t in $targets; do
  for e in lua51 luajit luajit2; do check "a row for $t on $e" grep -qE "^$t +$e " "$tmp/out"; done
done
for t in $luajit_targets; do
  for e in luajit luajit2; do check "a row for $t on $e" grep -qE "^$t +$e " "$tmp/out"; done
  check "no row for $t on lua51" bash -c "! grep -qE '^$t +lua51 ' '$tmp/out'"
done
check "a row for differential" grep -qE "^differential +all +ok " "$tmp/out"
check "the crash is its row's status" row isolation luajit "died: crash"
check "the missing binary is its row's status" row chunk_loader luajit2 "never started"
check "the missing final stats are their row's status" row bytecode_roundtrip lua51 "no final stats"
check "a completed run is ok, an earlier campaign's finding not reported" row trailing_comment lua51 "ok"
check "the check rate is its row's column" grep -qE "^differential +all +ok .* 90\.0% +0 +0$" "$tmp/out"
check "one rate per tally" grep -qE "^cache_equivalence +lua51 +ok .* 95\.0/15\.0% +0 +0$" "$tmp/out"
check "a target without a tally shows none" grep -qE "^trailing_comment +lua51 +ok .* - +0 +0$" "$tmp/out"
check "the excuses are listed" grep -qF "  all differential: 90 of 100 inputs checked (90.0%); excused: cut off by a limit on some engine 10" "$tmp/out"
check "the crash is saved minimized" test "$(cat "$tmp/saved/regressions/isolation/crash-0123-luajit" 2>/dev/null)" = min
check "the crash is classified" grep -q "harness finding (crash) in isolation on luajit" "$tmp/out"
runs=$(( $(wc -w <<<"$targets") * 3 + $(wc -w <<<"$luajit_targets") * 2 + 1 ))  # + differential
check "the totals line" grep -q "^campaign: $runs runs, 2 failed without a finding; 1 harness finding(s), 0 engine finding(s) (harness crash: 1)$" "$tmp/out"
check "the verdict" grep -q "^campaign: FAILED" "$tmp/out"
check "progress lines" grep -qE "^campaign [0-9]{2}:[0-9]{2} +[0-9]+ of $runs runs done" "$tmp/out"
check "a progress line for the running target" grep -qE "^  differential +all +execs" "$tmp/out"
if [ "$failures" -ne 0 ]; then
  echo "--- campaign output:" >&2
  cat "$tmp/out" >&2
  exit 1
fi
echo "ok: campaign.sh reports every run, the crash, the missing binary and the missing stats, and fails"
