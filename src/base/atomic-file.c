/* Replacing a small file whole (see atomic-file.h). */
#include "base/atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

int atomic_file_write(int dir_fd, const char *name, const char *data, size_t len, uint64_t *ret_ino)
{
        char tmp[256];
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r = 0;

        if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= sizeof(tmp))
                return -ENAMETOOLONG;
        (void)unlinkat(dir_fd, tmp, 0);
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        for (size_t off = 0; off < len;) {
                ssize_t w = write(fd, data + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        r = w < 0 ? -errno : -EIO;
                        break;
                }
                off += (size_t)w;
        }
        if (r >= 0 && fstat(fd, &st) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0) {
                (void)unlinkat(dir_fd, tmp, 0);
                return r;
        }
        if (ret_ino)
                *ret_ino = (uint64_t)st.st_ino;
        return 0;
}
