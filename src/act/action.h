/* The act layer: kill, freeze and thaw a group, completely and without
 * races, and say exactly what happened. This is the only place that looks
 * at [daemon] dry_run: in dry-run the target is re-validated (read-only)
 * and nothing is touched. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "observe/cgroup.h"
#include "config/config.h"
#include "decide/policy.h"
#include "observe/snapshot.h"

/* Victims whose pidfds are kept for process_mrelease and for the wait; more
 * tasks than this are still killed (their pidfd is closed at once). */
#define ACTION_MAX_PIDFDS 1024
/* Distinct pids remembered per action, for counting and deduplication; a
 * group with more tasks is refused (-E2BIG), since they could not all be
 * checked. */
#define ACTION_MAX_TASKS 8192
/* Freeze/kill/thaw rounds before a kill is reported partial (fork storms). */
#define ACTION_MAX_ROUNDS 32

/* What an action did. Filled on every return, success or not. */
struct action_result {
        int error;             /* the return value of action_execute() */
        bool dry_run;          /* nothing was touched */
        bool already_gone;     /* the target no longer existed (or was recreated) */
        bool partial;          /* kill: tasks left at the deadline; freeze: not confirmed */
        bool confirmed_frozen; /* freeze: the kernel reported the group frozen */
        bool used_cgroup_kill; /* kill: cgroup.kill was written */
        unsigned rounds;       /* kill: freeze/signal/thaw rounds */
        unsigned tasks_killed; /* distinct tasks signalled or present that are gone */
        unsigned tasks_left;   /* tasks still in the group at the end */
        uint64_t usage_before_bytes, usage_after_bytes;
        uint64_t freed_bytes;        /* usage before - after, 0 if it grew */
        uint64_t time_to_empty_usec; /* kill: from the first signal to empty; freeze: to frozen */
        uint64_t duration_usec;      /* the whole action, re-validation included */
        char detail[160];            /* why it failed or was partial, "" otherwise */
};

/* Called now and then during a long wait (the kill's, a freeze's) with
 * when it last ran; the daemon feeds its watchdog from it. */
typedef void (*action_keepalive_fn)(uint64_t *last_usec);

/* Carries out d (KILL, FREEZE or THAW) on the group it names. cur is the
 * snapshot the decision was made on (for the candidate's figures; may be
 * NULL). Before acting, the target is re-validated: it still exists with
 * the same cgroup_id, its path does not match [protect] cgroups, and none
 * of its tasks (in the memory hierarchy and, in hybrid mode, in the unified
 * mirror that cgroup.kill and freezing act on) is at oom_score_adj -1000,
 * named in [protect] comms, or unreadable. A THAW is only checked to be the
 * same group: it is never refused for protection.
 *
 * In [action] mode freeze-kill, a KILL (which follows the FREEZE of the
 * same group) thaws the group on every way out, refused or failed ones
 * included; a FREEZE that fails other than by timing out is undone.
 *
 * Returns 0 when done (including dry-run and "already gone": see the
 * result's flags), -ETIMEDOUT when a kill left tasks behind or a freeze was
 * not confirmed by [action] kill_timeout (partial set, the tasks that could
 * be killed are; a freeze request stays in force), -EPERM when
 * re-validation found the target protected, -E2BIG when it has more tasks
 * than ACTION_MAX_TASKS or groups nested too deep to check them all
 * (nothing touched in either case), -EINVAL for a decision that is not an
 * action, other negative errno when the group could not be acted on. ret is
 * always filled. */
int action_execute(const struct cgroup_layout *l, const struct config *c, const struct decision *d,
                   const struct snapshot *cur, struct action_result *ret);

/* action_execute, calling keepalive (may be NULL) during its waits. */
int action_run(const struct cgroup_layout *l, const struct config *c, const struct decision *d,
               const struct snapshot *cur, action_keepalive_fn keepalive,
               struct action_result *ret);
