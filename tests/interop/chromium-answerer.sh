#!/bin/sh
# TAP: peerc-peer offers the "echo" data channel, headless Chromium answers
# and sends.  See chromium_peer.mjs.
exec /bin/sh "${top_srcdir:-.}/tests/interop/run-chromium.sh" answerer "$@"
