/* The act layer. A kill is: cgroup.kill where the layout has it (atomic
 * against forks), then rounds of freeze -> SIGKILL through pidfds -> thaw
 * over whatever the memory group still holds, then process_mrelease on
 * every victim so that its memory returns at once, and a wait on the pidfds
 * until the group is empty or the deadline passes.
 *
 * Hybrid mode: the memory group decides membership, but cgroup.kill and a
 * freeze through the unified mirror act on the mirror's tasks, which need
 * not be the same. Re-validation therefore checks the tasks of both, and
 * cgroup.kill is used only when the mirror holds exactly the memory group's
 * tasks; otherwise the kill goes task by task through pidfds.
 *
 * freeze-kill: the KILL that follows a FREEZE thaws the group on every
 * path out of action_execute(), so that a refused or failed kill never
 * leaves it frozen for ever; a THAW is never refused by protection.
 *
 * Everything lives in fixed arrays in one work area on the stack: no
 * allocation while acting. */
#include "act/action.h"

#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>

#include "base/log.h"
#include "decide/protect.h"
#include "base/util.h"
#include "observe/proc.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

/* Used when [action] kill_timeout is 0. */
#define DEFAULT_TIMEOUT_USEC (10 * USEC_PER_SEC)
/* How long a kill round waits for the group to reach frozen before it
 * signals anyway (a task in uninterruptible sleep may hold it off). */
#define ROUND_FREEZE_WAIT_USEC (50 * USEC_PER_MSEC)
/* A kill round waits this long (times the round number, capped) for its
 * victims to exit before it looks for new tasks again. */
#define ROUND_WAIT_USEC     (50 * USEC_PER_MSEC)
#define ROUND_WAIT_MAX_USEC (500 * USEC_PER_MSEC)

/* The raw syscalls, so that a C library without the wrappers still builds;
 * they return 0/fd or -errno. */
static int sys_pidfd_open(pid_t pid)
{
        long r = syscall(SYS_pidfd_open, pid, 0);
        return r < 0 ? -errno : (int)r;
}

static int sys_pidfd_send_signal(int pidfd, int sig)
{
        return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

static int sys_process_mrelease(int pidfd)
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
static void keepalive(struct work *w)
{
        if (w->keepalive)
                w->keepalive(&w->keepalive_usec);
}

static void work_done(struct work *w)
{
        for (size_t i = 0; i < w->n_victims; i++)
                w->victims[i].pidfd = safe_close(w->victims[i].pidfd);
        w->n_victims = 0;
}

static void sleep_usec(uint64_t usec)
{
        struct timespec ts = {.tv_sec = (time_t)(usec / USEC_PER_SEC),
                              .tv_nsec = (long)(usec % USEC_PER_SEC) * 1000};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int poll_timeout_ms(uint64_t until_usec)
{
        uint64_t now = clock_monotonic_usec();
        if (now >= until_usec)
                return 0;
        uint64_t ms = (until_usec - now + 999) / 1000;
        return ms > 60000 ? 60000 : (int)ms;
}

/* --- collecting the tasks of a group and its descendants --- */

struct walk {
        const struct cgroup_layout *l;
        pid_t *pids;
        size_t n; /* stored, at most ACTION_MAX_TASKS */
        unsigned found;
};

static int collect_group(const struct cgroup_descendant *d, void *userdata)
{
        struct walk *k = userdata;
        _cleanup_close_ int fd = cgroup_descendant_procs_open(d);
        int r;

        if (fd == -ENOENT || fd == -ENODEV)
                return 0; /* a group that vanished mid-walk is not an error */
        if (fd < 0)
                return fd;
        /* While tasks exit, cgroup.procs may briefly list one whose pid is
         * already detached as "0", which the reader rejects: read again. */
        for (unsigned try = 0;; try++) {
                r = cgroup_read_pids(fd, k->pids + k->n, ACTION_MAX_TASKS - k->n);
                if (r != -EINVAL || try >= 20)
                        break;
                sleep_usec(200);
        }
        if (r < 0)
                return r;
        k->found = (unsigned)r > UINT32_MAX - k->found ? UINT32_MAX : k->found + (unsigned)r;
        k->n += (size_t)r < ACTION_MAX_TASKS - k->n ? (size_t)r : ACTION_MAX_TASKS - k->n;
        return 0;
}

/* Fills pids[ACTION_MAX_TASKS] with the tasks of path and its descendants,
 * at any depth, in one tree; *ret_n says how many were stored. Returns the
 * number found (more than stored when they did not fit), -ENOENT when the
 * group is gone. */
static int collect_tree(const struct cgroup_layout *l, enum cgroup_tree tree, const char *path,
                        pid_t *pids, size_t *ret_n)
{
        struct walk k = {.l = l, .pids = pids};
        int r = cgroup_tree_for_each_descendant(l, tree, path, collect_group, &k);

        *ret_n = k.n;
        if (r < 0)
                return r;
        return (int)(k.found > INT32_MAX ? INT32_MAX : k.found);
}

/* The memory group's tasks into w->pids. */
static int collect(struct work *w)
{
        int r = collect_tree(w->l, CGROUP_TREE_MEMORY, w->path, w->pids, &w->n_pids);
        w->n_found = r > 0 ? (unsigned)r : 0;
        return r;
}

/* --- the seen set (sorted) --- */

static size_t seen_lower_bound(const struct work *w, pid_t pid)
{
        size_t lo = 0, hi = w->n_seen;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (w->seen[mid] < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static bool seen_has(const struct work *w, pid_t pid)
{
        size_t i = seen_lower_bound(w, pid);
        return i < w->n_seen && w->seen[i] == pid;
}

static void seen_add(struct work *w, pid_t pid)
{
        size_t i = seen_lower_bound(w, pid);
        if ((i < w->n_seen && w->seen[i] == pid) || w->n_seen >= ACTION_MAX_TASKS)
                return;
        memmove(w->seen + i + 1, w->seen + i, (w->n_seen - i) * sizeof(pid_t));
        w->seen[i] = pid;
        w->n_seen++;
}

static struct victim *victim_find(struct work *w, pid_t pid)
{
        for (size_t i = 0; i < w->n_victims; i++)
                if (w->victims[i].pid == pid)
                        return &w->victims[i];
        return NULL;
}

/* --- /proc checks --- */

static bool task_gone(int r)
{
        return r == -ENOENT || r == -ESRCH;
}

/* True when the task's memory hierarchy group (/proc/PID/cgroup) is path
 * or a group below it. Checked after pidfd_open: if the process died and
 * its pid was reused meanwhile, the check sees the newcomer, and a signal
 * through the pidfd then reaches nobody (ESRCH); the pidfd can never hit a
 * stranger. */
static bool task_in_group(const struct cgroup_layout *l, pid_t pid, const char *path)
{
        char g[PATH_MAX];
        size_t plen = strlen(path);

        if (cgroup_pid_group(l, pid, g, sizeof g) < 0)
                return false;
        return strncmp(g, path, plen) == 0 && (g[plen] == 0 || g[plen] == '/');
}

/* -EPERM (with detail) when a task of the group must not be touched: at
 * oom_score_adj -1000, named in [protect] comms, or unreadable (only
 * ENOENT/ESRCH say that a task is gone; anything else could hide a
 * protected task). */
static int check_task_protected(struct work *w, pid_t pid)
{
        const struct fsroot *root = w->l->root;
        char comm[16];
        int adj, r;

        r = proc_read_oom_score_adj(root, pid, &adj);
        if (task_gone(r))
                return 0;
        if (r < 0) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "cannot read oom_score_adj of task %d: %s", (int)pid, strerror(-r));
                return -EPERM;
        }
        if (adj == -1000) {
                snprintf(w->res->detail, sizeof w->res->detail, "task %d has oom_score_adj -1000",
                         (int)pid);
                return -EPERM;
        }
        if (w->c->protect.comms.n == 0 || !w->comm_protects)
                return 0;
        r = proc_read_comm(root, pid, comm);
        if (task_gone(r))
                return 0;
        if (r < 0) {
                snprintf(w->res->detail, sizeof w->res->detail, "cannot read comm of task %d: %s",
                         (int)pid, strerror(-r));
                return -EPERM;
        }
        if (pattern_list_match(&w->c->protect.comms, comm)) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "task %d (%s) is a protected command", (int)pid, comm);
                return -EPERM;
        }
        return 0;
}

static int pid_cmp(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

/* Refuses a walk that could not see or store every task: cgroup.kill and a
 * freeze would reach tasks that were never checked. */
static int collected_all(struct work *w, int r, size_t n_stored, const char *tree)
{
        if (r < 0) {
                snprintf(w->res->detail, sizeof w->res->detail, "cannot list its %s tasks: %s",
                         tree, strerror(-r));
                return r;
        }
        if ((size_t)r > n_stored) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "more than %d tasks in the %s groups", ACTION_MAX_TASKS, tree);
                return -E2BIG;
        }
        return 0;
}

/* Re-validation right before acting. Returns 0 (valid: w->pids holds the
 * memory group's tasks, w->cgroup_kill_ok is set), 1 when the target is
 * already gone, -EPERM when it is protected, -E2BIG when its tasks could
 * not all be checked, other negative errno on failure. A THAW checks only
 * that the group is the same: undoing a freeze is never refused. */
static int revalidate(struct work *w, const struct decision *d)
{
        uint64_t id;
        int r;

        r = cgroup_id(w->l, w->path, &id);
        if (r == -ENOENT || r == -ENODEV)
                return 1;
        if (r < 0) {
                snprintf(w->res->detail, sizeof w->res->detail, "cannot stat the group: %s",
                         strerror(-r));
                return r;
        }
        if (d->cgroup_id != 0 && id != d->cgroup_id) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "the group was removed and created again");
                return 1;
        }
        if (d->kind == DECISION_THAW)
                return 0;
        if (pattern_list_match(&w->c->protect.cgroups, w->path)) {
                snprintf(w->res->detail, sizeof w->res->detail,
                         "the group matches [protect] cgroups");
                return -EPERM;
        }
        if (protect_match_pod(&w->c->protect.pods, &d->id)) {
                snprintf(w->res->detail, sizeof w->res->detail, "the pod matches [protect] pods");
                return -EPERM;
        }

        r = collect(w);
        if (r == -ENOENT || r == -ENODEV)
                return 1;
        r = collected_all(w, r, w->n_pids, "memory");
        if (r < 0)
                return r;

        /* What cgroup.kill and a freeze through the mirror reach. A mirror
         * that does not exist holds nothing. */
        r = collect_tree(w->l, CGROUP_TREE_MIRROR, w->path, w->mirror, &w->n_mirror);
        w->has_mirror = r != -EOPNOTSUPP;
        if (r == -EOPNOTSUPP || r == -ENOENT || r == -ENODEV) {
                r = 0;
                w->n_mirror = 0;
        }
        r = collected_all(w, r, w->n_mirror, "mirror");
        if (r < 0)
                return r;

        qsort(w->pids, w->n_pids, sizeof *w->pids, pid_cmp);
        qsort(w->mirror, w->n_mirror, sizeof *w->mirror, pid_cmp);
        for (size_t i = 0; i < w->n_pids; i++) {
                keepalive(w);
                r = check_task_protected(w, w->pids[i]);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < w->n_mirror; i++) {
                if (bsearch(&w->mirror[i], w->pids, w->n_pids, sizeof *w->pids, pid_cmp))
                        continue;
                keepalive(w);
                r = check_task_protected(w, w->mirror[i]);
                if (r < 0)
                        return r;
        }
        w->cgroup_kill_ok =
            !w->has_mirror || (w->n_mirror == w->n_pids &&
                               memcmp(w->mirror, w->pids, w->n_pids * sizeof(pid_t)) == 0);
        return 0;
}

/* --- waiting for kernel state --- */

/* Polls cgroup_is_frozen() until it equals want or until_usec passes.
 * Returns 1 reached, 0 timed out, negative errno (-ENOENT: gone). */
static int wait_frozen_state(struct work *w, bool want, uint64_t until_usec)
{
        uint64_t step = 500;
        for (;;) {
                keepalive(w);
                int r = cgroup_is_frozen(w->l, w->path);
                if (r < 0)
                        return r;
                if ((r > 0) == want)
                        return 1;
                uint64_t now = clock_monotonic_usec();
                if (now >= until_usec)
                        return 0;
                sleep_usec(step < until_usec - now ? step : until_usec - now);
                if (step < 16 * USEC_PER_MSEC)
                        step *= 2;
        }
}

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

/* --- kill --- */

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
                struct victim *v = victim_find(w, pid);
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
                if (!task_in_group(w->l, pid, w->path) ||
                    (!seen_has(w, pid) && check_task_protected(w, pid) < 0)) {
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
                seen_add(w, pid);
                if (w->n_victims < ACTION_MAX_PIDFDS)
                        w->victims[w->n_victims++] = (struct victim){.pid = pid, .pidfd = fd};
                else
                        close(fd);
        }
}

static int read_usage(const struct cgroup_layout *l, const char *path, uint64_t *ret)
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

static int kill_group(struct work *w, uint64_t t0)
{
        struct action_result *res = w->res;
        int r, n;

        for (size_t i = 0; i < w->n_pids; i++)
                seen_add(w, w->pids[i]);

        r = w->cgroup_kill_ok ? cgroup_kill(w->l, w->path) : -EOPNOTSUPP;
        if (r >= 0)
                res->used_cgroup_kill = true;
        else if (r == -ENOENT || r == -ENODEV) {
                res->already_gone = true;
                return 0;
        } else if (r != -EOPNOTSUPP)
                log_debug_errno(r, "%s: cgroup.kill failed, killing task by task", w->path);
        else if (!w->cgroup_kill_ok)
                log_debug("%s: the unified mirror holds other tasks than the memory group, "
                          "killing task by task",
                          w->path);

        for (unsigned round = 0;; round++) {
                bool froze = false;

                n = collect(w);
                if (n == -ENOENT || n == -ENODEV || n == 0) {
                        res->time_to_empty_usec = clock_monotonic_usec() - t0;
                        return 0;
                }
                if (n < 0)
                        goto fail;
                /* cgroup.kill already stopped forks in what it covers; every
                 * later round, and every round without it, freezes first so
                 * that a fork storm cannot outrun the signals, then looks
                 * again. */
                if (!res->used_cgroup_kill || round > 0) {
                        r = cgroup_set_frozen(w->l, w->path, true);
                        froze = r >= 0;
                        if (froze) {
                                uint64_t until = clock_monotonic_usec() + ROUND_FREEZE_WAIT_USEC;
                                (void)wait_frozen_state(
                                    w, true, until < w->deadline_usec ? until : w->deadline_usec);
                                n = collect(w);
                        }
                }
                if (n > 0) {
                        signal_collected(w, round > 0);
                        /* Not through a mirror: its tasks are only known
                         * to match as of re-validation. */
                        if (res->used_cgroup_kill && round > 0 && !w->has_mirror)
                                (void)cgroup_kill(w->l, w->path);
                }
                /* Thaw on every path, also when we did not freeze: a group
                 * frozen before (freeze-kill) must thaw for its tasks to die
                 * under the v1 freezer. */
                r = cgroup_set_frozen(w->l, w->path, false);
                if (r < 0 && r != -EOPNOTSUPP && r != -ENOENT && r != -ENODEV)
                        log_warning_errno(r, "%s: could not thaw", w->path);
                res->rounds = round + 1;
                if (n < 0 && n != -ENOENT && n != -ENODEV)
                        goto fail;
                /* process_mrelease reaps synchronously (tens of ms for a
                 * few hundred MiB) and may wait for the victim's mmap lock:
                 * only for victims that have not exited by themselves. */
                wait_victims(w, 0);
                release_memory(w);

                keepalive(w);
                uint64_t now = clock_monotonic_usec();
                if (now >= w->deadline_usec || round + 1 >= ACTION_MAX_ROUNDS)
                        break;
                uint64_t slice = ROUND_WAIT_USEC * (round + 1);
                if (slice > ROUND_WAIT_MAX_USEC)
                        slice = ROUND_WAIT_MAX_USEC;
                uint64_t until = now + slice < w->deadline_usec ? now + slice : w->deadline_usec;
                wait_victims(w, until);
        }

        /* Deadline or round limit. The signals of the last round get one
         * short wait (the deadline may have passed while the kernel was
         * slow to take cgroup.kill), then what is left is counted,
         * honestly. */
        wait_victims(w, clock_monotonic_usec() + ROUND_WAIT_MAX_USEC);
        n = collect(w);
        if (n == -ENOENT || n == -ENODEV || n == 0) {
                res->time_to_empty_usec = clock_monotonic_usec() - t0;
                return 0;
        }
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

static void count_killed(struct work *w)
{
        unsigned still = 0;
        if (w->res->already_gone) {
                w->res->tasks_killed = 0;
                return;
        }
        if (w->res->tasks_left > 0)
                for (size_t i = 0; i < w->n_pids; i++)
                        if (seen_has(w, w->pids[i]))
                                still++;
        w->res->tasks_killed = w->n_seen > still ? (unsigned)(w->n_seen - still) : 0;
}

/* --- freeze, thaw --- */

static int set_frozen_confirmed(struct work *w, bool frozen, uint64_t t0)
{
        struct action_result *res = w->res;
        int r;

        r = cgroup_set_frozen(w->l, w->path, frozen);
        if (r == -ENOENT || r == -ENODEV) {
                res->already_gone = true;
                return 0;
        }
        if (r < 0) {
                snprintf(res->detail, sizeof res->detail, "cannot %s: %s",
                         frozen ? "freeze" : "thaw", strerror(-r));
                return r;
        }
        r = wait_frozen_state(w, frozen, w->deadline_usec);
        if (r == -ENOENT || r == -ENODEV) {
                res->already_gone = true;
                return 0;
        }
        if (r < 0) {
                snprintf(res->detail, sizeof res->detail, "cannot read the freezer state: %s",
                         strerror(-r));
                return r;
        }
        res->time_to_empty_usec = clock_monotonic_usec() - t0;
        if (r == 0) {
                /* The request stays in force; the kernel completes it when
                 * the last task leaves the kernel. */
                res->partial = true;
                snprintf(res->detail, sizeof res->detail, "not %s within the timeout",
                         frozen ? "frozen" : "thawed");
                return -ETIMEDOUT;
        }
        res->confirmed_frozen = frozen;
        return 0;
}

static void fill_usage_after(struct work *w)
{
        struct action_result *res = w->res;
        uint64_t after;

        if (res->already_gone || read_usage(w->l, w->path, &after) < 0)
                return;
        res->usage_after_bytes = after;
        res->freed_bytes = res->usage_before_bytes > after ? res->usage_before_bytes - after : 0;
}

/* The one thaw of a group frozen by the first half of freeze-kill, after
 * the KILL whatever its outcome (or of a freeze that failed); quiet when
 * the group is gone. A failure's detail says that the group was thawed. */
static void thaw_after(struct work *w, int result)
{
        struct action_result *res = w->res;
        int r = cgroup_set_frozen(w->l, w->path, false);
        if (r < 0 && r != -EOPNOTSUPP && r != -ENOENT && r != -ENODEV)
                log_warning_errno(r, "%s: could not thaw", w->path);
        else if (r >= 0 && result < 0) {
                size_t n = strlen(res->detail);
                snprintf(res->detail + n, sizeof res->detail - n, "%sthawed", n ? "; " : "");
        }
}

int action_execute(const struct cgroup_layout *l, const struct config *c, const struct decision *d,
                   const struct snapshot *cur, struct action_result *ret)
{
        return action_run(l, c, d, cur, NULL, ret);
}

int action_run(const struct cgroup_layout *l, const struct config *c, const struct decision *d,
               const struct snapshot *cur, action_keepalive_fn keepalive_fn,
               struct action_result *ret)
{
        static_assert(sizeof(struct work) < 160 * 1024, "work area too large for the stack");
        uint64_t start = clock_monotonic_usec(), t0, timeout;
        struct work w = {
            .l = l,
            .c = c,
            .path = d->cgroup,
            .comm_protects = d->comm_protects,
            .res = ret,
            .keepalive = keepalive_fn,
            .keepalive_usec = start,
        };
        bool is_kill = d->kind == DECISION_KILL, thaw = false;
        int r;

        *ret = (struct action_result){0};
        if (d->kind != DECISION_KILL && d->kind != DECISION_FREEZE && d->kind != DECISION_THAW) {
                ret->error = -EINVAL;
                return -EINVAL;
        }
        if (d->cgroup[0] != '/' || streq(d->cgroup, "/")) {
                snprintf(ret->detail, sizeof ret->detail, "refusing to act on '%.100s'", d->cgroup);
                ret->error = -EINVAL;
                return -EINVAL;
        }
        timeout = c->action.kill_timeout_usec ? c->action.kill_timeout_usec : DEFAULT_TIMEOUT_USEC;
        w.deadline_usec = start + timeout;

        r = revalidate(&w, d);
        if (r == 1) {
                ret->already_gone = true;
                ret->dry_run = c->daemon.dry_run;
                r = 0;
                goto done;
        }
        /* freeze-kill: the group was frozen by the FREEZE before this KILL.
         * From here on (the group is the one that was frozen), every way
         * out thaws it: refused, failed, emptied by itself or killed. */
        thaw = is_kill && c->action.mode == ACTION_MODE_FREEZE_KILL && !c->daemon.dry_run;
        if (r < 0)
                goto done;

        if (read_usage(l, w.path, &ret->usage_before_bytes) < 0 && cur) {
                const struct candidate *cand = snapshot_find(cur, w.path);
                if (cand)
                        ret->usage_before_bytes = cand->s.usage_bytes;
        }

        if (c->daemon.dry_run) {
                ret->dry_run = true;
                ret->tasks_left = (unsigned)w.n_pids;
                goto done;
        }

        t0 = clock_monotonic_usec();
        if (is_kill && w.n_found == 0) {
                /* Emptied by itself since the snapshot. */
                ret->already_gone = true;
                goto done;
        }
        if (is_kill) {
                r = kill_group(&w, t0);
                count_killed(&w);
                work_done(&w);
        } else {
                r = set_frozen_confirmed(&w, d->kind == DECISION_FREEZE, t0);
                /* A freeze that failed (not merely slow: the kernel keeps a
                 * pending request, and the policy counts on it) is undone,
                 * so that nothing is left frozen that nobody will thaw. */
                if (d->kind == DECISION_FREEZE && r < 0 && r != -ETIMEDOUT)
                        thaw = true;
        }
        fill_usage_after(&w);

done:
        if (thaw)
                thaw_after(&w, r);
        ret->error = r;
        ret->duration_usec = clock_monotonic_usec() - start;
        return r;
}
