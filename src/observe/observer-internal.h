/* Inside the observer (observer.h), shared by its files: the group table
 * (observer-groups.c), a group's visit (observer-visit.c) within its file
 * descriptor budget (observer-fds.c), the walk of the scopes
 * (observer-walk.c), the node's and the scopes' files (observer-node.c),
 * and the snapshot taken from them all (observer.c). Not for use outside
 * observe/. doc/internals.md says what a tick costs. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/util.h"
#include "config/config.h"
#include "observe/cgroup.h"
#include "observe/fsroot.h"
#include "observe/observer.h"
#include "observe/snapshot.h"

/* Counters of a quiet group are read at least this often, and so are task
 * facts (oom_score_adj, comms; otherwise read when cgroup.procs changes): a
 * process may change its own oom_score_adj without its group's membership
 * changing. Each group refreshes a little earlier, by up to a half of the
 * period, at an offset of its own, so that groups found together do not
 * all refresh on the same tick. */
#define FULL_REFRESH_USEC (10 * USEC_PER_SEC)

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
        uint64_t groups_path_hash;
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
        /* PSI is hierarchical: a stall anywhere below a scope adds to the
         * scope's own `some`. While that total stands still from one tick
         * to the next, no group below it stalled in between, and the
         * groups' memory.pressure (the costliest file a quiet group has)
         * is not read: their last reading still holds. */
        bool some_seen;     /* some_usec holds the last reading of this path */
        bool some_root;     /* ... of /proc/pressure/memory (the scope "/") */
        uint64_t some_usec; /* the scope's `some` total at the last tick */
        bool still;         /* it has not moved since the tick before */
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
        size_t fds_kept, fds_budget;
        bool warned_budget;
        bool always_full; /* observer_set_always_full */
};

static inline uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
        const unsigned char *b = p;
        for (size_t i = 0; i < n; i++) {
                h ^= b[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

static inline int grow(void **array, size_t *cap, size_t need, size_t elem)
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

static inline bool group_gone(int r)
{
        return r == -ENOENT || r == -ENODEV;
}

/* The group table: every group met, sorted by path and hashed by it. */
uint64_t groups_path_hash(const char *path);
/* The known group of path (whose hash is h), or NULL. */
struct group *groups_lookup(struct observer *o, const char *path, uint64_t h);
/* A group met for the first time in this tick (kept apart until
 * groups_merge); NULL when out of memory. */
struct group *groups_add(struct observer *o, const char *path, uint64_t hash);
/* Frees g (NULL is fine) and its files; returns NULL. */
struct group *groups_drop(struct observer *o, struct group *g);
/* Drops the groups not met in this tick, adds the new ones and sorts:
 * the only step that allocates, and only when the set changed. */
int groups_merge(struct observer *o);

/* Reads g (a candidate below scope `scope`, met in the walk as child) as
 * this tick needs, and keeps or closes its files within the budget. */
void visit_group(struct observer *o, const struct config *cfg, struct group *g,
                 const struct cgroup_child *child, unsigned scope, uint64_t now_usec);

/* Descriptors left to the rest of the daemon: the journal, the loop, PSI
 * triggers, the scopes' files, and the act layer's walk and pidfds (which
 * work with fewer, killing through cgroup.kill). */
#define FD_RESERVE 48
/* Takes the hard RLIMIT_NOFILE (the loop is epoll only) and returns how
 * many descriptors the groups' kept files may use. */
size_t fds_budget(void);
/* Keeps g's files open if the budget allows, making room from the
 * quietest kept groups when g moved on this tick; else closes them, to be
 * opened afresh on its next visit. */
void fds_settle(struct observer *o, struct group *g, uint64_t now_usec);

/* Walks every readable scope of s, visiting its groups. Returns 0, or
 * -ENOMEM. */
int walk_scopes(struct observer *o, const struct config *cfg, const struct snapshot *s,
                uint64_t now_usec);

/* /proc/meminfo, /proc/vmstat and the node's PSI into s and ret_psi. */
int node_read(struct observer *o, struct snapshot *s, struct psi *ret_psi, bool *ret_has_psi);
/* Scope i (configured as path) into ret; the node's figures bound it. */
void node_read_scope(struct observer *o, unsigned i, const char *path, const struct snapshot *s,
                     const struct psi *node_psi, bool node_has_psi, struct scope_sample *ret);
