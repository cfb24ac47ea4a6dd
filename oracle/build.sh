#!/usr/bin/env bash
# oracle/build.sh: fetch Debian bookworm's sources of BearSSL 0.6, mbedTLS
# 2.28 and wolfSSL 5.5 and build one probe per configuration of
# oracle/configs.tsv. Prints the directory that holds the probes, one
# executable per configuration name.
#
# Cache: $CERTLINT_ORACLE_CACHE, else $XDG_CACHE_HOME/certlint-oracle, else
# ~/.cache/certlint-oracle. Probes are keyed by the hash of this script, the
# table and the probe sources, so a rerun with nothing changed builds
# nothing. Library objects are keyed by the hash of their preprocessed
# source and flags, so configurations whose defines do not reach a file
# share its object (an IN_CONTENT_LEN change recompiles only mbedTLS's ssl_*).
#
# A fresh machine needs dpkg-dev, gcc and a deb-src entry for
# bookworm; when none exists and we are root, this script writes
# /etc/apt/sources.list.d/certlint-oracle-src.list and runs apt-get update.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CERTLINT_ORACLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certlint-oracle}
jobs=${ORACLE_JOBS:-2}
key=$(cat "$0" "$here/configs.tsv" "$here"/probe/*.[ch] "$here"/probe/wolfssl/*.h | sha256sum | cut -c1-16)
out=$cache/bin/$key
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache/bin"
final=$out
out=$(mktemp -d "$cache/bin/.$key.XXXXXX") # built here, renamed when complete
trap 'rm -rf "$out"' EXIT
mkdir -p "$cache/src" "$cache/obj"
log() { echo "oracle/build.sh: $*" >&2; }

# fetch PACKAGE UPSTREAM-VERSION-PREFIX: unpack Debian's source package
# (with Debian's patches) into $cache/src/PACKAGE once.
fetch() {
	local pkg=$1 want=$2 dir=$cache/src/$1
	[ -d "$dir" ] && return
	if ! grep -rqs '^deb-src .*bookworm\|^Types:.*deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/ &&
		[ "$(id -u)" = 0 ]; then
		log "adding deb-src for bookworm (/etc/apt/sources.list.d/certlint-oracle-src.list)"
		echo 'deb-src http://deb.debian.org/debian bookworm main' >/etc/apt/sources.list.d/certlint-oracle-src.list
		apt-get update -qq >&2
	fi
	local tmp
	tmp=$(mktemp -d "$cache/src/.dl.XXXXXX")
	log "apt-get source $pkg"
	(cd "$tmp" && apt-get source -qq --download-only "$pkg" >&2 && dpkg-source -x ./*.dsc unpacked >/dev/null)
	local version
	version=$(cd "$tmp" && ls ./*.dsc | sed 's/.*_\(.*\)\.dsc/\1/')
	case $version in
	"$want"*) ;;
	*)
		log "$pkg: Debian has $version, expected $want.x"
		exit 1
		;;
	esac
	echo "$version" >"$tmp/unpacked/.debian-version"
	mv -T "$tmp/unpacked" "$dir" 2>/dev/null || true # another build may have won
	rm -rf "$tmp"
}

fetch bearssl 0.6
fetch mbedtls 2.28
fetch wolfssl 5.5

# Error names, straight from each stack's headers (BearSSL's tools/errors.c
# has its own table).
mkdir -p "$out/inc/mbedtls" "$out/inc/wolfssl"
grep -h '^#define MBEDTLS_ERR_[A-Z0-9_]* *-0x' "$cache"/src/mbedtls/include/mbedtls/*.h |
	sed 's/^#define MBEDTLS_ERR_\([A-Z0-9_]*\) *\(-0x[0-9A-Fa-f]*\).*/{\2, "\1"},/' >"$out/inc/mbedtls/errnames.h"
sed -n 's/^ *\([A-Z][A-Z0-9_]*\) *= *\(-[0-9][0-9]*\),.*/{\2, "\1"},/p' \
	"$cache"/src/wolfssl/wolfssl/error-ssl.h "$cache"/src/wolfssl/wolfssl/wolfcrypt/error-crypt.h >"$out/inc/wolfssl/errnames.h"

# compile SOURCE: one object, named by the hash of the preprocessed source
# and $CFLAGS; prints the object's path.
compile() {
	local src=$1 h obj
	# shellcheck disable=SC2086
	h=$( (echo "$CFLAGS"; gcc $CFLAGS -E "$src") | sha256sum | cut -c1-32)
	obj=$ORACLE_OBJ/$h.o
	if [ ! -f "$obj" ]; then
		# shellcheck disable=SC2086
		gcc $CFLAGS -c "$src" -o "$obj.$$" && mv "$obj.$$" "$obj"
	fi
	echo "$obj"
}
export -f compile
export ORACLE_OBJ=$cache/obj

# library STACK DEFINES: compile the library sources the probe needs with
# DEFINES; prints the object list.
library() {
	local stack=$1 defines=$2 s=$cache/src/$1
	local base="-O1 -w -fPIC -D_GNU_SOURCE"
	case $stack in
	bearssl)
		CFLAGS="$base -I$s/inc -I$s/src $defines"
		find "$s/src" -name '*.c' | sort
		;;
	mbedtls)
		CFLAGS="$base -I$s/include -I$here/probe -DMBEDTLS_USER_CONFIG_FILE=<mbedtls_user_config.h> $defines"
		ls "$s"/library/*.c | grep -v '/psa_\|/ssl_tls13'
		;;
	wolfssl)
		CFLAGS="$base -I$s -I$here/probe/wolfssl -DWOLFSSL_USER_SETTINGS $defines"
		ls "$s"/src/{internal,keys,ssl,tls,tls13,wolfio}.c
		ls "$s"/wolfcrypt/src/*.c | grep -v '/evp\.c$\|/misc\.c$'
		;;
	esac >"$out/.sources"
	export CFLAGS
	xargs -P "$jobs" -n 1 bash -c 'compile "$1"' _ <"$out/.sources" 2>>"$out/build.log" || {
		log "compiling $stack failed; the end of the build log:"
		tail -20 "$out/build.log" >&2
		exit 1
	}
}

# The configuration table: name, stack, defines, runtime flags, profile.
grep -v '^#' "$here/configs.tsv" | grep -v '^[[:space:]]*$' | while IFS=$'\t' read -r name stack defines _flags _profile; do
	[ "$defines" = "-" ] && defines=""
	log "$name: $stack $defines"
	objs=$(library "$stack" "$defines") || exit 1
	s=$cache/src/$stack
	case $stack in
	bearssl)
		tools=$(for f in certs files names xmem vector errors; do
			CFLAGS="-O1 -w -I$s/inc -I$s/tools $defines" compile "$s/tools/$f.c"
		done)
		# shellcheck disable=SC2086
		gcc -O1 -w -I"$s/inc" -I"$s/tools" -I"$here/probe" $defines "$here/probe/bearssl_probe.c" $tools $objs -o "$out/$name"
		;;
	mbedtls)
		# shellcheck disable=SC2086
		gcc -O1 -w -I"$s/include" -I"$here/probe" -I"$out/inc/mbedtls" "-DMBEDTLS_USER_CONFIG_FILE=<mbedtls_user_config.h>" $defines \
			"$here/probe/mbedtls_probe.c" -Wl,--start-group $objs -Wl,--end-group -o "$out/$name"
		;;
	wolfssl)
		# shellcheck disable=SC2086
		gcc -O1 -w -I"$s" -I"$here/probe" -I"$here/probe/wolfssl" -I"$out/inc/wolfssl" -DWOLFSSL_USER_SETTINGS $defines \
			"$here/probe/wolfssl_probe.c" -Wl,--start-group $objs -Wl,--end-group -lm -o "$out/$name"
		;;
	*)
		log "$name: unknown stack $stack"
		exit 1
		;;
	esac
done
cp "$here/configs.tsv" "$out/configs.tsv"
touch "$out/.done"
rm -f "$out/.sources"
mv -T "$out" "$final" 2>/dev/null || true # a build running at the same time may have finished first
echo "$final"
