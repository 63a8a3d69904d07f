#!/bin/sh
# TAP: GStreamer webrtcbin offers an audio+video call (VP8 + Opus) and the
# "echo" data channel; peerc-peer --media answers.  Both sides send video
# and audio and count what they decode; peerc-peer reports its side on
# hang-up.  See webrtcbin_peer.py.
exec /bin/sh "${top_srcdir:-.}/tests/interop/webrtcbin-run.sh" offerer --media "$@"
