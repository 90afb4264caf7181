/* freeze-record: the state file of frozen groups, format -> parse round
 * trip, and hostile input: wrong headers, cut lines, bad numbers, bad
 * escapes, paths that could reach outside a group, too many records. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "act/freeze-record.h"

static struct freeze_record rec(uint64_t id, const char *path, enum action_mode m, enum rule r)
{
        struct freeze_record x = {
            .cgroup_id = id,
            .boottime_usec = 1000 + id,
            .realtime_usec = 2000 + id,
            .mode = m,
            .rule = r,
        };
        strcpy(x.cgroup, path);
        return x;
}

static int parse(const char *s, struct freeze_records *ret, unsigned *bad)
{
        return freeze_records_parse(s, strlen(s), ret, bad);
}

static void test_round_trip(void **state)
{
        static struct freeze_records a, b;
        static char buf[64 * 1024];
        unsigned bad = 99;
        (void)state;

        a.n = 0;
        assert_int_equal(freeze_records_put(&a, &(struct freeze_record){0}), 0);
        a.n = 0;
        struct freeze_record x[] = {
            rec(7, "/kubepods.slice/pod/cri-containerd-ab.scope", ACTION_MODE_FREEZE,
                RULE_SHORTAGE),
            rec(8, "/a b/c\\d/\x01\x7f/\xc3\xa9", ACTION_MODE_FREEZE_KILL, RULE_LOCAL_THRASH),
        };
        for (size_t i = 0; i < ARRAY_SIZE(x); i++)
                assert_int_equal(freeze_records_put(&a, &x[i]), 0);
        int n = freeze_records_format(&a, buf, sizeof buf);
        assert_true(n > 0);
        assert_non_null(strstr(buf, "/a\\x20b/c\\x5cd/\\x01\\x7f/\xc3\xa9\n"));
        assert_int_equal(freeze_records_parse(buf, (size_t)n, &b, &bad), 0);
        assert_int_equal(bad, 0);
        assert_int_equal(b.n, 2);
        for (unsigned i = 0; i < 2; i++) {
                assert_string_equal(b.r[i].cgroup, x[i].cgroup);
                assert_int_equal(b.r[i].cgroup_id, x[i].cgroup_id);
                assert_int_equal(b.r[i].boottime_usec, x[i].boottime_usec);
                assert_int_equal(b.r[i].realtime_usec, x[i].realtime_usec);
                assert_int_equal(b.r[i].mode, x[i].mode);
                assert_int_equal(b.r[i].rule, x[i].rule);
        }
        /* Too small a buffer is refused, never cut. */
        for (size_t size = 0; size < (size_t)n + 1; size += 7)
                assert_int_equal(freeze_records_format(&a, buf, size), -ENOBUFS);
        /* Empty record set: the header alone. */
        a.n = 0;
        assert_int_equal(freeze_records_format(&a, buf, sizeof buf),
                         strlen(FREEZE_RECORD_HEADER "\n"));
        assert_int_equal(parse(buf, &b, &bad), 0);
        assert_int_equal(b.n, 0);
}

static void test_bad_header(void **state)
{
        static const char *const files[] = {
            "",
            "\n",
            "thrashguard-frozen 1", /* no newline */
            "thrashguard-frozen 2\n",
            "thrashguard-frozen 1 \n",
            "Thrashguard-frozen 1\n",
            "garbage\n7 1 2 freeze shortage /a\n",
            "\x00\x01\x02\xff",
            "7 1 2 freeze shortage /a\n",
        };
        struct freeze_records r;
        unsigned bad;
        (void)state;

        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                r.n = 5;
                assert_int_equal(parse(files[i], &r, &bad), -EINVAL);
                assert_int_equal(r.n, 0);
        }
        assert_int_equal(freeze_records_parse("thrashguard-frozen 1\n", 0, &r, &bad), -EINVAL);
}

static void test_bad_lines(void **state)
{
        static const char *const lines[] = {
            "",
            " 7 1 2 freeze shortage /a",
            "7  1 2 freeze shortage /a",
            "7 1 2 freeze shortage /a ",
            "7 1 2 freeze shortage /a extra",
            "7 1 2 freeze shortage",
            "0 1 2 freeze shortage /a",  /* id 0 */
            "-7 1 2 freeze shortage /a", /* sign */
            "+7 1 2 freeze shortage /a",
            "7 1 18446744073709551616 freeze shortage /a", /* overflow */
            "7 1x 2 freeze shortage /a",
            "7 1 2 kill shortage /a", /* not a freeze mode */
            "7 1 2 freeze none /a",
            "7 1 2 FREEZE shortage /a",
            "7 1 2 freeze shortage a", /* relative */
            "7 1 2 freeze shortage /", /* the root */
            "7 1 2 freeze shortage /a/",
            "7 1 2 freeze shortage //a",
            "7 1 2 freeze shortage /a/../b",
            "7 1 2 freeze shortage /a/..",
            "7 1 2 freeze shortage /./a",
            "7 1 2 freeze shortage /\\x2e\\x2e/etc", /* ".." escaped */
            "7 1 2 freeze shortage /a\\x00b",        /* escaped NUL */
            "7 1 2 freeze shortage /a\\x4",
            "7 1 2 freeze shortage /a\\xzz",
            "7 1 2 freeze shortage /a\\",
            "7 1 2 freeze shortage /a\\n",
            "7 1 2 freeze shortage /a\tb", /* raw control byte */
            "7 1 2 freeze shortage /a\rb",
        };
        char buf[256];
        struct freeze_records r;
        unsigned bad;
        (void)state;

        for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
                snprintf(buf, sizeof buf, "%s\n%s\n%s\n", FREEZE_RECORD_HEADER, lines[i],
                         "9 1 2 freeze-kill local-thrash /ok");
                assert_int_equal(parse(buf, &r, &bad), 0);
                if (bad != 1 || r.n != 1)
                        fail_msg("line %zu '%s': bad %u, n %u", i, lines[i], bad, r.n);
                assert_string_equal(r.r[0].cgroup, "/ok");
        }
        /* A NUL inside a line. */
        static const char nul[] = FREEZE_RECORD_HEADER "\n7 1 2 freeze shortage /a\0b\n";
        assert_int_equal(freeze_records_parse(nul, sizeof nul - 1, &r, &bad), 0);
        assert_int_equal(r.n, 0);
        assert_int_equal(bad, 1);
        /* The last line cut short (no newline) is not taken. */
        assert_int_equal(parse(FREEZE_RECORD_HEADER "\n7 1 2 freeze shortage /a", &r, &bad), 0);
        assert_int_equal(r.n, 0);
        assert_int_equal(bad, 1);
        /* A path longer than CGROUP_PATH_MAX. */
        static char longp[CGROUP_PATH_MAX + 128];
        memset(longp, 'a', sizeof longp);
        longp[0] = '/';
        longp[sizeof longp - 1] = 0;
        static char big[sizeof longp + 128];
        snprintf(big, sizeof big, "%s\n7 1 2 freeze shortage %s\n", FREEZE_RECORD_HEADER, longp);
        assert_int_equal(parse(big, &r, &bad), 0);
        assert_int_equal(r.n, 0);
        assert_int_equal(bad, 1);
}

static void test_duplicates_and_cap(void **state)
{
        static char buf[(FREEZE_RECORD_MAX + 10) * 64];
        static struct freeze_records r;
        unsigned bad;
        (void)state;

        snprintf(buf, sizeof buf, "%s\n7 1 2 freeze shortage /a\n7 3 4 freeze shortage /b\n",
                 FREEZE_RECORD_HEADER);
        assert_int_equal(parse(buf, &r, &bad), 0);
        assert_int_equal(r.n, 1);
        assert_string_equal(r.r[0].cgroup, "/a");

        buf[0] = 0;
        str_appendf(buf, sizeof buf, "%s\n", FREEZE_RECORD_HEADER);
        for (unsigned i = 1; i <= FREEZE_RECORD_MAX + 5; i++)
                str_appendf(buf, sizeof buf, "%u 1 2 freeze shortage /g%u\n", i, i);
        assert_int_equal(parse(buf, &r, &bad), 0);
        assert_int_equal(r.n, FREEZE_RECORD_MAX);
        assert_int_equal(bad, 5);
        struct freeze_record x = rec(999, "/x", ACTION_MODE_FREEZE, RULE_SHORTAGE);
        assert_int_equal(freeze_records_put(&r, &x), -ENOSPC);
        /* Replacing an existing id works when full; removal keeps order. */
        x.cgroup_id = 3;
        assert_int_equal(freeze_records_put(&r, &x), 0);
        assert_int_equal(freeze_records_find_path(&r, "/x"), 2);
        freeze_records_remove(&r, 0);
        assert_int_equal(r.n, FREEZE_RECORD_MAX - 1);
        assert_int_equal(r.r[0].cgroup_id, 2);
        assert_int_equal(freeze_records_find(&r, 1), -ENOENT);
        freeze_records_remove(&r, 1000); /* out of range: nothing */
        assert_int_equal(r.n, FREEZE_RECORD_MAX - 1);
}

static void test_save_load(void **state)
{
        static struct freeze_records a, b;
        char dir[] = "/tmp/tg-unit-frozen-XXXXXX", path[64];
        unsigned bad;
        uint64_t ino = 0, ino2 = 0;
        (void)state;

        assert_non_null(mkdtemp(dir));
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(freeze_records_load(fd, &b, &bad), -ENOENT);
        a.n = 0;
        struct freeze_record x = rec(5, "/p/q", ACTION_MODE_FREEZE_KILL, RULE_SHORTAGE);
        assert_int_equal(freeze_records_put(&a, &x), 0);
        assert_int_equal(freeze_records_save(fd, &a, &ino), 0);
        assert_int_equal(freeze_records_inode(fd, &ino2), 0);
        assert_int_equal(ino, ino2);
        assert_int_equal(freeze_records_load(fd, &b, &bad), 0);
        assert_int_equal(b.n, 1);
        assert_string_equal(b.r[0].cgroup, "/p/q");

        /* Garbage written over it: refused whole, replaced by a save. */
        snprintf(path, sizeof path, "%s/%s", dir, FREEZE_RECORD_FILE);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs("\x7f"
              "ELF garbage\n",
              f);
        fclose(f);
        assert_int_equal(freeze_records_load(fd, &b, &bad), -EINVAL);
        assert_int_equal(b.n, 0);
        assert_int_equal(freeze_records_save(fd, &a, NULL), 0);
        assert_int_equal(freeze_records_load(fd, &b, &bad), 0);
        assert_int_equal(b.n, 1);

        /* A huge file is refused without being read whole. */
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(FREEZE_RECORD_HEADER "\n", f);
        for (unsigned i = 0; i < 200000; i++)
                fputs("#########", f);
        fclose(f);
        assert_int_equal(freeze_records_load(fd, &b, &bad), -EFBIG);

        /* A symlink is not followed. */
        unlink(path);
        assert_int_equal(symlink("/etc/passwd", path), 0);
        assert_int_equal(freeze_records_load(fd, &b, &bad), -ELOOP);
        unlink(path);
        close(fd);
        assert_int_equal(rmdir(dir), 0);
}

static void test_dir(void **state)
{
        char d[256];
        (void)state;

        unsetenv("RUNTIME_DIRECTORY");
        assert_int_equal(freeze_records_dir(NULL, d, sizeof d), 0);
        assert_string_equal(d, FREEZE_RECORD_RUN_DIR);
        setenv("RUNTIME_DIRECTORY", "/run/tg-a:/run/tg-b", 1);
        assert_int_equal(freeze_records_dir(NULL, d, sizeof d), 0);
        assert_string_equal(d, "/run/tg-a");
        assert_int_equal(freeze_records_dir("/opt", d, sizeof d), 0);
        assert_string_equal(d, "/opt");
        setenv("RUNTIME_DIRECTORY", "relative", 1);
        assert_int_equal(freeze_records_dir(NULL, d, sizeof d), 0);
        assert_string_equal(d, FREEZE_RECORD_RUN_DIR);
        assert_int_equal(freeze_records_dir("/a-long-name", d, 4), -ENAMETOOLONG);
        unsetenv("RUNTIME_DIRECTORY");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_round_trip), cmocka_unit_test(test_bad_header),
            cmocka_unit_test(test_bad_lines),  cmocka_unit_test(test_duplicates_and_cap),
            cmocka_unit_test(test_save_load),  cmocka_unit_test(test_dir),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
