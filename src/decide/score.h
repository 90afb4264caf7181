/* The victim score of one candidate and its one-line `why`: the formula
 * of thrashguard(8), Victim ranking. Pure: no I/O, no clock, no
 * allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "decide/decision.h"
#include "observe/snapshot.h"
#include "base/util.h"

/* The weights of the formula (thrashguard(8), Victim ranking). */
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

/* Fills everything of ret but rank and why. */
void score_candidate(const struct config *c, const struct snapshot *prev,
                     const struct snapshot *cur, size_t index, struct ranked *ret);

/* The one-line `why` of a scored candidate. */
void score_format_why(const struct config *c, const struct snapshot *cur, const struct ranked *r,
                      char *buf, size_t size);
