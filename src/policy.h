/* The decide layer: pure. Snapshots and the time come in as arguments; a
 * ranking and a decision with its reasons come out. No I/O, no clock, no
 * logging above debug. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "snapshot.h"

enum rule {
        RULE_NONE,
        RULE_SHORTAGE,     /* a scope is short of memory */
        RULE_LOCAL_THRASH, /* one group livelocked at its own limit */
};

/* One candidate's place in the ranking. */
struct ranked {
        size_t index;                  /* into snapshot.candidates */
        unsigned rank;                 /* 1 = acted on first */
        double score;
        double refault_per_s;          /* refaults + major faults, pages/s */
        double full_pct;               /* the group's own full stall over the last interval */
        double growth_bytes_per_s;
        enum protect_reason protect;
        bool last_resort;              /* Guaranteed, or oom_score_adj -999..-997 */
        char why[192];                 /* one line a person can read */
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
        char cgroup[CGROUP_PATH_MAX];
        uint64_t cgroup_id;
        struct identity id;
        double some_pct, full_pct;     /* the scope's (or, for local thrash, the group's) */
        uint64_t headroom_bytes;
        double score;
        char reason[256];              /* one line: what, why, to whom */
};

#define POLICY_MAX_FAILED 16

/* Everything the policy remembers between ticks. Plain data, owned by the
 * daemon's context; policy_state_init() gives the initial state. */
struct policy_scope_state {
        uint64_t shortage_since_usec;  /* 0: rule not holding */
        uint64_t cooldown_until_usec;
        uint64_t acted_at_usec;        /* 0: no action to report recovery for */
        uint64_t window_start_usec;    /* start of the PSI window in progress */
        uint64_t window_some_usec, window_full_usec; /* PSI totals at window start */
        double some_pct, full_pct;     /* stall share over the last full window */
        bool frozen_pending;           /* freeze-kill: victim frozen, grace running */
        uint64_t frozen_at_usec;
        char frozen_cgroup[CGROUP_PATH_MAX];
        uint64_t frozen_cgroup_id;
        enum rule frozen_rule;
};

struct policy_thrash_state {
        char cgroup[CGROUP_PATH_MAX];
        uint64_t cgroup_id;
        uint64_t since_usec;
};

#define POLICY_MAX_THRASHING 32

struct policy_state {
        struct policy_scope_state scopes[CONFIG_MAX_SCOPES];
        unsigned n_thrashing;
        struct policy_thrash_state thrashing[POLICY_MAX_THRASHING];
        unsigned n_failed;
        struct {
                uint64_t cgroup_id;
                uint64_t until_usec;
        } failed[POLICY_MAX_FAILED];
};

void policy_state_init(struct policy_state *st);

/* Ranks the candidates of scope `scope` of cur (prev, one interval
 * earlier, gives the rates; NULL on the first tick: rates are 0). Writes at
 * most cap entries to ret, sorted by rank; returns the number of entries.
 * Protected candidates come last. Deterministic for equal inputs. */
size_t policy_rank(const struct config *c, const struct snapshot *prev, const struct snapshot *cur,
                   unsigned scope, struct ranked *ret, size_t cap);

/* Advances the rules by one tick at now_usec and decides. Returns the
 * decision in ret (kind NONE when there is nothing to do). Rates come from
 * prev (NULL on the first tick). */
void policy_decide(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                   const struct snapshot *cur, uint64_t now_usec, struct decision *ret);

/* Tells the policy how the act layer fared: success starts the cooldown;
 * failure (other than "already gone") keeps the victim out of the ranking
 * for a while so that a failing kill is not retried in a loop. */
void policy_record_outcome(const struct config *c, struct policy_state *st,
                           const struct decision *d, int result, uint64_t now_usec);

/* True while some rule is warming up or an escalation is pending: the
 * daemon then samples at [daemon] interval instead of idle_interval. */
bool policy_is_warming(const struct policy_state *st);

const char *rule_to_string(enum rule r);                  /* "shortage", "local-thrash" */
const char *decision_kind_to_string(enum decision_kind k); /* "kill", "freeze", ... */
const char *protect_reason_to_string(enum protect_reason p);
