/* probe: how late does a small, periodic task run?
 *
 * It stands for the latency-sensitive neighbour of a thrashing pod.  Every
 * interval it wakes at an absolute CLOCK_MONOTONIC deadline (so the schedule
 * does not drift) and touches --touch-kib of memory that was released after
 * the previous sample, so every sample allocates a little, like a request
 * would: in a group at its limit that allocation waits in reclaim.  A sample
 * is the time from the deadline to the end of that touch.
 *
 * The summary is rewritten every second (write to a temporary file, then
 * rename), so a probe ended by SIGKILL still leaves a complete, recent one;
 * SIGTERM/SIGINT or the end of --duration write the final one. */
#include "tool.h"

#include <fcntl.h>

#define WRITE_EVERY_USEC USEC_PER_SEC
#define MAX_SAMPLES      ((uint64_t)10 * 1000 * 1000)

struct options {
        const char *out;
        const char *timeline;
        uint64_t interval_usec;
        uint64_t duration_sec;
        size_t touch_bytes;
};

struct samples {
        uint32_t *late_usec; /* in wake-up order */
        uint32_t *due_msec;  /* deadline, ms after the start */
        uint32_t *sorted;    /* scratch for percentiles */
        size_t n, cap;
        size_t n_written; /* timeline lines already written */
        uint64_t missed;  /* deadlines skipped because a wake-up was late */
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

static void usage(void)
{
        printf("Usage: probe --out FILE [--interval-ms N] [--duration S] [--touch-kib N]\n"
               "             [--timeline FILE]\n"
               "\n"
               "Wakes every interval at an absolute deadline, allocates and touches a little\n"
               "memory, and records how late each wake-up (plus its touch) finished.\n"
               "\n"
               "  --out FILE        summary, JSON: {\"samples\":N,\"missed\":M,\"interval_ms\":I,\n"
               "                    \"p50_ms\":..,\"p99_ms\":..,\"max_ms\":..,\"final\":BOOL};\n"
               "                    rewritten every second, final on exit\n"
               "  --interval-ms N   period, 1..10000 (default 100)\n"
               "  --duration S      exit after S seconds (default 120)\n"
               "  --touch-kib N     memory touched per wake-up, 0..65536 (default 256)\n"
               "  --timeline FILE   one line per sample: \"t_ms late_ms\" (t_ms: the\n"
               "                    deadline, ms after the start)\n"
               "\n"
               "A wake-up later than one interval skips the deadlines it overran (counted\n"
               "as \"missed\") instead of producing a burst of catch-up samples.\n"
               "Percentiles are nearest-rank; with no samples they are null.\n"
               "Exit status: 0 done (also on SIGTERM/SIGINT), 1 failure, 2 bad arguments.\n");
}

static struct options parse_args(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"out", required_argument, NULL, 'o'},
            {"timeline", required_argument, NULL, 't'},
            {"interval-ms", required_argument, NULL, 'i'},
            {"duration", required_argument, NULL, 'd'},
            {"touch-kib", required_argument, NULL, 'k'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        struct options o = {
            .interval_usec = 100 * USEC_PER_MSEC,
            .duration_sec = 120,
            .touch_bytes = 256 * KIB,
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        o.out = optarg;
                        break;
                case 't':
                        o.timeline = optarg;
                        break;
                case 'i':
                        o.interval_usec =
                            opt_u64("probe", "--interval-ms", optarg, 1, 10000) * USEC_PER_MSEC;
                        break;
                case 'd':
                        o.duration_sec = opt_u64("probe", "--duration", optarg, 1, 86400);
                        break;
                case 'k':
                        o.touch_bytes =
                            (size_t)(opt_u64("probe", "--touch-kib", optarg, 0, 65536) * KIB);
                        break;
                case 'h':
                        usage();
                        exit(0);
                default:
                        usage_error("probe", "bad option");
                }
        }
        if (optind < argc)
                usage_error("probe", "unexpected argument '%s'", argv[optind]);
        if (!o.out)
                usage_error("probe", "--out is required");
        if (o.duration_sec * USEC_PER_SEC / o.interval_usec > MAX_SAMPLES)
                usage_error("probe", "more than %" PRIu64 " samples: raise --interval-ms",
                            MAX_SAMPLES);
        return o;
}

/* Everything the loop needs is allocated and touched before it starts, so
 * that recording a sample never allocates under the pressure it measures. */
static int samples_init(struct samples *s, size_t cap)
{
        size_t bytes = cap * sizeof(uint32_t);

        *s = (struct samples){.cap = cap};
        s->late_usec = map_anon(bytes);
        s->due_msec = map_anon(bytes);
        s->sorted = map_anon(bytes);
        if (!s->late_usec || !s->due_msec || !s->sorted)
                return -ENOMEM;
        touch_pages((char *)s->late_usec, bytes, 0);
        touch_pages((char *)s->due_msec, bytes, 0);
        touch_pages((char *)s->sorted, bytes, 0);
        return 0;
}

static int cmp_u32(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

        return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted array. */
static uint32_t percentile(const uint32_t *sorted, size_t n, unsigned pct)
{
        size_t rank = ((size_t)pct * n + 99) / 100;

        return sorted[rank ? rank - 1 : 0];
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Replaces path atomically, so a reader (or a SIGKILL) never sees half a
 * summary. */
static int write_file_atomic(const char *path, const char *buf, size_t len)
{
        char tmp[4096];
        int fd, r;

        if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
                return -ENAMETOOLONG;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        r = write_all(fd, buf, len);
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

static int print_ms(char *buf, size_t size, uint32_t usec)
{
        return snprintf(buf, size, "%" PRIu32 ".%03" PRIu32, usec / 1000, usec % 1000);
}

static int write_summary(const struct options *o, struct samples *s, bool final)
{
        char buf[512], p50[32] = "null", p99[32] = "null", max[32] = "null";
        int n;

        if (s->n > 0) {
                memcpy(s->sorted, s->late_usec, s->n * sizeof(uint32_t));
                qsort(s->sorted, s->n, sizeof(uint32_t), cmp_u32);
                print_ms(p50, sizeof(p50), percentile(s->sorted, s->n, 50));
                print_ms(p99, sizeof(p99), percentile(s->sorted, s->n, 99));
                print_ms(max, sizeof(max), s->sorted[s->n - 1]);
        }
        n = snprintf(buf, sizeof(buf),
                     "{\"samples\":%zu,\"missed\":%" PRIu64 ",\"interval_ms\":%" PRIu64
                     ",\"p50_ms\":%s,\"p99_ms\":%s,\"max_ms\":%s,\"final\":%s}\n",
                     s->n, s->missed, o->interval_usec / USEC_PER_MSEC, p50, p99, max,
                     final ? "true" : "false");
        return write_file_atomic(o->out, buf, (size_t)n);
}

/* Appends the samples recorded since the last call. */
static int write_timeline(int fd, struct samples *s)
{
        char buf[8192];
        size_t len = 0;
        int r;

        for (; s->n_written < s->n; s->n_written++) {
                char ms[32];

                if (len > sizeof(buf) - 64) {
                        r = write_all(fd, buf, len);
                        if (r < 0)
                                return r;
                        len = 0;
                }
                print_ms(ms, sizeof(ms), s->late_usec[s->n_written]);
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%" PRIu32 " %s\n",
                                        s->due_msec[s->n_written], ms);
        }
        return write_all(fd, buf, len);
}

static int flush_output(const struct options *o, struct samples *s, int timeline_fd, bool final)
{
        int r = write_summary(o, s, final);

        if (timeline_fd >= 0) {
                int r2 = write_timeline(timeline_fd, s);

                if (r == 0)
                        r = r2;
        }
        return r;
}

int main(int argc, char **argv)
{
        struct options o = parse_args(argc, argv);
        struct samples s;
        uint64_t start, end, due, next_write;
        int timeline_fd = -1, r;
        char *touch = NULL;

        on_stop_signals(on_stop);
        arm_hard_deadline(o.duration_sec);
        if (samples_init(&s, (size_t)(o.duration_sec * USEC_PER_SEC / o.interval_usec + 2)) < 0) {
                fprintf(stderr, "probe: cannot allocate the sample buffers: %m\n");
                return 1;
        }
        if (o.touch_bytes) {
                touch = map_anon(o.touch_bytes);
                if (!touch) {
                        fprintf(stderr, "probe: mmap: %m\n");
                        return 1;
                }
        }
        if (o.timeline) {
                timeline_fd = open(o.timeline, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (timeline_fd < 0) {
                        fprintf(stderr, "probe: cannot open %s: %m\n", o.timeline);
                        return 1;
                }
        }
        /* An empty summary right away: a reader can tell "started" from
         * "never ran". */
        r = flush_output(&o, &s, timeline_fd, false);
        if (r < 0) {
                fprintf(stderr, "probe: cannot write %s: %s\n", o.out, strerror(-r));
                return 1;
        }

        start = now_usec();
        end = start + o.duration_sec * USEC_PER_SEC;
        next_write = start + WRITE_EVERY_USEC;
        for (due = start + o.interval_usec; due <= end && !stop_requested;) {
                uint64_t t, late;

                if (sleep_until_usec(due) < 0)
                        continue; /* a stop signal, or a spurious EINTR: re-check */
                if (touch) {
                        touch_pages(touch, o.touch_bytes, (unsigned)s.n);
                }
                t = now_usec();
                late = t - due;
                if (s.n < s.cap) {
                        s.late_usec[s.n] = late > UINT32_MAX ? UINT32_MAX : (uint32_t)late;
                        s.due_msec[s.n] = (uint32_t)((due - start) / USEC_PER_MSEC);
                        s.n++;
                }
                /* Released after the sample, so the next touch allocates. */
                if (touch)
                        madvise(touch, o.touch_bytes, MADV_DONTNEED);

                due += o.interval_usec;
                if (t >= due) {
                        uint64_t skip = (t - due) / o.interval_usec + 1;

                        s.missed += skip;
                        due += skip * o.interval_usec;
                }
                if (t >= next_write) {
                        r = flush_output(&o, &s, timeline_fd, false);
                        if (r < 0)
                                fprintf(stderr, "probe: cannot write %s: %s\n", o.out,
                                        strerror(-r));
                        next_write = t + WRITE_EVERY_USEC;
                }
        }

        r = flush_output(&o, &s, timeline_fd, true);
        if (r < 0) {
                fprintf(stderr, "probe: cannot write %s: %s\n", o.out, strerror(-r));
                return 1;
        }
        if (timeline_fd >= 0 && close(timeline_fd) < 0)
                return 1;
        return 0;
}
