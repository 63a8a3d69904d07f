#!/bin/sh
# Shared by webrtcbin-offerer.sh and webrtcbin-answerer.sh: run
# webrtcbin_peer.py against peerc-peer with webrtcbin in role $1 (the other
# arguments go to webrtcbin_peer.py).  stdout is TAP only.
role=$1
shift
name=webrtcbin-$role
srcdir=${top_srcdir:-.}/tests/interop
builddir=${top_builddir:-.}/tests/interop

# Debian's modules are only visible to Debian's interpreter.
py=/usr/bin/python3
[ -x "$py" ] || py=${PYTHON3:-python3}

if ! "$py" -c 'import gi; gi.require_version("Gst", "1.0"); gi.require_version("GstWebRTC", "1.0"); gi.require_version("GstSdp", "1.0")' >/dev/null 2>&1; then
    # A missing peer is a failure, not a skip: scripts/check installs it.
    echo "not ok 1 - GStreamer webrtcbin (python3-gst-1.0, gir1.2-gst-plugins-bad-1.0) is not installed for $py (scripts/check installs it)"
    echo "1..1"
    exit 1
fi
exec /bin/sh "$srcdir/run-with-deadline.sh" 40 "$py" "$srcdir/webrtcbin_peer.py" \
    --peer "$builddir/peerc-peer" --role "$role" --timeout 25 \
    --log "$builddir/$name.peer.log" "$@"
