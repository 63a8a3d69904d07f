# lib/rtp: RTP/RTCP packets, payload formats (VP8, Opus), sequence numbers,
# NACK, frame assembly and the video jitter buffer
libpeerc_internal_la_SOURCES += \
	lib/rtp/bytes.h \
	lib/rtp/packet.h lib/rtp/packet.c lib/rtp/ext.c lib/rtp/demux.c \
	lib/rtp/rtcp.h lib/rtp/rtcp.c lib/rtp/rtcp-fb.c \
	lib/rtp/twcc.h lib/rtp/twcc.c \
	lib/rtp/seq.h lib/rtp/seq.c \
	lib/rtp/source.h lib/rtp/source.c \
	lib/rtp/nack.h lib/rtp/nack.c \
	lib/rtp/assembler.h lib/rtp/assembler.c \
	lib/rtp/depacketizer.h lib/rtp/depacketizer.c \
	lib/rtp/vp8.h lib/rtp/vp8.c \
	lib/rtp/h264.h lib/rtp/h264.c \
	lib/rtp/vp9.h lib/rtp/vp9.c \
	lib/rtp/opus.h lib/rtp/opus-payload.c \
	lib/rtp/jitter.h lib/rtp/jitter.c

RTP_TESTS = \
	tests/unit/rtp-packet \
	tests/unit/rtp-rtcp \
	tests/unit/rtp-twcc \
	tests/unit/rtp-seq \
	tests/unit/rtp-vp8 \
	tests/unit/rtp-vp8-codec \
	tests/unit/rtp-h264 \
	tests/unit/rtp-vp9 \
	tests/unit/rtp-opus \
	tests/unit/rtp-jitter \
	tests/unit/rtp-fuzz
check_PROGRAMS += $(RTP_TESTS)
TESTS += $(RTP_TESTS)
tests_unit_rtp_packet_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_rtcp_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_twcc_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_seq_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_vp8_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_vp8_codec_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_h264_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_vp9_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_opus_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_jitter_LDADD = $(PEERC_TEST_LIBS)
tests_unit_rtp_fuzz_LDADD = $(PEERC_TEST_LIBS)
