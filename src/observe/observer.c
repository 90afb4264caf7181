/* The observer: a cheap, complete snapshot of the node, its scopes and the
 * candidate groups below them.
 *
 * Every group met while walking a scope is remembered in a table sorted by
 * path, with what is costly to find out again: its type (from identity.h,
 * computed once), its open files, its identity and pod names, and the
 * facts about its tasks. The table and the snapshot's candidate array are
 * allocated only when the set of groups changes (and grow, never shrink).
 * What a tick reads of each group, and what that costs, is in
 * doc/internals.md ("What a tick reads").
 *
 * Nothing here reads a recursive statistic of a group with many (possibly
 * dead, "zombie") descendants: the node scope uses /proc/meminfo and
 * /proc/vmstat, never the root group's memory.stat. */
#include "observe/observer-internal.h"

#include <fcntl.h>
#include <string.h>

#include "base/log.h"

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
                groups_drop(o, o->groups[i]);
        for (size_t i = 0; i < o->n_fresh; i++)
                groups_drop(o, o->fresh[i]);
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

void observer_set_always_full(struct observer *o, bool on)
{
        o->always_full = on;
}

int observer_new(const struct fsroot *root, const struct config *c, struct observer **ret)
{
        struct observer *o = calloc(1, sizeof *o);
        int r;

        if (!o)
                return -ENOMEM;
        o->root = root;
        o->fds_budget = fds_budget();
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

int observer_take(struct observer *o, const struct config *c, uint64_t now_usec,
                  struct snapshot *ret)
{
        struct snapshot s = {.time_usec = now_usec, .mode = o->layout.mode};
        struct psi node_psi = {0};
        bool node_has_psi = false, any_ok = false;
        size_t n = 0;
        int r, node_r;

        node_r = node_read(o, &s, &node_psi, &node_has_psi);
        if (node_r < 0)
                s.meminfo = (struct meminfo){0};

        s.n_scopes =
            c->daemon.scopes.n < CONFIG_MAX_SCOPES ? c->daemon.scopes.n : CONFIG_MAX_SCOPES;
        for (unsigned i = 0; i < s.n_scopes; i++) {
                node_read_scope(o, i, c->daemon.scopes.items[i], &s, &node_psi, node_has_psi,
                                &s.scopes[i]);
                /* The node scope is /proc/meminfo; the others carry on
                 * without its bound (node_read_scope), and node_read said why. */
                if (node_r < 0 && s.scopes[i].is_root)
                        s.scopes[i].ok = false;
                any_ok |= s.scopes[i].ok;
        }
        if (!any_ok && s.n_scopes > 0 && node_r >= 0)
                return -ENODATA;

        o->tick++;
        r = walk_scopes(o, c, &s, now_usec);
        if (r >= 0)
                r = groups_merge(o);
        if (r < 0) {
                /* Keep the table consistent: forget this tick's new groups. */
                for (size_t i = 0; i < o->n_fresh; i++)
                        groups_drop(o, o->fresh[i]);
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
