# lib/media: codec wrappers (libvpx VP8, libopus) and built-in test sources
libpeerc_internal_la_SOURCES += \
	lib/media/frame.c lib/media/frame.h \
	lib/media/vpxenc-common.c lib/media/vpxenc-common.h \
	lib/media/vp8enc.c lib/media/vp8enc.h \
	lib/media/vp8dec.c lib/media/vp8dec.h \
	lib/media/vp9enc.c lib/media/vp9enc.h \
	lib/media/vp9dec.c lib/media/vp9dec.h \
	lib/media/opus.c lib/media/opus.h \
	lib/media/testsrc.h lib/media/testsrc-video.c lib/media/testsrc-tone.c
# sin/lrint/sqrt in the tone source
libpeerc_internal_la_LIBADD += -lm

check_PROGRAMS += tests/unit/media-testsrc tests/unit/media-vp8 tests/unit/media-opus
TESTS += tests/unit/media-testsrc tests/unit/media-vp8 tests/unit/media-opus
tests_unit_media_testsrc_LDADD = $(PEERC_TEST_LIBS)
tests_unit_media_vp8_LDADD = $(PEERC_TEST_LIBS)
check_PROGRAMS += tests/unit/media-vp9
TESTS += tests/unit/media-vp9
tests_unit_media_vp9_LDADD = $(PEERC_TEST_LIBS)
tests_unit_media_opus_LDADD = $(PEERC_TEST_LIBS)

# RTP senders and receivers: codec + payload format + feedback per stream
libpeerc_internal_la_SOURCES += \
	lib/media/sender.h lib/media/sender-private.h lib/media/sender.c \
	lib/media/sender-encode.c lib/media/sender-feedback.c \
	lib/media/sender-g711.h lib/media/sender-g711.c \
	lib/media/receiver.h lib/media/receiver-private.h lib/media/receiver.c \
	lib/media/receiver-video.c lib/media/receiver-audio.c

check_PROGRAMS += tests/unit/media-pipeline
TESTS += tests/unit/media-pipeline
tests_unit_media_pipeline_LDADD = $(PEERC_TEST_LIBS)
