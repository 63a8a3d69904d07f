#!/bin/sh
# TAP: aiortc offers a data channel, peerc-peer answers and echoes.
# See aiortc_peer.py.  Set PEERC_LOG=debug for the library's log (it is saved
# in aiortc-offerer.peer.log and printed as "# " lines when a check fails).
exec /bin/sh "${top_srcdir:-.}/tests/interop/run-aiortc.sh" offerer "$@"
