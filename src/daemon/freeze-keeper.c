/* The daemon's side of the record of frozen groups; see freeze-keeper.h.
 * The runtime directory is the daemon's own (not under --root: it is not
 * part of the observed tree). */
#include "daemon/freeze-keeper.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/util.h"

/* How long `thrashguard thaw` waits for the kernel to confirm the thaw. */
#define THAW_CONFIRM_USEC (5 * USEC_PER_SEC)

void freeze_keeper_open(struct freeze_keeper *k, const char *dir)
{
        unsigned bad = 0;
        int r;

        *k = (struct freeze_keeper){.dir_fd = -EBADF};
        strcpy_bounded(k->dir, sizeof k->dir, dir);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                log_warning_errno(-errno, "Cannot create the runtime directory %s", dir);
        k->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (k->dir_fd < 0) {
                log_warning_errno(-errno,
                                  "Cannot open the runtime directory %s: frozen "
                                  "groups are not recorded, a restart cannot "
                                  "resolve them",
                                  dir);
                k->dir_fd = -EBADF;
                return;
        }
        r = freeze_records_load(k->dir_fd, &k->recs, &bad);
        if (r == -ENOENT)
                return;
        if (r < 0) {
                /* Reported here, once; the file stays as it is until a
                 * record is written over it. */
                log_warning_errno(r, "Ignoring %s/%s: not a record of frozen groups", dir,
                                  FREEZE_RECORD_FILE);
                k->recs.n = 0;
                return;
        }
        (void)freeze_records_inode(k->dir_fd, &k->file_ino);
        if (bad > 0)
                log_warning("%s/%s: %u malformed line(s) ignored", dir, FREEZE_RECORD_FILE, bad);
        k->to_resolve = k->recs.n > 0;
        if (bad > 0)
                k->dirty = true;
}

void freeze_keeper_close(struct freeze_keeper *k)
{
        k->dir_fd = safe_close(k->dir_fd);
}

static int save(struct freeze_keeper *k)
{
        int r;

        if (k->dir_fd < 0)
                return -EBADF;
        r = freeze_records_save(k->dir_fd, &k->recs, &k->file_ino);
        if (r < 0) {
                if (!k->logged_save_error)
                        log_error_errno(r, "Cannot write %s/%s", k->dir, FREEZE_RECORD_FILE);
                k->logged_save_error = true;
                return r;
        }
        if (k->logged_save_error)
                log_notice("%s/%s written again", k->dir, FREEZE_RECORD_FILE);
        k->logged_save_error = false;
        k->dirty = false;
        return 0;
}

int freeze_keeper_before_freeze(struct freeze_keeper *k, const struct config *c,
                                const struct decision *d)
{
        struct freeze_record rec = {
            .cgroup_id = d->cgroup_id,
            .boottime_usec = clock_boottime_usec(),
            .realtime_usec = clock_realtime_usec(),
            .mode = c->action.mode == ACTION_MODE_FREEZE_KILL ? ACTION_MODE_FREEZE_KILL
                                                              : ACTION_MODE_FREEZE,
            .rule = d->rule,
        };
        int r;

        if (c->daemon.dry_run)
                return 0;
        strcpy_bounded(rec.cgroup, sizeof rec.cgroup, d->cgroup);
        r = freeze_records_put(&k->recs, &rec);
        if (r < 0) {
                log_error_errno(r, "Cannot record the freeze of %s (%u groups held frozen)",
                                d->cgroup, k->recs.n);
                return r;
        }
        k->dirty = true;
        return save(k);
}

static void forget(struct freeze_keeper *k, uint64_t cgroup_id)
{
        int i = freeze_records_find(&k->recs, cgroup_id);
        if (i < 0)
                return;
        freeze_records_remove(&k->recs, (unsigned)i);
        k->dirty = true;
}

void freeze_keeper_after_action(struct freeze_keeper *k, const struct decision *d, int r,
                                const struct action_result *res)
{
        switch (d->kind) {
        case DECISION_FREEZE:
                /* A failed freeze was undone; a slow one stays requested. */
                if (res->already_gone || (r < 0 && r != -ETIMEDOUT))
                        forget(k, d->cgroup_id);
                break;
        case DECISION_KILL: /* a kill thaws on every way out */
                forget(k, d->cgroup_id);
                break;
        case DECISION_THAW:
                if (r >= 0 || res->already_gone)
                        forget(k, d->cgroup_id);
                break;
        default:
                return;
        }
        if (k->dirty)
                (void)save(k);
}

/* The group of rec as the kernel has it now: 1 the same group and frozen,
 * 0 gone, recreated or not frozen (*ret_why says which). */
static int still_ours(const struct cgroup_layout *l, const struct freeze_record *rec,
                      const char **ret_why)
{
        uint64_t id;

        if (cgroup_id(l, rec->cgroup, &id) < 0) {
                *ret_why = "gone";
                return 0;
        }
        if (id != rec->cgroup_id) {
                *ret_why = "recreated (another cgroup id)";
                return 0;
        }
        if (cgroup_is_frozen(l, rec->cgroup) <= 0) {
                *ret_why = "no longer frozen";
                return 0;
        }
        return 1;
}

static void thaw_now(const struct cgroup_layout *l, const struct freeze_record *rec,
                     const char *why)
{
        int r = cgroup_set_frozen(l, rec->cgroup, false);
        if (r < 0 && r != -ENOENT && r != -ENODEV)
                log_error_errno(r, "Cannot thaw %s (%s)", rec->cgroup, why);
        else
                log_notice("Thawed %s, frozen pending a kill (%s)", rec->cgroup, why);
}

/* Whether record i stays after the start: hands it to the policy. */
static bool resolve_one(const struct freeze_record *rec, const struct cgroup_layout *l,
                        const struct config *c, struct policy_state *st, const struct snapshot *cur,
                        uint64_t now_usec)
{
        const struct candidate *cand = snapshot_find(cur, rec->cgroup);
        uint64_t boot = clock_boottime_usec();
        uint64_t age = boot > rec->boottime_usec ? boot - rec->boottime_usec : 0;
        uint64_t at = now_usec > age ? now_usec - age : 1;
        bool pending = rec->mode == ACTION_MODE_FREEZE_KILL;
        const char *why;
        int r = -ENOENT;

        if (!still_ours(l, rec, &why)) {
                log_info("Dropping the record of %s, frozen %llu s ago: %s", rec->cgroup,
                         (unsigned long long)(age / USEC_PER_SEC), why);
                return false;
        }
        if (cand && cand->cgroup_id == rec->cgroup_id && cand->scope < cur->n_scopes &&
            !(pending && c->daemon.dry_run))
                r = policy_restore_frozen(c, st, cand->scope, cur->scopes[cand->scope].path,
                                          rec->cgroup, rec->cgroup_id, rec->rule, at, pending);
        if (!pending) {
                log_notice("Holding %s frozen (mode freeze, %s, %llu s ago) until an operator "
                           "thaws it (thrashguard thaw)",
                           rec->cgroup, rule_to_string(rec->rule),
                           (unsigned long long)(age / USEC_PER_SEC));
                return true;
        }
        if (r < 0) {
                thaw_now(l, rec,
                         c->daemon.dry_run ? "restarted in dry-run"
                         : r == -EBUSY     ? "another group is pending in its scope"
                                           : "no longer a candidate of any scope");
                return false;
        }
        log_notice("Resuming the freeze grace of %s (%s), frozen %llu.%01llu s ago", rec->cgroup,
                   rule_to_string(rec->rule), (unsigned long long)(age / USEC_PER_SEC),
                   (unsigned long long)(age % USEC_PER_SEC / 100000));
        return true;
}

void freeze_keeper_resolve(struct freeze_keeper *k, const struct cgroup_layout *l,
                           const struct config *c, struct policy_state *st,
                           const struct snapshot *cur, uint64_t now_usec)
{
        if (!k->to_resolve)
                return;
        k->to_resolve = false;
        for (unsigned i = 0; i < k->recs.n;) {
                if (resolve_one(&k->recs.r[i], l, c, st, cur, now_usec)) {
                        i++;
                        continue;
                }
                freeze_records_remove(&k->recs, i);
                k->dirty = true;
        }
        if (k->dirty)
                (void)save(k);
}

void freeze_keeper_reconcile(struct freeze_keeper *k, const struct cgroup_layout *l,
                             const struct policy_state *st)
{
        uint64_t ino = 0;

        for (unsigned i = 0; i < k->recs.n;) {
                const struct freeze_record *rec = &k->recs.r[i];
                const char *why;

                if (rec->mode == ACTION_MODE_FREEZE_KILL) {
                        if (policy_holds_frozen(st, rec->cgroup_id)) {
                                i++;
                                continue;
                        }
                        /* Nobody will kill or thaw it: undo our freeze. */
                        if (still_ours(l, rec, &why))
                                thaw_now(l, rec, "its grace is no longer tracked");
                } else if (still_ours(l, rec, &why)) {
                        i++;
                        continue;
                } else
                        log_notice("%s, held frozen (mode freeze), is %s: record dropped",
                                   rec->cgroup, why);
                freeze_records_remove(&k->recs, i);
                k->dirty = true;
        }
        /* Replaced or removed by someone else (thrashguard thaw): write
         * ours again. A garbage file (file_ino 0) stays until a record is
         * written. */
        if (k->dir_fd >= 0 && k->file_ino != 0 &&
            (freeze_records_inode(k->dir_fd, &ino) < 0 || ino != k->file_ino))
                k->dirty = true;
        if (k->dirty)
                (void)save(k);
}

/* --- commands --- */

static int open_layout(const struct run_options *o, struct config *c, struct fsroot *root,
                       struct cgroup_layout *ret)
{
        struct config_error err;
        int r = run_options_load_config(o, false, c, &err);
        if (r < 0)
                return run_options_log_config_error(&err, r);
        r = fsroot_open(o->root_dir ? o->root_dir : "/", root);
        if (r < 0)
                return r;
        return cgroup_detect(root, c->daemon.cgroup_mode, ret);
}

static int wait_thawed(const struct cgroup_layout *l, const char *cgroup)
{
        uint64_t until = clock_monotonic_usec() + THAW_CONFIRM_USEC;
        for (;;) {
                int r = cgroup_is_frozen(l, cgroup);
                if (r <= 0)
                        return r;
                if (clock_monotonic_usec() >= until)
                        return -ETIMEDOUT;
                struct timespec ts = {.tv_nsec = 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
}

static int clear_record(const struct run_options *o, const char *cgroup)
{
        char dir[256];
        struct freeze_records recs;
        unsigned bad;
        _cleanup_close_ int fd = -EBADF;
        int r, i;

        r = freeze_records_dir(o->runtime_dir, dir, sizeof dir);
        if (r < 0)
                return r;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = freeze_records_load(fd, &recs, &bad);
        if (r == -ENOENT || r == -EINVAL)
                return 0;
        if (r < 0)
                return r;
        i = freeze_records_find_path(&recs, cgroup);
        if (i < 0)
                return 0;
        freeze_records_remove(&recs, (unsigned)i);
        r = freeze_records_save(fd, &recs, NULL);
        return r < 0 ? r : 1;
}

int freeze_keeper_thaw_command(const struct run_options *o, const char *cgroup)
{
        _cleanup_free_ struct config *c = malloc(sizeof *c);
        struct fsroot root = {.dirfd = -EBADF};
        struct cgroup_layout l;
        uint64_t id;
        int r;

        if (!c)
                return -ENOMEM;
        if (cgroup[0] != '/' || streq(cgroup, "/") || strstr(cgroup, "/../") ||
            endswith(cgroup, "/..")) {
                fprintf(stderr, "thrashguard: thaw: '%s' is not a cgroup path below /\n", cgroup);
                return -EINVAL;
        }
        r = open_layout(o, c, &root, &l);
        if (r < 0)
                goto finish;
        r = cgroup_id(&l, cgroup, &id);
        if (r < 0) {
                fprintf(stderr, "thrashguard: thaw: no group %s: %s\n", cgroup, strerror(-r));
                goto finish;
        }
        r = cgroup_set_frozen(&l, cgroup, false);
        if (r >= 0)
                r = wait_thawed(&l, cgroup);
        if (r < 0) {
                fprintf(stderr, "thrashguard: thaw: %s: %s\n", cgroup, strerror(-r));
                goto finish;
        }
        r = clear_record(o, cgroup);
        if (r < 0)
                fprintf(stderr, "thrashguard: thaw: thawed %s, but its record stays: %s\n", cgroup,
                        strerror(-r));
        else
                printf("thawed %s%s\n", cgroup, r > 0 ? " (record cleared)" : "");
finish:
        fsroot_close(&root);
        return r < 0 ? r : 0;
}

int freeze_keeper_list(const char *dir, const struct cgroup_layout *l, struct freeze_records *ret,
                       bool *ret_garbage)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        unsigned bad = 0;
        int r;

        ret->n = 0;
        *ret_garbage = false;
        if (fd < 0)
                return 0;
        r = freeze_records_load(fd, ret, &bad);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                *ret_garbage = true;
                return 0;
        }
        for (unsigned i = 0; i < ret->n;) {
                const char *why;
                if (still_ours(l, &ret->r[i], &why))
                        i++;
                else
                        freeze_records_remove(ret, i);
        }
        return 0;
}
