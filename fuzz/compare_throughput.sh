#!/usr/bin/env bash
# Fuzzing throughput against a plain-VM baseline: runs the baseline target
# plain_vm_baseline (a fresh lua_State per input, as common Lua fuzzers do)
# and chunk_loader on the same engine, from the same seeds and dictionary, for the
# same time, at the same time (one per core, so both see the same machine), then
# prints exec/s and coverage of both and their ratio.
#
#   fuzz/compare_throughput.sh [--engine lua51|luajit|luajit2] [--seconds N] [--runs R] [--build DIR]
#
# Defaults: luajit2, 60 s, 1 run, build-fuzz (the `fuzz` preset; ./harness fuzz builds it).
# Each run explores its own inputs, so one 60 s figure moves a lot (one slow input can
# halve the baseline's exec/s); with --runs R > 1 the comparison is repeated from the
# same seeds and the median of each ratio is printed after the runs.
# Coverage is libFuzzer's own count of covered edges (cov) and features (ft) at the
# end of the run; chunk_loader's counters also include the core's code, so its
# number is an upper bound on what it covers of the engine.
#
# Then both final corpora, merged, are replayed once through each target (-runs=0):
# the cost of the same inputs, apart from what each run chose to explore.
# A crash, timeout or leak either run finds is kept in $build/compare_throughput/.
set -euo pipefail
export LC_NUMERIC=C  # awk writes ratios with a '.', which printf and sort -g then read
cd "$(dirname "${BASH_SOURCE[0]}")/.."

engine=luajit2 seconds=60 runs=1 build=build-fuzz
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: $0 [--engine E] [--seconds N] [--runs R] [--build DIR]" >&2; exit 2 ;;
  esac
done
case "$engine" in lua51 | luajit | luajit2) ;; *) echo "unknown engine: $engine" >&2; exit 2 ;; esac
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "--seconds wants a positive integer" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "--runs wants a positive integer" >&2; exit 2; }

targets=(plain_vm_baseline chunk_loader)
for t in "${targets[@]}"; do
  [ -x "$build/bin/fuzz_${t}_${engine}" ] || {
    echo "missing $build/bin/fuzz_${t}_${engine}: build the fuzz preset first (cmake --workflow --preset fuzz, or ./harness fuzz)" >&2
    exit 1
  }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=$build/compare_throughput
mkdir -p "$artifacts"
# The same libFuzzer options for both: chunk_loader's, with its dictionary.
mapfile -t options < <(sed -n 's/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' corpus/chunk_loader.options)

# Last "#N ... cov: C ft: F ... exec/s: E" status line and the final stats of one run.
summary() {
  local log=$1 units eps cov ft
  units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ -z "$units" ] || [ -z "$eps" ]; then
    echo "no final stats in $log (the run stopped early):" >&2
    tail -20 "$log" >&2
    return 1
  fi
  echo "$units ${eps} ${cov:-0} ${ft:-0}"
}

# Seconds one target takes to run every input of $1 once.
replay_seconds() {
  local target=$1 dir=$2 start end
  start=$(date +%s.%N)
  ASAN_OPTIONS=detect_leaks=0 "$build/bin/fuzz_${target}_${engine}" "${options[@]}" -runs=0 \
    -artifact_prefix="$artifacts/$target-replay-" "$dir" >"$dir.$target.replay.log" 2>&1 || {
    echo "$target failed on the merged corpus:" >&2
    tail -20 "$dir.$target.replay.log" >&2
    return 1
  }
  end=$(date +%s.%N)
  echo "$start $end" | awk '{ printf "%.2f", $2 - $1 }'
}

# $1 / $2, or 0 when $2 is 0 (a run that executed nothing).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }'; }

# One side-by-side comparison in $work/run<N>; appends its three ratios to ratios.txt.
compare_once() {
  local run=$1 dir="$work/run$1" t
  echo "run $run of $runs: plain_vm_baseline and chunk_loader on $engine, ${seconds} s each, side by side, seeds corpus/chunk_loader/*" >&2
  for t in "${targets[@]}"; do
    mkdir -p "$dir/$t"
    # the hand-written seeds only: the exported conformance handlers include hostile ones
    # that a plain VM (no CPU watchdog) would run into libFuzzer's -timeout
    find corpus/chunk_loader -maxdepth 1 -type f -exec cp {} "$dir/$t/" \;
    "$build/bin/fuzz_${t}_${engine}" "${options[@]}" -dict=corpus/lua.dict \
      -artifact_prefix="$artifacts/$t-" \
      -max_total_time="$seconds" -print_final_stats=1 "$dir/$t" >"$dir/$t.log" 2>&1 &
  done
  wait

  local b_units b_eps b_cov b_ft c_units c_eps c_cov c_ft
  read -r b_units b_eps b_cov b_ft < <(summary "$dir/plain_vm_baseline.log")
  read -r c_units c_eps c_cov c_ft < <(summary "$dir/chunk_loader.log")
  printf '%-20s %12s %10s %8s %8s\n' target executions exec/s cov ft
  printf '%-20s %12s %10s %8s %8s\n' plain_vm_baseline "$b_units" "$b_eps" "$b_cov" "$b_ft"
  printf '%-20s %12s %10s %8s %8s\n' chunk_loader "$c_units" "$c_eps" "$c_cov" "$c_ft"
  local eps_ratio cov_ratio
  eps_ratio=$(ratio "$c_eps" "$b_eps")
  cov_ratio=$(ratio "$c_cov" "$b_cov")
  printf 'ratio chunk_loader / plain_vm_baseline on %s: exec/s %.2fx (target >= 3x), cov %.2fx\n' \
    "$engine" "$eps_ratio" "$cov_ratio"

  # The same inputs through both: the union of the two final corpora, replayed once.
  mkdir -p "$dir/union"
  cp "$dir"/plain_vm_baseline/* "$dir"/chunk_loader/* "$dir/union/" 2>/dev/null || true
  local inputs b_replay c_replay replay_ratio
  inputs=$(find "$dir/union" -type f | wc -l)
  b_replay=$(replay_seconds plain_vm_baseline "$dir/union")
  c_replay=$(replay_seconds chunk_loader "$dir/union")
  replay_ratio=$(ratio "$b_replay" "$c_replay")
  printf 'same %d inputs replayed: plain_vm_baseline %.2f s, chunk_loader %.2f s, speed-up %.2fx\n' \
    "$inputs" "$b_replay" "$c_replay" "$replay_ratio"
  echo "$eps_ratio $cov_ratio $replay_ratio" >>"$work/ratios.txt"
}

for ((run = 1; run <= runs; run++)); do
  compare_once "$run"
done

if [ "$runs" -gt 1 ]; then
  median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  printf 'median of %d runs on %s: exec/s %sx (target >= 3x), cov %sx, same-input replay %sx\n' "$runs" "$engine" \
    "$(cut -d' ' -f1 "$work/ratios.txt" | median)" "$(cut -d' ' -f2 "$work/ratios.txt" | median)" \
    "$(cut -d' ' -f3 "$work/ratios.txt" | median)"
fi
