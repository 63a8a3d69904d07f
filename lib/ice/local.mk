# lib/ice: libnice agent wrapper, ICE server URLs
libpeerc_internal_la_SOURCES += \
	lib/ice/ice.c lib/ice/ice.h \
	lib/ice/mdns.c lib/ice/mdns.h \
	lib/ice/url.c lib/ice/url.h

check_PROGRAMS += tests/unit/ice-mdns
TESTS += tests/unit/ice-mdns
tests_unit_ice_mdns_LDADD = $(PEERC_TEST_LIBS)
