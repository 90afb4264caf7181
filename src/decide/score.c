/* Signals and victim scoring: counter windows, per-candidate rates, the
 * score, protection and the ranking.
 *
 * THE FORMULA (the text for conf/thrashguard.conf [rank] and thrashguard(8))
 *
 * Each candidate of a scope is scored by its contribution to the pressure,
 * from its counters over the last interval (the previous snapshot to this
 * one, the same path AND the same cgroup id; a first sample, a recreated
 * group or a counter that went backwards gives rate 0, never a huge or
 * negative one):
 *
 *   R = refaults + major faults per second   (workingset_refault_anon +
 *       workingset_refault_file + pgmajfault of its memory.stat; rates of
 *       memory.stat and memory.events run between the times they were
 *       read, which the observer may skip for a quiet group)
 *   F = its own memory `full` stall in % (its memory.pressure; unknown
 *       without per-group PSI, cgroup v1)
 *   S = pgscan per second; E = memory.events high + max per second (v1:
 *       failcnt), i.e. reclaim run at its own limit
 *   G = growth of anon + shmem + unevictable, bytes per second
 *   U = anon + shmem + unevictable, bytes (memory reclaim cannot take back
 *       without swap)
 *   L = the scope's limit (MemTotal for "/"; its usage if it has no limit)
 *
 * with lg(x, x0) = min(1, log10(1 + x/x0) / 3), a log scale that is 0.1 at
 * x0, 0.35 at 10*x0, 0.67 at 100*x0 and saturates at 1000*x0:
 *
 *   reclaim = lg(R, T) * (0.25 + 0.75 * min(1, F / Tf))
 *             T = [thrash] refault_per_s, Tf = [thrash] full_pct;
 *             without group PSI the stall factor counts as F = Tf/2.
 *             Refaults weigh fully only with the group's own stall: a busy
 *             cache reader has a huge R but no stall (read() streaming:
 *             >1M refaults/s at 2.5% stall), a thrashing group has both.
 *   scan    = max(lg(S, T), lg(E, 1))
 *   growth  = lg(max(G, 0), L * 0.0005)   (0.05% of the scope per second)
 *   unrecl  = min(1, U / L)
 *
 *   holds   = min(1, U / (L * 0.05))   (a kill must give memory back: a
 *             cache reader holding no anonymous memory suffers a shortage,
 *             it does not cause one)
 *
 *   contribution = holds * (35 * reclaim + 15 * scan) + 30 * growth
 *                  + 20 * unrecl                                (0 .. 100)
 *
 *   score = contribution
 *         + QoS: BestEffort +15, Burstable +5, not a pod +5, Guaranteed 0
 *         + oom_score_adj_max / 100          (-10 .. +10)
 *         + [rank] prefer +10, avoid -10     (matched against the cgroup
 *           path, and "namespace/pod/container" for a Kubernetes container)
 *
 * The ranking is, in this order: eligible candidates by score (highest
 * first); then last-resort candidates by score; then protected ones (never
 * chosen). Ties: larger memory usage first, then the path (strcmp).
 *
 * Last resort (chosen only when no eligible candidate is left): Guaranteed
 * pods, and groups whose tasks all have oom_score_adj -999..-997.
 * Protected (never chosen): the scope root itself; groups matching
 * [protect] cgroups; groups holding a task whose comm matches [protect]
 * comms; groups holding a task with oom_score_adj -1000; pod sandboxes
 * (pause containers: they go with their pod, never alone).
 *
 * Every candidate gets a one-line `why`, e.g.
 *   "refaults 250k/s, full 38%, scan 300k/s, anon+shm 300M (29% of scope),
 *    growing 12M/s, besteffort, adj 1000, score 71"
 */
#include <math.h>
#include <stdarg.h>

#include "decide/score.h"

#include "base/format.h"

static double lg_scale(double x, double x0)
{
        if (!(x > 0))
                return 0;
        if (!(x0 > 0))
                x0 = 1;
        double v = log10(1 + x / x0) / 3;
        return v > 1 ? 1 : v;
}

/* ---- windows of counter samples (see policy.c for how a span is chosen) ---- */

static const struct policy_sample *window_at(const struct policy_window *w, unsigned i)
{
        return &w->samples[(w->next + POLICY_WINDOW_SAMPLES - w->n + i) % POLICY_WINDOW_SAMPLES];
}

void signal_window_reset(struct policy_window *w)
{
        w->n = w->next = 0;
}

void signal_window_push(struct policy_window *w, uint64_t time_usec, const uint64_t v[3])
{
        if (w->n > 0) {
                const struct policy_sample *last = window_at(w, w->n - 1);
                if (time_usec == last->time_usec)
                        return; /* the same snapshot again */
                if (time_usec < last->time_usec)
                        signal_window_reset(w);
        }
        struct policy_sample *s = &w->samples[w->next];
        s->time_usec = time_usec;
        memcpy(s->v, v, sizeof(s->v));
        w->next = (w->next + 1) % POLICY_WINDOW_SAMPLES;
        if (w->n < POLICY_WINDOW_SAMPLES)
                w->n++;
}

bool signal_window_span(const struct policy_window *w, uint64_t window_usec,
                        const struct policy_sample **ret_from, const struct policy_sample **ret_to)
{
        if (w->n < 2)
                return false;

        const struct policy_sample *to = window_at(w, w->n - 1);
        uint64_t twice = window_usec > UINT64_MAX / 2 ? UINT64_MAX : 2 * window_usec;
        int last = (int)w->n - 1, j = -1, from;

        for (int i = last - 1; i >= 0; i--)
                if (to->time_usec - window_at(w, (unsigned)i)->time_usec >= window_usec) {
                        j = i;
                        break;
                }
        if (j >= 0 && to->time_usec - window_at(w, (unsigned)j)->time_usec <= twice)
                from = j;
        else if (j + 1 < last)
                from = j + 1;
        else
                from = j;
        *ret_from = window_at(w, (unsigned)from);
        *ret_to = to;
        return true;
}

double signal_span_pct(const struct policy_sample *from, const struct policy_sample *to, int k)
{
        return stall_pct(counter_delta(to->v[k], from->v[k]), to->time_usec - from->time_usec);
}

double signal_span_rate(const struct policy_sample *from, const struct policy_sample *to, int k)
{
        return (double)counter_delta(to->v[k], from->v[k]) * (double)USEC_PER_SEC /
               (double)(to->time_usec - from->time_usec);
}

void score_signals(const struct snapshot *prev, const struct snapshot *cur,
                   const struct candidate *cand, struct signals *ret)
{
        *ret = (struct signals){0};

        if (!prev || cur->time_usec <= prev->time_usec)
                return;
        const struct candidate *p = snapshot_find(prev, cand->path);
        if (!p || p->cgroup_id != cand->cgroup_id)
                return;

        uint64_t dt_usec = cur->time_usec - prev->time_usec;
        const struct memstat *a = &cand->s.stat, *b = &p->s.stat;

        ret->has_rates = true;
        /* memory.stat and memory.events may be older than the snapshot (the
         * observer reads them when the group shows activity): their rates
         * run over their own read times; not read again since, no rate. */
        uint64_t stat_cur = cand->stat_usec ? cand->stat_usec : cur->time_usec;
        uint64_t stat_prev = p->stat_usec ? p->stat_usec : prev->time_usec;
        if (stat_cur > stat_prev) {
                double dt_s = (double)(stat_cur - stat_prev) / (double)USEC_PER_SEC;

                ret->refault_per_s = (double)(counter_delta(a->refault_anon, b->refault_anon) +
                                              counter_delta(a->refault_file, b->refault_file) +
                                              counter_delta(a->pgmajfault, b->pgmajfault)) /
                                     dt_s;
                ret->scan_per_s = (double)counter_delta(a->pgscan, b->pgscan) / dt_s;
                ret->events_per_s = (double)(counter_delta(cand->s.events.high, p->s.events.high) +
                                             counter_delta(cand->s.events.max, p->s.events.max)) /
                                    dt_s;
                ret->growth_bytes_per_s = ((double)score_unreclaimable_bytes(cand) -
                                           (double)score_unreclaimable_bytes(p)) /
                                          dt_s;
        }
        if (cand->s.has_psi && p->s.has_psi) {
                ret->has_psi = true;
                ret->some_pct = stall_pct(
                    counter_delta(cand->s.psi.some.total_usec, p->s.psi.some.total_usec), dt_usec);
                ret->full_pct = stall_pct(
                    counter_delta(cand->s.psi.full.total_usec, p->s.psi.full.total_usec), dt_usec);
        }
}

uint64_t score_unreclaimable_stat_bytes(const struct memstat *m)
{
        /* Saturate rather than wrap on hostile input. */
        return add_sat(add_sat(m->anon_bytes, m->shmem_bytes), m->unevictable_bytes);
}

uint64_t score_unreclaimable_bytes(const struct candidate *cand)
{
        return score_unreclaimable_stat_bytes(&cand->s.stat);
}

uint64_t score_scope_size_bytes(const struct scope_sample *s)
{
        if (s->limit_bytes != BYTES_UNLIMITED && s->limit_bytes > 0)
                return s->limit_bytes;
        if (s->usage_bytes > 0)
                return s->usage_bytes;
        return 1;
}

enum protect_reason score_protect(const struct config *c, const struct snapshot *cur,
                                  const struct candidate *cand, const char **ret_comm)
{
        if (cand->scope < cur->n_scopes && cand->scope < CONFIG_MAX_SCOPES &&
            streq(cand->path, cur->scopes[cand->scope].path))
                return PROTECT_SCOPE_ROOT;
        if (pattern_list_match(&c->protect.cgroups, cand->path) ||
            score_match_pod(&c->protect.pods, &cand->id))
                return PROTECT_PATTERN;

        unsigned n = !cand->comm_protects                 ? 0
                     : cand->n_comms < SNAPSHOT_MAX_COMMS ? cand->n_comms
                                                          : SNAPSHOT_MAX_COMMS;
        for (unsigned i = 0; i < n; i++) {
                char comm[sizeof(cand->comms[i]) + 1];
                size_t len = strnlen(cand->comms[i], sizeof(cand->comms[i]));

                memcpy(comm, cand->comms[i], len);
                comm[len] = 0;
                if (pattern_list_match(&c->protect.comms, comm)) {
                        if (ret_comm)
                                *ret_comm = cand->comms[i];
                        return PROTECT_COMM;
                }
        }
        if (cand->has_never_kill_task || cand->oom_score_adj_min <= -1000)
                return PROTECT_OOM_NEVER;
        if (cand->id.kind == IDENTITY_POD_SANDBOX)
                return PROTECT_SANDBOX;
        return PROTECT_NONE;
}

bool score_is_last_resort(const struct candidate *cand)
{
        return cand->id.qos == QOS_GUARANTEED ||
               (cand->oom_score_adj_max >= -999 && cand->oom_score_adj_max <= -997);
}

bool score_match_pod(const struct pattern_list *l, const struct identity *id)
{
        char name[3 * IDENTITY_NAME_MAX];

        if (l->n == 0 || !id->pod_namespace[0] || !id->pod_name[0] || !id->container_name[0])
                return false;
        name[0] = 0;
        str_appendf(name, sizeof(name), "%.*s/%.*s/%.*s", IDENTITY_NAME_MAX, id->pod_namespace,
                    IDENTITY_NAME_MAX, id->pod_name, IDENTITY_NAME_MAX, id->container_name);
        return pattern_list_match(l, name);
}

/* Matches the path, and "namespace/pod/container" for a named pod. */
static bool rank_match(const struct pattern_list *l, const struct candidate *cand)
{
        return pattern_list_match(l, cand->path) || score_match_pod(l, &cand->id);
}

static double qos_term(enum qos_class q)
{
        switch (q) {
        case QOS_BESTEFFORT:
                return SCORE_QOS_BESTEFFORT;
        case QOS_BURSTABLE:
                return SCORE_QOS_BURSTABLE;
        case QOS_GUARANTEED:
                return SCORE_QOS_GUARANTEED;
        case QOS_NONE:
        default:
                return SCORE_QOS_NONE;
        }
}

static double prefer_term(const struct config *c, const struct candidate *cand)
{
        double v = 0;

        if (rank_match(&c->rank.prefer, cand))
                v += SCORE_PREFER;
        if (rank_match(&c->rank.avoid, cand))
                v += SCORE_AVOID;
        return v;
}

void score_candidate(const struct config *c, const struct snapshot *prev,
                     const struct snapshot *cur, size_t index, struct ranked *ret)
{
        const struct candidate *cand = &cur->candidates[index];
        const struct scope_sample *scope = &cur->scopes[cand->scope];
        struct signals sig;

        *ret = (struct ranked){.index = index};
        score_signals(prev, cur, cand, &sig);
        ret->has_rates = sig.has_rates;
        ret->refault_per_s = sig.refault_per_s;
        ret->full_pct = sig.full_pct;
        ret->growth_bytes_per_s = sig.growth_bytes_per_s;
        ret->scan_per_s = sig.scan_per_s;
        ret->events_per_s = sig.events_per_s;
        ret->unreclaimable_bytes = score_unreclaimable_bytes(cand);
        ret->protect = score_protect(c, cur, cand, NULL);
        ret->last_resort = score_is_last_resort(cand);

        double ref = c->thrash.refault_per_s;
        double stall_ref = c->thrash.full_pct > 0 ? c->thrash.full_pct : 1;
        double stall;
        if (sig.has_psi)
                stall = sig.full_pct >= stall_ref ? 1 : sig.full_pct / stall_ref;
        else
                stall = 0.5; /* no group PSI (v1): unknown, counted as half the bar */
        double size = (double)score_scope_size_bytes(scope);

        double reclaim = lg_scale(sig.refault_per_s, ref) * (0.25 + 0.75 * stall);
        double scan = fmax(lg_scale(sig.scan_per_s, ref), lg_scale(sig.events_per_s, 1));
        double growth = lg_scale(sig.growth_bytes_per_s, size * SCORE_GROWTH_REF_SHARE);
        double unrecl = fmin(1, (double)ret->unreclaimable_bytes / size);

        /* Reclaim activity counts in proportion to what a kill would give
         * back: a cache reader refaulting at full speed but holding no
         * anonymous memory suffers the shortage, it does not cause it, and
         * killing it frees nothing that reclaim could not take anyway. */
        double holds = fmin(1, (double)ret->unreclaimable_bytes / (size * SCORE_HOLD_REF_SHARE));

        ret->activity =
            holds * (SCORE_W_RECLAIM * reclaim + SCORE_W_SCAN * scan) + SCORE_W_GROWTH * growth;
        ret->contribution = ret->activity + SCORE_W_UNRECL * unrecl;
        ret->score = ret->contribution;
        ret->score += qos_term(cand->id.qos);
        ret->score += (double)cand->oom_score_adj_max / SCORE_OOM_ADJ_DIV;
        ret->score += prefer_term(c, cand);
}

static int tier(const struct ranked *r)
{
        if (r->protect != PROTECT_NONE)
                return 2;
        return r->last_resort ? 1 : 0;
}

int score_compare(const struct snapshot *cur, const struct ranked *a, const struct ranked *b)
{
        const struct candidate *ca = &cur->candidates[a->index];
        const struct candidate *cb = &cur->candidates[b->index];
        int ta = tier(a), tb = tier(b);

        if (ta != tb)
                return ta < tb ? -1 : 1;
        if (a->score != b->score)
                return a->score > b->score ? -1 : 1;
        if (ca->s.usage_bytes != cb->s.usage_bytes)
                return ca->s.usage_bytes > cb->s.usage_bytes ? -1 : 1;
        int r = strcmp(ca->path, cb->path);
        if (r != 0)
                return r;
        return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

void score_format_why(const struct config *c, const struct snapshot *cur, const struct ranked *r,
                      char *buf, size_t size)
{
        const struct candidate *cand = &cur->candidates[r->index];
        const struct scope_sample *scope = &cur->scopes[cand->scope];
        const char *comm = NULL;
        char n1[16], n2[16];

        if (size == 0)
                return;
        buf[0] = 0;
        if (r->protect != PROTECT_NONE) {
                score_protect(c, cur, cand, &comm);
                if (comm)
                        str_appendf(buf, size, "protected (comm %.16s); ", comm);
                else
                        str_appendf(buf, size, "protected (%s); ",
                                    protect_reason_to_string(r->protect));
        } else if (r->last_resort) {
                str_appendf(buf, size, "last resort (%s); ",
                            cand->id.qos == QOS_GUARANTEED ? "guaranteed" : "oom_score_adj");
        }

        if (!r->has_rates) {
                str_appendf(buf, size, "no rates yet, ");
        } else {
                str_appendf(buf, size, "refaults %s/s, ", fmt_count(r->refault_per_s, n1));
                if (cand->s.has_psi)
                        str_appendf(buf, size, "full %.0f%%, ", r->full_pct);
                if (r->scan_per_s >= 1)
                        str_appendf(buf, size, "scan %s/s, ", fmt_count(r->scan_per_s, n1));
                if (r->events_per_s >= 1)
                        str_appendf(buf, size, "limit events %s/s, ",
                                    fmt_count(r->events_per_s, n1));
        }
        str_appendf(buf, size, "anon+shm %s (%.0f%% of scope), ",
                    fmt_bytes((double)r->unreclaimable_bytes, n1),
                    100.0 * (double)r->unreclaimable_bytes / (double)score_scope_size_bytes(scope));
        if (r->growth_bytes_per_s >= 64 * 1024)
                str_appendf(buf, size, "growing %s/s, ", fmt_bytes(r->growth_bytes_per_s, n2));
        if (cand->id.qos != QOS_NONE)
                str_appendf(buf, size, "%s, ", qos_class_to_string(cand->id.qos));
        if (cand->oom_score_adj_max != 0)
                str_appendf(buf, size, "adj %d, ", cand->oom_score_adj_max);
        if (rank_match(&c->rank.prefer, cand))
                str_appendf(buf, size, "prefer, ");
        if (rank_match(&c->rank.avoid, cand))
                str_appendf(buf, size, "avoid, ");
        str_appendf(buf, size, "score %.0f", r->score);
}

/* Keeps the best cap entries in ret, in order: insertion into a bounded
 * sorted array, so that ranking thousands of groups allocates nothing. */
size_t policy_rank(const struct config *c, const struct snapshot *prev, const struct snapshot *cur,
                   unsigned scope, struct ranked *ret, size_t cap)
{
        size_t n = 0;

        if (cap == 0 || scope >= cur->n_scopes || scope >= CONFIG_MAX_SCOPES)
                return 0;
        for (size_t i = 0; i < cur->n_candidates; i++) {
                struct ranked r;
                size_t lo = 0, hi = n;

                if (cur->candidates[i].scope != scope)
                        continue;
                score_candidate(c, prev, cur, i, &r);
                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;
                        if (score_compare(cur, &ret[mid], &r) < 0)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                if (lo >= cap)
                        continue;
                size_t keep = n < cap ? n : cap - 1;
                memmove(&ret[lo + 1], &ret[lo], (keep - lo) * sizeof(ret[0]));
                ret[lo] = r;
                if (n < cap)
                        n++;
        }
        for (size_t k = 0; k < n; k++) {
                ret[k].rank = (unsigned)(k + 1);
                score_format_why(c, cur, &ret[k], ret[k].why, sizeof(ret[k].why));
        }
        return n;
}

const char *protect_reason_to_string(enum protect_reason p)
{
        switch (p) {
        case PROTECT_SCOPE_ROOT:
                return "scope root";
        case PROTECT_PATTERN:
                return "[protect] cgroups";
        case PROTECT_COMM:
                return "[protect] comms";
        case PROTECT_OOM_NEVER:
                return "oom_score_adj -1000";
        case PROTECT_SANDBOX:
                return "pod sandbox";
        case PROTECT_NONE:
        default:
                return "none";
        }
}
