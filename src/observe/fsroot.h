/* The filesystem root: every file under /proc, /sys and /var/log is opened
 * through here, relative to a root directory fd, so that `--root DIR` runs
 * the whole program against a fixture tree. This is the only module that
 * knows where those trees live. */
#pragma once

#include <dirent.h>
#include <stdint.h>
#include <sys/types.h>

/* Locations relative to the root; no other module spells an absolute path. */
#define FSROOT_PROC            "proc"
#define FSROOT_PRESSURE_MEMORY "proc/pressure/memory"
#define FSROOT_MEMINFO         "proc/meminfo"
#define FSROOT_VMSTAT          "proc/vmstat"
#define FSROOT_CGROUP          "sys/fs/cgroup"
#define FSROOT_POD_LOGS        "var/log/pods"
#define FSROOT_CONTAINER_LOGS  "var/log/containers"

struct fsroot {
        int dirfd; /* O_PATH|O_DIRECTORY fd of the root, or -EBADF */
};

/* Opens DIR ("/" for the real system) as the root. */
int fsroot_open(const char *dir, struct fsroot *ret);
void fsroot_close(struct fsroot *r);

/* openat() relative to the root; a leading '/' in path is ignored.
 * O_CLOEXEC is always added. Returns an fd or -errno. */
int fsroot_openat(const struct fsroot *r, const char *path, int flags);

/* Reads fd from offset 0 into buf[size] and NUL-terminates it. Returns the
 * length; -EFBIG when the content does not fit in size-1 bytes. This is the
 * re-read of a file kept open: one pread, no lseek. */
ssize_t fd_pread_all(int fd, char *buf, size_t size);

/* Opens, reads (as fd_pread_all) and closes path. Returns the length. */
ssize_t fsroot_read_file(const struct fsroot *r, const char *path, char *buf, size_t size);

/* Reads a kept file holding one unsigned number, or "max" (-> UINT64_MAX).
 * -EINVAL on anything else. */
int fd_read_u64(int fd, uint64_t *ret);
/* The same for a usage or a count, where "max" is -EINVAL (count_parse). */
int fd_read_count(int fd, uint64_t *ret);

/* Writes s to an existing file (O_WRONLY, no O_CREAT, no O_TRUNC) in one
 * write(). Returns 0 or -errno. */
int fsroot_write_str(const struct fsroot *r, const char *path, const char *s);

/* Calls cb for each entry of directory path except "." and "..". d_type may
 * be DT_UNKNOWN on some filesystems: callers that need it must stat. A
 * negative return from cb stops the walk and is returned; a positive one
 * stops it and 0 is returned. */
typedef int (*fsroot_dir_cb)(const char *name, unsigned char d_type, void *userdata);
int fsroot_for_each_entry(const struct fsroot *r, const char *path, fsroot_dir_cb cb,
                          void *userdata);

/* Reads the target of the symlink path into buf[size], NUL-terminated. An
 * absolute target is given relative to the root (its leading slashes
 * dropped), so that it compares with the FSROOT_ locations above. Returns
 * the length; -EINVAL when path is not a symlink; -EXDEV when the target is
 * relative (it names nothing without the link's directory); -ENAMETOOLONG
 * when it does not fit. */
ssize_t fsroot_readlinkat(const struct fsroot *r, const char *path, char *buf, size_t size);

/* Inode number of path (a cgroup directory's inode is its identity: it
 * changes when the group is removed and created again). */
int fsroot_inode(const struct fsroot *r, const char *path, uint64_t *ret);
