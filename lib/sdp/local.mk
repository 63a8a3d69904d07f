# lib/sdp: parse, serialize, candidates, fingerprints, offer/answer building
libpeerc_internal_la_SOURCES += \
	lib/sdp/sdp.h lib/sdp/sdp.c \
	lib/sdp/parse.c lib/sdp/serialize.c \
	lib/sdp/candidate.c lib/sdp/fingerprint.c \
	lib/sdp/transport.c lib/sdp/build.c \
	lib/sdp/codecs.h lib/sdp/codecs.c \
	lib/sdp/media.h lib/sdp/media.c lib/sdp/media-remote.c

SDP_TESTS = \
	tests/unit/sdp-parse \
	tests/unit/sdp-malformed \
	tests/unit/sdp-candidate \
	tests/unit/sdp-build \
	tests/unit/sdp-codecs \
	tests/unit/sdp-media
check_PROGRAMS += $(SDP_TESTS)
TESTS += $(SDP_TESTS)
tests_unit_sdp_parse_LDADD = $(PEERC_TEST_LIBS)
tests_unit_sdp_malformed_LDADD = $(PEERC_TEST_LIBS)
tests_unit_sdp_candidate_LDADD = $(PEERC_TEST_LIBS)
tests_unit_sdp_build_LDADD = $(PEERC_TEST_LIBS)
tests_unit_sdp_codecs_LDADD = $(PEERC_TEST_LIBS)
tests_unit_sdp_media_LDADD = $(PEERC_TEST_LIBS)
EXTRA_DIST += tests/unit/sdp-fixtures.h \
	tests/data/aiortc-1.4-offer-audio-video-data.sdp \
	tests/data/aiortc-1.4-offer-data-only.sdp \
	tests/data/chromium-156-answer-audio-video-data.sdp \
	tests/data/chromium-156-offer-audio-video-data.sdp \
	tests/data/chromium-156-offer-data-only.sdp \
	tests/data/firefox-esr-153-offer-audio-video.sdp \
	tests/data/webrtcbin-1.22-offer-audio-video.sdp
