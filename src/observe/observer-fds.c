/* The budget of kept files: past it a group's files are opened, read and
 * closed on each visit, and the quietest kept group gives its files to an
 * active one, so that no group is out of sight for want of descriptors. */
#include "observe/observer-internal.h"

#include <sys/resource.h>

#include "base/log.h"

size_t fds_budget(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return 0;
        if (rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        (void)getrlimit(RLIMIT_NOFILE, &rl);
        }
        if (rl.rlim_cur == RLIM_INFINITY)
                return SIZE_MAX;
        return rl.rlim_cur > FD_RESERVE ? (size_t)(rl.rlim_cur - FD_RESERVE) : 0;
}

/* The kept group that moved least recently, other than g and quieter than
 * it; NULL when there is none. */
static struct group *quietest_kept(const struct observer *o, const struct group *g)
{
        struct group *q = NULL;

        for (size_t i = 0; i < o->n_groups; i++) {
                struct group *k = o->groups[i];
                if (k != g && k->kept_fds > 0 && k->active_usec < g->active_usec &&
                    (!q || k->active_usec < q->active_usec))
                        q = k;
        }
        return q;
}

static void release_files(struct observer *o, struct group *g)
{
        o->fds_kept -= g->kept_fds;
        g->kept_fds = 0;
        cgroup_files_close(&g->f);
        g->full = false;
}

void fds_settle(struct observer *o, struct group *g, uint64_t now_usec)
{
        unsigned n = cgroup_files_count(&g->f);

        o->fds_kept -= g->kept_fds;
        g->kept_fds = 0;
        while (n > 0 && o->fds_kept + n > o->fds_budget) {
                struct group *q = g->active_usec == now_usec ? quietest_kept(o, g) : NULL;
                if (!q) {
                        cgroup_files_close(&g->f);
                        g->full = false;
                        if (!o->warned_budget)
                                log_warning("%zu file descriptors are not enough to keep every "
                                            "group's files open: the quietest are read afresh "
                                            "each time (slower; raise LimitNOFILE)",
                                            o->fds_budget + FD_RESERVE);
                        o->warned_budget = true;
                        return;
                }
                release_files(o, q);
        }
        o->fds_kept += n;
        g->kept_fds = n;
}
