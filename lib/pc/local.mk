# lib/pc: the public peer connection and data channel objects
libpeerc_internal_la_SOURCES += \
	lib/pc/pc.c lib/pc/pc_internal.h \
	lib/pc/signaling.c \
	lib/pc/transport.c \
	lib/pc/datachannel.c \
	lib/pc/strings.c
# media: tracks, transceivers, negotiation of media sections, RTP transport
libpeerc_internal_la_SOURCES += \
	lib/pc/media_internal.h \
	lib/pc/track.c \
	lib/pc/transceiver.c \
	lib/pc/negotiation.c \
	lib/pc/codec-choice.c \
	lib/pc/media-apply.c \
	lib/pc/media-transport.c \
	lib/pc/twcc-feedback.c
