/* The observer's group table: a sorted array and an open-addressing hash
 * index by path, so that a tick looks each group up without a binary
 * search of long paths with long common prefixes. */
#include "observe/observer-internal.h"

#include <string.h>

#include "observe/identity.h"

static int group_cmp(const void *a, const void *b)
{
        const struct group *const *x = a, *const *y = b;
        return strcmp((*x)->c.path, (*y)->c.path);
}

struct group *groups_drop(struct observer *o, struct group *g)
{
        if (g) {
                o->fds_kept -= g->kept_fds;
                cgroup_files_close(&g->f);
                free(g);
        }
        return NULL;
}

uint64_t groups_path_hash(const char *path)
{
        return fnv1a(FNV_OFFSET, path, strlen(path));
}

/* Every tick looks up each group met by path (whose hash is h): a hash, not
 * a binary search of long paths with long common prefixes. */
struct group *groups_lookup(struct observer *o, const char *path, uint64_t h)
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
                size_t i = g->groups_path_hash & (o->index_size - 1);
                while (o->index[i].g)
                        i = (i + 1) & (o->index_size - 1);
                o->index[i] = (struct index_slot){g->groups_path_hash, g};
        }
}

struct group *groups_add(struct observer *o, const char *path, uint64_t hash)
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
        g->c.comm_protects = identity_is_system_service(path, &id);
        g->groups_path_hash = hash;
        g->refresh_usec = FULL_REFRESH_USEC - g->groups_path_hash % (FULL_REFRESH_USEC / 2);
        g->c.id = id;
        o->fresh[o->n_fresh++] = g;
        return g;
}

int groups_merge(struct observer *o)
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
                        groups_drop(o, g);
                else
                        o->groups[kept++] = g;
        }
        for (size_t i = 0; i < o->n_fresh; i++) {
                struct group *g = o->fresh[i];
                if (g->gone)
                        groups_drop(o, g);
                else
                        o->groups[kept++] = g;
        }
        o->n_fresh = 0;
        o->n_groups = kept;
        qsort(o->groups, o->n_groups, sizeof *o->groups, group_cmp);
        index_rebuild(o);
        return 0;
}
