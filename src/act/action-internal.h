/* Inside the act layer's action (action.h), shared by its files: the
 * re-validation of a group's tasks (revalidate.c), the kill rounds through
 * pidfds (kill.c) and the action itself, freeze and thaw (action.c). Not
 * for use outside act/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "act/action.h"
#include "base/util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

/* The raw syscalls, so that a C library without the wrappers still builds;
 * they return 0/fd or -errno. */
static inline int sys_pidfd_open(pid_t pid)
{
        long r = syscall(SYS_pidfd_open, pid, 0);
        return r < 0 ? -errno : (int)r;
}
static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
        return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}
static inline int sys_process_mrelease(int pidfd)
{
        return syscall(SYS_process_mrelease, pidfd, 0) < 0 ? -errno : 0;
}

struct victim {
        pid_t pid;
        int pidfd;
        bool released; /* process_mrelease done (or not possible) */
        bool exited;   /* the pidfd polled readable */
};

/* One action's work area. */
struct work {
        const struct cgroup_layout *l;
        const struct config *c;
        const char *path;
        struct action_result *res;
        uint64_t deadline_usec;

        pid_t pids[ACTION_MAX_TASKS]; /* the latest collection (memory tree) */
        size_t n_pids;                /* stored */
        unsigned n_found;             /* found, may exceed what is stored */

        pid_t mirror[ACTION_MAX_TASKS]; /* hybrid: the mirror's tasks at re-validation */
        size_t n_mirror;
        bool has_mirror;     /* the layout has a separate mirror (hybrid) */
        bool comm_protects;  /* the target is a system service: [protect] comms apply */
        bool cgroup_kill_ok; /* cgroup.kill reaches exactly the re-validated tasks */

        pid_t seen[ACTION_MAX_TASKS]; /* sorted, distinct */
        size_t n_seen;

        struct victim victims[ACTION_MAX_PIDFDS];
        size_t n_victims;
        bool mrelease_unsupported;
        int signal_error;              /* first error other than ESRCH from pidfd_send_signal */
        action_keepalive_fn keepalive; /* NULL: none */
        uint64_t keepalive_usec;       /* its last call */
};

/* [action] kill_timeout may be longer than the unit's WatchdogSec: a wait
 * that is bounded by its deadline keeps the watchdog fed through the
 * caller's keepalive. */
static inline void keepalive(struct work *w)
{
        if (w->keepalive)
                w->keepalive(&w->keepalive_usec);
}

static inline void sleep_usec(uint64_t usec)
{
        struct timespec ts = {.tv_sec = (time_t)(usec / USEC_PER_SEC),
                              .tv_nsec = (long)(usec % USEC_PER_SEC) * 1000};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static inline int poll_timeout_ms(uint64_t until_usec)
{
        uint64_t now = clock_monotonic_usec();
        if (now >= until_usec)
                return 0;
        uint64_t ms = (until_usec - now + 999) / 1000;
        return ms > 60000 ? 60000 : (int)ms;
}

/* Re-validation (revalidate.c). */
/* The memory group's tasks into w->pids. */
int revalidate_collect(struct work *w);

bool revalidate_seen_has(const struct work *w, pid_t pid);

void revalidate_seen_add(struct work *w, pid_t pid);

struct victim *revalidate_victim_find(struct work *w, pid_t pid);

/* True when the task's memory hierarchy group (/proc/PID/cgroup) is path
 * or a group below it. Checked after pidfd_open: if the process died and
 * its pid was reused meanwhile, the check sees the newcomer, and a signal
 * through the pidfd then reaches nobody (ESRCH); the pidfd can never hit a
 * stranger. */
bool revalidate_task_in_group(const struct cgroup_layout *l, pid_t pid, const char *path);

/* -EPERM (with detail) when a task of the group must not be touched: at
 * oom_score_adj -1000, named in [protect] comms, or unreadable (only
 * ENOENT/ESRCH say that a task is gone; anything else could hide a
 * protected task). */
int revalidate_task_protected(struct work *w, pid_t pid);

/* Re-validation right before acting. Returns 0 (valid: w->pids holds the
 * memory group's tasks, w->cgroup_kill_ok is set), 1 when the target is
 * already gone, -EPERM when it is protected, -E2BIG when its tasks could
 * not all be checked, other negative errno on failure. A THAW checks only
 * that the group is the same: undoing a freeze is never refused. */
int revalidate(struct work *w, const struct decision *d);

/* Kill rounds (kill.c). */
int kill_read_usage(const struct cgroup_layout *l, const char *path, uint64_t *ret);

int kill_group(struct work *w, uint64_t t0);

void kill_count_killed(struct work *w);

/* Waits for the freeze state (action.c). */
/* Polls cgroup_is_frozen() until it equals want or until_usec passes.
 * Returns 1 reached, 0 timed out, negative errno (-ENOENT: gone). */
int action_wait_frozen(struct work *w, bool want, uint64_t until_usec);
