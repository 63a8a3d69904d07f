# lib/pc: the public peer connection and data channel objects
libpeerc_internal_la_SOURCES += \
	lib/pc/pc.c lib/pc/pc_internal.h \
	lib/pc/signaling.c \
	lib/pc/transport.c \
	lib/pc/datachannel.c \
	lib/pc/strings.c
