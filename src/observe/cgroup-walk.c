/* The walk of the tree: a group's children, and a whole subtree, read
 * relative to directory fds so that paths of any length are walked. */
#include "observe/cgroup-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

struct child_walk {
        int dir_fd; /* the parent's directory */
        cgroup_child_at_cb cb;
        void *userdata;
        char path[CGROUP_PATH_MAX]; /* the parent's path and "/", then a child's name */
        size_t prefix_len;
        bool too_long; /* a child's path did not fit */
};

static int child_entry(const char *name, unsigned char d_type, struct child_walk *w)
{
        size_t n = strlen(name);

        if (d_type == DT_UNKNOWN || d_type == DT_LNK) {
                struct stat st;
                if (fstatat(w->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return 0; /* gone since readdir */
                d_type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
        }
        if (d_type != DT_DIR)
                return 0;
        if (n >= sizeof w->path - w->prefix_len) {
                w->too_long = true; /* said once the others are listed */
                return 0;
        }
        memcpy(w->path + w->prefix_len, name, n + 1);
        const struct cgroup_child c = {
            .path = w->path, .name = w->path + w->prefix_len, .dir_fd = w->dir_fd};
        return w->cb(&c, w->userdata);
}

/* getdents64 into a stack buffer rather than fsroot_for_each_entry():
 * the walk lists every intermediate group on every tick, and opendir()
 * allocates. */
static int tree_for_each_child(const struct cgroup_layout *l, enum cgroup_tree tree,
                               const char *path, cgroup_child_at_cb cb, void *userdata)
{
        char dir[CGROUP_PATH_MAX + 128];
        _cleanup_close_ int fd = -EBADF;
        const char *top = cgroup_tree_dir(l, tree);
        if (!top)
                return cgroup_path_valid(path) ? -EOPNOTSUPP : -EINVAL;
        int r = cgroup_file_path(dir, sizeof dir, top, path, NULL);
        if (r < 0)
                return r;
        fd = fsroot_openat(l->root, dir, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return fd;
        struct child_walk w = {.dir_fd = fd, .cb = cb, .userdata = userdata};
        w.prefix_len = streq(path, "/") ? 0 : strlen(path);
        if (w.prefix_len + 1 >= sizeof w.path)
                return -ENAMETOOLONG; /* no child could be named */
        memcpy(w.path, path, w.prefix_len);
        w.path[w.prefix_len++] = '/';
        for (;;) {
                char buf[8192] __attribute__((aligned(8)));
                ssize_t n = getdents64(fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return w.too_long ? -ENAMETOOLONG : 0;
                for (ssize_t off = 0; off < n;) {
                        struct dirent64 *de = (struct dirent64 *)(void *)(buf + off);
                        if (de->d_reclen == 0 || off + de->d_reclen > n)
                                return -EIO;
                        off += de->d_reclen;
                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        r = child_entry(de->d_name, de->d_type, &w);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                return 0;
                }
        }
}

struct path_cb {
        cgroup_child_cb cb;
        void *userdata;
};

static int path_child(const struct cgroup_child *c, void *userdata)
{
        const struct path_cb *p = userdata;
        return p->cb(c->path, p->userdata);
}

int cgroup_tree_for_each_child(const struct cgroup_layout *l, enum cgroup_tree tree,
                               const char *path, cgroup_child_cb cb, void *userdata)
{
        struct path_cb p = {cb, userdata};
        return tree_for_each_child(l, tree, path, path_child, &p);
}

int cgroup_for_each_child(const struct cgroup_layout *l, const char *path, cgroup_child_cb cb,
                          void *userdata)
{
        return cgroup_tree_for_each_child(l, CGROUP_TREE_MEMORY, path, cb, userdata);
}

int cgroup_for_each_child_at(const struct cgroup_layout *l, const char *path, cgroup_child_at_cb cb,
                             void *userdata)
{
        return tree_for_each_child(l, CGROUP_TREE_MEMORY, path, cb, userdata);
}

/* Opens a child directory of dir_fd; -ENOENT/-ENOTDIR when it is gone or
 * is not a directory (both are skipped by the walk). */
static int open_child_dir(int dir_fd, const char *name, unsigned char d_type)
{
        if (streq(name, ".") || streq(name, "..") || (d_type != DT_DIR && d_type != DT_UNKNOWN))
                return -ENOTDIR;
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* Goes back up one level: the parent of fd, at the directory position
 * where its listing stopped. */
static int climb(int *fd, off_t resume_at)
{
        int parent = openat(*fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0)
                return -errno;
        safe_close(*fd);
        *fd = parent;
        return lseek(parent, resume_at, SEEK_SET) < 0 ? -errno : 0;
}

/* Depth first, holding the directory of the current group only: going down
 * it opens the child and closes the parent; going up it opens ".." (a
 * cgroup can only be renamed within its parent, so ".." is where it was
 * met) and seeks to where the parent's listing stopped. A tenant can nest
 * groups as deep as the kernel lets it: this costs two fds and one cookie
 * per level, never a path. */
int cgroup_tree_for_each_descendant(const struct cgroup_layout *l, enum cgroup_tree tree,
                                    const char *path, cgroup_descendant_cb cb, void *userdata)
{
        char dir[CGROUP_PATH_MAX + 128];
        _cleanup_free_ off_t *resume = NULL;
        size_t depth = 0, cap = 0;
        const char *top = cgroup_tree_dir(l, tree);
        int fd, r;

        if (!top)
                return cgroup_path_valid(path) ? -EOPNOTSUPP : -EINVAL;
        r = cgroup_file_path(dir, sizeof dir, top, path, NULL);
        if (r < 0)
                return r;
        fd = fsroot_openat(l->root, dir, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return fd;
        r = cb(&(struct cgroup_descendant){.dir_fd = fd, .name = "", .depth = 0}, userdata);
        while (r == 0) {
                char buf[4096] __attribute__((aligned(8)));
                ssize_t n = getdents64(fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                if (n == 0) {
                        if (depth == 0)
                                break;
                        depth--;
                        r = climb(&fd, resume[depth]);
                        continue;
                }
                for (ssize_t off = 0; off < n && r == 0;) {
                        struct dirent64 *de = (struct dirent64 *)(void *)(buf + off);
                        if (de->d_reclen == 0 || off + de->d_reclen > n) {
                                r = -EIO;
                                break;
                        }
                        off += de->d_reclen;
                        int child = open_child_dir(fd, de->d_name, de->d_type);
                        if (child == -ENOENT || child == -ENOTDIR)
                                continue;
                        if (child < 0) {
                                r = child;
                                break;
                        }
                        const struct cgroup_descendant d = {
                            .dir_fd = child, .name = de->d_name, .depth = (unsigned)depth + 1};
                        r = cb(&d, userdata);
                        if (r == 0 && depth + 1 > cap) {
                                size_t ncap = cap ? 2 * cap : 16;
                                off_t *p = reallocarray(resume, ncap, sizeof *p);
                                if (!p)
                                        r = -ENOMEM;
                                else {
                                        resume = p;
                                        cap = ncap;
                                }
                        }
                        if (r != 0) {
                                safe_close(child);
                                break;
                        }
                        resume[depth++] = (off_t)de->d_off;
                        safe_close(fd);
                        fd = child;
                        break; /* list the child's directory */
                }
        }
        safe_close(fd);
        return r < 0 ? r : 0;
}

int cgroup_descendant_procs_open(const struct cgroup_descendant *d)
{
        int fd = openat(d->dir_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int first_child(const char *child _unused_, void *userdata)
{
        *(bool *)userdata = true;
        return 1;
}

/* cgroup_child_has_children() of path, which is rel relative to dir_fd. */
static int has_children_at(const struct cgroup_layout *l, int dir_fd, const char *rel,
                           const char *path)
{
        struct stat st;
        bool found = false;
        int r;

        if (fstatat(dir_fd, rel, &st, 0) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        /* A directory's link count is 2 + its subdirectories where the
         * filesystem keeps count; 1 (btrfs, overlayfs) means "unknown". */
        if (st.st_nlink >= 2)
                return st.st_nlink > 2;
        r = cgroup_for_each_child(l, path, first_child, &found);
        if (r < 0)
                return r;
        return found;
}

int cgroup_child_has_children(const struct cgroup_layout *l, const struct cgroup_child *c)
{
        return has_children_at(l, c->dir_fd, c->name, c->path);
}
