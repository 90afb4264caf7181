/* fsroot against a small tree built in a mkdtemp() directory at start and
 * removed at the end:
 *
 *   TMP/root/proc/meminfo
 *   TMP/root/sys/fs/cgroup/memory.max            "max\n"
 *   TMP/root/sys/fs/cgroup/a/{memory.current, bad, empty, big, cgroup.kill}
 *   TMP/root/sys/fs/cgroup/a/{b,c}/
 *   TMP/outside/secret                           reachable as "../outside/secret"
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include "testutil.h"
#include "observe/fsroot.h"

#define CG "sys/fs/cgroup"

struct env {
        char tmp[64];
        char root[128];
        struct fsroot r;
};

static void write_file(const char *dir, const char *path, const char *content)
{
        char p[512];
        int fd;

        snprintf(p, sizeof(p), "%s/%s", dir, path);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
}

static void make_dir(const char *dir, const char *path)
{
        char p[512];

        snprintf(p, sizeof(p), "%s/%s", dir, path);
        assert_int_equal(mkdir(p, 0755), 0);
}

static int setup(void **state)
{
        static const char *const dirs[] = {
            "root",          "root/proc",       "root/sys",        "root/sys/fs", "root/" CG,
            "root/" CG "/a", "root/" CG "/a/b", "root/" CG "/a/c", "outside",
        };
        struct env *e = calloc(1, sizeof(*e));
        char big[201];

        assert_non_null(e);
        snprintf(e->tmp, sizeof(e->tmp), "%s/thrashguard-fsroot-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        assert_non_null(mkdtemp(e->tmp));
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
                make_dir(e->tmp, dirs[i]);

        write_file(e->tmp, "root/proc/meminfo", "MemTotal: 2 kB\nMemAvailable: 1 kB\n");
        write_file(e->tmp, "root/" CG "/memory.max", "max\n");
        write_file(e->tmp, "root/" CG "/a/memory.current", "4096\n");
        write_file(e->tmp, "root/" CG "/a/bad", "12x\n");
        write_file(e->tmp, "root/" CG "/a/empty", "");
        memset(big, '7', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        write_file(e->tmp, "root/" CG "/a/big", big);
        write_file(e->tmp, "root/" CG "/a/cgroup.kill", "");
        write_file(e->tmp, "outside/secret", "42\n");

        snprintf(e->root, sizeof(e->root), "%s/root", e->tmp);
        assert_int_equal(fsroot_open(e->root, &e->r), 0);
        *state = e;
        return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st, (void)type, (void)ftw;
        return remove(path);
}

static int teardown(void **state)
{
        struct env *e = *state;

        fsroot_close(&e->r);
        assert_int_equal(nftw(e->tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        free(e);
        return 0;
}

static unsigned count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        unsigned n = 0;

        assert_non_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void test_open_close(void **state)
{
        struct env *e = *state;
        struct fsroot r = {.dirfd = -EBADF}, untouched = {.dirfd = 12345};
        char path[256];
        int flags;

        assert_int_equal(fsroot_open(e->root, &r), 0);
        assert_true(r.dirfd >= 0);
        flags = fcntl(r.dirfd, F_GETFL);
        assert_true(flags >= 0 && (flags & O_PATH));
        assert_true(fcntl(r.dirfd, F_GETFD) & FD_CLOEXEC);
        fsroot_close(&r);
        assert_int_equal(r.dirfd, -EBADF);
        fsroot_close(&r); /* idempotent */
        fsroot_close(NULL);

        /* A closed root fails cleanly instead of using fd -EBADF. */
        assert_int_equal(fsroot_openat(&r, "proc/meminfo", O_RDONLY), -EBADF);
        assert_int_equal(fsroot_inode(&r, "proc", &(uint64_t){0}), -EBADF);

        snprintf(path, sizeof(path), "%s/nonexistent", e->tmp);
        assert_int_equal(fsroot_open(path, &untouched), -ENOENT);
        assert_int_equal(untouched.dirfd, 12345);
        snprintf(path, sizeof(path), "%s/outside/secret", e->tmp);
        assert_int_equal(fsroot_open(path, &untouched), -ENOTDIR);
        assert_int_equal(untouched.dirfd, 12345);
}

static void test_openat_paths(void **state)
{
        static const char *const spellings[] = {"proc/meminfo", "/proc/meminfo", "//proc//meminfo"};
        static const char *const roots[] = {"", "/", "//"};
        struct env *e = *state;
        struct stat st_root, st;
        char buf[128];

        for (size_t i = 0; i < ARRAY_SIZE(spellings); i++) {
                _cleanup_close_ int fd = fsroot_openat(&e->r, spellings[i], O_RDONLY);
                assert_true(fd >= 0);
                assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
                assert_int_equal(fd_pread_all(fd, buf, sizeof(buf)), 34);
                assert_string_equal(buf, "MemTotal: 2 kB\nMemAvailable: 1 kB\n");
        }

        /* "" and "/" are the root itself. */
        assert_int_equal(stat(e->root, &st_root), 0);
        for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
                _cleanup_close_ int fd = fsroot_openat(&e->r, roots[i], O_RDONLY | O_DIRECTORY);
                assert_true(fd >= 0);
                assert_int_equal(fstat(fd, &st), 0);
                assert_int_equal(st.st_ino, st_root.st_ino);
                assert_int_equal(st.st_dev, st_root.st_dev);
        }

        assert_int_equal(fsroot_openat(&e->r, "proc/nope", O_RDONLY), -ENOENT);
        assert_int_equal(fsroot_openat(&e->r, "proc/meminfo/x", O_RDONLY), -ENOTDIR);
        assert_int_equal(fsroot_openat(&e->r, NULL, O_RDONLY), -EINVAL);
        assert_int_equal(fsroot_openat(NULL, "proc", O_RDONLY), -EINVAL);

        /* The root is a convenience for fixtures, not a sandbox: ".." leaves it. */
        assert_int_equal(fsroot_read_file(&e->r, "../outside/secret", buf, sizeof(buf)), 3);
        assert_string_equal(buf, "42\n");
}

static void test_pread_all(void **state)
{
        struct env *e = *state;
        _cleanup_close_ int fd = -EBADF, dfd = -EBADF;
        char buf[6];

        fd = fsroot_openat(&e->r, CG "/a/memory.current", O_RDWR);
        assert_true(fd >= 0);

        /* "4096\n" is 5 bytes: fits buf[6] exactly, not buf[5]. */
        assert_int_equal(fd_pread_all(fd, buf, sizeof(buf)), 5);
        assert_string_equal(buf, "4096\n");
        assert_int_equal(fd_pread_all(fd, buf, 5), -EFBIG);
        assert_int_equal(fd_pread_all(fd, buf, 1), -EFBIG);
        assert_int_equal(fd_pread_all(fd, buf, 0), -EINVAL);

        /* Re-reading a kept-open file sees new content from offset 0, whatever
         * the file position. */
        assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
        assert_int_equal(pwrite(fd, "8192\n", 5, 0), 5);
        assert_int_equal(fd_pread_all(fd, buf, sizeof(buf)), 5);
        assert_string_equal(buf, "8192\n");
        assert_int_equal(pwrite(fd, "4096\n", 5, 0), 5);

        assert_int_equal(fd_pread_all(-EBADF, buf, sizeof(buf)), -EBADF);
        dfd = fsroot_openat(&e->r, CG, O_RDONLY | O_DIRECTORY);
        assert_true(dfd >= 0);
        assert_int_equal(fd_pread_all(dfd, buf, sizeof(buf)), -EISDIR);
}

static void test_read_file(void **state)
{
        struct env *e = *state;
        char buf[256];

        assert_int_equal(fsroot_read_file(&e->r, CG "/a/empty", buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        assert_int_equal(fsroot_read_file(&e->r, CG "/a/big", buf, sizeof(buf)), 200);
        assert_int_equal(strlen(buf), 200);
        assert_int_equal(fsroot_read_file(&e->r, CG "/a/big", buf, 200), -EFBIG);
        assert_int_equal(fsroot_read_file(&e->r, CG "/a/big", buf, 201), 200);
        assert_int_equal(fsroot_read_file(&e->r, CG "/a/missing", buf, sizeof(buf)), -ENOENT);
}

/* A file holding one number, opened under the root and read as the
 * daemon reads its kept files. */
static int read_u64_at(const struct fsroot *r, const char *path, uint64_t *ret)
{
        _cleanup_close_ int fd = fsroot_openat(r, path, O_RDONLY);

        if (fd < 0)
                return fd;
        return fd_read_u64(fd, ret);
}

static void test_read_u64(void **state)
{
        static const struct {
                const char *path;
                int rc;
                uint64_t value;
        } cases[] = {
            {CG "/a/memory.current", 0, 4096}, {"/" CG "/memory.max", 0, UINT64_MAX},
            {CG "/a/bad", -EINVAL, 0},         {CG "/a/empty", -EINVAL, 0},
            {CG "/a/big", -EINVAL, 0}, /* larger than any number */
            {CG "/a/missing", -ENOENT, 0},     {CG "/a", -EISDIR, 0},
        };
        struct env *e = *state;

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                uint64_t v = 77;
                int r = read_u64_at(&e->r, cases[i].path, &v);

                if (r != cases[i].rc)
                        fail_msg("%s: rc %d, expected %d", cases[i].path, r, cases[i].rc);
                assert_int_equal(v, r == 0 ? cases[i].value : 77);
        }
}

static void test_write_str(void **state)
{
        struct env *e = *state;
        char buf[64];

        assert_int_equal(fsroot_write_str(&e->r, CG "/a/cgroup.kill", "1"), 0);
        assert_int_equal(fsroot_read_file(&e->r, CG "/a/cgroup.kill", buf, sizeof(buf)), 1);
        assert_string_equal(buf, "1");

        /* No O_TRUNC: the kernel's control files are not truncated, and a
         * fixture shows it. */
        write_file(e->tmp, "root/" CG "/a/cgroup.kill", "abcdef");
        assert_int_equal(fsroot_write_str(&e->r, "/" CG "/a/cgroup.kill", "XY"), 0);
        assert_int_equal(fsroot_read_file(&e->r, CG "/a/cgroup.kill", buf, sizeof(buf)), 6);
        assert_string_equal(buf, "XYcdef");

        /* No O_CREAT: a vanished group is -ENOENT, not a new file. */
        assert_int_equal(fsroot_write_str(&e->r, CG "/a/cgroup.freeze", "1"), -ENOENT);
        assert_int_equal(fsroot_read_file(&e->r, CG "/a/cgroup.freeze", buf, sizeof(buf)), -ENOENT);
        assert_int_equal(fsroot_write_str(&e->r, CG "/gone/cgroup.kill", "1"), -ENOENT);
        assert_int_equal(fsroot_write_str(&e->r, CG "/a", "1"), -EISDIR);
        assert_int_equal(fsroot_write_str(&e->r, CG "/a/cgroup.kill", NULL), -EINVAL);
}

struct collect {
        char names[16][32];
        unsigned char types[16];
        unsigned n;
        int stop_after; /* 0: never; else return stop_rc after this many */
        int stop_rc;
};

static int collect_cb(const char *name, unsigned char d_type, void *userdata)
{
        struct collect *c = userdata;

        assert_true(c->n < ARRAY_SIZE(c->names));
        assert_int_equal(strcpy_bounded(c->names[c->n], sizeof(c->names[0]), name), 0);
        c->types[c->n] = d_type;
        c->n++;
        if (c->stop_after && (int)c->n == c->stop_after)
                return c->stop_rc;
        return 0;
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(a, b);
}

static void test_for_each_entry(void **state)
{
        static const char *const want[] = {"b",           "bad",   "big",           "c",
                                           "cgroup.kill", "empty", "memory.current"};
        struct env *e = *state;
        struct collect c = {};
        unsigned fds = count_fds();

        assert_int_equal(fsroot_for_each_entry(&e->r, "/" CG "/a", collect_cb, &c), 0);
        assert_int_equal(c.n, ARRAY_SIZE(want));
        for (unsigned i = 0; i < c.n; i++) {
                /* d_type may be DT_UNKNOWN on some filesystems; when given it is right. */
                bool dir = streq(c.names[i], "b") || streq(c.names[i], "c");
                assert_true(c.types[i] == DT_UNKNOWN || c.types[i] == (dir ? DT_DIR : DT_REG));
        }
        qsort(c.names, c.n, sizeof(c.names[0]), cmp_names);
        for (unsigned i = 0; i < c.n; i++)
                assert_string_equal(c.names[i], want[i]);

        /* The root itself. */
        c = (struct collect){};
        assert_int_equal(fsroot_for_each_entry(&e->r, "", collect_cb, &c), 0);
        qsort(c.names, c.n, sizeof(c.names[0]), cmp_names);
        assert_int_equal(c.n, 2);
        assert_string_equal(c.names[0], "proc");
        assert_string_equal(c.names[1], "sys");

        /* A positive return stops the walk and gives 0; a negative one is returned. */
        c = (struct collect){.stop_after = 2, .stop_rc = 1};
        assert_int_equal(fsroot_for_each_entry(&e->r, CG "/a", collect_cb, &c), 0);
        assert_int_equal(c.n, 2);
        c = (struct collect){.stop_after = 1, .stop_rc = -ENOMEM};
        assert_int_equal(fsroot_for_each_entry(&e->r, CG "/a", collect_cb, &c), -ENOMEM);
        assert_int_equal(c.n, 1);

        /* An empty directory calls nothing. */
        c = (struct collect){};
        assert_int_equal(fsroot_for_each_entry(&e->r, CG "/a/b", collect_cb, &c), 0);
        assert_int_equal(c.n, 0);

        assert_int_equal(fsroot_for_each_entry(&e->r, CG "/gone", collect_cb, &c), -ENOENT);
        assert_int_equal(fsroot_for_each_entry(&e->r, CG "/a/bad", collect_cb, &c), -ENOTDIR);
        assert_int_equal(fsroot_for_each_entry(&e->r, CG, NULL, &c), -EINVAL);

        /* Every path above, success or failure, closed what it opened. */
        assert_int_equal(count_fds(), fds);
}

static void test_inode(void **state)
{
        struct env *e = *state;
        char path[256];
        struct stat st;
        uint64_t ino = 0, ino2 = 0, untouched = 77;

        snprintf(path, sizeof(path), "%s/" CG "/a", e->root);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(fsroot_inode(&e->r, CG "/a", &ino), 0);
        assert_int_equal(ino, st.st_ino);
        assert_int_equal(fsroot_inode(&e->r, "/" CG "/a/", &ino2), 0);
        assert_int_equal(ino2, ino);

        assert_int_equal(stat(e->root, &st), 0);
        assert_int_equal(fsroot_inode(&e->r, "/", &ino), 0);
        assert_int_equal(ino, st.st_ino);
        assert_int_equal(fsroot_inode(&e->r, "", &ino), 0);
        assert_int_equal(ino, st.st_ino);

        assert_int_equal(fsroot_inode(&e->r, CG "/gone", &untouched), -ENOENT);
        assert_int_equal(untouched, 77);
}

static void test_readlinkat(void **state)
{
        static const struct {
                const char *target;
                ssize_t ret;
                const char *got;
        } cases[] = {
            {"/var/log/pods/a/0.log", 20, "var/log/pods/a/0.log"},
            {"///var//x", 6, "var//x"},
            {"/", 0, ""},
            {"../pods/a/0.log", -EXDEV, NULL},
            {"var/log/pods/a", -EXDEV, NULL},
            {"/0123456789012345678901234567890", -ENAMETOOLONG, NULL}, /* 32: no room */
            {"/012345678901234567890123456789", 30, "012345678901234567890123456789"},
        };
        struct env *e = *state;
        char path[256], buf[32];

        snprintf(path, sizeof(path), "%s/ln", e->root);
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                assert_int_equal(symlink(cases[i].target, path), 0);
                strcpy(buf, "untouched");
                assert_int_equal(fsroot_readlinkat(&e->r, "/ln", buf, sizeof(buf)), cases[i].ret);
                if (cases[i].got)
                        assert_string_equal(buf, cases[i].got);
                assert_int_equal(unlink(path), 0);
        }
        assert_int_equal(fsroot_readlinkat(&e->r, "proc/meminfo", buf, sizeof(buf)), -EINVAL);
        assert_int_equal(fsroot_readlinkat(&e->r, "gone", buf, sizeof(buf)), -ENOENT);
        assert_int_equal(fsroot_readlinkat(&e->r, "gone", buf, 0), -EINVAL);
        assert_int_equal(fsroot_readlinkat(NULL, "gone", buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_open_close),     cmocka_unit_test(test_openat_paths),
            cmocka_unit_test(test_pread_all),      cmocka_unit_test(test_read_file),
            cmocka_unit_test(test_read_u64),       cmocka_unit_test(test_write_str),
            cmocka_unit_test(test_for_each_entry), cmocka_unit_test(test_inode),
            cmocka_unit_test(test_readlinkat),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
