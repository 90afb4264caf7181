/* Prometheus metrics in the node_exporter textfile-collector format: the
 * daemon's decisions and actions counted by scope, rule and kind, the last
 * action (with its pod identity and the time from pressure to the group
 * empty), each scope's stall, headroom and rule state, the candidates
 * watched, the snapshot cost, and whether the daemon is up and in dry-run.
 *
 * The counts live here, in the daemon's context, and survive reloads (a
 * scope's counts are keyed by its path, not its index); they start from
 * zero with the process, as Prometheus expects of counters
 * (thrashguard_start_time_seconds tells a restart). The file is written
 * whole, once per tick after the tick's action, into [alert] metrics_dir.
 * The metric names are a documented interface (thrashguard(8), METRICS). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "act/alert.h"
#include "config/config.h"
#include "decide/policy.h"
#include "observe/snapshot.h"

#define METRICS_FILE_NAME "thrashguard.prom" /* node_exporter reads *.prom */

/* Label sets of the decision counters that are kept; more (after many
 * reloads with other scopes) are not counted, and said so once. */
#define METRICS_MAX_COUNTERS 256
#define METRICS_BUF_SIZE     (256 * 1024)

/* Decisions of one scope, rule, kind and outcome. */
struct metrics_counter {
        char scope[CGROUP_PATH_MAX];
        enum rule rule;
        enum decision_kind kind;
        enum alert_event event;
        uint64_t count;
};

/* The last KILL or FREEZE that was carried out. */
struct metrics_last_action {
        bool set;
        char scope[CGROUP_PATH_MAX];
        enum rule rule;
        enum decision_kind kind;
        enum alert_event event;
        char cgroup[CGROUP_PATH_MAX];
        struct identity id;
        double realtime_sec;            /* when it was done, seconds since the epoch */
        uint64_t pressure_to_done_usec; /* from the rule's start to empty (frozen) */
        bool has_pressure_to_done;
        uint64_t time_to_done_usec; /* from the first signal (the freeze) on */
        uint64_t freed_bytes;
};

/* What one tick shows, from the daemon's data; snap and policy NULL when
 * no snapshot was taken yet. */
struct metrics_view {
        const struct config *config;
        const struct snapshot *snap;
        const struct policy_state *policy;
        uint64_t now_usec;
        bool up; /* false for the last file, written when the daemon stops */
};

struct metrics {
        double start_time_sec; /* seconds since the epoch */
        uint64_t snapshots, snapshot_usec_total, last_snapshot_usec;
        size_t n_counters;
        bool counters_full;
        struct metrics_counter counters[METRICS_MAX_COUNTERS];
        struct metrics_last_action last;

        /* The file (metrics-file.c). */
        int dir_fd; /* -EBADF while not open */
        char dir[CONFIG_PATTERN_MAX];
        bool warned; /* one warning until it works again */
        char buf[METRICS_BUF_SIZE];
};

void metrics_init(struct metrics *m, double start_time_sec);
void metrics_done(struct metrics *m);

/* Counts one snapshot that took cost_usec. */
void metrics_count_snapshot(struct metrics *m, uint64_t cost_usec);

/* Counts the decision event a (its decision, outcome and result); a KILL
 * or FREEZE carried out becomes the last action. decided_usec is when the
 * decision was made (CLOCK_MONOTONIC), realtime_sec the wall clock now. */
void metrics_count_event(struct metrics *m, const struct alert *a, uint64_t decided_usec,
                         double realtime_sec);

/* Formats the whole file into buf[size]. Pure. Returns its length, or
 * -ENOBUFS when it does not fit. */
int metrics_format(const struct metrics *m, const struct metrics_view *v, char *buf, size_t size);

/* Formats and writes the file into the view's [alert] metrics_dir (if
 * any), replacing it atomically. A directory that cannot be opened or
 * written gives one warning until it works again; never fails the caller.
 * Returns 0 when written, 1 when off, < 0 on failure. */
int metrics_publish(struct metrics *m, const struct metrics_view *v);
