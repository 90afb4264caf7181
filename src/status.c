/* `thrashguard status`: when a daemon runs, the state it publishes
 * (STATE_REPORT_FILE in its runtime directory); when none does, a state
 * sampled here: two snapshots one [daemon] interval apart (so that stall
 * shares and refault rates exist), each scope's candidates ranked by
 * rank_scope(). Either is printed as the JSON of state-report.h or as
 * status-table.h's table. A one-shot command: it may allocate freely. */
#include "status.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <time.h>

#include "act/state-report.h"
#include "base/json-in.h"
#include "base/json-out.h"
#include "base/log.h"
#include "base/read-to-end.h"
#include "base/util.h"
#include "daemon/freeze-keeper.h"
#include "decide/rank.h"
#include "observe/fsroot.h"
#include "observe/observer.h"
#include "observe/snapshot.h"
#include "status-table.h"

/* Larger than any state a daemon writes (state-file.c). */
#define STATE_READ_MAX (4 * 1024 * 1024)

static void sleep_until(uint64_t usec)
{
        struct timespec ts = {.tv_sec = (time_t)(usec / USEC_PER_SEC),
                              .tv_nsec = (long)(usec % USEC_PER_SEC) * 1000};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

/* A state as text and as a tree. */
struct state_text {
        char *text;
        size_t len;
        struct json_value *tree;
};

static void state_text_done(struct state_text *s)
{
        free(s->text);
        json_free(s->tree);
        *s = (struct state_text){0};
}

/* Whether pid is a running thrashguard: a state file outlives a daemon
 * that crashed, and its pid may since belong to anything else. */
static bool daemon_alive(const struct fsroot *root, double pid)
{
        char path[64], comm[32];
        ssize_t n;

        if (!(pid >= 1 && pid <= INT_MAX) || pid != (double)(int)pid || (int)pid == getpid())
                return false;
        snprintf(path, sizeof path, FSROOT_PROC "/%d/comm", (int)pid);
        n = fsroot_read_file(root, path, comm, sizeof comm);
        if (n <= 0)
                return false;
        if (comm[n - 1] == '\n')
                comm[n - 1] = 0;
        return streq(comm, "thrashguard");
}

/* The state a running daemon published in dir. Returns 1 and fills ret
 * when there is one; 0 when there is none, note then saying why a file
 * that is there was ignored ("" when there is no file). */
static int read_daemon_state(const struct fsroot *root, const char *dir, struct state_text *ret,
                             char *note, size_t note_size)
{
        char path[512];
        _cleanup_close_ int fd = -EBADF;
        struct state_text st = {0};
        double schema = 0, pid = 0;
        int r;

        note[0] = 0;
        snprintf(path, sizeof path, "%s/%s", dir, STATE_REPORT_FILE);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) {
                if (errno != ENOENT)
                        snprintf(note, note_size, "%s: %s, ignored", path, strerror(errno));
                return 0;
        }
        r = read_to_end(fd, STATE_READ_MAX, &st.text, &st.len);
        if (r >= 0)
                r = json_parse(st.text, st.len, &st.tree);
        if (r < 0) {
                snprintf(note, note_size, "%s: %s, ignored", path,
                         r == -EINVAL ? "not JSON" : strerror(-r));
                state_text_done(&st);
                return 0;
        }
        if (!json_get_num(st.tree, "schema", &schema) || schema != STATE_REPORT_SCHEMA) {
                snprintf(note, note_size, "%s: not a state of schema %d, ignored", path,
                         STATE_REPORT_SCHEMA);
                state_text_done(&st);
                return 0;
        }
        if (!json_get_num(json_get(st.tree, "daemon"), "pid", &pid) || !daemon_alive(root, pid)) {
                snprintf(note, note_size, "%s: left by pid %.0f, which no longer runs, ignored",
                         path, pid);
                state_text_done(&st);
                return 0;
        }
        *ret = st;
        return 1;
}

/* The groups the daemon holds frozen (its record, checked against the
 * kernel). */
struct held {
        struct freeze_records recs;
        bool garbage;
};

/* Samples the state here: two snapshots, the rankings, the record of
 * frozen groups; its text in ret. */
static int sample_state(const struct config *c, const struct fsroot *root, const char *dir,
                        struct state_text *ret)
{
        struct observer *obs = NULL;
        struct snapshot a, b;
        struct ranked *ranked[CONFIG_MAX_SCOPES] = {0};
        struct state_ranking rk[CONFIG_MAX_SCOPES] = {{0}};
        _cleanup_free_ struct held *held = calloc(1, sizeof *held);
        size_t size = 256 * 1024;
        int r;

        if (!held)
                return -ENOMEM;
        snapshot_init(&a);
        snapshot_init(&b);
        r = observer_new(root, c, &obs);
        if (r < 0)
                goto finish;

        uint64_t t0 = clock_monotonic_usec();
        r = observer_take(obs, c, t0, &a);
        if (r < 0) {
                log_error_errno(r, "Cannot take a snapshot");
                goto finish;
        }
        sleep_until(t0 + c->daemon.interval_usec);
        r = observer_take(obs, c, clock_monotonic_usec(), &b);
        if (r < 0) {
                log_error_errno(r, "Cannot take a snapshot");
                goto finish;
        }
        for (unsigned i = 0; i < b.n_scopes; i++) {
                size_t cap = b.n_candidates ? b.n_candidates : 1;
                ranked[i] = calloc(cap, sizeof *ranked[i]);
                if (!ranked[i]) {
                        r = -ENOMEM;
                        goto finish;
                }
                rk[i].r = ranked[i];
                rk[i].n = rank_scope(c, &a, &b, i, ranked[i], cap);
        }
        (void)freeze_keeper_list(dir, observer_layout(obs), &held->recs, &held->garbage);

        struct state_report rep = {
            .now_usec = b.time_usec,
            .realtime_offset_usec =
                (int64_t)clock_realtime_usec() - (int64_t)clock_monotonic_usec(),
            .config = c,
            .layout = observer_layout(obs),
            .prev = &a,
            .cur = &b,
            .rankings = rk,
            .frozen = &held->recs,
            .frozen_unreadable = held->garbage,
        };
        for (;;) {
                struct text_buf out;
                char *buf = malloc(size);
                if (!buf) {
                        r = -ENOMEM;
                        goto finish;
                }
                text_buf_init(&out, buf, size);
                (void)state_report_write(&rep, &out);
                if (!out.overflow) {
                        *ret = (struct state_text){.text = buf, .len = out.len};
                        break;
                }
                free(buf);
                size *= 2;
        }
        r = json_parse(ret->text, ret->len, &ret->tree);
        if (r < 0)
                state_text_done(ret);
finish:
        for (size_t i = 0; i < ARRAY_SIZE(ranked); i++)
                free(ranked[i]);
        snapshot_free(&a);
        snapshot_free(&b);
        observer_free(obs);
        return r;
}

static int status_once(const struct config *c, const struct fsroot *root, const char *dir,
                       bool json, FILE *out)
{
        struct state_text st = {0};
        char note[768];
        int r;

        r = read_daemon_state(root, dir, &st, note, sizeof note);
        if (r == 0) {
                if (note[0] && json)
                        log_warning("%s", note);
                r = sample_state(c, root, dir, &st);
                if (r < 0)
                        return r;
        }
        if (json)
                fwrite(st.text, 1, st.len, out);
        else
                status_table_print(st.tree, note[0] ? note : NULL, out);
        state_text_done(&st);
        return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}

int status_run(const struct run_options *o, bool json, uint64_t watch_usec, FILE *out)
{
        _cleanup_free_ struct config *c = malloc(sizeof *c);
        struct config_error err;
        struct fsroot root = {.dirfd = -EBADF};
        char dir[256];
        bool tty = isatty(fileno(out));
        int r;

        if (!c)
                return -ENOMEM;
        r = run_options_load_config(o, false, c, &err);
        if (r < 0) {
                log_error("%s", err.message[0] ? err.message : "Cannot load the configuration");
                return r;
        }
        r = freeze_records_dir(o->runtime_dir, dir, sizeof dir);
        if (r < 0)
                return r;
        r = fsroot_open(o->root_dir ? o->root_dir : "/", &root);
        if (r < 0) {
                log_error_errno(r, "Cannot open root %s", o->root_dir ? o->root_dir : "/");
                return r;
        }
        /* --watch runs until interrupted, even when started with SIGINT
         * ignored (a background job of a script). */
        if (watch_usec)
                signal(SIGINT, SIG_DFL);
        for (;;) {
                uint64_t start = clock_monotonic_usec();
                /* Redrawn in place on a terminal; a file or pipe gets one
                 * state after the other. */
                if (watch_usec && tty)
                        fputs("\033[H\033[2J", out);
                r = status_once(c, &root, dir, json, out);
                if (r < 0 || !watch_usec)
                        break;
                if (!tty && !json)
                        fputc('\n', out);
                sleep_until(start + watch_usec);
        }
        fsroot_close(&root);
        return r;
}
