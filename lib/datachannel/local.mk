# lib/datachannel: DCEP (RFC 8832) and the channel state machine (RFC 8831)
libpeerc_internal_la_SOURCES += \
	lib/datachannel/dcep.c lib/datachannel/dcep.h \
	lib/datachannel/manager.h lib/datachannel/manager-private.h \
	lib/datachannel/manager.c \
	lib/datachannel/channels.c \
	lib/datachannel/inbound.c

check_PROGRAMS += tests/unit/dc-dcep tests/unit/dc-manager
TESTS += tests/unit/dc-dcep tests/unit/dc-manager
tests_unit_dc_dcep_LDADD = $(PEERC_TEST_LIBS)
tests_unit_dc_manager_LDADD = $(PEERC_TEST_LIBS)
