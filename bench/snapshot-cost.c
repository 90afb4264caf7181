/* snapshot-cost: CPU time of one observer_take() on this machine.
 *
 *   snapshot-cost [--root DIR] [--scope PATH]... [--snapshots K] [--interval-ms N] [--busy]
 *
 * Takes 2 warm-up snapshots (the first discovers the groups and opens their
 * files), then K more, and prints one line of key=value figures: the CPU
 * time (user + system, getrusage) per steady-state snapshot, the wall time
 * per snapshot, and the cost of the first (discovering) snapshot. The
 * snapshots are taken back to back, but each is given the time it would
 * have in the daemon's loop, N ms (default 500, [daemon] interval) after
 * the previous one, so that what the observer does every few seconds is
 * counted at its real share. With --busy every file of every group is read
 * on every snapshot (observer_set_always_full), as when all groups are
 * active: the worst case. */
#include <getopt.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <time.h>

#include "config/config.h"
#include "observe/fsroot.h"
#include "observe/observer.h"
#include "observe/snapshot.h"
#include "base/util.h"

static uint64_t cpu_usec(void)
{
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * USEC_PER_SEC +
               (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
            {"root", required_argument, NULL, 'r'},
            {"scope", required_argument, NULL, 's'},
            {"snapshots", required_argument, NULL, 'k'},
            {"interval-ms", required_argument, NULL, 'i'},
            {"busy", no_argument, NULL, 'b'},
            {},
        };
        const char *root_dir = "/";
        unsigned k = 100;
        uint64_t interval_usec = 500 * USEC_PER_MSEC;
        struct config c;
        struct fsroot root;
        struct observer *o;
        struct snapshot s;
        bool busy = false;
        int opt, r;

        config_init(&c);
        c.daemon.scopes.n = 0;
        while ((opt = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (opt) {
                case 'r':
                        root_dir = optarg;
                        break;
                case 's':
                        if (c.daemon.scopes.n >= CONFIG_MAX_SCOPES ||
                            strcpy_bounded(c.daemon.scopes.items[c.daemon.scopes.n++],
                                           CONFIG_PATTERN_MAX, optarg) < 0) {
                                fprintf(stderr, "bad --scope %s\n", optarg);
                                return 2;
                        }
                        break;
                case 'k':
                        k = (unsigned)strtoul(optarg, NULL, 10);
                        break;
                case 'i':
                        interval_usec = strtoull(optarg, NULL, 10) * USEC_PER_MSEC;
                        break;
                case 'b':
                        busy = true;
                        break;
                default:
                        fprintf(stderr, "usage: snapshot-cost [--root DIR] [--scope PATH]... "
                                        "[--snapshots K] [--interval-ms N] [--busy]\n");
                        return 2;
                }
        if (c.daemon.scopes.n == 0) {
                strcpy(c.daemon.scopes.items[0], "/");
                c.daemon.scopes.n = 1;
        }
        if (k == 0)
                k = 1;
        r = fsroot_open(root_dir, &root);
        if (r < 0) {
                fprintf(stderr, "cannot open %s: %s\n", root_dir, strerror(-r));
                return 1;
        }
        /* observer_new raises RLIMIT_NOFILE for the kept files itself. */
        r = observer_new(&root, &c, &o);
        if (r < 0)
                return 1;
        observer_set_always_full(o, busy);
        snapshot_init(&s);

        uint64_t t = clock_monotonic_usec();
        uint64_t c0 = cpu_usec(), w0 = clock_monotonic_usec();
        r = observer_take(o, &c, t, &s);
        uint64_t first_cpu = cpu_usec() - c0, first_wall = clock_monotonic_usec() - w0;
        if (r >= 0)
                r = observer_take(o, &c, t += interval_usec, &s);
        if (r < 0) {
                fprintf(stderr, "observer_take: %s\n", strerror(-r));
                return 1;
        }

        c0 = cpu_usec();
        w0 = clock_monotonic_usec();
        for (unsigned i = 0; i < k; i++) {
                r = observer_take(o, &c, t += interval_usec, &s);
                if (r < 0) {
                        fprintf(stderr, "observer_take: %s\n", strerror(-r));
                        return 1;
                }
        }
        uint64_t cpu = cpu_usec() - c0, wall = clock_monotonic_usec() - w0;

        printf("mode=%s candidates=%zu snapshots=%u cpu_ms_per_snapshot=%.3f "
               "wall_ms_per_snapshot=%.3f first_snapshot_cpu_ms=%.1f first_snapshot_wall_ms=%.1f\n",
               cgroup_mode_to_string(observer_layout(o)->mode), s.n_candidates, k,
               (double)cpu / k / 1000.0, (double)wall / k / 1000.0, (double)first_cpu / 1000.0,
               (double)first_wall / 1000.0);
        snapshot_free(&s);
        observer_free(o);
        fsroot_close(&root);
        return 0;
}
