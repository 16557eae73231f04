#!/usr/bin/env bash
# ctest `fuzz.same-decoding`: the generators decode every kept input to the same
# program under GCC (the build ctest replays kept inputs with) and Clang (the build
# libFuzzer found them with). Operands of a chain of `+` are not sequenced in C++,
# and the two compilers order them differently; a generator that read input in
# such a chain replayed other programs than the ones that were found.
# Usage: check_same_decoding.sh <gcc-built generator_dump> <clang++> <source dir>
#        <FuzzedDataProvider include dir> <work dir> <input dir>...
set -euo pipefail
gcc_dump=$1 clangxx=$2 src=$3 fdp=$4 work=$5
shift 5
mkdir -p "$work"
"$clangxx" -std=c++20 -O1 -I "$src/fuzz" -isystem "$fdp" -o "$work/generator_dump_clang" \
  "$src/fuzz/generator_dump.cc" "$src/fuzz/differential_gen.cc" "$src/fuzz/handler_grammar.cc"
inputs=()
for dir in "$@"; do
  while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$dir" -maxdepth 1 -type f ! -name '*.md' -print0 | sort -z)
done
if (( ${#inputs[@]} < 50 )); then
  echo "FAIL: only ${#inputs[@]} inputs found in $*: the check would prove little" >&2
  exit 1
fi
"$gcc_dump" "${inputs[@]}" > "$work/gcc.txt"
"$work/generator_dump_clang" "${inputs[@]}" > "$work/clang.txt"
if ! cmp -s "$work/gcc.txt" "$work/clang.txt"; then
  echo "FAIL: GCC and Clang builds decode kept inputs differently:" >&2
  diff "$work/gcc.txt" "$work/clang.txt" | head -20 >&2
  exit 1
fi
echo "same decoding under GCC and Clang: ${#inputs[@]} inputs, $(wc -c < "$work/gcc.txt") bytes of programs"
