/* Minimal TAP producer for peerc tests (automake tap-driver). */
#ifndef PEERC_TESTS_TAP_H
#define PEERC_TESTS_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count_;
static int tap_failed_;

#define ok(cond, ...) tap_ok_((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int_((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str_((got), (want), __FILE__, __LINE__, __VA_ARGS__)


#include <stdarg.h>
__attribute__((format(printf, 4, 5)))
static inline int tap_ok_(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tap_count_++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count_);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!pass) {
        tap_failed_++;
        printf("#   failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return pass;
}

__attribute__((format(printf, 5, 6)))
static inline int tap_is_int_(long long got, long long want, const char *file, int line,
                              const char *fmt, ...)
{
    va_list ap;
    int pass = got == want;
    tap_count_++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count_);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!pass) {
        tap_failed_++;
        printf("#   failed at %s:%d: got %lld, want %lld\n", file, line, got, want);
    }
    fflush(stdout);
    return pass;
}

__attribute__((format(printf, 5, 6)))
static inline int tap_is_str_(const char *got, const char *want, const char *file, int line,
                              const char *fmt, ...)
{
    va_list ap;
    int pass = got && want ? strcmp(got, want) == 0 : got == want;
    tap_count_++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count_);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!pass) {
        tap_failed_++;
        printf("#   failed at %s:%d: got \"%s\", want \"%s\"\n", file, line,
               got ? got : "(null)", want ? want : "(null)");
    }
    fflush(stdout);
    return pass;
}

#define diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); fflush(stdout); } while (0)

static inline int done_testing(void)
{
    printf("1..%d\n", tap_count_);
    fflush(stdout);
    return tap_failed_ ? 1 : 0;
}

#define skip_all(...) do { printf("1..0 # SKIP "); printf(__VA_ARGS__); printf("\n"); exit(0); } while (0)

#endif
