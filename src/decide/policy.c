/* The decision policy: one tick of both rules, one decision per call, the
 * cooldowns, freeze-kill's grace and the outcome of each action. Pure:
 * snapshots and the time are arguments, the state is plain data in
 * struct policy_state. The rules and the policy are stated in full in
 * thrashguard(8), RULES; doc/internals.md has the measurements behind
 * them. */
#include "decide/policy-internal.h"

#include <string.h>

#include "base/format.h"
#include "base/log.h"
#include "decide/protect.h"
#include "decide/score.h"

void policy_state_init(struct policy_state *st)
{
        *st = (struct policy_state){0};
}

/* Starts an action on cand: fills d and moves the scope's state. */
void policy_act_on(const struct config *c, struct policy_state *st, unsigned scope,
                   const struct candidate *cand, double score, enum rule rule, uint64_t now_usec,
                   struct decision *d)
{
        struct policy_scope_state *sc = &st->scopes[scope];
        enum decision_kind kind =
            c->action.mode == ACTION_MODE_KILL ? DECISION_KILL : DECISION_FREEZE;

        decision_set_group(d, kind, rule, scope, cand);
        d->score = score;
        if (rule == RULE_SHORTAGE)
                d->pressure_since_usec = sc->shortage_since_usec;
        sc->cooldown_until_usec = add_sat(now_usec, c->action.cooldown_usec);
        sc->acted_at_usec = now_usec;
        sc->acted_kind = kind;
        strcpy_bounded(sc->acted_cgroup, sizeof(sc->acted_cgroup), cand->path);
        sc->shortage_since_usec = 0;
        if (c->action.mode == ACTION_MODE_FREEZE_KILL) {
                sc->frozen_pending = true;
                sc->frozen_at_usec = now_usec;
                strcpy_bounded(sc->frozen_cgroup, sizeof(sc->frozen_cgroup), cand->path);
                sc->frozen_cgroup_id = cand->cgroup_id;
                sc->frozen_rule = rule;
                sc->frozen_pressure_since_usec = d->pressure_since_usec;
        }
        thrash_forget(st, cand->path);
}

bool policy_all_protected(const struct config *c, struct policy_scope_state *sc, uint64_t now_usec)
{
        if (now_usec < sc->all_protected_until_usec)
                return false;
        sc->all_protected_until_usec = add_sat(now_usec, c->action.cooldown_usec);
        return true;
}

/* Why cand may not be touched now, or NULL when it may. */
const char *policy_untouchable(const struct config *c, const struct policy_state *st,
                               const struct snapshot *cur, const struct candidate *cand,
                               bool freezing, const char **ret_comm)
{
        enum protect_reason p = protect_check(c, cur, cand, ret_comm);

        if (p != PROTECT_NONE)
                return protect_reason_to_string(p);
        if (st->scopes[cand->scope].failed_cgroup_id != 0 &&
            st->scopes[cand->scope].failed_cgroup_id != cand->cgroup_id)
                return "the incident's victim could not be acted on: no other is chosen";
        if (freezing && cand->s.frozen)
                return "already frozen";
        return NULL;
}

/* freeze-kill: the grace of a frozen victim. True when d holds a decision;
 * *ret_blocked is set while the grace runs (no other action meanwhile). */
static bool decide_frozen(const struct config *c, struct policy_state *st,
                          const struct snapshot *prev, const struct snapshot *cur, unsigned scope,
                          uint64_t now_usec, struct decision *d, bool *ret_blocked)
{
        struct policy_scope_state *sc = &st->scopes[scope];
        const struct scope_sample *s = &cur->scopes[scope];
        const struct candidate *v = find_group(cur, sc->frozen_cgroup, sc->frozen_cgroup_id);
        bool holds;

        *ret_blocked = false;
        if (!v) {
                /* Gone, emptied or unreadable during the grace: the
                 * incident's action is over, and nothing may stay frozen
                 * on a guess (the act layer says "already gone" if it is). */
                sc->frozen_pending = false;
                sc->cooldown_until_usec = add_sat(now_usec, c->action.cooldown_usec);
                *d = (struct decision){.kind = DECISION_THAW,
                                       .rule = sc->frozen_rule,
                                       .scope = scope,
                                       .cgroup_id = sc->frozen_cgroup_id};
                strcpy_bounded(d->cgroup, sizeof(d->cgroup), sc->frozen_cgroup);
                d->some_pct = sc->some_pct;
                d->full_pct = sc->full_pct;
                d->headroom_bytes = sc->headroom_bytes;
                str_appendf(d->reason, sizeof(d->reason),
                            "frozen %s is no longer a candidate of %s (gone, empty or unreadable)",
                            sc->frozen_cgroup, s->path);
                return true;
        }
        if (now_usec - sc->frozen_at_usec < c->action.freeze_grace_usec) {
                *ret_blocked = true;
                return false;
        }
        /* A shortage is judged on a measured window; after a restart the
         * first tick has none yet, the next one does. */
        if (sc->frozen_rule == RULE_SHORTAGE && !sc->has_signal && s->has_psi) {
                *ret_blocked = true;
                return false;
        }

        sc->frozen_pending = false;
        if (sc->frozen_rule == RULE_LOCAL_THRASH) {
                struct signals sig;
                signals_compute(prev, cur, v, &sig);
                holds = thrash_at_limit(c, v, &sig);
        } else {
                holds = shortage_holds(c, sc, s);
        }

        decision_set_group(d, holds ? DECISION_KILL : DECISION_THAW, sc->frozen_rule, scope, v);
        if (holds)
                d->pressure_since_usec = sc->frozen_pressure_since_usec;
        d->some_pct = sc->some_pct;
        d->full_pct = sc->full_pct;
        d->headroom_bytes = sc->headroom_bytes;
        str_appendf(d->reason, sizeof(d->reason), "freeze grace of %.1fs over, %s %s in %s: ",
                    usec_to_s(c->action.freeze_grace_usec), rule_to_string(sc->frozen_rule),
                    holds ? "still holds" : "no longer holds", s->path);
        if (sc->frozen_rule == RULE_LOCAL_THRASH) {
                char u[16], l[16];
                uint64_t lim = group_limit(v);
                str_appendf(d->reason, sizeof(d->reason), "usage %s of %s",
                            fmt_bytes((double)v->s.usage_bytes, u),
                            lim == BYTES_UNLIMITED ? "no limit" : fmt_bytes((double)lim, l));
        } else {
                reason_scope_figures(c, sc, s, d->reason, sizeof(d->reason));
        }

        if (holds) {
                sc->cooldown_until_usec = add_sat(now_usec, c->action.cooldown_usec);
                sc->acted_at_usec = now_usec;
                sc->acted_kind = DECISION_KILL;
                sc->shortage_since_usec = 0;
        } else {
                /* Released: no cooldown, and the THAW is the all-clear. */
                sc->cooldown_until_usec = 0;
                sc->acted_at_usec = 0;
        }
        return true;
}

static bool scope_has_group(const struct snapshot *cur, unsigned scope, uint64_t cgroup_id)
{
        for (size_t i = 0; i < cur->n_candidates; i++)
                if (cur->candidates[i].scope == scope && cur->candidates[i].cgroup_id == cgroup_id)
                        return true;
        return false;
}

static bool decide_scope(const struct config *c, struct policy_state *st,
                         const struct snapshot *prev, const struct snapshot *cur, unsigned scope,
                         uint64_t now_usec, struct decision *d)
{
        struct policy_scope_state *sc = &st->scopes[scope];
        const struct scope_sample *s = &cur->scopes[scope];

        if (!s->ok)
                return false;
        if (sc->failed_cgroup_id != 0 && !scope_has_group(cur, scope, sc->failed_cgroup_id))
                sc->failed_cgroup_id = 0; /* the failed victim went away by itself */
        if (sc->frozen_pending) {
                bool blocked;
                if (decide_frozen(c, st, prev, cur, scope, now_usec, d, &blocked))
                        return true;
                if (blocked)
                        return false;
        }

        if (sc->acted_at_usec != 0 &&
            now_usec >= add_sat(sc->acted_at_usec, c->shortage.window_usec) && sc->has_signal &&
            sc->some_pct < c->shortage.some_pct && sc->full_pct < c->shortage.full_pct &&
            !thrash_in_scope(st, scope)) {
                char h[16];

                d->kind = DECISION_RECOVERED;
                d->scope = scope;
                d->some_pct = sc->some_pct;
                d->full_pct = sc->full_pct;
                d->headroom_bytes = sc->headroom_bytes;
                str_appendf(d->reason, sizeof(d->reason),
                            "%s back to normal %.1fs after %s of %s: some %.0f%% full %.0f%%, "
                            "headroom %s",
                            s->path, usec_to_s(now_usec - sc->acted_at_usec),
                            decision_kind_to_string(sc->acted_kind), sc->acted_cgroup, sc->some_pct,
                            sc->full_pct, fmt_bytes((double)s->headroom_bytes, h));
                sc->acted_at_usec = 0;
                sc->failed_cgroup_id = 0;
                return true;
        }

        if (now_usec < sc->cooldown_until_usec)
                return false;
        if (shortage_decide(c, st, prev, cur, scope, now_usec, d))
                return true;
        return thrash_decide(c, st, prev, cur, scope, now_usec, d);
}

static bool compute_warming(const struct config *c, const struct policy_state *st,
                            unsigned n_scopes, uint64_t now_usec)
{
        for (unsigned s = 0; s < n_scopes; s++) {
                const struct policy_scope_state *sc = &st->scopes[s];
                if (sc->frozen_pending || now_usec < sc->cooldown_until_usec)
                        return true;
                if (sc->shortage_since_usec != 0 &&
                    now_usec - sc->shortage_since_usec < c->shortage.duration_usec)
                        return true;
        }
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++) {
                const struct policy_thrash_state *t = &st->thrashing[i];
                if (t->used && now_usec - t->since_usec < c->thrash.duration_usec)
                        return true;
        }
        return false;
}

static void due_at(uint64_t *due, uint64_t at_usec, uint64_t not_before_usec)
{
        if (at_usec < not_before_usec)
                at_usec = not_before_usec;
        if (*due == 0 || at_usec < *due)
                *due = at_usec;
}

static uint64_t compute_next_due(const struct config *c, const struct policy_state *st,
                                 unsigned n_scopes)
{
        uint64_t due = 0;

        for (unsigned s = 0; s < n_scopes; s++) {
                const struct policy_scope_state *sc = &st->scopes[s];
                if (sc->frozen_pending)
                        due_at(&due, add_sat(sc->frozen_at_usec, c->action.freeze_grace_usec), 0);
                else if (sc->shortage_since_usec != 0)
                        due_at(&due, add_sat(sc->shortage_since_usec, c->shortage.duration_usec),
                               sc->cooldown_until_usec);
        }
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++) {
                const struct policy_thrash_state *t = &st->thrashing[i];
                if (t->used && t->scope < n_scopes)
                        due_at(&due, add_sat(t->since_usec, c->thrash.duration_usec),
                               st->scopes[t->scope].cooldown_until_usec);
        }
        return due;
}

void policy_decide(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                   const struct snapshot *cur, uint64_t now_usec, struct decision *ret)
{
        unsigned n = cur->n_scopes < CONFIG_MAX_SCOPES ? cur->n_scopes : CONFIG_MAX_SCOPES;

        *ret = (struct decision){.kind = DECISION_NONE};
        /* Guard against a clock that went back: durations stay >= 0. */
        if (now_usec < st->now_usec)
                now_usec = st->now_usec;
        st->now_usec = now_usec;

        for (unsigned s = 0; s < n; s++) {
                struct policy_scope_state *sc = &st->scopes[s];

                shortage_update_scope(c, sc, prev, cur, s);
                if (!cur->scopes[s].ok)
                        sc->unreadable_at_usec = now_usec;
                else
                        sc->headroom_bytes = shortage_headroom(c, sc, prev, cur, s);
                if (!cur->scopes[s].ok || !shortage_holds(c, sc, &cur->scopes[s]))
                        sc->shortage_since_usec = 0;
                else if (sc->shortage_since_usec == 0)
                        sc->shortage_since_usec = shortage_start(sc, now_usec);
        }
        thrash_update(c, st, prev, cur, n, now_usec);

        for (unsigned s = 0; s < n; s++)
                if (decide_scope(c, st, prev, cur, s, now_usec, ret))
                        break;

        if (ret->kind != DECISION_NONE)
                log_debug("policy: %s %s (%s): %s", decision_kind_to_string(ret->kind), ret->cgroup,
                          rule_to_string(ret->rule), ret->reason);
        st->warming = compute_warming(c, st, n, now_usec);
        st->next_due_usec = compute_next_due(c, st, n);
}

void policy_record_outcome(const struct config *c, struct policy_state *st,
                           const struct decision *d, int result, unsigned tasks_killed,
                           uint64_t now_usec)
{
        struct policy_scope_state *sc;

        if (d->scope >= CONFIG_MAX_SCOPES ||
            (d->kind != DECISION_KILL && d->kind != DECISION_FREEZE && d->kind != DECISION_THAW))
                return;
        sc = &st->scopes[d->scope];

        /* A partial kill freed memory as a complete one does, and PSI lags
         * it the same: a second victim must wait for the cooldown too. A
         * freeze that timed out stays requested: its grace runs. */
        if ((d->kind == DECISION_KILL && tasks_killed > 0) ||
            (d->kind == DECISION_FREEZE && result == -ETIMEDOUT))
                result = 0;

        if (result >= 0 || result == -ENOENT || result == -ESRCH) {
                bool gone = result < 0;

                if (d->kind == DECISION_THAW)
                        return;
                if (d->kind == DECISION_FREEZE && sc->frozen_pending &&
                    sc->frozen_cgroup_id == d->cgroup_id) {
                        if (gone)
                                sc->frozen_pending = false;
                        else
                                sc->frozen_at_usec = now_usec; /* the grace starts now */
                }
                /* PSI and counters lag the action: hold off from when it is done. */
                sc->cooldown_until_usec = add_sat(now_usec, c->action.cooldown_usec);
                sc->acted_at_usec = now_usec;
                st->warming = true;
                return;
        }

        if (d->kind == DECISION_THAW)
                return; /* it stays frozen; the act layer alerts */
        if (sc->frozen_pending && sc->frozen_cgroup_id == d->cgroup_id)
                sc->frozen_pending = false;
        /* A failure is no reason to act sooner, nor on someone else: the
         * victim stays the incident's, and is tried again after the
         * cooldown while the rule holds, until the scope recovers. */
        sc->failed_cgroup_id = d->cgroup_id;
        sc->cooldown_until_usec = add_sat(now_usec, c->action.cooldown_usec);
        sc->acted_at_usec = now_usec;
        st->warming = true;
}

int policy_restore_frozen(const struct config *c, struct policy_state *st, unsigned scope,
                          const char *scope_path, const char *cgroup, uint64_t cgroup_id,
                          enum rule rule, uint64_t frozen_at_usec, bool pending)
{
        struct policy_scope_state *sc;

        if (scope >= CONFIG_MAX_SCOPES)
                return -EINVAL;
        sc = &st->scopes[scope];
        if (pending && sc->frozen_pending && sc->frozen_cgroup_id != cgroup_id)
                return -EBUSY;
        if (!streq(sc->path, scope_path)) {
                *sc = (struct policy_scope_state){0};
                strcpy_bounded(sc->path, sizeof(sc->path), scope_path);
        }
        if (frozen_at_usec == 0)
                frozen_at_usec = 1;
        uint64_t until = add_sat(frozen_at_usec, c->action.cooldown_usec);
        if (until > sc->cooldown_until_usec)
                sc->cooldown_until_usec = until;
        if (frozen_at_usec >= sc->acted_at_usec) {
                sc->acted_at_usec = frozen_at_usec;
                sc->acted_kind = DECISION_FREEZE;
                strcpy_bounded(sc->acted_cgroup, sizeof(sc->acted_cgroup), cgroup);
        }
        if (pending) {
                sc->frozen_pending = true;
                sc->frozen_at_usec = frozen_at_usec;
                strcpy_bounded(sc->frozen_cgroup, sizeof(sc->frozen_cgroup), cgroup);
                sc->frozen_cgroup_id = cgroup_id;
                sc->frozen_rule = rule;
                sc->frozen_pressure_since_usec = 0; /* not in the record */
        }
        st->warming = true;
        return 0;
}

size_t policy_release_frozen(struct policy_state *st, struct decision *ret, size_t cap)
{
        size_t n = 0;

        for (unsigned i = 0; i < CONFIG_MAX_SCOPES && n < cap; i++) {
                struct policy_scope_state *sc = &st->scopes[i];
                struct decision *d = &ret[n];

                if (!sc->frozen_pending)
                        continue;
                *d = (struct decision){.kind = DECISION_THAW, .rule = sc->frozen_rule, .scope = i};
                strcpy_bounded(d->cgroup, sizeof d->cgroup, sc->frozen_cgroup);
                d->cgroup_id = sc->frozen_cgroup_id;
                sc->frozen_pending = false;
                n++;
        }
        return n;
}

bool policy_holds_frozen(const struct policy_state *st, uint64_t cgroup_id)
{
        for (unsigned i = 0; i < CONFIG_MAX_SCOPES; i++)
                if (st->scopes[i].frozen_pending && st->scopes[i].frozen_cgroup_id == cgroup_id)
                        return true;
        return false;
}

bool policy_is_warming(const struct policy_state *st)
{
        return st->warming;
}

uint64_t policy_next_due_usec(const struct policy_state *st)
{
        return st->next_due_usec;
}
