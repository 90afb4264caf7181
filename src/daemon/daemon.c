/* The daemon: one context owns all mutable state; an sd-event loop wakes
 * on PSI triggers (EPOLLPRI), a timer (fast while a rule is warming or
 * pressure was seen recently, slow otherwise) and signals (TERM/INT stop,
 * HUP reloads). Each tick: observe -> decide -> act -> record -> alert.
 * PSI triggers are triggers.c's, self-protection self-protect.c's, the
 * context (context.h) what they share. */
#include "daemon/context.h"

#include <signal.h>
#include <sys/epoll.h>

#include <systemd/sd-event.h>

#include "act/action.h"
#include "act/alert.h"
#include "act/metrics.h"
#include "base/log.h"
#include "daemon/notify.h"
#include "decide/rank.h"

/* --- timer --- */

static bool fast_mode(const struct context *ctx, uint64_t now)
{
        const struct config *c = ctx->config;
        uint64_t recent = 2 * ctx->window_usec + c->shortage.duration_usec;

        if (c->thrash.enabled && c->thrash.duration_usec > c->shortage.duration_usec)
                recent = 2 * ctx->window_usec + c->thrash.duration_usec;
        if (ctx->polling || policy_is_warming(&ctx->policy))
                return true;
        return ctx->last_trigger_usec && now - ctx->last_trigger_usec < recent;
}

/* After a wake-up by a PSI trigger, the last sample may be an idle
 * interval old: a stall share over that gap understates a stall that began
 * inside it. A second tick soon after measures the stall as it is now (the
 * policy counts its start back from what accumulated since). */
#define PROBE_USEC (100 * USEC_PER_MSEC)

/* A rule that holds decides at the tick it reaches its duration, not up to
 * an interval later: the policy says when that is. */
static uint64_t next_tick_usec(struct context *ctx, uint64_t now)
{
        const struct config *c = ctx->config;
        uint64_t next =
            fast_mode(ctx, now) ? c->daemon.interval_usec : c->daemon.idle_interval_usec;
        uint64_t due = policy_next_due_usec(&ctx->policy);

        if (ctx->probe_due && next > PROBE_USEC)
                next = PROBE_USEC;
        ctx->probe_due = false;
        if (due > now && due - now < next)
                next = due - now;
        return next;
}

void daemon_schedule_tick(struct context *ctx, uint64_t when)
{
        int r;

        if (!ctx->timer)
                return;
        r = sd_event_source_set_time(ctx->timer, when);
        if (r >= 0)
                r = sd_event_source_set_enabled(ctx->timer, SD_EVENT_ONESHOT);
        if (r < 0)
                log_error_errno(r, "Cannot arm the timer");
}

/* --- one tick --- */

static double realtime_sec(void)
{
        return (double)clock_realtime_usec() / (double)USEC_PER_SEC;
}

static size_t rank_top(struct context *ctx, const struct snapshot *prev, const struct snapshot *cur,
                       unsigned scope)
{
        unsigned top = ctx->config->alert.top;
        if (top > ALERT_MAX_TOP)
                top = ALERT_MAX_TOP;
        if (top == 0 || scope >= cur->n_scopes)
                return 0;
        return rank_scope(ctx->config, prev, cur, scope, ctx->ranked, top);
}

/* Returns what the act layer returned for d, 0 when it did not run. */
static int handle_decision(struct context *ctx, const struct snapshot *prev,
                           const struct snapshot *cur, const struct decision *d)
{
        struct action_result res;
        struct alert a = {.d = d, .snap = cur, .top = ctx->ranked};
        char status[512];
        int r = 0;

        switch (d->kind) {
        case DECISION_NONE:
                return 0;
        case DECISION_KILL:
        case DECISION_FREEZE:
        case DECISION_THAW:
                /* Recorded before it is frozen: a crash right after the
                 * freeze must not leave it frozen for ever. */
                if (d->kind == DECISION_FREEZE)
                        (void)freeze_keeper_before_freeze(&ctx->keeper, ctx->config, d);
                r = action_run(observer_layout(ctx->observer), ctx->config, d, cur,
                               notify_keepalive, &res);
                policy_record_outcome(ctx->config, &ctx->policy, d, r, res.tasks_killed,
                                      clock_monotonic_usec());
                freeze_keeper_after_action(&ctx->keeper, d, r, &res);
                /* Reports come after the act (and its process_mrelease):
                 * the ranking, the journal, STATUS=. */
                a.n_top = rank_top(ctx, prev, cur, d->scope);
                a.result = &res;
                break;
        case DECISION_ALL_PROTECTED:
        case DECISION_RECOVERED:
                a.n_top = rank_top(ctx, prev, cur, d->scope);
                break;
        default:
                return 0;
        }
        a.event = alert_event_of(d, a.result);
        (void)alert_emit(&ctx->journal, ctx->config, &a);
        metrics_count_event(&ctx->metrics, &a, ctx->policy.now_usec, realtime_sec());
        alert_status_line(&a, &ctx->journal, status, sizeof status);
        if (status[0])
                notify_status(status);
        return r;
}

static void tick(struct context *ctx)
{
        uint64_t now = clock_monotonic_usec();
        struct snapshot *cur = &ctx->snaps[ctx->cur ^ 1u];
        const struct snapshot *prev = ctx->n_taken ? &ctx->snaps[ctx->cur] : NULL;
        struct decision d;
        int r, acted;

        r = observer_take(ctx->observer, ctx->config, now, cur);
        if (r < 0) {
                if (!ctx->logged_take_error)
                        log_warning_errno(r, "Cannot take a snapshot, retrying every tick");
                ctx->logged_take_error = true;
                if (!ctx->ready) {
                        /* Not fatal: a scope may not exist yet (kubepods.slice
                         * appears when the kubelet starts, which is ordered
                         * after us). Starting must not wait for it. */
                        ctx->ready = true;
                        notify_ready("no scope readable yet (%s), retrying", strerror(-r));
                }
                return;
        }
        if (ctx->logged_take_error) {
                log_notice("Snapshots work again");
                ctx->logged_take_error = false;
        }
        ctx->cur ^= 1u;
        ctx->n_taken++;
        metrics_count_snapshot(&ctx->metrics, clock_monotonic_usec() - now);

        /* What a daemon before us froze is the policy's again before it
         * decides anything. */
        freeze_keeper_resolve(&ctx->keeper, observer_layout(ctx->observer), ctx->config,
                              &ctx->policy, cur, now);
        policy_decide(ctx->config, &ctx->policy, prev, cur, now, &d);
        acted = handle_decision(ctx, prev, cur, &d);
        freeze_keeper_reconcile(&ctx->keeper, observer_layout(ctx->observer), &ctx->policy);
        /* After the actions and their reports: the state of this tick. */
        state_file_publish(&ctx->state, ctx->config, observer_layout(ctx->observer), &ctx->policy,
                           &ctx->keeper.recs, prev, cur, &d, acted);

        if (!ctx->ready || ctx->n_taken == 1) {
                ctx->ready = true;
                notify_ready("watching %u scope(s), %zu group(s)%s", cur->n_scopes,
                             cur->n_candidates, ctx->config->daemon.dry_run ? " (dry-run)" : "");
                log_info("First snapshot: %u scope(s), %zu candidate group(s)", cur->n_scopes,
                         cur->n_candidates);
        }
}

/* The tick's metrics file, after its action and reports: what the daemon
 * knows as of the last snapshot. */
static void publish_metrics(struct context *ctx, bool up)
{
        struct metrics_view v = {
            .config = ctx->config,
            .snap = ctx->n_taken ? &ctx->snaps[ctx->cur] : NULL,
            .policy = ctx->n_taken ? &ctx->policy : NULL,
            .now_usec = ctx->policy.now_usec,
            .up = up,
        };
        (void)metrics_publish(&ctx->metrics, &v);
}

static int on_timer(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata)
{
        struct context *ctx = userdata;
        uint64_t now;

        tick(ctx);
        publish_metrics(ctx, true);
        /* After the tick's own entries: the summary of lost ones goes out as
         * soon as journald takes entries again, not with the next decision. */
        (void)journal_flush_lost(&ctx->journal, clock_realtime_usec());
        if (ctx->polling || ctx->n_triggers)
                triggers_arm_missing(ctx);
        now = clock_monotonic_usec();
        daemon_schedule_tick(ctx, now + next_tick_usec(ctx, now));
        return 0;
}

/* --- start, reload, stop --- */

static void log_summary(const struct context *ctx, const char *what)
{
        const struct config *c = ctx->config;
        const struct cgroup_layout *l = observer_layout(ctx->observer);
        char scopes[1024] = "";
        size_t pos = 0;

        for (unsigned i = 0; i < c->daemon.scopes.n && pos < sizeof scopes - 1; i++) {
                int n = snprintf(scopes + pos, sizeof scopes - pos, "%s%s", i ? " " : "",
                                 c->daemon.scopes.items[i]);
                if (n < 0)
                        break;
                pos += (size_t)n < sizeof scopes - pos ? (size_t)n : sizeof scopes - pos - 1;
        }
        if (ctx->polling)
                log_info("%s: cgroup mode %s, scopes %s, action %s, dry-run %s, no PSI triggers "
                         "(polling every %llu ms)",
                         what, cgroup_mode_to_string(l->mode), scopes,
                         action_mode_to_string(c->action.mode), c->daemon.dry_run ? "yes" : "no",
                         (unsigned long long)(c->daemon.interval_usec / USEC_PER_MSEC));
        else
                log_info("%s: cgroup mode %s, scopes %s, action %s, dry-run %s, %u PSI trigger(s) "
                         "at some %.1f%% of %llu ms windows, interval %llu ms / idle %llu ms",
                         what, cgroup_mode_to_string(l->mode), scopes,
                         action_mode_to_string(c->action.mode), c->daemon.dry_run ? "yes" : "no",
                         ctx->n_triggers, triggers_pct(c),
                         (unsigned long long)(ctx->window_usec / USEC_PER_MSEC),
                         (unsigned long long)(c->daemon.interval_usec / USEC_PER_MSEC),
                         (unsigned long long)(c->daemon.idle_interval_usec / USEC_PER_MSEC));
}

static int load_config(const struct run_options *o, bool reloading, struct config *ret)
{
        struct config_error err;
        int r = run_options_load_config(o, reloading, ret, &err);
        if (r < 0)
                return run_options_log_config_error(&err, r);
        if (o->force_dry_run)
                ret->daemon.dry_run = true;
        return 0;
}

/* A group frozen as the first half of freeze-kill must not stay frozen
 * when the daemon that would kill it goes away or forgets it. */
static void thaw_pending(struct context *ctx, const char *why)
{
        struct decision thaws[CONFIG_MAX_SCOPES];
        size_t n = policy_release_frozen(&ctx->policy, thaws, ARRAY_SIZE(thaws));

        for (size_t i = 0; i < n; i++) {
                const struct decision *d = &thaws[i];
                struct action_result res;
                int r = action_run(observer_layout(ctx->observer), ctx->config, d, NULL,
                                   notify_keepalive, &res);
                freeze_keeper_after_action(&ctx->keeper, d, r, &res);
                if (r < 0)
                        log_error_errno(r, "Cannot thaw %s (%s): %s", d->cgroup, why, res.detail);
                else if (!res.dry_run && !res.already_gone)
                        log_notice("Thawed %s, frozen pending a kill (%s)", d->cgroup, why);
        }
}

static bool same_patterns(const struct pattern_list *a, const struct pattern_list *b)
{
        if (a->n != b->n)
                return false;
        for (unsigned i = 0; i < a->n; i++)
                if (!streq(a->items[i], b->items[i]))
                        return false;
        return true;
}

static bool same_scopes(const struct config *a, const struct config *b)
{
        return a->daemon.cgroup_mode == b->daemon.cgroup_mode &&
               same_patterns(&a->daemon.scopes, &b->daemon.scopes);
}

/* Whether a group frozen pending a kill under a would be handled alike
 * under b: not when b would only pretend (dry-run), would not kill after a
 * freeze, or protects other things. */
static bool same_action(const struct config *a, const struct config *b)
{
        return a->daemon.dry_run == b->daemon.dry_run && a->action.mode == b->action.mode &&
               same_patterns(&a->protect.cgroups, &b->protect.cgroups) &&
               same_patterns(&a->protect.comms, &b->protect.comms);
}

/* After RELOADING=1, whatever the outcome, systemd must hear READY=1 again. */
static void reload(struct context *ctx)
{
        struct config *fresh = malloc(sizeof *fresh);
        struct observer *obs = NULL;
        int r;

        if (!fresh) {
                log_error("Reload: out of memory, keeping the running configuration");
                notify_ready(NULL);
                return;
        }
        if (load_config(ctx->opts, true, fresh) < 0) {
                log_error("Reload failed, keeping the running configuration");
                free(fresh);
                notify_ready(NULL);
                return;
        }
        r = observer_new(&ctx->root, fresh, &obs);
        if (r < 0) {
                log_error_errno(r, "Reload failed (cannot observe with the new configuration), "
                                   "keeping the running configuration");
                free(fresh);
                notify_ready(NULL);
                return;
        }
        /* Thawed under the configuration that froze them (ctx->config is
         * still the old one): under the new one a THAW may be a dry-run
         * no-op, or the pending kill may never come. */
        if (!same_scopes(ctx->config, fresh)) {
                /* Scope indexes change meaning: start the rules afresh. */
                thaw_pending(ctx, "scopes changed on reload");
                policy_state_init(&ctx->policy);
                ctx->n_taken = 0;
        } else if (!same_action(ctx->config, fresh))
                thaw_pending(ctx, "action settings changed on reload");
        free(ctx->config);
        ctx->config = fresh;
        observer_free(ctx->observer);
        ctx->observer = obs;
        triggers_setup(ctx);
        log_summary(ctx, "Configuration reloaded");
        notify_ready(NULL);
        daemon_schedule_tick(ctx, clock_monotonic_usec());
}

static int on_signal(sd_event_source *s _unused_, const struct signalfd_siginfo *si, void *userdata)
{
        struct context *ctx = userdata;

        if (si->ssi_signo == SIGHUP) {
                notify_reloading();
                log_info("SIGHUP: reloading the configuration");
                reload(ctx);
                return 0;
        }
        log_info("Received %s, stopping", si->ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
        notify_stopping();
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void context_free(struct context *ctx)
{
        triggers_close(ctx);
        ctx->timer = sd_event_source_disable_unref(ctx->timer);
        ctx->sig_term = sd_event_source_disable_unref(ctx->sig_term);
        ctx->sig_int = sd_event_source_disable_unref(ctx->sig_int);
        ctx->sig_hup = sd_event_source_disable_unref(ctx->sig_hup);
        ctx->event = sd_event_unref(ctx->event);
        observer_free(ctx->observer);
        journal_sender_done(&ctx->journal);
        freeze_keeper_close(&ctx->keeper);
        metrics_done(&ctx->metrics);
        state_file_close(&ctx->state);
        snapshot_free(&ctx->snaps[0]);
        snapshot_free(&ctx->snaps[1]);
        free(ctx->config);
        fsroot_close(&ctx->root);
        free(ctx);
}

int daemon_run(const struct run_options *o)
{
        struct context *ctx;
        sigset_t mask, old_mask;
        char dir[256];
        int r;

        ctx = calloc(1, sizeof *ctx);
        if (!ctx)
                return log_error_errno(-ENOMEM, "Out of memory");
        ctx->opts = o;
        ctx->root.dirfd = -EBADF;
        ctx->keeper.dir_fd = -EBADF;
        ctx->state.dir_fd = -EBADF;
        journal_sender_init(&ctx->journal, NULL);
        metrics_init(&ctx->metrics, realtime_sec());
        (void)log_open_stderr();
        snapshot_init(&ctx->snaps[0]);
        snapshot_init(&ctx->snaps[1]);
        policy_state_init(&ctx->policy);

        ctx->config = malloc(sizeof *ctx->config);
        if (!ctx->config) {
                r = log_error_errno(-ENOMEM, "Out of memory");
                goto finish_nomask;
        }
        r = load_config(o, false, ctx->config);
        if (r < 0)
                goto finish_nomask;
        r = fsroot_open(o->root_dir ? o->root_dir : "/", &ctx->root);
        if (r < 0) {
                log_error_errno(r, "Cannot open root %s", o->root_dir ? o->root_dir : "/");
                goto finish_nomask;
        }
        self_protect(&ctx->root);
        r = observer_new(&ctx->root, ctx->config, &ctx->observer);
        if (r < 0)
                goto finish_nomask;
        r = freeze_records_dir(o->runtime_dir, dir, sizeof dir);
        if (r < 0) {
                log_error_errno(r, "Runtime directory name too long");
                goto finish_nomask;
        }
        freeze_keeper_open(&ctx->keeper, dir);
        state_file_open(&ctx->state, dir);

        /* Signals are taken synchronously from the loop (signalfd). */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, &old_mask);
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_new(&ctx->event);
        if (r < 0) {
                log_error_errno(r, "Cannot create the event loop");
                goto finish;
        }
        if ((r = sd_event_add_signal(ctx->event, &ctx->sig_term, SIGTERM, on_signal, ctx)) < 0 ||
            (r = sd_event_add_signal(ctx->event, &ctx->sig_int, SIGINT, on_signal, ctx)) < 0 ||
            (r = sd_event_add_signal(ctx->event, &ctx->sig_hup, SIGHUP, on_signal, ctx)) < 0) {
                log_error_errno(r, "Cannot watch signals");
                goto finish;
        }
        r = sd_event_set_watchdog(ctx->event, true);
        if (r < 0)
                log_warning_errno(r, "Cannot enable the watchdog");
        r = sd_event_add_time(ctx->event, &ctx->timer, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_timer,
                              ctx);
        if (r < 0) {
                log_error_errno(r, "Cannot create the timer");
                goto finish;
        }
        triggers_setup(ctx);
        log_summary(ctx, "Starting");
        daemon_schedule_tick(ctx, clock_monotonic_usec());

        r = sd_event_loop(ctx->event);
        if (r < 0)
                log_error_errno(r, "Event loop failed");
        thaw_pending(ctx, "stopping");
        publish_metrics(ctx, false);

finish:
        context_free(ctx);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return r < 0 ? r : 0;

finish_nomask:
        context_free(ctx);
        return r;
}
