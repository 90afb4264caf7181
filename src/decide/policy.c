/* The rules and the decision policy. Pure: snapshots and the time are
 * arguments, the state is plain data in struct policy_state.
 *
 * SIGNALS
 *   Stall shares come from PSI `total` deltas, never from avg10 (which lags
 *   by seconds). Each scope (and each group under watch for local thrash)
 *   keeps its last POLICY_WINDOW_SAMPLES counter samples; the share over a
 *   window is taken from the newest sample at least `window` old. When the
 *   ticks were sparse (the idle interval) and that span would exceed two
 *   windows, the oldest sample within the window is used instead (at least
 *   one tick); when the only earlier sample is older, the whole gap is used.
 *   A first tick has no earlier sample and gives no signal. Counters that
 *   went backwards give 0 (counter_delta). Rates of candidates come from the
 *   previous snapshot, matched by path and cgroup id (score.c).
 *
 * RULE 1, SHORTAGE (per scope)
 *   (some >= [shortage] some_pct OR full >= [shortage] full_pct, over
 *   [shortage] window) AND headroom < [shortage] min_headroom (bytes, or %
 *   of the scope's limit; MemTotal for "/"), held at every tick for
 *   [shortage] duration, counted from the first such tick less the `full`
 *   stall time that tick measured (shortage_start). The headroom of "/"
 *   leaves out the active page cache while the node is stalled
 *   (shortage_headroom). Pressure alone never fires: heavy IO and one group
 *   thrashing at its own limit both raise PSI while memory is plentiful.
 *   When the scope's unreclaimable memory (anon + shmem + unevictable)
 *   alone leaves less than min_headroom (a leak on its way to the kernel
 *   OOM killer, with only moderate stall on the way), half the stall
 *   thresholds suffice. Not for "/": MemAvailable already counts that.
 *   A scope with no limit and a min_headroom in % can never be short. A
 *   tick on which the scope could not be read restarts the rule's duration
 *   (so that the first readable tick cannot fire at once on a duration that
 *   ran blind) and decides nothing else. A scope without PSI (cgroup v1
 *   below "/") has no stall signal: the rule cannot fire there; guard "/"
 *   instead, whose /proc/pressure/memory exists on every kernel with PSI.
 *   Victim: the top of the scope's ranking (score.c), skipping protected
 *   groups, victims of failed actions, and (for a freeze) frozen groups.
 *
 * RULE 2, LOCAL THRASH (per candidate, when [thrash] enabled)
 *   At its own limit (usage >= [thrash] limit_pct of min(memory.max,
 *   memory.high), or memory.events high/max rising) AND its own full stall
 *   >= [thrash] full_pct AND refaults + major faults >= [thrash]
 *   refault_per_s, both over [thrash] window, held for [thrash] duration.
 *   A group is watched from the tick its condition first holds over one
 *   interval. Victim: the group itself, whatever its QoS, unless protected.
 *   v1 fallback: without per-group PSI the rule is off. Refaults alone
 *   cannot tell a thrash from a healthy cache reader: measured, plain read()
 *   streaming makes over 1M refaults/s at 2.5% stall, a real file thrash
 *   250k/s at 36-41% full.
 *
 * POLICY
 *   [action] mode kill: KILL. freeze: FREEZE (the group stays frozen; it is
 *   not chosen again while frozen). freeze-kill: FREEZE at once; after
 *   freeze_grace, KILL if the rule still holds (shortage: the scope's
 *   condition now, on a measured window: after a restart, not before the
 *   second tick; local thrash: the group still at its limit, since a
 *   frozen group neither stalls nor refaults), else THAW. A FREEZE that
 *   timed out counts as done (the kernel keeps the request). A frozen
 *   victim missing from the candidates (gone, emptied, unreadable) gets a
 *   THAW at once (the act layer reports it already gone if it is) and the
 *   cooldown starts: the incident's action is over. No RECOVERED during the
 *   grace, and none after a THAW of the grace's end (the THAW says it); no
 *   cooldown after that THAW either, so the rule must hold a full duration
 *   again.
 *   One action at a time per scope; both rules share the scope's cooldown.
 *   After a successful action (or one whose victim was already gone, or a
 *   kill that killed tasks but left some behind) the scope is in cooldown
 *   for [action] cooldown: no new action. The rule's clock restarts at the
 *   action, so a second kill from the same incident comes only if the rule
 *   still holds after the cooldown. RECOVERED is
 *   emitted once, on the first tick at least one window after the action
 *   where the scope's stall is below both shortage thresholds and no group
 *   of the scope is thrashing. A failed victim (any error but -ENOENT and
 *   -ESRCH) is left out for POLICY_FAILED_COOLDOWNS cooldowns and the next
 *   candidate may be chosen at once. When a rule holds but nothing may be
 *   touched (all protected, excluded or already frozen; or the thrashing
 *   group is protected), ALL_PROTECTED says why, at most once per cooldown
 *   per scope. One decision per call: the first scope (in order) that has
 *   one; the others come on the next ticks. */
#include "decide/policy.h"

#include "base/format.h"
#include "base/log.h"
#include "decide/score.h"

void policy_state_init(struct policy_state *st)
{
        *st = (struct policy_state){0};
}

/* ---- small helpers ---- */

static double usec_to_s(uint64_t usec)
{
        return (double)usec / (double)USEC_PER_SEC;
}

static const struct candidate *find_group(const struct snapshot *s, const char *path, uint64_t id)
{
        const struct candidate *cand = s ? snapshot_find(s, path) : NULL;
        return cand && cand->cgroup_id == id ? cand : NULL;
}

static uint64_t min_headroom_bytes(const struct config *c, const struct scope_sample *s)
{
        if (!c->shortage.min_headroom.is_pct)
                return c->shortage.min_headroom.bytes;
        if (s->limit_bytes == BYTES_UNLIMITED || s->limit_bytes == 0)
                return 0;
        return (uint64_t)((double)s->limit_bytes * c->shortage.min_headroom.pct / 100.0);
}

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
        uint64_t committed = score_unreclaimable_stat_bytes(&s->stat);
        return counter_delta(s->limit_bytes, committed) < min_headroom_bytes(c, s);
}

/* When the shortage was first seen: the `full` stall measured at this
 * tick began no later than that much time before now, since the scope
 * cannot be stalled for longer than the wall time. Counting the duration
 * from there, not from the tick, gives back the time the stall built up
 * unseen: up to a window on a fast tick, and up to the idle interval on the
 * first tick after an idle sleep, whose PSI trigger the kernel may report
 * seconds late (trigger windows of 2 s and more are evaluated every 2 s).
 * `full` only: `some` is noisy node-wide (25-33% seen on an idle node).
 * The headroom is known only now; the stall alone is counted back, and
 * never over a tick that could not read the scope (a blind stretch
 * restarts the duration). */
static uint64_t shortage_start(const struct policy_scope_state *sc, uint64_t now_usec)
{
        uint64_t lead = (uint64_t)((double)sc->span_usec * sc->full_pct / 100.0);

        if (sc->unreadable_at_usec != 0 && now_usec - sc->unreadable_at_usec <= sc->span_usec)
                lead = 0;

        return now_usec > lead ? now_usec - lead : 1;
}

static bool shortage_holds(const struct config *c, const struct policy_scope_state *sc,
                           const struct scope_sample *s)
{
        if (!s->ok || sc->headroom_bytes >= min_headroom_bytes(c, s))
                return false;
        return stall_above(c, sc, 1) || (committed_short(c, s) && stall_above(c, sc, 0.5));
}

/* min(memory.max, memory.high); BYTES_UNLIMITED when neither is set. */
static uint64_t group_limit(const struct candidate *cand)
{
        uint64_t lim = cand->s.limit_bytes;

        if (cand->s.high_bytes > 0 && cand->s.high_bytes < lim)
                lim = cand->s.high_bytes;
        return lim == 0 ? BYTES_UNLIMITED : lim;
}

static bool at_limit(const struct config *c, const struct candidate *cand,
                     const struct signals *sig)
{
        uint64_t lim = group_limit(cand);

        if (lim != BYTES_UNLIMITED &&
            (double)cand->s.usage_bytes >= (double)lim * c->thrash.limit_pct / 100.0)
                return true;
        return sig->has_rates && sig->events_per_s > 0;
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
                score_signals(prev, cur, cand, &sig);
                if (sig.has_psi && sig.full_pct >= c->shortage.full_pct && at_limit(c, cand, &sig))
                        return true;
        }
        return false;
}

/* The headroom the shortage rule weighs. For "/" it is MemAvailable, which
 * counts all page cache as available. While the node is stalled (`full` at
 * or over its threshold) the active file list is the working set being
 * fought over: reclaim takes from it last, and every refault puts a page
 * back on it. So under stall it is not counted. Measured in a 1 GiB VM
 * where an anonymous leak squeezes a service's 300 MiB mmap'd file:
 * MemAvailable stayed at 215-247 MiB (22-25 %), Active(file) 243 MiB,
 * while `full` ran at 55-85 %; MemAvailable fell under 10 % only 4 s
 * later, 4 s before the kernel OOM killer. Not while a group of the scope
 * stalls at its own limit: that stall is the local-thrash rule's, and the
 * node's memory is not what is short. A group scope's headroom (limit -
 * usage) counts its page cache as used already. */
static uint64_t shortage_headroom(const struct config *c, const struct policy_scope_state *sc,
                                  const struct snapshot *prev, const struct snapshot *cur,
                                  unsigned scope)
{
        const struct scope_sample *s = &cur->scopes[scope];

        if (!s->is_root || !sc->has_signal || sc->full_pct < c->shortage.full_pct ||
            stalls_at_own_limit(c, prev, cur, scope))
                return s->headroom_bytes;
        return counter_delta(s->headroom_bytes, s->stat.active_file_bytes);
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

/* ---- per-tick signal updates ---- */

static void scope_update(const struct config *c, struct policy_scope_state *sc,
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
                signal_window_reset(&sc->psi);
                sc->has_signal = false;
                sc->some_pct = sc->full_pct = 0;
                return;
        }
        if (sc->psi.n == 0 && prev && idx < prev->n_scopes && prev->scopes[idx].ok &&
            prev->scopes[idx].has_psi && streq(prev->scopes[idx].path, s->path)) {
                const struct psi *p = &prev->scopes[idx].psi;
                signal_window_push(&sc->psi, prev->time_usec,
                                   (uint64_t[3]){p->some.total_usec, p->full.total_usec, 0});
        }
        signal_window_push(&sc->psi, cur->time_usec,
                           (uint64_t[3]){s->psi.some.total_usec, s->psi.full.total_usec, 0});

        const struct policy_sample *from, *to;
        sc->has_signal = signal_window_span(&sc->psi, c->shortage.window_usec, &from, &to);
        if (sc->has_signal) {
                sc->some_pct = signal_span_pct(from, to, 0);
                sc->full_pct = signal_span_pct(from, to, 1);
                sc->span_usec = to->time_usec - from->time_usec;
        } else {
                sc->some_pct = sc->full_pct = 0;
                sc->span_usec = 0;
        }
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

static void thrash_update(const struct config *c, struct policy_state *st,
                          const struct snapshot *prev, const struct snapshot *cur,
                          unsigned n_scopes, uint64_t now_usec)
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
                score_signals(prev, cur, cand, &sig);
                bool limit = at_limit(c, cand, &sig);
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
                        signal_window_push(&t->win, prev->time_usec, v);
                }
                group_sample(cand, v);
                signal_window_push(&t->win, cur->time_usec, v);

                const struct policy_sample *from, *to;
                if (signal_window_span(&t->win, c->thrash.window_usec, &from, &to)) {
                        t->some_pct = signal_span_pct(from, to, 0);
                        t->full_pct = signal_span_pct(from, to, 1);
                        t->refault_per_s = signal_span_rate(from, to, 2);
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

static bool scope_thrashing(const struct policy_state *st, unsigned scope)
{
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++)
                if (st->thrashing[i].used && st->thrashing[i].scope == scope)
                        return true;
        return false;
}

static void thrash_forget(struct policy_state *st, const char *path)
{
        for (unsigned i = 0; i < POLICY_MAX_THRASHING; i++)
                if (st->thrashing[i].used && streq(st->thrashing[i].cgroup, path))
                        st->thrashing[i].used = false;
}

/* ---- decisions ---- */

static void scope_figures(const struct config *c, const struct policy_scope_state *sc,
                          const struct scope_sample *s, char *buf, size_t size)
{
        char h[16], m[16];

        str_appendf(buf, size, "some %.0f%% full %.0f%% over %.1fs, headroom %s", sc->some_pct,
                    sc->full_pct, usec_to_s(c->shortage.window_usec),
                    fmt_bytes((double)sc->headroom_bytes, h));
        if (sc->headroom_bytes != s->headroom_bytes)
                str_appendf(buf, size, " (MemAvailable %s less the active page cache)",
                            fmt_bytes((double)s->headroom_bytes, h));
        str_appendf(buf, size, " (min %s)", fmt_bytes((double)min_headroom_bytes(c, s), m));
}

static void decision_set_group(struct decision *d, enum decision_kind kind, enum rule rule,
                               unsigned scope, const struct candidate *cand)
{
        d->kind = kind;
        d->rule = rule;
        d->scope = scope;
        strcpy_bounded(d->cgroup, sizeof(d->cgroup), cand->path);
        d->cgroup_id = cand->cgroup_id;
        d->id = cand->id;
        d->comm_protects = cand->comm_protects;
}

/* Fills the local-thrash figures of d from the group's watch state. */
static void decision_set_thrash(struct decision *d, const struct policy_thrash_state *t,
                                const struct candidate *cand)
{
        uint64_t lim = group_limit(cand);

        d->some_pct = t->some_pct;
        d->full_pct = t->full_pct;
        d->headroom_bytes = lim == BYTES_UNLIMITED ? 0 : counter_delta(lim, cand->s.usage_bytes);
}

static void thrash_figures(const struct config *c, const struct policy_thrash_state *t,
                           const struct candidate *cand, uint64_t now_usec, char *buf, size_t size)
{
        char r[16], u[16], l[16];
        uint64_t lim = group_limit(cand);

        str_appendf(buf, size,
                    "local thrash for %.1fs: full %.0f%%, refaults %s/s over %.1fs, usage %s of %s",
                    usec_to_s(now_usec - t->since_usec), t->full_pct,
                    fmt_count(t->refault_per_s, r), usec_to_s(c->thrash.window_usec),
                    fmt_bytes((double)cand->s.usage_bytes, u),
                    lim == BYTES_UNLIMITED ? "no limit" : fmt_bytes((double)lim, l));
}

/* Starts an action on cand: fills d and moves the scope's state. */
static void act_on(const struct config *c, struct policy_state *st, unsigned scope,
                   const struct candidate *cand, double score, enum rule rule, uint64_t now_usec,
                   struct decision *d)
{
        struct policy_scope_state *sc = &st->scopes[scope];
        enum decision_kind kind =
            c->action.mode == ACTION_MODE_KILL ? DECISION_KILL : DECISION_FREEZE;

        decision_set_group(d, kind, rule, scope, cand);
        d->score = score;
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
        }
        thrash_forget(st, cand->path);
}

static bool all_protected(const struct config *c, struct policy_scope_state *sc, uint64_t now_usec)
{
        if (now_usec < sc->all_protected_until_usec)
                return false;
        sc->all_protected_until_usec = add_sat(now_usec, c->action.cooldown_usec);
        return true;
}

/* Why cand may not be touched now, or NULL when it may. */
static const char *untouchable(const struct config *c, const struct policy_state *st,
                               const struct snapshot *cur, const struct candidate *cand,
                               bool freezing, const char **ret_comm)
{
        enum protect_reason p = score_protect(c, cur, cand, ret_comm);

        if (p != PROTECT_NONE)
                return protect_reason_to_string(p);
        if (st->scopes[cand->scope].failed_cgroup_id != 0 &&
            st->scopes[cand->scope].failed_cgroup_id != cand->cgroup_id)
                return "the incident's victim could not be acted on: no other is chosen";
        if (freezing && cand->s.frozen)
                return "already frozen";
        return NULL;
}

static void describe_untouchable(const struct config *c, const struct policy_state *st,
                                 const struct snapshot *cur, unsigned scope, bool freezing,
                                 char *buf, size_t size)
{
        unsigned n = 0;

        str_appendf(buf, size, "; nothing may be touched: ");
        for (size_t i = 0; i < cur->n_candidates; i++) {
                const struct candidate *cand = &cur->candidates[i];
                const char *comm = NULL, *why;

                if (cand->scope != scope)
                        continue;
                why = untouchable(c, st, cur, cand, freezing, &comm);
                if (!why)
                        continue;
                /* The last component names a group well enough in one line;
                 * full paths go with the candidate list of the alert. */
                const char *name = strrchr(cand->path, '/');
                name = name && name[1] ? name + 1 : cand->path;
                if (comm)
                        str_appendf(buf, size, "%s%s (comm %.16s)", n ? ", " : "", name, comm);
                else
                        str_appendf(buf, size, "%s%s (%s)", n ? ", " : "", name, why);
                n++;
        }
        if (n == 0)
                str_appendf(buf, size, "no candidates");
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
                bool ok = !untouchable(c, st, cur, cand, freezing, NULL);
                if (!have_top || r.contribution > ret->culprit.contribution ||
                    (r.contribution == ret->culprit.contribution && ok && !top_ok)) {
                        ret->culprit = r;
                        top_ok = ok;
                        have_top = true;
                }
                if (!ok)
                        continue;
                if (!ret->found || score_compare(cur, &r, &ret->victim) < 0) {
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

static bool decide_shortage(const struct config *c, struct policy_state *st,
                            const struct snapshot *prev, const struct snapshot *cur, unsigned scope,
                            uint64_t now_usec, struct decision *d)
{
        struct policy_scope_state *sc = &st->scopes[scope];
        const struct scope_sample *s = &cur->scopes[scope];
        bool freezing = c->action.mode != ACTION_MODE_KILL;

        if (sc->shortage_since_usec == 0 ||
            now_usec - sc->shortage_since_usec < c->shortage.duration_usec)
                return false;

        uint64_t deficit = counter_delta(min_headroom_bytes(c, s), sc->headroom_bytes);
        struct shortage_choice ch;
        shortage_choose(c, st, prev, cur, scope, deficit, &ch);
        bool found = ch.found;
        struct ranked best = ch.victim;

        d->some_pct = sc->some_pct;
        d->full_pct = sc->full_pct;
        d->headroom_bytes = sc->headroom_bytes;
        str_appendf(d->reason, sizeof(d->reason), "shortage in %s for %.1fs: ", s->path,
                    usec_to_s(now_usec - sc->shortage_since_usec));
        scope_figures(c, sc, s, d->reason, sizeof(d->reason));

        if (found) {
                char why[sizeof(best.why)];

                score_format_why(c, cur, &best, why, sizeof(why));
                act_on(c, st, scope, &cur->candidates[best.index], best.score, RULE_SHORTAGE,
                       now_usec, d);
                str_appendf(d->reason, sizeof(d->reason), "; victim: %s", why);
                return true;
        }
        if (!all_protected(c, sc, now_usec)) {
                *d = (struct decision){.kind = DECISION_NONE};
                return false;
        }
        d->kind = DECISION_ALL_PROTECTED;
        d->rule = RULE_SHORTAGE;
        d->scope = scope;
        const struct candidate *top = &cur->candidates[ch.culprit.index];
        const char *comm = NULL, *why = NULL;
        if (ch.culprit_untouchable && ch.most_eligible_bytes > 0 &&
            (why = untouchable(c, st, cur, top, freezing, &comm))) {
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
        describe_untouchable(c, st, cur, scope, freezing, d->reason, sizeof(d->reason));
        return true;
}

static bool decide_thrash(const struct config *c, struct policy_state *st,
                          const struct snapshot *prev, const struct snapshot *cur, unsigned scope,
                          uint64_t now_usec, struct decision *d)
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
                why = untouchable(c, st, cur, cand, freezing, &comm);
                if (why) {
                        if (!blocked_t) {
                                blocked_t = t;
                                blocked_why = why;
                                blocked_comm = comm;
                        }
                        continue;
                }
                score_candidate(c, prev, cur, (size_t)(cand - cur->candidates), &r);
                if (!best_t || score_compare(cur, &r, &best) < 0) {
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
                thrash_figures(c, t, cand, now_usec, d->reason, sizeof(d->reason));
                score_format_why(c, cur, &best, why, sizeof(why));
                str_appendf(d->reason, sizeof(d->reason), "; %s", why);
                act_on(c, st, scope, cand, best.score, RULE_LOCAL_THRASH, now_usec, d);
                return true;
        }
        if (!all_protected(c, &st->scopes[scope], now_usec))
                return false;
        decision_set_group(d, DECISION_ALL_PROTECTED, RULE_LOCAL_THRASH, scope, cand);
        decision_set_thrash(d, t, cand);
        thrash_figures(c, t, cand, now_usec, d->reason, sizeof(d->reason));
        if (blocked_comm)
                str_appendf(d->reason, sizeof(d->reason), "; may not be touched (comm %.16s)",
                            blocked_comm);
        else
                str_appendf(d->reason, sizeof(d->reason), "; may not be touched (%s)", blocked_why);
        return true;
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
                score_signals(prev, cur, v, &sig);
                holds = at_limit(c, v, &sig);
        } else {
                holds = shortage_holds(c, sc, s);
        }

        decision_set_group(d, holds ? DECISION_KILL : DECISION_THAW, sc->frozen_rule, scope, v);
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
                scope_figures(c, sc, s, d->reason, sizeof(d->reason));
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
            !scope_thrashing(st, scope)) {
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
        if (decide_shortage(c, st, prev, cur, scope, now_usec, d))
                return true;
        return decide_thrash(c, st, prev, cur, scope, now_usec, d);
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

                scope_update(c, sc, prev, cur, s);
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

const char *rule_to_string(enum rule r)
{
        switch (r) {
        case RULE_SHORTAGE:
                return "shortage";
        case RULE_LOCAL_THRASH:
                return "local-thrash";
        case RULE_NONE:
        default:
                return "none";
        }
}

const char *decision_kind_to_string(enum decision_kind k)
{
        switch (k) {
        case DECISION_KILL:
                return "kill";
        case DECISION_FREEZE:
                return "freeze";
        case DECISION_THAW:
                return "thaw";
        case DECISION_ALL_PROTECTED:
                return "all-protected";
        case DECISION_RECOVERED:
                return "recovered";
        case DECISION_NONE:
        default:
                return "none";
        }
}
