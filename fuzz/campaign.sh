#!/usr/bin/env bash
# The fuzz campaign behind `./harness fuzz`: every target x engine of the `fuzz`
# preset under libFuzzer, two at a time (one per core), sharing a total budget.
#
# While it runs it prints, at least every --progress seconds, one line per running
# target x engine: executions, exec/s, coverage, corpus size and findings so far.
# At the end every target x engine gets a summary row, whatever happened to it
# (ok, died on a finding, never started, no final stats, killed when hung), and a
# totals line always closes the summary. Each finding is minimized and classified
# by its stack (fuzz/classify_finding.sh):
#   harness: a property violation, a crash in the core or the fuzz target, a misuse
#            of the Lua C API (an abort in lapi.c / lj_api.c), a timeout, an
#            out-of-memory or a leak -> <save>/regressions/<target>/, replayed by
#            ctest (label fuzz-regression); these fail the campaign;
#   engine : a sanitizer report or signal whose top frame is engine code (lj_*.c,
#            Lua 5.1's l*.c) -> <save>/engine-bugs/<engine>/ with a triage note
#            (corpus/engine-bugs/README.md); reported, not failed on.
# A run that never started, printed no final stats or had to be killed also fails
# the campaign. The `differential` target runs every engine in one binary
# (engine "all"). Exit status: 0 when every run completed with no harness finding.
#
#   fuzz/campaign.sh [--minutes N] [--build-dir DIR] [--work DIR] [--save DIR]
#                    [--progress SECONDS]
#     --minutes   total budget, both cores (default 10)
#     --build-dir the fuzz preset's build (default build-fuzz)
#     --work      corpora, logs and raw findings (default <build-dir>/campaign; the
#                 corpora are kept between campaigns, so each one starts from the
#                 last one's corpus; raw findings are each campaign's own)
#     --fresh     empty --work first (start from the seeds only)
#     --save      where findings are kept (default corpus, the tree's own)
#     --progress  seconds between two progress reports (default 10)
#     --runs N --seed S
#                 instead of a time budget, N executions per target after its seeds,
#                 from libFuzzer's random seed S; --runs 0 runs the seeds only, the
#                 same inputs on every machine (the ctest label campaign)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

minutes=10 build=build-fuzz work="" save=corpus progress=10 fresh=0 runs="" seed=""
usage() { echo "usage: fuzz/campaign.sh [--minutes N] [--build-dir DIR] [--work DIR] [--fresh] [--save DIR] [--progress S]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes|--build-dir|--work|--save|--progress|--runs|--seed) [ $# -ge 2 ] || usage; opt=${1#--}; val=$2; shift 2 ;;
    --minutes=*|--build-dir=*|--work=*|--save=*|--progress=*|--runs=*|--seed=*) opt=${1%%=*}; opt=${opt#--}; val=${1#*=}; shift ;;
    --fresh) fresh=1; shift; continue ;;
    -h|--help) sed -n '2,/^set -uo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) echo "campaign.sh: unknown argument $1" >&2; usage ;;
  esac
  case "$opt" in
    minutes) minutes=$val ;; build-dir) build=$val ;; work) work=$val ;; save) save=$val ;; progress) progress=$val ;;
    runs) runs=$val ;; seed) seed=$val ;;
  esac
done
[[ "$minutes" =~ ^[0-9]+$ ]] && [ "$minutes" -ge 1 ] || { echo "campaign.sh: --minutes takes a whole number >= 1" >&2; exit 2; }
[[ "$progress" =~ ^[0-9]+$ ]] && [ "$progress" -ge 1 ] || { echo "campaign.sh: --progress takes a whole number >= 1" >&2; exit 2; }
if [ -n "$runs$seed" ]; then
  [[ "$runs" =~ ^[0-9]+$ && "$seed" =~ ^[0-9]+$ ]] && [ "$seed" -ge 1 ] ||
    { echo "campaign.sh: --runs and --seed go together (runs >= 0, seed >= 1)" >&2; exit 2; }
fi
work=${work:-$build/campaign}
[ "$fresh" = 1 ] && rm -rf "$work"
mkdir -p "$work" || exit 2

targets=$(sed -n 's/^set(CODECACHE_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt)
[ -n "$targets" ] || { echo "campaign.sh: no targets found in fuzz/CMakeLists.txt" >&2; exit 2; }
luajit_targets=$(sed -n 's/^set(CODECACHE_LUAJIT_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt)
jobs=()
for t in $targets; do for e in lua51 luajit luajit2; do jobs+=("$t $e"); done; done
for t in $luajit_targets; do for e in luajit luajit2; do jobs+=("$t $e"); done; done  # LuaJIT only
jobs+=("differential all")  # one binary, every engine in one process
binary() { if [ "$2" = all ]; then echo "$build/bin/fuzz_$1"; else echo "$build/bin/fuzz_${1}_${2}"; fi; }
parallel=2
seconds=$(( minutes * 60 * parallel / ${#jobs[@]} ))
[ "$seconds" -ge 10 ] || seconds=10
# A run that outlives its budget by this much is hung (libFuzzer's own -timeout
# bounds one input; this bounds the process) and is killed.
grace=$(( seconds / 2 + 120 ))
# With --runs there is no time budget: a run is hung after 15 minutes (the slowest
# target, differential, does about 45 executions a second under ASan here).
[ -n "$runs" ] && seconds=0 grace=900

# libFuzzer flags from corpus/<target>.options ("name = value" lines).
options_of() { [ -f "corpus/$1.options" ] && sed -n 's/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' "corpus/$1.options"; }
# Sanitizer settings: LeakSanitizer stays on unless the target's .options turns
# libFuzzer's leak detection off (and says why there); then the check at exit is off too.
asan_options() {
  if options_of "$1" | grep -qx -- '-detect_leaks=0'; then echo "detect_leaks=0"; else echo "detect_leaks=1"; fi
}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

dir_of() { echo "$work/${1}_${2}"; }
artifacts() { find "$1/findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' -o -name 'slow-unit-*' \) 2>/dev/null | sort; }
# The newest libFuzzer status line ("#123 NEW cov: 4 ft: 5 corp: 6/7b ... exec/s: 8 ...").
last_status() { grep -aE '^#[0-9]+' "$1/log" 2>/dev/null | tail -1; }
field() { sed -n "s|.*$1 \([0-9]*\).*|\1|p" <<<"$2"; }

start_job() {  # target engine; sets started_pid
  local t=$1 e=$2 dir bin
  dir=$(dir_of "$t" "$e")
  # Findings are this campaign's own: an earlier one's were saved under --save, and
  # one that its fix made pass must not be reported again.
  rm -rf "$dir/findings"
  mkdir -p "$dir/corpus" "$dir/findings"
  rm -f "$dir/exit" "$dir/exit.tmp" "$dir/log" "$dir/killed"
  find "$dir/corpus" -type f | wc -l >"$dir/corpus_before"
  bin=$(binary "$t" "$e")
  local options=() dict=()
  mapfile -t options < <(options_of "$t")
  [ -f corpus/lua.dict ] && dict=(-dict=corpus/lua.dict)
  (
    if [ ! -x "$bin" ]; then
      echo "campaign.sh: $bin is missing (build the fuzz preset)" >"$dir/log"
      echo 127 >"$dir/exit"
      exit 0
    fi
    local budget=(-max_total_time="$seconds")
    [ -n "$runs" ] && budget=(-runs="$runs" -seed="$seed")
    ASAN_OPTIONS="$(asan_options "$t")" timeout --kill-after=10 "$((seconds + grace))" \
      "$bin" "${budget[@]}" -print_final_stats=1 \
      -artifact_prefix="$dir/findings/" "${options[@]}" "${dict[@]}" \
      "$dir/corpus" "corpus/$t" >"$dir/log" 2>&1
    rc=$?
    { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && touch "$dir/killed"
    echo "$rc" >"$dir/exit.tmp" && mv "$dir/exit.tmp" "$dir/exit"
  ) &
  started_pid=$!
}

report_progress() {  # elapsed-seconds done-count; one line per running job
  local elapsed=$1 done_count=$2 job t e dir st
  printf 'campaign %02d:%02d  %d of %d runs done\n' $((elapsed / 60)) $((elapsed % 60)) "$done_count" "${#jobs[@]}"
  for job in "${!running[@]}"; do
    set -- ${jobs[$job]}
    t=$1 e=$2 dir=$(dir_of "$1" "$2")
    st=$(last_status "$dir")
    printf '  %-18s %-8s execs %-9s exec/s %-6s cov %-6s ft %-7s corpus %-6s findings %s\n' "$t" "$e" \
      "$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$st")" "$(field 'exec/s:' "$st")" "$(field 'cov:' "$st")" \
      "$(field 'ft:' "$st")" "$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$st")" "$(artifacts "$dir" | wc -l)"
  done
}

if [ -n "$runs" ]; then
  echo "campaign: ${#jobs[@]} target x engine runs, $runs executions each from seed $seed, $parallel at a time; work in $work"
else
  echo "campaign: ${#jobs[@]} target x engine runs, ${seconds}s each, $parallel at a time (~${minutes} min); work in $work"
fi
declare -A running=()  # job index -> pid
next=0 finished=0 began=$SECONDS last_report=$SECONDS
while [ "$next" -lt "${#jobs[@]}" ] || [ "${#running[@]}" -gt 0 ]; do
  while [ "$next" -lt "${#jobs[@]}" ] && [ "${#running[@]}" -lt "$parallel" ]; do
    set -- ${jobs[$next]}
    echo "campaign: start $1 on $2"
    start_job "$1" "$2"
    running[$next]=$started_pid
    next=$((next + 1))
  done
  sleep 1
  for job in "${!running[@]}"; do
    set -- ${jobs[$job]}
    dir=$(dir_of "$1" "$2")
    if [ -f "$dir/exit" ]; then  # written last by the run's subshell
      wait "${running[$job]}" 2>/dev/null
      unset "running[$job]"
      finished=$((finished + 1))
      echo "campaign: done $1 on $2 (exit $(cat "$dir/exit" 2>/dev/null || echo '?'), $(artifacts "$dir" | wc -l) finding(s))"
    fi
  done
  if [ $((SECONDS - last_report)) -ge "$progress" ] && [ "${#running[@]}" -gt 0 ]; then
    report_progress $((SECONDS - began)) "$finished"
    last_report=$SECONDS
  fi
done

# ---- summary: every run gets a row, whatever happened to it ----
harness_findings=0 engine_findings=0 failed_runs=0
declare -A classes=()
report=() rows=() tallies=()
for job in "${jobs[@]}"; do
  set -- $job
  t=$1 e=$2 dir=$(dir_of "$1" "$2") bin=$(binary "$1" "$2")
  rc=$(cat "$dir/exit" 2>/dev/null || echo '?')
  st=$(last_status "$dir")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" 2>/dev/null | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" 2>/dev/null | tail -1)
  # The target's own count of inputs it checked in full (fuzz/check_tally.h); "-"
  # for a target that checks no property beyond "does not crash".
  # A target with one tally per profile prints a rate for each, joined by "/".
  mapfile -t tally < <(grep -a '^#check-rate ' "$dir/log" 2>/dev/null)
  checked=$(printf '%s\n' "${tally[@]}" | sed -n 's/.*inputs checked (\([0-9.]*\)%).*/\1/p' | paste -sd/)
  checked=${checked:+$checked%}
  for line in "${tally[@]}"; do tallies+=("  $e ${line#\#check-rate }"); done
  final_stats=yes
  [ -n "$execs" ] || { final_stats=no; execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$st"); rate=$(field 'exec/s:' "$st"); }
  new=$(( $(find "$dir/corpus" -type f 2>/dev/null | wc -l) - $(cat "$dir/corpus_before" 2>/dev/null || echo 0) ))
  harness=0 engine=0 died=""
  mapfile -t found < <(artifacts "$dir")
  for f in "${found[@]}"; do
    name=$(basename "$f")
    died="${died:+$died, }${name%%-*}"
    min="$dir/findings/min-$name"
    mapfile -t options < <(options_of "$t")
    ASAN_OPTIONS="$(asan_options "$t")" timeout --kill-after=10 300 \
      "$bin" "${options[@]}" -minimize_crash=1 -max_total_time=120 -runs=20000 \
      -exact_artifact_path="$min" "$f" >"$dir/findings/minimize-$name.log" 2>&1
    [ -s "$min" ] || cp "$f" "$min"
    stack="$dir/findings/stack-$name.txt"
    ASAN_OPTIONS="$(asan_options "$t"):symbolize=1" timeout --kill-after=10 120 \
      "$bin" "${options[@]}" "$min" >"$stack" 2>&1
    read -r kind where < <(bash fuzz/classify_finding.sh "$name" "$stack" || echo "harness unclassified")
    if [ "$kind" = engine ]; then
      engine=$((engine + 1))
      classes["engine $where"]=$(( ${classes["engine $where"]:-0} + 1 ))
      out="$save/engine-bugs/$where/$name-$t"
      mkdir -p "$(dirname "$out")" && cp "$min" "$out"
      bash fuzz/triage_note.sh "$where" "$t" "$bin" "$out" "$stack" >"$out.triage.md" 2>/dev/null
      report+=("  engine bug ($where) in $t on $e: $out (triage: $out.triage.md)")
    else
      harness=$((harness + 1))
      classes["harness $where"]=$(( ${classes["harness $where"]:-0} + 1 ))
      out="$save/regressions/$t/$name-$e"
      mkdir -p "$(dirname "$out")" && cp "$min" "$out"
      report+=("  harness finding ($where) in $t on $e: $out  (add a line to corpus/regressions/NOTES.md)")
      report+=("    $(grep -m1 -aE 'violated|disagree|ERROR: |runtime error|Timeout|out-of-memory' "$stack" | cut -c1-160)")
    fi
    report+=("    reproduce: $bin $(options_of "$t" | tr '\n' ' ')$out")
  done
  if [ -n "$died" ]; then
    status="died: $died"
  elif [ "$rc" = 127 ]; then
    status="never started"
  elif [ -f "$dir/killed" ]; then
    status="killed: hung"
  elif [ "$rc" != 0 ]; then
    status="exit $rc, no finding"
  elif [ "$final_stats" = no ]; then
    status="no final stats"
  else
    status=ok
  fi
  if [ "$status" != ok ] && [ "$harness" -eq 0 ] && [ "$engine" -eq 0 ]; then
    failed_runs=$((failed_runs + 1))
    report+=("  $t on $e: $status; its log: $dir/log")
    report+=("    its last line: $(grep -av '^INFO\|^stat::\|^ *$' "$dir/log" 2>/dev/null | tail -1 | cut -c1-160)")
  fi
  harness_findings=$((harness_findings + harness))
  engine_findings=$((engine_findings + engine))
  rows+=("$(printf '%-18s %-8s %-24s %10s %8s %7s %7s %5s %11s %7s %6s' "$t" "$e" "$status" "${execs:--}" \
    "${rate:--}" "$(field 'cov:' "$st")" "$(field 'ft:' "$st")" "$new" "${checked:--}" "$harness" "$engine")")
done

echo
printf '%-18s %-8s %-24s %10s %8s %7s %7s %5s %11s %7s %6s\n' target engine status execs exec/s cov ft new checked harness engine
printf '%s\n' "${rows[@]}"
if [ "${#tallies[@]}" -gt 0 ]; then
  echo
  echo "checked: the inputs each property-checking target checked in full, and why it excused the others:"
  printf '%s\n' "${tallies[@]}"
fi
if [ "${#report[@]}" -gt 0 ]; then
  echo
  echo "findings and failed runs (harness findings are replayed by ctest -L fuzz-regression; engine ones are listed in corpus/engine-bugs/README.md):"
  printf '%s\n' "${report[@]}"
fi
by_class=""
for c in "${!classes[@]}"; do by_class="${by_class:+$by_class, }$c: ${classes[$c]}"; done
echo
echo "campaign: ${#jobs[@]} runs, $failed_runs failed without a finding; $harness_findings harness finding(s), $engine_findings engine finding(s)${by_class:+ ($by_class)}"
if [ "$harness_findings" -eq 0 ] && [ "$failed_runs" -eq 0 ]; then
  echo "campaign: PASSED"
  exit 0
fi
echo "campaign: FAILED (see the findings and failed runs above)"
exit 1
