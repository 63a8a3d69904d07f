#!/bin/sh
# The shared library exports exactly the functions the public headers
# declare with PEERC_API, all peerc_-prefixed.
set -u
lib="$top_builddir/.libs/libpeerc.so"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRV]$/ {print $3}' | sed 's/@.*//' | sort -u >"$tmp/exported"
cat "$top_srcdir"/include/peerc/*.h | tr '\n' ' ' |
    grep -oE 'PEERC_API [a-zA-Z0-9_ *]*peerc_[a-z0-9_]+ *\(' |
    sed -E 's/.*(peerc_[a-z0-9_]+) *\($/\1/' | sort -u >"$tmp/declared"
fail=0
if grep -v '^peerc_' "$tmp/exported" >"$tmp/foreign"; then
    echo "not ok 1 - only peerc_ symbols exported"
    sed 's/^/# foreign: /' "$tmp/foreign"
    fail=1
else
    echo "ok 1 - only peerc_ symbols exported ($(wc -l <"$tmp/exported") symbols)"
fi
if diff "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
    echo "ok 2 - exported symbols match the PEERC_API declarations"
else
    echo "not ok 2 - exported symbols match the PEERC_API declarations"
    sed 's/^/# /' "$tmp/diff"
    fail=1
fi
missing=0
for s in $(cat "$tmp/declared"); do
    [ -f "$top_srcdir/doc/api/$s.md" ] || { echo "# no doc/api/$s.md"; missing=1; }
done
if [ $missing -eq 0 ]; then
    echo "ok 3 - every exported function has a doc page"
else
    echo "not ok 3 - every exported function has a doc page"
    fail=1
fi
echo "1..3"
exit $fail
