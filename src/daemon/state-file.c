/* The daemon's live state file (see state-file.h). */
#include "daemon/state-file.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/atomic-file.h"
#include "base/log.h"
#include "decide/rank.h"

/* Room for every scope's top candidates with long paths and the decisions
 * with their reasons; a state that does not fit is not written (logged). */
#define STATE_FILE_BUF_SIZE (512 * 1024)

/* A clock step below this is jitter between reading the two clocks, not a
 * change of the wall clock: keeping the offset keeps the times in the file
 * (and so whether it changed) steady. */
#define REALTIME_JITTER_USEC USEC_PER_SEC

void state_file_open(struct state_file *sf, const char *dir)
{
        *sf = (struct state_file){.dir_fd = -EBADF};
        strcpy_bounded(sf->dir, sizeof sf->dir, dir);
        sf->buf[0] = malloc(STATE_FILE_BUF_SIZE);
        sf->buf[1] = malloc(STATE_FILE_BUF_SIZE);
        if (!sf->buf[0] || !sf->buf[1]) {
                log_warning("Out of memory: no state file %s/%s", dir, STATE_REPORT_FILE);
                return;
        }
        sf->size = STATE_FILE_BUF_SIZE;
        sf->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sf->dir_fd < 0) {
                log_warning_errno(-errno, "Cannot open the runtime directory %s: no state file",
                                  dir);
                sf->dir_fd = -EBADF;
        }
}

void state_file_close(struct state_file *sf)
{
        if (sf->dir_fd >= 0 && sf->last_len > 0 && unlinkat(sf->dir_fd, STATE_REPORT_FILE, 0) < 0 &&
            errno != ENOENT)
                log_warning_errno(-errno, "Cannot remove %s/%s", sf->dir, STATE_REPORT_FILE);
        sf->dir_fd = safe_close(sf->dir_fd);
        free(sf->buf[0]);
        free(sf->buf[1]);
        sf->buf[0] = sf->buf[1] = NULL;
}

static void update_offset(struct state_file *sf, uint64_t now_usec)
{
        int64_t off = (int64_t)clock_realtime_usec() - (int64_t)now_usec;
        int64_t step = off - sf->realtime_offset_usec;

        if (sf->realtime_offset_usec == 0 || step > (int64_t)REALTIME_JITTER_USEC ||
            step < -(int64_t)REALTIME_JITTER_USEC)
                sf->realtime_offset_usec = off;
}

void state_file_publish(struct state_file *sf, const struct config *c,
                        const struct cgroup_layout *l, const struct policy_state *st,
                        const struct freeze_records *frozen, const struct snapshot *prev,
                        const struct snapshot *cur, const struct decision *d, int action_result)
{
        struct state_ranking rankings[CONFIG_MAX_SCOPES] = {{0}};
        struct text_buf o;
        size_t after;
        int r;

        update_offset(sf, cur->time_usec);
        if (d->kind != DECISION_NONE)
                state_decision_push(sf->decisions, ARRAY_SIZE(sf->decisions), &sf->n_decisions, d,
                                    d->scope < cur->n_scopes ? cur->scopes[d->scope].path : NULL,
                                    (uint64_t)((int64_t)cur->time_usec + sf->realtime_offset_usec),
                                    action_result, c->daemon.dry_run);
        if (sf->dir_fd < 0)
                return;

        for (unsigned i = 0; i < cur->n_scopes && i < CONFIG_MAX_SCOPES; i++) {
                rankings[i].r = sf->ranked[i];
                rankings[i].n = rank_scope(c, prev, cur, i, sf->ranked[i], STATE_REPORT_TOP);
        }
        struct state_report rep = {
            .now_usec = cur->time_usec,
            .realtime_offset_usec = sf->realtime_offset_usec,
            .daemon_pid = getpid(),
            .config = c,
            .layout = l,
            .prev = prev,
            .cur = cur,
            .rankings = rankings,
            .policy = st,
            .decisions = sf->decisions,
            .n_decisions = sf->n_decisions,
            .frozen = frozen,
        };
        text_buf_init(&o, sf->buf[sf->cur], sf->size);
        after = state_report_write(&rep, &o);
        if (o.overflow) {
                if (!sf->logged_error)
                        log_warning("The state does not fit in %zu bytes: %s/%s not updated",
                                    sf->size, sf->dir, STATE_REPORT_FILE);
                sf->logged_error = true;
                return;
        }
        const char *last = sf->buf[sf->cur ^ 1u];
        if (sf->last_len > 0 && o.len - after == sf->last_len - sf->last_after &&
            memcmp(o.buf + after, last + sf->last_after, o.len - after) == 0)
                return;
        r = atomic_file_write(sf->dir_fd, STATE_REPORT_FILE, o.buf, o.len, NULL);
        if (r < 0) {
                if (!sf->logged_error)
                        log_warning_errno(r, "Cannot write %s/%s (retrying every tick)", sf->dir,
                                          STATE_REPORT_FILE);
                sf->logged_error = true;
                return;
        }
        if (sf->logged_error)
                log_notice("%s/%s written again", sf->dir, STATE_REPORT_FILE);
        sf->logged_error = false;
        sf->last_len = o.len;
        sf->last_after = after;
        sf->cur ^= 1u;
}
