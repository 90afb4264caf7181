/* metrics: the counts (summed by decision, kept by scope path across a
 * reload, bounded), the last action with its pod labels escaped, the
 * per-scope gauges from the snapshot and the policy, a text that is well
 * formed line by line, and the file written (or not) in a directory. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "act/metrics.h"
#include "base/prom-text.h"
#include "snapshot_builder.h"

#define SEC USEC_PER_SEC

struct fixture {
        struct metrics m;
        struct config c;
        struct snapshot snap;
        struct candidate cands[4];
        struct policy_state policy;
        char text[METRICS_BUF_SIZE];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof *f);

        assert_non_null(f);
        metrics_init(&f->m, 1700000000.5);
        config_init(&f->c);
        sb_init(&f->snap, f->cands, ARRAY_SIZE(f->cands), 100 * SEC);
        sb_scope(&f->snap, "/kubepods.slice", 1024 * MIB, 900 * MIB);
        sb_scope(&f->snap, "/system.slice", 512 * MIB, 100 * MIB);
        sb_add(&f->snap, "/kubepods.slice/a", 0, 11);
        sb_add(&f->snap, "/kubepods.slice/b", 0, 12);
        sb_add(&f->snap, "/system.slice/c.service", 1, 13);
        policy_state_init(&f->policy);
        strcpy(f->policy.scopes[0].path, "/kubepods.slice");
        strcpy(f->policy.scopes[1].path, "/system.slice");
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        metrics_done(&f->m);
        free(f);
        return 0;
}

static const char *format(struct fixture *f)
{
        struct metrics_view v = {.config = &f->c,
                                 .snap = &f->snap,
                                 .policy = &f->policy,
                                 .now_usec = 100 * SEC,
                                 .up = true};
        int n = metrics_format(&f->m, &v, f->text, sizeof f->text);
        assert_true(n > 0);
        assert_int_equal((size_t)n, strlen(f->text));
        return f->text;
}

static void fill_kill(struct decision *d, unsigned scope, const char *cgroup)
{
        memset(d, 0, sizeof *d);
        d->kind = DECISION_KILL;
        d->rule = RULE_SHORTAGE;
        d->scope = scope;
        strcpy(d->cgroup, cgroup);
        d->id.kind = IDENTITY_POD_CONTAINER;
        strcpy(d->id.pod_namespace, "shop");
        strcpy(d->id.pod_name, "cart-7f9");
        strcpy(d->id.container_name, "evil\"}\nthrashguard_up 0");
        d->pressure_since_usec = 97 * SEC;
}

static void count(struct fixture *f, const struct decision *d, const struct action_result *r)
{
        struct alert a = {.d = d, .snap = &f->snap, .result = r};
        a.event = alert_event_of(d, r);
        metrics_count_event(&f->m, &a, 99 * SEC, 1700000100.0);
}

/* True when text holds line as one whole line. */
static bool has_line(const char *text, const char *line)
{
        size_t n = strlen(line);
        for (const char *p = text; (p = strstr(p, line)); p++)
                if ((p == text || p[-1] == '\n') && p[n] == '\n')
                        return true;
        return false;
}

/* Every line is a HELP, a TYPE or a sample of the family last declared,
 * with valid names, and no family is declared twice. */
static void assert_well_formed(const char *text)
{
        char families[64][128], name[128] = "";
        size_t n_families = 0;

        for (const char *p = text; *p;) {
                const char *e = strchr(p, '\n');
                char line[4096], lname[128];
                assert_non_null(e);
                assert_true((size_t)(e - p) < sizeof line);
                memcpy(line, p, (size_t)(e - p));
                line[e - p] = 0;
                p = e + 1;
                if (startswith(line, "# HELP ")) {
                        assert_int_equal(sscanf(line, "# HELP %127s", name), 1);
                        assert_true(prom_name_valid(name, false));
                        for (size_t i = 0; i < n_families; i++)
                                assert_string_not_equal(families[i], name);
                        assert_true(n_families < ARRAY_SIZE(families));
                        strcpy(families[n_families++], name);
                        continue;
                }
                if (startswith(line, "# TYPE ")) {
                        char type[32];
                        assert_int_equal(sscanf(line, "# TYPE %127s %31s", lname, type), 2);
                        assert_string_equal(lname, name);
                        assert_true(streq(type, "gauge") || streq(type, "counter"));
                        assert_true(!streq(type, "counter") || endswith(name, "_total"));
                        continue;
                }
                size_t len = strcspn(line, "{ ");
                assert_true(len < sizeof lname);
                memcpy(lname, line, len);
                lname[len] = 0;
                assert_string_equal(lname, name);
                if (line[len] == '{') {
                        /* label="value" pairs up to the closing brace */
                        const char *q = line + len + 1;
                        while (*q != '}') {
                                char label[64];
                                size_t ln = strcspn(q, "=");
                                assert_true(ln > 0 && ln < sizeof label);
                                memcpy(label, q, ln);
                                label[ln] = 0;
                                assert_true(prom_name_valid(label, true));
                                q += ln;
                                assert_int_equal(q[0], '=');
                                assert_int_equal(q[1], '"');
                                for (q += 2; *q != '"'; q++) {
                                        assert_int_not_equal(*q, 0);
                                        assert_int_not_equal(*q, '\n');
                                        if (*q == '\\') {
                                                q++;
                                                assert_true(*q == '\\' || *q == '"' || *q == 'n');
                                        }
                                }
                                q++;
                                if (*q == ',')
                                        q++;
                        }
                        len = (size_t)(q + 1 - line);
                }
                assert_int_equal(line[len], ' ');
                assert_true(line[len + 1] != 0);
        }
}

static void test_fresh(void **state)
{
        struct fixture *f = *state;
        const char *t = format(f);

        assert_well_formed(t);
        assert_true(has_line(t, "thrashguard_up 1"));
        assert_true(has_line(t, "thrashguard_dry_run 0"));
        assert_true(has_line(t, "thrashguard_start_time_seconds 1700000000.5"));
        assert_true(has_line(t, "thrashguard_candidates{scope=\"/kubepods.slice\"} 2"));
        assert_true(has_line(t, "thrashguard_candidates{scope=\"/system.slice\"} 1"));
        assert_true(has_line(t, "thrashguard_scope_headroom_bytes{scope=\"/kubepods.slice\"} "
                                "130023424"));
        assert_null(strstr(t, "thrashguard_last_action"));
        /* No measured window yet: no stall figures rather than zeros. */
        assert_null(strstr(t, "thrashguard_scope_stall_some_ratio{"));

        f->c.daemon.dry_run = true;
        t = format(f);
        assert_true(has_line(t, "thrashguard_dry_run 1"));
}

static void test_scope_state(void **state)
{
        struct fixture *f = *state;
        struct policy_scope_state *sc = &f->policy.scopes[0];
        const char *t;

        sc->has_signal = true;
        sc->some_pct = 45;
        sc->full_pct = 12.5;
        sc->shortage_since_usec = 98 * SEC;
        sc->cooldown_until_usec = 103 * SEC;
        sc->frozen_pending = true;
        f->policy.thrashing[3] = (struct policy_thrash_state){
            .used = true, .scope = 0, .since_usec = 96 * SEC, .cgroup_id = 11};
        f->policy.thrashing[4] = (struct policy_thrash_state){
            .used = true, .scope = 1, .since_usec = 90 * SEC, .cgroup_id = 13};
        f->snap.scopes[1].ok = false;
        t = format(f);
        assert_well_formed(t);
        assert_true(
            has_line(t, "thrashguard_scope_stall_some_ratio{scope=\"/kubepods.slice\"} 0.45"));
        assert_true(
            has_line(t, "thrashguard_scope_stall_full_ratio{scope=\"/kubepods.slice\"} 0.125"));
        assert_true(has_line(t, "thrashguard_scope_rule_holding_seconds{scope=\"/kubepods.slice\","
                                "rule=\"shortage\"} 2"));
        assert_true(has_line(t, "thrashguard_scope_rule_holding_seconds{scope=\"/kubepods.slice\","
                                "rule=\"local-thrash\"} 4"));
        assert_true(has_line(t, "thrashguard_scope_rule_holding_seconds{scope=\"/system.slice\","
                                "rule=\"local-thrash\"} 10"));
        assert_true(has_line(t, "thrashguard_scope_cooldown_seconds{scope=\"/kubepods.slice\"} 3"));
        assert_true(has_line(t, "thrashguard_scope_frozen_pending{scope=\"/kubepods.slice\"} 1"));
        assert_true(has_line(t, "thrashguard_scope_readable{scope=\"/system.slice\"} 0"));
        assert_null(strstr(t, "thrashguard_scope_headroom_bytes{scope=\"/system.slice\"}"));

        /* Policy state of another scope at that index (after a reload) is
         * not shown as this one's. */
        strcpy(f->policy.scopes[0].path, "/other");
        t = format(f);
        assert_null(strstr(t, "thrashguard_scope_cooldown_seconds{scope=\"/kubepods.slice\"}"));
        assert_true(has_line(t, "thrashguard_candidates{scope=\"/kubepods.slice\"} 2"));
}

static void test_counts_and_last_action(void **state)
{
        struct fixture *f = *state;
        struct decision d;
        struct action_result ok = {
            .time_to_empty_usec = 20000, .duration_usec = 50000, .freed_bytes = 300 * MIB};
        struct action_result dry = {.dry_run = true};
        struct action_result bad = {.error = -EIO};
        const char *t;

        fill_kill(&d, 0, "/kubepods.slice/a");
        count(f, &d, &ok);
        count(f, &d, &ok);
        count(f, &d, &dry);
        count(f, &d, &bad);
        struct decision rec = {.kind = DECISION_RECOVERED, .scope = 0};
        count(f, &rec, NULL);
        t = format(f);
        assert_well_formed(t);
        assert_true(has_line(t, "thrashguard_decisions_total{scope=\"/kubepods.slice\","
                                "rule=\"shortage\",kind=\"kill\"} 4"));
        assert_true(has_line(t, "thrashguard_decisions_total{scope=\"/kubepods.slice\","
                                "rule=\"none\",kind=\"recovered\"} 1"));
        assert_true(has_line(t, "thrashguard_actions_total{scope=\"/kubepods.slice\","
                                "rule=\"shortage\",kind=\"kill\",outcome=\"acted\"} 2"));
        assert_true(has_line(t, "thrashguard_actions_total{scope=\"/kubepods.slice\","
                                "rule=\"shortage\",kind=\"kill\",outcome=\"would-act\"} 1"));
        assert_true(has_line(t, "thrashguard_actions_total{scope=\"/kubepods.slice\","
                                "rule=\"shortage\",kind=\"kill\",outcome=\"failed\"} 1"));
        assert_null(strstr(t, "kind=\"recovered\",outcome="));

        /* The last action is the last one carried out (not the dry-run nor
         * the failure), with the tenant's names escaped: the hostile
         * container name stays inside its label. */
        const char *labels = "{scope=\"/kubepods.slice\",rule=\"shortage\",kind=\"kill\","
                             "cgroup=\"/kubepods.slice/a\",namespace=\"shop\",pod=\"cart-7f9\","
                             "container=\"evil\\\"}\\nthrashguard_up 0\"}";
        char line[1024];
        snprintf(line, sizeof line, "thrashguard_last_action_timestamp_seconds%s 1700000100",
                 labels);
        assert_true(has_line(t, line));
        /* From the rule's start at 97 s to the decision at 99 s, plus the
         * action's 50 ms. */
        snprintf(line, sizeof line, "thrashguard_last_action_pressure_to_empty_seconds%s 2.05",
                 labels);
        assert_true(has_line(t, line));
        snprintf(line, sizeof line, "thrashguard_last_action_empty_seconds%s 0.02", labels);
        assert_true(has_line(t, line));
        snprintf(line, sizeof line, "thrashguard_last_action_freed_bytes%s 314572800", labels);
        assert_true(has_line(t, line));
        assert_false(has_line(t, "thrashguard_up 0"));

        /* A victim already gone is no last action; an unknown start gives
         * no pressure-to-empty figure. */
        struct action_result gone = {.already_gone = true};
        fill_kill(&d, 1, "/system.slice/c.service");
        count(f, &d, &gone);
        t = format(f);
        assert_non_null(strstr(t, "cgroup=\"/kubepods.slice/a\""));
        fill_kill(&d, 1, "/system.slice/c.service");
        d.pressure_since_usec = 0;
        memset(&d.id, 0, sizeof d.id);
        count(f, &d, &ok);
        t = format(f);
        assert_well_formed(t);
        assert_null(strstr(t, "cgroup=\"/kubepods.slice/a\""));
        assert_null(strstr(t, "thrashguard_last_action_pressure_to_empty_seconds"));
        /* No pod: no empty pod labels. */
        assert_true(has_line(t,
                             "thrashguard_last_action_empty_seconds{scope=\"/system.slice\","
                             "rule=\"shortage\",kind=\"kill\",cgroup=\"/system.slice/c.service\"} "
                             "0.02"));
}

static void test_counts_survive_reload(void **state)
{
        struct fixture *f = *state;
        struct decision d;
        struct action_result ok = {.duration_usec = 1};
        const char *t;

        fill_kill(&d, 1, "/system.slice/c.service");
        count(f, &d, &ok);
        /* The reload drops /kubepods.slice: /system.slice is now index 0. */
        sb_init(&f->snap, f->cands, ARRAY_SIZE(f->cands), 200 * SEC);
        sb_scope(&f->snap, "/system.slice", 512 * MIB, 100 * MIB);
        fill_kill(&d, 0, "/system.slice/c.service");
        count(f, &d, &ok);
        t = format(f);
        assert_true(has_line(t, "thrashguard_decisions_total{scope=\"/system.slice\","
                                "rule=\"shortage\",kind=\"kill\"} 2"));
        assert_null(strstr(t, "thrashguard_decisions_total{scope=\"/kubepods.slice\""));
}

static void test_bounded(void **state)
{
        struct fixture *f = *state;
        struct decision d;
        struct action_result ok = {.duration_usec = 1};

        for (unsigned i = 0; i < METRICS_MAX_COUNTERS + 10; i++) {
                snprintf(f->snap.scopes[0].path, sizeof f->snap.scopes[0].path, "/s%u", i);
                fill_kill(&d, 0, "/x");
                count(f, &d, &ok);
        }
        assert_int_equal(f->m.n_counters, METRICS_MAX_COUNTERS);
        assert_true(f->m.counters_full);
        const char *t = format(f);
        assert_well_formed(t);
        assert_non_null(strstr(t, "scope=\"/s0\""));
        assert_null(strstr(t, "scope=\"/s256\""));
}

static void test_too_small(void **state)
{
        struct fixture *f = *state;
        struct metrics_view v = {.config = &f->c, .up = true};
        char small[64];

        assert_int_equal(metrics_format(&f->m, &v, small, sizeof small), -ENOBUFS);
        /* Without a snapshot: the daemon's own metrics only. */
        assert_true(metrics_format(&f->m, &v, f->text, sizeof f->text) > 0);
        assert_non_null(strstr(f->text, "thrashguard_up 1"));
        assert_null(strstr(f->text, "thrashguard_candidates"));
}

static void test_snapshot_cost(void **state)
{
        struct fixture *f = *state;

        metrics_count_snapshot(&f->m, 1500);
        metrics_count_snapshot(&f->m, 500);
        const char *t = format(f);
        assert_true(has_line(t, "thrashguard_snapshots_total 2"));
        assert_true(has_line(t, "thrashguard_snapshot_seconds_total 0.002"));
        assert_true(has_line(t, "thrashguard_snapshot_duration_seconds 0.0005"));
}

static void test_publish(void **state)
{
        struct fixture *f = *state;
        char dir[] = "/tmp/test_metrics.XXXXXX", path[400], missing[300], got[METRICS_BUF_SIZE];
        struct metrics_view v = {.config = &f->c,
                                 .snap = &f->snap,
                                 .policy = &f->policy,
                                 .now_usec = 100 * SEC,
                                 .up = false};
        ssize_t n;
        int fd;

        assert_non_null(mkdtemp(dir));
        /* Off: nothing written. */
        assert_int_equal(metrics_publish(&f->m, &v), 1);

        snprintf(missing, sizeof missing, "%s/missing", dir);
        strcpy(f->c.alert.metrics_dir.items[0], missing);
        f->c.alert.metrics_dir.n = 1;
        assert_int_equal(metrics_publish(&f->m, &v), -ENOENT);
        assert_true(f->m.warned);
        assert_int_equal(metrics_publish(&f->m, &v), -ENOENT);

        /* It appears: written, the warning state cleared. */
        assert_int_equal(mkdir(missing, 0755), 0);
        assert_int_equal(metrics_publish(&f->m, &v), 0);
        assert_false(f->m.warned);
        snprintf(path, sizeof path, "%s/" METRICS_FILE_NAME, missing);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        n = read(fd, got, sizeof got - 1);
        close(fd);
        assert_true(n > 0);
        got[n] = 0;
        assert_int_equal(metrics_format(&f->m, &v, f->text, sizeof f->text), (int)n);
        assert_string_equal(got, f->text);
        assert_true(has_line(got, "thrashguard_up 0"));

        /* The directory goes away under it: a failure, then fine again. */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(missing), 0);
        assert_true(metrics_publish(&f->m, &v) < 0);
        assert_true(f->m.warned);
        assert_int_equal(mkdir(missing, 0755), 0);
        assert_int_equal(metrics_publish(&f->m, &v), 0);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(missing), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_fresh, setup, teardown),
            cmocka_unit_test_setup_teardown(test_scope_state, setup, teardown),
            cmocka_unit_test_setup_teardown(test_counts_and_last_action, setup, teardown),
            cmocka_unit_test_setup_teardown(test_counts_survive_reload, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
            cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
            cmocka_unit_test_setup_teardown(test_snapshot_cost, setup, teardown),
            cmocka_unit_test_setup_teardown(test_publish, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
