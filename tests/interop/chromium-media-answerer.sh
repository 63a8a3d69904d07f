#!/bin/sh
# TAP: peerc-peer --media offers an audio+video call and the "echo" data
# channel; headless Chromium (fake camera and microphone) answers.  Both
# sides send video and audio and check what they decode; peerc-peer reports
# its side on hang-up.  See chromium_peer.mjs.
exec /bin/sh "${top_srcdir:-.}/tests/interop/run-chromium.sh" answerer --media "$@"
