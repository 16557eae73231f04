#!/usr/bin/env bash
# Coverage report of the fuzz corpora: builds the `coverage` preset (clang
# source-based coverage on engines and core, build-coverage/), replays every fuzz
# target over its seeds and saved crashers (plus the campaign's corpus in
# build-fuzz/campaign/, when there is one), merges the profiles with
# llvm-profdata-14 and writes an llvm-cov HTML report of the core and the engines.
#   fuzz/coverage.sh            (what `./harness coverage` runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=build-coverage
profdata_tool=$(command -v llvm-profdata-14 || command -v llvm-profdata)
cov_tool=$(command -v llvm-cov-14 || command -v llvm-cov)

cmake --preset coverage >/dev/null
targets=$(sed -n 's/^set(CODECACHE_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt)
luajit_targets=$(sed -n 's/^set(CODECACHE_LUAJIT_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt)
names=()
for t in $targets; do for e in lua51 luajit luajit2; do names+=("fuzz_${t}_${e}"); done; done
for t in $luajit_targets; do for e in luajit luajit2; do names+=("fuzz_${t}_${e}"); done; done
names+=(fuzz_differential)
cmake --build --preset coverage -j2 --target "${names[@]}"

profiles="$build/profiles"
rm -rf "$profiles" && mkdir -p "$profiles"
objects=()
for name in "${names[@]}"; do
  target=${name#fuzz_}
  [ "$name" = fuzz_differential ] || target=${target%_*}
  inputs=("corpus/$target")
  [ -d "corpus/regressions/$target" ] && inputs+=("corpus/regressions/$target")
  for dir in build-fuzz/campaign/${target}_*/corpus; do
    [ -d "$dir" ] && inputs+=("$dir")
  done
  echo "coverage: $name over ${inputs[*]}"
  LLVM_PROFILE_FILE="$profiles/$name.profraw" "$build/bin/$name" "${inputs[@]}" >/dev/null 2>&1 ||
    echo "coverage: $name exited with $? (a finding? replay it with build/bin/$name)" >&2
  objects+=(-object "$build/bin/$name")
done
"$profdata_tool" merge -sparse "$profiles"/*.profraw -o "$profiles/merged.profdata"
report="$build/coverage-report"
rm -rf "$report"
ignore='(/usr/|/tests/|/fuzz/|/conformance/|/bench/|/buildvm|/host/)'
"$cov_tool" show -format=html -output-dir="$report" -instr-profile="$profiles/merged.profdata" \
  -ignore-filename-regex="$ignore" -show-line-counts-or-regions "${objects[@]:1}"
"$cov_tool" report -instr-profile="$profiles/merged.profdata" -ignore-filename-regex="$ignore" \
  "${objects[@]:1}" | tail -1 | awk '{ print "coverage: TOTAL regions " $4 ", functions " $7 ", lines " $10 }'
echo "coverage report: $(realpath "$report/index.html")"
