# examples: built by `make` (and so by `make check`), linked against the
# installed-shape library like a user program would.
noinst_PROGRAMS += examples/loopback-demo
examples_loopback_demo_SOURCES = examples/loopback-demo.c
examples_loopback_demo_LDADD = libpeerc.la -lpthread
noinst_PROGRAMS += examples/video-call
examples_video_call_SOURCES = examples/video-call.c
examples_video_call_LDADD = libpeerc.la -lpthread -lm
