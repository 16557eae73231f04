#!/usr/bin/env bash
# Regenerates the fuzz seeds taken from the conformance cases' handlers
# (conformance/cases/*.case): corpus/<target>/conformance/, for the targets whose
# input is handler code. Hostile cases seed only chunk_loader (loading is cheap;
# running them would spend whole CPU budgets on every replay). Needs the default
# build (build/bin/conform_luajit); the generated files are committed.
#   fuzz/export_conformance_seeds.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build}
conform="$build/bin/conform_luajit"
[ -x "$conform" ] || { echo "export_conformance_seeds.sh: $conform missing; build the default preset" >&2; exit 1; }
for target in chunk_loader cache_equivalence isolation bytecode_roundtrip; do
  dir="corpus/$target/conformance"
  rm -rf "$dir"
  extra=()
  [ "$target" = chunk_loader ] && extra=(--export-hostile)
  "$conform" --export-handlers "$dir" "${extra[@]}"
done
