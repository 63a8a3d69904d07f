# lib/ice: libnice agent wrapper, ICE server URLs
libpeerc_internal_la_SOURCES += \
	lib/ice/ice.c lib/ice/ice.h \
	lib/ice/url.c lib/ice/url.h
