/* action: everything that must happen before a signal is sent, against a
 * fake hybrid root in a temporary directory: dry-run touches nothing,
 * re-validation refuses protected targets and treats vanished or recreated
 * groups as already gone, freeze/thaw wait for the kernel's word. The kill
 * itself is tested on real cgroups (tests/e2e/act-kill.sh).
 *
 * Safety: the only pid in the fake cgroup.procs is this test's own, or
 * that of a child it forked for the purpose (tests that could reach the
 * kill path, when a check fails to refuse, use a child); other pids are
 * above any pid_max, so that no signal can reach a stranger. */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "act/action.h"
#include "observe/cgroup.h"
#include "config/config.h"
#include "observe/fsroot.h"

struct fixture {
        char dir[64];
        struct fsroot root;
        struct cgroup_layout layout;
        struct config config;
        struct decision d;
        pid_t children[2];
};

static void put(const struct fixture *f, const char *rel, const char *content)
{
        char p[512], tmp[512];
        snprintf(p, sizeof p, "%s/%s", f->dir, rel);
        /* mkdir -p of the parent */
        strcpy(tmp, p);
        for (char *s = tmp + strlen(f->dir) + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                mkdir(tmp, 0755);
                *s = '/';
        }
        FILE *fp = fopen(p, "we");
        assert_non_null(fp);
        fputs(content, fp);
        fclose(fp);
}

static void get(const struct fixture *f, const char *rel, char *buf, size_t size)
{
        char p[512];
        snprintf(p, sizeof p, "%s/%s", f->dir, rel);
        FILE *fp = fopen(p, "re");
        assert_non_null(fp);
        size_t n = fread(buf, 1, size - 1, fp);
        buf[n] = 0;
        fclose(fp);
}

#define G "/node/victim"

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof *f);
        char line[128];
        int pid = (int)getpid();

        strcpy(f->dir, "/tmp/tg-test-action.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        put(f, "sys/fs/cgroup/memory/memory.stat", "cache 0\nrss 0\n");
        put(f, "sys/fs/cgroup/unified/cgroup.controllers", "");
        put(f, "sys/fs/cgroup/freezer/cgroup.procs", "");
        snprintf(line, sizeof line, "%d\n", pid);
        put(f, "sys/fs/cgroup/memory" G "/cgroup.procs", line);
        put(f, "sys/fs/cgroup/memory" G "/memory.usage_in_bytes", "1048576\n");
        put(f, "sys/fs/cgroup/memory" G "/memory.limit_in_bytes", "9223372036854771712\n");
        put(f, "sys/fs/cgroup/memory" G "/memory.stat", "cache 0\nrss 1048576\n");
        put(f, "sys/fs/cgroup/unified" G "/cgroup.kill", "");
        put(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", "");
        put(f, "sys/fs/cgroup/unified" G "/cgroup.events", "populated 1\nfrozen 0\n");
        snprintf(line, sizeof line, "proc/%d/oom_score_adj", pid);
        put(f, line, "0\n");
        snprintf(line, sizeof line, "proc/%d/comm", pid);
        put(f, line, "worker\n");
        snprintf(line, sizeof line, "proc/%d/cgroup", pid);
        put(f, line, "4:memory:" G "\n0::" G "\n");

        assert_int_equal(fsroot_open(f->dir, &f->root), 0);
        assert_int_equal(cgroup_detect(&f->root, CGROUP_MODE_AUTO, &f->layout), 0);
        assert_int_equal(f->layout.mode, CGROUP_MODE_HYBRID);
        config_init(&f->config);
        f->config.action.kill_timeout_usec = 100 * USEC_PER_MSEC;

        f->d.kind = DECISION_KILL;
        strcpy(f->d.cgroup, G);
        assert_int_equal(cgroup_id(&f->layout, G, &f->d.cgroup_id), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        char cmd[128];
        for (size_t i = 0; i < ARRAY_SIZE(f->children); i++)
                if (f->children[i] > 0) {
                        kill(f->children[i], SIGKILL);
                        waitpid(f->children[i], NULL, 0);
                }
        fsroot_close(&f->root);
        snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", f->dir);
        assert_int_equal(system(cmd), 0);
        free(f);
        return 0;
}

static void assert_untouched(const struct fixture *f)
{
        char buf[64];
        get(f, "sys/fs/cgroup/unified" G "/cgroup.kill", buf, sizeof buf);
        assert_string_equal(buf, "");
        get(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", buf, sizeof buf);
        assert_string_equal(buf, "");
}

static void test_dry_run(void **state)
{
        struct fixture *f = *state;
        struct action_result r;

        f->config.daemon.dry_run = true;
        for (int k = DECISION_KILL; k <= DECISION_THAW; k++) {
                f->d.kind = (enum decision_kind)k;
                assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
                assert_true(r.dry_run);
                assert_false(r.already_gone);
                assert_int_equal(r.error, 0);
                assert_untouched(f);
        }
        f->d.kind = DECISION_KILL;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        assert_int_equal(r.tasks_left, 1);
        assert_int_equal(r.usage_before_bytes, 1048576);
        assert_int_equal(r.tasks_killed, 0);
}

static void test_protected(void **state)
{
        struct fixture *f = *state;
        struct action_result r;
        char p[64];

        /* A task at oom_score_adj -1000, also in dry-run. */
        snprintf(p, sizeof p, "proc/%d/oom_score_adj", (int)getpid());
        put(f, p, "-1000\n");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_int_equal(r.error, -EPERM);
        assert_non_null(strstr(r.detail, "oom_score_adj -1000"));
        f->config.daemon.dry_run = true;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        f->config.daemon.dry_run = false;
        put(f, p, "0\n");

        /* A protected command, in a system service. */
        snprintf(p, sizeof p, "proc/%d/comm", (int)getpid());
        put(f, p, "sshd\n");
        strcpy(f->config.protect.comms.items[f->config.protect.comms.n++], "sshd");
        f->d.kind = DECISION_FREEZE;
        f->d.comm_protects = true;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_non_null(strstr(r.detail, "sshd"));
        /* Anywhere else a process name protects nothing. */
        f->d.comm_protects = false;
        f->config.daemon.dry_run = true;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        f->config.daemon.dry_run = false;
        put(f, p, "worker\n");

        /* A protected path. */
        strcpy(f->config.protect.cgroups.items[f->config.protect.cgroups.n++], "/node/*");
        f->d.kind = DECISION_KILL;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_non_null(strstr(r.detail, "[protect] cgroups"));
        assert_untouched(f);
}

static void test_gone_or_recreated(void **state)
{
        struct fixture *f = *state;
        struct action_result r;

        f->d.cgroup_id++; /* the group was removed and created again */
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        assert_true(r.already_gone);
        assert_int_equal(r.tasks_killed, 0);
        assert_untouched(f);

        strcpy(f->d.cgroup, "/node/nonexistent");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        assert_true(r.already_gone);

        /* Emptied by itself since the snapshot: nothing to kill. */
        strcpy(f->d.cgroup, G);
        assert_int_equal(cgroup_id(&f->layout, G, &f->d.cgroup_id), 0);
        put(f, "sys/fs/cgroup/memory" G "/cgroup.procs", "");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        assert_true(r.already_gone);
        assert_untouched(f);
}

static void test_refused(void **state)
{
        struct fixture *f = *state;
        struct action_result r;

        f->d.kind = DECISION_NONE;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EINVAL);
        f->d.kind = DECISION_RECOVERED;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EINVAL);
        f->d.kind = DECISION_KILL;
        strcpy(f->d.cgroup, "/");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EINVAL);
        strcpy(f->d.cgroup, "");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EINVAL);
        strcpy(f->d.cgroup, "node/victim");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EINVAL);
        assert_untouched(f);
}

static void test_freeze_thaw(void **state)
{
        struct fixture *f = *state;
        struct action_result r;
        char buf[64];

        /* The kernel reports frozen: confirmed. */
        put(f, "sys/fs/cgroup/unified" G "/cgroup.events", "populated 1\nfrozen 1\n");
        f->d.kind = DECISION_FREEZE;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        assert_true(r.confirmed_frozen);
        assert_false(r.partial);
        get(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", buf, sizeof buf);
        assert_string_equal(buf, "1");

        /* It never does: partial after kill_timeout, the request stays. */
        put(f, "sys/fs/cgroup/unified" G "/cgroup.events", "populated 1\nfrozen 0\n");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -ETIMEDOUT);
        assert_true(r.partial);
        assert_false(r.confirmed_frozen);
        assert_true(r.duration_usec >= 100 * USEC_PER_MSEC);
        assert_non_null(strstr(r.detail, "not frozen"));

        /* Thaw. */
        f->d.kind = DECISION_THAW;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        assert_false(r.partial);
        get(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", buf, sizeof buf);
        assert_string_equal(buf, "0");
}

/* A child that waits to be killed, with /proc entries in the fake root:
 * its memory hierarchy group is mem_group, its oom_score_adj adj. */
static pid_t spawn(struct fixture *f, const char *mem_group, const char *adj)
{
        char p[64], line[256];
        size_t i = f->children[0] ? 1 : 0;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                for (;;)
                        pause();
        }
        f->children[i] = pid;
        snprintf(p, sizeof p, "proc/%d/oom_score_adj", (int)pid);
        put(f, p, adj);
        snprintf(p, sizeof p, "proc/%d/comm", (int)pid);
        put(f, p, "worker\n");
        snprintf(p, sizeof p, "proc/%d/cgroup", (int)pid);
        snprintf(line, sizeof line,
                 "12:pids:/elsewhere\n4:memory:%s\n1:name=systemd:" G "\n0::" G "\n", mem_group);
        put(f, p, line);
        return pid;
}

static bool alive(pid_t pid)
{
        return waitpid(pid, NULL, WNOHANG) == 0;
}

static void set_procs(const struct fixture *f, const char *tree, pid_t a, pid_t b)
{
        char rel[128], line[64];
        snprintf(rel, sizeof rel, "sys/fs/cgroup/%s" G "/cgroup.procs", tree);
        if (b)
                snprintf(line, sizeof line, "%d\n%d\n", (int)a, (int)b);
        else
                snprintf(line, sizeof line, "%d\n", (int)a);
        put(f, rel, line);
}

/* Only ENOENT/ESRCH say that a task is gone: an oom_score_adj that cannot
 * be read or parsed could be -1000. */
static void test_unreadable_task_refused(void **state)
{
        struct fixture *f = *state;
        struct action_result r;
        char p[64];
        pid_t child = spawn(f, G, "0\n");

        set_procs(f, "memory", child, 0);
        set_procs(f, "unified", child, 0);
        snprintf(p, sizeof p, "proc/%d/oom_score_adj", (int)child);
        put(f, p, "minus a thousand\n");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_non_null(strstr(r.detail, "cannot read oom_score_adj"));

        /* A directory: EISDIR. */
        char full[256];
        snprintf(full, sizeof full, "%s/%s", f->dir, p);
        assert_int_equal(unlink(full), 0);
        assert_int_equal(mkdir(full, 0755), 0);
        f->d.kind = DECISION_FREEZE;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        f->d.kind = DECISION_KILL;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_true(alive(child));
        assert_untouched(f);
}

/* More tasks than can be stored, or groups deeper than can be walked:
 * refused, not acted on what was seen. The pids are above any pid_max. */
static void test_too_many_tasks(void **state)
{
        struct fixture *f = *state;
        struct action_result r;
        char p[64];
        size_t n = ACTION_MAX_TASKS + 1, len = 0;
        char *procs = malloc(n * 9 + 1);

        assert_non_null(procs);
        for (size_t i = 0; i < n; i++)
                len += (size_t)sprintf(procs + len, "%zu\n", 50000000 + i);
        put(f, "sys/fs/cgroup/memory" G "/cgroup.procs", procs);
        free(procs);
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -E2BIG);
        assert_int_equal(r.error, -E2BIG);
        assert_non_null(strstr(r.detail, "more than"));
        assert_untouched(f);

        /* 40 levels deep, the only task at the bottom. */
        char rel[1024] = "sys/fs/cgroup/memory" G;
        put(f, "sys/fs/cgroup/memory" G "/cgroup.procs", "");
        for (int i = 0; i < 40; i++) {
                strcat(rel, "/d");
                char file[1100];
                snprintf(file, sizeof file, "%s/cgroup.procs", rel);
                put(f, file, i == 39 ? "50000001\n" : "");
        }
        /* Seen and checked at any depth: a protected task down there
         * refuses the action, and nothing is touched. */
        snprintf(p, sizeof p, "proc/%d/oom_score_adj", 50000001);
        put(f, p, "-1000\n");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_non_null(strstr(r.detail, "50000001"));
        f->d.kind = DECISION_FREEZE;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_untouched(f);
}

/* Hybrid: the unified mirror holds a task whose memory group is another
 * one. It is checked as the group's own are (cgroup.kill and freezing the
 * mirror would reach it), and cgroup.kill is not used while the mirror's
 * tasks differ from the memory group's. */
static void test_mirror_checked(void **state)
{
        struct fixture *f = *state;
        struct action_result r;
        char buf[64];
        pid_t victim = spawn(f, G, "0\n");
        pid_t stranger = spawn(f, "/other", "-1000\n");

        set_procs(f, "memory", victim, 0);
        set_procs(f, "unified", victim, stranger);
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_non_null(strstr(r.detail, "oom_score_adj -1000"));
        f->d.kind = DECISION_FREEZE;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_untouched(f);
        assert_true(alive(victim) && alive(stranger));

        /* Not protected, but not the group's: no cgroup.kill; the victim
         * is killed through its pidfd, the stranger is left alone. */
        char p[64];
        snprintf(p, sizeof p, "proc/%d/oom_score_adj", (int)stranger);
        put(f, p, "0\n");
        f->d.kind = DECISION_KILL;
        (void)action_execute(&f->layout, &f->config, &f->d, NULL, &r);
        assert_false(r.used_cgroup_kill);
        get(f, "sys/fs/cgroup/unified" G "/cgroup.kill", buf, sizeof buf);
        assert_string_equal(buf, "");
        assert_true(alive(stranger));
        assert_int_equal(waitpid(victim, NULL, 0), victim);
        f->children[0] = 0;
}

/* A task is signalled only when its memory hierarchy line names the group:
 * another hierarchy's line that does (here the unified "0::" one, and
 * name=systemd) is not enough. */
static void test_memory_line_only(void **state)
{
        struct fixture *f = *state;
        struct action_result r;
        pid_t child = spawn(f, "/node/other", "0\n");

        /* Listed in the group's cgroup.procs (it moved away since). */
        set_procs(f, "memory", child, 0);
        set_procs(f, "unified", child, 0);
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -ETIMEDOUT);
        assert_true(r.partial);
        assert_int_equal(r.tasks_left, 1);
        assert_true(alive(child));
}

/* A thaw undoes a freeze: never refused because the group is protected. */
static void test_thaw_never_refused(void **state)
{
        struct fixture *f = *state;
        struct action_result r;
        char buf[64];

        strcpy(f->config.protect.cgroups.items[f->config.protect.cgroups.n++], "/node/*");
        f->d.kind = DECISION_THAW;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        get(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", buf, sizeof buf);
        assert_string_equal(buf, "0");
}

/* freeze-kill: whatever becomes of the KILL that follows the FREEZE, the
 * group does not stay frozen. */
static void test_freeze_kill_always_thaws(void **state)
{
        struct fixture *f = *state;
        struct action_result r;
        char buf[64], p[64];

        f->config.action.mode = ACTION_MODE_FREEZE_KILL;
        /* Refused: a task at -1000 (nothing killed, but thawed). */
        snprintf(p, sizeof p, "proc/%d/oom_score_adj", (int)getpid());
        put(f, p, "-1000\n");
        put(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", "1");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_non_null(strstr(r.detail, "has oom_score_adj -1000; thawed"));
        get(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", buf, sizeof buf);
        assert_string_equal(buf, "0");
        get(f, "sys/fs/cgroup/unified" G "/cgroup.kill", buf, sizeof buf);
        assert_string_equal(buf, "");

        /* Refused: the group became protected. */
        put(f, p, "0\n");
        put(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", "1");
        strcpy(f->config.protect.cgroups.items[f->config.protect.cgroups.n++], "/node/*");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        get(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", buf, sizeof buf);
        assert_string_equal(buf, "0");
        f->config.protect.cgroups.n--;

        /* Emptied by itself meanwhile. */
        put(f, "sys/fs/cgroup/memory" G "/cgroup.procs", "");
        put(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", "1");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        assert_true(r.already_gone);
        get(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", buf, sizeof buf);
        assert_string_equal(buf, "0");

        /* In dry-run nothing is touched, a thaw neither. */
        f->config.daemon.dry_run = true;
        put(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", "1");
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), 0);
        get(f, "sys/fs/cgroup/unified" G "/cgroup.freeze", buf, sizeof buf);
        assert_string_equal(buf, "1");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
            cmocka_unit_test_setup_teardown(test_protected, setup, teardown),
            cmocka_unit_test_setup_teardown(test_gone_or_recreated, setup, teardown),
            cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_freeze_thaw, setup, teardown),
            cmocka_unit_test_setup_teardown(test_unreadable_task_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_too_many_tasks, setup, teardown),
            cmocka_unit_test_setup_teardown(test_mirror_checked, setup, teardown),
            cmocka_unit_test_setup_teardown(test_memory_line_only, setup, teardown),
            cmocka_unit_test_setup_teardown(test_thaw_never_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_freeze_kill_always_thaws, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
