/* Signals and victim scoring, internal to the decide layer: windows of
 * counter samples, per-candidate signals over the last interval, the score formula (written down in
 * score.c), the protection and last-resort rules, the ranking order and the one-line `why`. Pure:
 * no I/O, no clock, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decide/policy.h"
#include "base/util.h"

/* The weights of the formula (see score.c). */
#define SCORE_W_RECLAIM      35.0
#define SCORE_W_SCAN         15.0
#define SCORE_W_GROWTH       30.0
#define SCORE_W_UNRECL       20.0
#define SCORE_QOS_BESTEFFORT 15.0
#define SCORE_QOS_BURSTABLE  5.0
#define SCORE_QOS_NONE       5.0
#define SCORE_QOS_GUARANTEED 0.0
#define SCORE_OOM_ADJ_DIV    100.0 /* oom_score_adj_max / 100: -10 .. +10 */
#define SCORE_PREFER         10.0
#define SCORE_AVOID          (-10.0)
/* Growth saturates on a log scale from this share of the scope per second. */
#define SCORE_GROWTH_REF_SHARE 0.0005
/* Unreclaimable memory (share of the scope) at which reclaim activity
 * counts fully in the score. */
#define SCORE_HOLD_REF_SHARE 0.05

/* A candidate with this much activity (reclaim at [thrash] refault_per_s
 * under full stall, or growth of 0.05% of the scope a second) is part of
 * the pressure; one with less is only chosen if its memory alone would
 * restore the headroom. */
#define SCORE_ACTIVE_MIN 3.0

/* Windows of counter samples (struct policy_window): stall shares and rates
 * over a window that spans several ticks. */
void signal_window_reset(struct policy_window *w);
/* Appends a sample; the same time again is ignored, an earlier one starts
 * the window afresh. */
void signal_window_push(struct policy_window *w, uint64_t time_usec, const uint64_t v[3]);
/* Picks the span to measure over: from the newest sample at least
 * window_usec old; if that span exceeds two windows (sparse idle ticks),
 * from the oldest sample within the window (at least one tick); if there
 * is none, the whole gap. False when there is no earlier sample. */
bool signal_window_span(const struct policy_window *w, uint64_t window_usec,
                        const struct policy_sample **ret_from, const struct policy_sample **ret_to);
/* Share of time (0..100) and rate per second of counter k over a span;
 * a counter that went backwards counts 0. */
double signal_span_pct(const struct policy_sample *from, const struct policy_sample *to, int k);
double signal_span_rate(const struct policy_sample *from, const struct policy_sample *to, int k);

/* A candidate's counters over the last interval. */
struct signals {
        bool has_rates; /* prev has the group with the same cgroup_id, dt > 0 */
        bool has_psi;   /* and both samples hold the group's own PSI */
        double refault_per_s, scan_per_s, events_per_s, growth_bytes_per_s;
        double some_pct, full_pct;
};

void score_signals(const struct snapshot *prev, const struct snapshot *cur,
                   const struct candidate *cand, struct signals *ret);

/* anon + shmem + unevictable, of a group or a scope. */
uint64_t score_unreclaimable_stat_bytes(const struct memstat *m);
uint64_t score_unreclaimable_bytes(const struct candidate *cand);

/* The size shares are taken of: the scope's limit (MemTotal for "/"), its
 * usage when it has no limit, never 0. */
uint64_t score_scope_size_bytes(const struct scope_sample *s);

/* Why a candidate may never be chosen; ret_comm (may be NULL) gets the
 * matching comm for PROTECT_COMM. */
enum protect_reason score_protect(const struct config *c, const struct snapshot *cur,
                                  const struct candidate *cand, const char **ret_comm);

bool score_is_last_resort(const struct candidate *cand);

/* True when "namespace/pod/container" of a named Kubernetes container
 * matches a pattern of l ([protect] pods, [rank] prefer and avoid). */
bool score_match_pod(const struct pattern_list *l, const struct identity *id);

/* Fills everything of ret but rank and why. */
void score_candidate(const struct config *c, const struct snapshot *prev,
                     const struct snapshot *cur, size_t index, struct ranked *ret);

/* The one-line `why` of a scored candidate. */
void score_format_why(const struct config *c, const struct snapshot *cur, const struct ranked *r,
                      char *buf, size_t size);

/* Ranking order: < 0 when a comes before b. Total and deterministic. */
int score_compare(const struct snapshot *cur, const struct ranked *a, const struct ranked *b);
