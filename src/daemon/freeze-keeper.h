/* What the daemon does with the record of the groups it froze
 * (freeze-record.h): record a group before freezing it, clear the record
 * when it thaws or kills it, and at start resolve every record as the
 * daemon that wrote it would have:
 *
 *  - a group that is gone, recreated (another cgroup id) or no longer
 *    frozen (thawed by someone) is dropped, and never touched;
 *  - freeze-kill: the grace is handed to the policy, counted from the
 *    recorded time (CLOCK_BOOTTIME), and ends in a KILL if the rule holds
 *    on fresh samples, else a THAW; a group the policy cannot take (out of
 *    every scope now, another group pending in its scope, a dry-run
 *    daemon) is thawed at once;
 *  - freeze: the group stays frozen, counted as the daemon's own action
 *    (the scope's action and cooldown from the recorded time; a frozen
 *    group is never chosen again) and listed by `thrashguard status` until
 *    an operator thaws it (`thrashguard thaw CGROUP`).
 *
 * On every tick the records are checked against the kernel: a freeze
 * record whose group was thawed or removed is dropped; a freeze-kill
 * record the policy no longer holds pending is thawed and dropped; the
 * file is written again when it changed or was replaced by someone else.
 * None of this waits on anyone: the file is on tmpfs, the checks are
 * cgroupfs reads. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "act/action.h"
#include "observe/cgroup.h"
#include "config/config.h"
#include "daemon/daemon.h"
#include "act/freeze-record.h"
#include "decide/policy.h"
#include "observe/snapshot.h"

struct freeze_keeper {
        int dir_fd; /* the runtime directory, -EBADF when it cannot be used */
        char dir[256];
        struct freeze_records recs;
        bool to_resolve; /* records loaded at start, not yet resolved */
        bool dirty;      /* recs differ from the file */
        uint64_t file_ino;
        bool logged_save_error;
};

/* Opens (creating it if need be) the runtime directory and loads the
 * records left by an earlier daemon; a garbage file is reported here, once,
 * and ignored (it is replaced when a record is next written). Never fails
 * the daemon: without a directory, nothing is recorded (said once). */
void freeze_keeper_open(struct freeze_keeper *k, const char *dir);
void freeze_keeper_close(struct freeze_keeper *k);

/* Before a FREEZE that is not a dry-run: records the group. Returns 0, or
 * negative errno when it could not be recorded (logged once; the freeze
 * goes ahead: not acting is worse). */
int freeze_keeper_before_freeze(struct freeze_keeper *k, const struct config *c,
                                const struct decision *d);
/* After a KILL, FREEZE or THAW with result r: clears the record when the
 * group is no longer frozen by us (killed, thawed, gone, a failed freeze
 * undone). */
void freeze_keeper_after_action(struct freeze_keeper *k, const struct decision *d, int r,
                                const struct action_result *res);

/* Once, on the first snapshot and before the first decision. now_usec:
 * CLOCK_MONOTONIC of that snapshot. */
void freeze_keeper_resolve(struct freeze_keeper *k, const struct cgroup_layout *l,
                           const struct config *c, struct policy_state *st,
                           const struct snapshot *cur, uint64_t now_usec);
/* Every tick, after the decision was carried out. */
void freeze_keeper_reconcile(struct freeze_keeper *k, const struct cgroup_layout *l,
                             const struct policy_state *st);

/* `thrashguard thaw CGROUP`: thaws the group and clears its record.
 * Returns 0, -ENOENT when there is no such group, other negative errno. */
int freeze_keeper_thaw_command(const struct run_options *o, const char *cgroup);

/* For `thrashguard status`: the records of the runtime directory, checked
 * against the kernel (a record whose group is gone, recreated or thawed is
 * not listed). *ret_garbage: the file exists but could not be read or
 * parsed. */
int freeze_keeper_list(const char *dir, const struct cgroup_layout *l, struct freeze_records *ret,
                       bool *ret_garbage);
