# ICE scenarios (TURN, ICE-TCP, IPv6, consent): see tests/integration/pc-ice.c
# The TURN cases run coturn (/usr/bin/turnserver, Debian package coturn)
# on 127.0.0.1 and fail without it (scripts/check installs it).
check_PROGRAMS += tests/integration/pc-ice
TESTS += tests/integration/pc-ice
tests_integration_pc_ice_SOURCES = tests/integration/pc-ice.c
tests_integration_pc_ice_CPPFLAGS = $(INTEGRATION_CPPFLAGS)
tests_integration_pc_ice_LDADD = $(INTEGRATION_LIBS)
