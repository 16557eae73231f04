#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh as OSS-Fuzz would (CC, CXX, CFLAGS, CXXFLAGS,
# LIB_FUZZING_ENGINE, OUT, SRC, WORK set; engines taken from this build's fetched
# trees), then checks that every target it produced runs on its seed corpus and
# has its .dict and .options beside it.
#
# CFLAGS are OSS-Fuzz's libFuzzer flags at -O0 without a sanitizer: what this
# checks is the script (configure, every target built with the flags it is given,
# linked with LIB_FUZZING_ENGINE, packaged), and it costs about half of a build
# with OSS-Fuzz's -O1 ASan flags. The same targets under ASan + UBSan are the fuzz
# preset's: its sanitizers-reached, fuzz-regression and campaign tests.
#   fuzz/check_ossfuzz_build.sh REPO SCRATCH LUA51_TREE LUAJIT_TREE LUAJIT2_TREE
set -euo pipefail
repo=$1 scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch"/{src,out,work}
ln -s "$repo" "$scratch/src/codecache"
ln -s "$3" "$scratch/src/lua51"
ln -s "$4" "$scratch/src/luajit"
ln -s "$5" "$scratch/src/luajit2"
export CC=clang CXX=clang++
export CFLAGS="-O0 -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
export SRC="$scratch/src" OUT="$scratch/out" WORK="$scratch/work"
bash "$repo/.clusterfuzzlite/build.sh" >"$scratch/build.log" 2>&1 || { tail -30 "$scratch/build.log"; exit 1; }
count=0
for bin in "$OUT"/fuzz_*; do
  case "$bin" in *.zip|*.dict|*.options) continue ;; esac
  name=$(basename "$bin")
  for extra in "${name}_seed_corpus.zip" "$name.dict" "$name.options"; do
    [ -f "$OUT/$extra" ] || { echo "missing $extra" >&2; exit 1; }
  done
  seeds="$WORK/seeds-$name" && mkdir -p "$seeds" && (cd "$seeds" && unzip -q -o "$OUT/${name}_seed_corpus.zip")
  "$bin" -runs=0 -dict="$OUT/$name.dict" "$seeds" >"$WORK/$name.log" 2>&1 ||
    { tail -20 "$WORK/$name.log"; echo "$name failed on its seeds" >&2; exit 1; }
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "build.sh produced no fuzz targets" >&2; exit 1; }
echo "ok: $count OSS-Fuzz targets built and ran on their seed corpora"
