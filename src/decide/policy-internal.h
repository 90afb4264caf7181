/* Inside the decide layer's policy (policy.h), shared by its files: the
 * state machine (policy.c), the shortage rule (rule-shortage.c), the local
 * thrash rule (rule-thrash.c) and the reason texts (reason.c). The rules
 * themselves are stated in thrashguard(8), RULES. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "config/config.h"
#include "decide/decision.h"
#include "decide/policy.h"
#include "decide/rank.h"
#include "decide/signals.h"
#include "observe/snapshot.h"

static inline double usec_to_s(uint64_t usec)
{
        return (double)usec / (double)USEC_PER_SEC;
}

static inline const struct candidate *find_group(const struct snapshot *s, const char *path,
                                                 uint64_t id)
{
        const struct candidate *cand = s ? snapshot_find(s, path) : NULL;
        return cand && cand->cgroup_id == id ? cand : NULL;
}

/* min(memory.max, memory.high); BYTES_UNLIMITED when neither is set. */
static inline uint64_t group_limit(const struct candidate *cand)
{
        uint64_t lim = cand->s.limit_bytes;

        if (cand->s.high_bytes > 0 && cand->s.high_bytes < lim)
                lim = cand->s.high_bytes;
        return lim == 0 ? BYTES_UNLIMITED : lim;
}

/* The shortage rule (rule-shortage.c). */
uint64_t shortage_min_headroom_bytes(const struct config *c, const struct scope_sample *s);
uint64_t shortage_start(const struct policy_scope_state *sc, uint64_t now_usec);
bool shortage_holds(const struct config *c, const struct policy_scope_state *sc,
                    const struct scope_sample *s);
uint64_t shortage_headroom(const struct config *c, const struct policy_scope_state *sc,
                           const struct snapshot *prev, const struct snapshot *cur, unsigned scope);
void shortage_update_scope(const struct config *c, struct policy_scope_state *sc,
                           const struct snapshot *prev, const struct snapshot *cur, unsigned idx);
bool shortage_decide(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                     const struct snapshot *cur, unsigned scope, uint64_t now_usec,
                     struct decision *d);

/* The local thrash rule (rule-thrash.c). */
bool thrash_at_limit(const struct config *c, const struct candidate *cand,
                     const struct signals *sig);
void thrash_update(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                   const struct snapshot *cur, unsigned n_scopes, uint64_t now_usec);
bool thrash_in_scope(const struct policy_state *st, unsigned scope);
void thrash_forget(struct policy_state *st, const char *path);
bool thrash_decide(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                   const struct snapshot *cur, unsigned scope, uint64_t now_usec,
                   struct decision *d);

/* Fills d's kind, rule, scope and group from cand (decision.c). */
void decision_set_group(struct decision *d, enum decision_kind kind, enum rule rule, unsigned scope,
                        const struct candidate *cand);

/* Shared by both rules (policy.c). */
void policy_act_on(const struct config *c, struct policy_state *st, unsigned scope,
                   const struct candidate *cand, double score, enum rule rule, uint64_t now_usec,
                   struct decision *d);
bool policy_all_protected(const struct config *c, struct policy_scope_state *sc, uint64_t now_usec);
/* Why cand may not be touched now, or NULL when it may. */
const char *policy_untouchable(const struct config *c, const struct policy_state *st,
                               const struct snapshot *cur, const struct candidate *cand,
                               bool freezing, const char **ret_comm);

/* Reason texts (reason.c). */
void reason_scope_figures(const struct config *c, const struct policy_scope_state *sc,
                          const struct scope_sample *s, char *buf, size_t size);
void reason_thrash_figures(const struct config *c, const struct policy_thrash_state *t,
                           const struct candidate *cand, uint64_t now_usec, char *buf, size_t size);
void reason_untouchable(const struct config *c, const struct policy_state *st,
                        const struct snapshot *cur, unsigned scope, bool freezing, char *buf,
                        size_t size);
