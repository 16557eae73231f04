#!/usr/bin/env bash
# Links one engine build of the core into a single relocatable object whose only
# global symbol is its entry point, so the three engines (which export the same
# lua_* and C++ symbols) can share the `differential` fuzz target's process:
#   1. ld -r pulls what the entry point needs out of the core and engine archives;
#   2. objcopy drops the COMDAT groups (otherwise the final link would keep one
#      engine's copy of each inline function and discard the others', to which
#      the localized references of those engines still point), weakens the few
#      STB_GNU_UNIQUE symbols g++ gives static locals of std:: inline functions
#      (objcopy cannot localize those; they are identical constant tables), and
#      makes every other defined symbol local.
# Undefined references (libc, libstdc++, OpenSSL, sanitizer runtimes) stay global.
#   fuzz/localize_engine.sh OUTPUT ENTRY_SYMBOL OBJECT... -- ARCHIVE...
set -euo pipefail
out=$1 entry=$2
shift 2
objects=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do objects+=("$1"); shift; done
shift
combined="$out.combined.o"
ld -r -o "$combined" -u "$entry" "${objects[@]}" --start-group "$@" --end-group
unique="$out.unique.txt"
nm "$combined" | awk '$2 == "u" { print $3 }' >"$unique"
if grep -v '^_ZZNSt\|^_ZNSt\|^_ZZNKSt\|^_ZGVZNSt' "$unique" >"$unique.other"; then
  echo "localize_engine.sh: unique symbols outside std:: would be shared between engines:" >&2
  cat "$unique.other" >&2
  exit 1
fi
weaken=()
[ -s "$unique" ] && weaken=(--weaken-symbols="$unique")  # objcopy fails on an empty list
objcopy --remove-section=.group "${weaken[@]}" --keep-global-symbol="$entry" "$combined" "$out"
rm -f "$combined" "$unique" "$unique.other"
