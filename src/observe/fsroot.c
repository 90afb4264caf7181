/* The filesystem root. Every path is resolved relative to one directory fd,
 * so that `--root DIR` points the whole program at a fixture tree.
 *
 * The root is a convenience for fixtures and replay, not a sandbox: ".." and
 * absolute symlinks are followed as openat() follows them and may leave it.
 * The trees it reads (/proc, /sys) are the kernel's, not an attacker's. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "observe/fsroot.h"
#include "observe/parse.h"
#include "base/util.h"

/* Large enough for "18446744073709551615\n" with room to spare; a longer
 * file cannot hold a valid number anyway. */
#define U64_FILE_MAX 64

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

/* Leading slashes are dropped so that callers may spell "/proc/meminfo";
 * the root itself is "." to openat(). */
static const char *relative(const char *path)
{
        while (*path == '/')
                path++;
        return *path ? path : ".";
}

int fsroot_open(const char *dir, struct fsroot *ret)
{
        int fd;

        if (!dir || !ret)
                return -EINVAL;
        fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ret->dirfd = fd;
        return 0;
}

void fsroot_close(struct fsroot *r)
{
        if (r)
                r->dirfd = safe_close(r->dirfd);
}

int fsroot_openat(const struct fsroot *r, const char *path, int flags)
{
        int fd;

        if (!r || !path)
                return -EINVAL;
        if (r->dirfd < 0)
                return -EBADF;
        fd = openat(r->dirfd, relative(path), flags | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return fd;
}

/* One pread() of the whole buffer: procfs, sysfs and cgroupfs return a file's
 * content in one read when the buffer is large enough, and so does a regular
 * file, so there is no loop (and no extra syscall to see EOF) on the hot path.
 * Reading size bytes rather than size-1 is what tells "fits exactly" apart
 * from "was cut". */
ssize_t fd_pread_all(int fd, char *buf, size_t size)
{
        ssize_t n;

        if (fd < 0)
                return -EBADF;
        if (!buf || size == 0 || size > SSIZE_MAX)
                return -EINVAL;
        do
                n = pread(fd, buf, size, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t)n >= size)
                return -EFBIG;
        buf[n] = '\0';
        return n;
}

ssize_t fsroot_read_file(const struct fsroot *r, const char *path, char *buf, size_t size)
{
        _cleanup_close_ int fd = -EBADF;

        fd = fsroot_openat(r, path, O_RDONLY);
        if (fd < 0)
                return fd;
        return fd_pread_all(fd, buf, size);
}

static int fd_read_number(int fd, int (*parse)(const char *, uint64_t *), uint64_t *ret)
{
        char buf[U64_FILE_MAX];
        ssize_t n;

        n = fd_pread_all(fd, buf, sizeof(buf));
        if (n == -EFBIG)
                return -EINVAL;
        if (n < 0)
                return (int)n;
        return parse(buf, ret);
}

int fd_read_u64(int fd, uint64_t *ret)
{
        return fd_read_number(fd, u64_parse, ret);
}

int fd_read_count(int fd, uint64_t *ret)
{
        return fd_read_number(fd, count_parse, ret);
}

/* One write(): cgroup control files act on each write, so a value split over
 * two writes would be two (wrong) commands. A short write is an error. */
int fsroot_write_str(const struct fsroot *r, const char *path, const char *s)
{
        _cleanup_close_ int fd = -EBADF;
        size_t len;
        ssize_t n;

        if (!s)
                return -EINVAL;
        fd = fsroot_openat(r, path, O_WRONLY);
        if (fd < 0)
                return fd;
        len = strlen(s);
        do
                n = write(fd, s, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t)n != len)
                return -EIO;
        return 0;
}

int fsroot_for_each_entry(const struct fsroot *r, const char *path, fsroot_dir_cb cb,
                          void *userdata)
{
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_close_ int fd = -EBADF;

        if (!cb)
                return -EINVAL;
        fd = fsroot_openat(r, path, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return fd;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd); /* owned by d now */

        for (;;) {
                struct dirent *de;
                int k;

                errno = 0;
                de = readdir(d);
                if (!de)
                        return errno > 0 ? -errno : 0;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                k = cb(de->d_name, de->d_type, userdata);
                if (k < 0)
                        return k;
                if (k > 0)
                        return 0;
        }
}

ssize_t fsroot_readlinkat(const struct fsroot *r, const char *path, char *buf, size_t size)
{
        size_t skip = 0;
        ssize_t n;

        if (!r || !path || !buf || size == 0 || size > SSIZE_MAX)
                return -EINVAL;
        if (r->dirfd < 0)
                return -EBADF;
        /* Reading size bytes tells "fits exactly" from "was cut", as in
         * fd_pread_all(). */
        n = readlinkat(r->dirfd, relative(path), buf, size);
        if (n < 0)
                return -errno;
        if ((size_t)n >= size)
                return -ENAMETOOLONG;
        buf[n] = '\0';
        if (buf[0] != '/')
                return -EXDEV;
        while (buf[skip] == '/')
                skip++;
        memmove(buf, buf + skip, (size_t)n - skip + 1);
        return n - (ssize_t)skip;
}

int fsroot_inode(const struct fsroot *r, const char *path, uint64_t *ret)
{
        struct stat st;

        if (!r || !path || !ret)
                return -EINVAL;
        if (r->dirfd < 0)
                return -EBADF;
        if (fstatat(r->dirfd, relative(path), &st, 0) < 0)
                return -errno;
        *ret = (uint64_t)st.st_ino;
        return 0;
}
