#!/bin/sh
# TAP: aiortc offers an audio+video call and the "echo" data channel;
# peerc-peer --media answers.  Both sides send video and audio and check
# what they decode; peerc-peer reports its side on hang-up.  aiortc 1.4's
# offer gives a=extmap id 2 to different extensions in its audio and video
# sections.  See aiortc_peer.py.
exec /bin/sh "${top_srcdir:-.}/tests/interop/run-aiortc.sh" offerer --media "$@"
