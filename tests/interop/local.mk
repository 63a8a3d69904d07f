# tests/interop: peerc against other WebRTC stacks on this machine (aiortc,
# headless Chromium, GStreamer webrtcbin).  peerc-peer is a JSON-lines-
# signalled echo endpoint built on the public API; the drivers spawn it and
# play the other side.
# The *-media-* tests add an audio+video call (peerc-peer --media) in both
# offer directions; the webrtcbin-* tests do data and media in one run.
# A missing peer (python3-aiortc, chromium, node, playwright-core,
# GStreamer webrtcbin) fails the test: scripts/check installs them all.
check_PROGRAMS += tests/interop/peerc-peer
tests_interop_peerc_peer_SOURCES = tests/interop/peerc-peer.c
tests_interop_peerc_peer_CPPFLAGS = $(AM_CPPFLAGS) $(JSON_GLIB_CFLAGS)
tests_interop_peerc_peer_LDADD = libpeerc.la $(JSON_GLIB_LIBS) -lpthread -lm

INTEROP_TESTS = tests/interop/aiortc-offerer.sh tests/interop/aiortc-answerer.sh \
	tests/interop/chromium-offerer.sh tests/interop/chromium-answerer.sh \
	tests/interop/aiortc-media-offerer.sh tests/interop/aiortc-media-answerer.sh \
	tests/interop/chromium-media-offerer.sh tests/interop/chromium-media-answerer.sh \
	tests/interop/webrtcbin-offerer.sh tests/interop/webrtcbin-answerer.sh
TESTS += $(INTEROP_TESTS)
EXTRA_DIST += $(INTEROP_TESTS) \
	tests/interop/run-aiortc.sh tests/interop/run-chromium.sh \
	tests/interop/run-with-deadline.sh \
	tests/interop/aiortc_peer.py \
	tests/interop/webrtcbin-run.sh tests/interop/webrtcbin_peer.py \
	tests/interop/chromium_peer.mjs tests/interop/chromium-page.html \
	tests/interop/package.json tests/interop/package-lock.json
CLEANFILES += tests/interop/aiortc-offerer.peer.log tests/interop/aiortc-answerer.peer.log \
	tests/interop/chromium-offerer.peer.log tests/interop/chromium-answerer.peer.log \
	tests/interop/aiortc-media-offerer.peer.log tests/interop/aiortc-media-answerer.peer.log \
	tests/interop/chromium-media-offerer.peer.log tests/interop/chromium-media-answerer.peer.log \
	tests/interop/webrtcbin-offerer.peer.log tests/interop/webrtcbin-answerer.peer.log

# playwright-core installed into the build tree when the source tree has none
clean-local: clean-interop-npm
clean-interop-npm:
	rm -rf tests/interop/npm
.PHONY: clean-interop-npm
