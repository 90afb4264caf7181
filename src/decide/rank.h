/* The ranking of a scope's candidates: scored (score.h), then ordered. */
#pragma once

#include <stddef.h>

#include "config/config.h"
#include "decide/decision.h"
#include "observe/snapshot.h"

/* Ranks the candidates of scope `scope` of cur (prev, one interval
 * earlier, gives the rates; NULL on the first tick: rates are 0). Writes at
 * most cap entries to ret, sorted by rank: eligible candidates by score,
 * then last-resort ones, then protected ones; ties by usage (larger first),
 * then path. Returns the number of entries written. Allocates nothing;
 * deterministic for equal inputs. */
size_t rank_scope(const struct config *c, const struct snapshot *prev, const struct snapshot *cur,
                  unsigned scope, struct ranked *ret, size_t cap);

/* Ranking order: < 0 when a comes before b. Total and deterministic. */
int rank_compare(const struct snapshot *cur, const struct ranked *a, const struct ranked *b);
