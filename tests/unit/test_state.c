/* The live state: the JSON writer and reader (base/json-out, base/json-in),
 * the state it carries (act/state-report) and the table status draws from
 * it (status-table). */
#include "testutil.h"

#include <math.h>

#include "act/state-report.h"
#include "base/json-in.h"
#include "base/json-out.h"
#include "config/config.h"
#include "decide/rank.h"
#include "snapshot_builder.h"
#include "status-table.h"

#define SEC USEC_PER_SEC

/* ---- writer ---- */

static void test_out_strings(void **state _unused_)
{
        char buf[256];
        struct text_buf o;

        text_buf_init(&o, buf, sizeof buf);
        json_out_str(&o, "a\"b\\c\n\t\x01\x7f");
        text_buf_printf(&o, ",");
        json_out_str(&o, "\xff\xc3\xa9"); /* invalid byte, then é */
        text_buf_printf(&o, ",");
        json_out_str(&o, "");
        text_buf_printf(&o, ",");
        json_out_num(&o, NAN);
        text_buf_printf(&o, ",");
        json_out_bytes(&o, true, BYTES_UNLIMITED);
        text_buf_printf(&o, ",");
        json_out_bytes(&o, true, 42);
        assert_false(o.overflow);
        assert_string_equal(buf, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\",\"\\ufffd\xc3\xa9\",null,"
                                 "null,null,42");
}

static void test_out_overflow(void **state _unused_)
{
        char buf[8];
        struct text_buf o;

        text_buf_init(&o, buf, sizeof buf);
        json_out_str(&o, "abcdefghij");
        assert_true(o.overflow);
        assert_true(strlen(buf) < sizeof buf);
        text_buf_printf(&o, "x");
        assert_true(o.overflow);
}

/* ---- reader ---- */

static void test_parse_values(void **state _unused_)
{
        const char *text = " {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"],"
                           " \"b\": {}, \"c\": [], \"a\": 7} ";
        struct json_value *v = NULL;
        double n;

        assert_int_equal(json_parse(text, strlen(text), &v), 0);
        const struct json_value *a = json_get_array(v, "a");
        assert_non_null(a);
        assert_int_equal(a->n, 6);
        assert_true(a->items[0].type == JSON_NUMBER && a->items[0].number == 1);
        assert_true(a->items[1].number == -2500);
        assert_true(a->items[2].type == JSON_BOOL && a->items[2].boolean);
        assert_true(a->items[3].type == JSON_BOOL && !a->items[3].boolean);
        assert_true(a->items[4].type == JSON_NULL);
        assert_string_equal(a->items[5].string, "x\xc3\xa9\xf0\x9f\x98\x80\n");
        assert_int_equal(json_get(v, "b")->type, JSON_OBJECT);
        assert_int_equal(json_get_array(v, "c")->n, 0);
        assert_null(json_get(v, "missing"));
        assert_false(json_get_num(v, "b", &n));
        assert_null(json_get_str(v, "a"));
        assert_true(json_get_bool(v, "missing", true));
        json_free(v);
}

static void test_parse_rejects(void **state _unused_)
{
        static const char *const bad[] = {
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "[1] [2]",
            "01",
            "1.",
            "-",
            "NaN",
            "1e999",
            "\"abc",
            "\"a\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\u0000\"",
            "\"a\tb\"",
            "tru",
            "nul",
            "{1:2}",
            "[\"a\\",
            "\"\\ud800\\u0041\"",
        };
        struct json_value *v = NULL;

        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                int r = json_parse(bad[i], strlen(bad[i]), &v);
                if (r != -EINVAL)
                        fail_msg("accepted or wrong error for '%s': %d", bad[i], r);
        }
}

static void test_parse_depth(void **state _unused_)
{
        char text[2 * (JSON_DEPTH_MAX + 1) + 1];
        struct json_value *v = NULL;
        size_t n = JSON_DEPTH_MAX;

        /* JSON_DEPTH_MAX levels parse; one more does not. */
        memset(text, '[', n);
        memset(text + n, ']', n);
        assert_int_equal(json_parse(text, 2 * n, &v), 0);
        json_free(v);
        n++;
        memset(text, '[', n);
        memset(text + n, ']', n);
        assert_int_equal(json_parse(text, 2 * n, &v), -EINVAL);
}

/* ---- the state ---- */

struct fixture {
        struct config c;
        struct cgroup_layout layout;
        struct candidate prev_c[4], cur_c[4];
        struct snapshot prev, cur;
        struct ranked ranked[4];
        struct state_ranking rk[1];
        struct policy_state policy;
        struct state_decision decisions[STATE_REPORT_MAX_DECISIONS];
        size_t n_decisions;
        struct freeze_records frozen;
        struct state_report rep;
};

#define LONG_NAME                                                                                  \
        "/node/a-very-long-service-name-that-does-not-fit-in-any-column-of-a-table.service"

static void build(struct fixture *f, uint64_t now)
{
        memset(f, 0, sizeof *f);
        config_init(&f->c);
        f->c.daemon.dry_run = true;
        f->c.shortage.duration_usec = 3 * SEC;
        f->layout = (struct cgroup_layout){.mode = CGROUP_MODE_HYBRID, .has_group_psi = true};
        for (int k = 0; k < 2; k++) {
                struct snapshot *s = k ? &f->cur : &f->prev;
                uint64_t t = k ? now : now - SEC;
                sb_init(s, k ? f->cur_c : f->prev_c, 4, t);
                struct scope_sample *sc = sb_scope(s, "/node", 1024 * MIB, 900 * MIB);
                sc->psi.some.total_usec = k ? 400000 : 0; /* 40 % over the second */
                sc->psi.full.total_usec = k ? 100000 : 0;
                struct candidate *a = sb_add(s, "/node/a", 0, 11);
                sb_set_memory(a, 300 * MIB, 10 * MIB, 0);
                a->id.qos = QOS_BESTEFFORT;
                a->s.stat.refault_file = k ? 200000 : 0;
                struct candidate *b = sb_add(s, LONG_NAME, 0, 12);
                sb_set_memory(b, 100 * MIB, 0, 0);
                sb_sort(s);
        }
        f->rk[0].r = f->ranked;
        f->rk[0].n = rank_scope(&f->c, &f->prev, &f->cur, 0, f->ranked, ARRAY_SIZE(f->ranked));

        policy_state_init(&f->policy);
        strcpy_bounded(f->policy.scopes[0].path, CGROUP_PATH_MAX, "/node");
        f->policy.scopes[0].shortage_since_usec = now - SEC; /* warming: duration not reached */

        struct decision d = {.kind = DECISION_KILL, .rule = RULE_SHORTAGE, .score = 51.5};
        strcpy_bounded(d.cgroup, sizeof d.cgroup, "/node/old");
        strcpy_bounded(d.reason, sizeof d.reason, "shortage in /node: \x1b[31mred");
        state_decision_push(f->decisions, ARRAY_SIZE(f->decisions), &f->n_decisions, &d, "/node",
                            1700000000 * SEC, 0, true);

        f->frozen.n = 1;
        f->frozen.r[0] = (struct freeze_record){.cgroup_id = 9,
                                                .realtime_usec = 1700000000 * SEC,
                                                .mode = ACTION_MODE_FREEZE,
                                                .rule = RULE_LOCAL_THRASH};
        strcpy_bounded(f->frozen.r[0].cgroup, CGROUP_PATH_MAX, "/node/frozen");

        f->rep = (struct state_report){
            .now_usec = now,
            .realtime_offset_usec = (int64_t)(1700000000 * SEC),
            .daemon_pid = 42,
            .config = &f->c,
            .layout = &f->layout,
            .prev = &f->prev,
            .cur = &f->cur,
            .rankings = f->rk,
            .policy = &f->policy,
            .decisions = f->decisions,
            .n_decisions = f->n_decisions,
            .frozen = &f->frozen,
        };
}

static struct json_value *write_and_parse(const struct state_report *rep, char *buf, size_t size,
                                          size_t *ret_after)
{
        struct text_buf o;
        struct json_value *v = NULL;

        text_buf_init(&o, buf, size);
        *ret_after = state_report_write(rep, &o);
        assert_false(o.overflow);
        assert_int_equal(json_parse(o.buf, o.len, &v), 0);
        return v;
}

static void test_state_fields(void **state _unused_)
{
        static struct fixture f;
        static char buf[64 * 1024];
        uint64_t now = 100 * SEC;
        size_t after;
        double n;

        build(&f, now);
        struct json_value *v = write_and_parse(&f.rep, buf, sizeof buf, &after);
        assert_true(json_get_num(v, "schema", &n) && n == 1);
        assert_true(json_get_num(v, "time_realtime_usec", &n) && n == 1700000100.0 * 1e6);
        assert_string_equal(json_get_str(v, "source"), "daemon");
        const struct json_value *d = json_get(v, "daemon");
        assert_true(json_get_num(d, "pid", &n) && n == 42);
        assert_string_equal(json_get_str(d, "mode"), "kill");
        assert_true(json_get_bool(d, "dry_run", false));

        const struct json_value *sc = &json_get_array(v, "scopes")->items[0];
        assert_true(json_get_num(sc, "memory_some_pct", &n) && fabs(n - 40) < 0.01);
        assert_true(json_get_num(sc, "memory_full_pct", &n) && fabs(n - 10) < 0.01);
        assert_true(json_get_num(sc, "headroom_bytes", &n) && n == (double)(124 * MIB));
        const struct json_value *sh = json_get(sc, "shortage");
        assert_string_equal(json_get_str(sh, "state"), "warming");
        assert_true(json_get_num(sh, "since_realtime_usec", &n) && n == 1700000099.0 * 1e6);
        assert_true(json_get_num(sh, "until_realtime_usec", &n) &&
                    n == 1700000099.0 * 1e6 + (double)f.c.shortage.duration_usec);
        assert_int_equal(json_get_array(sc, "thrashing")->n, 0);

        const struct json_value *ds = json_get_array(v, "decisions");
        assert_int_equal(ds->n, 1);
        assert_string_equal(json_get_str(&ds->items[0], "kind"), "kill");
        assert_string_equal(json_get_str(&ds->items[0], "outcome"), "dry-run");
        assert_null(json_get_str(&ds->items[0], "error"));
        assert_string_equal(
            json_get_str(&json_get_array(v, "frozen_by_thrashguard")->items[0], "cgroup"),
            "/node/frozen");

        /* Each candidate's score is the sum of its parts. */
        const struct json_value *cands = json_get_array(v, "candidates");
        assert_int_equal(cands->n, 2);
        for (size_t i = 0; i < cands->n; i++) {
                const struct json_value *parts = json_get(&cands->items[i], "score_parts");
                double sum = 0, score = 0;
                assert_int_equal(parts->type, JSON_OBJECT);
                assert_int_equal(parts->n, 5);
                for (size_t k = 0; k < parts->n; k++)
                        sum += parts->items[k].number;
                assert_true(json_get_num(&cands->items[i], "score", &score));
                assert_true(fabs(sum - score) < 0.01);
        }
        assert_string_equal(json_get_str(&cands->items[0], "cgroup"), "/node/a");
        assert_string_equal(json_get_str(&cands->items[0], "qos"), "besteffort");
        json_free(v);
}

static void test_state_rule_phases(void **state _unused_)
{
        static struct fixture f;
        static char buf[64 * 1024];
        uint64_t now = 100 * SEC;
        size_t after;

        build(&f, now);
        f.policy.scopes[0].shortage_since_usec = now - f.c.shortage.duration_usec;
        struct json_value *v = write_and_parse(&f.rep, buf, sizeof buf, &after);
        const struct json_value *sc = &json_get_array(v, "scopes")->items[0];
        assert_string_equal(json_get_str(json_get(sc, "shortage"), "state"), "holding");
        json_free(v);

        f.policy.scopes[0].cooldown_until_usec = now + 5 * SEC;
        v = write_and_parse(&f.rep, buf, sizeof buf, &after);
        sc = &json_get_array(v, "scopes")->items[0];
        assert_string_equal(json_get_str(json_get(sc, "shortage"), "state"), "cooldown");
        json_free(v);

        f.policy.scopes[0].frozen_pending = true;
        strcpy_bounded(f.policy.scopes[0].frozen_cgroup, CGROUP_PATH_MAX, "/node/a");
        f.policy.thrashing[3] = (struct policy_thrash_state){
            .used = true, .scope = 0, .since_usec = now - SEC, .full_pct = 30};
        strcpy_bounded(f.policy.thrashing[3].cgroup, CGROUP_PATH_MAX, "/node/a");
        v = write_and_parse(&f.rep, buf, sizeof buf, &after);
        sc = &json_get_array(v, "scopes")->items[0];
        assert_string_equal(json_get_str(json_get(sc, "shortage"), "state"), "grace");
        const struct json_value *th = json_get_array(sc, "thrashing");
        assert_int_equal(th->n, 1);
        assert_string_equal(json_get_str(&th->items[0], "state"), "warming");
        json_free(v);

        /* Without a daemon: no rule state, no daemon object. */
        f.rep.policy = NULL;
        f.rep.daemon_pid = 0;
        v = write_and_parse(&f.rep, buf, sizeof buf, &after);
        sc = &json_get_array(v, "scopes")->items[0];
        assert_int_equal(json_get(sc, "shortage")->type, JSON_NULL);
        assert_int_equal(json_get(sc, "thrashing")->type, JSON_NULL);
        assert_int_equal(json_get(v, "daemon")->type, JSON_NULL);
        assert_string_equal(json_get_str(v, "source"), "status");
        json_free(v);
}

/* Two states that differ only in their time (here: a rule without times,
 * the wall clock moved) have the same text after the offset the writer
 * returns; any other change shows there. */
static void test_state_change_offset(void **state _unused_)
{
        static struct fixture f;
        static char a[64 * 1024], b[64 * 1024];
        size_t after_a, after_b;
        struct text_buf o;

        build(&f, 100 * SEC);
        f.policy.scopes[0].shortage_since_usec = 0;
        text_buf_init(&o, a, sizeof a);
        after_a = state_report_write(&f.rep, &o);
        f.rep.realtime_offset_usec += 5 * (int64_t)SEC;
        text_buf_init(&o, b, sizeof b);
        after_b = state_report_write(&f.rep, &o);
        assert_true(strcmp(a, b) != 0);
        assert_string_equal(a + after_a, b + after_b);
        f.cur_c[0].s.usage_bytes += 4096;
        text_buf_init(&o, b, sizeof b);
        after_b = state_report_write(&f.rep, &o);
        assert_true(strcmp(a + after_a, b + after_b) != 0);
}

static void test_decision_ring(void **state _unused_)
{
        struct state_decision ring[3];
        size_t n = 0;

        for (int i = 0; i < 5; i++) {
                struct decision d = {.kind = DECISION_KILL};
                snprintf(d.reason, sizeof d.reason, "r%d", i);
                state_decision_push(ring, ARRAY_SIZE(ring), &n, &d, "/s", (uint64_t)i, -EIO, false);
        }
        assert_int_equal(n, 3);
        assert_string_equal(ring[0].reason, "r2");
        assert_string_equal(ring[2].reason, "r4");
        assert_true(ring[2].acted && ring[2].result == -EIO);
}

/* ---- the table ---- */

static char *render(const struct json_value *v, const char *note)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        assert_non_null(f);
        status_table_print(v, note, f);
        fclose(f);
        return text;
}

static void assert_fits(const char *text)
{
        for (const char *p = text; *p;) {
                const char *e = strchr(p, '\n');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (n > STATUS_TABLE_WIDTH)
                        fail_msg("line of %zu columns: %.*s", n, (int)n, p);
                for (size_t i = 0; i < n; i++)
                        if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
                                fail_msg("control or non-ASCII byte in: %.*s", (int)n, p);
                p += n + (e ? 1 : 0);
        }
}

static void test_table(void **state _unused_)
{
        static struct fixture f;
        static char buf[64 * 1024];
        size_t after;

        build(&f, 100 * SEC);
        struct json_value *v = write_and_parse(&f.rep, buf, sizeof buf, &after);
        _cleanup_free_ char *text = render(v, NULL);
        assert_fits(text);
        assert_non_null(strstr(text, "daemon pid 42, mode kill, dry-run yes, state of "
                                     "2023-11-14 22:15:00 UTC\n"));
        assert_non_null(strstr(
            text, "scope /node: memory pressure some 40.0% full 10.0%, headroom 124M of 1.0G\n"));
        assert_non_null(strstr(text, "  shortage: warming since 22:14:59, holds at "));
        assert_non_null(strstr(text,
                               "last decisions:\n  22:13:20 kill /node/old (dry-run): shortage in "
                               "/node: ?[31mred\n"));
        /* A frozen group's path whole, on its own line: what thaw takes. */
        assert_non_null(strstr(text, "frozen by thrashguard since 2023-11-14 22:13:20 UTC (mode "
                                     "freeze, local-thrash):\n  /node/frozen\n  thaw one with: "));
        /* A long name keeps its tail. */
        assert_non_null(strstr(text, "  ...-fit-in-any-column-of-a-table.service  group"));
        /* The score once per row, at the WHY's precision. */
        const struct json_value *c = &json_get_array(v, "candidates")->items[0];
        double score;
        char want[32];
        assert_true(json_get_num(c, "score", &score));
        snprintf(want, sizeof want, "score %.0f\n", score);
        assert_non_null(strstr(text, want));
        json_free(v);
}

/* A state file is not trusted: members of the wrong type, missing ones and
 * escape sequences still give a table that fits and is safe to print. */
static void test_table_hostile(void **state _unused_)
{
        static const char *const docs[] = {
            "{}",
            "[]",
            "{\"schema\":1,\"daemon\":{\"pid\":\"x\"},\"scopes\":{}}",
            "{\"daemon\":{\"pid\":7,\"mode\":\"\\u001b[2J\"},\"scopes\":[{\"path\":5,"
            "\"readable\":true,\"shortage\":{\"state\":\"warming\",\"since_realtime_usec\":-1}},"
            "{\"path\":\"/s\",\"readable\":\"yes\"}],\"candidates\":[{\"scope\":\"?\"},7,"
            "{\"scope\":\"?\",\"who\":\"\\u009b31m\",\"rank\":1e300,\"score\":\"high\"}],"
            "\"decisions\":[1,{}],\"frozen_by_thrashguard\":[{\"mode\":\"freeze\"}],"
            "\"time_realtime_usec\":1e300}",
        };

        for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
                struct json_value *v = NULL;
                assert_int_equal(json_parse(docs[i], strlen(docs[i]), &v), 0);
                _cleanup_free_ char *text = render(v, "a note \x1b[0m");
                assert_fits(text);
                json_free(v);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_out_strings),       cmocka_unit_test(test_out_overflow),
            cmocka_unit_test(test_parse_values),      cmocka_unit_test(test_parse_rejects),
            cmocka_unit_test(test_parse_depth),       cmocka_unit_test(test_state_fields),
            cmocka_unit_test(test_state_rule_phases), cmocka_unit_test(test_state_change_offset),
            cmocka_unit_test(test_decision_ring),     cmocka_unit_test(test_table),
            cmocka_unit_test(test_table_hostile),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
