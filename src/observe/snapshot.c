/* The observer: a cheap, complete snapshot of the node, its scopes and the
 * candidate groups below them.
 *
 * Every group met while walking a scope is remembered in a table sorted by
 * path, with what is costly to find out again: its type (from identity.h,
 * computed once), its open files, its identity and pod names, and the
 * facts about its tasks. The table and the snapshot's candidate array are
 * allocated only when the set of groups changes (and grow, never shrink).
 *
 * What a tick reads, per group:
 * - intermediate group: one readdir;
 * - candidate: its usage and memory.pressure (two preads, about 3.5 us
 *   here); cgroup.procs when either moved (is_quiet); the rest of its files
 *   (memory.stat alone is 9 us in v1) only when the group shows activity:
 *   a stall since its last full reading, usage moved by more than
 *   usage >> USAGE_MOVE_SHIFT, membership changed, no PSI and usage near
 *   its limit (a v1 thrash at the limit does not move the usage), or its
 *   refresh period (FULL_REFRESH_USEC) passed (the usage and PSI of that
 *   tick are not read twice). candidate.stat_usec says when the counters
 *   were read, so that rates can stay exact;
 * - plain group: one stat (is it a leaf?), relative to its parent's
 *   directory; when it holds no process, that and one pread of
 *   cgroup.procs at most every EMPTY_PROBE_USEC.
 * Every group met costs a hash of its name and a cache line or two of the
 * table (struct group), and every candidate its copy into the snapshot; at
 * a thousand groups the two preads are most of a tick, the refreshes most
 * of the rest. bench/snapshot-cost.sh measures it.
 *
 * Nothing here reads a recursive statistic of a group with many (possibly
 * dead, "zombie") descendants: the node scope uses /proc/meminfo and
 * /proc/vmstat, never the root group's memory.stat. */
#include "observe/observer.h"
#include "observe/snapshot.h"

#include <fcntl.h>
#include <sys/resource.h>

#include "base/log.h"
#include "base/util.h"
#include "observe/proc.h"

/* Organising groups (slices, kubepods, pod dirs) nested deeper than this
 * below a scope are each taken as one candidate with all below them. Only
 * a user's manager lets anyone but the node's owner create them. */
#define WALK_DEPTH_MAX 32

/* Counters of a quiet group are read at least this often, and so are task
 * facts (oom_score_adj, comms; otherwise read when cgroup.procs changes): a
 * process may change its own oom_score_adj without its group's membership
 * changing. Each group refreshes a little earlier, by up to a half of the
 * period, at an offset of its own, so that groups found together do not
 * all refresh on the same tick. */
#define FULL_REFRESH_USEC (10 * USEC_PER_SEC)

/* Usage moved by more than usage >> USAGE_MOVE_SHIFT (or USAGE_MOVE_MIN). */
#define USAGE_MOVE_SHIFT 8
#define USAGE_MOVE_MIN   ((uint64_t)256 << 10)

/* An empty plain group is looked at again after this long. */
#define EMPTY_PROBE_USEC (2 * USEC_PER_SEC)

/* Kubernetes names not found in /var/log when a pod container appears
 * (the kubelet may write its logs later) are looked for again after
 * NAMES_RETRY_MIN_USEC, then twice as long each time, up to
 * NAMES_RETRY_MAX_USEC: each look is a readdir of /var/log/pods, and the
 * groups without names may be many while the disk is saturated. */
#define NAMES_RETRY_MIN_USEC (10 * USEC_PER_SEC)
#define NAMES_RETRY_MAX_USEC (300 * USEC_PER_SEC)

#define NODE_BUF_SIZE 16384
#define NODE_FILE_MAX (4 << 20)

enum group_type {
        GROUP_INTERMEDIATE, /* organises others: walked into, never a candidate */
        GROUP_CONTAINER,    /* a recognised container or service: not walked into */
        GROUP_PLAIN,        /* anything else: a candidate, with its subtree, when it holds
                             * processes */
};

/* What a tick reads of a group comes first, ahead of the path (c.path):
 * what the walk reads of every group it meets, then what a quiet candidate
 * costs; so that meeting a group touches a few cache lines of it, not a
 * dozen (the table is walked in full on each tick and may hold
 * thousands). */
struct group {
        uint64_t seen_tick;
        enum group_type type;
        bool candidate;        /* a candidate in the current tick */
        bool gone;             /* vanished or unreadable: dropped at the end of the tick */
        bool subtree;          /* it has child groups: its tasks are its subtree's */
        bool empty;            /* a plain group without processes ... */
        uint64_t probe_usec;   /* ... last looked at then */
        struct cgroup_files f; /* all kept files, or only f.procs (see full) */
        bool full;             /* every file open, not only cgroup.procs */
        unsigned kept_fds;     /* of f, counted in observer.fds_kept */
        uint64_t active_usec;  /* the last tick its reading moved */
        bool warned;           /* its one log line is written */
        bool tasks_valid;
        bool full_valid; /* c.s holds a full reading */
        uint64_t procs_hash;
        uint64_t tasks_read_usec;
        uint64_t refresh_usec; /* its own refresh period (see FULL_REFRESH_USEC) */
        uint64_t full_usage_bytes, full_some_usec; /* at the last full reading */
        struct candidate c;                        /* path, identity and the last reading */
        uint64_t path_hash;
        /* Pod names not found yet: when to look again, after the wait
         * names_retry_usec (0 before the first look). */
        uint64_t names_next_usec, names_retry_usec;
};

struct scope_slot {
        char path[CGROUP_PATH_MAX]; /* as configured */
        struct cgroup_files f;
        bool open;
        bool warned;
        bool warned_long;
};

/* A group of the index with its path's hash, so that a lookup looks at no
 * other group than the one it finds. */
struct index_slot {
        uint64_t hash;
        struct group *g; /* NULL: a free slot */
};

struct observer {
        const struct fsroot *root;
        struct cgroup_layout layout;
        int meminfo_fd, vmstat_fd, pressure_fd;
        struct scope_slot scopes[CONFIG_MAX_SCOPES];

        struct group **groups; /* sorted by path */
        size_t n_groups, cap_groups;
        struct index_slot *index; /* the same, hashed by path (open addressing) */
        size_t index_size;        /* a power of two, at least twice n_groups */
        struct group **fresh;     /* met for the first time in this tick */
        size_t n_fresh, cap_fresh;
        uint64_t tick;

        pid_t *pids;
        size_t cap_pids;

        bool warned_fds;
        bool warned_meminfo;
        /* Files kept open between ticks, and how many may be: the soft
         * RLIMIT_NOFILE less what the rest of the daemon needs. Past the
         * budget a group's files are opened, read and closed on each
         * visit, and the quietest kept group gives its files to an active
         * one: no group is ever out of sight for want of descriptors. */
        size_t fds_kept, fd_budget;
        bool warned_budget;
};

static int group_cmp(const void *a, const void *b)
{
        const struct group *const *x = a, *const *y = b;
        return strcmp((*x)->c.path, (*y)->c.path);
}

static struct group *group_free(struct observer *o, struct group *g)
{
        if (g) {
                o->fds_kept -= g->kept_fds;
                cgroup_files_close(&g->f);
                free(g);
        }
        return NULL;
}

static int grow(void **array, size_t *cap, size_t need, size_t elem)
{
        if (need <= *cap)
                return 0;
        size_t n = *cap ? *cap : 16;
        while (n < need)
                n *= 2;
        void *p = reallocarray(*array, n, elem);
        if (!p)
                return -ENOMEM;
        *array = p;
        *cap = n;
        return 0;
}

void snapshot_init(struct snapshot *s)
{
        *s = (struct snapshot){0};
}

void snapshot_free(struct snapshot *s)
{
        if (!s)
                return;
        free(s->candidates);
        snapshot_init(s);
}

static int candidate_key_cmp(const void *key, const void *elem)
{
        const struct candidate *c = elem;
        return strcmp(key, c->path);
}

const struct candidate *snapshot_find(const struct snapshot *s, const char *path)
{
        if (!s->candidates || s->n_candidates == 0)
                return NULL;
        return bsearch(path, s->candidates, s->n_candidates, sizeof(struct candidate),
                       candidate_key_cmp);
}

void observer_free(struct observer *o)
{
        if (!o)
                return;
        safe_close(o->meminfo_fd);
        safe_close(o->vmstat_fd);
        safe_close(o->pressure_fd);
        for (size_t i = 0; i < ARRAY_SIZE(o->scopes); i++)
                cgroup_files_close(&o->scopes[i].f);
        for (size_t i = 0; i < o->n_groups; i++)
                group_free(o, o->groups[i]);
        for (size_t i = 0; i < o->n_fresh; i++)
                group_free(o, o->fresh[i]);
        free(o->groups);
        free(o->index);
        free(o->fresh);
        free(o->pids);
        free(o);
}

const struct cgroup_layout *observer_layout(const struct observer *o)
{
        return &o->layout;
}

/* Descriptors left to the rest of the daemon: the journal, the loop, PSI
 * triggers, the scopes' files, and the act layer's walk and pidfds (which
 * work with fewer, killing through cgroup.kill). */
#define FD_RESERVE 48

/* Takes the hard RLIMIT_NOFILE (the loop is epoll only) and returns how
 * many descriptors the groups' kept files may use. */
static size_t fd_budget(void)
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

int observer_new(const struct fsroot *root, const struct config *c, struct observer **ret)
{
        struct observer *o = calloc(1, sizeof *o);
        int r;

        if (!o)
                return -ENOMEM;
        o->root = root;
        o->fd_budget = fd_budget();
        o->meminfo_fd = o->vmstat_fd = o->pressure_fd = -EBADF;
        for (size_t i = 0; i < ARRAY_SIZE(o->scopes); i++)
                cgroup_files_init(&o->scopes[i].f);

        r = cgroup_detect(root, c->daemon.cgroup_mode, &o->layout);
        if (r < 0) {
                log_error_errno(r, "No usable cgroup memory controller found (mode %s)",
                                cgroup_mode_to_string(c->daemon.cgroup_mode));
                goto fail;
        }
        r = o->meminfo_fd = fsroot_openat(root, FSROOT_MEMINFO, O_RDONLY);
        if (r < 0) {
                log_error_errno(r, "Cannot open %s", FSROOT_MEMINFO);
                goto fail;
        }
        r = o->vmstat_fd = fsroot_openat(root, FSROOT_VMSTAT, O_RDONLY);
        if (r < 0) {
                log_error_errno(r, "Cannot open %s", FSROOT_VMSTAT);
                goto fail;
        }
        /* A kernel without PSI (or booted with psi=0): the node scope then
         * has no pressure and the policy falls back to reclaim counters. */
        o->pressure_fd = fsroot_openat(root, FSROOT_PRESSURE_MEMORY, O_RDONLY);
        if (o->pressure_fd < 0) {
                log_warning_errno(o->pressure_fd, "Cannot open %s, no node pressure",
                                  FSROOT_PRESSURE_MEMORY);
                o->pressure_fd = -EBADF;
        }
        *ret = o;
        return 0;
fail:
        observer_free(o);
        return r;
}

static bool is_gone(int r)
{
        return r == -ENOENT || r == -ENODEV;
}

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

/* ---- node and scopes ---- */

/* pread from offset 0 to the end of the file into buf[size], NUL-terminated;
 * -EFBIG when it does not fit. */
static ssize_t pread_to_end(int fd, char *buf, size_t size)
{
        size_t len = 0;

        for (;;) {
                ssize_t n = pread(fd, buf + len, size - 1 - len, (off_t)len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len == size - 1)
                        return -EFBIG;
        }
        buf[len] = 0;
        return (ssize_t)len;
}

/* A node file into buf[size]; one larger than that (a kernel with many
 * more fields, a fixture) is read to its end into *ret_heap, up to
 * NODE_FILE_MAX. Returns the text, or NULL with *ret_error set. */
static const char *read_node_file(int fd, char *buf, size_t size, char **ret_heap, int *ret_error)
{
        ssize_t n = fd_pread_all(fd, buf, size);
        char *heap = NULL;

        if (n >= 0)
                return buf;
        for (size_t cap = size * 4; n == -EFBIG && cap <= NODE_FILE_MAX; cap *= 4) {
                char *bigger = realloc(heap, cap);
                if (!bigger) {
                        n = -ENOMEM;
                        break;
                }
                heap = bigger;
                n = pread_to_end(fd, heap, cap);
        }
        if (n < 0) {
                free(heap);
                *ret_error = (int)n;
                return NULL;
        }
        *ret_heap = heap;
        return heap;
}

/* /proc/meminfo into s->meminfo, saying once (until it reads again) what
 * is wrong with it; without it the node scope is unreadable this tick, and
 * the other scopes are not bounded by MemAvailable (snapshot.h). */
static int read_meminfo(struct observer *o, struct snapshot *s)
{
        char buf[NODE_BUF_SIZE];
        _cleanup_free_ char *heap = NULL;
        const char *text, *missing;
        int r = 0;

        text = read_node_file(o->meminfo_fd, buf, sizeof buf, &heap, &r);
        if (text)
                r = meminfo_parse(text, &s->meminfo);
        if (r >= 0) {
                o->warned_meminfo = false;
                return 0;
        }
        if (!o->warned_meminfo) {
                missing = text ? meminfo_missing_key(text) : NULL;
                if (!text)
                        log_warning_errno(r,
                                          "/proc/meminfo: cannot read it (%s): node data "
                                          "unavailable",
                                          r == -EFBIG ? "over 4 MiB" : "error");
                else if (missing)
                        log_warning("/proc/meminfo: no %s%s: node data unavailable", missing,
                                    text[0] ? "" : " (the file is empty)");
                else
                        log_warning("/proc/meminfo: malformed: node data unavailable");
        }
        o->warned_meminfo = true;
        return r;
}

static int read_node(struct observer *o, struct snapshot *s, struct psi *ret_psi, bool *ret_has_psi)
{
        char buf[NODE_BUF_SIZE];
        _cleanup_free_ char *heap = NULL;
        const char *text;
        int r;

        r = read_meminfo(o, s);
        if (r < 0)
                return r;
        text = read_node_file(o->vmstat_fd, buf, sizeof buf, &heap, &r);
        if (!text || vmstat_parse(text, &s->vmstat) < 0)
                s->vmstat = (struct vmstat){0};
        *ret_has_psi = false;
        if (o->pressure_fd >= 0 && fd_pread_all(o->pressure_fd, buf, sizeof buf) >= 0 &&
            psi_parse(buf, ret_psi) >= 0)
                *ret_has_psi = true;
        return 0;
}

/* "/a/b/" -> "/a/b"; false for paths that are not absolute. */
static bool scope_normalize(const char *in, char ret[static CGROUP_PATH_MAX])
{
        if (in[0] != '/' || strcpy_bounded(ret, CGROUP_PATH_MAX, in) < 0)
                return false;
        for (size_t n = strlen(ret); n > 1 && ret[n - 1] == '/'; n--)
                ret[n - 1] = 0;
        return true;
}

static void read_scope(struct observer *o, unsigned i, const char *path, const struct snapshot *s,
                       const struct psi *node_psi, bool node_has_psi, struct scope_sample *ret)
{
        struct scope_slot *slot = &o->scopes[i];
        struct cgroup_sample cs;
        int r;

        *ret = (struct scope_sample){0};
        if (!scope_normalize(path, ret->path)) {
                strcpy_bounded(ret->path, sizeof ret->path, path);
                if (!slot->warned)
                        log_warning("Scope %s is not an absolute cgroup path, ignored", path);
                slot->warned = true;
                return;
        }
        if (streq(ret->path, "/")) {
                const struct meminfo *m = &s->meminfo;
                ret->is_root = true;
                ret->ok = true;
                ret->psi = *node_psi;
                ret->has_psi = node_has_psi;
                ret->limit_bytes = m->total_bytes;
                ret->headroom_bytes = m->available_bytes;
                ret->usage_bytes = counter_delta(m->total_bytes, m->available_bytes);
                ret->stat = (struct memstat){
                    .file_bytes = m->cached_bytes,
                    .active_file_bytes = m->active_file_bytes,
                    .shmem_bytes = m->shmem_bytes,
                    .pgscan = s->vmstat.pgscan,
                    .pgsteal = s->vmstat.pgsteal,
                    .refault_anon = s->vmstat.refault_anon,
                    .refault_file = s->vmstat.refault_file,
                    .pgmajfault = s->vmstat.pgmajfault,
                };
                return;
        }

        if (slot->open && !streq(slot->path, ret->path)) { /* reconfigured */
                cgroup_files_close(&slot->f);
                slot->open = false;
        }
        if (!slot->open) {
                r = cgroup_files_open(&o->layout, ret->path, &slot->f);
                if (r < 0) {
                        if (!slot->warned)
                                log_warning_errno(r, "Scope %s: cannot open its files", ret->path);
                        slot->warned = true;
                        return;
                }
                strcpy(slot->path, ret->path);
                slot->open = true;
        }
        r = cgroup_read(&o->layout, &slot->f, &cs);
        if (r < 0) {
                if (!slot->warned)
                        log_warning_errno(r, "Scope %s: cannot read it", ret->path);
                slot->warned = true;
                cgroup_files_close(&slot->f);
                slot->open = false;
                return;
        }
        slot->warned = false;
        ret->ok = true;
        ret->psi = cs.psi;
        ret->has_psi = cs.has_psi;
        ret->usage_bytes = cs.usage_bytes;
        ret->stat = cs.stat;
        /* A scope without a limit, or with one above the node's memory, is
         * bounded by the node: its headroom can never exceed MemAvailable.
         * Without /proc/meminfo this tick (all zero) only its own limit
         * bounds it: a shortage is then seen only against that limit. */
        bool node = s->meminfo.total_bytes > 0;
        ret->limit_bytes = node && s->meminfo.total_bytes < cs.limit_bytes ? s->meminfo.total_bytes
                                                                           : cs.limit_bytes;
        ret->headroom_bytes = counter_delta(ret->limit_bytes, cs.usage_bytes);
        if (node && ret->headroom_bytes > s->meminfo.available_bytes)
                ret->headroom_bytes = s->meminfo.available_bytes;
}

/* ---- tasks ---- */

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
        const unsigned char *b = p;
        for (size_t i = 0; i < n; i++) {
                h ^= b[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

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

/* A service of the node's own systemd: not in a pod, and not one of a
 * user's, whose manager (user@UID.service) lets the user create and name
 * groups and processes at will. Only there may a process name protect. */
static bool is_system_service(const char *path, const struct identity *id)
{
        if (id->kind != IDENTITY_SERVICE || id->pod_uid[0])
                return false;
        for (const char *p = strstr(path, "/user@"); p; p = strstr(p + 1, "/user@")) {
                const char *end = strchrnul(p + 1, '/');
                if ((size_t)(end - p) > strlen("/user@.service") &&
                    memcmp(end - strlen(".service"), ".service", strlen(".service")) == 0)
                        return false;
        }
        return true;
}

/* ---- groups ---- */

static uint64_t path_hash(const char *path)
{
        return fnv1a(FNV_OFFSET, path, strlen(path));
}

/* Every tick looks up each group met by path (whose hash is h): a hash, not
 * a binary search of long paths with long common prefixes. */
static struct group *group_lookup(struct observer *o, const char *path, uint64_t h)
{
        if (o->index_size == 0)
                return NULL;
        for (size_t i = h & (o->index_size - 1);; i = (i + 1) & (o->index_size - 1)) {
                const struct index_slot *slot = &o->index[i];
                if (!slot->g)
                        return NULL;
                if (slot->hash == h && streq(slot->g->c.path, path))
                        return slot->g;
        }
}

/* Makes room for n groups in the index; the only step of the index that
 * allocates, done before the table changes so that a failure leaves both
 * as they were. */
static int index_reserve(struct observer *o, size_t n)
{
        size_t size = o->index_size ? o->index_size : 64;
        while (size < 2 * n)
                size *= 2;
        if (size == o->index_size)
                return 0;
        struct index_slot *index = calloc(size, sizeof *index);
        if (!index)
                return -ENOMEM;
        free(o->index);
        o->index = index;
        o->index_size = size;
        return 0;
}

static void index_rebuild(struct observer *o)
{
        memset(o->index, 0, o->index_size * sizeof *o->index);
        for (size_t k = 0; k < o->n_groups; k++) {
                struct group *g = o->groups[k];
                size_t i = g->path_hash & (o->index_size - 1);
                while (o->index[i].g)
                        i = (i + 1) & (o->index_size - 1);
                o->index[i] = (struct index_slot){g->path_hash, g};
        }
}

static struct group *group_new(struct observer *o, const char *path, uint64_t hash)
{
        struct group *g;
        struct identity id = {0};

        if (grow((void **)&o->fresh, &o->cap_fresh, o->n_fresh + 1, sizeof *o->fresh) < 0)
                return NULL;
        g = calloc(1, sizeof *g);
        if (!g)
                return NULL;
        cgroup_files_init(&g->f);
        strcpy(g->c.path, path); /* fits: cgroup_for_each_child_at bounds it */
        if (identity_from_path(path, &id))
                g->type = GROUP_CONTAINER;
        else if (identity_is_intermediate(path))
                g->type = GROUP_INTERMEDIATE;
        else
                g->type = GROUP_PLAIN;
        g->c.comm_protects = is_system_service(path, &id);
        g->path_hash = hash;
        g->refresh_usec = FULL_REFRESH_USEC - g->path_hash % (FULL_REFRESH_USEC / 2);
        g->c.id = id;
        o->fresh[o->n_fresh++] = g;
        return g;
}

static bool usage_moved(uint64_t now, uint64_t then)
{
        uint64_t d = now > then ? now - then : then - now;
        uint64_t m = now >> USAGE_MOVE_SHIFT;
        return d >= (m > USAGE_MOVE_MIN ? m : USAGE_MOVE_MIN);
}

/* Whether the counters must be read again, given this tick's brief reading
 * (usage and PSI). */
static bool needs_full(const struct group *g, const struct cgroup_sample *brief, bool members,
                       uint64_t now_usec)
{
#ifdef SNAPSHOT_ALWAYS_FULL /* bench/snapshot-cost.sh: the cost under activity */
        return true;
#endif
        const struct cgroup_sample *s = &g->c.s;
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
                p->g->c.comm_protects = is_system_service(p->g->c.path, &p->g->c.id);
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
 * name says nothing (any container can call itself "pause"). */
static void lookup_pod_names(struct observer *o, struct group *g, uint64_t now_usec)
{
        struct identity *id = &g->c.id;

        if ((id->kind != IDENTITY_POD_CONTAINER && id->kind != IDENTITY_POD_SANDBOX) ||
            (id->pod_name[0] && id->container_name[0]) ||
            (g->names_retry_usec && now_usec < g->names_next_usec))
                return;
        if (identity_read_pod_names(o->root, id) >= 0) {
                id->kind = id->container_name[0] ? IDENTITY_POD_CONTAINER : IDENTITY_POD_SANDBOX;
                if (id->kind == IDENTITY_POD_CONTAINER)
                        return;
        }
        g->names_retry_usec = g->names_retry_usec ? 2 * g->names_retry_usec : NAMES_RETRY_MIN_USEC;
        if (g->names_retry_usec > NAMES_RETRY_MAX_USEC)
                g->names_retry_usec = NAMES_RETRY_MAX_USEC;
        g->names_next_usec = now_usec + g->names_retry_usec;
}

/* Fills g->c from its files; sets g->candidate, or g->gone. */
static void group_read(struct observer *o, const struct config *cfg, struct group *g,
                       unsigned scope, uint64_t now_usec)
{
        const struct cgroup_layout *l = &o->layout;
        bool have_pids = false;
        int r, n = 0;

        if (!g->full && g->type == GROUP_CONTAINER) {
                r = cgroup_files_open(l, g->c.path, &g->f);
                if (r < 0)
                        goto fail;
                g->full = true;
        } else if (!g->full) {
                /* A plain group: cgroup.procs alone until it holds a task. */
                if (!g->subtree && g->f.procs < 0) {
                        r = g->f.procs = cgroup_procs_open(l, g->c.path);
                        if (r < 0)
                                goto fail;
                }
                r = n = read_pids(o, g);
                if (r < 0)
                        goto fail;
                have_pids = true;
                if (n == 0) {
                        g->empty = true;
                        g->probe_usec = now_usec;
                        return;
                }
                struct cgroup_files f;
                r = cgroup_files_open(l, g->c.path, &f);
                if (r < 0)
                        goto fail;
                cgroup_files_close(&g->f);
                g->f = f;
                g->full = true;
        }

        struct cgroup_sample brief = g->c.s;
        r = cgroup_read_brief(l, &g->f, &brief);
        if (r < 0)
                goto fail;
        if (!g->full_valid || brief.psi.some.total_usec != g->c.s.psi.some.total_usec ||
            usage_moved(brief.usage_bytes, g->c.s.usage_bytes))
                g->active_usec = now_usec;
        /* An empty group's visit is its probe: always a fresh look. */
        if (!have_pids && (g->empty || !is_quiet(g, &brief, now_usec))) {
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

        if (needs_full(g, &brief, members, now_usec)) {
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
        if (is_gone(r))
                g->gone = true;
        else
                warn_group(o, g, r, r == -EINVAL ? "malformed cgroup files" : "cannot read");
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

/* Keeps the files g opened if the budget allows, making room from the
 * quietest kept groups when g moved on this tick; else closes them, to be
 * opened afresh on its next visit. */
static void settle_fds(struct observer *o, struct group *g, uint64_t now_usec)
{
        unsigned n = cgroup_files_count(&g->f);

        o->fds_kept -= g->kept_fds;
        g->kept_fds = 0;
        while (n > 0 && o->fds_kept + n > o->fd_budget) {
                struct group *q = g->active_usec == now_usec ? quietest_kept(o, g) : NULL;
                if (!q) {
                        cgroup_files_close(&g->f);
                        g->full = false;
                        if (!o->warned_budget)
                                log_warning("%zu file descriptors are not enough to keep every "
                                            "group's files open: the quietest are read afresh "
                                            "each time (slower; raise LimitNOFILE)",
                                            o->fd_budget + FD_RESERVE);
                        o->warned_budget = true;
                        return;
                }
                release_files(o, q);
        }
        o->fds_kept += n;
        g->kept_fds = n;
}

static void group_visit(struct observer *o, const struct config *cfg, struct group *g,
                        unsigned scope, uint64_t now_usec)
{
        group_read(o, cfg, g, scope, now_usec);
        settle_fds(o, g, now_usec);
}

struct walk {
        struct observer *o;
        const struct config *cfg;
        const struct snapshot *s; /* for the scope paths */
        unsigned scope;
        unsigned depth;
        uint64_t now_usec;
        int error;
        /* The group whose children are being listed: the length and the
         * hash of its path, which begins each child's path ("/" as ""), so
         * that a child's hash is computed from its name alone. */
        size_t parent_len;
        uint64_t parent_hash;
};

static int walk_group(const struct cgroup_child *child, void *userdata);

/* hash: path_hash(path). Returns what listing the children gave
 * (-ENAMETOOLONG: a child's path could not be named). */
static int walk_children(struct walk *w, const char *path, uint64_t hash)
{
        size_t len = w->parent_len;
        uint64_t h = w->parent_hash;

        w->depth++;
        w->parent_len = streq(path, "/") ? 0 : strlen(path);
        w->parent_hash = w->parent_len ? hash : FNV_OFFSET;
        int r = cgroup_for_each_child_at(&w->o->layout, path, walk_group, w);
        w->parent_len = len;
        w->parent_hash = h;
        w->depth--;
        if (r < 0 && !is_gone(r) && r != -ENOMEM && r != -ENAMETOOLONG)
                log_debug_errno(r, "cgroup %s: cannot list its children", path);
        return r;
}

/* Another configured scope is walked on its own: its groups belong to it
 * (the innermost scope) and appear once. */
static bool is_other_scope(const struct walk *w, const char *path)
{
        for (unsigned i = 0; i < w->s->n_scopes; i++)
                if (i != w->scope && streq(w->s->scopes[i].path, path))
                        return true;
        return false;
}

/* A candidate is the first group below a scope that does not only
 * organise others (slices, kubepods, pod dirs): a container, a service or a
 * plain group, with its whole subtree. Nothing below it is walked as a
 * group of its own, so that child groups a tenant creates can neither hide
 * it nor be chosen apart from it. */
static void visit_candidate(struct walk *w, struct group *g, const struct cgroup_child *child)
{
        struct observer *o = w->o;

        /* An empty group, looked at recently: neither a task nor a child
         * group is expected in it soon. */
        if (g->empty && w->now_usec - g->probe_usec < EMPTY_PROBE_USEC)
                return;
        int r = cgroup_child_has_children(&o->layout, child);
        if (r < 0) {
                if (is_gone(r))
                        g->gone = true;
                return;
        }
        g->subtree = r > 0;
        group_visit(o, w->cfg, g, w->scope, w->now_usec);
}

static int walk_group(const struct cgroup_child *child, void *userdata)
{
        struct walk *w = userdata;
        struct observer *o = w->o;
        const char *path = child->path;
        struct group *g;

        if (is_other_scope(w, path))
                return 0;
        uint64_t h = fnv1a(w->parent_hash, path + w->parent_len, strlen(path) - w->parent_len);
        g = group_lookup(o, path, h);
        if (!g || g->gone) {
                if (g) /* dropped at the end of this tick; met again next tick */
                        return 0;
                g = group_new(o, path, h);
                if (!g) {
                        w->error = -ENOMEM;
                        return -ENOMEM;
                }
        }
        if (g->seen_tick == o->tick)
                return 0; /* already met in this tick */
        g->seen_tick = o->tick;
        g->candidate = false;

        /* An organiser nested deeper than the walk goes, or holding groups
         * whose paths cannot be named, is taken whole: nothing is hidden. */
        if (g->type == GROUP_INTERMEDIATE && w->depth >= WALK_DEPTH_MAX)
                g->type = GROUP_PLAIN;
        if (g->type != GROUP_INTERMEDIATE) {
                visit_candidate(w, g, child);
                return w->error;
        }
        if (walk_children(w, path, g->path_hash) == -ENAMETOOLONG) {
                log_warning("cgroup %s holds groups whose paths are longer than %d bytes: "
                            "watched as one group with all below it",
                            path, CGROUP_PATH_MAX - 1);
                g->type = GROUP_PLAIN;
        }
        return w->error;
}

/* The long strings of a candidate, most of its size and mostly unused. */
#define STRING_FIELD(f)                                                                            \
        {                                                                                          \
                offsetof(struct candidate, f), sizeof(((struct candidate *)0)->f)                  \
        }
static const struct {
        size_t offset, size;
} candidate_strings[] = {
    STRING_FIELD(path),
    STRING_FIELD(id.pod_namespace),
    STRING_FIELD(id.pod_name),
    STRING_FIELD(id.container_name),
};
#undef STRING_FIELD
_Static_assert(offsetof(struct candidate, path) + CGROUP_PATH_MAX <=
                       offsetof(struct candidate, id.pod_namespace) &&
                   offsetof(struct candidate, id.pod_namespace) <
                       offsetof(struct candidate, id.pod_name) &&
                   offsetof(struct candidate, id.pod_name) <
                       offsetof(struct candidate, id.container_name),
               "candidate_strings[] is in the order of the struct");

/* Copies a candidate but for what follows the NUL of its long strings (left
 * as it was in dst): every candidate is copied into the snapshot on every
 * tick, and the whole struct is about 1.7 KiB, a few hundred bytes of it
 * used. */
static void candidate_copy(struct candidate *dst, const struct candidate *src)
{
        char *d = (char *)dst;
        const char *s = (const char *)src;
        size_t at = 0;

        for (size_t i = 0; i < ARRAY_SIZE(candidate_strings); i++) {
                size_t off = candidate_strings[i].offset, size = candidate_strings[i].size;
                size_t n = strnlen(s + off, size - 1);
                memcpy(d + at, s + at, off - at);
                memcpy(d + off, s + off, n);
                d[off + n] = 0;
                at = off + size;
        }
        memcpy(d + at, s + at, sizeof *dst - at);
}

/* Drops the groups not met in this tick, adds the new ones and sorts:
 * the only step that allocates, and only when the set changed. */
static int merge_groups(struct observer *o)
{
        size_t kept = 0, n_fresh = 0;
        bool changed = o->n_fresh > 0;

        for (size_t i = 0; i < o->n_groups && !changed; i++)
                if (o->groups[i]->seen_tick != o->tick || o->groups[i]->gone)
                        changed = true;
        if (!changed)
                return 0;

        for (size_t i = 0; i < o->n_fresh; i++)
                if (!o->fresh[i]->gone)
                        n_fresh++;
        if (grow((void **)&o->groups, &o->cap_groups, o->n_groups + n_fresh, sizeof *o->groups) <
                0 ||
            index_reserve(o, o->n_groups + n_fresh) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_groups; i++) {
                struct group *g = o->groups[i];
                if (g->seen_tick != o->tick || g->gone)
                        group_free(o, g);
                else
                        o->groups[kept++] = g;
        }
        for (size_t i = 0; i < o->n_fresh; i++) {
                struct group *g = o->fresh[i];
                if (g->gone)
                        group_free(o, g);
                else
                        o->groups[kept++] = g;
        }
        o->n_fresh = 0;
        o->n_groups = kept;
        qsort(o->groups, o->n_groups, sizeof *o->groups, group_cmp);
        index_rebuild(o);
        return 0;
}

int observer_take(struct observer *o, const struct config *c, uint64_t now_usec,
                  struct snapshot *ret)
{
        struct snapshot s = {.time_usec = now_usec, .mode = o->layout.mode};
        struct psi node_psi = {0};
        bool node_has_psi = false, any_ok = false;
        size_t n = 0;
        int r, node_r;

        node_r = read_node(o, &s, &node_psi, &node_has_psi);
        if (node_r < 0)
                s.meminfo = (struct meminfo){0};

        s.n_scopes =
            c->daemon.scopes.n < CONFIG_MAX_SCOPES ? c->daemon.scopes.n : CONFIG_MAX_SCOPES;
        for (unsigned i = 0; i < s.n_scopes; i++) {
                read_scope(o, i, c->daemon.scopes.items[i], &s, &node_psi, node_has_psi,
                           &s.scopes[i]);
                /* The node scope is /proc/meminfo; the others carry on
                 * without its bound (read_scope), and read_node said why. */
                if (node_r < 0 && s.scopes[i].is_root)
                        s.scopes[i].ok = false;
                any_ok |= s.scopes[i].ok;
        }
        if (!any_ok && s.n_scopes > 0 && node_r >= 0)
                return -ENODATA;

        o->tick++;
        struct walk w = {.o = o, .cfg = c, .s = &s, .now_usec = now_usec};
        for (unsigned i = 0; i < s.n_scopes && w.error == 0; i++) {
                bool dup = false;
                for (unsigned j = 0; j < i; j++)
                        dup |= streq(s.scopes[j].path, s.scopes[i].path);
                if (dup || !s.scopes[i].ok)
                        continue;
                w.scope = i;
                if (walk_children(&w, s.scopes[i].path, path_hash(s.scopes[i].path)) ==
                        -ENAMETOOLONG &&
                    !o->scopes[i].warned_long)
                        log_warning("Scope %s holds groups whose paths are longer than %d bytes: "
                                    "not watched",
                                    s.scopes[i].path, CGROUP_PATH_MAX - 1);
                o->scopes[i].warned_long = true;
        }
        r = w.error < 0 ? w.error : merge_groups(o);
        if (r < 0) {
                /* Keep the table consistent: forget this tick's new groups. */
                for (size_t i = 0; i < o->n_fresh; i++)
                        group_free(o, o->fresh[i]);
                o->n_fresh = 0;
                return r;
        }

        for (size_t i = 0; i < o->n_groups; i++)
                n += o->groups[i]->candidate && o->groups[i]->seen_tick == o->tick;
        r = grow((void **)&ret->candidates, &ret->cap_candidates, n, sizeof *ret->candidates);
        if (r < 0)
                return r;
        s.candidates = ret->candidates;
        s.cap_candidates = ret->cap_candidates;
        for (size_t i = 0; i < o->n_groups; i++) {
                const struct group *g = o->groups[i];
                if (g->candidate && g->seen_tick == o->tick)
                        candidate_copy(&s.candidates[s.n_candidates++], &g->c);
        }
        *ret = s;
        return 0;
}
