# lib/srtp: libsrtp2 sessions keyed from DTLS-SRTP (RFC 5764, RFC 7714)
libpeerc_internal_la_SOURCES += \
	lib/srtp/global.c lib/srtp/global.h \
	lib/srtp/session.c lib/srtp/session.h

check_PROGRAMS += tests/unit/srtp-session
TESTS += tests/unit/srtp-session
tests_unit_srtp_session_LDADD = $(PEERC_TEST_LIBS)
