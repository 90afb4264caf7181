/* The observe layer's product: a snapshot of the node, its scopes and every
 * candidate group, in plain structs. The observer (observer.h) takes it;
 * the decide layer reads it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "observe/identity.h"
#include "observe/readings.h"

#define SNAPSHOT_MAX_COMMS 4

struct scope_sample {
        char path[CGROUP_PATH_MAX];
        bool is_root; /* "/": node-wide PSI and MemAvailable */
        bool ok;      /* false when the scope could not be read this tick */
        struct psi psi;
        bool has_psi;
        uint64_t usage_bytes;
        uint64_t limit_bytes;    /* MemTotal for "/" */
        uint64_t headroom_bytes; /* MemAvailable for "/", limit - usage otherwise */
        struct memstat stat;     /* reclaim counters, the fallback signal in v1 */
};

struct candidate {
        char path[CGROUP_PATH_MAX]; /* relative to the cgroup root, starts with '/' */
        unsigned scope;             /* index into snapshot.scopes */
        uint64_t cgroup_id;         /* changes when the group is recreated */
        struct identity id;
        struct cgroup_sample s;
        uint64_t stat_usec; /* when s.stat and s.events were read: usage and PSI
                             * are read every tick, the rest only when the
                             * group shows activity (and every few seconds) */
        unsigned nr_tasks;
        int oom_score_adj_min, oom_score_adj_max;
        unsigned n_comms; /* distinct comms, at most SNAPSHOT_MAX_COMMS */
        char comms[SNAPSHOT_MAX_COMMS][16];
        bool has_never_kill_task; /* a task at oom_score_adj -1000 */
        bool comm_protects;       /* a system service: [protect] comms apply to it */
};

struct snapshot {
        uint64_t time_usec; /* CLOCK_MONOTONIC when it was taken */
        enum cgroup_mode mode;
        struct meminfo meminfo; /* all zero when /proc/meminfo could not be read */
        struct vmstat vmstat;
        unsigned n_scopes;
        struct scope_sample scopes[CONFIG_MAX_SCOPES];
        size_t n_candidates;
        size_t cap_candidates;
        struct candidate *candidates; /* sorted by path (strcmp) */
};

void snapshot_init(struct snapshot *s);
void snapshot_free(struct snapshot *s);

/* Finds a candidate by path (binary search); NULL if absent. */
const struct candidate *snapshot_find(const struct snapshot *s, const char *path);
