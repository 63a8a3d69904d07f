#!/bin/sh
# Shared by aiortc-offerer.sh, aiortc-answerer.sh and their -media- variants:
# run aiortc_peer.py against peerc-peer with aiortc in role $1 (the other
# arguments go to aiortc_peer.py).  stdout is TAP only.
role=$1
shift
# the log is named after the test: aiortc[-media]-$role.peer.log
name=aiortc-$role
for arg in "$@"; do
    [ "$arg" = --media ] && name=aiortc-media-$role
done
srcdir=${top_srcdir:-.}/tests/interop
builddir=${top_builddir:-.}/tests/interop

# Debian's modules are only visible to Debian's interpreter.
py=/usr/bin/python3
[ -x "$py" ] || py=${PYTHON3:-python3}

if ! "$py" -c 'import aiortc' >/dev/null 2>&1; then
    # A missing peer is a failure, not a skip: scripts/check installs it.
    echo "not ok 1 - aiortc (python3-aiortc) is not installed for $py (scripts/check installs it)"
    echo "1..1"
    exit 1
fi
exec /bin/sh "$srcdir/run-with-deadline.sh" 57 "$py" "$srcdir/aiortc_peer.py" \
    --peer "$builddir/peerc-peer" --role "$role" \
    --log "$builddir/$name.peer.log" "$@"
