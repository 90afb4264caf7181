/* Re-validation right before acting: the tasks of the group and its
 * descendants (in the memory hierarchy, and the unified mirror in hybrid
 * mode), each checked against protection through /proc. */
#include "act/action-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide/protect.h"
#include "observe/proc.h"

struct walk {
        const struct cgroup_layout *l;
        pid_t *pids;
        size_t n; /* stored, at most ACTION_MAX_TASKS */
        unsigned found;
};

static int collect_group(const struct cgroup_descendant *d, void *userdata)
{
        struct walk *k = userdata;
        _cleanup_close_ int fd = cgroup_descendant_procs_open(d);
        int r;

        if (fd == -ENOENT || fd == -ENODEV)
                return 0; /* a group that vanished mid-walk is not an error */
        if (fd < 0)
                return fd;
        /* While tasks exit, cgroup.procs may briefly list one whose pid is
         * already detached as "0", which the reader rejects: read again. */
        for (unsigned try = 0;; try++) {
                r = cgroup_read_pids(fd, k->pids + k->n, ACTION_MAX_TASKS - k->n);
                if (r != -EINVAL || try >= 20)
                        break;
                sleep_usec(200);
        }
        if (r < 0)
                return r;
        k->found = (unsigned)r > UINT32_MAX - k->found ? UINT32_MAX : k->found + (unsigned)r;
        k->n += (size_t)r < ACTION_MAX_TASKS - k->n ? (size_t)r : ACTION_MAX_TASKS - k->n;
        return 0;
}

/* Fills pids[ACTION_MAX_TASKS] with the tasks of path and its descendants,
 * at any depth, in one tree; *ret_n says how many were stored. Returns the
 * number found (more than stored when they did not fit), -ENOENT when the
 * group is gone. */
static int collect_tree(const struct cgroup_layout *l, enum cgroup_tree tree, const char *path,
                        pid_t *pids, size_t *ret_n)
{
        struct walk k = {.l = l, .pids = pids};
        int r = cgroup_tree_for_each_descendant(l, tree, path, collect_group, &k);

        *ret_n = k.n;
        if (r < 0)
                return r;
        return (int)(k.found > INT32_MAX ? INT32_MAX : k.found);
}

/* The memory group's tasks into w->pids. */
int revalidate_collect(struct work *w)
{
        int r = collect_tree(w->l, CGROUP_TREE_MEMORY, w->path, w->pids, &w->n_pids);
        w->n_found = r > 0 ? (unsigned)r : 0;
        return r;
}

static size_t seen_lower_bound(const struct work *w, pid_t pid)
{
        size_t lo = 0, hi = w->n_seen;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (w->seen[mid] < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

bool revalidate_seen_has(const struct work *w, pid_t pid)
{
        size_t i = seen_lower_bound(w, pid);
        return i < w->n_seen && w->seen[i] == pid;
}

void revalidate_seen_add(struct work *w, pid_t pid)
{
        size_t i = seen_lower_bound(w, pid);
        if ((i < w->n_seen && w->seen[i] == pid) || w->n_seen >= ACTION_MAX_TASKS)
                return;
        memmove(w->seen + i + 1, w->seen + i, (w->n_seen - i) * sizeof(pid_t));
        w->seen[i] = pid;
        w->n_seen++;
}

struct victim *revalidate_victim_find(struct work *w, pid_t pid)
{
        for (size_t i = 0; i < w->n_victims; i++)
                if (w->victims[i].pid == pid)
                        return &w->victims[i];
        return NULL;
}

static bool task_gone(int r)
{
        return r == -ENOENT || r == -ESRCH;
}

/* True when the task's memory hierarchy group (/proc/PID/cgroup) is path
 * or a group below it. Checked after pidfd_open: if the process died and
 * its pid was reused meanwhile, the check sees the newcomer, and a signal
 * through the pidfd then reaches nobody (ESRCH); the pidfd can never hit a
 * stranger. */
bool revalidate_task_in_group(const struct cgroup_layout *l, pid_t pid, const char *path)
{
        char g[PATH_MAX];
        size_t plen = strlen(path);

        if (cgroup_pid_group(l, pid, g, sizeof g) < 0)
                return false;
        return strncmp(g, path, plen) == 0 && (g[plen] == 0 || g[plen] == '/');
}

/* -EPERM (with detail) when a task of the group must not be touched: at
 * oom_score_adj -1000, named in [protect] comms, or unreadable (only
 * ENOENT/ESRCH say that a task is gone; anything else could hide a
 * protected task). */
int revalidate_task_protected(struct work *w, pid_t pid)
{
        const struct fsroot *root = w->l->root;
        char comm[16];
        int adj, r;

        r = proc_read_oom_score_adj(root, pid, &adj);
        if (task_gone(r))
                return 0;
        if (r < 0) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "cannot read oom_score_adj of task %d: %s", (int)pid, strerror(-r));
                return -EPERM;
        }
        if (adj == -1000) {
                snprintf(w->res->detail, sizeof w->res->detail, "task %d has oom_score_adj -1000",
                         (int)pid);
                return -EPERM;
        }
        if (w->c->protect.comms.n == 0 || !w->comm_protects)
                return 0;
        r = proc_read_comm(root, pid, comm);
        if (task_gone(r))
                return 0;
        if (r < 0) {
                snprintf(w->res->detail, sizeof w->res->detail, "cannot read comm of task %d: %s",
                         (int)pid, strerror(-r));
                return -EPERM;
        }
        if (pattern_list_match(&w->c->protect.comms, comm)) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "task %d (%s) is a protected command", (int)pid, comm);
                return -EPERM;
        }
        return 0;
}

static int pid_cmp(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

/* Refuses a walk that could not see or store every task: cgroup.kill and a
 * freeze would reach tasks that were never checked. */
static int collected_all(struct work *w, int r, size_t n_stored, const char *tree)
{
        if (r < 0) {
                snprintf(w->res->detail, sizeof w->res->detail, "cannot list its %s tasks: %s",
                         tree, strerror(-r));
                return r;
        }
        if ((size_t)r > n_stored) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "more than %d tasks in the %s groups", ACTION_MAX_TASKS, tree);
                return -E2BIG;
        }
        return 0;
}

/* Re-validation right before acting. Returns 0 (valid: w->pids holds the
 * memory group's tasks, w->cgroup_kill_ok is set), 1 when the target is
 * already gone, -EPERM when it is protected, -E2BIG when its tasks could
 * not all be checked, other negative errno on failure. A THAW checks only
 * that the group is the same: undoing a freeze is never refused. */
int revalidate(struct work *w, const struct decision *d)
{
        uint64_t id;
        int r;

        r = cgroup_id(w->l, w->path, &id);
        if (r == -ENOENT || r == -ENODEV)
                return 1;
        if (r < 0) {
                snprintf(w->res->detail, sizeof w->res->detail, "cannot stat the group: %s",
                         strerror(-r));
                return r;
        }
        if (d->cgroup_id != 0 && id != d->cgroup_id) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "the group was removed and created again");
                return 1;
        }
        if (d->kind == DECISION_THAW)
                return 0;
        if (pattern_list_match(&w->c->protect.cgroups, w->path)) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "the group matches [protect] cgroups");
                return -EPERM;
        }
        if (protect_match_pod(&w->c->protect.pods, &d->id)) {
                snprintf(w->res->detail, sizeof w->res->detail, "the pod matches [protect] pods");
                return -EPERM;
        }

        r = revalidate_collect(w);
        if (r == -ENOENT || r == -ENODEV)
                return 1;
        r = collected_all(w, r, w->n_pids, "memory");
        if (r < 0)
                return r;

        /* What cgroup.kill and a freeze through the mirror reach. A mirror
         * that does not exist holds nothing. */
        r = collect_tree(w->l, CGROUP_TREE_MIRROR, w->path, w->mirror, &w->n_mirror);
        w->has_mirror = r != -EOPNOTSUPP;
        if (r == -EOPNOTSUPP || r == -ENOENT || r == -ENODEV) {
                r = 0;
                w->n_mirror = 0;
        }
        r = collected_all(w, r, w->n_mirror, "mirror");
        if (r < 0)
                return r;

        qsort(w->pids, w->n_pids, sizeof *w->pids, pid_cmp);
        qsort(w->mirror, w->n_mirror, sizeof *w->mirror, pid_cmp);
        for (size_t i = 0; i < w->n_pids; i++) {
                keepalive(w);
                r = revalidate_task_protected(w, w->pids[i]);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < w->n_mirror; i++) {
                if (bsearch(&w->mirror[i], w->pids, w->n_pids, sizeof *w->pids, pid_cmp))
                        continue;
                keepalive(w);
                r = revalidate_task_protected(w, w->mirror[i]);
                if (r < 0)
                        return r;
        }
        w->cgroup_kill_ok =
            !w->has_mirror || (w->n_mirror == w->n_pids &&
                               memcmp(w->mirror, w->pids, w->n_pids * sizeof(pid_t)) == 0);
        return 0;
}
