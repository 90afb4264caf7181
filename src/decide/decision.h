/* The decide layer's product: a decision with its reasons, and the
 * ranking it was made from. Plain data, for the act layer, the alert and
 * status. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe/identity.h"
#include "observe/readings.h"

enum protect_reason {
        PROTECT_NONE,
        PROTECT_SCOPE_ROOT, /* never happens for candidates; kept for completeness */
        PROTECT_PATTERN,    /* matches [protect] cgroups */
        PROTECT_COMM,       /* a system service holding a process named in [protect] comms */
        PROTECT_OOM_NEVER,  /* holds a process with oom_score_adj -1000 */
        PROTECT_SANDBOX,    /* a pod sandbox (the runtime's, by layout): part of its pod */
};

enum rule {
        RULE_NONE,
        RULE_SHORTAGE,     /* a scope is short of memory */
        RULE_LOCAL_THRASH, /* one group livelocked at its own limit */
};

/* One candidate's place in the ranking. Rates are over the last interval
 * (prev to cur, same path and cgroup_id); 0 when there is no such pair. */
struct ranked {
        size_t index;  /* into snapshot.candidates */
        unsigned rank; /* 1 = acted on first */
        double score;
        double contribution;          /* the part of score from the pressure (0..100) */
        double activity;              /* of which reclaim, scan and growth */
        double qos_term;              /* the QoS class's part of score */
        double oom_adj_term;          /* oom_score_adj's part */
        double preference_term;       /* [rank] prefer / avoid */
        double refault_per_s;         /* refaults + major faults, pages/s */
        double full_pct;              /* the group's own full stall over the last interval */
        double growth_bytes_per_s;    /* of anon + shmem + unevictable; may be < 0 */
        double scan_per_s;            /* pgscan, pages/s */
        double events_per_s;          /* memory.events high + max (v1: failcnt) */
        uint64_t unreclaimable_bytes; /* anon + shmem + unevictable */
        bool has_rates;               /* false: first sample or group recreated */
        enum protect_reason protect;
        bool last_resort; /* Guaranteed, or oom_score_adj -999..-997 */
        char why[192];    /* one line a person can read */
};

enum decision_kind {
        DECISION_NONE,
        DECISION_KILL,
        DECISION_FREEZE,
        DECISION_THAW,
        DECISION_ALL_PROTECTED, /* a rule holds, but nothing may be touched */
        DECISION_RECOVERED,     /* pressure back to normal after an action */
};

struct decision {
        enum decision_kind kind;
        enum rule rule;
        unsigned scope;
        char cgroup[CGROUP_PATH_MAX]; /* "" for a shortage ALL_PROTECTED and RECOVERED */
        uint64_t cgroup_id;
        struct identity id;
        bool comm_protects;        /* a system service: [protect] comms apply */
        double some_pct, full_pct; /* the scope's (or, for local thrash, the group's) */
        uint64_t headroom_bytes;   /* the scope's (local thrash: the group's limit - usage) */
        double score;
        /* KILL and FREEZE: when the rule began to hold (the stall's start
         * for a shortage), for the time from pressure to the group empty;
         * 0 when unknown. */
        uint64_t pressure_since_usec;
        char reason[512]; /* one line: what, why, to whom */
};

const char *rule_to_string(enum rule r);                   /* "shortage", "local-thrash" */
const char *decision_kind_to_string(enum decision_kind k); /* "kill", "freeze", ... */
const char *protect_reason_to_string(enum protect_reason p);
