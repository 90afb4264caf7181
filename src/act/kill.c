/* The kill rounds: cgroup.kill where it reaches exactly the re-validated
 * tasks, then freeze -> SIGKILL through pidfds -> thaw over what is left,
 * process_mrelease on every victim, and a wait on the pidfds. */
#include "act/action-internal.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "observe/parse.h"

/* How long a kill round waits for the group to reach frozen before it
 * signals anyway (a task in uninterruptible sleep may hold it off). */
#define ROUND_FREEZE_WAIT_USEC (50 * USEC_PER_MSEC)

/* A kill round waits this long (times the round number, capped) for its
 * victims to exit before it looks for new tasks again. */
#define ROUND_WAIT_USEC     (50 * USEC_PER_MSEC)
#define ROUND_WAIT_MAX_USEC (500 * USEC_PER_MSEC)

/* Waits until every kept victim has exited or until_usec passes. */
static void wait_victims(struct work *w, uint64_t until_usec)
{
        struct pollfd pfd[ACTION_MAX_PIDFDS];
        size_t map[ACTION_MAX_PIDFDS];

        for (;;) {
                nfds_t n = 0;
                for (size_t i = 0; i < w->n_victims; i++) {
                        if (w->victims[i].exited)
                                continue;
                        pfd[n] = (struct pollfd){.fd = w->victims[i].pidfd, .events = POLLIN};
                        map[n++] = i;
                }
                if (n == 0)
                        return;
                int r = poll(pfd, n, poll_timeout_ms(until_usec));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return;
                for (nfds_t j = 0; j < n; j++)
                        if (pfd[j].revents)
                                w->victims[map[j]].exited = true;
        }
}

/* Stops at the deadline: each call may take tens of ms and wait for the
 * victim's mmap lock. */
static void release_memory(struct work *w)
{
        for (size_t i = 0; i < w->n_victims; i++) {
                struct victim *v = &w->victims[i];
                if (v->released || v->exited)
                        continue;
                keepalive(w);
                if (clock_monotonic_usec() >= w->deadline_usec)
                        return;
                v->released = true;
                if (w->mrelease_unsupported)
                        continue;
                int r = sys_process_mrelease(v->pidfd);
                if (r == -EAGAIN)
                        r = sys_process_mrelease(v->pidfd);
                /* ENOSYS: old kernel; EPERM: a seccomp filter that lacks it
                 * (SystemCallErrorNumber=EPERM). EINVAL: not exiting (yet),
                 * ESRCH: already gone. None of these stops the kill. */
                if (r == -ENOSYS || r == -EPERM) {
                        w->mrelease_unsupported = true;
                        log_debug_errno(r, "process_mrelease unavailable");
                } else if (r < 0 && r != -ESRCH && r != -EINVAL)
                        log_debug_errno(r, "process_mrelease(%d)", (int)v->pid);
        }
}

/* Signals every collected task that is not a victim yet. A task that
 * joined the group after re-validation is checked as re-validation checks
 * (it is left alone when protected, and then counted as left). */
static void signal_collected(struct work *w, bool resend)
{
        for (size_t i = 0; i < w->n_pids; i++) {
                pid_t pid = w->pids[i];
                struct victim *v = revalidate_victim_find(w, pid);
                int fd, r;

                keepalive(w);
                if (v) {
                        if (resend && !v->exited)
                                (void)sys_pidfd_send_signal(v->pidfd, SIGKILL);
                        continue;
                }
                fd = sys_pidfd_open(pid);
                if (fd < 0)
                        continue; /* ESRCH: gone already */
                if (!revalidate_task_in_group(w->l, pid, w->path) ||
                    (!revalidate_seen_has(w, pid) && revalidate_task_protected(w, pid) < 0)) {
                        close(fd);
                        continue;
                }
                r = sys_pidfd_send_signal(fd, SIGKILL);
                if (r < 0) {
                        if (r != -ESRCH && w->signal_error == 0)
                                w->signal_error = r;
                        close(fd);
                        continue;
                }
                revalidate_seen_add(w, pid);
                if (w->n_victims < ACTION_MAX_PIDFDS)
                        w->victims[w->n_victims++] = (struct victim){.pid = pid, .pidfd = fd};
                else
                        close(fd);
        }
}

int kill_read_usage(const struct cgroup_layout *l, const char *path, uint64_t *ret)
{
        struct cgroup_files f;
        uint64_t v;
        int r;

        cgroup_files_init(&f);
        r = cgroup_files_open(l, path, &f);
        if (r >= 0)
                r = f.memory_current >= 0 ? fd_read_count(f.memory_current, &v) : -ENODATA;
        cgroup_files_close(&f);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

/* Marks the re-validated tasks as seen and writes cgroup.kill where it
 * reaches exactly them. True when the group is already gone. */
static bool start_kill(struct work *w)
{
        struct action_result *res = w->res;
        int r;

        for (size_t i = 0; i < w->n_pids; i++)
                revalidate_seen_add(w, w->pids[i]);

        r = w->cgroup_kill_ok ? cgroup_kill(w->l, w->path) : -EOPNOTSUPP;
        if (r >= 0)
                res->used_cgroup_kill = true;
        else if (r == -ENOENT || r == -ENODEV) {
                res->already_gone = true;
                return true;
        } else if (r != -EOPNOTSUPP)
                log_debug_errno(r, "%s: cgroup.kill failed, killing task by task", w->path);
        else if (!w->cgroup_kill_ok)
                log_debug("%s: the unified mirror holds other tasks than the memory group, "
                          "killing task by task",
                          w->path);
        return false;
}

/* Collects what the group still holds; 0 when nothing (or the group is
 * gone), with the time it took to empty since t0. */
static int collect_left(struct work *w, uint64_t t0)
{
        int n = revalidate_collect(w);

        if (n == -ENOENT || n == -ENODEV || n == 0) {
                w->res->time_to_empty_usec = clock_monotonic_usec() - t0;
                return 0;
        }
        return n;
}

/* One round over the n tasks collected: freeze, look again, signal, thaw.
 * Returns what the last look gave. */
static int signal_round(struct work *w, unsigned round, int n)
{
        struct action_result *res = w->res;
        int r;

        /* cgroup.kill already stopped forks in what it covers; every later
         * round, and every round without it, freezes first so that a fork
         * storm cannot outrun the signals, then looks again. */
        if (!res->used_cgroup_kill || round > 0) {
                r = cgroup_set_frozen(w->l, w->path, true);
                if (r >= 0) {
                        uint64_t until = clock_monotonic_usec() + ROUND_FREEZE_WAIT_USEC;
                        (void)action_wait_frozen(
                            w, true, until < w->deadline_usec ? until : w->deadline_usec);
                        n = revalidate_collect(w);
                }
        }
        if (n > 0) {
                signal_collected(w, round > 0);
                /* Not through a mirror: its tasks are only known to match as
                 * of re-validation. */
                if (res->used_cgroup_kill && round > 0 && !w->has_mirror)
                        (void)cgroup_kill(w->l, w->path);
        }
        /* Thaw on every path, also when we did not freeze: a group frozen
         * before (freeze-kill) must thaw for its tasks to die under the v1
         * freezer. */
        r = cgroup_set_frozen(w->l, w->path, false);
        if (r < 0 && r != -EOPNOTSUPP && r != -ENOENT && r != -ENODEV)
                log_warning_errno(r, "%s: could not thaw", w->path);
        res->rounds = round + 1;
        return n;
}

/* Waits a growing slice for the victims after round; false when the
 * deadline or the round limit is reached. */
static bool wait_next_round(struct work *w, unsigned round)
{
        keepalive(w);
        uint64_t now = clock_monotonic_usec();
        if (now >= w->deadline_usec || round + 1 >= ACTION_MAX_ROUNDS)
                return false;
        uint64_t slice = ROUND_WAIT_USEC * (round + 1);
        if (slice > ROUND_WAIT_MAX_USEC)
                slice = ROUND_WAIT_MAX_USEC;
        uint64_t until = now + slice < w->deadline_usec ? now + slice : w->deadline_usec;
        wait_victims(w, until);
        return true;
}

int kill_group(struct work *w, uint64_t t0)
{
        struct action_result *res = w->res;
        int n;

        if (start_kill(w))
                return 0;
        for (unsigned round = 0;; round++) {
                n = collect_left(w, t0);
                if (n == 0)
                        return 0;
                if (n < 0)
                        goto fail;
                n = signal_round(w, round, n);
                if (n < 0 && n != -ENOENT && n != -ENODEV)
                        goto fail;
                /* process_mrelease reaps synchronously (tens of ms for a
                 * few hundred MiB) and may wait for the victim's mmap lock:
                 * only for victims that have not exited by themselves. */
                wait_victims(w, 0);
                release_memory(w);
                if (!wait_next_round(w, round))
                        break;
        }

        /* Deadline or round limit. The signals of the last round get one
         * short wait (the deadline may have passed while the kernel was
         * slow to take cgroup.kill), then what is left is counted,
         * honestly. */
        wait_victims(w, clock_monotonic_usec() + ROUND_WAIT_MAX_USEC);
        n = collect_left(w, t0);
        if (n == 0)
                return 0;
        if (n < 0)
                goto fail;
        res->tasks_left = (unsigned)n;
        res->partial = true;
        snprintf(res->detail, sizeof res->detail, "%u task(s) left after %u round(s)%s%s",
                 res->tasks_left, res->rounds, w->signal_error ? ": " : "",
                 w->signal_error ? strerror(-w->signal_error) : "");
        return -ETIMEDOUT;

fail:
        /* Signals already sent stay sent; what is left is unknown. */
        res->partial = true;
        snprintf(res->detail, sizeof res->detail, "cannot list the group's tasks: %s",
                 strerror(-n));
        return n;
}

void kill_count_killed(struct work *w)
{
        unsigned still = 0;
        if (w->res->already_gone) {
                w->res->tasks_killed = 0;
                return;
        }
        if (w->res->tasks_left > 0)
                for (size_t i = 0; i < w->n_pids; i++)
                        if (revalidate_seen_has(w, w->pids[i]))
                                still++;
        w->res->tasks_killed = w->n_seen > still ? (unsigned)(w->n_seen - still) : 0;
}
