/* stat-read-cost: CPU time of reading cgroup files the way a monitor does.
 *
 *   stat-read-cost [--reads K] FILE...
 *
 * Opens every FILE once (as the daemon keeps its files open), reads each
 * whole from offset 0 once to warm up, then K rounds of one whole read of
 * every FILE.  Prints one key=value line: the CPU time (user + system,
 * getrusage) per round and per file read, and the bytes of one round.
 * With /sys/fs/cgroup/memory.stat alone it is what cAdvisor pays for the
 * root's statistics; with every candidate's memory.stat, what reading
 * those costs next to a whole snapshot. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static uint64_t cpu_usec(void)
{
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
               (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* One whole read of fd from offset 0; the bytes read, or -1. */
static long read_whole(int fd)
{
        static char buf[65536];
        long total = 0;
        ssize_t n;

        while ((n = pread(fd, buf, sizeof(buf), total)) > 0)
                total += n;
        return n < 0 ? -1 : total;
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
            {"reads", required_argument, NULL, 'k'},
            {},
        };
        unsigned long k = 100;
        int opt;

        while ((opt = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                if (opt != 'k') {
                        fprintf(stderr, "usage: stat-read-cost [--reads K] FILE...\n");
                        return 2;
                }
                k = strtoul(optarg, NULL, 10);
        }
        int n = argc - optind;
        if (n <= 0 || k == 0) {
                fprintf(stderr, "usage: stat-read-cost [--reads K] FILE...\n");
                return 2;
        }
        int *fds = calloc((size_t)n, sizeof(*fds));
        if (!fds)
                return 1;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
                fds[i] = open(argv[optind + i], O_RDONLY | O_CLOEXEC);
                long got = fds[i] < 0 ? -1 : read_whole(fds[i]);
                if (got < 0) {
                        fprintf(stderr, "stat-read-cost: %s: %s\n", argv[optind + i],
                                strerror(errno));
                        return 1;
                }
                bytes += got;
        }
        uint64_t c0 = cpu_usec();
        for (unsigned long r = 0; r < k; r++)
                for (int i = 0; i < n; i++)
                        if (read_whole(fds[i]) < 0) {
                                fprintf(stderr, "stat-read-cost: %s: %s\n", argv[optind + i],
                                        strerror(errno));
                                return 1;
                        }
        uint64_t cpu = cpu_usec() - c0;
        printf(
            "files=%d reads=%lu bytes_per_round=%ld cpu_ms_per_round=%.3f cpu_us_per_file=%.1f\n",
            n, k, bytes, (double)cpu / (double)k / 1000.0, (double)cpu / (double)k / (double)n);
        return 0;
}
