/* The daemon's context: all its mutable state, shared by the loop
 * (daemon.c) and the PSI triggers (triggers.c). Not for use outside
 * daemon/. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "act/alert.h"
#include "act/journal-send.h"
#include "act/metrics.h"
#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/freeze-keeper.h"
#include "daemon/state-file.h"
#include "decide/policy.h"
#include "observe/fsroot.h"
#include "observe/observer.h"
#include "observe/snapshot.h"

#define MAX_TRIGGERS (CONFIG_MAX_SCOPES + 1)

struct trigger {
        char path[CGROUP_PATH_MAX + 64]; /* relative to the root */
        int fd;                          /* -EBADF while not armed */
        sd_event_source *source;
};

struct context {
        const struct run_options *opts;
        struct fsroot root;
        struct config *config;
        struct observer *observer;

        struct snapshot snaps[2];
        unsigned cur;     /* snaps[cur] is the latest */
        unsigned n_taken; /* snapshots taken with this observer (0: no prev) */
        struct policy_state policy;

        sd_event *event;
        sd_event_source *timer;
        sd_event_source *sig_term, *sig_int, *sig_hup;

        struct trigger triggers[MAX_TRIGGERS];
        unsigned n_triggers;
        uint64_t window_usec; /* accepted trigger window; 0 until one is armed */
        bool polling;         /* no trigger could be armed */
        bool logged_window_fallback, logged_polling, logged_take_error;
        uint64_t last_trigger_usec;
        bool probe_due; /* a trigger woke the loop: measure again shortly */

        bool ready;
        struct ranked ranked[ALERT_MAX_TOP];
        struct journal_sender journal;
        struct freeze_keeper keeper;
        struct metrics metrics;
        struct state_file state;
};

/* Runs the next tick at when (CLOCK_MONOTONIC), or sooner if one is due. */
void daemon_schedule_tick(struct context *ctx, uint64_t when);

/* PSI triggers (triggers.c): one per scope, on the scope's own pressure. */
/* The trigger threshold, percent of the window. */
double triggers_pct(const struct config *c);
/* Closes every trigger and arms one per configured scope. */
void triggers_setup(struct context *ctx);
/* (Re)arms every trigger that is not armed; polls when none is. */
void triggers_arm_missing(struct context *ctx);
void triggers_close(struct context *ctx);

/* Self-protection (self-protect.c): memory locked, the stack pre-faulted,
 * oom_score_adj -1000. Failures are logged, never fatal. */
void self_protect(const struct fsroot *root);
