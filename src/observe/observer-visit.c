/* A visit of one group: what a tick reads of it, and when (doc/internals.md,
 * "What a tick reads"). */
#include "observe/observer-internal.h"

#include <string.h>

#include "base/log.h"
#include "observe/identity.h"
#include "observe/pod-names.h"
#include "observe/proc.h"

/* Usage moved by more than usage >> USAGE_MOVE_SHIFT (or USAGE_MOVE_MIN). */
#define USAGE_MOVE_SHIFT 8
#define USAGE_MOVE_MIN   ((uint64_t)256 << 10)

/* Kubernetes names not found in /var/log when a pod container appears
 * (the kubelet may write its logs later) are looked for again after
 * NAMES_RETRY_MIN_USEC, then twice as long each time, up to
 * NAMES_RETRY_MAX_USEC: each look is a readdir of /var/log/pods, and the
 * groups without names may be many while the disk is saturated. */
#define NAMES_RETRY_MIN_USEC (10 * USEC_PER_SEC)
#define NAMES_RETRY_MAX_USEC (300 * USEC_PER_SEC)

/* One line per group and per reason; fd exhaustion once per observer, as it
 * would otherwise be one line per group. */
static void warn_group(struct observer *o, struct group *g, int r, const char *what)
{
        if (r == -EMFILE || r == -ENFILE) {
                if (!o->warned_fds)
                        log_warning_errno(r, "Out of file descriptors: some groups are not "
                                             "watched (raise LimitNOFILE)");
                o->warned_fds = true;
                return;
        }
        if (!g->warned)
                log_warning_errno(r, "cgroup %s: %s, skipped", g->c.path, what);
        g->warned = true;
}

static uint64_t pids_hash(const pid_t *pids, size_t n)
{
        return fnv1a(FNV_OFFSET, pids, n * sizeof *pids) ^ n;
}

static bool has_comm(const struct candidate *c, const char *comm)
{
        for (unsigned i = 0; i < c->n_comms; i++)
                if (streq(c->comms[i], comm))
                        return true;
        return false;
}

static bool has_protected_comm(const struct config *cfg, const struct candidate *c)
{
        for (unsigned i = 0; i < c->n_comms; i++)
                if (pattern_list_match(&cfg->protect.comms, c->comms[i]))
                        return true;
        return false;
}

/* Reads oom_score_adj of every task, and comms until SNAPSHOT_MAX_COMMS
 * distinct ones are known; a comm named in [protect] comms always gets a
 * slot, so that a group is never unprotected for having many comms.
 * Tasks that exit meanwhile are skipped. */
static void read_tasks(struct observer *o, const struct config *cfg, struct group *g,
                       const pid_t *pids, size_t n)
{
        struct candidate *c = &g->c;
        bool any = false;

        c->n_comms = 0;
        c->has_never_kill_task = false;
        c->oom_score_adj_min = c->oom_score_adj_max = 0;
        for (size_t i = 0; i < n; i++) {
                int adj;
                char comm[16];

                if (proc_read_oom_score_adj(o->root, pids[i], &adj) < 0)
                        continue;
                if (!any || adj < c->oom_score_adj_min)
                        c->oom_score_adj_min = adj;
                if (!any || adj > c->oom_score_adj_max)
                        c->oom_score_adj_max = adj;
                any = true;
                if (adj == -1000)
                        c->has_never_kill_task = true;

                bool full = c->n_comms == SNAPSHOT_MAX_COMMS;
                if (full && (cfg->protect.comms.n == 0 || has_protected_comm(cfg, c)))
                        continue;
                if (proc_read_comm(o->root, pids[i], comm) < 0 || !comm[0] || has_comm(c, comm))
                        continue;
                if (!full)
                        strcpy(c->comms[c->n_comms++], comm);
                else if (pattern_list_match(&cfg->protect.comms, comm))
                        strcpy(c->comms[SNAPSHOT_MAX_COMMS - 1], comm);
        }
}

static bool usage_moved(uint64_t now, uint64_t then)
{
        uint64_t d = now > then ? now - then : then - now;
        uint64_t m = now >> USAGE_MOVE_SHIFT;
        return d >= (m > USAGE_MOVE_MIN ? m : USAGE_MOVE_MIN);
}

/* Whether the counters must be read again, given this tick's brief reading
 * (usage and PSI). */
static bool needs_full(const struct observer *o, const struct group *g,
                       const struct cgroup_sample *brief, bool members, uint64_t now_usec)
{
        const struct cgroup_sample *s = &g->c.s;

        if (o->always_full)
                return true;
        if (!g->full_valid || members || now_usec - g->c.stat_usec >= g->refresh_usec)
                return true;
        if (brief->has_psi && brief->psi.some.total_usec != g->full_some_usec)
                return true;
        if (usage_moved(brief->usage_bytes, g->full_usage_bytes))
                return true;
        return !brief->has_psi && s->limit_bytes != BYTES_UNLIMITED &&
               brief->usage_bytes >= s->limit_bytes - (s->limit_bytes >> 5);
}

struct subtree_pids {
        struct observer *o;
        struct group *g;
        size_t n;
};
static int subtree_pids_cb(const struct cgroup_descendant *d, void *userdata)
{
        struct subtree_pids *p = userdata;

        /* What a runtime puts below a group can say what the group is (a
         * Quadlet unit's payload); then it is a container, whose names
         * protect nothing. */
        if (d->depth == 1 && identity_refine_from_child(&p->g->c.id, d->name))
                p->g->c.comm_protects = identity_is_system_service(p->g->c.path, &p->g->c.id);
        _cleanup_close_ int fd = cgroup_descendant_procs_open(d);

        if (fd == -ENOENT || fd == -ENODEV)
                return 0; /* removed during the walk */
        if (fd < 0)
                return fd;
        for (;;) {
                struct observer *o = p->o;
                int n = cgroup_read_pids(fd, o->pids + p->n, o->cap_pids - p->n);
                if (n < 0 || (size_t)n <= o->cap_pids - p->n) {
                        if (n > 0)
                                p->n += (size_t)n;
                        return n < 0 ? n : 0;
                }
                int r =
                    grow((void **)&o->pids, &o->cap_pids, p->n + (size_t)n + 64, sizeof *o->pids);
                if (r < 0)
                        return r;
        }
}

/* Reads the pids of the group, and of every group below it when it has
 * any, into o->pids; returns how many, or -errno. */
static int read_pids(struct observer *o, struct group *g)
{
        if (g->subtree) {
                struct subtree_pids p = {.o = o, .g = g};
                int r = cgroup_tree_for_each_descendant(&o->layout, CGROUP_TREE_MEMORY, g->c.path,
                                                        subtree_pids_cb, &p);
                return r < 0 ? r : (int)(p.n > INT32_MAX ? INT32_MAX : p.n);
        }
        for (;;) {
                int n = cgroup_read_pids(g->f.procs, o->pids, o->cap_pids);
                if (n < 0 || (size_t)n <= o->cap_pids)
                        return n;
                int r = grow((void **)&o->pids, &o->cap_pids, (size_t)n + 64, sizeof *o->pids);
                if (r < 0)
                        return r;
        }
}

/* Nothing moved since the last tick (usage to the byte, stall time) and no
 * refresh is due: membership is taken as unchanged, cgroup.procs not read.
 * A task that joins or leaves shows in the usage as soon as it allocates
 * or frees anything; one that joins and sleeps is seen at the refresh (the
 * act layer checks every task's oom_score_adj again before it kills). */
static bool is_quiet(const struct group *g, const struct cgroup_sample *brief, uint64_t now_usec)
{
        const struct cgroup_sample *s = &g->c.s;
        return g->tasks_valid && g->full_valid && brief->usage_bytes == s->usage_bytes &&
               (!brief->has_psi || brief->psi.some.total_usec == s->psi.some.total_usec) &&
               now_usec - g->tasks_read_usec < g->refresh_usec;
}

/* Looks for the Kubernetes names of a pod container once when it is first
 * visited, then with an exponential back-off until they are found.
 *
 * The kubelet makes a container's log link before it starts the container,
 * and never one for the pod's sandbox: a container of a pod whose log
 * directory is known, with no log of its own, is the sandbox. A process
 * name says nothing (any container can call itself "pause"). A sandbox
 * holds one small process: a group past SANDBOX_MAX_BYTES is a workload
 * whose log link is missing, and is not protected as a sandbox. */
#define SANDBOX_MAX_BYTES ((uint64_t)32 << 20)

static void lookup_pod_names(struct observer *o, struct group *g, uint64_t now_usec)
{
        struct identity *id = &g->c.id;

        if ((id->kind != IDENTITY_POD_CONTAINER && id->kind != IDENTITY_POD_SANDBOX) ||
            (id->pod_name[0] && id->container_name[0]) ||
            (g->names_retry_usec && now_usec < g->names_next_usec))
                return;
        if (pod_names_read(o->root, id) >= 0) {
                id->kind = id->container_name[0] ? IDENTITY_POD_CONTAINER : IDENTITY_POD_SANDBOX;
                if (id->kind == IDENTITY_POD_CONTAINER)
                        return;
        }
        g->names_retry_usec = g->names_retry_usec ? 2 * g->names_retry_usec : NAMES_RETRY_MIN_USEC;
        if (g->names_retry_usec > NAMES_RETRY_MAX_USEC)
                g->names_retry_usec = NAMES_RETRY_MAX_USEC;
        g->names_next_usec = now_usec + g->names_retry_usec;
}

/* Finds out again whether g has child groups (a stat relative to its
 * parent's directory): done only where its pids are about to be read,
 * since which groups hold its tasks matters only then; a quiet group keeps
 * what its last look found (is_quiet). */
static int look_for_subtree(struct observer *o, struct group *g, const struct cgroup_child *child)
{
        int r = cgroup_child_has_children(&o->layout, child);
        if (r < 0)
                return r;
        g->subtree = r > 0;
        return 0;
}

/* Opens what a group whose files are not all open needs: every file of a
 * container; for a plain group cgroup.procs alone until it holds a task,
 * then every file. Returns < 0 on failure, 0 when the group is empty (its
 * probe recorded), 1 to read on; the pids it read, if any, are in o->pids
 * (*ret_n of them, *ret_have_pids set). */
static int open_files(struct observer *o, struct group *g, uint64_t now_usec, int *ret_n,
                      bool *ret_have_pids)
{
        const struct cgroup_layout *l = &o->layout;
        struct cgroup_files f;
        int r, n;

        if (g->type == GROUP_CONTAINER) {
                r = cgroup_files_open(l, g->c.path, &g->f);
                if (r < 0)
                        return r;
                g->full = true;
                return 1;
        }
        if (!g->subtree && g->f.procs < 0) {
                r = g->f.procs = cgroup_procs_open(l, g->c.path);
                if (r < 0)
                        return r;
        }
        r = n = read_pids(o, g);
        if (r < 0)
                return r;
        *ret_n = n;
        *ret_have_pids = true;
        if (n == 0) {
                g->empty = true;
                g->probe_usec = now_usec;
                return 0;
        }
        r = cgroup_files_open(l, g->c.path, &f);
        if (r < 0)
                return r;
        cgroup_files_close(&g->f);
        g->f = f;
        g->full = true;
        return 1;
}

/* Fills g->c from its files; sets g->candidate, or g->gone. */
static void group_read(struct observer *o, const struct config *cfg, struct group *g,
                       const struct cgroup_child *child, unsigned scope, uint64_t now_usec)
{
        const struct cgroup_layout *l = &o->layout;
        bool have_pids = false, looked = !g->full;
        int r, n = 0;

        if (looked) {
                r = look_for_subtree(o, g, child);
                if (r >= 0)
                        r = open_files(o, g, now_usec, &n, &have_pids);
                if (r < 0)
                        goto fail;
                if (r == 0)
                        return;
        }

        /* No stall below the scope since the last tick: g's last PSI
         * reading still holds (scope_slot.still). */
        bool psi_holds = !o->always_full && o->scopes[scope].still && g->full_valid;
        struct cgroup_sample brief = g->c.s;
        r = cgroup_read_brief(l, &g->f, !psi_holds, &brief);
        if (r < 0)
                goto fail;
        if (!g->full_valid || brief.psi.some.total_usec != g->c.s.psi.some.total_usec ||
            usage_moved(brief.usage_bytes, g->c.s.usage_bytes))
                g->active_usec = now_usec;
        /* An empty group's visit is its probe: always a fresh look. */
        if (!have_pids && (g->empty || !is_quiet(g, &brief, now_usec))) {
                r = looked ? 0 : look_for_subtree(o, g, child);
                if (r >= 0)
                        r = n = read_pids(o, g);
                if (r < 0)
                        goto fail;
                have_pids = true;
        }
        uint64_t h = have_pids ? pids_hash(o->pids, (size_t)n) : g->procs_hash;
        bool members = have_pids && (!g->tasks_valid || h != g->procs_hash);
        if (!have_pids)
                n = (int)g->c.nr_tasks;
        g->empty = g->type == GROUP_PLAIN && n == 0;
        if (g->empty) { /* its tasks left: watched at the pace of empty groups */
                g->probe_usec = now_usec;
                g->procs_hash = h;
                g->c.nr_tasks = 0;
                return;
        }

        if (needs_full(o, g, &brief, members, now_usec)) {
                r = cgroup_read_rest(l, &g->f, &brief, &g->c.s);
                if (r < 0)
                        goto fail;
                g->c.stat_usec = now_usec;
                g->full_valid = true;
                g->full_usage_bytes = g->c.s.usage_bytes;
                g->full_some_usec = g->c.s.psi.some.total_usec;
        } else
                g->c.s = brief;
        lookup_pod_names(o, g, now_usec);
        if (g->c.id.kind == IDENTITY_POD_SANDBOX && g->c.s.usage_bytes > SANDBOX_MAX_BYTES)
                g->c.id.kind = IDENTITY_POD_CONTAINER;
        else if (g->c.id.kind == IDENTITY_POD_CONTAINER && g->c.id.pod_name[0] &&
                 !g->c.id.container_name[0] && g->c.s.usage_bytes <= SANDBOX_MAX_BYTES)
                g->c.id.kind = IDENTITY_POD_SANDBOX;
        if (have_pids && (members || now_usec - g->tasks_read_usec >= g->refresh_usec)) {
                read_tasks(o, cfg, g, o->pids, (size_t)n);
                g->procs_hash = h;
                g->tasks_read_usec = now_usec;
                g->tasks_valid = true;
        }
        /* A container whose tasks all live in child groups is populated
         * with no task of its own; one with no task at all is no victim. */
        if (g->type == GROUP_CONTAINER && !g->c.s.populated && n == 0)
                return;
        if (g->c.cgroup_id == 0) {
                r = cgroup_id(l, g->c.path, &g->c.cgroup_id);
                if (r < 0)
                        goto fail;
        }
        g->c.nr_tasks = (unsigned)n;
        g->c.scope = scope;
        g->candidate = true;
        g->warned = false;
        return;
fail:
        /* A vanished group is dropped and found again if it comes back; an
         * unreadable one stays known, so that it is logged once, and is
         * tried again every tick. */
        g->full_valid = false;
        if (group_gone(r))
                g->gone = true;
        else
                warn_group(o, g, r, r == -EINVAL ? "malformed cgroup files" : "cannot read");
}

void visit_group(struct observer *o, const struct config *cfg, struct group *g,
                 const struct cgroup_child *child, unsigned scope, uint64_t now_usec)
{
        group_read(o, cfg, g, child, scope, now_usec);
        fds_settle(o, g, now_usec);
}
