/* cgroup: layout detection, the v2/v1/hybrid readers, pids, children,
 * actions' primitives and path checks, against small trees built under a
 * temporary root (and the committed fixture roots for detection). */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "testutil.h"

#include "observe/cgroup.h"
#include "observe/fsroot.h"

#define V1_UNLIMITED "9223372036854771712\n"

/* snprintf into an array, checked: test paths are short. */
#define PATHF(buf, ...) assert_true((size_t)snprintf(buf, sizeof buf, __VA_ARGS__) < sizeof buf)

static char tmp_root[64];

/* ---- tree helpers ---- */

static void mkdirs(const char *path)
{
        char p[PATH_MAX];
        PATHF(p, "%s", path);
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        (void)mkdir(p, 0755);
                        *s = '/';
                }
        (void)mkdir(p, 0755);
}

static void put(const char *rel, const char *content)
{
        char p[PATH_MAX], d[PATH_MAX];
        PATHF(p, "%s/%s", tmp_root, rel);
        PATHF(d, "%s", p);
        *strrchr(d, '/') = 0;
        mkdirs(d);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void get(const char *rel, char *buf, size_t size)
{
        char p[PATH_MAX];
        PATHF(p, "%s/%s", tmp_root, rel);
        FILE *f = fopen(p, "r");
        assert_non_null(f);
        size_t n = fread(buf, 1, size - 1, f);
        buf[n] = 0;
        fclose(f);
}

static void dir(const char *rel)
{
        char p[PATH_MAX];
        PATHF(p, "%s/%s", tmp_root, rel);
        mkdirs(p);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st, (void)flag, (void)ftw;
        return remove(path);
}

static int setup(void **state)
{
        (void)state;
        PATHF(tmp_root, "/tmp/tg-test-cgroup-XXXXXX");
        assert_non_null(mkdtemp(tmp_root));
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}

static struct fsroot open_root(void)
{
        struct fsroot r;
        assert_int_equal(fsroot_open(tmp_root, &r), 0);
        return r;
}

static const char PSI[] = "some avg10=1.00 avg60=0.50 avg300=0.10 total=1234\n"
                          "full avg10=0.50 avg60=0.20 avg300=0.00 total=567\n";
static const char STAT_V2[] = "anon 1000\nfile 2000\nshmem 10\npgscan 5\npgsteal 4\n"
                              "workingset_refault_anon 7\nworkingset_refault_file 8\n"
                              "pgmajfault 9\n";
static const char STAT_V1[] = "cache 2000\nrss 1000\nshmem 10\npgmajfault 9\n"
                              "total_cache 2000\ntotal_rss 1000\ntotal_shmem 10\n"
                              "total_pgmajfault 9\n";

/* A v2 root with memory enabled and one group /a/b. */
static void tree_v2(void)
{
        put("sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n");
        put("sys/fs/cgroup/cgroup.procs", "1\n");
        put("proc/pressure/memory", PSI);
        const char *g = "sys/fs/cgroup/a/b/";
        char p[PATH_MAX];
#define G(f, c) (PATHF(p, "%s%s", g, f), put(p, c))
        G("cgroup.procs", "10\n11\n");
        G("cgroup.events", "populated 1\nfrozen 0\n");
        G("cgroup.kill", "");
        G("cgroup.freeze", "0\n");
        G("memory.current", "3000\n");
        G("memory.max", "max\n");
        G("memory.high", "8192\n");
        G("memory.stat", STAT_V2);
        G("memory.events", "low 0\nhigh 3\nmax 2\noom 1\noom_kill 1\n");
        G("memory.pressure", PSI);
#undef G
        put("sys/fs/cgroup/a/cgroup.procs", "");
        put("sys/fs/cgroup/a/cgroup.events", "populated 1\nfrozen 0\n");
}

/* A v1 memory group (and freezer) at path; mirror adds the unified one. */
static void group_v1(const char *path, const char *procs, bool mirror, const char *mirror_events)
{
        char p[PATH_MAX];
#define M(f, c) (PATHF(p, "sys/fs/cgroup/memory%s/%s", path, f), put(p, c))
        M("cgroup.procs", procs);
        M("memory.usage_in_bytes", "3000\n");
        M("memory.limit_in_bytes", V1_UNLIMITED);
        M("memory.stat", STAT_V1);
        M("memory.failcnt", "42\n");
        M("memory.oom_control", "oom_kill_disable 0\nunder_oom 1\noom_kill 3\n");
#undef M
        PATHF(p, "sys/fs/cgroup/freezer%s/freezer.state", path);
        put(p, "FROZEN\n");
        PATHF(p, "sys/fs/cgroup/freezer%s/cgroup.procs", path);
        put(p, procs);
        if (mirror) {
#define U(f, c) (PATHF(p, "sys/fs/cgroup/unified%s/%s", path, f), put(p, c))
                U("cgroup.procs", "");
                U("cgroup.events", mirror_events);
                U("cgroup.kill", "");
                U("cgroup.freeze", "0\n");
                U("memory.pressure", PSI);
#undef U
        }
}

static void tree_v1_roots(bool unified)
{
        put("sys/fs/cgroup/memory/memory.stat", STAT_V1);
        put("sys/fs/cgroup/memory/cgroup.procs", "1\n");
        put("sys/fs/cgroup/freezer/cgroup.procs", "1\n");
        put("proc/pressure/memory", PSI);
        if (unified)
                put("sys/fs/cgroup/unified/cgroup.controllers", "");
}

/* ---- detection ---- */

static void test_detect_modes(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;

        tree_v2();
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(l.mode, CGROUP_MODE_V2);
        assert_string_equal(l.memory_dir, "sys/fs/cgroup");
        assert_string_equal(l.unified_dir, "sys/fs/cgroup");
        assert_string_equal(l.freezer_dir, "");
        assert_true(l.has_group_psi);
        assert_ptr_equal(l.root, &r);
        /* Forcing a mode the files do not support is refused. */
        l.mode = CGROUP_MODE_AUTO;
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_HYBRID, &l), -EOPNOTSUPP);
        assert_int_equal(l.mode, CGROUP_MODE_AUTO); /* untouched on failure */
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_V1, &l), -EOPNOTSUPP);
        fsroot_close(&r);
}

static void test_detect_hybrid_v1(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;

        tree_v1_roots(true);
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(l.mode, CGROUP_MODE_HYBRID);
        assert_string_equal(l.memory_dir, "sys/fs/cgroup/memory");
        assert_string_equal(l.unified_dir, "sys/fs/cgroup/unified");
        assert_string_equal(l.freezer_dir, "sys/fs/cgroup/freezer");
        assert_true(l.has_group_psi);
        /* v1 can be forced on a hybrid host: it ignores the mirror. */
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_V1, &l), 0);
        assert_int_equal(l.mode, CGROUP_MODE_V1);
        assert_string_equal(l.unified_dir, "");
        assert_false(l.has_group_psi);
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_V2, &l), -EOPNOTSUPP);
        fsroot_close(&r);
}

static void test_detect_v1_and_none(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;

        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), -EOPNOTSUPP);
        /* A v2 root whose controllers do not list memory is no v2 layout
         * for us (the memory controller is bound elsewhere). */
        put("sys/fs/cgroup/cgroup.controllers", "cpu io memoryx pids\n");
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), -EOPNOTSUPP);
        put("sys/fs/cgroup/memory/memory.stat", STAT_V1);
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(l.mode, CGROUP_MODE_V1);
        assert_string_equal(l.unified_dir, "");
        assert_string_equal(l.freezer_dir, ""); /* no freezer hierarchy here */
        assert_false(l.has_group_psi);
        fsroot_close(&r);
}

static void test_detect_fixtures(void **state)
{
        (void)state;
        static const struct {
                const char *name;
                enum cgroup_mode mode;
        } cases[] = {
            {"v2-k8s-systemd-containerd", CGROUP_MODE_V2},
            {"v1-k8s-cgroupfs-docker", CGROUP_MODE_V1},
            {"hybrid-docker", CGROUP_MODE_HYBRID},
            {"podman", CGROUP_MODE_V2},
            {"v1-host", CGROUP_MODE_V1},
        };
        char base[PATH_MAX], p[PATH_MAX];

        /* tests/unit/test_cgroup.c -> tests/fixtures */
        PATHF(base, "%s", __FILE__);
        *strrchr(base, '/') = 0;
        *strrchr(base, '/') = 0;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct fsroot r;
                struct cgroup_layout l;
                PATHF(p, "%s/fixtures/%s", base, cases[i].name);
                if (fsroot_open(p, &r) < 0) {
                        print_message("fixture %s not found, skipped\n", p);
                        continue;
                }
                assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
                assert_int_equal(l.mode, cases[i].mode);
                fsroot_close(&r);
        }
}

/* ---- readers ---- */

static void test_read_v2(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        struct cgroup_files f;
        struct cgroup_sample s;

        tree_v2();
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_files_open(&l, "/a/b", &f), 0);
        assert_true(f.memory_high >= 0);
        assert_int_equal(f.oom_control, -EBADF);
        assert_int_equal(f.freezer_state, -EBADF);
        assert_int_equal(cgroup_read(&l, &f, &s), 0);
        assert_int_equal(s.usage_bytes, 3000);
        assert_true(s.limit_bytes == BYTES_UNLIMITED);
        assert_int_equal(s.high_bytes, 8192);
        assert_int_equal(s.stat.anon_bytes, 1000);
        assert_int_equal(s.stat.file_bytes, 2000);
        assert_int_equal(s.stat.refault_file, 8);
        assert_int_equal(s.events.high, 3);
        assert_int_equal(s.events.max, 2);
        assert_int_equal(s.events.oom_kill, 1);
        assert_true(s.has_psi);
        assert_int_equal(s.psi.some.total_usec, 1234);
        assert_int_equal(s.psi.full.total_usec, 567);
        assert_true(s.populated);
        assert_false(s.frozen);

        /* Re-read through the same fds sees new content (pread at 0). */
        put("sys/fs/cgroup/a/b/memory.current", "4096\n");
        put("sys/fs/cgroup/a/b/cgroup.events", "populated 0\nfrozen 1\n");
        assert_int_equal(cgroup_read(&l, &f, &s), 0);
        assert_int_equal(s.usage_bytes, 4096);
        assert_false(s.populated);
        assert_true(s.frozen);
        cgroup_files_close(&f);
        assert_int_equal(f.procs, -EBADF);
        cgroup_files_close(&f); /* twice is fine */
        fsroot_close(&r);
}

static void test_read_v2_optional_files(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        struct cgroup_files f;
        struct cgroup_sample s;
        char p[PATH_MAX];

        tree_v2();
        /* Old kernels: no memory.high, no PSI. */
        PATHF(p, "%s/sys/fs/cgroup/a/b/memory.high", tmp_root);
        assert_int_equal(unlink(p), 0);
        PATHF(p, "%s/sys/fs/cgroup/a/b/memory.pressure", tmp_root);
        assert_int_equal(unlink(p), 0);
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_files_open(&l, "/a/b", &f), 0);
        assert_int_equal(f.memory_high, -EBADF);
        assert_int_equal(f.pressure, -EBADF);
        assert_int_equal(cgroup_read(&l, &f, &s), 0);
        assert_true(s.high_bytes == BYTES_UNLIMITED);
        assert_false(s.has_psi);
        cgroup_files_close(&f);

        /* A required file missing: the group is treated as gone. */
        PATHF(p, "%s/sys/fs/cgroup/a/b/memory.stat", tmp_root);
        assert_int_equal(unlink(p), 0);
        f.procs = 12345; /* ret untouched on failure */
        assert_int_equal(cgroup_files_open(&l, "/a/b", &f), -ENOENT);
        assert_int_equal(f.procs, 12345);
        assert_int_equal(cgroup_files_open(&l, "/nope", &f), -ENOENT);
        fsroot_close(&r);
}

static void test_read_malformed(void **state)
{
        (void)state;
        static const struct {
                const char *file, *content;
        } cases[] = {
            {"memory.current", "12abc\n"},
            {"memory.current", "-1\n"},
            {"memory.current", ""},
            {"memory.current", "99999999999999999999999\n"},
            {"memory.current", "max\n"}, /* a usage is never unlimited */
            {"memory.max", "unlimited\n"},
            {"memory.stat", "garbage\n"},
            {"memory.stat", ""},
            {"memory.pressure", "some avg10=x\n"},
            {"cgroup.events", "frozen 0\n"},
            {"memory.events", "high x\n"},
        };
        struct fsroot r;
        struct cgroup_layout l;
        struct cgroup_files f;
        struct cgroup_sample s = {.usage_bytes = 77};
        char p[PATH_MAX], big[12000];

        tree_v2();
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_files_open(&l, "/a/b", &f), 0);
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                tree_v2();
                PATHF(p, "sys/fs/cgroup/a/b/%s", cases[i].file);
                put(p, cases[i].content);
                int k = cgroup_read(&l, &f, &s);
                if (k != -EINVAL)
                        print_message("case %zu (%s = '%s'): %d\n", i, cases[i].file,
                                      cases[i].content, k);
                assert_int_equal(k, -EINVAL);
                assert_int_equal(s.usage_bytes, 77); /* untouched */
        }
        /* Larger than any sane memory.stat: refused, not truncated. */
        tree_v2();
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = 0;
        put("sys/fs/cgroup/a/b/memory.stat", big);
        assert_int_equal(cgroup_read(&l, &f, &s), -EINVAL);
        cgroup_files_close(&f);
        fsroot_close(&r);
}

static void test_read_v1(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        struct cgroup_files f;
        struct cgroup_sample s;

        tree_v1_roots(false);
        group_v1("/g", "5\n", false, NULL);
        put("sys/fs/cgroup/memory/g/memory.limit_in_bytes", "1073741824\n");
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(l.mode, CGROUP_MODE_V1);
        assert_int_equal(cgroup_files_open(&l, "/g", &f), 0);
        assert_int_equal(f.pressure, -EBADF);
        assert_int_equal(f.cgroup_events, -EBADF);
        assert_true(f.freezer_state >= 0);
        assert_int_equal(cgroup_read(&l, &f, &s), 0);
        assert_int_equal(s.usage_bytes, 3000);
        assert_int_equal(s.limit_bytes, 1073741824);
        assert_true(s.high_bytes == BYTES_UNLIMITED);
        assert_int_equal(s.stat.anon_bytes, 1000);
        assert_int_equal(s.stat.file_bytes, 2000);
        assert_int_equal(s.events.max, 42);
        assert_int_equal(s.events.oom, 1);
        assert_int_equal(s.events.oom_kill, 3);
        assert_false(s.has_psi);
        assert_true(s.populated); /* from cgroup.procs */
        assert_true(s.frozen);    /* from freezer.state */

        /* The v1 "unlimited" value, and anything near it, is no limit. */
        put("sys/fs/cgroup/memory/g/memory.limit_in_bytes", V1_UNLIMITED);
        put("sys/fs/cgroup/memory/g/cgroup.procs", "");
        put("sys/fs/cgroup/freezer/g/freezer.state", "THAWED\n");
        assert_int_equal(cgroup_read(&l, &f, &s), 0);
        assert_true(s.limit_bytes == BYTES_UNLIMITED);
        assert_false(s.populated);
        assert_false(s.frozen);
        put("sys/fs/cgroup/memory/g/memory.limit_in_bytes", "9223372036854710272\n");
        assert_int_equal(cgroup_read(&l, &f, &s), 0);
        assert_true(s.limit_bytes == BYTES_UNLIMITED);
        put("sys/fs/cgroup/memory/g/memory.oom_control", "oom_kill_disable x\n");
        assert_int_equal(cgroup_read(&l, &f, &s), -EINVAL);
        cgroup_files_close(&f);
        fsroot_close(&r);
}

static void test_read_hybrid(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        struct cgroup_files f;
        struct cgroup_sample s;

        tree_v1_roots(true);
        /* Tasks only in the v1 group: the mirror says empty. */
        group_v1("/m", "7\n", true, "populated 0\nfrozen 0\n");
        group_v1("/nomirror", "8\n", false, NULL);
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_files_open(&l, "/m", &f), 0);
        assert_true(f.pressure >= 0);
        assert_true(f.cgroup_events >= 0);
        assert_int_equal(f.freezer_state, -EBADF);
        assert_int_equal(cgroup_read(&l, &f, &s), 0);
        assert_true(s.has_psi);
        assert_int_equal(s.psi.full.total_usec, 567);
        assert_true(s.populated); /* the memory hierarchy decides */
        assert_false(s.frozen);   /* the mirror's state, not the v1 freezer's */
        cgroup_files_close(&f);

        assert_int_equal(cgroup_files_open(&l, "/nomirror", &f), 0);
        assert_int_equal(f.pressure, -EBADF);
        assert_true(f.freezer_state >= 0);
        assert_int_equal(cgroup_read(&l, &f, &s), 0);
        assert_false(s.has_psi);
        assert_true(s.populated);
        assert_true(s.frozen);
        cgroup_files_close(&f);
        fsroot_close(&r);
}

/* A brief reading completed by cgroup_read_rest() is cgroup_read()'s
 * reading; the usage and PSI are the brief's, the rest the files'. */
static void test_read_rest(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        struct cgroup_files f;
        struct cgroup_sample whole, brief = {0}, s;

        tree_v1_roots(true);
        group_v1("/m", "7\n", true, "populated 0\nfrozen 1\n");
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_files_open(&l, "/m", &f), 0);
        assert_int_equal(cgroup_read(&l, &f, &whole), 0);
        assert_int_equal(cgroup_read_brief(&l, &f, true, &brief), 0);
        assert_int_equal(cgroup_read_rest(&l, &f, &brief, &s), 0);
        assert_int_equal(s.usage_bytes, whole.usage_bytes);
        assert_true(s.limit_bytes == whole.limit_bytes && s.high_bytes == whole.high_bytes);
        assert_int_equal(s.stat.anon_bytes, whole.stat.anon_bytes);
        assert_int_equal(s.stat.file_bytes, whole.stat.file_bytes);
        assert_int_equal(s.stat.pgmajfault, whole.stat.pgmajfault);
        assert_int_equal(s.events.max, whole.events.max);
        assert_int_equal(s.events.oom, whole.events.oom);
        assert_int_equal(s.events.oom_kill, whole.events.oom_kill);
        assert_true(s.has_psi && whole.has_psi);
        assert_int_equal(s.psi.some.total_usec, whole.psi.some.total_usec);
        assert_int_equal(s.psi.full.total_usec, whole.psi.full.total_usec);
        assert_true(s.populated && whole.populated);
        assert_true(s.frozen && whole.frozen);

        /* Neither the usage nor memory.pressure is read again. */
        brief.usage_bytes = 77;
        brief.psi.some.total_usec = 88;
        put("sys/fs/cgroup/memory/m/memory.usage_in_bytes", "junk\n");
        put("sys/fs/cgroup/unified/m/memory.pressure", "junk\n");
        assert_int_equal(cgroup_read_rest(&l, &f, &brief, &s), 0);
        assert_int_equal(s.usage_bytes, 77);
        assert_int_equal(s.psi.some.total_usec, 88);
        assert_int_equal(s.stat.anon_bytes, 1000);
        assert_int_equal(cgroup_read(&l, &f, &whole), -EINVAL);

        /* A malformed file of the rest fails it, ret untouched. */
        put("sys/fs/cgroup/memory/m/memory.stat", "rss x\n");
        assert_int_equal(cgroup_read_rest(&l, &f, &brief, &s), -EINVAL);
        assert_int_equal(s.usage_bytes, 77);
        cgroup_files_close(&f);
        fsroot_close(&r);
}

/* Without PSI a brief reading reads the usage alone: a malformed
 * memory.pressure does not fail it, and ret's PSI is left as it was; with
 * PSI the same file fails it, ret untouched. */
static void test_read_brief_usage_only(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        struct cgroup_files f;
        struct cgroup_sample brief = {0};

        tree_v1_roots(true);
        group_v1("/m", "7\n", true, "populated 1\nfrozen 0\n");
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_files_open(&l, "/m", &f), 0);
        assert_int_equal(cgroup_read_brief(&l, &f, true, &brief), 0);
        assert_true(brief.has_psi);
        uint64_t some = brief.psi.some.total_usec, full = brief.psi.full.total_usec;
        assert_true(some > 0 && full > 0);

        put("sys/fs/cgroup/memory/m/memory.usage_in_bytes", "12345\n");
        put("sys/fs/cgroup/unified/m/memory.pressure", "junk\n");
        assert_int_equal(cgroup_read_brief(&l, &f, false, &brief), 0);
        assert_int_equal(brief.usage_bytes, 12345);
        assert_true(brief.has_psi);
        assert_int_equal(brief.psi.some.total_usec, some);
        assert_int_equal(brief.psi.full.total_usec, full);

        put("sys/fs/cgroup/memory/m/memory.usage_in_bytes", "999\n");
        assert_int_equal(cgroup_read_brief(&l, &f, true, &brief), -EINVAL);
        assert_int_equal(brief.usage_bytes, 12345);
        put("sys/fs/cgroup/memory/m/memory.usage_in_bytes", "junk\n");
        assert_int_equal(cgroup_read_brief(&l, &f, false, &brief), -EINVAL);
        assert_int_equal(brief.usage_bytes, 12345);
        cgroup_files_close(&f);
        fsroot_close(&r);
}

/* ---- pids ---- */

/* pread() of this program (the library's calls included) goes through
 * here: on short_read_fd it returns at most short_read_max bytes, the way
 * a seq_file such as cgroup.procs returns about a page per read whatever
 * the buffer. */
static int short_read_fd = -1;
static size_t short_read_max;
static unsigned short_reads;

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
        if (fd == short_read_fd && count > short_read_max) {
                count = short_read_max;
                short_reads++;
        }
        return syscall(SYS_pread64, fd, buf, count, offset);
}

static int open_content(const char *content)
{
        put("procs", content);
        char p[PATH_MAX];
        PATHF(p, "%s/procs", tmp_root);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static void test_read_pids(void **state)
{
        (void)state;
        static const struct {
                const char *content;
                int ret;
                pid_t first, last;
        } cases[] = {
            {"", 0, 0, 0},
            {"1\n", 1, 1, 1},
            {"10\n20\n30\n", 3, 10, 30},
            {"10\n20", 2, 10, 20}, /* no final newline */
            {"x\n", -EINVAL, 0, 0},
            {"10\n\n", -EINVAL, 0, 0},
            {"0\n", 0, 0, 0}, /* a task outside our pid namespace */
            {"0\n7\n0", 1, 7, 7},
            {"-5\n", -EINVAL, 0, 0},
            {"10 20\n", -EINVAL, 0, 0},
            {"4294967296\n", -EINVAL, 0, 0},
            {"99999999999999999999999999\n", -EINVAL, 0, 0},
        };
        pid_t pids[8];

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                int fd = open_content(cases[i].content);
                int n = cgroup_read_pids(fd, pids, ARRAY_SIZE(pids));
                close(fd);
                assert_int_equal(n, cases[i].ret);
                if (n > 0) {
                        assert_int_equal(pids[0], cases[i].first);
                        assert_int_equal(pids[n - 1], cases[i].last);
                }
        }
}

static void test_read_pids_large(void **state)
{
        (void)state;
        /* 5,000 pids: well over one 4 KiB chunk, numbers cut at chunk ends. */
        size_t n = 5000, len = 0;
        char *content = malloc(n * 8 + 1);
        pid_t *pids = malloc(n * sizeof *pids);
        assert_non_null(content);
        assert_non_null(pids);
        for (size_t i = 0; i < n; i++)
                len += (size_t)sprintf(content + len, "%zu\n", 100000 + i * 7);
        int fd = open_content(content);
        assert_int_equal(cgroup_read_pids(fd, pids, n), (int)n);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(pids[i], (pid_t)(100000 + i * 7));
        /* A smaller array: the count is still all, only cap stored. */
        memset(pids, 0, n * sizeof *pids);
        assert_int_equal(cgroup_read_pids(fd, pids, 10), (int)n);
        assert_int_equal(pids[9], 100063);
        assert_int_equal(pids[10], 0);
        close(fd);
        free(content);
        free(pids);
}

/* A read shorter than the buffer is not the end of the file: with 1,107
 * tasks a real cgroup.procs gave 682 when the reader stopped there. */
static void test_read_pids_short_reads(void **state)
{
        (void)state;
        size_t n = 1107, len = 0;
        char *content = malloc(n * 8 + 1);
        pid_t *pids = malloc(n * sizeof *pids);
        assert_non_null(content);
        assert_non_null(pids);
        for (size_t i = 0; i < n; i++)
                len += (size_t)sprintf(content + len, "%zu\n", 100000 + i * 3);
        int fd = open_content(content);
        static const size_t chunks[] = {3900, 1000, 97, 7, 1};
        for (size_t i = 0; i < ARRAY_SIZE(chunks); i++) {
                memset(pids, 0, n * sizeof *pids);
                short_reads = 0;
                short_read_fd = fd;
                short_read_max = chunks[i];
                int got = cgroup_read_pids(fd, pids, n);
                short_read_fd = -1;
                assert_true(short_reads > 0); /* the short reads did happen */
                assert_int_equal(got, (int)n);
                for (size_t k = 0; k < n; k++)
                        assert_int_equal(pids[k], (pid_t)(100000 + k * 3));
        }
        close(fd);
        free(content);
        free(pids);
}

/* ---- children, ids, paths ---- */

struct seen {
        unsigned n;
        char names[16][CGROUP_PATH_MAX];
        int stop_after;
};

static int collect(const char *path, void *userdata)
{
        struct seen *s = userdata;
        assert_true(s->n < 16);
        snprintf(s->names[s->n++], CGROUP_PATH_MAX, "%s", path);
        return s->stop_after && (int)s->n >= s->stop_after ? 1 : 0;
}

static bool seen_has(const struct seen *s, const char *path)
{
        for (unsigned i = 0; i < s->n; i++)
                if (streq(s->names[i], path))
                        return true;
        return false;
}

/* What cgroup_for_each_child_at() shows of each child, and whether it has
 * children of its own (asked relative to the parent). */
struct seen_at {
        const struct cgroup_layout *l;
        unsigned n;
        char paths[16][CGROUP_PATH_MAX];
        int children[16];
};

static int collect_at(const struct cgroup_child *c, void *userdata)
{
        struct seen_at *s = userdata;
        assert_true(s->n < 16);
        assert_string_equal(c->name, strrchr(c->path, '/') + 1);
        assert_true(c->dir_fd >= 0);
        snprintf(s->paths[s->n], CGROUP_PATH_MAX, "%s", c->path);
        s->children[s->n++] = cgroup_child_has_children(s->l, c);
        return 0;
}

static int seen_at_children(const struct seen_at *s, const char *path)
{
        for (unsigned i = 0; i < s->n; i++)
                if (streq(s->paths[i], path))
                        return s->children[i];
        fail_msg("%s not seen", path);
        return -1;
}

static void test_children(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        struct seen s = {0};
        char longname[300];

        tree_v2();
        dir("sys/fs/cgroup/a/odd name \"q\"");
        dir("sys/fs/cgroup/a/b/c");
        memset(longname, 'n', 250);
        longname[250] = 0;
        /* 3 * 250 + "/a" > CGROUP_PATH_MAX: the deepest cannot be named. */
        char p[PATH_MAX];
        PATHF(p, "sys/fs/cgroup/a/%s/%s/%s", longname, longname, longname);
        dir(p);
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);

        assert_int_equal(cgroup_for_each_child(&l, "/", collect, &s), 0);
        assert_int_equal(s.n, 1); /* files at the root are not groups */
        assert_string_equal(s.names[0], "/a");

        s = (struct seen){0};
        assert_int_equal(cgroup_for_each_child(&l, "/a", collect, &s), 0);
        assert_int_equal(s.n, 3);
        assert_true(seen_has(&s, "/a/b"));
        assert_true(seen_has(&s, "/a/odd name \"q\""));

        s = (struct seen){0};
        PATHF(p, "/a/%s/%s", longname, longname);
        assert_int_equal(cgroup_for_each_child(&l, p, collect, &s), -ENAMETOOLONG);
        assert_int_equal(s.n, 0); /* skipped, not truncated, and said */

        s = (struct seen){.stop_after = 1};
        assert_int_equal(cgroup_for_each_child(&l, "/a", collect, &s), 0);
        assert_int_equal(s.n, 1);

        assert_int_equal(cgroup_for_each_child(&l, "/missing", collect, &s), -ENOENT);
        assert_int_equal(cgroup_for_each_child(&l, "/a/../a", collect, &s), -EINVAL);
        assert_int_equal(cgroup_for_each_child(&l, "a", collect, &s), -EINVAL);

        struct seen_at a = {.l = &l};
        assert_int_equal(cgroup_for_each_child_at(&l, "/", collect_at, &a), 0);
        assert_int_equal(a.n, 1);
        assert_int_equal(seen_at_children(&a, "/a"), 1);
        a = (struct seen_at){.l = &l};
        assert_int_equal(cgroup_for_each_child_at(&l, "/a", collect_at, &a), 0);
        assert_int_equal(a.n, 3);
        assert_int_equal(seen_at_children(&a, "/a/b"), 1);
        assert_int_equal(seen_at_children(&a, "/a/odd name \"q\""), 0);
        PATHF(p, "/a/%s", longname);
        assert_int_equal(seen_at_children(&a, p), 1);
        a = (struct seen_at){.l = &l};
        assert_int_equal(cgroup_for_each_child_at(&l, "/a/b", collect_at, &a), 0);
        assert_int_equal(a.n, 1);
        assert_int_equal(seen_at_children(&a, "/a/b/c"), 0);
        assert_int_equal(cgroup_for_each_child_at(&l, "/missing", collect_at, &a), -ENOENT);
        fsroot_close(&r);
}

static void test_id_and_paths(void **state)
{
        (void)state;
        static const char *const bad[] = {
            "", "a", "/a/", "//a", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a/..",
        };
        struct fsroot r;
        struct cgroup_layout l;
        struct stat st;
        uint64_t id = 0;
        char p[PATH_MAX], out[256];

        tree_v2();
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_id(&l, "/a/b", &id), 0);
        PATHF(p, "%s/sys/fs/cgroup/a/b", tmp_root);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(id, st.st_ino);
        assert_int_equal(cgroup_id(&l, "/gone", &id), -ENOENT);

        assert_int_equal(cgroup_pressure_path(&l, "/", out, sizeof out), 0);
        assert_string_equal(out, "proc/pressure/memory");
        assert_int_equal(cgroup_pressure_path(&l, "/a/b", out, sizeof out), 0);
        assert_string_equal(out, "sys/fs/cgroup/a/b/memory.pressure");
        assert_int_equal(cgroup_pressure_path(&l, "/a", out, sizeof out), -ENODATA);
        strcpy(out, "keep");
        assert_int_equal(cgroup_pressure_path(&l, "/a/b", out, 8), -ENAMETOOLONG);
        assert_string_equal(out, "keep");
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                assert_int_equal(cgroup_pressure_path(&l, bad[i], out, sizeof out), -EINVAL);
                assert_int_equal(cgroup_id(&l, bad[i], &id), -EINVAL);
                assert_int_equal(cgroup_kill(&l, bad[i]), -EINVAL);
                assert_int_equal(cgroup_set_frozen(&l, bad[i], true), -EINVAL);
                assert_int_equal(cgroup_is_populated(&l, bad[i]), -EINVAL);
        }
        /* A path too long for any buffer. */
        char longp[2000] = "/";
        memset(longp + 1, 'x', sizeof longp - 2);
        longp[sizeof longp - 1] = 0;
        assert_int_equal(cgroup_id(&l, longp, &id), -ENAMETOOLONG);
        fsroot_close(&r);
}

/* The group of a task in the memory hierarchy, from /proc/PID/cgroup. */
static void test_pid_group(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout hy, v2;
        char out[CGROUP_PATH_MAX];

        tree_v1_roots(true);
        put("proc/10/cgroup", "12:pids:/p\n6:cpu,cpuacct:/c\n4:memory:/kubepods/pod1/ctr\n"
                              "1:name=systemd:/system.slice/x\n0::/unified/path\n");
        put("proc/11/cgroup", "5:cpu,memory:/joint\n0::/u\n");
        put("proc/12/cgroup", "0::/only/unified\n1:name=systemd:/s\n");
        put("proc/13/cgroup", "4:memoryx:/no\n4:xmemory:/no\n");
        put("proc/14/cgroup", "garbage without colons\n4:memory:/ok\n");
        put("proc/15/cgroup", "4:memory:relative\n");
        put("proc/16/cgroup", "4:memory:/\n");
        /* A group name holding a newline could forge a line: two memory
         * lines are refused, never the first taken. */
        put("proc/17/cgroup", "12:pids:/a\n4:memory:/forged\n4:memory:/real\n");
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &hy), 0);
        assert_int_equal(hy.mode, CGROUP_MODE_HYBRID);
        assert_int_equal(cgroup_pid_group(&hy, 10, out, sizeof out), 0);
        assert_string_equal(out, "/kubepods/pod1/ctr");
        assert_int_equal(cgroup_pid_group(&hy, 11, out, sizeof out), 0);
        assert_string_equal(out, "/joint");
        assert_int_equal(cgroup_pid_group(&hy, 12, out, sizeof out), -ENODATA);
        assert_int_equal(cgroup_pid_group(&hy, 13, out, sizeof out), -ENODATA);
        /* A malformed line makes the whole file untrusted (proc_cgroup_parse). */
        assert_int_equal(cgroup_pid_group(&hy, 14, out, sizeof out), -EINVAL);
        assert_int_equal(cgroup_pid_group(&hy, 15, out, sizeof out), -EINVAL);
        assert_int_equal(cgroup_pid_group(&hy, 16, out, sizeof out), 0);
        assert_string_equal(out, "/");
        assert_int_equal(cgroup_pid_group(&hy, 17, out, sizeof out), -EINVAL);
        assert_int_equal(cgroup_pid_group(&hy, 99, out, sizeof out), -ENOENT);
        assert_int_equal(cgroup_pid_group(&hy, 0, out, sizeof out), -EINVAL);
        assert_int_equal(cgroup_pid_group(&hy, 10, out, 5), -ENAMETOOLONG);

        /* v2: the "0::" line, whatever else is there. */
        v2 = hy;
        v2.mode = CGROUP_MODE_V2;
        assert_int_equal(cgroup_pid_group(&v2, 10, out, sizeof out), 0);
        assert_string_equal(out, "/unified/path");
        assert_int_equal(cgroup_pid_group(&v2, 12, out, sizeof out), 0);
        assert_string_equal(out, "/only/unified");
        assert_int_equal(cgroup_pid_group(&v2, 13, out, sizeof out), -ENODATA);
        fsroot_close(&r);
}

/* The mirror tree: hybrid only, its own groups and tasks. */
static void test_trees(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        char buf[64];
        int fd;

        tree_v1_roots(true);
        group_v1("/m", "10\n11\n", true, "populated 1\nfrozen 0\n");
        put("sys/fs/cgroup/unified/m/cgroup.procs", "11\n12\n");
        dir("sys/fs/cgroup/unified/m/only-in-mirror");
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        fd = cgroup_tree_procs_open(&l, CGROUP_TREE_MIRROR, "/m");
        assert_true(fd >= 0);
        assert_int_equal(pread(fd, buf, sizeof buf, 0), 6);
        close(fd);
        fd = cgroup_tree_procs_open(&l, CGROUP_TREE_MEMORY, "/m");
        assert_true(fd >= 0);
        close(fd);
        struct seen s = {0};
        assert_int_equal(cgroup_tree_for_each_child(&l, CGROUP_TREE_MIRROR, "/m", collect, &s), 0);
        assert_int_equal(s.n, 1);
        assert_string_equal(s.names[0], "/m/only-in-mirror");
        s.n = 0;
        assert_int_equal(cgroup_tree_for_each_child(&l, CGROUP_TREE_MEMORY, "/m", collect, &s), 0);
        assert_int_equal(s.n, 0);
        assert_int_equal(cgroup_tree_procs_open(&l, CGROUP_TREE_MIRROR, "/nope"), -ENOENT);
        assert_int_equal(cgroup_tree_procs_open(&l, CGROUP_TREE_MIRROR, "a/.."), -EINVAL);

        /* No separate mirror in v1 (nor in v2, where it is the same tree). */
        struct cgroup_layout v1;
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_V1, &v1), 0);
        assert_int_equal(cgroup_tree_procs_open(&v1, CGROUP_TREE_MIRROR, "/m"), -EOPNOTSUPP);
        assert_int_equal(cgroup_tree_for_each_child(&v1, CGROUP_TREE_MIRROR, "/m", collect, &s),
                         -EOPNOTSUPP);
        fsroot_close(&r);
}

/* ---- actions' primitives ---- */

static void test_kill_freeze_v2(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        char buf[64];

        tree_v2();
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_kill(&l, "/a/b"), 0);
        get("sys/fs/cgroup/a/b/cgroup.kill", buf, sizeof buf);
        assert_string_equal(buf, "1");
        /* A kernel without cgroup.kill (< 5.14). */
        assert_int_equal(cgroup_kill(&l, "/a"), -EOPNOTSUPP);
        assert_int_equal(cgroup_kill(&l, "/gone"), -ENOENT);

        assert_int_equal(cgroup_set_frozen(&l, "/a/b", true), 0);
        get("sys/fs/cgroup/a/b/cgroup.freeze", buf, sizeof buf);
        assert_true(buf[0] == '1');
        assert_int_equal(cgroup_is_frozen(&l, "/a/b"), 0);
        put("sys/fs/cgroup/a/b/cgroup.events", "populated 1\nfrozen 1\n");
        assert_int_equal(cgroup_is_frozen(&l, "/a/b"), 1);
        assert_int_equal(cgroup_is_populated(&l, "/a/b"), 1);
        put("sys/fs/cgroup/a/b/cgroup.events", "populated 0\nfrozen 1\n");
        assert_int_equal(cgroup_is_populated(&l, "/a/b"), 0);
        assert_int_equal(cgroup_is_populated(&l, "/gone"), -ENOENT);
        put("sys/fs/cgroup/a/b/cgroup.events", "bogus\n");
        assert_int_equal(cgroup_is_populated(&l, "/a/b"), -EINVAL);
        fsroot_close(&r);
}

static void test_kill_freeze_hybrid(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        char buf[64];

        tree_v1_roots(true);
        group_v1("/m", "", true, "populated 1\nfrozen 1\n");
        group_v1("/emptymirror", "", true, "populated 0\nfrozen 0\n");
        group_v1("/v1only", "", false, NULL);
        group_v1("/v1only/child", "", false, NULL);
        group_v1("/v1only/child/leaf", "99\n", false, NULL);
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);

        /* With the mirror: unified cgroup.kill and cgroup.freeze. */
        assert_int_equal(cgroup_kill(&l, "/m"), 0);
        get("sys/fs/cgroup/unified/m/cgroup.kill", buf, sizeof buf);
        assert_string_equal(buf, "1");
        assert_int_equal(cgroup_set_frozen(&l, "/m", true), 0);
        get("sys/fs/cgroup/unified/m/cgroup.freeze", buf, sizeof buf);
        assert_true(buf[0] == '1');
        get("sys/fs/cgroup/freezer/m/freezer.state", buf, sizeof buf);
        assert_string_equal(buf, "FROZEN\n"); /* the v1 freezer untouched */
        assert_int_equal(cgroup_is_frozen(&l, "/m"), 1);

        /* A mirror that holds no task: the v1 freezer is the one that
         * reaches them; a thaw goes through both. */
        assert_int_equal(cgroup_set_frozen(&l, "/emptymirror", true), 0);
        get("sys/fs/cgroup/freezer/emptymirror/freezer.state", buf, sizeof buf);
        assert_memory_equal(buf, "FROZEN", 6);
        get("sys/fs/cgroup/unified/emptymirror/cgroup.freeze", buf, sizeof buf);
        assert_true(buf[0] != '1');
        assert_int_equal(cgroup_set_frozen(&l, "/emptymirror", false), 0);
        get("sys/fs/cgroup/freezer/emptymirror/freezer.state", buf, sizeof buf);
        assert_memory_equal(buf, "THAWED", 6);
        get("sys/fs/cgroup/unified/emptymirror/cgroup.freeze", buf, sizeof buf);
        assert_true(buf[0] == '0');

        /* Without it: no kill, the v1 freezer. */
        assert_int_equal(cgroup_kill(&l, "/v1only"), -EOPNOTSUPP);
        assert_int_equal(cgroup_kill(&l, "/gone"), -ENOENT);
        assert_int_equal(cgroup_set_frozen(&l, "/v1only", false), 0);
        get("sys/fs/cgroup/freezer/v1only/freezer.state", buf, sizeof buf);
        assert_memory_equal(buf, "THAWED", 6); /* a regular file is not truncated */
        put("sys/fs/cgroup/freezer/v1only/freezer.state", "FREEZING\n");
        assert_int_equal(cgroup_is_frozen(&l, "/v1only"), 0);
        put("sys/fs/cgroup/freezer/v1only/freezer.state", "FROZEN\n");
        assert_int_equal(cgroup_is_frozen(&l, "/v1only"), 1);
        put("sys/fs/cgroup/freezer/v1only/freezer.state", "SOMETHING\n");
        assert_int_equal(cgroup_is_frozen(&l, "/v1only"), -EINVAL);

        /* Membership: the memory hierarchy, descendants included. */
        assert_int_equal(cgroup_is_populated(&l, "/m"), 0);
        assert_int_equal(cgroup_is_populated(&l, "/v1only"), 1);
        put("sys/fs/cgroup/memory/v1only/child/leaf/cgroup.procs", "");
        assert_int_equal(cgroup_is_populated(&l, "/v1only"), 0);
        assert_int_equal(cgroup_is_populated(&l, "/gone"), -ENOENT);

        /* Pressure files: the mirror's, none without it. */
        char out[256];
        assert_int_equal(cgroup_pressure_path(&l, "/m", out, sizeof out), 0);
        assert_string_equal(out, "sys/fs/cgroup/unified/m/memory.pressure");
        assert_int_equal(cgroup_pressure_path(&l, "/v1only", out, sizeof out), -ENODATA);
        /* Not there yet: the path it will have, for its trigger. */
        assert_int_equal(cgroup_pressure_path(&l, "/later", out, sizeof out), 0);
        assert_string_equal(out, "sys/fs/cgroup/unified/later/memory.pressure");
        fsroot_close(&r);
}

static void test_v1_primitives(void **state)
{
        (void)state;
        struct fsroot r;
        struct cgroup_layout l;
        char out[256];

        tree_v1_roots(false);
        group_v1("/g", "5\n", false, NULL);
        r = open_root();
        assert_int_equal(cgroup_detect(&r, CGROUP_MODE_AUTO, &l), 0);
        assert_int_equal(cgroup_kill(&l, "/g"), -EOPNOTSUPP);
        assert_int_equal(cgroup_pressure_path(&l, "/g", out, sizeof out), -ENODATA);
        assert_int_equal(cgroup_pressure_path(&l, "/", out, sizeof out), 0);
        assert_int_equal(cgroup_is_frozen(&l, "/g"), 1);
        assert_int_equal(cgroup_is_populated(&l, "/g"), 1);
        int fd = cgroup_procs_open(&l, "/g");
        assert_true(fd >= 0);
        pid_t pid;
        assert_int_equal(cgroup_read_pids(fd, &pid, 1), 1);
        assert_int_equal(pid, 5);
        close(fd);
        assert_int_equal(cgroup_procs_open(&l, "/none"), -ENOENT);
        fsroot_close(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_detect_modes, setup, teardown),
            cmocka_unit_test_setup_teardown(test_detect_hybrid_v1, setup, teardown),
            cmocka_unit_test_setup_teardown(test_detect_v1_and_none, setup, teardown),
            cmocka_unit_test(test_detect_fixtures),
            cmocka_unit_test_setup_teardown(test_read_v2, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_v2_optional_files, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_malformed, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_v1, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_hybrid, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_rest, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_brief_usage_only, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_pids, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_pids_large, setup, teardown),
            cmocka_unit_test_setup_teardown(test_read_pids_short_reads, setup, teardown),
            cmocka_unit_test_setup_teardown(test_pid_group, setup, teardown),
            cmocka_unit_test_setup_teardown(test_trees, setup, teardown),
            cmocka_unit_test_setup_teardown(test_children, setup, teardown),
            cmocka_unit_test_setup_teardown(test_id_and_paths, setup, teardown),
            cmocka_unit_test_setup_teardown(test_kill_freeze_v2, setup, teardown),
            cmocka_unit_test_setup_teardown(test_kill_freeze_hybrid, setup, teardown),
            cmocka_unit_test_setup_teardown(test_v1_primitives, setup, teardown),
        };
        return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
