#!/bin/sh
# TAP: peerc-peer --media offers an audio+video call and the "echo" data
# channel; GStreamer webrtcbin answers (its send pads, linked before the
# offer arrives, take over the offered m-lines).  See webrtcbin_peer.py.
exec /bin/sh "${top_srcdir:-.}/tests/interop/webrtcbin-run.sh" answerer --media "$@"
