/* benchmon: the measuring side of the VM benchmark (bench/vm/node.sh), a
 * static program because the VM has busybox and nothing else.
 *
 *   benchmon sample OUT PERIOD_MS MAX_S PSI_FILE NAME=CGROUP_DIR...
 *       every PERIOD_MS until SIGTERM or MAX_S: one line
 *       "mono_ms some_us full_us used_bytes NAME_tasks..." (used =
 *       MemTotal - MemAvailable: the node's usage for scope "/"), the format
 *       of bench/sampler.py on the host;
 *   benchmon pstart PSI_FILE THRESHOLD_PCT TIMEOUT_S
 *       prints the CLOCK_MONOTONIC ms at which the `full` share of the last
 *       500 ms (samples every 100 ms) first exceeded THRESHOLD_PCT, as
 *       tests/e2e/lib.sh's e2e_pressure_start does; exit 1 on timeout;
 *   benchmon stamp
 *       copies stdin to stdout, each line prefixed with the CLOCK_MONOTONIC
 *       ms of its arrival ("12345.6 line"), as bench/peers/tslog.py;
 *   benchmon now
 *       prints CLOCK_MONOTONIC in ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
        (void)sig;
        stop = 1;
}

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_until(double ms)
{
        struct timespec ts = {.tv_sec = (time_t)(ms / 1e3),
                              .tv_nsec = (long)((ms - (double)(time_t)(ms / 1e3) * 1e3) * 1e6)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop)
                ;
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;
        if (fd < 0)
                return -1;
        n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return -1;
        buf[n] = 0;
        return n;
}

static int read_psi(const char *path, unsigned long long *some, unsigned long long *full)
{
        char buf[512], *p;
        *some = *full = 0;
        if (read_file(path, buf, sizeof buf) < 0)
                return -1;
        if ((p = strstr(buf, "some ")) && (p = strstr(p, "total=")))
                *some = strtoull(p + 6, NULL, 10);
        if ((p = strstr(buf, "full ")) && (p = strstr(p, "total=")))
                *full = strtoull(p + 6, NULL, 10);
        return 0;
}

static long long mem_used(void)
{
        char buf[4096], *p;
        long long total = -1, avail = -1;
        if (read_file("/proc/meminfo", buf, sizeof buf) < 0)
                return -1;
        if ((p = strstr(buf, "MemTotal:")))
                total = strtoll(p + 9, NULL, 10);
        if ((p = strstr(buf, "MemAvailable:")))
                avail = strtoll(p + 13, NULL, 10);
        return total >= 0 && avail >= 0 ? (total - avail) * 1024 : -1;
}

static int count_tasks(const char *dir)
{
        char path[4096], buf[65536];
        int n = 0;
        snprintf(path, sizeof path, "%s/cgroup.procs", dir);
        if (read_file(path, buf, sizeof buf) < 0)
                return -1;
        for (char *p = buf; *p; p++)
                if (*p == '\n')
                        n++;
        return n;
}

static int cmd_sample(int argc, char **argv)
{
        const char *out, *psi;
        double period, max_ms, start, next;
        FILE *f;
        if (argc < 6)
                return 2;
        out = argv[2];
        period = atof(argv[3]);
        max_ms = atof(argv[4]) * 1e3;
        psi = argv[5];
        f = fopen(out, "w");
        if (!f)
                return 1;
        fprintf(f, "# mono_ms some_us full_us usage_bytes");
        for (int i = 6; i < argc; i++) {
                char *eq = strchr(argv[i], '=');
                fprintf(f, " %.*s_tasks", eq ? (int)(eq - argv[i]) : (int)strlen(argv[i]), argv[i]);
        }
        fputc('\n', f);
        fflush(f);
        start = next = now_ms();
        while (!stop && now_ms() - start < max_ms) {
                unsigned long long some, full;
                double t = now_ms();
                if (read_psi(psi, &some, &full) < 0)
                        break;
                fprintf(f, "%.1f %llu %llu %lld", t, some, full, mem_used());
                for (int i = 6; i < argc; i++) {
                        char *eq = strchr(argv[i], '=');
                        fprintf(f, " %d", count_tasks(eq ? eq + 1 : argv[i]));
                }
                fputc('\n', f);
                fflush(f);
                next += period;
                if (next < now_ms())
                        next = now_ms();
                sleep_until(next);
        }
        fclose(f);
        return 0;
}

static int cmd_pstart(int argc, char **argv)
{
        double thr, end, ts[6];
        unsigned long long tot[6], some, full;
        if (argc < 5)
                return 2;
        thr = atof(argv[3]);
        end = now_ms() + atof(argv[4]) * 1e3;
        for (unsigned i = 0;; i++) {
                double t = now_ms();
                if (read_psi(argv[2], &some, &full) < 0)
                        return 1;
                ts[i % 6] = t;
                tot[i % 6] = full;
                if (i >= 5) {
                        double dt = t - ts[(i - 5) % 6];
                        double share = (double)(full - tot[(i - 5) % 6]) / 10.0 / (dt > 0 ? dt : 1);
                        if (share > thr) {
                                printf("%.0f\n", t);
                                return 0;
                        }
                }
                if (t >= end || stop)
                        return 1;
                sleep_until(t + 100);
        }
}

static int cmd_stamp(void)
{
        char line[8192];
        setvbuf(stdout, NULL, _IOLBF, 0);
        while (fgets(line, sizeof line, stdin)) {
                size_t n = strlen(line);
                printf("%.1f %s%s", now_ms(), line, n && line[n - 1] == '\n' ? "" : "\n");
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct sigaction sa = {.sa_handler = on_stop};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        if (argc >= 2 && !strcmp(argv[1], "sample"))
                return cmd_sample(argc, argv);
        if (argc >= 2 && !strcmp(argv[1], "pstart"))
                return cmd_pstart(argc, argv);
        if (argc >= 2 && !strcmp(argv[1], "stamp"))
                return cmd_stamp();
        if (argc >= 2 && !strcmp(argv[1], "now")) {
                printf("%.0f\n", now_ms());
                return 0;
        }
        fprintf(stderr, "usage: benchmon sample|pstart|stamp|now ...\n");
        return 2;
}
