/* The walk: from each scope down to its candidates, the first groups
 * that do more than organise others. */
#include "observe/observer-internal.h"

#include <string.h>

#include "base/log.h"

/* Organising groups (slices, kubepods, pod dirs) nested deeper than this
 * below a scope are each taken as one candidate with all below them. Only
 * a user's manager lets anyone but the node's owner create them. */
#define WALK_DEPTH_MAX 32

/* An empty plain group is looked at again after this long. */
#define EMPTY_PROBE_USEC (2 * USEC_PER_SEC)

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

/* hash: groups_path_hash(path). Returns what listing the children gave
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
        if (r < 0 && !group_gone(r) && r != -ENOMEM && r != -ENAMETOOLONG)
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
        visit_group(o, w->cfg, g, child, w->scope, w->now_usec);
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
        g = groups_lookup(o, path, h);
        if (!g || g->gone) {
                if (g) /* dropped at the end of this tick; met again next tick */
                        return 0;
                g = groups_add(o, path, h);
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
        if (walk_children(w, path, g->groups_path_hash) == -ENAMETOOLONG) {
                log_warning("cgroup %s holds groups whose paths are longer than %d bytes: "
                            "watched as one group with all below it",
                            path, CGROUP_PATH_MAX - 1);
                g->type = GROUP_PLAIN;
        }
        return w->error;
}

int walk_scopes(struct observer *o, const struct config *cfg, const struct snapshot *s,
                uint64_t now_usec)
{
        struct walk w = {.o = o, .cfg = cfg, .s = s, .now_usec = now_usec};
        for (unsigned i = 0; i < s->n_scopes && w.error == 0; i++) {
                bool dup = false;
                for (unsigned j = 0; j < i; j++)
                        dup |= streq(s->scopes[j].path, s->scopes[i].path);
                if (dup || !s->scopes[i].ok)
                        continue;
                w.scope = i;
                if (walk_children(&w, s->scopes[i].path, groups_path_hash(s->scopes[i].path)) ==
                        -ENAMETOOLONG &&
                    !o->scopes[i].warned_long)
                        log_warning("Scope %s holds groups whose paths are longer than %d bytes: "
                                    "not watched",
                                    s->scopes[i].path, CGROUP_PATH_MAX - 1);
                o->scopes[i].warned_long = true;
        }
        return w.error;
}
