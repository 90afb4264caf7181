/* prom-text: names, label-value escaping (hostile and non-UTF-8 input),
 * samples and the whole-line cut when the buffer fills. */
#include "testutil.h"

#include <math.h>

#include "base/prom-text.h"

static void test_names(void **state)
{
        (void)state;
        assert_true(prom_name_valid("thrashguard_up", false));
        assert_true(prom_name_valid("a:b_c9", false));
        assert_true(prom_name_valid("_x", false));
        assert_false(prom_name_valid("9x", false));
        assert_false(prom_name_valid("", false));
        assert_false(prom_name_valid(NULL, false));
        assert_false(prom_name_valid("a-b", false));
        assert_false(prom_name_valid("a b", false));
        assert_true(prom_name_valid("scope", true));
        assert_false(prom_name_valid("a:b", true)); /* no colon in label names */
        assert_false(prom_name_valid("__name__", true));
}

static void test_escape(void **state)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
            {"", ""},
            {"/kubepods.slice", "/kubepods.slice"},
            {"a\\b", "a\\\\b"},
            {"say \"hi\"", "say \\\"hi\\\""},
            {"two\nlines", "two\\nlines"},
            {"\"}\nfake_metric 1\n", "\\\"}\\nfake_metric 1\\n"},
            {"tab\tok", "tab\tok"},
            {"caf\xc3\xa9", "caf\xc3\xa9"}, /* UTF-8 stays */
            {"\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac\xf0\x9f\x98\x80"},
            {"bad\xff", "bad\xef\xbf\xbd"},                           /* not UTF-8 */
            {"cut\xc3", "cut\xef\xbf\xbd"},                           /* truncated sequence */
            {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                 /* overlong '/' */
            {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* a surrogate */
            {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        };
        char out[128];

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                int r = prom_escape_label_value(cases[i].in, out, sizeof out);
                assert_int_equal(r, (int)strlen(cases[i].out));
                assert_string_equal(out, cases[i].out);
        }
}

static void test_escape_does_not_fit(void **state)
{
        char out[6];

        (void)state;
        assert_int_equal(prom_escape_label_value("abcde", out, sizeof out), 5);
        assert_int_equal(prom_escape_label_value("abcdef", out, sizeof out), -ENOBUFS);
        assert_string_equal(out, "abcde");
        /* An escape is never cut in half. */
        assert_int_equal(prom_escape_label_value("abcd\"", out, sizeof out), -ENOBUFS);
        assert_string_equal(out, "abcd");
        assert_int_equal(prom_escape_label_value("x", out, 0), -ENOBUFS);
}

static void test_samples(void **state)
{
        char buf[1024];
        struct text_buf t;
        struct prom_label l[] = {{"scope", "/a\"b"}, {"pod", NULL}, {"rule", "shortage"}};

        (void)state;
        text_buf_init(&t, buf, sizeof buf);
        prom_text_family(&t, "tg_x", "gauge", "Help text.");
        prom_text_sample(&t, "tg_x", l, ARRAY_SIZE(l), 0.25);
        prom_text_sample(&t, "tg_x", NULL, 0, 3);
        prom_text_sample(&t, "tg_x", NULL, 0, 0.1);
        prom_text_sample(&t, "tg_x", NULL, 0, 1e20);
        prom_text_sample(&t, "tg_x", NULL, 0, NAN);
        prom_text_sample(&t, "tg_x", NULL, 0, -INFINITY);
        prom_text_sample_u64(&t, "tg_y_total", l, 1, UINT64_MAX);
        assert_false(t.overflow);
        assert_string_equal(buf, "# HELP tg_x Help text.\n"
                                 "# TYPE tg_x gauge\n"
                                 "tg_x{scope=\"/a\\\"b\",rule=\"shortage\"} 0.25\n"
                                 "tg_x 3\n"
                                 "tg_x 0.1\n"
                                 "tg_x 1e+20\n"
                                 "tg_x NaN\n"
                                 "tg_x -Inf\n"
                                 "tg_y_total{scope=\"/a\\\"b\"} 18446744073709551615\n");
        assert_int_equal(t.len, strlen(buf));
}

static void test_overflow_keeps_whole_lines(void **state)
{
        char buf[40];
        struct text_buf t;

        (void)state;
        text_buf_init(&t, buf, sizeof buf);
        prom_text_sample(&t, "tg_first", NULL, 0, 1);         /* 11 bytes */
        prom_text_sample(&t, "tg_second", NULL, 0, 2);        /* 12 bytes */
        prom_text_sample(&t, "tg_third_is_long", NULL, 0, 3); /* does not fit */
        assert_true(t.overflow);
        assert_string_equal(buf, "tg_first 1\ntg_second 2\n");
        prom_text_sample(&t, "z", NULL, 0, 4); /* nothing after an overflow */
        assert_string_equal(buf, "tg_first 1\ntg_second 2\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_names),
            cmocka_unit_test(test_escape),
            cmocka_unit_test(test_escape_does_not_fit),
            cmocka_unit_test(test_samples),
            cmocka_unit_test(test_overflow_keeps_whole_lines),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
