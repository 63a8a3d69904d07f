# bench: data-channel and media-call benchmarks, peerc side by side with
# other stacks.  Not tests (nothing here runs under make check, nothing
# asserts timings): `make` builds the peerc programs so that API changes
# breaking them show up at once; bench/run builds, runs every stack and
# compares.  See bench/README.md.
noinst_PROGRAMS += bench/dc-throughput
bench_dc_throughput_SOURCES = bench/dc-throughput.c
bench_dc_throughput_LDADD = libpeerc.la -lpthread
noinst_PROGRAMS += bench/media-call
bench_media_call_SOURCES = bench/media-call.c
bench_media_call_LDADD = libpeerc.la -lpthread

EXTRA_DIST += bench/run bench/README.md bench/package.json bench/package-lock.json bench/dc_throughput_aiortc.py bench/dc-throughput.mjs bench/compare.py \
	bench/media_call_aiortc.py bench/media-call.mjs
