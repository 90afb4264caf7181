/* What protects a candidate, and what makes it a last resort
 * (thrashguard(8), DESCRIPTION). Pure. */
#pragma once

#include <stdbool.h>

#include "config/config.h"
#include "decide/decision.h"
#include "observe/identity.h"
#include "observe/snapshot.h"

/* Why a candidate may never be chosen; ret_comm (may be NULL) gets the
 * matching comm for PROTECT_COMM. */
enum protect_reason protect_check(const struct config *c, const struct snapshot *cur,
                                  const struct candidate *cand, const char **ret_comm);

/* Guaranteed, or oom_score_adj -999..-997: chosen only when no other is left. */
bool protect_is_last_resort(const struct candidate *cand);

/* True when "namespace/pod/container" of a named Kubernetes container
 * matches a pattern of l ([protect] pods, [rank] prefer and avoid). */
bool protect_match_pod(const struct pattern_list *l, const struct identity *id);
