#!/usr/bin/env bash
# Fetches one engine's pinned Debian source package, checks every file against
# engines/sources.lock (sha256) and unpacks a build-ready tree.
#
#   engines/fetch-source.sh ENGINE DEST_DIR
#   engines/fetch-source.sh --pin ENGINE      prints what a ready tree's .codecache-pin holds
#
# ENGINE is lua51, luajit or luajit2 (or ngx_lua: Debian's lua-nginx-module source with its
# patches, for the nginx referee's classic build). Downloads are kept in $CODECACHE_DOWNLOAD_DIR
# (default: <repo>/.cache/engine-sources) so repeated configures do not refetch.
# Lua 5.1 is unpacked from the orig tarball plus Debian's vararg stack fix (0004):
# Debian's own Makefile patch breaks `liblua.a`, and we compile Lua as C++, so the
# extern "C" patch (0003) is not wanted. LuaJIT trees get all Debian patches
# (dpkg-source -x), which carry the CVE-2024-2517x fixes. Our own patches for known
# engine bugs, engines/patches/<engine>-*.patch, are applied last (each documents why).
set -euo pipefail

if [ "${1:-}" = "--pin" ]; then
  pin_only=1
  shift
fi

engine=${1:?usage: fetch-source.sh ENGINE DEST_DIR}
dest=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lock="$here/sources.lock"
downloads=${CODECACHE_DOWNLOAD_DIR:-$here/../.cache/engine-sources}

die() { echo "fetch-source.sh: $*" >&2; exit 1; }
[ -n "${pin_only:-}" ] || [ -n "$dest" ] || die "usage: fetch-source.sh ENGINE DEST_DIR"

our_patches() { ls "$here/patches/$engine"-*.patch 2>/dev/null || true; }

mapfile -t rows < <(awk -v e="$engine" '$1 == e { print }' "$lock")
[ "${#rows[@]}" -gt 0 ] || die "unknown engine '$engine' (expected lua51, luajit, luajit2 or ngx_lua)"
read -r _ package version _ _ <<<"${rows[0]}"
pin="$package=$version patches:$(cat $(our_patches) /dev/null | sha256sum | cut -c1-16)"
if [ -n "${pin_only:-}" ]; then echo "$pin"; exit 0; fi

verified() {
  local row file sum
  for row in "${rows[@]}"; do
    read -r _ _ _ file sum <<<"$row"
    [ -f "$downloads/$file" ] || return 1
    echo "$sum  $downloads/$file" | sha256sum --check --status || return 1
  done
}

ensure_deb_src() {
  if apt-get source --download-only --print-uris "$package=$version" >/dev/null 2>&1; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "no deb-src entry for $package; run as root once or add deb-src lines"
  echo "fetch-source.sh: adding deb-src entries for Debian bookworm" >&2
  cat >/etc/apt/sources.list.d/codecache-deb-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get update -qq
}

if ! verified; then
  command -v apt-get >/dev/null || die "apt-get not found; set CODECACHE_${engine^^}_SOURCE_DIR to a local tree instead"
  ensure_deb_src
  mkdir -p "$downloads"
  echo "fetch-source.sh: downloading $package=$version" >&2
  (cd "$downloads" && apt-get source --download-only -qq "$package=$version" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  for row in "${rows[@]}"; do
    read -r _ _ _ file sum <<<"$row"
    [ -f "$downloads/$file" ] || die "apt-get source did not produce $file (is $package=$version still in the archive?)"
    echo "$sum  $downloads/$file" | sha256sum --check --status \
      || die "sha256 mismatch for $file: expected $sum, got $(sha256sum "$downloads/$file" | cut -d' ' -f1)"
  done
fi

rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
case "$engine" in
  lua51)
    tar -xzf "$downloads"/lua5.1_*.orig.tar.gz -C "$dest.tmp" --strip-components=1
    tar -xJf "$downloads"/lua5.1_*.debian.tar.xz -C "$dest.tmp"
    patch -s -d "$dest.tmp" -p1 < "$dest.tmp/debian/patches/0004-Fix-stack-overflow-in-vararg-functions.patch"
    ;;
  luajit|luajit2|ngx_lua)
    command -v dpkg-source >/dev/null || die "dpkg-source not found (apt-get install dpkg-dev)"
    dsc=$(ls "$downloads/${package}_${version#*:}.dsc" 2>/dev/null || true)
    [ -n "$dsc" ] || die "missing ${package}_${version}.dsc in $downloads"
    rm -rf "$dest.tmp" && dpkg-source --no-check -x "$dsc" "$dest.tmp" >/dev/null
    ;;
esac
for p in $(our_patches); do
  patch -s -d "$dest.tmp" -p1 <"$p" || die "cannot apply $(basename "$p")"
done
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "$pin" >"$dest/.codecache-pin"
echo "fetch-source.sh: $engine ready in $dest" >&2
