/* snapshot: the observer against copies of the fixture roots, changed
 * between ticks: candidates, identity, task facts, scopes, groups that come
 * and go, and the steady state that neither reopens nor reallocates. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"

#include "config/config.h"
#include "daemon/daemon.h"
#include "observe/observer.h"
#include "observe/snapshot.h"
#include "status.h"

#define PATHF(buf, ...) assert_true((size_t)snprintf(buf, sizeof buf, __VA_ARGS__) < sizeof buf)

#define SEC USEC_PER_SEC

static char tmp_root[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st, (void)flag, (void)ftw;
        return remove(path);
}

/* Copies fixture NAME to a fresh temporary root. */
static void copy_fixture(const char *name)
{
        char src[PATH_MAX], cmd[PATH_MAX * 2 + 64];

        PATHF(tmp_root, "/tmp/tg-test-snapshot-XXXXXX");
        assert_non_null(mkdtemp(tmp_root));
        PATHF(src, "%s", __FILE__); /* tests/unit/test_snapshot.c */
        *strrchr(src, '/') = 0;
        *strrchr(src, '/') = 0;
        size_t n = strlen(src);
        PATHF(src + n, "/fixtures/%s", name);
        PATHF(cmd, "cp -a '%s/.' '%s/'", src, tmp_root);
        assert_int_equal(system(cmd), 0);
}

static int teardown(void **state)
{
        (void)state;
        nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}

static void put(const char *rel, const char *content)
{
        char p[PATH_MAX];
        PATHF(p, "%s/%s", tmp_root, rel);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

/* Runs a shell command inside the temporary root. */
static void sh(const char *cmd)
{
        char full[PATH_MAX * 2];
        PATHF(full, "cd '%s' && %s", tmp_root, cmd);
        assert_int_equal(system(full), 0);
}

static unsigned count_fds(void)
{
        unsigned n = 0;
        DIR *d = opendir("/proc/self/fd");
        assert_non_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

struct t {
        struct fsroot root;
        struct config c;
        struct observer *o;
        struct snapshot s;
};

static void start(struct t *t, const char *fixture, const char *const *scopes, unsigned n)
{
        copy_fixture(fixture);
        config_init(&t->c);
        t->c.daemon.scopes.n = n;
        for (unsigned i = 0; i < n; i++)
                strcpy(t->c.daemon.scopes.items[i], scopes[i]);
        assert_int_equal(fsroot_open(tmp_root, &t->root), 0);
        assert_int_equal(observer_new(&t->root, &t->c, &t->o), 0);
        snapshot_init(&t->s);
}

static void stop(struct t *t)
{
        snapshot_free(&t->s);
        observer_free(t->o);
        fsroot_close(&t->root);
}

static const struct candidate *find_suffix(const struct snapshot *s, const char *suffix)
{
        const struct candidate *found = NULL;
        for (size_t i = 0; i < s->n_candidates; i++)
                if (endswith(s->candidates[i].path, suffix)) {
                        assert_null(found); /* suffixes used here are unique */
                        found = &s->candidates[i];
                }
        return found;
}

static const char *const ROOT_ONLY[] = {"/"};
/* v1-host's /batch holds jobs of its own: guarded as a scope, they are
 * candidates one by one; below "/" alone, /batch is one candidate. */
static const char *const V1_SCOPES[] = {"/", "/batch"};

#define KP   "/kubepods.slice"
#define BE   KP "/kubepods-besteffort.slice"
#define SSHD "/system.slice/sshd.service"

static void test_v2_candidates(void **state)
{
        (void)state;
        struct t t;

        start(&t, "v2-k8s-systemd-containerd", ROOT_ONLY, 1);
        assert_int_equal(observer_layout(t.o)->mode, CGROUP_MODE_V2);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_int_equal(t.s.time_usec, 1 * SEC);
        assert_int_equal(t.s.mode, CGROUP_MODE_V2);
        assert_int_equal(t.s.n_scopes, 1);
        assert_true(t.s.scopes[0].is_root && t.s.scopes[0].ok && t.s.scopes[0].has_psi);
        assert_int_equal(t.s.scopes[0].limit_bytes, 24ULL << 30);
        assert_int_equal(t.s.scopes[0].headroom_bytes, 16ULL << 30);
        assert_int_equal(t.s.scopes[0].psi.some.total_usec, 1500000);
        assert_int_equal(t.s.meminfo.total_bytes, 24ULL << 30);
        assert_int_equal(t.s.vmstat.pgmajfault, 1200);

        /* 3 sandboxes, 4 containers, 3 services, init.scope, a session;
         * not the empty stopped.service, no slice. */
        assert_int_equal(t.s.n_candidates, 12);
        for (size_t i = 0; i < t.s.n_candidates; i++) {
                const struct candidate *c = &t.s.candidates[i];
                if (i > 0)
                        assert_true(strcmp(t.s.candidates[i - 1].path, c->path) < 0);
                assert_ptr_equal(snapshot_find(&t.s, c->path), c);
                assert_int_equal(c->scope, 0);
                assert_true(c->cgroup_id != 0);
                assert_false(endswith(c->path, ".slice"));
        }
        assert_null(snapshot_find(&t.s, "/system.slice/stopped.service"));
        assert_null(snapshot_find(&t.s, KP));
        assert_null(snapshot_find(&t.s, "/zzz"));

        const struct candidate *sshd = snapshot_find(&t.s, SSHD);
        assert_non_null(sshd);
        assert_int_equal(sshd->id.kind, IDENTITY_SERVICE);
        assert_true(sshd->has_never_kill_task);
        assert_int_equal(sshd->oom_score_adj_min, -1000);
        assert_int_equal(sshd->nr_tasks, 1);
        assert_int_equal(sshd->n_comms, 1);
        assert_string_equal(sshd->comms[0], "sshd");

        const struct candidate *sess = find_suffix(&t.s, "/session-3.scope");
        assert_non_null(sess);
        assert_int_equal(sess->id.kind, IDENTITY_GROUP);
        assert_int_equal(sess->nr_tasks, 2);
        assert_int_equal(sess->n_comms, 2);

        /* Sandboxes (comm pause) and workload containers of the pods. */
        unsigned sandboxes = 0, containers = 0;
        for (size_t i = 0; i < t.s.n_candidates; i++) {
                const struct candidate *c = &t.s.candidates[i];
                if (c->id.kind == IDENTITY_POD_SANDBOX) {
                        sandboxes++;
                        assert_string_equal(c->comms[0], "pause");
                        assert_true(c->id.pod_name[0]);
                } else if (c->id.kind == IDENTITY_POD_CONTAINER) {
                        containers++;
                        assert_true(c->id.container_name[0]);
                        assert_true(c->s.has_psi);
                        assert_int_equal(c->s.psi.full.total_usec, 5000);
                }
        }
        assert_int_equal(sandboxes, 3);
        assert_int_equal(containers, 4);

        const struct candidate *cr = NULL;
        for (size_t i = 0; i < t.s.n_candidates; i++)
                if (streq(t.s.candidates[i].id.container_name, "cruncher"))
                        cr = &t.s.candidates[i];
        assert_non_null(cr);
        assert_true(startswith(cr->path, BE "/"));
        assert_int_equal(cr->id.qos, QOS_BESTEFFORT);
        assert_string_equal(cr->id.pod_namespace, "batch");
        assert_string_equal(cr->id.pod_name, "cruncher-28d1");
        assert_int_equal(cr->s.usage_bytes, (3ULL << 30) + (50ULL << 20));
        assert_int_equal(cr->s.stat.anon_bytes, 3ULL << 30);
        assert_int_equal(cr->oom_score_adj_max, 1000);
        stop(&t);
}

static void test_steady_state(void **state)
{
        (void)state;
        struct t t;

        start(&t, "v2-k8s-systemd-containerd", ROOT_ONLY, 1);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        struct candidate *array = t.s.candidates;
        size_t cap = t.s.cap_candidates, n = t.s.n_candidates;
        unsigned fds = count_fds();
        for (int i = 2; i < 6; i++) {
                assert_int_equal(observer_take(t.o, &t.c, (uint64_t)i * SEC, &t.s), 0);
                assert_ptr_equal(t.s.candidates, array); /* reused, not reallocated */
                assert_int_equal(t.s.cap_candidates, cap);
                assert_int_equal(t.s.n_candidates, n);
                assert_int_equal(count_fds(), fds); /* kept open, not reopened */
        }
        /* Kept files are re-read: a new value shows on the next tick. */
        const struct candidate *sshd = snapshot_find(&t.s, SSHD);
        assert_int_equal(sshd->s.usage_bytes, 8ULL << 20);
        put("sys/fs/cgroup/system.slice/sshd.service/memory.current", "12345\n");
        assert_int_equal(observer_take(t.o, &t.c, 7 * SEC, &t.s), 0);
        assert_int_equal(snapshot_find(&t.s, SSHD)->s.usage_bytes, 12345);
        stop(&t);
}

static void test_tasks_reread(void **state)
{
        (void)state;
        struct t t;
        const char *g = "sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope";
        char p[PATH_MAX];

        start(&t, "v2-k8s-systemd-containerd", ROOT_ONLY, 1);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        const struct candidate *c = find_suffix(&t.s, "/session-3.scope");
        assert_false(c->has_never_kill_task);

        /* A task's oom_score_adj changes, membership does not: seen at the
         * periodic refresh, not before. */
        put("proc/500/oom_score_adj", "-1000\n");
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        c = find_suffix(&t.s, "/session-3.scope");
        assert_false(c->has_never_kill_task);
        assert_int_equal(observer_take(t.o, &t.c, 12 * SEC, &t.s), 0);
        c = find_suffix(&t.s, "/session-3.scope");
        assert_true(c->has_never_kill_task);
        assert_int_equal(c->oom_score_adj_min, -1000);

        /* Membership changes while nothing else moves: cgroup.procs of a
         * quiet group is not read on every tick, the change is seen at the
         * refresh. A pid without /proc entry (it exited) is skipped. */
        sh("mkdir -p proc/777");
        put("proc/777/oom_score_adj", "500\n");
        put("proc/777/comm", "newcomer\n");
        PATHF(p, "%s/cgroup.procs", g);
        put(p, "500\n501\n777\n778\n");
        assert_int_equal(observer_take(t.o, &t.c, 13 * SEC, &t.s), 0);
        c = find_suffix(&t.s, "/session-3.scope");
        assert_int_equal(c->nr_tasks, 2);
        assert_int_equal(observer_take(t.o, &t.c, 23 * SEC, &t.s), 0);
        c = find_suffix(&t.s, "/session-3.scope");
        assert_int_equal(c->nr_tasks, 4);
        assert_int_equal(c->oom_score_adj_max, 500);
        assert_int_equal(c->n_comms, 3);

        /* Many distinct comms: the slots fill up, a protected comm still
         * gets one. */
        t.c.protect.comms.n = 1;
        strcpy(t.c.protect.comms.items[0], "kubelet");
        char procs[512] = "";
        static const char *const comms[] = {"a1", "a2", "a3", "a4", "a5", "kubelet"};
        for (unsigned i = 0; i < ARRAY_SIZE(comms); i++) {
                char d[64], line[128];
                PATHF(d, "proc/%u", 900 + i);
                PATHF(line, "mkdir -p %s", d);
                sh(line);
                PATHF(line, "%s/oom_score_adj", d);
                put(line, "0\n");
                PATHF(line, "%s/comm", d);
                char cm[32];
                PATHF(cm, "%s\n", comms[i]);
                put(line, cm);
                PATHF(line, "%u\n", 900 + i);
                strcat(procs, line);
        }
        put(p, procs);
        /* With the usage moving (new tasks allocate): read at once. */
        PATHF(p, "%s/memory.current", g);
        put(p, "30000000\n");
        assert_int_equal(observer_take(t.o, &t.c, 24 * SEC, &t.s), 0);
        c = find_suffix(&t.s, "/session-3.scope");
        assert_int_equal(c->n_comms, SNAPSHOT_MAX_COMMS);
        bool has_kubelet = false;
        for (unsigned i = 0; i < c->n_comms; i++)
                has_kubelet |= streq(c->comms[i], "kubelet");
        assert_true(has_kubelet);
        stop(&t);
}

#define SESSION "/user.slice/user-1000.slice/session-3.scope"

/* The same candidates, field by field (strings as strings: what follows a
 * NUL in a reused array is left over from earlier ticks). */
static void assert_same_candidates(const struct snapshot *a, const struct snapshot *b)
{
        assert_int_equal(a->n_candidates, b->n_candidates);
        for (size_t i = 0; i < a->n_candidates; i++) {
                const struct candidate *x = &a->candidates[i], *y = &b->candidates[i];
                assert_string_equal(x->path, y->path);
                assert_int_equal(x->scope, y->scope);
                assert_int_equal(x->cgroup_id, y->cgroup_id);
                assert_int_equal(x->id.kind, y->id.kind);
                assert_int_equal(x->id.qos, y->id.qos);
                assert_string_equal(x->id.runtime, y->id.runtime);
                assert_string_equal(x->id.container_id, y->id.container_id);
                assert_string_equal(x->id.pod_uid, y->id.pod_uid);
                assert_string_equal(x->id.pod_namespace, y->id.pod_namespace);
                assert_string_equal(x->id.pod_name, y->id.pod_name);
                assert_string_equal(x->id.container_name, y->id.container_name);
                assert_int_equal(x->s.usage_bytes, y->s.usage_bytes);
                assert_int_equal(x->s.limit_bytes, y->s.limit_bytes);
                assert_int_equal(x->s.psi.some.total_usec, y->s.psi.some.total_usec);
                assert_int_equal(x->s.stat.file_bytes, y->s.stat.file_bytes);
                assert_int_equal(x->stat_usec, y->stat_usec);
                assert_int_equal(x->nr_tasks, y->nr_tasks);
                assert_int_equal(x->oom_score_adj_min, y->oom_score_adj_min);
                assert_int_equal(x->oom_score_adj_max, y->oom_score_adj_max);
                assert_int_equal(x->has_never_kill_task, y->has_never_kill_task);
                assert_int_equal(x->n_comms, y->n_comms);
                for (unsigned k = 0; k < x->n_comms; k++)
                        assert_string_equal(x->comms[k], y->comms[k]);
        }
}

static void test_groups_come_and_go(void **state)
{
        (void)state;
        struct t t;

        start(&t, "v2-k8s-systemd-containerd", ROOT_ONLY, 1);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        size_t n = t.s.n_candidates;

        /* Removed between ticks: gone without a word. */
        sh("rm -rf sys/fs/cgroup/system.slice/sshd.service");
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        assert_int_equal(t.s.n_candidates, n - 1);
        assert_null(snapshot_find(&t.s, SSHD));

        /* A new service appears. */
        sh("cp -a sys/fs/cgroup/system.slice/containerd.service "
           "sys/fs/cgroup/system.slice/new.service");
        assert_int_equal(observer_take(t.o, &t.c, 3 * SEC, &t.s), 0);
        assert_int_equal(t.s.n_candidates, n);
        const struct candidate *c = snapshot_find(&t.s, "/system.slice/new.service");
        assert_non_null(c);
        assert_int_equal(c->id.kind, IDENTITY_SERVICE);
        assert_string_equal(c->comms[0], "containerd");

        /* A plain group gets a child group: it stays the candidate, with
         * the child's tasks; the child is never one of its own. */
        assert_non_null(snapshot_find(&t.s, SESSION));
        unsigned tasks = snapshot_find(&t.s, SESSION)->nr_tasks;
        sh("mkdir sys/fs/cgroup" SESSION "/sub && echo 4242 > sys/fs/cgroup" SESSION
           "/sub/cgroup.procs && mkdir -p proc/4242 && echo 0 > proc/4242/oom_score_adj && "
           "echo child > proc/4242/comm");
        sh("echo 20000000 > sys/fs/cgroup" SESSION "/memory.current");
        assert_int_equal(observer_take(t.o, &t.c, 4 * SEC, &t.s), 0);
        assert_non_null(snapshot_find(&t.s, SESSION));
        assert_int_equal(snapshot_find(&t.s, SESSION)->nr_tasks, tasks + 1);
        assert_null(snapshot_find(&t.s, SESSION "/sub"));
        assert_int_equal(t.s.n_candidates, n);

        /* And back. */
        sh("rm -rf sys/fs/cgroup" SESSION "/sub");
        assert_int_equal(observer_take(t.o, &t.c, 5 * SEC, &t.s), 0);
        assert_non_null(snapshot_find(&t.s, SESSION));
        assert_null(snapshot_find(&t.s, SESSION "/sub"));

        /* A group whose processes all leave is no candidate; its files stay
         * open and it comes back when a task does (seen within a couple of
         * seconds: an empty group is not looked at on every tick). */
        put("sys/fs/cgroup" SESSION "/cgroup.procs", "");
        put("sys/fs/cgroup" SESSION "/memory.current", "0\n");
        assert_int_equal(observer_take(t.o, &t.c, 6 * SEC, &t.s), 0);
        assert_null(snapshot_find(&t.s, SESSION));
        put("sys/fs/cgroup" SESSION "/cgroup.procs", "500\n");
        put("sys/fs/cgroup" SESSION "/memory.current", "4096000\n");
        assert_int_equal(observer_take(t.o, &t.c, 7 * SEC, &t.s), 0);
        assert_null(snapshot_find(&t.s, SESSION)); /* not looked at yet */
        assert_int_equal(observer_take(t.o, &t.c, 8 * SEC, &t.s), 0);
        assert_non_null(snapshot_find(&t.s, SESSION));
        assert_int_equal(snapshot_find(&t.s, SESSION)->nr_tasks, 1);

        /* The array reused all along (its slots shifted as groups came and
         * went) holds what a new one gets at the same time. */
        struct snapshot fresh;
        snapshot_init(&fresh);
        assert_int_equal(observer_take(t.o, &t.c, 8 * SEC, &fresh), 0);
        assert_same_candidates(&t.s, &fresh);
        snapshot_free(&fresh);
        stop(&t);
}

static void test_scopes(void **state)
{
        (void)state;
        static const char *const scopes[] = {"/", "/kubepods.slice/", "/nope"};
        struct t t;

        start(&t, "v2-k8s-systemd-containerd", scopes, 3);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_int_equal(t.s.n_scopes, 3);
        assert_string_equal(t.s.scopes[1].path, "/kubepods.slice"); /* normalised */
        assert_true(t.s.scopes[1].ok);
        assert_false(t.s.scopes[1].is_root);
        assert_true(t.s.scopes[1].has_psi);
        assert_int_equal(t.s.scopes[1].limit_bytes, 20ULL << 30);
        assert_int_equal(t.s.scopes[1].headroom_bytes, (20ULL << 30) - t.s.scopes[1].usage_bytes);
        assert_false(t.s.scopes[2].ok);
        /* Each group once, in its innermost scope. */
        assert_int_equal(t.s.n_candidates, 12);
        for (size_t i = 0; i < t.s.n_candidates; i++) {
                const struct candidate *c = &t.s.candidates[i];
                assert_int_equal(c->scope, startswith(c->path, "/kubepods.slice/") ? 1 : 0);
        }
        stop(&t);

        /* Only missing scopes: nothing could be read, ret untouched. */
        static const char *const none[] = {"/nope", "relative"};
        start(&t, "v2-k8s-systemd-containerd", none, 2);
        t.s.n_candidates = 99;
        assert_true(observer_take(t.o, &t.c, 1 * SEC, &t.s) < 0);
        assert_int_equal(t.s.n_candidates, 99);
        t.s.n_candidates = 0;
        stop(&t);
}

static void test_scope_headroom_bounded(void **state)
{
        (void)state;
        static const char *const scopes[] = {"/kubepods.slice"};
        struct t t;

        start(&t, "v2-k8s-systemd-containerd", scopes, 1);
        /* A limit above the node's memory: bounded by MemTotal/MemAvailable. */
        put("sys/fs/cgroup/kubepods.slice/memory.max", "max\n");
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_int_equal(t.s.scopes[0].limit_bytes, 24ULL << 30);
        assert_int_equal(t.s.scopes[0].headroom_bytes, 16ULL << 30);
        /* Usage above the limit: headroom 0, not a wrapped number. */
        put("sys/fs/cgroup/kubepods.slice/memory.max", "1000\n");
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        assert_int_equal(t.s.scopes[0].headroom_bytes, 0);
        stop(&t);
}

/* Without /proc/meminfo the node scope is unreadable for that tick; the
 * other scopes and their groups are still read, bounded by their own limit
 * alone (not by a MemAvailable of 0, which would be a shortage on pressure
 * alone). The next good read brings the node back. */
static void test_no_meminfo(void **state)
{
        (void)state;
        static const char *const scopes[] = {"/kubepods.slice", "/"};
        static const char *const bad[] = {"garbage\n", "", "MemTotal: 1000 kB\n",
                                          "MemAvailable: 1000 kB\nMemFree: 5 kB\n"};
        struct t t;

        start(&t, "v2-k8s-systemd-containerd", scopes, 2);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_true(t.s.scopes[0].ok && t.s.scopes[0].headroom_bytes > 0);
        assert_true(t.s.scopes[1].ok);
        size_t n_candidates = t.s.n_candidates;
        assert_true(n_candidates > 0);
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                put("proc/meminfo", bad[i]);
                assert_int_equal(observer_take(t.o, &t.c, (2 + i) * SEC, &t.s), 0);
                assert_false(t.s.scopes[1].ok);
                assert_true(t.s.scopes[0].ok);
                assert_int_equal(t.s.meminfo.total_bytes, 0);
                assert_true(t.s.scopes[0].headroom_bytes ==
                            counter_delta(t.s.scopes[0].limit_bytes, t.s.scopes[0].usage_bytes));
                assert_true(t.s.scopes[0].headroom_bytes > 0);
                /* The groups of /kubepods.slice, not those of / alone. */
                assert_true(t.s.n_candidates > 0 && t.s.n_candidates < n_candidates);
                for (size_t k = 0; k < t.s.n_candidates; k++)
                        assert_true(startswith(t.s.candidates[k].path, "/kubepods.slice/"));
        }
        put("proc/meminfo", "MemTotal: 1000 kB\nMemAvailable: 600 kB\n");
        assert_int_equal(observer_take(t.o, &t.c, 9 * SEC, &t.s), 0);
        assert_true(t.s.scopes[1].ok);
        assert_int_equal(t.s.scopes[1].headroom_bytes, 600 * 1024);
        stop(&t);
}

/* A meminfo over the 16 KiB read at first is read to its end. */
static void test_big_meminfo(void **state)
{
        (void)state;
        static const char *const scopes[] = {"/"};
        _cleanup_free_ char *text = malloc(200000);
        struct t t;
        size_t n = 0;

        assert_non_null(text);
        for (unsigned i = 0; n < 150000; i++)
                n += (size_t)sprintf(text + n, "Future%u:   %u kB\n", i, i);
        sprintf(text + n, "MemTotal: 2000 kB\nMemAvailable: 700 kB\n");
        start(&t, "v2-k8s-systemd-containerd", scopes, 1);
        put("proc/meminfo", text);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_true(t.s.scopes[0].ok);
        assert_int_equal(t.s.meminfo.total_bytes, 2000 * 1024);
        assert_int_equal(t.s.meminfo.available_bytes, 700 * 1024);
        stop(&t);
}

static const struct candidate *find_container(const struct snapshot *s, const char *name)
{
        for (size_t i = 0; i < s->n_candidates; i++)
                if (streq(s->candidates[i].id.container_name, name))
                        return &s->candidates[i];
        return NULL;
}

/* Kubernetes names missing from /var/log are looked for when the group
 * appears, then after 10 s, 20 s, ... (not at every refresh of the group:
 * each look reads directories while the disk may be saturated). */
static void test_pod_names_backoff(void **state)
{
        (void)state;
        struct t t;

        copy_fixture("v2-k8s-systemd-containerd");
        sh("mv var/log var/log.hidden");
        config_init(&t.c);
        t.c.daemon.scopes.n = 1;
        strcpy(t.c.daemon.scopes.items[0], "/");
        assert_int_equal(fsroot_open(tmp_root, &t.root), 0);
        assert_int_equal(observer_new(&t.root, &t.c, &t.o), 0);
        snapshot_init(&t.s);

        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0); /* looked: none */
        assert_null(find_container(&t.s, "cruncher"));
        assert_int_equal(observer_take(t.o, &t.c, 12 * SEC, &t.s), 0); /* after 10 s: none */
        assert_null(find_container(&t.s, "cruncher"));
        sh("mv var/log.hidden var/log");
        /* The next look is 20 s after the last one, whatever the refreshes. */
        for (uint64_t sec = 13; sec < 32; sec += 3) {
                assert_int_equal(observer_take(t.o, &t.c, sec * SEC, &t.s), 0);
                assert_null(find_container(&t.s, "cruncher"));
        }
        assert_int_equal(observer_take(t.o, &t.c, 32 * SEC, &t.s), 0);
        const struct candidate *c = find_container(&t.s, "cruncher");
        assert_non_null(c);
        assert_string_equal(c->id.pod_name, "cruncher-28d1");
        /* Sandboxes keep their kind and get the pod's names too. */
        for (size_t i = 0; i < t.s.n_candidates; i++)
                if (t.s.candidates[i].id.kind == IDENTITY_POD_SANDBOX)
                        assert_true(t.s.candidates[i].id.pod_name[0]);
        stop(&t);
}

static void test_hybrid_and_v1(void **state)
{
        (void)state;
        struct t t;

        start(&t, "hybrid-docker", ROOT_ONLY, 1);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_int_equal(t.s.mode, CGROUP_MODE_HYBRID);
        assert_int_equal(t.s.n_candidates, 6);
        unsigned with_psi = 0, never_kill = 0;
        for (size_t i = 0; i < t.s.n_candidates; i++) {
                with_psi += t.s.candidates[i].s.has_psi;
                never_kill += t.s.candidates[i].has_never_kill_task;
                assert_true(t.s.candidates[i].s.populated);
        }
        assert_int_equal(with_psi, 5); /* all but the container without a mirror */
        assert_int_equal(never_kill, 1);
        stop(&t);
        teardown(NULL);

        start(&t, "v1-host", V1_SCOPES, 2);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_int_equal(t.s.mode, CGROUP_MODE_V1);
        /* Not /batch/broken (malformed memory.stat), /batch/job-2 (empty)
         * or /batch (not a leaf). */
        assert_int_equal(t.s.n_candidates, 5);
        assert_null(snapshot_find(&t.s, "/batch/broken"));
        assert_null(snapshot_find(&t.s, "/batch"));
        assert_non_null(snapshot_find(&t.s, "/batch/we \"ird\\ job"));
        assert_false(snapshot_find(&t.s, "/batch/job-1")->s.has_psi);
        /* Repaired: back on the next tick. */
        sh("cp sys/fs/cgroup/memory/batch/job-1/memory.stat sys/fs/cgroup/memory/batch/broken/");
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        assert_non_null(snapshot_find(&t.s, "/batch/broken"));
        stop(&t);
}

#define CRUNCHER                                                                                   \
        BE "/kubepods-besteffort-pod28a73f38_3cea_b51e_c407_6d565449631b.slice/"                   \
           "cri-containerd-1f6e82d2a4a50694de95477d02a22b4c4a0b317e99194f7c7256763d9570fe8f.scope"

/* A tenant's own groups below its container: its tasks, at any depth and
 * path length, count for the container, and names there protect nothing.
 * Nothing below it is a candidate of its own. */
static void test_container_subtree(void **state)
{
        (void)state;
        struct t t;
        char deep[4096] = "sys/fs/cgroup" CRUNCHER, cmd[8192], name[201];

        start(&t, "v2-k8s-systemd-containerd", ROOT_ONLY, 1);
        t.c.protect.comms.n = 1;
        strcpy(t.c.protect.comms.items[0], "kubelet");
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        size_t n = t.s.n_candidates;

        /* crun's "container" child holds the tasks, one of them 40 levels
         * further down and 600 bytes of path below, named kubelet, at
         * oom_score_adj -500. */
        strcat(deep, "/container");
        PATHF(cmd,
              "mkdir -p '%s' && echo 401 > '%s/cgroup.procs' && : > 'sys/fs/cgroup" CRUNCHER
              "/cgroup.procs'",
              deep, deep);
        sh(cmd);
        memset(name, 'x', 200);
        name[200] = 0;
        for (int i = 0; i < 40; i++)
                strcat(deep, "/d");
        for (int i = 0; i < 3; i++) {
                strcat(deep, "/");
                strcat(deep, name);
        }
        assert_true(strlen(deep) > strlen("sys/fs/cgroup" CRUNCHER) + 600);
        PATHF(cmd,
              "mkdir -p '%s' && echo 4711 > '%s/cgroup.procs' && mkdir -p proc/4711 && "
              "echo -500 > proc/4711/oom_score_adj && echo kubelet > proc/4711/comm && "
              "echo 3373654272 > 'sys/fs/cgroup" CRUNCHER "/memory.current'",
              deep, deep);
        sh(cmd);
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        assert_int_equal(t.s.n_candidates, n);
        const struct candidate *c = snapshot_find(&t.s, CRUNCHER);
        assert_non_null(c);
        assert_int_equal(c->nr_tasks, 2);
        assert_int_equal(c->oom_score_adj_min, -500);
        assert_false(c->comm_protects);
        bool has_kubelet = false;
        for (unsigned i = 0; i < c->n_comms; i++)
                has_kubelet |= streq(c->comms[i], "kubelet");
        assert_true(has_kubelet);
        assert_null(snapshot_find(&t.s, CRUNCHER "/container"));

        /* The node's own service keeps what its name gives it. */
        const struct candidate *k = snapshot_find(&t.s, "/system.slice/kubelet.service");
        assert_non_null(k);
        assert_true(k->comm_protects);
        stop(&t);
}

/* Under a descriptor limit far below what keeping every group's files
 * open takes, every candidate is still seen on every tick, and the
 * observer never holds more than its budget (in a child: the limit cannot
 * be raised again). */
static void test_fd_budget(void **state)
{
        (void)state;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct t t;
                start(&t, "v2-k8s-systemd-containerd", ROOT_ONLY, 1);
                observer_free(t.o);
                /* 12 candidates keep about 100 files open when they can. */
                unsigned base = count_fds(), limit = base + 64;
                struct rlimit rl = {.rlim_cur = limit, .rlim_max = limit};
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || observer_new(&t.root, &t.c, &t.o) < 0)
                        _exit(2);
                for (uint64_t now = SEC; now < 30 * SEC; now += SEC / 2) {
                        int r = observer_take(t.o, &t.c, now, &t.s);
                        if (r < 0 || t.s.n_candidates != 12) {
                                fprintf(stderr, "tick %.1fs: %d, %zu candidates\n",
                                        (double)now / SEC, r, t.s.n_candidates);
                                _exit(3);
                        }
                        if (count_fds() > limit - 16)
                                _exit(4);
                }
                stop(&t);
                teardown(NULL);
                _exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

static const struct candidate *cruncher(const struct snapshot *s)
{
        for (size_t i = 0; i < s->n_candidates; i++)
                if (streq(s->candidates[i].id.container_name, "cruncher"))
                        return &s->candidates[i];
        fail();
        return NULL;
}

/* Rewrites one "key value" line of a file in place: the same inode, as a
 * kept fd sees it (sed -i would put a new file in its place). */
static void set_line(const char *rel, const char *key, unsigned long long v)
{
        char p[PATH_MAX], buf[8192], out[8192] = "";
        PATHF(p, "%s/%s", tmp_root, rel);
        FILE *f = fopen(p, "r");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        size_t klen = strlen(key);
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
                char l[256];
                if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
                        PATHF(l, "%s %llu\n", key, v);
                else
                        PATHF(l, "%s\n", line);
                strcat(out, l);
        }
        put(rel, out);
}

static void set_stat(const char *group, const char *key, unsigned long long v)
{
        char rel[PATH_MAX];
        PATHF(rel, "sys/fs/cgroup%s/memory.stat", group);
        set_line(rel, key, v);
}

static void put_psi(const char *rel, unsigned long long some)
{
        char v[256];
        PATHF(v,
              "some avg10=0.00 avg60=0.00 avg300=0.00 total=%llu\n"
              "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
              some);
        put(rel, v);
}

/* A group's stall is its ancestors' too, as in the kernel: the node's
 * (the scope "/" of these tests) moves with it. */
static void set_psi(const char *group, unsigned long long some)
{
        char p[PATH_MAX];
        PATHF(p, "sys/fs/cgroup%s/memory.pressure", group);
        put_psi(p, some);
        put_psi("proc/pressure/memory", 1000000000ULL + some);
}

static void test_quiet_groups(void **state)
{
        (void)state;
        struct t t;
        char g[CGROUP_PATH_MAX], p[PATH_MAX];

        start(&t, "v2-k8s-systemd-containerd", ROOT_ONLY, 1);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        strcpy(g, cruncher(&t.s)->path);
        assert_int_equal(cruncher(&t.s)->stat_usec, 1 * SEC);

        /* Counters move, nothing else: a quiet group's counters are not
         * read on every tick; stat_usec says how old they are. */
        set_stat(g, "workingset_refault_file", 999);
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        assert_int_equal(cruncher(&t.s)->s.stat.refault_file, 0);
        assert_int_equal(cruncher(&t.s)->stat_usec, 1 * SEC);

        /* While the scope's stall stands still, no group below it stalled:
         * its memory.pressure is not read, its last reading holds ... */
        uint64_t some = cruncher(&t.s)->s.psi.some.total_usec;
        PATHF(p, "sys/fs/cgroup%s/memory.pressure", g);
        put_psi(p, some + 40000);
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC + SEC / 2, &t.s), 0);
        assert_int_equal(cruncher(&t.s)->s.psi.some.total_usec, some);

        /* ... until the scope's moves. A stall: read at once. */
        set_psi(g, 30000);
        assert_int_equal(observer_take(t.o, &t.c, 3 * SEC, &t.s), 0);
        assert_int_equal(cruncher(&t.s)->s.stat.refault_file, 999);
        assert_int_equal(cruncher(&t.s)->s.psi.some.total_usec, 30000);
        assert_int_equal(cruncher(&t.s)->stat_usec, 3 * SEC);

        /* Usage is read every tick, even when quiet. */
        set_stat(g, "workingset_refault_file", 2000);
        PATHF(p, "sys/fs/cgroup%s/memory.current", g);
        put(p, "3273654272\n"); /* +4 KiB: not a move */
        assert_int_equal(observer_take(t.o, &t.c, 4 * SEC, &t.s), 0);
        assert_int_equal(cruncher(&t.s)->s.usage_bytes, 3273654272);
        assert_int_equal(cruncher(&t.s)->s.stat.refault_file, 999);
        /* ... and the counters at least every 10 s. */
        assert_int_equal(observer_take(t.o, &t.c, 13 * SEC, &t.s), 0);
        assert_int_equal(cruncher(&t.s)->s.stat.refault_file, 2000);
        assert_int_equal(cruncher(&t.s)->stat_usec, 13 * SEC);

        /* Usage moved by more than a small share: read at once. */
        set_stat(g, "workingset_refault_file", 3000);
        put(p, "3373654272\n");
        assert_int_equal(observer_take(t.o, &t.c, 14 * SEC, &t.s), 0);
        assert_int_equal(cruncher(&t.s)->s.stat.refault_file, 3000);

        /* New members (that allocate): read at once. */
        set_stat(g, "workingset_refault_file", 4000);
        PATHF(p, "sys/fs/cgroup%s/cgroup.procs", g);
        put(p, "402\n500\n");
        PATHF(p, "sys/fs/cgroup%s/memory.current", g);
        put(p, "3373658368\n"); /* +4 KiB: not a move for the counters */
        assert_int_equal(observer_take(t.o, &t.c, 15 * SEC, &t.s), 0);
        assert_int_equal(cruncher(&t.s)->s.stat.refault_file, 4000);
        assert_int_equal(cruncher(&t.s)->nr_tasks, 2);
        stop(&t);
}

static void test_v1_near_limit(void **state)
{
        (void)state;
        struct t t;

        start(&t, "v1-host", V1_SCOPES, 2);
        /* Pinned at its limit: without PSI, usage alone would not move. */
        put("sys/fs/cgroup/memory/batch/job-1/memory.limit_in_bytes", "1574000000\n");
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_int_equal(snapshot_find(&t.s, "/batch/job-1")->s.limit_bytes, 1574000000);
        set_line("sys/fs/cgroup/memory/batch/job-1/memory.stat", "total_pgmajfault", 777);
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        assert_int_equal(snapshot_find(&t.s, "/batch/job-1")->s.stat.pgmajfault, 777);
        /* A quiet group far from its limit is not read every tick. */
        set_line("sys/fs/cgroup/memory/system.slice/nginx.service/memory.stat", "total_pgmajfault",
                 888);
        assert_int_equal(observer_take(t.o, &t.c, 3 * SEC, &t.s), 0);
        assert_int_equal(snapshot_find(&t.s, "/system.slice/nginx.service")->s.stat.pgmajfault, 10);
        stop(&t);
}

static void test_empty_plain_probe(void **state)
{
        (void)state;
        struct t t;

        start(&t, "v1-host", V1_SCOPES, 2);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        assert_null(snapshot_find(&t.s, "/batch/job-2"));
        put("sys/fs/cgroup/memory/batch/job-2/cgroup.procs", "300\n");
        /* An empty group is looked at every few seconds, not every tick. */
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        assert_null(snapshot_find(&t.s, "/batch/job-2"));
        assert_int_equal(observer_take(t.o, &t.c, 3 * SEC + SEC / 2, &t.s), 0);
        const struct candidate *c = snapshot_find(&t.s, "/batch/job-2");
        assert_non_null(c);
        assert_int_equal(c->nr_tasks, 1);
        assert_string_equal(c->comms[0], "ffmpeg");
        stop(&t);
}

static void test_empty_gets_child(void **state)
{
        (void)state;
        struct t t;

        start(&t, "v1-host", V1_SCOPES, 2);
        assert_int_equal(observer_take(t.o, &t.c, 1 * SEC, &t.s), 0);
        sh("cp -a sys/fs/cgroup/memory/batch/job-1 sys/fs/cgroup/memory/batch/job-2/child");
        assert_int_equal(observer_take(t.o, &t.c, 2 * SEC, &t.s), 0);
        assert_null(snapshot_find(&t.s, "/batch/job-2")); /* not looked at yet */
        for (uint64_t now = 3 * SEC + SEC / 2; now < 6 * SEC; now += SEC / 2) {
                assert_int_equal(observer_take(t.o, &t.c, now, &t.s), 0);
                /* The group, with its child's tasks; the child never alone. */
                assert_non_null(snapshot_find(&t.s, "/batch/job-2"));
                assert_int_equal(snapshot_find(&t.s, "/batch/job-2")->nr_tasks, 1);
                assert_null(snapshot_find(&t.s, "/batch/job-2/child"));
        }
        stop(&t);
}

/* status_run() on a root with a hostile group name: valid JSON (control
 * characters escaped, invalid UTF-8 replaced), a table without raw control
 * characters. */
static char *run_status(bool json)
{
        char conf[PATH_MAX];
        static const char *const sets[] = {"daemon.interval=100ms", "daemon.scopes=/ /batch"};
        PATHF(conf, "%s/empty.conf", tmp_root);
        put("empty.conf", "[daemon]\n");
        struct run_options o = {
            .config_path = conf, .root_dir = tmp_root, .sets = sets, .n_sets = 2};
        char *out = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&out, &n);
        assert_non_null(f);
        assert_int_equal(status_run(&o, json, 0, f), 0);
        fclose(f);
        return out;
}

static void test_status_hostile_names(void **state)
{
        (void)state;
        copy_fixture("v1-host");
        char from[PATH_MAX], to[PATH_MAX];
        sh("cp -a sys/fs/cgroup/memory/batch/job-1 sys/fs/cgroup/memory/batch/hostile");
        PATHF(from, "%s/sys/fs/cgroup/memory/batch/hostile", tmp_root);
        PATHF(to, "%s/sys/fs/cgroup/memory/batch/nl\nx\xff\"q\"\\", tmp_root);
        assert_int_equal(rename(from, to), 0);
        char *json = run_status(true);
        assert_non_null(strstr(json, "\"cgroup\":\"/batch/nl\\nx\\ufffd\\\"q\\\"\\\\\""));
        assert_non_null(strstr(json, "\"cgroup_mode\":\"v1\""));
        for (const char *p = json; *p; p++)
                assert_true((unsigned char)*p >= 0x20 || *p == '\n');
        free(json);
        char *table = run_status(false);
        assert_non_null(strstr(table, "/batch/nl?x?\"q\"\\"));
        for (const char *p = table; *p; p++)
                assert_true((unsigned char)*p >= 0x20 || *p == '\n');
        free(table);
}

/* status with a /proc/meminfo that is empty, lacks a key or is large:
 * exit 0, the node scope shown as unreadable or read in full. */
static void test_status_bad_meminfo(void **state)
{
        (void)state;
        static const char *const bad[] = {"", "MemTotal: 1000 kB\n"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                copy_fixture("v2-k8s-systemd-containerd");
                put("proc/meminfo", bad[i]);
                _cleanup_free_ char *table = run_status(false);
                assert_non_null(strstr(table, "scope /: not readable"));
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_v2_candidates, teardown),
            cmocka_unit_test_teardown(test_steady_state, teardown),
            cmocka_unit_test_teardown(test_tasks_reread, teardown),
            cmocka_unit_test_teardown(test_groups_come_and_go, teardown),
            cmocka_unit_test_teardown(test_scopes, teardown),
            cmocka_unit_test_teardown(test_scope_headroom_bounded, teardown),
            cmocka_unit_test_teardown(test_no_meminfo, teardown),
            cmocka_unit_test_teardown(test_big_meminfo, teardown),
            cmocka_unit_test_teardown(test_status_bad_meminfo, teardown),
            cmocka_unit_test_teardown(test_pod_names_backoff, teardown),
            cmocka_unit_test_teardown(test_hybrid_and_v1, teardown),
            cmocka_unit_test_teardown(test_quiet_groups, teardown),
            cmocka_unit_test_teardown(test_v1_near_limit, teardown),
            cmocka_unit_test_teardown(test_empty_plain_probe, teardown),
            cmocka_unit_test_teardown(test_empty_gets_child, teardown),
            cmocka_unit_test_teardown(test_status_hostile_names, teardown),
            cmocka_unit_test_teardown(test_container_subtree, teardown),
            cmocka_unit_test(test_fd_budget),
        };
        return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
