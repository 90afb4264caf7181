/* Configuration: defaults equal the shipped file, every kind of bad input is
 * refused with file, line and key, --set, round trip through config_print,
 * and a failed load leaves the caller's struct as it was. */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "config-equal.h"
#include "config/config.h"

/* Paths relative to this source file, so that the test runs from the top of
 * the tree (make) or with an absolute __FILE__ alike. */
static char srcdir[1024];

static const char *src_path(const char *rel, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s", srcdir, rel);
        return buf;
}

/* Writes text to a fresh temporary file; the caller unlinks it. */
static void write_tmp(const char *text, size_t len, char *ret_path, size_t size)
{
        int fd;

        snprintf(ret_path, size, "/tmp/test_config.XXXXXX");
        fd = mkstemp(ret_path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, len), (ssize_t)len);
        close(fd);
}

/* Loads text as a file on top of the defaults. */
static int load_text(const char *text, struct config *c, struct config_error *err, char *ret_path,
                     size_t size)
{
        int r;

        config_init(c);
        write_tmp(text, strlen(text), ret_path, size);
        r = config_load_file(c, ret_path, err);
        unlink(ret_path);
        return r;
}

static void assert_config_equal(const struct config *a, const struct config *b)
{
        const char *field = config_diff(a, b);
        if (field)
                fail_msg("field %s differs", field);
}

static void test_defaults_equal_shipped_conf(void **state)
{
        static struct config defaults, shipped;
        struct config_error err = {};
        char path[2048];

        (void)state;
        config_init(&defaults);
        assert_int_equal(config_validate(&defaults, &err), 0);

        /* Loaded on top of a zeroed struct, not the defaults: every key
         * must be in the file. */
        memset(&shipped, 0, sizeof shipped);
        assert_int_equal(
            config_load_file(&shipped, src_path("conf/thrashguard.conf", path, sizeof path), &err),
            0);
        assert_config_equal(&defaults, &shipped);

        /* And through the whole load as the commands do it. */
        memset(&shipped, 0, sizeof shipped);
        assert_int_equal(config_load_all(&shipped, path, NULL, 0, &err), 0);
        assert_config_equal(&defaults, &shipped);
}

static void test_default_values(void **state)
{
        static struct config c;

        (void)state;
        config_init(&c);
        assert_int_equal(c.daemon.scopes.n, 1);
        assert_string_equal(c.daemon.scopes.items[0], "/");
        assert_false(c.daemon.dry_run);
        assert_int_equal(c.daemon.interval_usec, 500 * USEC_PER_MSEC);
        assert_int_equal(c.daemon.idle_interval_usec, 5 * USEC_PER_SEC);
        assert_int_equal(c.daemon.cgroup_mode, CGROUP_MODE_AUTO);
        assert_true(c.shortage.some_pct == 30 && c.shortage.full_pct == 10);
        assert_int_equal(c.shortage.window_usec, 1 * USEC_PER_SEC);
        assert_int_equal(c.shortage.duration_usec, 1 * USEC_PER_SEC);
        assert_true(c.shortage.min_headroom.is_pct && c.shortage.min_headroom.pct == 10);
        assert_true(c.thrash.enabled);
        assert_true(c.thrash.full_pct == 15 && c.thrash.refault_per_s == 1000 &&
                    c.thrash.limit_pct == 95);
        assert_int_equal(c.thrash.window_usec, 2 * USEC_PER_SEC);
        assert_int_equal(c.thrash.duration_usec, 10 * USEC_PER_SEC);
        assert_int_equal(c.action.mode, ACTION_MODE_KILL);
        assert_int_equal(c.action.freeze_grace_usec, 10 * USEC_PER_SEC);
        assert_int_equal(c.action.cooldown_usec, 10 * USEC_PER_SEC);
        assert_int_equal(c.action.kill_timeout_usec, 5 * USEC_PER_SEC);
        /* The node's services by their groups, never by a name. */
        assert_int_equal(c.protect.comms.n, 0);
        assert_int_equal(c.protect.pods.n, 0);
        assert_true(pattern_list_match(&c.protect.cgroups, "/init.scope"));
        assert_true(pattern_list_match(&c.protect.cgroups, "/system.slice/kubelet.service"));
        assert_true(
            pattern_list_match(&c.protect.cgroups, "/system.slice/systemd-journald.service"));
        assert_false(pattern_list_match(&c.protect.cgroups, "/system.slice/postgresql.service"));
        assert_int_equal(c.rank.prefer.n, 0);
        assert_int_equal(c.rank.avoid.n, 0);
        assert_true(c.alert.journal);
        assert_int_equal(c.alert.top, 5);
}

/* Reads "# expect-line: N" and "# expect: TEXT" from a bad sample. */
static void fixture_expectation(const char *path, unsigned *ret_line, char *ret_text, size_t size)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char buf[512];

        assert_non_null(f);
        *ret_line = 0;
        ret_text[0] = 0;
        while (fgets(buf, sizeof buf, f)) {
                buf[strcspn(buf, "\n")] = 0;
                if (startswith(buf, "# expect-line: "))
                        *ret_line = (unsigned)atoi(buf + strlen("# expect-line: "));
                else if (startswith(buf, "# expect: "))
                        snprintf(ret_text, size, "%s", buf + strlen("# expect: "));
        }
        assert_true(*ret_line > 0);
        assert_true(ret_text[0] != 0);
}

/* One bad sample per kind of mistake; the expected line and text are in
 * each file, shared with tests/config-check.sh. */
static const char *const bad_samples[] = {
    "unknown-section.conf",
    "unknown-key.conf",
    "wrong-section.conf",
    "outside-section.conf",
    "bad-value.conf",
    "bad-bool.conf",
    "bad-enum.conf",
    "hash-comment.conf",
    "out-of-range.conf",
    "percent-range.conf",
    "contradiction.conf",
    "cooldown-window.conf",
    "freeze-kill-no-grace.conf",
    "duplicate-key.conf",
    "duplicate-scope.conf",
    "relative-scope.conf",
    "no-scope.conf",
    "too-many-scopes.conf",
    "too-many-patterns.conf",
    "comm-too-long.conf",
    "cgroup-pattern.conf",
    "long-line.conf",
    "long-item.conf",
    "indented-key.conf",
    "syntax.conf",
    "unclosed-section.conf",
    "comments-only.conf",
    "truncated.conf",
};

static void test_bad_samples(void **state)
{
        static struct config c, before;

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(bad_samples); i++) {
                char rel[256], path[2048], text[512], where[2100];
                struct config_error err = {};
                unsigned line;

                snprintf(rel, sizeof rel, "tests/fixtures/config/%s", bad_samples[i]);
                src_path(rel, path, sizeof path);
                fixture_expectation(path, &line, text, sizeof text);
                snprintf(where, sizeof where, "%s:%u: ", path, line);

                /* The whole load: file, then config_validate. */
                memset(&c, 0x5a, sizeof c);
                memcpy(&before, &c, sizeof c);
                if (config_load_all(&c, path, NULL, 0, &err) != -EINVAL)
                        fail_msg("%s: accepted", bad_samples[i]);
                if (!startswith(err.message, where) || !strstr(err.message, text))
                        fail_msg("%s:\n  got:      %s\n  expected: %s...%s", bad_samples[i],
                                 err.message, where, text);
                /* A failed load writes nothing. */
                assert_memory_equal(&c, &before, sizeof c);
        }
}

/* The table above and the directory hold the same samples, so that this test
 * and config-check.sh check the same set. */
static void test_bad_samples_complete(void **state)
{
        char path[2048];
        DIR *d;
        struct dirent *de;
        size_t n = 0;

        (void)state;
        d = opendir(src_path("tests/fixtures/config", path, sizeof path));
        assert_non_null(d);
        while ((de = readdir(d))) {
                bool found = false;
                if (!endswith(de->d_name, ".conf"))
                        continue;
                for (size_t i = 0; i < ARRAY_SIZE(bad_samples); i++)
                        found = found || streq(bad_samples[i], de->d_name);
                if (!found)
                        fail_msg("%s is not in bad_samples[]", de->d_name);
                n++;
        }
        closedir(d);
        assert_int_equal(n, ARRAY_SIZE(bad_samples));
}

/* Exact messages for the kinds the brief spells out. */
static void test_messages_exact(void **state)
{
        static const struct {
                const char *text;
                unsigned line;
                const char *message;
        } cases[] = {
            {"[daemon]\nintervl = 1s\n", 2,
             "unknown key 'intervl' in [daemon]; did you mean 'interval'?"},
            {"[deamon]\n", 1, "unknown section [deamon]; did you mean [daemon]?"},
            {"[Daemon]\n", 1, "unknown section [Daemon]; did you mean [daemon]?"},
            {"[foo]\n", 1,
             "unknown section [foo]; sections are [daemon] [shortage] [thrash] [action] "
             "[protect] [rank] [alert]"},
            {"[daemon]\nxyzzy = 1\n", 2,
             "unknown key 'xyzzy' in [daemon]; keys in [daemon] are scopes, dry_run, "
             "interval, idle_interval, cgroup_mode"},
            {"[shortage]\nwindow = 5x\n", 2,
             "[shortage] window: bad value '5x': expected a duration such as 500ms or 2s "
             "(100ms..1min)"},
            {"[shortage]\n\nmin_headroom = 5 bananas\n", 3,
             "[shortage] min_headroom: bad value '5 bananas': expected a size such as 512M "
             "(1M..1024T) or a percentage such as 10% (1%..90%)"},
            {"[shortage]\nmin_headroom = 95%\n", 2,
             "[shortage] min_headroom: value 95% is out of range: expected a size such as "
             "512M (1M..1024T) or a percentage such as 10% (1%..90%)"},
            {"[alert]\ntop = 101\n", 2,
             "[alert] top: value 101 is out of range: expected a whole number (0..100)"},
            {"[alert]\ntop = -1\n", 2,
             "[alert] top: bad value '-1': expected a whole number (0..100)"},
            {"[thrash]\nrefault_per_s = 1e3\n", 2,
             "[thrash] refault_per_s: bad value '1e3': expected a number such as 1000 "
             "(0..1000000000)"},
            {"[daemon]\ncgroup_mode = v3\n", 2,
             "[daemon] cgroup_mode: bad value 'v3': expected one of auto, v2, hybrid, v1; "
             "did you mean 'v2'?"},
            {"[protect]\ncomms = \"sshd\"\n", 2,
             "[protect] comms: '\"sshd\"': no quotes needed, items are separated by spaces "
             "or commas"},
            {"[daemon]\nscopes = /a/\n", 2,
             "[daemon] scopes: '/a/' is not a cgroup path: a scope is absolute and plain, "
             "like / or /kubepods.slice (no pattern, '.', '..' or trailing '/')"},
            {"[daemon]\nscopes = /kubepods*\n", 2,
             "[daemon] scopes: '/kubepods*' is not a cgroup path: a scope is absolute and "
             "plain, like / or /kubepods.slice (no pattern, '.', '..' or trailing '/')"},
            {"[daemon]\n  [shortage]\n", 2,
             "a section header must start at the beginning of its line"},
            {"[daemon] x\n", 1, "unexpected text after the section header"},
            {"[daemon]\ninterval = 1s\n[daemon]\ninterval = 1s\n", 4,
             "[daemon] interval: already set on line 2"},
            {"[daemon]\ndry_run = true\n   dry_run = false\n", 3,
             "[daemon] dry_run: an indented line continues the previous key, and only lists "
             "take several lines; start keys at the beginning of the line"},
            {"[alert]\ntop = 2 # two\n", 2,
             "[alert] top: bad value '2 # two': expected a whole number (0..100); '#' starts "
             "a comment only at the beginning of a line, use ';' after a value"},
            {"[rank]\nprefer = a ;b\n", 0, NULL}, /* an inline comment: fine */
            {"top = 3\n", 1, "key 'top' outside any section; it belongs in [alert]"},
            {"bogus = 3\n", 1,
             "key 'bogus' outside any section; a file starts with a [section] line"},
            {"[daemon]\ninterval = 1s\n\0garbage\n", 3, "line contains a NUL byte"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                static struct config c;
                struct config_error err = {};
                char path[64], expected[1024];
                size_t len = strlen(cases[i].text);
                int r;

                /* The NUL case: the text goes on after the embedded NUL. */
                if (strstr(cases[i].message ?: "", "NUL"))
                        len += 1 + strlen(cases[i].text + len + 1);
                config_init(&c);
                write_tmp(cases[i].text, len, path, sizeof path);
                r = config_load_file(&c, path, &err);
                unlink(path);
                if (!cases[i].message) {
                        if (r != 0)
                                fail_msg("case %zu: %s", i, err.message);
                        continue;
                }
                snprintf(expected, sizeof expected, "%s:%u: %s", path, cases[i].line,
                         cases[i].message);
                if (r != -EINVAL || !streq(err.message, expected))
                        fail_msg("case %zu: r=%d\n  got:      %s\n  expected: %s", i, r,
                                 err.message, expected);
        }
}

static void test_syntax_forms(void **state)
{
        static struct config c;
        struct config_error err = {};
        char path[64];

        (void)state;
        /* CRLF, a BOM, ':' for '=', comments of both kinds, blank lines. */
        assert_int_equal(load_text("\xEF\xBB\xBF; comment\r\n[daemon]\r\n# another\r\n\r\n"
                                   "interval: 1s ; inline\r\ndry_run = yes\r\n",
                                   &c, &err, path, sizeof path),
                         0);
        assert_int_equal(c.daemon.interval_usec, USEC_PER_SEC);
        assert_true(c.daemon.dry_run);

        /* A section alone changes nothing. */
        assert_int_equal(load_text("[alert]\n", &c, &err, path, sizeof path), 0);
        {
                static struct config d;
                config_init(&d);
                assert_config_equal(&c, &d);
        }

        /* Lists: commas, spaces, continuation lines (comments between are
         * skipped, as in inih). */
        assert_int_equal(load_text("[protect]\ncomms = a,b  c\n  d\n# note\n\te, f\n"
                                   "cgroups =\n  /x\n",
                                   &c, &err, path, sizeof path),
                         0);
        assert_int_equal(c.protect.comms.n, 6);
        assert_string_equal(c.protect.comms.items[0], "a");
        assert_string_equal(c.protect.comms.items[3], "d");
        assert_string_equal(c.protect.comms.items[5], "f");
        assert_int_equal(c.protect.cgroups.n, 1);
        assert_string_equal(c.protect.cgroups.items[0], "/x");

        /* An empty list is allowed where it means "none". */
        assert_int_equal(load_text("[protect]\ncomms =\n", &c, &err, path, sizeof path), 0);
        assert_int_equal(c.protect.comms.n, 0);
}

/* The longest line inih can take whole: 197 characters, then "\r\n\0". */
static void test_line_length_limit(void **state)
{
        static struct config c;
        struct config_error err = {};
        char text[512], path[64];

        (void)state;
        memset(text, 0, sizeof text);
        strcpy(text, "[rank]\nprefer = ");
        memset(text + strlen(text), 'p', 197 - strlen("prefer = "));
        strcat(text, "\n");
        assert_int_equal(load_text(text, &c, &err, path, sizeof path), 0);
        assert_int_equal(strlen(c.rank.prefer.items[0]), 197 - strlen("prefer = "));

        strcpy(text, "[rank]\n# ");
        memset(text + strlen(text), 'c', 197 - 2);
        strcat(text, "\nprefer = x\n");
        assert_int_equal(load_text(text, &c, &err, path, sizeof path), 0);
        assert_string_equal(c.rank.prefer.items[0], "x");

        strcpy(text, "[rank]\n# ");
        memset(text + strlen(text), 'c', 197 - 1);
        strcat(text, "\nprefer = x\n");
        assert_int_equal(load_text(text, &c, &err, path, sizeof path), -EINVAL);
        assert_non_null(strstr(err.message, ":2: line is 198 characters long, at most 197 fit"));
}

static void test_missing_file(void **state)
{
        static struct config c, before;
        struct config_error err = {};

        (void)state;
        config_init(&c);
        before = c;
        assert_int_equal(config_load_file(&c, "/nonexistent/thrashguard.conf", &err), -ENOENT);
        assert_string_equal(err.message,
                            "/nonexistent/thrashguard.conf: No such file or directory");
        assert_memory_equal(&c, &before, sizeof c);

        /* A given path must exist. */
        memset(&c, 0x11, sizeof c);
        memcpy(&before, &c, sizeof c);
        assert_int_equal(config_load_all(&c, "/nonexistent/thrashguard.conf", NULL, 0, &err),
                         -ENOENT);
        assert_memory_equal(&c, &before, sizeof c);

        /* A directory is not a file. */
        assert_true(config_load_all(&c, "/", NULL, 0, &err) < 0);
        assert_non_null(strstr(err.message, "/: read error: Is a directory"));
}

/* What an incomplete write leaves is refused, with the reason and where,
 * by a load and a reload alike, and the caller's struct stays as it was. */
static void test_incomplete_files(void **state)
{
        static const struct {
                const char *text;
                const char *message; /* after "PATH" */
        } cases[] = {
            {"", ":1: the file is empty"},
            {"\n", ":1: no [section] in the file, only comments and blank lines"},
            {"  \n\t\n\r\n", ":3: no [section] in the file"},
            {"# header of a tool\n; and another\n", ":2: no [section] in the file"},
            {"\xEF\xBB\xBF\n", ":1: no [section] in the file"},
            {"[daemon]", ":1: the file ends inside this line (no newline at its end)"},
            {"[daemon]\ndry_run = true\nscopes = /kube",
             ":3: the file ends inside this line (no newline at its end): an incomplete write?"},
            {"[daemon]\n# a comment cut", ":2: the file ends inside this line"},
            {"[daemon]\r", ":1: the file ends inside this line"},
        };
        static struct config c, before;

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct config_error err = {};
                char path[64], expected[160];

                write_tmp(cases[i].text, strlen(cases[i].text), path, sizeof path);
                snprintf(expected, sizeof expected, "%s%s", path, cases[i].message);
                memset(&c, 0x5a, sizeof c);
                memcpy(&before, &c, sizeof c);
                assert_int_equal(config_load_all(&c, path, NULL, 0, &err), -EINVAL);
                if (!startswith(err.message, expected))
                        fail_msg("case %zu:\n  got:      %s\n  expected: %s", i, err.message,
                                 expected);
                assert_memory_equal(&c, &before, sizeof c);
                assert_int_equal(config_reload_all(&c, path, NULL, 0, &err), -EINVAL);
                assert_true(startswith(err.message, expected));
                assert_memory_equal(&c, &before, sizeof c);
                unlink(path);
        }
}

/* A reload never reads a vanished default file as the defaults. */
static void test_reload_default_missing(void **state)
{
        static struct config c, before;
        struct config_error err = {};

        (void)state;
        if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
                skip();
        memset(&c, 0x5a, sizeof c);
        memcpy(&before, &c, sizeof c);
        assert_int_equal(config_reload_all(&c, NULL, NULL, 0, &err), -ENOENT);
        assert_non_null(strstr(err.message, CONFIG_DEFAULT_PATH ": No such file or directory"));
        assert_memory_equal(&c, &before, sizeof c);
}

/* Without -c a missing default file means the built-in defaults. */
static void test_default_path_missing(void **state)
{
        static struct config c, d;
        struct config_error err = {};

        (void)state;
        if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
                skip();
        assert_int_equal(config_load_all(&c, NULL, NULL, 0, &err), 0);
        config_init(&d);
        assert_config_equal(&c, &d);
}

static void test_set_ok(void **state)
{
        /* Each assignment and the line config_print must then show. */
        static const struct {
                const char *set, *printed;
        } cases[] = {
            {"daemon.interval=250ms", "interval = 250ms\n"},
            {" daemon . dry_run = on ", "dry_run = true\n"},
            {"daemon.scopes=/ /kubepods.slice,/system.slice",
             "scopes = / /kubepods.slice /system.slice\n"},
            {"daemon.cgroup_mode=hybrid", "cgroup_mode = hybrid\n"},
            {"daemon.idle_interval=1min", "idle_interval = 1min\n"},
            {"shortage.some_pct=25%", "some_pct = 25\n"},
            {"shortage.full_pct=12.5", "full_pct = 12.5\n"},
            {"shortage.min_headroom=512M", "min_headroom = 512M\n"},
            {"shortage.min_headroom=1536M", "min_headroom = 1536M\n"},
            {"shortage.min_headroom=2G", "min_headroom = 2G\n"},
            {"shortage.min_headroom=33.3%", "min_headroom = 33.3%\n"},
            {"shortage.duration=1500ms", "duration = 1500ms\n"},
            {"thrash.enabled=no", "enabled = false\n"},
            {"thrash.refault_per_s=0", "refault_per_s = 0\n"},
            {"thrash.refault_per_s=2500.5", "refault_per_s = 2500.5\n"},
            {"thrash.duration=1h", "duration = 1h\n"},
            {"action.mode=freeze-kill", "mode = freeze-kill\n"},
            {"action.freeze_grace=0", "freeze_grace = 0s\n"},
            {"action.cooldown=90s", "cooldown = 90s\n"},
            {"protect.comms=", "comms =\n"},
            {"rank.prefer=*batch* /x=y", NULL}, /* '=' in an item: refused */
            {"rank.avoid=*postgres*", "avoid = *postgres*\n"},
            {"alert.top=0", "top = 0\n"},
            {"alert.journal=0", "journal = false\n"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                static struct config c;
                struct config_error err = {};
                _cleanup_free_ char *out = NULL;
                size_t size = 0;
                FILE *f;
                int r;

                config_init(&c);
                r = config_set(&c, cases[i].set, &err);
                if (!cases[i].printed) {
                        assert_int_equal(r, -EINVAL);
                        continue;
                }
                if (r != 0)
                        fail_msg("%s: %s", cases[i].set, err.message);
                f = open_memstream(&out, &size);
                assert_non_null(f);
                config_print(&c, f);
                fclose(f);
                if (!strstr(out, cases[i].printed))
                        fail_msg("%s: no '%s' in\n%s", cases[i].set, cases[i].printed, out);
        }
}

static void test_set_errors(void **state)
{
        static const struct {
                const char *set, *message;
        } cases[] = {
            {"shortage.window=abc",
             "--set shortage.window=abc: [shortage] window: bad value 'abc': expected a "
             "duration such as 500ms or 2s (100ms..1min)"},
            {"shortage.window=2h",
             "--set shortage.window=2h: [shortage] window: value 2h is out of range: "
             "expected a duration such as 500ms or 2s (100ms..1min)"},
            {"shortage.windw=1s",
             "--set shortage.windw=1s: unknown key 'windw' in [shortage]; did you mean "
             "'window'?"},
            {"shortag.window=1s",
             "--set shortag.window=1s: unknown section [shortag]; did you mean [shortage]?"},
            {"interval=1s", "--set interval=1s: expected SECTION.KEY=VALUE"},
            {"daemon.interval", "--set daemon.interval: expected SECTION.KEY=VALUE"},
            {"", "--set : expected SECTION.KEY=VALUE"},
            {"daemon.scopes=", "--set daemon.scopes=: [daemon] scopes: empty; at least 1 item "
                               "is needed"},
            {"action.mode=", "--set action.mode=: [action] mode: bad value '': expected one "
                             "of kill, freeze, freeze-kill"},
            {"daemon.dry_run=", "--set daemon.dry_run=: [daemon] dry_run: bad value '': "
                                "expected true or false (also yes/no, on/off, 1/0)"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                static struct config c, before;
                struct config_error err = {};

                config_init(&c);
                c.alert.top = 7; /* not the default: proves nothing was reset */
                memcpy(&before, &c, sizeof c);
                assert_int_equal(config_set(&c, cases[i].set, &err), -EINVAL);
                if (!streq(err.message, cases[i].message))
                        fail_msg("%s:\n  got:      %s\n  expected: %s", cases[i].set, err.message,
                                 cases[i].message);
                assert_memory_equal(&c, &before, sizeof c);
        }
}

/* --set in config_load_all: order, and contradictions blamed on the
 * assignment that made them. */
static void test_load_all_sets(void **state)
{
        static struct config c, before;
        struct config_error err = {};
        char path[2048];
        const char *ok[] = {"daemon.interval=1s", "daemon.interval=200ms", "shortage.window=2s",
                            "shortage.duration=4s"};
        const char *late[] = {"shortage.duration=4s", "shortage.window=5s"};
        const char *deflt[] = {"daemon.idle_interval=200ms"};

        (void)state;
        src_path("conf/thrashguard.conf", path, sizeof path);
        assert_int_equal(config_load_all(&c, path, ok, ARRAY_SIZE(ok), &err), 0);
        assert_int_equal(c.daemon.interval_usec, 200 * USEC_PER_MSEC); /* the last one wins */
        assert_int_equal(c.shortage.window_usec, 2 * USEC_PER_SEC);

        memcpy(&before, &c, sizeof c);
        assert_int_equal(config_load_all(&c, path, late, ARRAY_SIZE(late), &err), -EINVAL);
        assert_string_equal(err.message,
                            "--set shortage.window=5s: [shortage] window = 5s is longer than "
                            "[shortage] duration = 4s: the stall measured over the window must "
                            "persist for the duration");
        assert_memory_equal(&c, &before, sizeof c);

        /* Against a default, the --set is named. */
        assert_int_equal(config_load_all(&c, path, deflt, ARRAY_SIZE(deflt), &err), -EINVAL);
        assert_string_equal(err.message,
                            "--set daemon.idle_interval=200ms: [daemon] interval = 500ms is "
                            "longer than [daemon] idle_interval = 200ms: the busy sampling "
                            "interval cannot be slower than the idle one");
}

/* Relations config_validate checks on a struct built in code. */
static void test_validate(void **state)
{
        static const struct {
                const char *name, *message;
        } cases[] = {
            {"too many scopes", "[daemon] scopes: 17 items; at most 16 are allowed"},
            {"no scope", "[daemon] scopes: empty; at least 1 item is needed"},
            {"relative scope", "[daemon] scopes: 'kubepods' is not a cgroup path"},
            {"dotdot scope", "[daemon] scopes: '/a/../b' is not a cgroup path"},
            {"duplicate scope", "[daemon] scopes: '/a' is listed twice"},
            {"list overflow", "[rank] prefer: 33 items; at most 32 are allowed"},
            {"item over length", "[rank] prefer: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is "
                                 "255 characters long; an item has at most 195"},
            {"unterminated item", "[rank] avoid: item 0 is not terminated"},
            {"item with a space", "[rank] avoid: item contains a space, comma or control "
                                  "character"},
            {"bad enum", "[daemon] cgroup_mode: value ? is out of range: expected one of "
                         "auto, v2, hybrid, v1"},
            {"interval > idle", "[daemon] interval = 10s is longer than [daemon] "
                                "idle_interval = 5s"},
            {"shortage window > duration", "[shortage] window = 3s is longer than "
                                           "[shortage] duration = 1s"},
            {"thrash window > duration", "[thrash] window = 20s is longer than [thrash] "
                                         "duration = 10s"},
            {"interval > window", "[daemon] interval = 3s is longer than [shortage] "
                                  "window = 1s"},
            {"cooldown < window", "[thrash] window = 2s is longer than [action] "
                                  "cooldown = 1s"},
            {"cooldown 0", "[action] cooldown: value 0s is out of range"},
            {"freeze-kill without grace", "[action] mode = freeze-kill with freeze_grace = "
                                          "0s: the group would be killed at once; use mode = "
                                          "kill"},
            {"percent nan", "[shortage] some_pct: value nan is out of range"},
            {"thrash disabled: its windows do not matter", NULL},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                static struct config c;
                struct config_error err = {};
                const char *n = cases[i].name;
                int r;

                config_init(&c);
                if (streq(n, "too many scopes")) {
                        c.daemon.scopes.n = CONFIG_MAX_SCOPES + 1;
                        for (unsigned j = 0; j < c.daemon.scopes.n; j++)
                                snprintf(c.daemon.scopes.items[j], CONFIG_PATTERN_MAX, "/s%u", j);
                } else if (streq(n, "no scope"))
                        c.daemon.scopes.n = 0;
                else if (streq(n, "relative scope"))
                        strcpy(c.daemon.scopes.items[0], "kubepods");
                else if (streq(n, "dotdot scope"))
                        strcpy(c.daemon.scopes.items[0], "/a/../b");
                else if (streq(n, "duplicate scope")) {
                        c.daemon.scopes.n = 3;
                        strcpy(c.daemon.scopes.items[0], "/a");
                        strcpy(c.daemon.scopes.items[1], "/b");
                        strcpy(c.daemon.scopes.items[2], "/a");
                } else if (streq(n, "list overflow"))
                        c.rank.prefer.n = CONFIG_MAX_PATTERNS + 1;
                else if (streq(n, "item over length")) {
                        c.rank.prefer.n = 1;
                        memset(c.rank.prefer.items[0], 'x', CONFIG_PATTERN_MAX - 1);
                } else if (streq(n, "unterminated item")) {
                        c.rank.avoid.n = 1;
                        memset(c.rank.avoid.items[0], 'x', CONFIG_PATTERN_MAX);
                } else if (streq(n, "item with a space")) {
                        c.rank.avoid.n = 1;
                        strcpy(c.rank.avoid.items[0], "a b");
                } else if (streq(n, "bad enum"))
                        c.daemon.cgroup_mode = (enum cgroup_mode)42;
                else if (streq(n, "interval > idle")) {
                        c.daemon.interval_usec = 10 * USEC_PER_SEC;
                        c.shortage.window_usec = c.thrash.window_usec = 10 * USEC_PER_SEC;
                        c.shortage.duration_usec = c.thrash.duration_usec = 10 * USEC_PER_SEC;
                } else if (streq(n, "shortage window > duration"))
                        c.shortage.window_usec = 3 * USEC_PER_SEC;
                else if (streq(n, "thrash window > duration")) {
                        c.thrash.window_usec = 20 * USEC_PER_SEC;
                        c.action.cooldown_usec = 30 * USEC_PER_SEC;
                } else if (streq(n, "interval > window")) {
                        c.daemon.interval_usec = 3 * USEC_PER_SEC;
                        c.shortage.duration_usec = 3 * USEC_PER_SEC;
                } else if (streq(n, "cooldown < window"))
                        c.action.cooldown_usec = 1 * USEC_PER_SEC;
                else if (streq(n, "cooldown 0"))
                        c.action.cooldown_usec = 0;
                else if (streq(n, "freeze-kill without grace")) {
                        c.action.mode = ACTION_MODE_FREEZE_KILL;
                        c.action.freeze_grace_usec = 0;
                } else if (streq(n, "percent nan"))
                        c.shortage.some_pct = __builtin_nan("");
                else if (streq(n, "thrash disabled: its windows do not matter")) {
                        c.thrash.enabled = false;
                        c.thrash.window_usec = 30 * USEC_PER_SEC;
                        c.thrash.duration_usec = 30 * USEC_PER_SEC;
                } else
                        fail_msg("no setup for %s", n);

                r = config_validate(&c, &err);
                if (!cases[i].message) {
                        if (r != 0)
                                fail_msg("%s: %s", n, err.message);
                        continue;
                }
                if (r != -EINVAL || !startswith(err.message, cases[i].message))
                        fail_msg("%s: r=%d\n  got:      %s\n  expected: %s...", n, r, err.message,
                                 cases[i].message);
        }
}

/* Every key away from its default, long lists that must wrap, odd units:
 * print, load what was printed, get the same struct and the same text. */
static void test_round_trip(void **state)
{
        static struct config c, back, defaults;
        struct config_error err = {};
        _cleanup_free_ char *text = NULL, *text2 = NULL;
        size_t size = 0, size2 = 0;
        char path[64];
        FILE *f;

        (void)state;
        config_init(&c);
        /* Lists compare whole (memcmp): start them from zero as a load does. */
        memset(&c.daemon.scopes, 0, sizeof c.daemon.scopes);
        memset(&c.protect, 0, sizeof c.protect);
        memset(&c.rank, 0, sizeof c.rank);
        c.daemon.scopes.n = CONFIG_MAX_SCOPES;
        for (unsigned i = 0; i < c.daemon.scopes.n; i++)
                snprintf(c.daemon.scopes.items[i], CONFIG_PATTERN_MAX,
                         "/kubepods.slice/kubepods-burstable.slice/pod-%02u.slice", i);
        c.daemon.dry_run = true;
        c.daemon.interval_usec = 250 * USEC_PER_MSEC + 1; /* only "us" spells it */
        c.daemon.idle_interval_usec = 2 * 60 * USEC_PER_SEC;
        c.daemon.cgroup_mode = CGROUP_MODE_V1;
        c.shortage.some_pct = 33.3;
        c.shortage.full_pct = 12.345678; /* the parser keeps six decimals */
        c.shortage.window_usec = 1500 * USEC_PER_MSEC;
        c.shortage.duration_usec = 3 * USEC_PER_SEC;
        c.shortage.min_headroom = (struct size_or_pct){.bytes = 1536 * 1024 * 1024};
        c.thrash.enabled = false;
        c.thrash.full_pct = 1;
        c.thrash.refault_per_s = 0.1;
        c.thrash.limit_pct = 99.5;
        c.thrash.window_usec = 3 * USEC_PER_SEC;
        c.thrash.duration_usec = 3600 * USEC_PER_SEC;
        c.action.mode = ACTION_MODE_FREEZE_KILL;
        c.action.freeze_grace_usec = 1;
        c.action.cooldown_usec = 59 * USEC_PER_SEC;
        c.action.kill_timeout_usec = 10 * 60 * USEC_PER_SEC;
        c.protect.cgroups.n = 2;
        strcpy(c.protect.cgroups.items[0], "*/sshd.service");
        /* An item as long as a continuation line can hold. */
        memset(c.protect.cgroups.items[1], 'g', 195);
        c.protect.cgroups.items[1][0] = '/';
        c.protect.comms.n = CONFIG_MAX_PATTERNS;
        for (unsigned i = 0; i < c.protect.comms.n; i++)
                snprintf(c.protect.comms.items[i], CONFIG_PATTERN_MAX, "comm-%u*", i);
        c.rank.prefer.n = 1;
        strcpy(c.rank.prefer.items[0], "[ab]?*batch*");
        c.rank.avoid.n = 0;
        c.alert.journal = false;
        c.alert.top = 100;
        assert_int_equal(config_validate(&c, &err), 0);

        f = open_memstream(&text, &size);
        assert_non_null(f);
        config_print(&c, f);
        fclose(f);

        /* Loaded over the defaults: every key must have been printed. */
        write_tmp(text, size, path, sizeof path);
        config_init(&back);
        if (config_load_file(&back, path, &err) != 0)
                fail_msg("%s\n%s", err.message, text);
        unlink(path);
        assert_config_equal(&c, &back);
        assert_int_equal(config_validate(&back, &err), 0);

        f = open_memstream(&text2, &size2);
        assert_non_null(f);
        config_print(&back, f);
        fclose(f);
        assert_string_equal(text, text2);

        /* And the defaults print as the defaults. */
        free(text);
        text = NULL;
        f = open_memstream(&text, &size);
        assert_non_null(f);
        config_init(&defaults);
        config_print(&defaults, f);
        fclose(f);
        write_tmp(text, size, path, sizeof path);
        memset(&back, 0, sizeof back);
        assert_int_equal(config_load_file(&back, path, &err), 0);
        unlink(path);
        assert_config_equal(&defaults, &back);
}

/* Decimals as a person writes them come back from config_print exactly
 * (the shortest spelling that the parser reads as the same double). */
static void test_number_round_trip(void **state)
{
        static const char *const keys[] = {"shortage.some_pct", "shortage.min_headroom",
                                           "thrash.refault_per_s"};

        (void)state;
        for (unsigned i = 0; i < 600; i++) {
                static struct config a, b;
                struct config_error err = {};
                _cleanup_free_ char *text = NULL;
                const char *key = keys[i % ARRAY_SIZE(keys)];
                size_t size = 0;
                char set[128], path[64];
                /* 1.000000 .. 89.999999, six decimals or fewer */
                unsigned long v = 1000000ul + (i * 104729ul * 7919ul) % 89000000ul;
                FILE *f;

                snprintf(set, sizeof set, "%s=%lu.%06lu%s", key, v / 1000000, v % 1000000,
                         streq(key, "shortage.min_headroom") ? "%" : "");
                config_init(&a);
                if (config_set(&a, set, &err) != 0)
                        fail_msg("%s: %s", set, err.message);
                f = open_memstream(&text, &size);
                assert_non_null(f);
                config_print(&a, f);
                fclose(f);
                write_tmp(text, size, path, sizeof path);
                config_init(&b);
                assert_int_equal(config_load_file(&b, path, &err), 0);
                unlink(path);
                if (a.shortage.some_pct != b.shortage.some_pct ||
                    a.shortage.min_headroom.pct != b.shortage.min_headroom.pct ||
                    a.thrash.refault_per_s != b.thrash.refault_per_s)
                        fail_msg("%s did not come back", set);
        }
}

/* A load that fails part-way (good keys before the bad one) must leave the
 * caller's struct exactly as it was. */
static void test_failed_load_untouched(void **state)
{
        static struct config c, before;
        struct config_error err = {};
        char path[64];
        const char *text = "[daemon]\ninterval = 1s\ndry_run = yes\n[protect]\ncomms = x y z\n"
                           "[alert]\ntop = many\n";

        (void)state;
        config_init(&c);
        c.alert.top = 9;
        memcpy(&before, &c, sizeof c);
        write_tmp(text, strlen(text), path, sizeof path);
        assert_int_equal(config_load_file(&c, path, &err), -EINVAL);
        unlink(path);
        assert_memory_equal(&c, &before, sizeof c);
        assert_non_null(strstr(err.message, ":7: [alert] top: bad value 'many'"));
}

/* A file is read to its end: every error is kept, in line order, one per
 * line; what depends on a refused line (a refused section's keys, a refused
 * list's indented lines) adds none of its own. */
static void test_every_error(void **state)
{
        static struct config c;
        struct config_error err = {};
        char path[64], text[4096];
        const char *want[] = {
            ":2: [daemon] interval: bad value '5x'",
            ":5: [rank] prefer: already set on line 4",
            ":7: unknown section [deamon]",
            ":10: expected 'key = value' or '[section]', not 'junk'",
            ":11: [alert] top: bad value 'many'",
        };
        size_t n;

        (void)state;
        assert_int_equal(load_text("[daemon]\n"
                                   "interval = 5x\n"
                                   "[rank]\n"
                                   "prefer = a\n"
                                   "prefer = b\n"
                                   "  c-dropped = x\n"
                                   "[deamon]\n"
                                   "intervl = 1s\n"
                                   "[alert]\n"
                                   "junk\n"
                                   "top = many\n",
                                   &c, &err, path, sizeof path),
                         -EINVAL);
        if (err.n != ARRAY_SIZE(want)) {
                for (unsigned i = 0; config_error_get(&err, i); i++)
                        print_message("  %s\n", config_error_get(&err, i));
                fail_msg("%u errors, expected %zu", err.n, ARRAY_SIZE(want));
        }
        for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
                const char *m = config_error_get(&err, i);
                assert_non_null(m);
                if (!startswith(m, path) || !startswith(m + strlen(path), want[i]))
                        fail_msg("error %u: got %s, expected %s%s", i, m, path, want[i]);
        }
        assert_null(config_error_get(&err, ARRAY_SIZE(want)));
        assert_ptr_equal(config_error_get(&err, 0), err.message);

        /* More errors than are kept: all counted, the first ones kept. */
        n = 0;
        n += (size_t)snprintf(text + n, sizeof text - n, "[daemon]\n");
        for (unsigned i = 0; i < CONFIG_ERRORS_MORE + 5; i++)
                n += (size_t)snprintf(text + n, sizeof text - n, "bogus%u = 1\n", i);
        assert_true(n < sizeof text);
        assert_int_equal(load_text(text, &c, &err, path, sizeof path), -EINVAL);
        assert_int_equal(err.n, CONFIG_ERRORS_MORE + 5);
        assert_non_null(
            strstr(config_error_get(&err, CONFIG_ERRORS_MORE), ":17: unknown key 'bogus15'"));
        assert_null(config_error_get(&err, CONFIG_ERRORS_MORE + 1));

        /* The next load starts empty. */
        assert_int_equal(load_text("[daemon]\ninterval = 1 s\n", &c, &err, path, sizeof path), 0);
        assert_int_equal(c.daemon.interval_usec, USEC_PER_SEC);
        assert_int_equal(config_load_file(&c, "/nonexistent/x.conf", &err), -ENOENT);
        assert_int_equal(err.n, 1);
}

static void test_hostile_input(void **state)
{
        static struct config c;
        struct config_error err = {};
        char path[64], buf[8192];

        (void)state;
        /* Binary noise: refused, without crashing or reading past buffers. */
        for (size_t i = 0; i < sizeof buf; i++)
                buf[i] = (char)((i * 2654435761u) >> 13);
        config_init(&c);
        write_tmp(buf, sizeof buf, path, sizeof path);
        assert_int_equal(config_load_file(&c, path, &err), -EINVAL);
        unlink(path);

        /* Very many lines of comments, then a mistake far down. */
        {
                _cleanup_free_ char *big = malloc(100000 * 4 + 64);
                size_t n = 0;
                assert_non_null(big);
                for (unsigned i = 0; i < 100000; i++) {
                        memcpy(big + n, "#x\n", 3);
                        n += 3;
                }
                n += (size_t)sprintf(big + n, "[daemon]\nintervl = 1s\n");
                write_tmp(big, n, path, sizeof path);
                assert_int_equal(config_load_file(&c, path, &err), -EINVAL);
                unlink(path);
                assert_non_null(strstr(err.message, ":100002: unknown key 'intervl'"));
        }

        /* An over-long --set value is reported shortened. */
        memset(buf, 'a', 4000);
        memcpy(buf, "rank.prefer=", 12);
        buf[4000] = 0;
        assert_int_equal(config_set(&c, buf, &err), -EINVAL);
        assert_true(strlen(err.message) < sizeof err.message - 1);
        assert_non_null(strstr(err.message, "characters long; an item has at most 195"));
}

static void test_pattern_list_match(void **state)
{
        static const struct {
                const char *s;
                bool match;
        } cases[] = {
            {"containerd-shim", true},
            {"containerd-shim-runc-v2", true},
            {"kubelet", true},
            {"kubelet2", false},
            {"", false},
            {"/init.scope", true},
            {"/a/b.scope", true},
            {"/a/b.service", false},
        };
        struct pattern_list l = {.n = 4};

        (void)state;
        strcpy(l.items[0], "kubelet");
        strcpy(l.items[1], "containerd-shim*");
        strcpy(l.items[2], "/init.scope");
        strcpy(l.items[3], "/*/*.scope");
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
                if (pattern_list_match(&l, cases[i].s) != cases[i].match)
                        fail_msg("'%s'", cases[i].s);
        l.n = 0;
        assert_false(pattern_list_match(&l, "kubelet"));
}

static void test_to_string(void **state)
{
        (void)state;
        assert_string_equal(cgroup_mode_to_string(CGROUP_MODE_AUTO), "auto");
        assert_string_equal(cgroup_mode_to_string(CGROUP_MODE_V2), "v2");
        assert_string_equal(cgroup_mode_to_string(CGROUP_MODE_HYBRID), "hybrid");
        assert_string_equal(cgroup_mode_to_string(CGROUP_MODE_V1), "v1");
        assert_null(cgroup_mode_to_string((enum cgroup_mode)4));
        assert_null(cgroup_mode_to_string((enum cgroup_mode) - 1));
        assert_string_equal(action_mode_to_string(ACTION_MODE_KILL), "kill");
        assert_string_equal(action_mode_to_string(ACTION_MODE_FREEZE), "freeze");
        assert_string_equal(action_mode_to_string(ACTION_MODE_FREEZE_KILL), "freeze-kill");
        assert_null(action_mode_to_string((enum action_mode)3));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults_equal_shipped_conf),
            cmocka_unit_test(test_default_values),
            cmocka_unit_test(test_bad_samples),
            cmocka_unit_test(test_bad_samples_complete),
            cmocka_unit_test(test_messages_exact),
            cmocka_unit_test(test_syntax_forms),
            cmocka_unit_test(test_line_length_limit),
            cmocka_unit_test(test_missing_file),
            cmocka_unit_test(test_default_path_missing),
            cmocka_unit_test(test_incomplete_files),
            cmocka_unit_test(test_reload_default_missing),
            cmocka_unit_test(test_set_ok),
            cmocka_unit_test(test_set_errors),
            cmocka_unit_test(test_load_all_sets),
            cmocka_unit_test(test_validate),
            cmocka_unit_test(test_round_trip),
            cmocka_unit_test(test_number_round_trip),
            cmocka_unit_test(test_failed_load_untouched),
            cmocka_unit_test(test_every_error),
            cmocka_unit_test(test_hostile_input),
            cmocka_unit_test(test_pattern_list_match),
            cmocka_unit_test(test_to_string),
        };
        const char *env = getenv("THRASHGUARD_SRCDIR");
        char file[] = __FILE__;
        char *slash;

        /* __FILE__ is .../tests/unit/test_config.c: the top is two up. */
        if (env)
                snprintf(srcdir, sizeof srcdir, "%s", env);
        else {
                slash = strrchr(file, '/');
                if (slash)
                        *slash = 0;
                snprintf(srcdir, sizeof srcdir, "%s/../..", slash ? file : ".");
        }
        return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
