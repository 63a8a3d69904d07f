# lib/media sources: built-in test sources on their own thread, V4L2 and ALSA capture
libpeerc_internal_la_SOURCES += \
	lib/media/source.h lib/media/source.c \
	lib/media/source-testsrc.c \
	lib/media/source-v4l2.c \
	lib/media/source-alsa.c

check_PROGRAMS += tests/unit/media-source
TESTS += tests/unit/media-source
tests_unit_media_source_LDADD = $(PEERC_TEST_LIBS)
