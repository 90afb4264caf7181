/* action: everything that must happen before a signal is sent, against a
 * fake hybrid root in a temporary directory: dry-run touches nothing,
 * re-validation refuses protected targets and treats vanished or recreated
 * groups as already gone, freeze/thaw wait for the kernel's word. The kill
 * itself is tested on real cgroups (tests/e2e/act-kill.sh).
 *
 * Safety: the only pid in the fake cgroup.procs is this test's own, so a
 * bug that reached the kill path could only end this test. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "action.h"
#include "cgroup.h"
#include "config.h"
#include "fsroot.h"

struct fixture {
        char dir[64];
        struct fsroot root;
        struct cgroup_layout layout;
        struct config config;
        struct decision d;
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

        /* A protected command (sshd is in the defaults). */
        snprintf(p, sizeof p, "proc/%d/comm", (int)getpid());
        put(f, p, "sshd\n");
        f->d.kind = DECISION_FREEZE;
        assert_int_equal(action_execute(&f->layout, &f->config, &f->d, NULL, &r), -EPERM);
        assert_non_null(strstr(r.detail, "sshd"));
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

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
            cmocka_unit_test_setup_teardown(test_protected, setup, teardown),
            cmocka_unit_test_setup_teardown(test_gone_or_recreated, setup, teardown),
            cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_freeze_thaw, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
