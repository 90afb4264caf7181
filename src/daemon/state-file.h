/* The daemon's live state file, STATE_REPORT_FILE in its runtime
 * directory: the state of every tick (state-report.h) written atomically
 * after the tick's actions, only when it differs from the last one written
 * (the time aside), for `thrashguard status` and whoever else reads it.
 * Removed when the daemon stops. A file that cannot be written is logged
 * once and never stops a decision. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "act/freeze-record.h"
#include "act/state-report.h"
#include "config/config.h"
#include "decide/decision.h"
#include "decide/policy.h"
#include "observe/cgroup.h"
#include "observe/snapshot.h"

struct state_file {
        int dir_fd; /* the runtime directory, -EBADF: nothing is written */
        char dir[256];
        char *buf[2];                /* the text being built and the last one written */
        size_t size;                 /* of each */
        unsigned cur;                /* buf[cur] is built next */
        size_t last_len, last_after; /* of buf[cur ^ 1]; last_len 0: none written */
        int64_t realtime_offset_usec;
        struct ranked ranked[CONFIG_MAX_SCOPES][STATE_REPORT_TOP];
        struct state_decision decisions[STATE_REPORT_MAX_DECISIONS];
        size_t n_decisions;
        bool logged_error;
};

/* Allocates the buffers and opens dir (created by the freeze keeper).
 * Never fails the daemon: without them, nothing is written (said once). */
void state_file_open(struct state_file *sf, const char *dir);
/* Removes the file (a stopped daemon has no state) and frees. */
void state_file_close(struct state_file *sf);

/* After a tick's decision d was carried out (action_result: what the act
 * layer returned, 0 when it did not run): records d when it is one, ranks
 * each scope and writes the file if its content changed. */
void state_file_publish(struct state_file *sf, const struct config *c,
                        const struct cgroup_layout *l, const struct policy_state *st,
                        const struct freeze_records *frozen, const struct snapshot *prev,
                        const struct snapshot *cur, const struct decision *d, int action_result);
