#!/bin/sh
# Shared by chromium-offerer.sh, chromium-answerer.sh and their -media-
# variants: run chromium_peer.mjs against peerc-peer with Chromium in role
# $1 (the other arguments go to chromium_peer.mjs).  stdout is TAP only.
role=$1
shift
# the log is named after the test: chromium[-media]-$role.peer.log
name=chromium-$role
for arg in "$@"; do
    [ "$arg" = --media ] && name=chromium-media-$role
done
srcdir=${top_srcdir:-.}/tests/interop
builddir=${top_builddir:-.}/tests/interop
node=${NODE:-node}

# A missing peer is a failure, not a skip: scripts/check installs it.
fail() {
    echo "not ok 1 - $1"
    echo "1..1"
    exit 1
}
command -v "$node" >/dev/null 2>&1 || fail "node is not installed (scripts/check installs it)"
# playwright-core comes from npm.  A read-only source tree (make distcheck)
# gets its own copy in the build tree.
scriptdir=$srcdir
if [ ! -d "$srcdir/node_modules/playwright-core" ]; then
    scriptdir=$builddir/npm
    mkdir -p "$scriptdir"
    if [ ! -d "$scriptdir/node_modules/playwright-core" ]; then
        cp "$srcdir/package.json" "$srcdir/package-lock.json" "$scriptdir/" &&
            (cd "$scriptdir" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
            fail "cannot install playwright-core with npm"
    fi
    cp "$srcdir/chromium_peer.mjs" "$srcdir/chromium-page.html" "$scriptdir/"
fi
exec /bin/sh "$srcdir/run-with-deadline.sh" 57 "$node" "$scriptdir/chromium_peer.mjs" \
    --peer "$builddir/peerc-peer" --role "$role" \
    --log "$builddir/$name.peer.log" "$@"
