#!/bin/sh
# Run a Python test that loads libpeerc.so with ctypes.  In a sanitizer
# build the ASan runtime has to be loaded first, and CPython's own
# allocations at exit are not ours to report.
if [ -n "${SANITIZER_LDFLAGS:-}" ]; then
    LD_PRELOAD="$(${CC:-cc} -print-file-name=libasan.so) $(${CC:-cc} -print-file-name=libubsan.so)"
    ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export LD_PRELOAD ASAN_OPTIONS
fi
exec "${PYTHON3:-python3}" "$@"
