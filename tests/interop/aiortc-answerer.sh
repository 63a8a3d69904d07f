#!/bin/sh
# TAP: peerc-peer offers the "echo" data channel, aiortc answers and sends.
# See aiortc_peer.py.
exec /bin/sh "${top_srcdir:-.}/tests/interop/run-aiortc.sh" answerer "$@"
