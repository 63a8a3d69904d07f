#!/bin/sh
# Install into a scratch directory, then build and run a program with only
# `pkg-config --cflags --libs peerc`, and check the installed library
# exports nothing but peerc_ symbols.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
result() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
${MAKE:-make} -C "$top_builddir" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1
rc=$?
result $rc "make install into a scratch DESTDIR"
[ $rc -eq 0 ] || { sed 's/^/# /' "$tmp/install.log" | tail -20; echo "1..$n"; exit 1; }
pcdir=$(dirname "$(find "$tmp/root" -name peerc.pc | head -n 1)")
libdir=$(dirname "$pcdir")
cat >"$tmp/app.c" <<'CEOF'
#include <peerc/peerc.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    peerc_ctx *ctx;
    peerc_pc *pc;
    peerc_dc *dc;
    char *offer = NULL;
    int ok = peerc_ctx_new(&ctx) == PEERC_OK && peerc_pc_new(ctx, NULL, NULL, NULL, &pc) == PEERC_OK &&
             peerc_pc_create_data_channel(pc, "x", NULL, &dc) == PEERC_OK &&
             peerc_pc_create_offer(pc, NULL, &offer) == PEERC_OK && strstr(offer, "m=application");
    printf("peerc %s (headers %s): %s\n", peerc_version_string(), PEERC_VERSION_STRING, ok ? "offer ok" : "failed");
    peerc_free(offer);
    peerc_dc_free(dc);
    peerc_pc_free(pc);
    peerc_ctx_free(ctx);
    return ok && peerc_version() == PEERC_VERSION_NUMBER ? 0 : 1;
}
CEOF
# As if configured with --prefix=<scratch>: point the installed .pc there.
prefix=$(cd "$libdir/.." && pwd)
sed -i "s#^prefix=.*#prefix=$prefix#" "$pcdir/peerc.pc"
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs peerc)
${CC:-cc} -std=c99 -Wall -Werror ${SANITIZER_LDFLAGS:-} -o "$tmp/app" "$tmp/app.c" $flags >"$tmp/cc.log" 2>&1
rc=$?
result $rc "a program builds with only pkg-config --cflags --libs peerc ($flags)"
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/cc.log"
LD_LIBRARY_PATH="$libdir" "$tmp/app" >"$tmp/run.log" 2>&1
rc=$?
result $rc "and runs: $(cat "$tmp/run.log")"
so=$(find "$libdir" -name 'libpeerc.so.*.*' | head -n 1)
foreign=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^peerc_')
[ -z "$foreign" ]
result $? "nm -D of the installed library lists only peerc_ symbols"
[ -n "$foreign" ] && echo "$foreign" | sed 's/^/# foreign: /'
echo "1..$n"
exit $fail
