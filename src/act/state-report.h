/* The state as one JSON object, schema 1 (thrashguard(8), STATE FILE):
 * per scope the stall and headroom measured, each rule's state, the last
 * decisions with their reasons, the groups held frozen, the ranking. The
 * one writer behind the daemon's state file and `status --json`, so that
 * the two never drift. Allocates nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "act/freeze-record.h"
#include "base/json-out.h"
#include "config/config.h"
#include "decide/decision.h"
#include "decide/policy.h"
#include "observe/cgroup.h"
#include "observe/snapshot.h"

#define STATE_REPORT_SCHEMA 1
/* The daemon's state file, in its runtime directory. */
#define STATE_REPORT_FILE "state.json"
/* The decisions a state lists, the newest last. */
#define STATE_REPORT_MAX_DECISIONS 8
/* Candidates listed per scope by the daemon. */
#define STATE_REPORT_TOP 32

/* One decision the daemon made, as the state lists it. */
struct state_decision {
        uint64_t realtime_usec;
        enum decision_kind kind;
        enum rule rule;
        char scope[CGROUP_PATH_MAX];
        char cgroup[CGROUP_PATH_MAX]; /* "" when it names no group */
        double score;
        bool acted;   /* KILL, FREEZE or THAW: the act layer ran */
        bool dry_run; /* ... and touched nothing */
        int result;   /* its return value: 0 or negative errno */
        char reason[512];
};

/* A scope's ranked candidates, by rank. */
struct state_ranking {
        const struct ranked *r;
        size_t n;
};

struct state_report {
        uint64_t now_usec;            /* CLOCK_MONOTONIC of cur */
        int64_t realtime_offset_usec; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
        pid_t daemon_pid;             /* 0: sampled by `status`, no daemon */
        const struct config *config;
        const struct cgroup_layout *layout;
        const struct snapshot *prev; /* NULL: no stall shares yet */
        const struct snapshot *cur;
        const struct state_ranking *rankings;   /* [cur->n_scopes] */
        const struct policy_state *policy;      /* NULL: the rules' state is not known */
        const struct state_decision *decisions; /* oldest first */
        size_t n_decisions;
        const struct freeze_records *frozen;
        bool frozen_unreadable;
};

/* Writes the state into o. Returns the offset in o->buf where the part
 * after the time member begins: two states with the same text from there
 * on say the same thing. o->overflow when the buffer was too small. */
size_t state_report_write(const struct state_report *s, struct text_buf *o);

/* Records d (with the act layer's result r and whether it was a dry-run)
 * as the newest of ring[cap], oldest first, *n the number held. */
void state_decision_push(struct state_decision *ring, size_t cap, size_t *n,
                         const struct decision *d, const char *scope, uint64_t realtime_usec, int r,
                         bool dry_run);
