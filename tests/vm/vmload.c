/*
 * vmload — a tiny, self-contained memory-pressure workload for the VM
 * harness's smoke scenario.  It exists so the harness can be proven before
 * (and independently of) the real workload tools in tests/tools/; real
 * scenarios should use those.  Built static by tests/vm/mkinitramfs.sh so the
 * initramfs needs no libc for it.
 *
 *   vmload [-a MIB] [-A] [-f FILE] [-t SECONDS]
 *
 *   -a MIB   allocate MIB of anonymous memory, filled with pseudo-random
 *            bytes (random so that zram cannot store pages as "same-filled"
 *            and must really compress them: that is what makes swap slow)
 *   -A       keep sweeping the anonymous region (one write per page per pass):
 *            with a limit below MIB and zram swap this is a swap thrash
 *   -f FILE  mmap FILE read-only and sweep it (one read per page per pass):
 *            with a limit below anon + file size this is a page-cache thrash;
 *            mmap, not read(), so that re-reads are major faults and count as
 *            workingset refaults (a read() scan may not)
 *   -t SEC   stop after SEC seconds (default 30); always stops by itself
 *
 * Without -A the anonymous region is re-touched once per file pass so that it
 * stays hot and reclaim falls on the file cache.  Prints one summary line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
        fprintf(stderr, "usage: vmload [-a MIB] [-A] [-f FILE] [-t SECONDS]\n");
        exit(2);
}

int main(int argc, char **argv)
{
        size_t anon_mib = 0;
        int sweep_anon = 0;
        const char *file = NULL;
        double secs = 30;
        int c;

        while ((c = getopt(argc, argv, "a:Af:t:")) != -1) {
                switch (c) {
                case 'a':
                        anon_mib = strtoul(optarg, NULL, 10);
                        break;
                case 'A':
                        sweep_anon = 1;
                        break;
                case 'f':
                        file = optarg;
                        break;
                case 't':
                        secs = strtod(optarg, NULL);
                        break;
                default:
                        usage();
                }
        }
        if (optind != argc || (!anon_mib && !file) || secs <= 0)
                usage();

        long pg = sysconf(_SC_PAGESIZE);
        double t0 = now_s(), deadline = t0 + secs;
        unsigned char *anon = NULL;
        size_t anon_len = anon_mib << 20;
        if (anon_len) {
                anon = mmap(NULL, anon_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                            0);
                if (anon == MAP_FAILED) {
                        perror("vmload: mmap anon");
                        return 1;
                }
                /* xorshift64: cheap, incompressible enough for lzo/zstd */
                uint64_t x = 0x9e3779b97f4a7c15ull, *w = (uint64_t *)anon;
                for (size_t i = 0; i < anon_len / 8; i++) {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        w[i] = x;
                        if ((i & 0xffff) == 0 && now_s() > deadline)
                                break;
                }
        }

        const unsigned char *map = NULL;
        size_t map_len = 0;
        if (file) {
                int fd = open(file, O_RDONLY);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
                        fprintf(stderr, "vmload: %s: %s\n", file,
                                fd < 0 ? strerror(errno) : "empty");
                        return 1;
                }
                map_len = (size_t)st.st_size;
                map = mmap(NULL, map_len, PROT_READ, MAP_SHARED, fd, 0);
                if (map == MAP_FAILED) {
                        perror("vmload: mmap file");
                        return 1;
                }
                close(fd);
        }

        unsigned long passes = 0, touched = 0;
        volatile unsigned sink = 0;
        while (now_s() < deadline) {
                if (anon && (sweep_anon || map)) {
                        for (size_t off = 0; off < anon_len; off += (size_t)pg) {
                                anon[off]++;
                                touched++;
                                if ((touched & 1023) == 0 && now_s() > deadline)
                                        goto out;
                        }
                }
                if (map) {
                        for (size_t off = 0; off < map_len; off += (size_t)pg) {
                                sink += map[off];
                                touched++;
                                if ((touched & 1023) == 0 && now_s() > deadline)
                                        goto out;
                        }
                }
                if (!sweep_anon && !map) {
                        /* only hold the memory */
                        usleep(100000);
                        continue;
                }
                passes++;
        }
out:
        printf("vmload: anon_mib=%zu file_mib=%zu passes=%lu pages=%lu secs=%.1f\n", anon_mib,
               map_len >> 20, passes, touched, now_s() - t0);
        return 0;
}
