/* The shortage rule: a scope short of memory (thrashguard(8), RULES). */
#include "decide/policy-internal.h"

#include <string.h>

#include "base/format.h"
#include "base/log.h"
#include "decide/protect.h"
#include "decide/score.h"

/* The stall is at least share times the [shortage] thresholds. */
static bool stall_above(const struct config *c, const struct policy_scope_state *sc, double share)
{
        return sc->has_signal && (sc->some_pct >= share * c->shortage.some_pct ||
                                  sc->full_pct >= share * c->shortage.full_pct);
}

/* Even with every cache page dropped, less than min_headroom would be left:
 * anon + shmem + unevictable, which reclaim cannot take back without swap,
 * fill the scope. A leak gets there with only moderate stall (the cache
 * goes first, cheaply) and the kernel OOM killer follows within seconds.
 * Not for "/", whose MemAvailable already leaves out what cannot be
 * reclaimed. */
static bool committed_short(const struct config *c, const struct scope_sample *s)
{
        if (s->is_root || s->limit_bytes == BYTES_UNLIMITED || s->limit_bytes == 0)
                return false;
        uint64_t committed = signals_unreclaimable_stat_bytes(&s->stat);
        return counter_delta(s->limit_bytes, committed) < shortage_min_headroom_bytes(c, s);
}

uint64_t shortage_min_headroom_bytes(const struct config *c, const struct scope_sample *s)
{
        if (!c->shortage.min_headroom.is_pct)
                return c->shortage.min_headroom.bytes;
        if (s->limit_bytes == BYTES_UNLIMITED || s->limit_bytes == 0)
                return 0;
        return (uint64_t)((double)s->limit_bytes * c->shortage.min_headroom.pct / 100.0);
}

/* When the shortage was first seen: the `full` stall accumulated since a
 * duration ago (or since the oldest sample kept, an idle tick's) began no
 * later than that much time before now, since the scope cannot be stalled
 * for longer than the wall time. Counting the duration from there, not
 * from the tick, gives back the time the stall built up unseen: up to the
 * idle interval on the first ticks after an idle sleep, whose PSI trigger
 * the kernel may report seconds late (trigger windows of 2 s and more are
 * evaluated every 2 s), and whose share is measured over a short probe.
 * `full` only: `some` is noisy node-wide (doc/internals.md).
 * The headroom is known only now; the stall alone is counted back, and
 * never over a tick that could not read the scope (a blind stretch
 * restarts the duration). */
uint64_t shortage_start(const struct policy_scope_state *sc, uint64_t now_usec)
{
        uint64_t lead = sc->full_lead_usec;

        if (sc->unreadable_at_usec != 0 && now_usec - sc->unreadable_at_usec <= sc->lead_span_usec)
                lead = 0;

        return now_usec > lead ? now_usec - lead : 1;
}

bool shortage_holds(const struct config *c, const struct policy_scope_state *sc,
                    const struct scope_sample *s)
{
        if (!s->ok || sc->headroom_bytes >= shortage_min_headroom_bytes(c, s))
                return false;
        return stall_above(c, sc, 1) || (committed_short(c, s) && stall_above(c, sc, 0.5));
}

/* A group of the scope stalls at its own limit: its usage at [thrash]
 * limit_pct of its limit (or its limit events rising) and its own `full`
 * at or over [shortage] full_pct. */
static bool stalls_at_own_limit(const struct config *c, const struct snapshot *prev,
                                const struct snapshot *cur, unsigned scope)
{
        for (size_t i = 0; i < cur->n_candidates; i++) {
                const struct candidate *cand = &cur->candidates[i];
                struct signals sig;

                if (cand->scope != scope || !cand->s.has_psi)
                        continue;
                signals_compute(prev, cur, cand, &sig);
                if (sig.has_psi && sig.full_pct >= c->shortage.full_pct &&
                    thrash_at_limit(c, cand, &sig))
                        return true;
        }
        return false;
}

/* The headroom the shortage rule weighs. For "/" it is MemAvailable, which
 * counts all page cache as available. While the node is stalled (`full` at
 * or over its threshold) the active file list is the working set being
 * fought over: reclaim takes from it last, and every refault puts a page
 * back on it. So under stall it is not counted (doc/internals.md, "The
 * node's headroom under stall", has the measurement). Not while a group of the scope
 * stalls at its own limit: that stall is the local-thrash rule's, and the
 * node's memory is not what is short. A group scope's headroom (limit -
 * usage) counts its page cache as used already. */
uint64_t shortage_headroom(const struct config *c, const struct policy_scope_state *sc,
                           const struct snapshot *prev, const struct snapshot *cur, unsigned scope)
{
        const struct scope_sample *s = &cur->scopes[scope];

        if (!s->is_root || !sc->has_signal || sc->full_pct < c->shortage.full_pct ||
            stalls_at_own_limit(c, prev, cur, scope))
                return s->headroom_bytes;
        return counter_delta(s->headroom_bytes, s->stat.active_file_bytes);
}

void shortage_update_scope(const struct config *c, struct policy_scope_state *sc,
                           const struct snapshot *prev, const struct snapshot *cur, unsigned idx)
{
        const struct scope_sample *s = &cur->scopes[idx];

        /* An unreadable scope keeps its state (a frozen victim included). */
        if (!s->ok)
                return;
        if (!streq(sc->path, s->path)) {
                /* A different scope at this index (a reload): start afresh. */
                *sc = (struct policy_scope_state){0};
                strcpy_bounded(sc->path, sizeof(sc->path), s->path);
        }
        if (!s->has_psi) {
                window_reset(&sc->psi);
                sc->has_signal = false;
                sc->some_pct = sc->full_pct = 0;
                return;
        }
        if (sc->psi.n == 0 && prev && idx < prev->n_scopes && prev->scopes[idx].ok &&
            prev->scopes[idx].has_psi && streq(prev->scopes[idx].path, s->path)) {
                const struct psi *p = &prev->scopes[idx].psi;
                window_push(&sc->psi, prev->time_usec,
                            (uint64_t[3]){p->some.total_usec, p->full.total_usec, 0});
        }
        window_push(&sc->psi, cur->time_usec,
                    (uint64_t[3]){s->psi.some.total_usec, s->psi.full.total_usec, 0});

        const struct policy_sample *from, *to;
        sc->has_signal = window_span(&sc->psi, c->shortage.window_usec, &from, &to);
        if (sc->has_signal) {
                sc->some_pct = window_span_pct(from, to, 0);
                sc->full_pct = window_span_pct(from, to, 1);
                sc->span_usec = to->time_usec - from->time_usec;
                const struct policy_sample *since =
                    window_since(&sc->psi, c->shortage.duration_usec);
                sc->lead_span_usec = to->time_usec - since->time_usec;
                sc->full_lead_usec = counter_delta(to->v[1], since->v[1]);
                if (sc->full_lead_usec > sc->lead_span_usec)
                        sc->full_lead_usec = sc->lead_span_usec;
        } else {
                sc->some_pct = sc->full_pct = 0;
                sc->span_usec = sc->lead_span_usec = sc->full_lead_usec = 0;
        }
}

/* Whether acting on r would help: it takes part in the pressure, or its
 * memory alone would give back what the scope lacks. */
static bool would_help(const struct ranked *r, uint64_t deficit_bytes)
{
        return r->activity >= SCORE_ACTIVE_MIN || r->unreclaimable_bytes >= deficit_bytes;
}

/* The choice of a shortage's victim. */
struct shortage_choice {
        bool found;
        struct ranked victim;
        struct ranked culprit; /* the top contributor, whatever its protection */
        bool culprit_untouchable;
        uint64_t most_eligible_bytes; /* the largest unreclaimable memory that may be touched */
};

/* The top of the ranking among those that may be touched; but when the top
 * contributor may not be touched, only if acting on the top would help. */
static void shortage_choose(const struct config *c, const struct policy_state *st,
                            const struct snapshot *prev, const struct snapshot *cur, unsigned scope,
                            uint64_t deficit_bytes, struct shortage_choice *ret)
{
        bool freezing = c->action.mode != ACTION_MODE_KILL;
        bool have_top = false, top_ok = false;
        struct ranked r;

        *ret = (struct shortage_choice){0};
        for (size_t i = 0; i < cur->n_candidates; i++) {
                const struct candidate *cand = &cur->candidates[i];
                if (cand->scope != scope)
                        continue;
                score_candidate(c, prev, cur, i, &r);
                bool ok = !policy_untouchable(c, st, cur, cand, freezing, NULL);
                if (!have_top || r.contribution > ret->culprit.contribution ||
                    (r.contribution == ret->culprit.contribution && ok && !top_ok)) {
                        ret->culprit = r;
                        top_ok = ok;
                        have_top = true;
                }
                if (!ok)
                        continue;
                if (!ret->found || rank_compare(cur, &r, &ret->victim) < 0) {
                        ret->victim = r;
                        ret->found = true;
                }
                if (r.unreclaimable_bytes > ret->most_eligible_bytes)
                        ret->most_eligible_bytes = r.unreclaimable_bytes;
        }
        ret->culprit_untouchable = have_top && !top_ok;
        if (ret->found && ret->culprit_untouchable && !would_help(&ret->victim, deficit_bytes))
                ret->found = false;
}

bool shortage_decide(const struct config *c, struct policy_state *st, const struct snapshot *prev,
                     const struct snapshot *cur, unsigned scope, uint64_t now_usec,
                     struct decision *d)
{
        struct policy_scope_state *sc = &st->scopes[scope];
        const struct scope_sample *s = &cur->scopes[scope];
        bool freezing = c->action.mode != ACTION_MODE_KILL;

        if (sc->shortage_since_usec == 0 ||
            now_usec - sc->shortage_since_usec < c->shortage.duration_usec)
                return false;

        uint64_t deficit = counter_delta(shortage_min_headroom_bytes(c, s), sc->headroom_bytes);
        struct shortage_choice ch;
        shortage_choose(c, st, prev, cur, scope, deficit, &ch);
        bool found = ch.found;
        struct ranked best = ch.victim;

        d->some_pct = sc->some_pct;
        d->full_pct = sc->full_pct;
        d->headroom_bytes = sc->headroom_bytes;
        str_appendf(d->reason, sizeof(d->reason), "shortage in %s for %.1fs: ", s->path,
                    usec_to_s(now_usec - sc->shortage_since_usec));
        reason_scope_figures(c, sc, s, d->reason, sizeof(d->reason));

        if (found) {
                char why[sizeof(best.why)];

                score_format_why(c, cur, &best, why, sizeof(why));
                policy_act_on(c, st, scope, &cur->candidates[best.index], best.score, RULE_SHORTAGE,
                              now_usec, d);
                str_appendf(d->reason, sizeof(d->reason), "; victim: %s", why);
                return true;
        }
        if (!policy_all_protected(c, sc, now_usec)) {
                *d = (struct decision){.kind = DECISION_NONE};
                return false;
        }
        d->kind = DECISION_ALL_PROTECTED;
        d->rule = RULE_SHORTAGE;
        d->scope = scope;
        const struct candidate *top = &cur->candidates[ch.culprit.index];
        const char *comm = NULL, *why = NULL;
        if (ch.culprit_untouchable && ch.most_eligible_bytes > 0 &&
            (why = policy_untouchable(c, st, cur, top, freezing, &comm))) {
                /* The group behind the pressure may not be touched, and no
                 * other would help: say who it is, and kill no bystander. */
                char u[16], m[16];
                decision_set_group(d, DECISION_ALL_PROTECTED, RULE_SHORTAGE, scope, top);
                d->score = ch.culprit.score;
                str_appendf(d->reason, sizeof(d->reason),
                            "; its top contributor %s may not be touched (%s%.*s), and no other "
                            "candidate takes part or holds the %s missing (the most: %s)",
                            top->path, comm ? "comm " : "", comm ? 16 : 512, comm ? comm : why,
                            fmt_bytes((double)deficit, u),
                            fmt_bytes((double)ch.most_eligible_bytes, m));
                return true;
        }
        reason_untouchable(c, st, cur, scope, freezing, d->reason, sizeof(d->reason));
        return true;
}
