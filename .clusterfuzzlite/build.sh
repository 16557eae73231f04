#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script. Honours CC, CXX, CFLAGS, CXXFLAGS,
# LIB_FUZZING_ENGINE, OUT, SRC and WORK. Expects the project in $SRC/codecache
# (or CODECACHE_SRC) and the engine trees in $SRC/lua51, $SRC/luajit, $SRC/luajit2.
# Writes every fuzz_<target>_<engine> to $OUT with its <name>_seed_corpus.zip,
# <name>.dict and <name>.options.
set -eu
project=${CODECACHE_SRC:-$SRC/codecache}
build=$WORK/codecache-build

cmake -S "$project" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE= \
  -DCODECACHE_OSSFUZZ=ON -DBUILD_TESTING=OFF -DCODECACHE_BENCH=OFF -DCODECACHE_CLI=OFF \
  -DCODECACHE_LUA51_SOURCE_DIR="$(realpath "$SRC/lua51")" \
  -DCODECACHE_LUAJIT_SOURCE_DIR="$(realpath "$SRC/luajit")" \
  -DCODECACHE_LUAJIT2_SOURCE_DIR="$(realpath "$SRC/luajit2")"
cmake --build "$build" -j"$(nproc)"

targets=$(sed -n 's/^set(CODECACHE_FUZZ_TARGETS \(.*\))$/\1/p' "$project/fuzz/CMakeLists.txt")
luajit_targets=$(sed -n 's/^set(CODECACHE_LUAJIT_FUZZ_TARGETS \(.*\))$/\1/p' "$project/fuzz/CMakeLists.txt")
runs=()
for target in $targets; do for engine in lua51 luajit luajit2; do runs+=("$target $engine"); done; done
for target in $luajit_targets; do for engine in luajit luajit2; do runs+=("$target $engine"); done; done
for run in "${runs[@]}"; do
  read -r target engine <<<"$run"
  name=fuzz_${target}_${engine}
  cp "$build/bin/$name" "$OUT/$name"
  (cd "$project/corpus/$target" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
  cp "$project/corpus/lua.dict" "$OUT/$name.dict"
  cp "$project/corpus/$target.options" "$OUT/$name.options"
done
# `differential`: every engine in one binary (fuzz/localize_engine.sh).
name=fuzz_differential
cp "$build/bin/$name" "$OUT/$name"
(cd "$project/corpus/differential" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
cp "$project/corpus/lua.dict" "$OUT/$name.dict"
cp "$project/corpus/differential.options" "$OUT/$name.options"
