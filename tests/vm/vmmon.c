/*
 * vmmon — the VM harness's measuring helper (static, in /tg/bin of the
 * initramfs).  Busybox ash has no monotonic clock and every `sleep` or
 * `cat` is a fork, which under emulation and under memory pressure comes
 * late; the measurements that time the daemon are taken here instead, in
 * one small process that locks its memory.
 *
 *   vmmon now
 *       CLOCK_MONOTONIC in ms (the daemon's clock, and the probe's).
 *
 *   vmmon stamp
 *       Copies stdin to stdout line by line, each line prefixed with the
 *       CLOCK_MONOTONIC ms at which it was read ("12345 text"), flushed per
 *       line.  The daemon's stderr goes through it: its decision lines carry
 *       no time of their own.
 *
 *   vmmon sample [-i MS] [-t SECONDS] PATH...
 *       Every MS (default 100) prints one line
 *           "ms some_us full_us usage_bytes refaults [some_us ...]..."
 *       with, per PATH (a directory under /sys/fs/cgroup, or "/" for the
 *       node), the memory PSI totals (some, full), the memory in use
 *       (memory.current; MemTotal - MemAvailable for "/") and the daemon's
 *       refault count, workingset_refault_anon + workingset_refault_file +
 *       pgmajfault (memory.stat; /proc/vmstat for "/").  A group that is
 *       gone gives "- - - -".  Stops after SECONDS (default 600) or on
 *       SIGTERM.  Sampling at absolute deadlines: a late sample shows up as a
 *       gap in "ms", which is itself a measure of how stalled the VM was.
 *
 *   vmmon evict FILE...
 *       Drops FILE's pages from the page cache (posix_fadvise DONTNEED; a
 *       page still mapped somewhere stays).  Scenarios of one boot share
 *       the data disk's file: the pages a previous scenario left cached
 *       belong to a removed group, are reparented to the root and would
 *       never be reclaimed by the next scenario's limit, so the next thrash
 *       would find most of the file cached.  Per file, no global knob.
 *
 *   vmmon wait-empty DIR SECONDS
 *       Prints the CLOCK_MONOTONIC ms at which the cgroup DIR became
 *       empty ("populated 0" in its cgroup.events, or the group gone),
 *       woken by the kernel's notification on that file, not by a shell
 *       loop that itself stalls under pressure.  Status 1 if it is still
 *       populated after SECONDS.
 *
 *   vmmon mtime FILE
 *       The CLOCK_MONOTONIC ms of FILE's last modification (from its
 *       real-time mtime and the current offset between the two clocks):
 *       the probe writes its first summary right before its clock starts,
 *       so this gives the origin of its --timeline.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATHS 8

static uint64_t clock_ns(clockid_t id)
{
        struct timespec ts;
        clock_gettime(id, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ms(void)
{
        return clock_ns(CLOCK_MONOTONIC) / 1000000ull;
}

static void usage(void)
{
        fprintf(stderr, "usage: vmmon now | stamp | sample [-i MS] [-t SECONDS] PATH... | "
                        "evict FILE... | wait-empty DIR SECONDS | mtime FILE\n");
        exit(2);
}

/* Reads a whole small file with one pread on a kept-open fd. */
static ssize_t read_fd(int fd, char *buf, size_t size)
{
        ssize_t n = pread(fd, buf, size - 1, 0);
        if (n < 0)
                return -1;
        buf[n] = 0;
        return n;
}

static int cmd_stamp(void)
{
        char buf[8192];
        int at_start = 1;

        for (;;) {
                ssize_t n = read(0, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                /* Stamp the start of every line with the time its first
                 * bytes arrived. */
                for (ssize_t i = 0; i < n; i++) {
                        if (at_start) {
                                printf("%" PRIu64 " ", now_ms());
                                at_start = 0;
                        }
                        putchar(buf[i]);
                        if (buf[i] == '\n') {
                                at_start = 1;
                                fflush(stdout);
                        }
                }
        }
        if (!at_start)
                putchar('\n');
        fflush(stdout);
        return 0;
}

struct src {
        int psi_fd, mem_fd, stat_fd;
        int root;
};

static void src_open(struct src *s, const char *path)
{
        char p[4096];

        s->root = !strcmp(path, "/");
        if (s->root) {
                s->psi_fd = open("/proc/pressure/memory", O_RDONLY | O_CLOEXEC);
                s->mem_fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
                s->stat_fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
        } else {
                snprintf(p, sizeof p, "/sys/fs/cgroup/%s/memory.pressure", path);
                s->psi_fd = open(p, O_RDONLY | O_CLOEXEC);
                snprintf(p, sizeof p, "/sys/fs/cgroup/%s/memory.current", path);
                s->mem_fd = open(p, O_RDONLY | O_CLOEXEC);
                snprintf(p, sizeof p, "/sys/fs/cgroup/%s/memory.stat", path);
                s->stat_fd = open(p, O_RDONLY | O_CLOEXEC);
        }
}

static uint64_t meminfo_kib(const char *text, const char *key)
{
        const char *p = strstr(text, key);
        return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* "key value" lines (memory.stat, /proc/vmstat): the value of key, 0 if
 * absent.  key must match a whole line start. */
static uint64_t stat_value(const char *text, const char *key)
{
        size_t n = strlen(key);
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
                if (!strncmp(p, key, n) && p[n] == ' ')
                        return strtoull(p + n + 1, NULL, 10);
        return 0;
}

static void src_print(struct src *s)
{
        static char buf[16384];
        unsigned long long some = 0, full = 0, mem = 0, refaults = 0;
        const char *p;

        if (s->psi_fd < 0 || read_fd(s->psi_fd, buf, sizeof buf) <= 0) {
                fputs(" - - - -", stdout);
                return;
        }
        p = strstr(buf, "some ");
        if (p && (p = strstr(p, "total=")))
                some = strtoull(p + 6, NULL, 10);
        p = strstr(buf, "full ");
        if (p && (p = strstr(p, "total=")))
                full = strtoull(p + 6, NULL, 10);
        if (s->mem_fd >= 0 && read_fd(s->mem_fd, buf, sizeof buf) > 0) {
                if (s->root)
                        mem = (meminfo_kib(buf, "MemTotal:") - meminfo_kib(buf, "MemAvailable:")) *
                              1024ull;
                else
                        mem = strtoull(buf, NULL, 10);
        }
        if (s->stat_fd >= 0 && read_fd(s->stat_fd, buf, sizeof buf) > 0)
                refaults = stat_value(buf, "workingset_refault_anon") +
                           stat_value(buf, "workingset_refault_file") +
                           stat_value(buf, "pgmajfault");
        printf(" %llu %llu %llu %llu", some, full, mem, refaults);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
        (void)sig;
        stop = 1;
}

static int cmd_sample(int argc, char **argv)
{
        struct src srcs[MAX_PATHS];
        long interval_ms = 100;
        double secs = 600;
        int c, n;

        while ((c = getopt(argc, argv, "i:t:")) != -1) {
                switch (c) {
                case 'i':
                        interval_ms = strtol(optarg, NULL, 10);
                        break;
                case 't':
                        secs = strtod(optarg, NULL);
                        break;
                default:
                        usage();
                }
        }
        n = argc - optind;
        if (n < 1 || n > MAX_PATHS || interval_ms < 10 || secs <= 0)
                usage();
        for (int i = 0; i < n; i++)
                src_open(&srcs[i], argv[optind + i]);
        signal(SIGTERM, on_term);
        signal(SIGINT, on_term);
        /* Not fatal: without the lock the samples may just come later. */
        (void)mlockall(MCL_CURRENT | MCL_FUTURE);

        uint64_t start = clock_ns(CLOCK_MONOTONIC), next = start;
        uint64_t end = start + (uint64_t)(secs * 1e9);
        while (!stop && next < end) {
                printf("%" PRIu64, now_ms());
                for (int i = 0; i < n; i++)
                        src_print(&srcs[i]);
                putchar('\n');
                fflush(stdout);
                next += (uint64_t)interval_ms * 1000000ull;
                uint64_t now = clock_ns(CLOCK_MONOTONIC);
                if (next <= now) /* late: skip the missed deadlines */
                        next = now + (uint64_t)interval_ms * 1000000ull -
                               (now - next) % ((uint64_t)interval_ms * 1000000ull);
                struct timespec ts = {.tv_sec = (time_t)(next / 1000000000ull),
                                      .tv_nsec = (long)(next % 1000000000ull)};
                while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                        ;
        }
        return 0;
}

static int cmd_evict(int n, char **files)
{
        int rc = 0;
        for (int i = 0; i < n; i++) {
                int fd = open(files[i], O_RDONLY | O_CLOEXEC), r;
                if (fd < 0) {
                        fprintf(stderr, "vmmon: %s: %s\n", files[i], strerror(errno));
                        rc = 1;
                        continue;
                }
                (void)fdatasync(fd); /* dirty pages cannot be dropped */
                r = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
                if (r != 0) {
                        fprintf(stderr, "vmmon: fadvise %s: %s\n", files[i], strerror(r));
                        rc = 1;
                }
                close(fd);
        }
        return rc;
}

/* 1: populated, 0: empty or gone, -1: unreadable. */
static int group_populated(int fd)
{
        char buf[512];
        if (read_fd(fd, buf, sizeof buf) < 0)
                return errno == ENOENT || errno == ENODEV ? 0 : -1;
        const char *p = strstr(buf, "populated ");
        return p ? p[10] != '0' : -1;
}

static int cmd_wait_empty(const char *dir, const char *seconds)
{
        char path[4096];
        snprintf(path, sizeof path, "%s/cgroup.events", dir);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                if (errno != ENOENT)
                        fprintf(stderr, "vmmon: %s: %s\n", path, strerror(errno));
                printf("%" PRIu64 "\n", now_ms());
                return errno == ENOENT ? 0 : 1;
        }
        (void)mlockall(MCL_CURRENT | MCL_FUTURE);
        uint64_t deadline = now_ms() + 1000ull * strtoull(seconds, NULL, 10);
        for (;;) {
                int p = group_populated(fd);
                uint64_t now = now_ms();
                if (p == 0) {
                        printf("%" PRIu64 "\n", now);
                        return 0;
                }
                if (p < 0) {
                        fprintf(stderr, "vmmon: %s: %s\n", path, strerror(errno ? errno : EINVAL));
                        return 1;
                }
                if (now >= deadline)
                        return 1;
                /* kernfs wakes pollers with POLLPRI when the file changes;
                 * the timeout is a floor in case a change is missed. */
                struct pollfd pfd = {.fd = fd, .events = POLLPRI};
                uint64_t left = deadline - now;
                (void)poll(&pfd, 1, left < 100 ? (int)left : 100);
        }
}

static int cmd_mtime(const char *file)
{
        struct stat st;
        if (stat(file, &st) < 0) {
                fprintf(stderr, "vmmon: %s: %s\n", file, strerror(errno));
                return 1;
        }
        uint64_t real = clock_ns(CLOCK_REALTIME), mono = clock_ns(CLOCK_MONOTONIC);
        uint64_t mt = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
        uint64_t age = real > mt ? real - mt : 0;
        printf("%" PRIu64 "\n", (uint64_t)((mono > age ? mono - age : 0) / 1000000ull));
        return 0;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                usage();
        if (!strcmp(argv[1], "now") && argc == 2) {
                printf("%" PRIu64 "\n", now_ms());
                return 0;
        }
        if (!strcmp(argv[1], "stamp") && argc == 2)
                return cmd_stamp();
        if (!strcmp(argv[1], "sample"))
                return cmd_sample(argc - 1, argv + 1);
        if (!strcmp(argv[1], "evict") && argc >= 3)
                return cmd_evict(argc - 2, argv + 2);
        if (!strcmp(argv[1], "wait-empty") && argc == 4)
                return cmd_wait_empty(argv[2], argv[3]);
        if (!strcmp(argv[1], "mtime") && argc == 3)
                return cmd_mtime(argv[2]);
        usage();
        return 2;
}
