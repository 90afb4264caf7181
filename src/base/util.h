/* Small helpers shared by every module: cleanup attributes, fd and pointer
 * ownership transfer, array sizes, time units. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define USEC_PER_SEC  ((uint64_t)1000000)
#define USEC_PER_MSEC ((uint64_t)1000)
#define USEC_PER_MIN  (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define USEC_INFINITY UINT64_MAX

/* Memory limits read as "max" or the v1 "unlimited" value. */
#define BYTES_UNLIMITED UINT64_MAX

static inline void freep(void *p)
{
        free(*(void **)p);
}

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(freep)
#define _cleanup_close_  _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _unused_         __attribute__((unused))
#define _printf_(a, b)   __attribute__((format(printf, a, b)))

/* Hands ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _p = (p);                                                            \
                (p) = NULL;                                                                        \
                _p;                                                                                \
        })
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _fd = (fd);                                                                    \
                (fd) = -EBADF;                                                                     \
                _fd;                                                                               \
        })

/* Closes fd if open and leaves -EBADF behind. */
static inline int safe_close(int fd)
{
        if (fd >= 0)
                close(fd);
        return -EBADF;
}

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

static inline bool startswith(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline bool endswith(const char *s, const char *suffix)
{
        size_t ls = strlen(s), lx = strlen(suffix);
        return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

/* Copies src into dst[size], always NUL-terminated; returns -ENAMETOOLONG
 * (and leaves a truncated copy) when it did not fit. */
static inline int strcpy_bounded(char *dst, size_t size, const char *src)
{
        size_t n = strlen(src);
        if (size == 0)
                return -ENAMETOOLONG;
        if (n >= size) {
                memcpy(dst, src, size - 1);
                dst[size - 1] = 0;
                return -ENAMETOOLONG;
        }
        memcpy(dst, src, n + 1);
        return 0;
}

/* a - b for cumulative counters, 0 when the counter went backwards (the
 * group was recreated, or the counter wrapped). */
static inline uint64_t counter_delta(uint64_t now, uint64_t before)
{
        return now >= before ? now - before : 0;
}

/* a + b, UINT64_MAX where it would wrap. */
static inline uint64_t add_sat(uint64_t a, uint64_t b)
{
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The share (0..100) of a span spent stalled, from the growth of a
 * cumulative stall counter over it; 0 for an empty span. */
static inline double stall_pct(uint64_t stalled_usec, uint64_t span_usec)
{
        if (span_usec == 0)
                return 0;
        double pct = 100.0 * (double)stalled_usec / (double)span_usec;
        return pct > 100 ? 100 : pct;
}

/* A clock in microseconds. CLOCK_MONOTONIC is the program's time (decide
 * takes it as an argument; only the daemon, status and the act layer read
 * it); CLOCK_REALTIME is for people and the journal; CLOCK_BOOTTIME is
 * comparable across the daemon's restarts within one boot (frozen
 * records). */
static inline uint64_t clock_usec(clockid_t id)
{
        struct timespec ts;
        clock_gettime(id, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}
static inline uint64_t clock_monotonic_usec(void)
{
        return clock_usec(CLOCK_MONOTONIC);
}
static inline uint64_t clock_realtime_usec(void)
{
        return clock_usec(CLOCK_REALTIME);
}
static inline uint64_t clock_boottime_usec(void)
{
        return clock_usec(CLOCK_BOOTTIME);
}

/* Appends formatted text to the NUL-terminated string in buf[size],
 * truncating what does not fit. */
static inline _printf_(3, 4) void str_appendf(char *buf, size_t size, const char *fmt, ...)
{
        size_t len = strnlen(buf, size);
        va_list ap;

        if (len + 1 >= size)
                return;
        va_start(ap, fmt);
        vsnprintf(buf + len, size - len, fmt, ap);
        va_end(ap);
}
