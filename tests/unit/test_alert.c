/* alert: the event of each outcome, the fixed MESSAGE_IDs, and the one-line
 * MESSAGE / candidates / STATUS texts, including oversized and empty input. */
#include "testutil.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "act/alert.h"
#include "act/journal-send.h"
#include "base/log.h"
#include "config/config.h"
#include "snapshot_builder.h"

static void fill_decision(struct decision *d, enum decision_kind kind)
{
        memset(d, 0, sizeof *d);
        d->kind = kind;
        d->rule = RULE_SHORTAGE;
        d->scope = 0;
        strcpy(d->cgroup, "/kubepods.slice/pod-x/cri-containerd-abc.scope");
        d->cgroup_id = 42;
        d->id.kind = IDENTITY_POD_CONTAINER;
        d->id.qos = QOS_BESTEFFORT;
        strcpy(d->id.pod_namespace, "shop");
        strcpy(d->id.pod_name, "cart-7f9");
        strcpy(d->id.container_name, "cart");
        strcpy(d->id.pod_uid, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        strcpy(d->id.container_id, "abcdef0123456789");
        d->some_pct = 45;
        d->full_pct = 30;
        d->headroom_bytes = 12 * MIB;
        d->score = 57;
        strcpy(d->reason, "shortage in /kubepods.slice for 2.1s");
}

static void test_message_ids(void **state)
{
        (void)state;
        for (int e = 0; e < _ALERT_EVENT_MAX; e++) {
                const char *id = alert_message_id((enum alert_event)e);
                assert_non_null(id);
                assert_int_equal(strlen(id), 32);
                for (const char *p = id; *p; p++)
                        assert_true(isxdigit((unsigned char)*p) && !isupper((unsigned char)*p));
                for (int f = 0; f < e; f++)
                        assert_string_not_equal(id, alert_message_id((enum alert_event)f));
        }
        /* The documented table: these never change. */
        assert_string_equal(alert_message_id(ALERT_ACTED), "2b2e42b20e434042acc519a8da2a8e80");
        assert_string_equal(alert_message_id(ALERT_FAILED), "55dc518f02c54c738ee4853fab2cd46b");
        assert_string_equal(alert_message_id(ALERT_WOULD_ACT), "b0311b043d5847478b98aa97019bcba6");
        assert_string_equal(alert_message_id(ALERT_ALL_PROTECTED),
                            "21538a74078046e0b772719ce3221727");
        assert_string_equal(alert_message_id(ALERT_RECOVERED), "37e1842b61c442208d57fd1b0c93f3f8");
        assert_null(alert_message_id(_ALERT_EVENT_MAX));
}

static void test_event_of(void **state)
{
        struct decision d;
        struct action_result r = {0};
        (void)state;

        fill_decision(&d, DECISION_KILL);
        assert_int_equal(alert_event_of(&d, &r), ALERT_ACTED);
        r.dry_run = true;
        assert_int_equal(alert_event_of(&d, &r), ALERT_WOULD_ACT);
        r.dry_run = false;
        r.error = -ETIMEDOUT;
        r.partial = true;
        assert_int_equal(alert_event_of(&d, &r), ALERT_FAILED);
        assert_int_equal(alert_event_of(&d, NULL), ALERT_FAILED);
        r = (struct action_result){.already_gone = true};
        assert_int_equal(alert_event_of(&d, &r), ALERT_ACTED);
        fill_decision(&d, DECISION_ALL_PROTECTED);
        assert_int_equal(alert_event_of(&d, NULL), ALERT_ALL_PROTECTED);
        fill_decision(&d, DECISION_RECOVERED);
        assert_int_equal(alert_event_of(&d, NULL), ALERT_RECOVERED);
}

static void test_messages(void **state)
{
        struct candidate cands[2];
        struct snapshot s;
        struct decision d;
        struct action_result r = {0};
        struct alert a = {.d = &d, .snap = &s, .result = &r};
        char buf[2048];
        (void)state;

        sb_init(&s, cands, 2, 0);
        sb_scope(&s, "/kubepods.slice", 1024 * MIB, 1000 * MIB);

        fill_decision(&d, DECISION_KILL);
        r.tasks_killed = 9;
        r.freed_bytes = 400 * MIB;
        r.time_to_empty_usec = 42 * USEC_PER_MSEC;
        a.event = ALERT_ACTED;
        alert_format_message(&a, buf, sizeof buf);
        assert_non_null(strstr(buf, "killed /kubepods.slice/pod-x/cri-containerd-abc.scope"));
        assert_non_null(strstr(buf, "pod shop/cart-7f9, container cart, "));
        assert_non_null(strstr(buf, "shortage in /kubepods.slice for 2.1s"));
        assert_non_null(strstr(buf, "9 task(s) killed, 400.0 MiB freed, empty in 42 ms"));
        assert_null(strchr(buf, '\n'));

        r = (struct action_result){
            .error = -ETIMEDOUT, .partial = true, .tasks_killed = 3, .tasks_left = 2};
        strcpy(r.detail, "2 task(s) left after 32 round(s)");
        a.event = ALERT_FAILED;
        alert_format_message(&a, buf, sizeof buf);
        assert_non_null(strstr(buf, "partial kill of /kubepods.slice/"));
        assert_non_null(strstr(buf, "3 task(s) killed, 2 left"));

        fill_decision(&d, DECISION_FREEZE);
        r = (struct action_result){.error = -EACCES};
        alert_format_message(&a, buf, sizeof buf);
        assert_true(startswith(buf, "failed to freeze /kubepods.slice/"));
        assert_non_null(strstr(buf, strerror(EACCES)));

        r = (struct action_result){.dry_run = true};
        a.event = ALERT_WOULD_ACT;
        alert_format_message(&a, buf, sizeof buf);
        assert_true(startswith(buf, "would freeze /kubepods.slice/"));
        assert_non_null(strstr(buf, "(dry-run)"));

        fill_decision(&d, DECISION_ALL_PROTECTED);
        d.cgroup[0] = 0;
        a.result = NULL;
        a.event = ALERT_ALL_PROTECTED;
        alert_format_message(&a, buf, sizeof buf);
        assert_true(startswith(buf, "shortage in scope /kubepods.slice, but every candidate"));

        /* A plain group: no identity suffix. */
        fill_decision(&d, DECISION_KILL);
        memset(&d.id, 0, sizeof d.id);
        strcpy(d.cgroup, "/a/b");
        r = (struct action_result){.already_gone = true};
        a.result = &r;
        a.event = ALERT_ACTED;
        alert_format_message(&a, buf, sizeof buf);
        assert_true(startswith(buf, "/a/b was already gone, nothing to kill: "));
}

static void test_truncation(void **state)
{
        struct candidate cands[1];
        struct snapshot s;
        struct decision d;
        struct alert a = {.d = &d, .snap = &s, .event = ALERT_WOULD_ACT};
        char small[16], tiny[1];
        (void)state;

        sb_init(&s, cands, 1, 0);
        sb_scope(&s, "/", 0, 0);
        fill_decision(&d, DECISION_KILL);
        memset(d.reason, 'x', sizeof d.reason - 1);
        d.reason[sizeof d.reason - 1] = 0;
        alert_format_message(&a, small, sizeof small);
        assert_int_equal(strlen(small), sizeof small - 1);
        tiny[0] = 'z';
        alert_format_message(&a, tiny, sizeof tiny);
        assert_int_equal(tiny[0], 0);
        alert_format_message(&a, tiny, 0); /* writes nothing */

        /* A scope index out of range does not read past the scopes. */
        d.scope = 99;
        a.event = ALERT_RECOVERED;
        d.reason[0] = 0;
        char buf[256];
        alert_format_message(&a, buf, sizeof buf);
        assert_string_equal(buf, "recovered: ? back to normal");
}

static void test_candidates_and_status(void **state)
{
        struct candidate cands[3];
        struct snapshot s;
        struct decision d;
        struct ranked top[3] = {0};
        struct alert a = {.d = &d, .snap = &s, .top = top, .n_top = 3, .event = ALERT_ACTED};
        char buf[1024];
        (void)state;

        sb_init(&s, cands, 3, 0);
        sb_scope(&s, "/node", 512 * MIB, 500 * MIB);
        sb_add(&s, "/node/a", 0, 1);
        sb_add(&s, "/node/b", 0, 2);
        top[0] = (struct ranked){.index = 1, .rank = 1, .score = 57.25};
        strcpy(top[0].why, "refaults 170k/s");
        top[1] = (struct ranked){.index = 0, .rank = 2, .score = 1, .protect = PROTECT_PATTERN};
        top[2] = (struct ranked){.index = 7, .rank = 3}; /* out of range: "?" */
        fill_decision(&d, DECISION_KILL);

        alert_format_candidates(&a, buf, sizeof buf);
        assert_true(startswith(buf,
                               "1. /node/b score=57.25: refaults 170k/s\n2. /node/a score=1.00 "
                               "protected="));
        assert_non_null(strstr(buf, "\n3. ? score=0.00"));
        a.n_top = 0;
        alert_format_candidates(&a, buf, sizeof buf);
        assert_string_equal(buf, "");

        alert_format_status(&a, buf, sizeof buf);
        assert_string_equal(buf, "last: killed /kubepods.slice/pod-x/cri-containerd-abc.scope "
                                 "(shortage in /node)");
        a.event = ALERT_WOULD_ACT;
        alert_format_status(&a, buf, sizeof buf);
        assert_true(startswith(buf, "last: would kill /kubepods.slice/"));
        assert_non_null(strstr(buf, "dry-run"));
}

/* What alert_emit writes to stderr when there is no journal, read back from
 * a real file on fd 2: a headline that names the pod first, the fields and
 * the ranking on the following lines, no line over LOG_LINE_MAX, and
 * nothing lost: a value cut over lines joins back whole. */
struct captured {
        char text[65536];
        char *lines[256];
        size_t n;
};

static void capture_emit(const struct alert *a, const char *journal_stream, struct captured *ret)
{
        static struct config c;
        static struct journal_sender j = {.fd = -EBADF};
        char path[] = "/tmp/test_alert.XXXXXX";
        int fd = mkstemp(path), saved = dup(STDERR_FILENO);
        struct stat st;
        ssize_t n;

        assert_true(fd >= 0 && saved >= 0);
        unlink(path);
        config_init(&c);
        c.alert.journal = false;
        assert_int_equal(fstat(fd, &st), 0);
        if (journal_stream && streq(journal_stream, "this")) {
                char v[64];
                snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
                         (unsigned long long)st.st_ino);
                setenv("JOURNAL_STREAM", v, 1);
        } else if (journal_stream)
                setenv("JOURNAL_STREAM", journal_stream, 1);
        else
                unsetenv("JOURNAL_STREAM");
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        (void)log_open_stderr();
        assert_int_equal(alert_emit(&j, &c, a), 1);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        unsetenv("JOURNAL_STREAM");
        n = pread(fd, ret->text, sizeof ret->text - 1, 0);
        close(fd);
        assert_true(n > 0);
        ret->text[n] = 0;
        ret->n = 0;
        for (char *p = ret->text, *e; *p && ret->n < ARRAY_SIZE(ret->lines); p = e + 1) {
                e = strchr(p, '\n');
                assert_non_null(e); /* every line ends */
                *e = 0;
                if ((size_t)(e - p) + 1 > LOG_LINE_MAX)
                        fail_msg("line of %zu characters: %s", (size_t)(e - p) + 1, p);
                ret->lines[ret->n++] = p;
        }
}

/* "2026-12-02T13:04:05.678+01:00 warning: " */
static const char *after_timestamp(const char *line, const char *word)
{
        size_t w = strlen(word);

        for (int i = 0; i < 29; i++) {
                char c = line[i];
                bool ok = i == 4 || i == 7     ? c == '-'
                          : i == 10            ? c == 'T'
                          : i == 13 || i == 16 ? c == ':'
                          : i == 19            ? c == '.'
                          : i == 23            ? c == '+' || c == '-'
                          : i == 26            ? c == ':'
                                               : isdigit((unsigned char)c);
                if (!ok)
                        fail_msg("no timestamp at %d: %s", i, line);
        }
        if (line[29] != ' ' || strncmp(line + 30, word, w) != 0 || line[30 + w] != ':' ||
            line[31 + w] != ' ')
                fail_msg("no '%s: ' after the timestamp: %s", word, line);
        return line + 32 + w;
}

static void test_stderr_layout(void **state)
{
        static struct candidate cands[5];
        static struct snapshot s;
        static struct decision d;
        static struct captured out;
        static char joined[16384], ranking[8192], want[8192];
        struct ranked top[5] = {0};
        struct action_result r = {.tasks_killed = 2, .freed_bytes = 3 * MIB};
        struct alert a = {.d = &d, .snap = &s, .result = &r, .top = top, .n_top = 5};
        char path[260];
        size_t n_cands = 0;
        const char *head;
        (void)state;

        sb_init(&s, cands, 5, 0);
        sb_scope(&s, "/kubepods.slice", 1024 * MIB, 1000 * MIB);
        fill_decision(&d, DECISION_KILL);
        /* A cgroup path of 250 characters and a long reason. */
        memset(path, 'p', 250);
        memcpy(path, "/kubepods.slice/", 16);
        path[250] = 0;
        strcpy(d.cgroup, path);
        memset(d.reason, 'r', 480);
        memcpy(d.reason, "shortage because ", 17);
        d.reason[480] = 0;
        for (unsigned i = 0; i < 5; i++) {
                path[249] = (char)('a' + i);
                sb_add(&s, path, 0, i + 1);
                top[i] = (struct ranked){.index = i, .rank = i + 1, .score = 10.0 - i};
                memset(top[i].why, 'w', 100);
        }
        a.event = alert_event_of(&d, &r);
        alert_format_candidates(&a, want, sizeof want);

        capture_emit(&a, NULL, &out);
        assert_true(out.n >= 3);
        head = after_timestamp(out.lines[0], "warning");
        assert_true(startswith(head, "shop/cart-7f9/cart killed (shortage in /kubepods.slice): "
                                     "2 task(s), 3.0 MiB freed"));
        assert_true(strlen(head) <= ALERT_HEADLINE_MAX);
        /* The rest, joined as the harnesses join it. */
        joined[0] = ranking[0] = 0;
        for (size_t i = 1; i < out.n; i++) {
                const char *t = after_timestamp(out.lines[i], "warning");
                assert_true(startswith(t, "  "));
                t += 2;
                if (*t == '+')
                        str_appendf(n_cands ? ranking : joined,
                                    n_cands ? sizeof ranking : sizeof joined, "%s", t + 1);
                else if (isdigit((unsigned char)*t)) {
                        str_appendf(ranking, sizeof ranking, "%s%s", n_cands ? "\n" : "", t);
                        n_cands++;
                } else {
                        assert_int_equal(n_cands, 0); /* fields come before the ranking */
                        str_appendf(joined, sizeof joined, " %s", t);
                }
        }
        assert_true(startswith(joined, " MESSAGE_ID=" ALERT_MESSAGE_ID_ACTED " "));
        {
                char field[600];
                snprintf(field, sizeof field, " THRASHGUARD_CGROUP=%s THRASHGUARD_CGROUP_ID=42 ",
                         d.cgroup);
                assert_non_null(strstr(joined, field));
                snprintf(field, sizeof field, " THRASHGUARD_REASON=%s ", d.reason);
                assert_non_null(strstr(joined, field));
        }
        assert_non_null(strstr(joined, " POD_NAME=cart-7f9 "));
        assert_null(strstr(joined, "MESSAGE=")); /* the headline stands for it */
        assert_null(strstr(joined, "THRASHGUARD_CANDIDATES="));
        assert_int_equal(n_cands, 5);
        assert_string_equal(ranking, want);

        /* Under journald: its "<N>" priority prefix, no time of our own. */
        capture_emit(&a, "this", &out);
        assert_true(startswith(out.lines[0], "<4>shop/cart-7f9/cart killed ("));
        for (size_t i = 1; i < out.n; i++)
                assert_true(startswith(out.lines[i], "<4>  "));
        /* A JOURNAL_STREAM that is not fd 2 (inherited, then redirected). */
        capture_emit(&a, "1:2", &out);
        (void)after_timestamp(out.lines[0], "warning");
}

static void test_headlines(void **state)
{
        struct candidate cands[1];
        struct snapshot s;
        struct decision d;
        struct action_result r = {0};
        struct alert a = {.d = &d, .snap = &s, .result = &r};
        char buf[512];
        (void)state;

        sb_init(&s, cands, 1, 0);
        sb_scope(&s, "/node", 1024 * MIB, 1000 * MIB);
        fill_decision(&d, DECISION_FREEZE);
        r.time_to_empty_usec = 7 * USEC_PER_MSEC;
        a.event = ALERT_ACTED;
        alert_format_headline(&a, buf, sizeof buf);
        assert_string_equal(buf, "shop/cart-7f9/cart frozen (shortage in /node) in 7 ms");

        /* A service is named by its unit; a long plain path by its end. */
        memset(&d.id, 0, sizeof d.id);
        strcpy(d.cgroup, "/system.slice/nginx.service");
        r = (struct action_result){.dry_run = true};
        a.event = ALERT_WOULD_ACT;
        alert_format_headline(&a, buf, sizeof buf);
        assert_string_equal(buf, "/system.slice/nginx.service would be frozen (dry-run; shortage "
                                 "in /node)");
        memset(d.cgroup, 'x', 300);
        memcpy(d.cgroup, "/system.slice/", 14);
        strcpy(d.cgroup + 300, "/db.service");
        alert_format_headline(&a, buf, sizeof buf);
        assert_true(startswith(buf, ".../db.service would be frozen"));

        fill_decision(&d, DECISION_ALL_PROTECTED);
        d.cgroup[0] = 0;
        a.result = NULL;
        a.event = ALERT_ALL_PROTECTED;
        alert_format_headline(&a, buf, sizeof buf);
        assert_string_equal(buf, "shortage in /node: every candidate is protected");

        /* Too long: cut at ALERT_HEADLINE_MAX, visibly. */
        fill_decision(&d, DECISION_KILL);
        memset(d.id.container_name, 'c', sizeof d.id.container_name - 1);
        d.id.container_name[sizeof d.id.container_name - 1] = 0;
        a.result = &r;
        r = (struct action_result){.error = -EACCES};
        a.event = ALERT_FAILED;
        alert_format_headline(&a, buf, sizeof buf);
        assert_int_equal(strlen(buf), ALERT_HEADLINE_MAX);
        assert_true(startswith(buf, "shop/cart-7f9/ccc"));
        assert_true(endswith(buf, "..."));
        alert_format_headline(&a, buf, 8);
        assert_string_equal(buf, "shop...");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_message_ids),
            cmocka_unit_test(test_event_of),
            cmocka_unit_test(test_messages),
            cmocka_unit_test(test_truncation),
            cmocka_unit_test(test_candidates_and_status),
            cmocka_unit_test(test_headlines),
            cmocka_unit_test(test_stderr_layout),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
