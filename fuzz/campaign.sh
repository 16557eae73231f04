#!/usr/bin/env bash
# The fuzz campaign behind `./harness fuzz`: every target x engine of the `fuzz`
# preset under libFuzzer, two at a time (one per core), sharing a total budget.
# Prints progress while it runs, then a summary (exec/s, coverage, new corpus
# entries, findings). Findings are minimized into corpus/regressions/<target>/
# (replayed by ctest, label fuzz-regression) with the command that reproduces them.
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
    "build-fuzz/bin/fuzz_${t}_${e}" -max_total_time="$seconds" -print_final_stats=1 \
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

printf '\n%-18s %-8s %10s %8s %8s %9s %s\n' target engine exec/s cov ft new findings
total_findings=0
for job in "${jobs[@]}"; do
  set -- $job
  dir="$work/${1}_${2}"
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$dir/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' "$dir/log" | tail -1 | cut -d' ' -f2)
  findings=$(find "$dir/findings" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  total_findings=$((total_findings + findings))
  printf '%-18s %-8s %10s %8s %8s %9s %s\n' "$1" "$2" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$(cat "$dir/new_units")" "$findings"
done

if [ "$total_findings" -gt 0 ]; then
  echo
  echo "findings (minimized into corpus/regressions/<target>/; add a line to NOTES.md there):"
  for job in "${jobs[@]}"; do
    set -- $job
    dir="$work/${1}_${2}"
    for f in "$dir"/findings/*; do
      [ -f "$f" ] || continue
      mkdir -p "corpus/regressions/$1"
      min="corpus/regressions/$1/$(basename "$f")-$2"
      "build-fuzz/bin/fuzz_${1}_${2}" -minimize_crash=1 -runs=20000 -exact_artifact_path="$min" "$f" >/dev/null 2>&1 || cp "$f" "$min"
      [ -f "$min" ] || cp "$f" "$min"
      echo "  $min"
      echo "    reproduce: build-fuzz/bin/fuzz_${1}_${2} $min"
    done
  done
fi
