#!/usr/bin/env bash
# Prepares the two real nginx + ngx_lua builds the referee runs the conformance
# cases on (ctest label `nginx`), in ROOT, without installing any of them:
#
#   conformance/nginx/prepare.sh ROOT
#
#   ROOT/debian/      Debian's nginx, nginx-common, nginx-dev, the NDK module (+ its -dev
#                     source), libnginx-mod-http-lua and lua-resty-core/-lrucache, as
#                     extracted with `dpkg-deb -x` (binary packages by name from the
#                     archive; the lua module pinned to the version of its source below)
#   ROOT/luajit2/lib  libluajit2-5.1-2 (OpenResty's LuaJIT): the `openresty` build
#   ROOT/luajit/      libluajit-5.1-2 + -dev (stock LuaJIT): the `classic` build
#   ROOT/classic/ngx_http_lua_module.so
#                     Debian's lua-nginx-module source (engines/sources.lock, fetched and
#                     sha256-checked by engines/fetch-source.sh ngx_lua) with Debian's
#                     patches, built as a dynamic module against nginx-dev (--with-compat,
#                     Debian's configure flags, NDK added as Debian does) and stock LuaJIT
#   ROOT/ready        written last; holds the versions used and the recipe's sha256
#                     (this script, engines/sources.lock, engines/fetch-source.sh): run
#                     again with the same recipe, the script does nothing
#
# The LuaJIT packages conflict with each other (same soname), so each build gets its
# own through LD_LIBRARY_PATH. Needs apt-get (package lists), dpkg-deb, dpkg-source
# and the build dependencies libpcre3-dev libpcre2-dev libssl-dev zlib1g-dev
# (`./harness test` installs them). Downloads are kept in $CODECACHE_DOWNLOAD_DIR/nginx-debs
# (default <repo>/.cache/nginx-debs); delete that directory to pick up archive updates.
# Exit status: 0 ready, 3 nginx cannot be obtained here (no apt, no archive), 1 other errors.
set -euo pipefail

root=${1:?usage: prepare.sh ROOT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
lock="$repo/engines/sources.lock"
downloads=${CODECACHE_DOWNLOAD_DIR:-$repo/.cache}/nginx-debs
die() { echo "prepare.sh: $*" >&2; exit 1; }
# Exit status 3: nginx cannot be obtained on this machine (the harness skips the label, loudly).
unavailable() { echo "prepare.sh: $*" >&2; exit 3; }
say() { echo "prepare.sh: $*" >&2; }

for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || unavailable "$tool not found: not a Debian system"
done
for tool in dpkg-source dpkg-architecture make cc; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian with dpkg-dev and build-essential needed)"
done
for header in /usr/include/pcre.h /usr/include/pcre2.h /usr/include/openssl/ssl.h /usr/include/zlib.h; do
  [ -f "$header" ] || die "$header missing: apt-get install libpcre3-dev libpcre2-dev libssl-dev zlib1g-dev"
done

# Prepared already from the same recipe (this script, the pins and the fetcher): nothing
# to do. The harness prepares before the build and the build's own step runs this again.
inputs=$(cat "${BASH_SOURCE[0]}" "$lock" "$repo/engines/fetch-source.sh" | sha256sum | cut -d' ' -f1)
if [ -f "$root/ready" ] && [ "$(sed -n 's/^recipe //p' "$root/ready")" = "$inputs" ]; then
  say "nginx builds already prepared in $root"
  exit 0
fi

module_version=$(awk '$1 == "ngx_lua" { print $3; exit }' "$lock")
[ -n "$module_version" ] || die "no ngx_lua row in $lock"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

debian_packages=(nginx nginx-common nginx-dev libnginx-mod-http-ndk libnginx-mod-http-ndk-dev
                 "libnginx-mod-http-lua=$module_version" lua-resty-core lua-resty-lrucache)
luajit2_packages=(libluajit2-5.1-2)
luajit_packages=(libluajit-5.1-2 libluajit-5.1-dev libluajit-5.1-common)

# apt-get download, once per package (a file for that name is reused).
fetch() {
  local spec name
  mkdir -p "$downloads"
  for spec in "$@"; do
    name=${spec%%=*}
    if ls "$downloads/${name}"_*.deb >/dev/null 2>&1; then continue; fi
    say "downloading $spec"
    if ! (cd "$downloads" && apt-get download -qq "$spec" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2); then :; fi
    if ! ls "$downloads/${name}"_*.deb >/dev/null 2>&1; then
      [ "$(id -u)" = 0 ] || unavailable "cannot download $spec (run apt-get update as root?)"
      apt-get update -qq
      (cd "$downloads" && apt-get download -qq "$spec" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
      ls "$downloads/${name}"_*.deb >/dev/null 2>&1 || unavailable "apt-get download $spec failed"
    fi
  done
}

extract() {
  local dest=$1 spec name
  shift
  rm -rf "$dest" && mkdir -p "$dest"
  for spec in "$@"; do
    name=${spec%%=*}
    for deb in "$downloads/${name}"_*.deb; do dpkg-deb -x "$deb" "$dest"; done
  done
}

fetch "${debian_packages[@]}" "${luajit2_packages[@]}" "${luajit_packages[@]}"
mkdir -p "$root"
rm -f "$root/ready"
extract "$root/debian" "${debian_packages[@]}"
extract "$root/luajit2/deb" "${luajit2_packages[@]}"
extract "$root/luajit/deb" "${luajit_packages[@]}"
ln -sfn "deb/usr/lib/$multiarch" "$root/luajit2/lib"
ln -sfn "deb/usr/lib/$multiarch" "$root/luajit/lib"

deb_version=$(dpkg-deb -f "$(ls "$downloads"/libnginx-mod-http-lua_*.deb | head -1)" Version)
[ "$deb_version" = "$module_version" ] ||
  die "libnginx-mod-http-lua is $deb_version but its source is pinned at $module_version; update engines/sources.lock (or remove $downloads)"
nginx_version=$(dpkg-deb -f "$(ls "$downloads"/nginx_*.deb | head -1)" Version)
dev_version=$(dpkg-deb -f "$(ls "$downloads"/nginx-dev_*.deb | head -1)" Version)
[ "$nginx_version" = "$dev_version" ] || die "nginx $nginx_version and nginx-dev $dev_version differ; remove $downloads and retry"

# The classic module: Debian's source and recipe (debian/rules + dh-sequence-nginx's
# configure step), against stock LuaJIT instead of libluajit2-5.1-dev.
"$repo/engines/fetch-source.sh" ngx_lua "$root/classic/ngx_lua-src"
nginx_src="$root/debian/usr/share/nginx/src"
ndk_src="$root/debian/usr/share/nginx-ndk/src"
build="$root/classic/build"
rm -rf "$build"
cflags="$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS) -fPIC $(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS)"
ldflags="$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS) -fPIC -lpcre"
say "configuring the classic ngx_lua module (nginx-dev $dev_version, stock LuaJIT)"
(
  cd "$nginx_src"
  # shellcheck disable=SC1091
  . ./conf_flags
  LUAJIT_INC="$root/luajit/deb/usr/include/luajit-2.1" LUAJIT_LIB="$root/luajit/lib" \
    ./configure --with-cc-opt="$cflags" --with-ld-opt="$ldflags" "${NGX_CONF_FLAGS[@]}" \
      --add-dynamic-module="$root/classic/ngx_lua-src" --add-module="$ndk_src" --builddir="$build" \
      >"$root/classic/configure.log" 2>&1
) || die "configure failed, see $root/classic/configure.log"
say "building the classic ngx_lua module"
make -C "$nginx_src" -f "$build/Makefile" -j"${CODECACHE_JOBS:-2}" modules >"$root/classic/make.log" 2>&1 ||
  die "make failed, see $root/classic/make.log"
cp "$build/ngx_http_lua_module.so" "$root/classic/ngx_http_lua_module.so"

cat >"$root/ready" <<READY
recipe $inputs
nginx $nginx_version (nginx-dev $dev_version)
libnginx-mod-http-lua $deb_version (openresty build: Debian's binary; classic build: its source against stock LuaJIT)
$(for d in "$downloads"/*.deb; do dpkg-deb -f "$d" Package Version | paste -sd' '; done)
READY
say "nginx builds ready in $root"
