#!/bin/sh
# TAP: headless Chromium offers a data channel, peerc-peer answers and
# echoes.  Chromium's default behaviour (mDNS host candidates, no loopback).
# See chromium_peer.mjs.
exec /bin/sh "${top_srcdir:-.}/tests/interop/run-chromium.sh" offerer "$@"
