# tests: integration tests (two pcs in one process over loopback), API and
# ABI checks.  Unit tests are listed by each layer's local.mk.
EXTRA_DIST += tests/integration/harness.h

noinst_LTLIBRARIES += tests/libharness.la
tests_libharness_la_SOURCES = tests/integration/harness.c tests/integration/harness.h
tests_libharness_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests

INTEGRATION_LIBS = tests/libharness.la libpeerc.la -lpthread
INTEGRATION_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/tests/integration

check_PROGRAMS += tests/integration/pc-datachannel tests/integration/pc-misuse
TESTS += tests/integration/pc-datachannel tests/integration/pc-misuse
tests_integration_pc_datachannel_SOURCES = tests/integration/pc-datachannel.c
tests_integration_pc_datachannel_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
tests_integration_pc_datachannel_LDADD = $(INTEGRATION_LIBS)
tests_integration_pc_misuse_SOURCES = tests/integration/pc-misuse.c
tests_integration_pc_misuse_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
tests_integration_pc_misuse_LDADD = $(INTEGRATION_LIBS)

# the in-process call reads the test pattern's frame numbers: internal library
check_PROGRAMS += tests/integration/pc-media
TESTS += tests/integration/pc-media
tests_integration_pc_media_SOURCES = tests/integration/pc-media.c
tests_integration_pc_media_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
tests_integration_pc_media_LDADD = tests/libharness.la $(PEERC_TEST_LIBS) -lpthread
check_PROGRAMS += tests/integration/pc-media-loss tests/integration/pc-media-api
TESTS += tests/integration/pc-media-api
tests_integration_pc_media_api_SOURCES = tests/integration/pc-media-api.c
tests_integration_pc_media_api_CPPFLAGS = $(INTEGRATION_CPPFLAGS) $(GLIB_CFLAGS)
tests_integration_pc_media_api_LDADD = tests/libharness.la $(PEERC_TEST_LIBS) -lpthread
TESTS += tests/integration/pc-media-loss
tests_integration_pc_media_loss_SOURCES = tests/integration/pc-media-loss.c
tests_integration_pc_media_loss_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
tests_integration_pc_media_loss_LDADD = tests/libharness.la $(PEERC_TEST_LIBS) -lpthread

include tests/integration/ice.mk

# ABI and API surface checks
TESTS += tests/abi/headers.sh tests/abi/exports.sh tests/abi/installed.sh
if HAVE_ABIGAIL
TESTS += tests/abi/abi-compare.sh
endif
EXTRA_DIST += tests/abi/headers.sh tests/abi/exports.sh tests/abi/installed.sh tests/abi/abi-compare.sh abi/libpeerc.abi abi/libpeerc.abignore
AM_TESTS_ENVIRONMENT += CC='$(CC)' CXX='$(CXX)' MAKE='$(MAKE)' SANITIZER_LDFLAGS='$(SANITIZER_LDFLAGS)'; export CC CXX MAKE SANITIZER_LDFLAGS;
AM_TESTS_ENVIRONMENT += TSAN_OPTIONS="suppressions=$(abs_top_srcdir)/tests/tsan.supp $${TSAN_OPTIONS:-}"; export TSAN_OPTIONS;
EXTRA_DIST += tests/tsan.supp

# Refresh the committed ABI baseline (release time only; see doc/abi.md).
abi-baseline: libpeerc.la
	abidw --no-corpus-path --no-show-locs --headers-dir $(top_srcdir)/include/peerc .libs/libpeerc.so \
		> $(top_srcdir)/abi/libpeerc.abi
.PHONY: abi-baseline

# A binding's view of the ABI (Python ctypes, no compiler involved)
TESTS += tests/bindings/ctypes_smoke.py
EXTRA_DIST += tests/bindings/ctypes_smoke.py tests/bindings/run-python.sh
