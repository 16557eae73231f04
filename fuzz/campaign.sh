#!/usr/bin/env bash
# The fuzz campaign behind `./harness fuzz`: every target x engine of the `fuzz`
# preset under libFuzzer, two at a time (one per core), sharing a total budget.
# Prints progress while it runs, then a summary (exec/s, coverage, new corpus
# entries, findings). Each finding is minimized and classified by its stack
# (fuzz/classify_finding.sh):
#   harness: a property violation, a crash in the core or the fuzz target, a
#            timeout or an out-of-memory -> corpus/regressions/<target>/, replayed
#            by ctest (label fuzz-regression); these fail the campaign;
#   engine : a sanitizer report or signal whose top frame is engine code (lj_*.c,
#            Lua 5.1's l*.c) -> corpus/engine-bugs/<engine>/ with a triage note
#            (corpus/engine-bugs/README.md); reported, not failed on.
# The `differential` target runs every engine in one binary (engine "all").
#
#   fuzz/campaign.sh [--minutes N]        (default 10)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

minutes=10
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=${2:?--minutes needs a number}; shift 2 ;;
    --minutes=*) minutes=${1#*=}; shift ;;
    *) echo "campaign.sh: unknown argument $1 (use --minutes N)" >&2; exit 2 ;;
  esac
done
[[ "$minutes" =~ ^[0-9]+$ ]] && [ "$minutes" -ge 1 ] || { echo "campaign.sh: --minutes takes a whole number >= 1" >&2; exit 2; }

targets=$(sed -n 's/^set(CODECACHE_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt)
engines="lua51 luajit luajit2"
jobs=()
for t in $targets; do for e in $engines; do jobs+=("$t $e"); done; done
jobs+=("differential all")  # one binary, every engine in one process
binary() { if [ "$2" = all ]; then echo "build-fuzz/bin/fuzz_$1"; else echo "build-fuzz/bin/fuzz_${1}_${2}"; fi; }
parallel=2
seconds=$(( minutes * 60 * parallel / ${#jobs[@]} ))
[ "$seconds" -ge 10 ] || seconds=10
work=build-fuzz/campaign
mkdir -p "$work"

echo "campaign: ${#jobs[@]} target x engine runs, ${seconds}s each, $parallel at a time (~${minutes} min)"

run_one() {
  local t=$1 e=$2 dir="$work/${1}_${2}"
  mkdir -p "$dir/corpus" "$dir/findings"
  local before
  before=$(find "$dir/corpus" -type f | wc -l)
  local options=()
  [ -f "corpus/$t.options" ] && mapfile -t options < <(sed -n 's/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' "corpus/$t.options")
  local dict=()
  [ -f corpus/lua.dict ] && dict=(-dict=corpus/lua.dict)
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=0 \
    "$(binary "$t" "$e")" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$dir/findings/" "${options[@]}" "${dict[@]}" \
    "$dir/corpus" "corpus/$t" >"$dir/log" 2>&1 || true
  local after
  after=$(find "$dir/corpus" -type f | wc -l)
  echo "$((after - before))" >"$dir/new_units"
  echo "campaign: done $t on $e"
}

running=0
for job in "${jobs[@]}"; do
  set -- $job
  echo "campaign: start $1 on $2"
  run_one "$1" "$2" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait

printf '\n%-18s %-8s %10s %8s %8s %9s %8s %s\n' target engine exec/s cov ft new harness engine-bugs
harness_findings=0
engine_findings=0
report=()
for job in "${jobs[@]}"; do
  set -- $job
  t=$1 e=$2 dir="$work/${1}_${2}"
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$dir/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' "$dir/log" | tail -1 | cut -d' ' -f2)
  harness=0 engine=0
  for f in "$dir"/findings/*; do
    [ -f "$f" ] || continue
    case "$(basename "$f")" in crash-*|timeout-*|oom-*|leak-*|slow-unit-*) ;; *) continue ;; esac
    bin=$(binary "$t" "$e")
    min="$dir/findings/min-$(basename "$f")"
    "$bin" -minimize_crash=1 -runs=20000 -exact_artifact_path="$min" "$f" >/dev/null 2>&1 || true
    [ -s "$min" ] || cp "$f" "$min"
    stack="$dir/findings/stack-$(basename "$f").txt"
    ASAN_OPTIONS=detect_leaks=0:symbolize=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      timeout 60 "$bin" "$min" >"$stack" 2>&1 || true
    read -r kind where < <(bash fuzz/classify_finding.sh "$(basename "$f")" "$stack")
    if [ "$kind" = engine ]; then
      engine=$((engine + 1))
      out="corpus/engine-bugs/$where/$(basename "$f")-$t"
      mkdir -p "$(dirname "$out")"
      cp "$min" "$out"
      bash fuzz/triage_note.sh "$where" "$t" "$bin" "$out" "$stack" >"$out.triage.md"
      report+=("  engine bug ($where): $out (triage: $out.triage.md)")
      report+=("    reproduce: $bin $out")
    else
      harness=$((harness + 1))
      out="corpus/regressions/$t/$(basename "$f")-$e"
      mkdir -p "corpus/regressions/$t"
      cp "$min" "$out"
      report+=("  harness ($where): $out  (add a line to corpus/regressions/NOTES.md)")
      report+=("    reproduce: $bin $out")
    fi
  done
  harness_findings=$((harness_findings + harness))
  engine_findings=$((engine_findings + engine))
  printf '%-18s %-8s %10s %8s %8s %9s %8s %s\n' "$t" "$e" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "$(cat "$dir/new_units")" "$harness" "$engine"
done

if [ "${#report[@]}" -gt 0 ]; then
  echo
  echo "findings (harness: replayed by ctest -L fuzz-regression; engine: corpus/engine-bugs/README.md):"
  printf '%s\n' "${report[@]}"
fi
echo
echo "campaign: $harness_findings harness finding(s), $engine_findings engine finding(s)"
[ "$harness_findings" -eq 0 ]
