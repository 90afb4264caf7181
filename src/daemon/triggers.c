/* PSI triggers: one per scope on its own pressure file, woken by the
 * kernel (EPOLLPRI) when the stall passes a small threshold, so that the
 * daemon sleeps at its idle interval while nothing happens. */
#include "daemon/context.h"

#include <fcntl.h>
#include <sys/epoll.h>

#include "base/log.h"

/* Trigger threshold: this share of the window, or half of the lowest
 * configured stall threshold if that is lower: a wake-up, not a decision. */
#define TRIGGER_MAX_PCT 15.0

/* Windows tried in order: the kernel accepts sub-2 s windows only from a
 * writer with CAP_SYS_RESOURCE. */
static const uint64_t trigger_windows_usec[] = {1 * USEC_PER_SEC, 2 * USEC_PER_SEC};

double triggers_pct(const struct config *c)
{
        double lowest = c->shortage.some_pct;
        if (c->shortage.full_pct < lowest)
                lowest = c->shortage.full_pct;
        if (c->thrash.enabled && c->thrash.full_pct < lowest)
                lowest = c->thrash.full_pct;
        double pct = lowest / 2;
        if (pct > TRIGGER_MAX_PCT)
                pct = TRIGGER_MAX_PCT;
        return pct < 1 ? 1 : pct;
}

static int on_trigger(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static void trigger_disarm(struct trigger *t)
{
        t->source = sd_event_source_disable_unref(t->source);
        t->fd = safe_close(t->fd);
}

/* Opens and arms one trigger. Returns 0, -EINVAL when no window was
 * accepted, other negative errno (-ENOENT: the group is gone). */
static int trigger_arm(struct context *ctx, struct trigger *t)
{
        double pct = triggers_pct(ctx->config);
        int r = -EINVAL;

        for (size_t i = 0; i < ARRAY_SIZE(trigger_windows_usec); i++) {
                uint64_t w = trigger_windows_usec[i];
                char spec[64];
                int fd;

                /* Once a window was refused, do not try it again elsewhere. */
                if (ctx->window_usec && w < ctx->window_usec)
                        continue;
                fd = fsroot_openat(&ctx->root, t->path, O_RDWR | O_NONBLOCK);
                if (fd < 0)
                        return fd;
                snprintf(spec, sizeof spec, "some %llu %llu",
                         (unsigned long long)((double)w * pct / 100), (unsigned long long)w);
                /* The kernel wants the terminating NUL in the write. */
                if (write(fd, spec, strlen(spec) + 1) < 0) {
                        r = -errno;
                        close(fd);
                        if (r == -EINVAL)
                                continue;
                        return r;
                }
                r = sd_event_add_io(ctx->event, &t->source, fd, EPOLLPRI, on_trigger, ctx);
                if (r < 0) {
                        close(fd);
                        return r;
                }
                t->fd = fd;
                if (ctx->window_usec && w > ctx->window_usec)
                        log_warning("PSI trigger window raised to %llu ms on %s",
                                    (unsigned long long)(w / USEC_PER_MSEC), t->path);
                if (!ctx->window_usec || w > ctx->window_usec) {
                        if (i > 0 && !ctx->logged_window_fallback) {
                                log_notice("PSI trigger windows below %llu s refused by the "
                                           "kernel (no CAP_SYS_RESOURCE): using %llu s windows",
                                           (unsigned long long)(w / USEC_PER_SEC),
                                           (unsigned long long)(w / USEC_PER_SEC));
                                ctx->logged_window_fallback = true;
                        }
                        ctx->window_usec = w;
                }
                return 0;
        }
        return r;
}

void triggers_close(struct context *ctx)
{
        for (unsigned i = 0; i < ctx->n_triggers; i++)
                trigger_disarm(&ctx->triggers[i]);
        ctx->n_triggers = 0;
}

static void trigger_add_path(struct context *ctx, const char *path)
{
        for (unsigned i = 0; i < ctx->n_triggers; i++)
                if (streq(ctx->triggers[i].path, path))
                        return;
        if (ctx->n_triggers >= MAX_TRIGGERS)
                return;
        struct trigger *t = &ctx->triggers[ctx->n_triggers++];
        *t = (struct trigger){.fd = -EBADF};
        strcpy_bounded(t->path, sizeof t->path, path);
}

/* (Re)arms every trigger that is not armed. Quiet about groups that do not
 * exist (yet); says once when none at all works. */
void triggers_arm_missing(struct context *ctx)
{
        unsigned armed = 0;
        int first_error = 0;

        for (unsigned i = 0; i < ctx->n_triggers; i++) {
                struct trigger *t = &ctx->triggers[i];
                if (t->fd < 0) {
                        int r = trigger_arm(ctx, t);
                        if (r < 0 && !first_error)
                                first_error = r;
                        if (r < 0 && r != -ENOENT)
                                log_debug_errno(r, "Cannot arm a PSI trigger on %s", t->path);
                }
                armed += t->fd >= 0;
        }
        ctx->polling = armed == 0;
        if (ctx->polling && !ctx->logged_polling) {
                log_full(LOG_LEVEL_NOTICE, first_error,
                         "No PSI trigger could be armed, polling every %llu ms instead",
                         (unsigned long long)(ctx->config->daemon.interval_usec / USEC_PER_MSEC));
                ctx->logged_polling = true;
        } else if (!ctx->polling && ctx->logged_polling) {
                log_notice("PSI triggers armed again, polling stopped");
                ctx->logged_polling = false;
        }
}

void triggers_setup(struct context *ctx)
{
        const struct cgroup_layout *l = observer_layout(ctx->observer);
        const struct pattern_list *scopes = &ctx->config->daemon.scopes;

        /* One trigger per scope, on the scope's own pressure ("/" maps to
         * /proc/pressure/memory): node-wide PSI is noisy on a busy host and
         * would keep a daemon that guards only a group ticking fast. */
        triggers_close(ctx);
        for (unsigned i = 0; i < scopes->n; i++) {
                char p[CGROUP_PATH_MAX + 64];
                if (cgroup_pressure_path(l, scopes->items[i], p, sizeof p) >= 0)
                        trigger_add_path(ctx, p);
        }
        triggers_arm_missing(ctx);
}

static int on_trigger(sd_event_source *s _unused_, int fd _unused_, uint32_t revents,
                      void *userdata)
{
        struct context *ctx = userdata;
        uint64_t now = clock_monotonic_usec();

        if (revents & (EPOLLERR | EPOLLHUP)) {
                /* The group behind it was removed; re-armed on a later tick. */
                for (unsigned i = 0; i < ctx->n_triggers; i++)
                        if (ctx->triggers[i].source == s) {
                                log_debug("PSI trigger on %s went away", ctx->triggers[i].path);
                                trigger_disarm(&ctx->triggers[i]);
                        }
                return 0;
        }
        ctx->last_trigger_usec = now;
        ctx->probe_due = true;
        daemon_schedule_tick(ctx, now);
        return 0;
}
