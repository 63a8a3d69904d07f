# lib/dtls: certificates, fingerprints, DTLS 1.2 (OpenSSL) over memory BIOs
libpeerc_internal_la_SOURCES += \
	lib/dtls/cert.c lib/dtls/cert.h \
	lib/dtls/fingerprint.c lib/dtls/fingerprint.h \
	lib/dtls/dtls.c lib/dtls/dtls.h lib/dtls/dtls-internal.h \
	lib/dtls/dtls-ssl.c \
	lib/dtls/dtls-srtp.c

check_PROGRAMS += tests/unit/dtls-cert tests/unit/dtls-handshake
TESTS += tests/unit/dtls-cert tests/unit/dtls-handshake
tests_unit_dtls_cert_LDADD = $(PEERC_TEST_LIBS)
tests_unit_dtls_handshake_LDADD = $(PEERC_TEST_LIBS)
