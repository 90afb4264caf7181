/* The local thrash rule: one group livelocked at its own limit
 * (thrashguard(8), RULES). */
#include "decide/policy-internal.h"

#include <string.h>

#include "base/format.h"
#include "base/log.h"
#include "decide/protect.h"
#include "decide/score.h"

bool thrash_at_limit(const struct config *c, const struct candidate *cand,
                     const struct signals *sig)
{
        uint64_t lim = group_limit(cand);

        if (lim != BYTES_UNLIMITED &&
            (double)cand->s.usage_bytes >= (double)lim * c->thrash.limit_pct / 100.0)
                return true;
        return sig->has_rates && sig->events_per_s > 0;
}

/* The refault column is as of the last memory.stat read (stat_usec); a
 * stalling group, the only kind that can meet the rule, is read every tick. */
static void group_sample(const struct candidate *cand, uint64_t v[3])
{
        const struct memstat *m = &cand->s.stat;

        v[0] = cand->s.psi.some.total_usec;
        v[1] = cand->s.psi.full.total_usec;
        v[2] = add_sat(add_sat(m->refault_anon, m->refault_file), m->pgmajfault);
}

static struct policy_thrash_state *thrash_find(struct policy_state *st, const char *path,
                                               uint64_t cgroup_id)
{
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++) {
                struct policy_thrash_state *t = &st->thrashing[i];
                if (t->used && t->cgroup_id == cgroup_id && streq(t->cgroup, path))
                        return t;
        }
        return NULL;
}

static struct policy_thrash_state *thrash_alloc(struct policy_state *st)
{
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++)
                if (!st->thrashing[i].used)
                        return &st->thrashing[i];
        return NULL;
}

void thrash_update(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                   const struct snapshot *cur, unsigned n_scopes, uint64_t now_usec)
{
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++)
                st->thrashing[i].seen = false;

        for (size_t i = 0; c->thrash.enabled && i < cur->n_candidates; i++) {
                const struct candidate *cand = &cur->candidates[i];
                struct policy_thrash_state *t;
                struct signals sig;
                uint64_t v[3];

                if (cand->scope >= n_scopes || !cand->s.has_psi)
                        continue;
                signals_compute(prev, cur, cand, &sig);
                bool limit = thrash_at_limit(c, cand, &sig);
                t = thrash_find(st, cand->path, cand->cgroup_id);
                if (!t) {
                        if (!limit || !sig.has_psi || sig.full_pct < c->thrash.full_pct ||
                            sig.refault_per_s < c->thrash.refault_per_s)
                                continue;
                        t = thrash_alloc(st);
                        if (!t) {
                                log_debug("policy: no slot to watch %s for local thrash",
                                          cand->path);
                                continue;
                        }
                        *t = (struct policy_thrash_state){.used = true,
                                                          .cgroup_id = cand->cgroup_id,
                                                          .scope = cand->scope,
                                                          .since_usec = now_usec};
                        strcpy_bounded(t->cgroup, sizeof(t->cgroup), cand->path);
                        /* sig.has_psi: prev holds the same group, with PSI. */
                        group_sample(snapshot_find(prev, cand->path), v);
                        window_push(&t->win, prev->time_usec, v);
                }
                group_sample(cand, v);
                window_push(&t->win, cur->time_usec, v);

                const struct policy_sample *from, *to;
                if (window_span(&t->win, c->thrash.window_usec, &from, &to)) {
                        t->some_pct = window_span_pct(from, to, 0);
                        t->full_pct = window_span_pct(from, to, 1);
                        t->refault_per_s = window_span_rate(from, to, 2);
                }
                if (!limit || t->full_pct < c->thrash.full_pct ||
                    t->refault_per_s < c->thrash.refault_per_s) {
                        t->used = false;
                        continue;
                }
                t->scope = cand->scope;
                t->seen = true;
        }
        /* Gone, recreated, or no longer readable: stop watching. */
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++)
                if (!st->thrashing[i].seen)
                        st->thrashing[i].used = false;
}

bool thrash_in_scope(const struct policy_state *st, unsigned scope)
{
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++)
                if (st->thrashing[i].used && st->thrashing[i].scope == scope)
                        return true;
        return false;
}

void thrash_forget(struct policy_state *st, const char *path)
{
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++)
                if (st->thrashing[i].used && streq(st->thrashing[i].cgroup, path))
                        st->thrashing[i].used = false;
}

/* Fills the local-thrash figures of d from the group's watch state. */
static void decision_set_thrash(struct decision *d, const struct policy_thrash_state *t,
                                const struct candidate *cand)
{
        uint64_t lim = group_limit(cand);

        d->some_pct = t->some_pct;
        d->full_pct = t->full_pct;
        d->headroom_bytes = lim == BYTES_UNLIMITED ? 0 : counter_delta(lim, cand->s.usage_bytes);
        d->pressure_since_usec = t->since_usec;
}

bool thrash_decide(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                   const struct snapshot *cur, unsigned scope, uint64_t now_usec,
                   struct decision *d)
{
        bool freezing = c->action.mode != ACTION_MODE_KILL;
        const struct policy_thrash_state *best_t = NULL, *blocked_t = NULL;
        const char *blocked_why = NULL, *blocked_comm = NULL;
        struct ranked best = {0}, r;

        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++) {
                const struct policy_thrash_state *t = &st->thrashing[i];
                const struct candidate *cand;
                const char *comm = NULL, *why;

                if (!t->used || t->scope != scope ||
                    now_usec - t->since_usec < c->thrash.duration_usec)
                        continue;
                cand = find_group(cur, t->cgroup, t->cgroup_id);
                if (!cand)
                        continue;
                why = policy_untouchable(c, st, cur, cand, freezing, &comm);
                if (why) {
                        if (!blocked_t) {
                                blocked_t = t;
                                blocked_why = why;
                                blocked_comm = comm;
                        }
                        continue;
                }
                score_candidate(c, prev, cur, (size_t)(cand - cur->candidates), &r);
                if (!best_t || rank_compare(cur, &r, &best) < 0) {
                        best = r;
                        best_t = t;
                }
        }

        const struct policy_thrash_state *t = best_t ? best_t : blocked_t;
        if (!t)
                return false;
        const struct candidate *cand = find_group(cur, t->cgroup, t->cgroup_id);

        if (best_t) {
                char why[sizeof(best.why)];

                decision_set_thrash(d, t, cand);
                reason_thrash_figures(c, t, cand, now_usec, d->reason, sizeof(d->reason));
                score_format_why(c, cur, &best, why, sizeof(why));
                str_appendf(d->reason, sizeof(d->reason), "; %s", why);
                policy_act_on(c, st, scope, cand, best.score, RULE_LOCAL_THRASH, now_usec, d);
                return true;
        }
        if (!policy_all_protected(c, &st->scopes[scope], now_usec))
                return false;
        decision_set_group(d, DECISION_ALL_PROTECTED, RULE_LOCAL_THRASH, scope, cand);
        decision_set_thrash(d, t, cand);
        reason_thrash_figures(c, t, cand, now_usec, d->reason, sizeof(d->reason));
        if (blocked_comm)
                str_appendf(d->reason, sizeof(d->reason), "; may not be touched (comm %.16s)",
                            blocked_comm);
        else
                str_appendf(d->reason, sizeof(d->reason), "; may not be touched (%s)", blocked_why);
        return true;
}
