#!/bin/sh
# TAP: headless Chromium offers an audio+video call (fake camera and
# microphone) and the "echo" data channel; peerc-peer --media answers.
# Both sides send video and audio and check what they decode; peerc-peer
# reports its side on hang-up.  See chromium_peer.mjs.
exec /bin/sh "${top_srcdir:-.}/tests/interop/run-chromium.sh" offerer --media "$@"
