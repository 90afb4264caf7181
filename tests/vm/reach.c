/*
 * reach — the node's reachability agent (static, in /tg/bin; story 5).
 *
 *   reach serve PORT FILE LOG
 *
 * Stands for a service whose working set is file-backed (sshd, the
 * kubelet, a database's own binaries): it runs from a disk, and every
 * request reads one byte of every page of FILE (mapped shared, read-only),
 * so that under node-wide pressure each request waits for whatever reclaim
 * took away from its text and its data.
 *
 * The requests come from outside the node: PORT is the virtio-serial port
 * that tests/vm/run.sh attaches to the node, timed by tests/vm/reach_timer.py
 * on the host, whose clock the node's stalls cannot stop.  The host sends
 * one request at a time, a line
 *     "Q seq prev_seq prev_rtt_us prev_gap_us"
 * that also carries its measure of the previous reply (round trip, and the
 * time since the reply before it); the agent answers "A seq" and appends to
 * LOG (on tmpfs) "A seq ms" (CLOCK_MONOTONIC ms of the answer, the
 * scenario's clock) and the host's "R seq rtt_us gap_us".  The scenario
 * joins the two by seq: which replies fell in its window, how long they
 * took and how long the node stayed silent, as the host saw it.
 *
 * Not memory-locked on purpose: it must feel the pressure its neighbours
 * feel.  A line that does not parse (a partial first line left in the
 * port from before the agent opened it) is ignored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 256

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return -1;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

/* One byte of every page: the request's file-backed working set. */
static unsigned touch(const volatile unsigned char *map, size_t size, size_t page)
{
        unsigned sum = 0;

        for (size_t off = 0; off < size; off += page)
                sum += map[off];
        return sum;
}

static int answer(const char *line, int port, int log, const volatile unsigned char *map,
                  size_t size, size_t page)
{
        unsigned long long seq, pseq, rtt, gap;
        char out[LINE_MAX_LEN];
        int n;

        if (sscanf(line, "Q %llu %llu %llu %llu", &seq, &pseq, &rtt, &gap) != 4)
                return 0;
        (void)touch(map, size, page);
        n = snprintf(out, sizeof(out), "A %llu\n", seq);
        if (write_all(port, out, (size_t)n) < 0) {
                perror("reach: write to the port");
                return -1;
        }
        n = snprintf(out, sizeof(out), "A %llu %" PRIu64 "\n", seq, now_ms());
        if (pseq > 0)
                n += snprintf(out + n, sizeof(out) - (size_t)n, "R %llu %llu %llu\n", pseq, rtt,
                              gap);
        if (write_all(log, out, (size_t)n) < 0) {
                perror("reach: write to the log");
                return -1;
        }
        return 0;
}

static int serve(const char *port_path, const char *file, const char *log_path)
{
        char buf[LINE_MAX_LEN];
        size_t have = 0, page = (size_t)sysconf(_SC_PAGESIZE);
        struct stat st;
        unsigned char *map;
        int port, fd, log;

        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
                fprintf(stderr, "reach: %s: %s\n", file, fd < 0 ? strerror(errno) : "empty");
                return 1;
        }
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) {
                perror("reach: mmap");
                return 1;
        }
        log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log < 0) {
                fprintf(stderr, "reach: %s: %s\n", log_path, strerror(errno));
                return 1;
        }
        port = open(port_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (port < 0) {
                fprintf(stderr, "reach: %s: %s\n", port_path, strerror(errno));
                return 1;
        }
        for (;;) {
                ssize_t n = read(port, buf + have, sizeof(buf) - 1 - have);
                char *start, *nl;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        perror("reach: read from the port");
                        return 1;
                }
                if (n == 0) {
                        /* the host end is not connected yet (or went away) */
                        usleep(100000);
                        continue;
                }
                have += (size_t)n;
                buf[have] = '\0';
                start = buf;
                while ((nl = strchr(start, '\n')) != NULL) {
                        *nl = '\0';
                        if (answer(start, port, log, map, (size_t)st.st_size, page) < 0)
                                return 1;
                        start = nl + 1;
                }
                have = strlen(start);
                memmove(buf, start, have);
                if (have == sizeof(buf) - 1)
                        have = 0; /* no newline in a whole buffer: garbage */
        }
}

int main(int argc, char **argv)
{
        if (argc == 5 && strcmp(argv[1], "serve") == 0)
                return serve(argv[2], argv[3], argv[4]);
        fprintf(stderr, "usage: reach serve PORT FILE LOG\n");
        return 2;
}
