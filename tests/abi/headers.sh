#!/bin/sh
# Each public header compiles on its own as C99 and as C++, and defines only
# peerc/PEERC-prefixed macros.
set -u
srcinc="$top_srcdir/include"
buildinc="$top_builddir/include"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
check() {
    n=$((n + 1))
    if "$@" >"$tmp/out" 2>&1; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        sed 's/^/# /' "$tmp/out"
        fail=1
    fi
}
CC=${CC:-cc}
CXX=${CXX:-c++}
for h in "$srcinc"/peerc/*.h "$buildinc"/peerc/version.h; do
    name=peerc/$(basename "$h")
    printf '#include <%s>\nint peerc_test_dummy;\n' "$name" >"$tmp/t.c"
    cp "$tmp/t.c" "$tmp/t.cpp"
    desc="$name alone as C99"
    check $CC -std=c99 -pedantic -Wall -Wextra -Werror -I"$srcinc" -I"$buildinc" -c "$tmp/t.c" -o "$tmp/t.o"
    desc="$name alone as C++"
    check $CXX -std=c++11 -pedantic -Wall -Wextra -Werror -I"$srcinc" -I"$buildinc" -c "$tmp/t.cpp" -o "$tmp/t.o"
    desc="$name defines only PEERC_ macros"
    # Baseline: what the standard headers peerc includes define anyway.
    printf '#include <stddef.h>\n#include <stdint.h>\n' >"$tmp/base.c"
    $CC -std=c99 -E -dM "$tmp/base.c" | sort >"$tmp/base"
    $CC -std=c99 -E -dM -I"$srcinc" -I"$buildinc" "$tmp/t.c" | sort >"$tmp/all"
    comm -13 "$tmp/base" "$tmp/all" | grep -v -E '^#define PEERC_' >"$tmp/foreign"
    check test ! -s "$tmp/foreign"
    [ -s "$tmp/foreign" ] && sed 's/^/# /' "$tmp/foreign"
done
echo "1..$n"
exit $fail
