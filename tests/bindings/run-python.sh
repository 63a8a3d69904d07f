#!/bin/sh
# Run a Python test that loads libpeerc.so with ctypes.  In a sanitizer
# build the ASan runtime has to be loaded first, and CPython's own
# allocations at exit are not ours to report.
case "${SANITIZER_LDFLAGS:-}" in
*thread*)
    LD_PRELOAD="$(${CC:-cc} -print-file-name=libtsan.so)"
    export LD_PRELOAD
    ;;
*address*)
    LD_PRELOAD="$(${CC:-cc} -print-file-name=libasan.so) $(${CC:-cc} -print-file-name=libubsan.so)"
    ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export LD_PRELOAD ASAN_OPTIONS
    ;;
esac
exec "${PYTHON3:-python3}" "$@"
