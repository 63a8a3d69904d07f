# lib/sctp: usrsctp glue (SCTP over DTLS, RFC 8261)
libpeerc_internal_la_SOURCES += \
	lib/sctp/sctp.h lib/sctp/sctp-private.h \
	lib/sctp/usrsctp-global.c \
	lib/sctp/bridge.c \
	lib/sctp/options.c \
	lib/sctp/assoc.c \
	lib/sctp/recv.c \
	lib/sctp/send.c

check_PROGRAMS += tests/unit/sctp-assoc
TESTS += tests/unit/sctp-assoc
tests_unit_sctp_assoc_LDADD = $(PEERC_TEST_LIBS)
