/* dying-memcgs: leaves memory cgroups behind the way short-lived pods do.
 *
 *   dying-memcgs --parent DIR --count N --file PATH [--pages P]
 *
 * For each of N groups: mkdir DIR/short-NNNNN, move this process into it,
 * read P pages of PATH that no earlier group read (so that they enter the
 * page cache charged to this group), move back to the group it came from,
 * rmdir.  The removed group stays "dying" (counted in cgroup.stat's
 * nr_dying_descendants) as long as pages charged to it stay cached, as a
 * pod's memcg does after the pod is gone.  One process does it all (no
 * fork per group): under emulation a fork costs more than the rest.
 * Prints one key=value line: groups made, pages read, seconds. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static int write_pid(const char *dir)
{
        char path[4096], pid[32];
        int fd, n, r = 0;

        snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
        n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, pid, (size_t)n) != n)
                r = -errno;
        close(fd);
        return r;
}

/* The group this process is in now, as a directory below /sys/fs/cgroup. */
static int own_group(char *buf, size_t size)
{
        char line[2048];
        FILE *f = fopen("/proc/self/cgroup", "re");
        int r = -ENOENT;

        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0) {
                        line[strcspn(line, "\n")] = 0;
                        snprintf(buf, size, "/sys/fs/cgroup%s", line + 3);
                        r = 0;
                        break;
                }
        fclose(f);
        return r;
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
            {"parent", required_argument, NULL, 'd'},
            {"count", required_argument, NULL, 'n'},
            {"file", required_argument, NULL, 'f'},
            {"pages", required_argument, NULL, 'p'},
            {},
        };
        const char *parent = NULL, *file = NULL;
        unsigned long count = 0, pages = 2;
        char home[4096], dir[8192];
        static char buf[64 * PAGE];
        struct stat st;
        int opt, fd, r;

        while ((opt = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (opt) {
                case 'd':
                        parent = optarg;
                        break;
                case 'n':
                        count = strtoul(optarg, NULL, 10);
                        break;
                case 'f':
                        file = optarg;
                        break;
                case 'p':
                        pages = strtoul(optarg, NULL, 10);
                        break;
                default:
                        goto usage;
                }
        if (!parent || !file || count == 0 || pages == 0 || pages > sizeof(buf) / PAGE)
                goto usage;
        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                fprintf(stderr, "dying-memcgs: %s: %s\n", file, strerror(errno));
                return 1;
        }
        /* Each group needs pages of its own: cached pages stay charged to
         * the group that first read them. */
        if ((unsigned long long)count * pages * PAGE > (unsigned long long)st.st_size) {
                fprintf(stderr,
                        "dying-memcgs: %s holds %lld pages, %lu groups x %lu pages do not fit\n",
                        file, (long long)st.st_size / PAGE, count, pages);
                return 1;
        }
        /* No readahead: it would bring the next groups' pages in, charged
         * to this one, and leave those groups nothing to keep them dying. */
        r = posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
        if (r != 0) {
                fprintf(stderr, "dying-memcgs: posix_fadvise %s: %s\n", file, strerror(r));
                return 1;
        }
        r = own_group(home, sizeof(home));
        if (r < 0) {
                fprintf(stderr, "dying-memcgs: /proc/self/cgroup: %s\n", strerror(-r));
                return 1;
        }
        double t0 = now_s();
        for (unsigned long i = 0; i < count; i++) {
                snprintf(dir, sizeof(dir), "%s/short-%05lu", parent, i);
                if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                        fprintf(stderr, "dying-memcgs: mkdir %s: %s\n", dir, strerror(errno));
                        return 1;
                }
                r = write_pid(dir);
                if (r < 0) {
                        fprintf(stderr, "dying-memcgs: join %s: %s\n", dir, strerror(-r));
                        return 1;
                }
                ssize_t got = pread(fd, buf, pages * PAGE, (off_t)(i * pages * PAGE));
                r = write_pid(home);
                if (got != (ssize_t)(pages * PAGE) || r < 0) {
                        fprintf(stderr,
                                "dying-memcgs: group %lu: read %zd of %lu bytes, back home: %s\n",
                                i, got, pages * PAGE, strerror(-r));
                        return 1;
                }
                if (rmdir(dir) < 0) {
                        fprintf(stderr, "dying-memcgs: rmdir %s: %s\n", dir, strerror(errno));
                        return 1;
                }
        }
        printf("groups=%lu pages_per_group=%lu seconds=%.2f\n", count, pages, now_s() - t0);
        close(fd);
        return 0;
usage:
        fprintf(stderr, "usage: dying-memcgs --parent DIR --count N --file PATH [--pages P]\n");
        return 2;
}
