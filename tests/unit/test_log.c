/* log: the prefix of each line (journald's "<N>" only when fd 2 is the
 * stream $JOURNAL_STREAM names, else the time and a priority word) and the
 * wrapping of long messages, read back from a real file on fd 2. */
#include "testutil.h"

#include <ctype.h>
#include <sys/stat.h>

#include "base/log.h"

/* Logs text at info on a fresh file as fd 2; returns what was written. */
static void capture(const char *text, bool as_journal, char *ret, size_t size)
{
        char path[] = "/tmp/test_log.XXXXXX";
        int fd = mkstemp(path), saved = dup(STDERR_FILENO);
        struct stat st;
        ssize_t n;

        assert_true(fd >= 0 && saved >= 0);
        unlink(path);
        assert_int_equal(fstat(fd, &st), 0);
        if (as_journal) {
                char v[64];
                snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
                         (unsigned long long)st.st_ino);
                setenv("JOURNAL_STREAM", v, 1);
        } else
                unsetenv("JOURNAL_STREAM");
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        (void)log_open_stderr();
        log_info("%s", text);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        unsetenv("JOURNAL_STREAM");
        n = pread(fd, ret, size - 1, 0);
        close(fd);
        assert_true(n > 0);
        ret[n] = 0;
}

/* Joins the lines back: each prefix removed, a continuation's indent read
 * as the blank it was cut at. Fails on a line over LOG_LINE_MAX. */
static void join(char *text, size_t prefix_len, char *ret, size_t size)
{
        ret[0] = 0;
        for (char *p = text, *e; *p; p = e + 1) {
                e = strchr(p, '\n');
                assert_non_null(e);
                if ((size_t)(e - p) + 1 > LOG_LINE_MAX)
                        fail_msg("line of %zu characters", (size_t)(e - p) + 1);
                *e = 0;
                p += prefix_len;
                if (ret[0]) {
                        assert_true(startswith(p, LOG_CONTINUATION));
                        p += strlen(LOG_CONTINUATION);
                        str_appendf(ret, size, " ");
                }
                str_appendf(ret, size, "%s", p);
        }
}

static void test_wrap(void **state)
{
        static char msg[1024], out[4096], joined[2048];
        char *word;
        (void)state;

        /* Words, then a path of 150 characters: it is not cut. */
        for (size_t i = 0; i < 40; i++)
                str_appendf(msg, sizeof msg, "word%02zu ", i);
        word = msg + strlen(msg);
        memset(word, 'p', 150);
        word[0] = '/';
        strcpy(word + 150, " end");

        capture(msg, false, out, sizeof out);
        /* "2026-12-02T13:04:05.678+01:00 info: " */
        assert_true(isdigit((unsigned char)out[0]) && out[10] == 'T' && out[19] == '.');
        assert_true(startswith(out + 29, " info: "));
        assert_non_null(strstr(out, "\n"));
        {
                char path[160];
                memcpy(path, word, 150);
                path[150] = 0;
                assert_non_null(strstr(out, path)); /* whole on one line */
        }
        join(out, 36, joined, sizeof joined);
        assert_string_equal(joined, msg);

        /* Under journald: "<6>" alone. */
        capture(msg, true, out, sizeof out);
        assert_true(startswith(out, "<6>word00 "));
        join(out, 3, joined, sizeof joined);
        assert_string_equal(joined, msg);

        /* A short message is one line. */
        capture("short", true, out, sizeof out);
        assert_string_equal(out, "<6>short\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_wrap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
