# lib/media: codec wrappers (libvpx VP8, libopus) and built-in test sources
libpeerc_internal_la_SOURCES += \
	lib/media/frame.c lib/media/frame.h \
	lib/media/vp8enc.c lib/media/vp8enc.h \
	lib/media/vp8dec.c lib/media/vp8dec.h \
	lib/media/opus.c lib/media/opus.h \
	lib/media/testsrc.h lib/media/testsrc-video.c lib/media/testsrc-tone.c
# sin/lrint/sqrt in the tone source
libpeerc_internal_la_LIBADD += -lm

check_PROGRAMS += tests/unit/media-testsrc tests/unit/media-vp8 tests/unit/media-opus
TESTS += tests/unit/media-testsrc tests/unit/media-vp8 tests/unit/media-opus
tests_unit_media_testsrc_LDADD = $(PEERC_TEST_LIBS)
tests_unit_media_vp8_LDADD = $(PEERC_TEST_LIBS)
tests_unit_media_opus_LDADD = $(PEERC_TEST_LIBS)
