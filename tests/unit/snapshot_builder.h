/* Building snapshots by hand in unit tests: no I/O, a caller-owned
 * candidate array, defaults that describe a healthy, unlimited group. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "observe/snapshot.h"
#include "base/util.h"

#define MIB ((uint64_t)1024 * 1024)

/* Starts an empty snapshot at time_usec over cands[cap]. */
static inline void sb_init(struct snapshot *s, struct candidate *cands, size_t cap,
                           uint64_t time_usec)
{
        memset(s, 0, sizeof(*s));
        s->time_usec = time_usec;
        s->mode = CGROUP_MODE_HYBRID;
        s->candidates = cands;
        s->cap_candidates = cap;
}

/* Adds a scope; headroom is limit - usage. */
static inline struct scope_sample *sb_scope(struct snapshot *s, const char *path,
                                            uint64_t limit_bytes, uint64_t usage_bytes)
{
        struct scope_sample *sc = &s->scopes[s->n_scopes++];

        memset(sc, 0, sizeof(*sc));
        strcpy_bounded(sc->path, sizeof(sc->path), path);
        sc->is_root = streq(path, "/");
        sc->ok = true;
        sc->has_psi = true;
        sc->psi.has_full = true;
        sc->limit_bytes = limit_bytes;
        sc->usage_bytes = usage_bytes;
        sc->headroom_bytes = counter_delta(limit_bytes, usage_bytes);
        return sc;
}

/* Adds a candidate: a plain group with one task, no limit, with PSI. */
static inline struct candidate *sb_add(struct snapshot *s, const char *path, unsigned scope,
                                       uint64_t cgroup_id)
{
        struct candidate *c;

        if (s->n_candidates >= s->cap_candidates)
                abort();
        c = &s->candidates[s->n_candidates++];
        memset(c, 0, sizeof(*c));
        strcpy_bounded(c->path, sizeof(c->path), path);
        c->scope = scope;
        c->cgroup_id = cgroup_id;
        c->id.kind = IDENTITY_GROUP;
        c->id.qos = QOS_NONE;
        c->s.limit_bytes = BYTES_UNLIMITED;
        c->s.high_bytes = BYTES_UNLIMITED;
        c->s.has_psi = true;
        c->s.psi.has_full = true;
        c->s.populated = true;
        c->nr_tasks = 1;
        c->n_comms = 1;
        strcpy_bounded(c->comms[0], sizeof(c->comms[0]), "app");
        return c;
}

/* Sets usage from the memory.stat sizes. */
static inline void sb_set_memory(struct candidate *c, uint64_t anon, uint64_t file, uint64_t shmem)
{
        c->s.stat.anon_bytes = anon;
        c->s.stat.file_bytes = file;
        c->s.stat.shmem_bytes = shmem;
        c->s.usage_bytes = anon + file;
}

static inline int sb_cmp_path(const void *a, const void *b)
{
        return strcmp(((const struct candidate *)a)->path, ((const struct candidate *)b)->path);
}

/* Snapshots hold their candidates sorted by path: call after the adds. */
static inline void sb_sort(struct snapshot *s)
{
        qsort(s->candidates, s->n_candidates, sizeof(s->candidates[0]), sb_cmp_path);
}
