/* A candidate's signals over the last interval: rates per second and its
 * own stall, from two snapshots; and the memory measures the score and the
 * rules weigh. Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "observe/readings.h"
#include "observe/snapshot.h"

/* A candidate's counters over the last interval. */
struct signals {
        bool has_rates; /* prev has the group with the same cgroup_id, dt > 0 */
        bool has_psi;   /* and both samples hold the group's own PSI */
        double refault_per_s, scan_per_s, events_per_s, growth_bytes_per_s;
        double some_pct, full_pct;
};

/* Rates and stall shares of cand from prev (one interval earlier, NULL on
 * the first tick) to cur; all 0 without a matching earlier sample. */
void signals_compute(const struct snapshot *prev, const struct snapshot *cur,
                     const struct candidate *cand, struct signals *ret);

/* anon + shmem + unevictable, of a group or a scope. */
uint64_t signals_unreclaimable_stat_bytes(const struct memstat *m);
uint64_t signals_unreclaimable_bytes(const struct candidate *cand);

/* The size shares are taken of: the scope's limit (MemTotal for "/"), its
 * usage when it has no limit, never 0. */
uint64_t signals_scope_size_bytes(const struct scope_sample *s);
