#!/bin/sh
# TAP: peerc-peer --media offers an audio+video call and the "echo" data
# channel; aiortc answers.  Both sides send video and audio and check what
# they decode; peerc-peer reports its side on hang-up.  See aiortc_peer.py.
exec /bin/sh "${top_srcdir:-.}/tests/interop/run-aiortc.sh" answerer --media "$@"
