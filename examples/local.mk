# examples: built by `make` (and so by `make check`), linked against the
# installed-shape library like a user program would.
noinst_PROGRAMS += examples/loopback-demo
examples_loopback_demo_SOURCES = examples/loopback-demo.c
examples_loopback_demo_LDADD = libpeerc.la -lpthread
