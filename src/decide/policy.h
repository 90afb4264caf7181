/* The decide layer: pure. Snapshots and the time come in as arguments; a
 * ranking and a decision with its reasons come out. No I/O, no clock, no
 * logging above debug. The rules, the scoring formula and the policy are
 * stated in thrashguard(8) (RULES, Victim ranking); the ranking a decision
 * comes from is rank.h's. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "decide/decision.h"
#include "decide/window.h"
#include "observe/snapshot.h"

/* Everything the policy remembers between ticks. Plain data, owned by the
 * daemon's context; policy_state_init() gives the initial state. */
struct policy_scope_state {
        char path[CGROUP_PATH_MAX]; /* the scope this state belongs to */
        struct policy_window psi;
        bool has_signal;              /* a window was measured (not on the first tick) */
        double some_pct, full_pct;    /* stall share over the last window */
        uint64_t span_usec;           /* the span those shares were measured over */
        uint64_t lead_span_usec;      /* back to a duration ago, or the oldest sample */
        uint64_t full_lead_usec;      /* `full` stall over that span (shortage_start) */
        uint64_t unreadable_at_usec;  /* the last tick that could not read the scope */
        uint64_t headroom_bytes;      /* what the shortage rule weighs (shortage_headroom) */
        uint64_t shortage_since_usec; /* 0: rule not holding */
        uint64_t cooldown_until_usec;
        uint64_t all_protected_until_usec; /* ALL_PROTECTED is rate-limited */
        uint64_t acted_at_usec;            /* 0: no action to report recovery for */
        enum decision_kind acted_kind;
        char acted_cgroup[CGROUP_PATH_MAX];
        uint64_t failed_cgroup_id; /* the incident's victim could not be acted on */
        bool frozen_pending;       /* freeze-kill: victim frozen, grace running */
        uint64_t frozen_at_usec;
        char frozen_cgroup[CGROUP_PATH_MAX];
        uint64_t frozen_cgroup_id;
        enum rule frozen_rule;
        uint64_t frozen_pressure_since_usec; /* the freeze's pressure_since_usec */
};

/* A group whose local-thrash condition holds (allocated when it first
 * holds over one interval, released when it stops holding). */
struct policy_thrash_state {
        bool used;
        char cgroup[CGROUP_PATH_MAX];
        uint64_t cgroup_id;
        unsigned scope;
        uint64_t since_usec;
        struct policy_window win;                 /* the group's some, full, refaults+majfaults */
        double some_pct, full_pct, refault_per_s; /* over the last thrash window */
        bool seen;                                /* scratch, during one tick */
};

#define POLICY_MAX_THRASHING 32

struct policy_state {
        uint64_t now_usec;      /* the last tick */
        bool warming;           /* see policy_is_warming() */
        uint64_t next_due_usec; /* see policy_next_due_usec() */
        struct policy_scope_state scopes[CONFIG_MAX_SCOPES];
        struct policy_thrash_state thrashing[POLICY_MAX_THRASHING];
};

void policy_state_init(struct policy_state *st);

/* Advances the rules by one tick at now_usec and decides. Returns the
 * decision in ret (kind NONE when there is nothing to do); at most one per
 * call: another scope's decision comes on the next tick. Rates come from
 * prev (NULL on the first tick). */
void policy_decide(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                   const struct snapshot *cur, uint64_t now_usec, struct decision *ret);

/* Tells the policy how the act layer fared with a KILL, FREEZE or THAW
 * decision (other kinds are ignored): success, or -ENOENT/-ESRCH (the
 * victim was already gone), starts the cooldown; so do a KILL that failed
 * or timed out after killing tasks_killed > 0 tasks, and a FREEZE that
 * timed out (-ETIMEDOUT: the request stays, freeze-kill's grace runs). Any
 * other failure starts the cooldown too and makes the victim the only one
 * the scope may act on until it recovers (or the victim is gone): a
 * failure never hands the kill to a neighbour in the same incident. */
void policy_record_outcome(const struct config *c, struct policy_state *st,
                           const struct decision *d, int result, unsigned tasks_killed,
                           uint64_t now_usec);

/* A restarted daemon takes over a group that the daemon before it froze
 * (its state file): the scope's state becomes what it was right after that
 * FREEZE at frozen_at_usec (the program's clock; the caller converts the
 * recorded time): the action and its cooldown count from then, and with
 * pending (mode freeze-kill) the grace runs from then too, ending in a KILL
 * if the rule holds on the samples of that moment, else a THAW (as
 * decide does for a freeze it made itself). scope_path names the scope at
 * index scope (so that the first tick keeps this state). Returns 0, -EINVAL
 * for a scope out of range, -EBUSY when pending and the scope already has
 * a group frozen pending a kill (the caller thaws this one). */
int policy_restore_frozen(const struct config *c, struct policy_state *st, unsigned scope,
                          const char *scope_path, const char *cgroup, uint64_t cgroup_id,
                          enum rule rule, uint64_t frozen_at_usec, bool pending);

/* Hands out the groups frozen pending a kill (freeze-kill's grace) that the
 * policy is to let go of, when the daemon that would kill them stops or
 * forgets them (reload): one THAW decision per scope that holds one,
 * written to ret[cap], and the policy waits for them no more. Returns the
 * number written. */
size_t policy_release_frozen(struct policy_state *st, struct decision *ret, size_t cap);

/* True when the policy holds the group cgroup_id frozen pending a kill. */
bool policy_holds_frozen(const struct policy_state *st, uint64_t cgroup_id);

/* True while some rule holds but has not reached its duration, a freeze
 * grace is running or a cooldown is active (as of the last tick): the
 * daemon then samples at [daemon] interval instead of idle_interval. */
bool policy_is_warming(const struct policy_state *st);

/* When a rule that holds (shortage, local thrash) reaches its duration, or
 * a freeze's grace ends (the earliest of them, as of the last tick; a
 * cooldown postpones a scope's), so that the daemon ticks then instead of
 * up to an interval later; 0 when nothing is due. */
uint64_t policy_next_due_usec(const struct policy_state *st);
