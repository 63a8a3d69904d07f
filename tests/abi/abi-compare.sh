#!/bin/sh
# ABI guard: compare the built library with the committed baseline
# abi/libpeerc.abi.  Additions pass; removals or changes of existing
# functions and types fail.  After an intended, release-time addition,
# refresh the baseline with `make abi-baseline`.
set -u
lib="$top_builddir/.libs/libpeerc.so"
baseline="$top_srcdir/abi/libpeerc.abi"
if [ ! -f "$baseline" ]; then
    echo "not ok 1 - baseline abi/libpeerc.abi is missing"
    echo "1..1"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
abidw --no-corpus-path --no-show-locs --headers-dir "$top_srcdir/include/peerc" "$lib" >"$tmp/current.abi"
abidiff --no-added-syms --redundant --suppressions "$top_srcdir/abi/libpeerc.abignore" "$baseline" "$tmp/current.abi" >"$tmp/report" 2>&1
rc=$?
# abidiff exit status bits: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
if [ $((rc & 11)) -ne 0 ]; then
    echo "not ok 1 - ABI compatible with abi/libpeerc.abi (abidiff status $rc)"
    sed 's/^/# /' "$tmp/report"
    echo "1..1"
    exit 1
fi
if [ $((rc & 4)) -ne 0 ]; then
    echo "not ok 1 - ABI compatible with abi/libpeerc.abi (existing interfaces changed)"
    sed 's/^/# /' "$tmp/report"
    echo "1..1"
    exit 1
fi
echo "ok 1 - ABI compatible with abi/libpeerc.abi"
echo "1..1"
