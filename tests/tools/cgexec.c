/* cgexec: join cgroups, then exec a program.
 *
 * The safety rules of the end-to-end tests require every workload to be in
 * its memory-limited group before it allocates a single page: a shell that
 * starts a program and moves it afterwards leaves a window in which the
 * program runs unconfined.  cgexec moves itself, and only then execs, so the
 * program's first instruction already runs inside the groups.
 *
 * Exit codes follow env(1)/timeout(1): 2 bad arguments, 125 could not join a
 * group (the program was not started), 126 program not executable, 127
 * program not found; otherwise the program's own status. */
#include "tool.h"

#include <fcntl.h>

static void usage(void)
{
        printf("Usage: cgexec CGROUP_DIR [CGROUP_DIR...] -- PROG [ARG...]\n"
               "\n"
               "Writes its own pid to CGROUP_DIR/cgroup.procs for every directory given\n"
               "(absolute paths, one per hierarchy: e.g. the v1 memory group, the unified\n"
               "group and the v1 freezer group), then execs PROG.  If any write fails,\n"
               "PROG is not started.\n"
               "\n"
               "Exit status: 2 bad arguments, 125 could not join a group, 126 PROG not\n"
               "executable, 127 PROG not found, otherwise PROG's status.\n");
}

static int join_cgroup(const char *dir, pid_t pid)
{
        char path[4096], buf[32];
        int fd, n, r = 0;

        if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        if (write(fd, buf, (size_t)n) != n)
                r = -errno;
        close(fd);
        return r;
}

int main(int argc, char **argv)
{
        int sep = -1;
        pid_t self = getpid();

        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                usage();
                return 0;
        }
        for (int i = 1; i < argc; i++)
                if (!strcmp(argv[i], "--")) {
                        sep = i;
                        break;
                }
        if (sep < 0)
                usage_error("cgexec", "missing '--' before the program");
        if (sep == 1)
                usage_error("cgexec", "no cgroup directory given");
        if (sep == argc - 1)
                usage_error("cgexec", "no program given after '--'");
        /* Relative paths would depend on the caller's cwd; the callers know
         * the absolute ones, so anything else is a mistake. */
        for (int i = 1; i < sep; i++)
                if (argv[i][0] != '/')
                        usage_error("cgexec", "'%s' is not an absolute path", argv[i]);

        for (int i = 1; i < sep; i++) {
                int r = join_cgroup(argv[i], self);

                if (r < 0) {
                        fprintf(stderr, "cgexec: cannot join %s: %s\n", argv[i], strerror(-r));
                        return 125;
                }
        }

        execvp(argv[sep + 1], argv + sep + 1);
        fprintf(stderr, "cgexec: cannot run %s: %s\n", argv[sep + 1], strerror(errno));
        return errno == ENOENT ? 127 : 126;
}
