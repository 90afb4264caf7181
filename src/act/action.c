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
#include "act/action-internal.h"

#include <assert.h>
#include <fcntl.h>
#include <time.h>

#include "base/log.h"

/* Used when [action] kill_timeout is 0. */
#define DEFAULT_TIMEOUT_USEC (10 * USEC_PER_SEC)

static void work_done(struct work *w)
{
        for (size_t i = 0; i < w->n_victims; i++)
                w->victims[i].pidfd = safe_close(w->victims[i].pidfd);
        w->n_victims = 0;
}

/* Polls cgroup_is_frozen() until it equals want or until_usec passes.
 * Returns 1 reached, 0 timed out, negative errno (-ENOENT: gone). */
int action_wait_frozen(struct work *w, bool want, uint64_t until_usec)
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
        r = action_wait_frozen(w, frozen, w->deadline_usec);
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

        if (res->already_gone || kill_read_usage(w->l, w->path, &after) < 0)
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

        if (kill_read_usage(l, w.path, &ret->usage_before_bytes) < 0 && cur) {
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
                kill_count_killed(&w);
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
