/* The victim score: each candidate's contribution to the pressure, then
 * QoS, oom_score_adj and the [rank] patterns. The formula is stated in
 * full in thrashguard(8), Victim ranking (and summarised for [rank] in
 * conf/thrashguard.conf); the weights are score.h's. Every candidate gets a
 * one-line `why`, e.g. "refaults 250k/s, full 38%, scan 300k/s, anon+shm
 * 300M (29% of scope), growing 12M/s, besteffort, adj 1000, score 71". */
#include "decide/score.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/format.h"
#include "decide/protect.h"
#include "decide/signals.h"

static double lg_scale(double x, double x0)
{
        if (!(x > 0))
                return 0;
        if (!(x0 > 0))
                x0 = 1;
        double v = log10(1 + x / x0) / 3;
        return v > 1 ? 1 : v;
}

/* Matches the path, and "namespace/pod/container" for a named pod. */
static bool rank_match(const struct pattern_list *l, const struct candidate *cand)
{
        return pattern_list_match(l, cand->path) || protect_match_pod(l, &cand->id);
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
        signals_compute(prev, cur, cand, &sig);
        ret->has_rates = sig.has_rates;
        ret->refault_per_s = sig.refault_per_s;
        ret->full_pct = sig.full_pct;
        ret->growth_bytes_per_s = sig.growth_bytes_per_s;
        ret->scan_per_s = sig.scan_per_s;
        ret->events_per_s = sig.events_per_s;
        ret->unreclaimable_bytes = signals_unreclaimable_bytes(cand);
        ret->protect = protect_check(c, cur, cand, NULL);
        ret->last_resort = protect_is_last_resort(cand);

        double ref = c->thrash.refault_per_s;
        double stall_ref = c->thrash.full_pct > 0 ? c->thrash.full_pct : 1;
        double stall;
        if (sig.has_psi)
                stall = sig.full_pct >= stall_ref ? 1 : sig.full_pct / stall_ref;
        else
                stall = 0.5; /* no group PSI (v1): unknown, counted as half the bar */
        double size = (double)signals_scope_size_bytes(scope);

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
        ret->qos_term = qos_term(cand->id.qos);
        ret->oom_adj_term = (double)cand->oom_score_adj_max / SCORE_OOM_ADJ_DIV;
        ret->preference_term = prefer_term(c, cand);
        ret->score = ret->contribution + ret->qos_term + ret->oom_adj_term + ret->preference_term;
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
                protect_check(c, cur, cand, &comm);
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
                    100.0 * (double)r->unreclaimable_bytes /
                        (double)signals_scope_size_bytes(scope));
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
