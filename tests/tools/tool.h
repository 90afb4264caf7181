/* Helpers shared by the workload tools in tests/tools/.  Each tool is one .c
 * file built on its own (static, so the VM's initramfs can carry it); what
 * they have in common lives here as static inline functions so that no logic
 * is copied between them and an unused helper costs nothing.
 *
 * Exit codes shared by every tool: 0 done, 1 runtime failure, 2 bad
 * arguments (after printing why and a pointer to --help). */
#pragma once

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MIB             ((uint64_t)1024 * 1024)
#define KIB             ((uint64_t)1024)
#define USEC_PER_SEC    ((uint64_t)1000000)
#define USEC_PER_MSEC   ((uint64_t)1000)
#define NSEC_PER_USEC   ((uint64_t)1000)
#define TOOL_PAGE_BYTES ((size_t)4096)

/* Seconds the kernel's SIGALRM gives a tool beyond its own --duration before
 * it is ended without cleanup: the tools stop by themselves at the deadline,
 * the alarm is the backstop for a loop stuck in reclaim. */
#define TOOL_GRACE_SEC 10

static inline uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / NSEC_PER_USEC;
}

/* Sleeps until the absolute CLOCK_MONOTONIC time t_usec.  Returns 0 at the
 * deadline, -EINTR when a signal handler ran first: absolute deadlines keep a
 * periodic loop from drifting by the time each round takes. */
static inline int sleep_until_usec(uint64_t t_usec)
{
        struct timespec ts = {
            .tv_sec = (time_t)(t_usec / USEC_PER_SEC),
            .tv_nsec = (long)(t_usec % USEC_PER_SEC * NSEC_PER_USEC),
        };
        int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

        return r == 0 ? 0 : -r;
}

static inline __attribute__((noreturn, format(printf, 2, 3))) void usage_error(const char *prog,
                                                                               const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s: ", prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry '%s --help'.\n", prog);
        exit(2);
}

/* Parses a whole decimal number within [min, max]: -EINVAL for anything that
 * is not entirely digits, -ERANGE outside the bounds. */
static inline int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (*end != '\0')
                return -EINVAL;
        if (errno == ERANGE || v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* The option form of parse_u64: a bad value is a usage error (exit 2). */
static inline uint64_t opt_u64(const char *prog, const char *opt, const char *arg, uint64_t min,
                               uint64_t max)
{
        uint64_t v;
        int r = parse_u64(arg, min, max, &v);

        if (r == -EINVAL)
                usage_error(prog, "%s: '%s' is not a whole number", opt, arg);
        if (r < 0)
                usage_error(prog, "%s: %s is outside %" PRIu64 "..%" PRIu64, opt, arg, min, max);
        return v;
}

/* Writes one byte in every page so that each page is really allocated and
 * charged to the caller's memory cgroup; the value is varied so nothing can
 * treat the memory as zero pages. */
static inline void touch_pages(void *p, size_t len, unsigned seed)
{
        volatile char *v = p;

        for (size_t off = 0; off < len; off += TOOL_PAGE_BYTES)
                v[off] = (char)(seed + off / TOOL_PAGE_BYTES);
}

/* Reserves len bytes of private anonymous memory; nothing is allocated until
 * touched.  Returns NULL on failure with errno set by mmap. */
static inline void *map_anon(size_t len)
{
        void *p = mmap(NULL, len ? len : 1, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

        return p == MAP_FAILED ? NULL : p;
}

/* For a forked worker: die with the parent, so that killing the tool's main
 * process (by pid, as the tests do) never leaves workers running.  The
 * getppid() check closes the race where the parent died before prctl. */
static inline int die_with_parent(pid_t parent, int sig)
{
        if (prctl(PR_SET_PDEATHSIG, sig) < 0)
                return -errno;
        if (getppid() != parent)
                return -ESRCH;
        return 0;
}

/* The backstop behind a tool's own deadline: SIGALRM's default action ends
 * the process.  Alarms are not inherited by fork(), so each worker arms its
 * own. */
static inline void arm_hard_deadline(uint64_t duration_sec)
{
        alarm((unsigned)(duration_sec + TOOL_GRACE_SEC));
}

/* Routes SIGTERM and SIGINT to handler without SA_RESTART, so that a sleep in
 * clock_nanosleep returns EINTR and the loop can finish its output. */
static inline void on_stop_signals(void (*handler)(int))
{
        struct sigaction sa = {.sa_handler = handler};

        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
}
