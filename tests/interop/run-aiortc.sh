#!/bin/sh
# Shared by aiortc-offerer.sh and aiortc-answerer.sh: run aiortc_peer.py
# against peerc-peer with aiortc in role $1.  stdout is TAP only.
role=$1
shift
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
    --log "$builddir/aiortc-$role.peer.log" "$@"
