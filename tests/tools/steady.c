/* steady: a well-behaved neighbour pod.
 *
 * It holds a fixed amount of anonymous memory and touches all of it
 * periodically (which matters where there is swap, as in the VM with zram:
 * its pages stay hot and a thrashing neighbour must not push them out).
 * With --probe-out it also runs the latency probe, as a child in the same
 * cgroups: the probe is the separate `probe` program next to this one, so
 * there is one implementation of the measurement. */
#include "tool.h"

#include <limits.h>
#include <libgen.h>
#include <sys/wait.h>

struct options {
        uint64_t anon_bytes;
        uint64_t duration_sec;
        uint64_t touch_usec;
        const char *probe_bin;
        const char *probe_out;
        const char *probe_timeline;
        const char *probe_interval_ms;
        const char *probe_touch_kib;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

static void usage(void)
{
        printf("Usage: steady --anon MiB [--duration S] [--touch-ms N]\n"
               "              [--probe-out FILE [--probe-interval-ms N] [--probe-touch-kib N]\n"
               "               [--probe-timeline FILE] [--probe-bin PATH]]\n"
               "\n"
               "Holds --anon MiB of anonymous memory and rewrites one byte of every page\n"
               "each --touch-ms (default 1000) until --duration S (default 120) ends or\n"
               "SIGTERM/SIGINT arrives.\n"
               "\n"
               "With --probe-out, also runs the latency probe (`probe`, next to this\n"
               "program unless --probe-bin says otherwise) for the same duration, with\n"
               "--out FILE and the --probe-* options passed on as --interval-ms,\n"
               "--touch-kib and --timeline.  On exit steady sends SIGTERM to the probe\n"
               "and waits for its final summary; if steady is killed, the probe gets\n"
               "SIGTERM from the kernel.\n"
               "\n"
               "Exit status: 0 done, 1 failure (including a failed probe), 2 bad arguments.\n");
}

static struct options parse_args(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"anon", required_argument, NULL, 'a'},
            {"duration", required_argument, NULL, 'd'},
            {"touch-ms", required_argument, NULL, 't'},
            {"probe-out", required_argument, NULL, 'o'},
            {"probe-timeline", required_argument, NULL, 'l'},
            {"probe-interval-ms", required_argument, NULL, 'i'},
            {"probe-touch-kib", required_argument, NULL, 'k'},
            {"probe-bin", required_argument, NULL, 'b'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        struct options o = {.anon_bytes = UINT64_MAX, .duration_sec = 120};
        uint64_t touch_ms = 1000;
        int c;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        o.anon_bytes = opt_u64("steady", "--anon", optarg, 0, 1 << 20) * MIB;
                        break;
                case 'd':
                        o.duration_sec = opt_u64("steady", "--duration", optarg, 1, 86400);
                        break;
                case 't':
                        touch_ms = opt_u64("steady", "--touch-ms", optarg, 10, 3600000);
                        break;
                case 'o':
                        o.probe_out = optarg;
                        break;
                case 'l':
                        o.probe_timeline = optarg;
                        break;
                /* The probe validates its own values; they are passed on as
                 * given, so the two programs cannot disagree on the ranges. */
                case 'i':
                        o.probe_interval_ms = optarg;
                        break;
                case 'k':
                        o.probe_touch_kib = optarg;
                        break;
                case 'b':
                        o.probe_bin = optarg;
                        break;
                case 'h':
                        usage();
                        exit(0);
                default:
                        usage_error("steady", "bad option");
                }
        }
        if (optind < argc)
                usage_error("steady", "unexpected argument '%s'", argv[optind]);
        if (o.anon_bytes == UINT64_MAX)
                usage_error("steady", "--anon is required");
        if (!o.probe_out &&
            (o.probe_timeline || o.probe_interval_ms || o.probe_touch_kib || o.probe_bin))
                usage_error("steady", "--probe-* options need --probe-out");
        o.touch_usec = touch_ms * USEC_PER_MSEC;
        return o;
}

/* The probe binary next to our own executable. */
static int sibling_probe(char *buf, size_t size)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        if (n < 0)
                return -errno;
        self[n] = '\0';
        if ((size_t)snprintf(buf, size, "%s/probe", dirname(self)) >= size)
                return -ENAMETOOLONG;
        return 0;
}

static pid_t start_probe(const struct options *o)
{
        char bin[PATH_MAX], duration[32];
        const char *argv[16];
        size_t n = 0;
        pid_t parent = getpid(), pid;

        if (o->probe_bin)
                snprintf(bin, sizeof(bin), "%s", o->probe_bin);
        else if (sibling_probe(bin, sizeof(bin)) < 0)
                return -1;
        snprintf(duration, sizeof(duration), "%" PRIu64, o->duration_sec);

        argv[n++] = bin;
        argv[n++] = "--out";
        argv[n++] = o->probe_out;
        argv[n++] = "--duration";
        argv[n++] = duration;
        if (o->probe_interval_ms) {
                argv[n++] = "--interval-ms";
                argv[n++] = o->probe_interval_ms;
        }
        if (o->probe_touch_kib) {
                argv[n++] = "--touch-kib";
                argv[n++] = o->probe_touch_kib;
        }
        if (o->probe_timeline) {
                argv[n++] = "--timeline";
                argv[n++] = o->probe_timeline;
        }
        argv[n] = NULL;

        pid = fork();
        if (pid == 0) {
                /* SIGTERM, not SIGKILL: a probe orphaned by a killed steady
                 * still writes its final summary. */
                if (die_with_parent(parent, SIGTERM) < 0)
                        _exit(1);
                execv(bin, (char *const *)argv);
                fprintf(stderr, "steady: cannot run %s: %m\n", bin);
                _exit(127);
        }
        return pid;
}

int main(int argc, char **argv)
{
        struct options o = parse_args(argc, argv);
        uint64_t end = now_usec() + o.duration_sec * USEC_PER_SEC;
        size_t len = (size_t)o.anon_bytes;
        unsigned round = 0;
        pid_t probe = 0;
        char *mem = NULL;
        int status = 0;

        on_stop_signals(on_stop);
        arm_hard_deadline(o.duration_sec);
        if (len) {
                mem = map_anon(len);
                if (!mem) {
                        fprintf(stderr, "steady: mmap: %m\n");
                        return 1;
                }
                /* fork() would otherwise copy the page tables of all of it
                 * just to exec the probe. */
                madvise(mem, len, MADV_DONTFORK);
                touch_pages(mem, len, round++);
        }
        if (o.probe_out) {
                probe = start_probe(&o);
                if (probe < 0) {
                        fprintf(stderr, "steady: cannot start the probe: %m\n");
                        return 1;
                }
        }

        for (uint64_t next = now_usec() + o.touch_usec; !stop_requested;) {
                if (next > end)
                        next = end;
                if (sleep_until_usec(next) < 0)
                        continue;
                if (next >= end)
                        break;
                touch_pages(mem, len, round++);
                next += o.touch_usec;
        }

        if (probe > 0) {
                int ws;

                kill(probe, SIGTERM);
                while (waitpid(probe, &ws, 0) < 0)
                        if (errno != EINTR)
                                return 1;
                if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
                        fprintf(stderr, "steady: the probe failed (status 0x%x)\n", ws);
                        status = 1;
                }
        }
        return status;
}
