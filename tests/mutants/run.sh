#!/usr/bin/env bash
# Measures the suite's power (`./harness mutants`): applies each small fault kept in
# tests/mutants/*.patch to the core, one at a time, rebuilds one engine's test
# binaries in the default build, and reports which ctest labels catch it, with a
# mutation score. Each fault carries a witness: a `codecache run` whose output the
# fault changes. A fault whose witness prints the same with and without it is
# reported as equivalent and not counted (so is one that does not build).
#
#   tests/mutants/run.sh [--engine E] [--build-dir DIR] [--only NAME]
#     --engine     lua51, luajit or luajit2 (default luajit2)
#     --build-dir  the default preset's build directory (default build)
#     --only       one fault, by file name without .patch
#
# A fault file: "Fault: <what it breaks>", "Witness: <shell command>" ($CODECACHE and
# $ENGINE are set; it runs in a scratch directory), a blank line, then a git diff.
# The source tree must have no uncommitted change under core/; every fault is reverted
# before the next one, on exit and on interruption, and the binaries are rebuilt
# from the clean tree at the end. Exit status 0 when every counted fault was
# caught, 1 otherwise, 2 on a usage or setup error.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
engine=luajit2 build=build only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=${2:?}; shift 2 ;;
    --build-dir) build=${2:?}; shift 2 ;;
    --only) only=${2:?}; shift 2 ;;
    *) echo "usage: tests/mutants/run.sh [--engine E] [--build-dir DIR] [--only NAME]" >&2; exit 2 ;;
  esac
done
case "$engine" in lua51|luajit|luajit2) ;; *) echo "run.sh: unknown engine $engine" >&2; exit 2 ;; esac
cd "$root"
[[ "$build" = /* ]] || build="$root/$build"
if ! git diff --quiet -- core || ! git diff --cached --quiet -- core; then
  echo "run.sh: core/ has uncommitted changes; commit or set them aside first" >&2
  exit 2
fi

labels=(unit property conformance fuzz-regression)
fuzz_targets=$(sed -n 's/^set(CODECACHE_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt)
targets=(codecache "codecache-$engine" "unit_tests_$engine" "prop_tests_$engine" "conform_$engine")
for t in $fuzz_targets; do targets+=("fuzz_${t}_$engine"); done
if [ "$engine" != lua51 ]; then
  for t in $(sed -n 's/^set(CODECACHE_LUAJIT_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt); do
    targets+=("fuzz_${t}_$engine")
  done
fi

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
build_targets() { cmake --build "$build" --target "${targets[@]}" >"$work/build.log" 2>&1; }

work=$(mktemp -d /tmp/codecache-mutants.XXXXXX)
applied=""
restore() {
  if [ -n "$applied" ]; then git apply -R "$applied" && applied=""; fi
}
trap 'restore; exit 130' INT TERM
trap 'restore' EXIT

[ -f "$build/CMakeCache.txt" ] || { say "configuring $build (preset default)"; cmake --preset default >/dev/null || exit 2; }
say "building the $engine test binaries from the clean tree"
build_targets || { echo "run.sh: the clean tree does not build (see $work/build.log)" >&2; exit 2; }
export CODECACHE="$build/bin/codecache" ENGINE="$engine"

# The witness's output (stdout, stderr and exit status) in a fresh scratch directory.
witness() {
  local dir
  dir=$(mktemp -d "$work/witness.XXXXXX")
  (cd "$dir" && bash -c "$1" 2>&1; echo "exit status $?")
}

declare -a rows=()
counted=0 caught=0
for patch in tests/mutants/*.patch; do
  name=$(basename "$patch" .patch)
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  cmd=$(sed -n 's/^Witness: //p' "$patch" | head -1)
  [ -n "$cmd" ] || { echo "run.sh: $patch has no Witness line" >&2; exit 2; }
  say "$name"
  before=$(witness "$cmd")
  git apply "$patch" || { echo "run.sh: $patch does not apply" >&2; exit 2; }
  applied="$patch"
  if ! build_targets; then
    rows+=("| $name | does not build | — |")
    restore
    continue
  fi
  after=$(witness "$cmd")
  if [ "$before" = "$after" ]; then
    rows+=("| $name | equivalent (witness unchanged) | — |")
    restore
    continue
  fi
  counted=$((counted + 1))
  killers=()
  for label in "${labels[@]}"; do
    # Tests are named after their engine ("luajit2.<suite>.<test>",
    # "conform.luajit2.<profile>...", "fuzz-regression.<target>.luajit2").
    if ! ctest --test-dir "$build" -L "^${label}\$" -LE nginx -R "(^|\\.)${engine}(\\.|\$)" \
        --stop-on-failure -j2 >"$work/$name.$label.log" 2>&1; then
      killers+=("$label")
    fi
  done
  if [ ${#killers[@]} -gt 0 ]; then
    caught=$((caught + 1))
    rows+=("| $name | caught | ${killers[*]} |")
  else
    rows+=("| $name | **survived** | — |")
  fi
  restore
done

say "rebuilding the $engine test binaries from the clean tree"
build_targets || echo "run.sh: the clean rebuild failed (see $work/build.log)" >&2

echo
echo "| fault | result | caught by (ctest labels, $engine) |"
echo "|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
if [ "$counted" -eq 0 ]; then
  echo "mutation score: no fault counted"
  exit 1
fi
echo "mutation score: $caught of $counted faults caught ($((100 * caught / counted)) %); logs in $work"
[ "$caught" -eq "$counted" ]
