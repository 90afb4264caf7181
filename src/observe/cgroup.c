/* One interface to cgroups. The layout (cgroup_detect) says where each file
 * lives:
 *
 *   mode     memory_dir             unified_dir             freezer_dir
 *   v2       sys/fs/cgroup          sys/fs/cgroup           ""
 *   hybrid   sys/fs/cgroup/memory   sys/fs/cgroup/unified   sys/fs/cgroup/freezer
 *   v1       sys/fs/cgroup/memory   ""                      sys/fs/cgroup/freezer
 *
 * In hybrid mode the v1 memory hierarchy is the truth for membership and
 * memory; the same-named group of the unified hierarchy (the "mirror", which
 * may not exist) gives PSI, cgroup.kill, cgroup.freeze and cgroup.events.
 * The mirror only holds the tasks that were placed in it: callers that kill
 * or freeze through it re-check membership with cgroup_is_populated(), which
 * looks at the memory hierarchy. */
#include "observe/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "base/util.h"
#include "observe/proc.h"

/* v1 reports "no limit" as PAGE_COUNTER_MAX * PAGE_SIZE (9223372036854771712
 * with 4 KiB pages, other values with other page sizes): anything this large
 * is no limit at all. */
#define V1_UNLIMITED_MIN ((uint64_t)1 << 62)

/* Sized for the largest kept file read every tick: v2 memory.stat is about
 * 3 KiB on current kernels, v1 about 1.5 KiB. */
#define READ_BUF_SIZE 8192

/* A group path is "/" or "/a/b": absolute, without empty, "." or ".."
 * components, so that it can never leave the hierarchy it names. */
static bool group_path_valid(const char *path)
{
        if (path[0] != '/')
                return false;
        if (path[1] == 0)
                return true;
        for (const char *p = path; *p;) {
                const char *c = p + 1, *e = strchrnul(c, '/');
                size_t n = (size_t)(e - c);
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                p = e;
        }
        return true;
}

/* Writes dir + path (+ "/" + file) into buf: "sys/fs/cgroup/memory/a/b/memory.stat". */
static int group_file(char *buf, size_t size, const char *dir, const char *path, const char *file)
{
        int n;

        if (!dir[0])
                return -EOPNOTSUPP;
        if (!group_path_valid(path))
                return -EINVAL;
        if (streq(path, "/"))
                path = "";
        n = file ? snprintf(buf, size, "%s%s/%s", dir, path, file)
                 : snprintf(buf, size, "%s%s", dir, path);
        if (n < 0 || (size_t)n >= size)
                return -ENAMETOOLONG;
        return 0;
}

static int open_group_file(const struct cgroup_layout *l, const char *dir, const char *path,
                           const char *file)
{
        char p[CGROUP_PATH_MAX + 128];
        int r = group_file(p, sizeof p, dir, path, file);
        if (r < 0)
                return r;
        return fsroot_openat(l->root, p, O_RDONLY);
}

/* ret[size] is written only when s fits. */
static int copy_out(char *ret, size_t size, const char *s)
{
        if (strlen(s) >= size)
                return -ENAMETOOLONG;
        strcpy(ret, s);
        return 0;
}

static bool group_exists(const struct cgroup_layout *l, const char *dir, const char *path)
{
        char p[CGROUP_PATH_MAX + 128];
        struct stat st;

        if (group_file(p, sizeof p, dir, path, NULL) < 0)
                return false;
        return fstatat(l->root->dirfd, p, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

static bool file_exists(const struct fsroot *root, const char *path)
{
        return faccessat(root->dirfd, path, F_OK, 0) == 0;
}

static bool controllers_list_memory(const struct fsroot *root, const char *path)
{
        char buf[512];

        if (fsroot_read_file(root, path, buf, sizeof buf) < 0)
                return false;
        for (char *save = NULL, *w = strtok_r(buf, " \t\n", &save); w;
             w = strtok_r(NULL, " \t\n", &save))
                if (streq(w, "memory"))
                        return true;
        return false;
}

int cgroup_detect(const struct fsroot *root, enum cgroup_mode mode, struct cgroup_layout *ret)
{
        bool v2 = controllers_list_memory(root, FSROOT_CGROUP "/cgroup.controllers");
        bool v1_memory = file_exists(root, FSROOT_CGROUP "/memory/memory.stat");
        bool unified = file_exists(root, FSROOT_CGROUP "/unified/cgroup.controllers");
        struct cgroup_layout l = {.root = root};

        if (mode == CGROUP_MODE_AUTO)
                mode = v2                     ? CGROUP_MODE_V2
                       : v1_memory && unified ? CGROUP_MODE_HYBRID
                       : v1_memory            ? CGROUP_MODE_V1
                                              : CGROUP_MODE_AUTO;
        switch (mode) {
        case CGROUP_MODE_V2:
                if (!v2)
                        return -EOPNOTSUPP;
                strcpy(l.memory_dir, FSROOT_CGROUP);
                strcpy(l.unified_dir, FSROOT_CGROUP);
                l.has_group_psi = true;
                break;
        case CGROUP_MODE_HYBRID:
                if (!v1_memory || !unified)
                        return -EOPNOTSUPP;
                strcpy(l.memory_dir, FSROOT_CGROUP "/memory");
                strcpy(l.unified_dir, FSROOT_CGROUP "/unified");
                l.has_group_psi = true;
                break;
        case CGROUP_MODE_V1:
                if (!v1_memory)
                        return -EOPNOTSUPP;
                strcpy(l.memory_dir, FSROOT_CGROUP "/memory");
                break;
        case CGROUP_MODE_AUTO:
        default:
                return -EOPNOTSUPP;
        }
        if (mode != CGROUP_MODE_V2 && file_exists(root, FSROOT_CGROUP "/freezer/cgroup.procs"))
                strcpy(l.freezer_dir, FSROOT_CGROUP "/freezer");
        l.mode = mode;
        *ret = l;
        return 0;
}

void cgroup_files_init(struct cgroup_files *f)
{
        *f = (struct cgroup_files){
            .memory_stat = -EBADF,
            .memory_current = -EBADF,
            .memory_max = -EBADF,
            .memory_high = -EBADF,
            .memory_events = -EBADF,
            .oom_control = -EBADF,
            .pressure = -EBADF,
            .cgroup_events = -EBADF,
            .procs = -EBADF,
            .freezer_state = -EBADF,
        };
}

void cgroup_files_close(struct cgroup_files *f)
{
        if (!f)
                return;
        safe_close(f->memory_stat);
        safe_close(f->memory_current);
        safe_close(f->memory_max);
        safe_close(f->memory_high);
        safe_close(f->memory_events);
        safe_close(f->oom_control);
        safe_close(f->pressure);
        safe_close(f->cgroup_events);
        safe_close(f->procs);
        safe_close(f->freezer_state);
        cgroup_files_init(f);
}

unsigned cgroup_files_count(const struct cgroup_files *f)
{
        const int fds[] = {f->memory_stat,   f->memory_current, f->memory_max, f->memory_high,
                           f->memory_events, f->oom_control,    f->pressure,   f->cgroup_events,
                           f->procs,         f->freezer_state};
        unsigned n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
                n += fds[i] >= 0;
        return n;
}

/* A file that some kernels or layouts lack: absent is -EBADF, not an error. */
static int open_optional(const struct cgroup_layout *l, const char *dir, const char *path,
                         const char *file, int *ret_fd)
{
        int fd = open_group_file(l, dir, path, file);
        if (fd == -ENOENT || fd == -EOPNOTSUPP)
                fd = -EBADF;
        else if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}

int cgroup_files_open(const struct cgroup_layout *l, const char *path, struct cgroup_files *ret)
{
        struct cgroup_files f;
        bool v2 = l->mode == CGROUP_MODE_V2;
        const char *m = l->memory_dir;
        int r;

        cgroup_files_init(&f);

        /* cgroup.procs first: when it is missing, the group is. */
        r = f.procs = open_group_file(l, m, path, "cgroup.procs");
        if (r < 0)
                goto fail;
        r = f.memory_stat = open_group_file(l, m, path, "memory.stat");
        if (r < 0)
                goto fail;
        r = f.memory_current =
            open_group_file(l, m, path, v2 ? "memory.current" : "memory.usage_in_bytes");
        if (r < 0)
                goto fail;
        r = f.memory_max = open_group_file(l, m, path, v2 ? "memory.max" : "memory.limit_in_bytes");
        if (r < 0)
                goto fail;
        if (v2) {
                r = open_optional(l, m, path, "memory.high", &f.memory_high);
                if (r >= 0)
                        r = open_optional(l, m, path, "memory.events", &f.memory_events);
        } else {
                r = open_optional(l, m, path, "memory.failcnt", &f.memory_events);
                if (r >= 0)
                        r = open_optional(l, m, path, "memory.oom_control", &f.oom_control);
        }
        if (r < 0)
                goto fail;
        if (l->unified_dir[0]) {
                /* In hybrid mode the mirror may not exist: no PSI, no events. */
                r = open_optional(l, l->unified_dir, path, "memory.pressure", &f.pressure);
                if (r >= 0)
                        r = open_optional(l, l->unified_dir, path, "cgroup.events",
                                          &f.cgroup_events);
                if (r < 0)
                        goto fail;
        }
        if (f.cgroup_events < 0 && l->freezer_dir[0]) {
                r = open_optional(l, l->freezer_dir, path, "freezer.state", &f.freezer_state);
                if (r < 0)
                        goto fail;
        }
        *ret = f;
        return 0;
fail:
        cgroup_files_close(&f);
        return r;
}

/* A limit (memory.max, memory.high: "max" is unlimited) or, with !limit, a
 * usage (memory.current, where "max" is malformed). */
static int read_bytes(const struct cgroup_layout *l, int fd, bool limit, uint64_t *ret)
{
        uint64_t v;
        int r = limit ? fd_read_u64(fd, &v) : fd_read_count(fd, &v);
        if (r < 0)
                return r;
        if (l->mode != CGROUP_MODE_V2 && v >= V1_UNLIMITED_MIN)
                v = BYTES_UNLIMITED;
        *ret = v;
        return 0;
}

/* pread of a kept file into buf; a file too large for buf is malformed. */
static int read_kept(int fd, char *buf, size_t size)
{
        ssize_t n = fd_pread_all(fd, buf, size);
        if (n == -EFBIG)
                return -EINVAL;
        return n < 0 ? (int)n : 0;
}

/* > 0 when a cgroup.procs fd lists a process. Reads only its beginning. */
static int procs_nonempty(int fd)
{
        char c[8];
        ssize_t n = pread(fd, c, sizeof c, 0);
        if (n < 0)
                return -errno;
        return n > 0;
}

/* Every kept file of a group but the two that cgroup_read_brief() reads,
 * into s (whose usage_bytes, psi and has_psi are left as they are). */
static int read_rest(const struct cgroup_layout *l, const struct cgroup_files *f,
                     struct cgroup_sample *s)
{
        bool v2 = l->mode == CGROUP_MODE_V2;
        char buf[READ_BUF_SIZE];
        int r;

        r = read_bytes(l, f->memory_max, true, &s->limit_bytes);
        if (r < 0)
                return r;
        if (f->memory_high >= 0) {
                r = read_bytes(l, f->memory_high, true, &s->high_bytes);
                if (r < 0)
                        return r;
        }

        r = read_kept(f->memory_stat, buf, sizeof buf);
        if (r < 0)
                return r;
        r = v2 ? memstat_parse_v2(buf, &s->stat) : memstat_parse_v1(buf, &s->stat);
        if (r < 0)
                return -EINVAL;

        if (v2 && f->memory_events >= 0) {
                r = read_kept(f->memory_events, buf, sizeof buf);
                if (r < 0)
                        return r;
                if (memevents_parse_v2(buf, &s->events) < 0)
                        return -EINVAL;
        } else if (!v2) {
                /* v1: failcnt counts charges that hit the limit (the "max"
                 * event); oom_control has the oom_kill counter and, for
                 * "oom", only the under_oom state (0 or 1). */
                if (f->memory_events >= 0) {
                        r = fd_read_count(f->memory_events, &s->events.max);
                        if (r < 0)
                                return r;
                }
                if (f->oom_control >= 0) {
                        struct oom_control oc;
                        r = read_kept(f->oom_control, buf, sizeof buf);
                        if (r < 0)
                                return r;
                        if (oom_control_parse(buf, &oc) < 0)
                                return -EINVAL;
                        s->events.oom = oc.under_oom;
                        s->events.oom_kill = oc.oom_kill;
                }
        }

        if (f->cgroup_events >= 0) {
                struct cgroup_events ev;
                r = read_kept(f->cgroup_events, buf, sizeof buf);
                if (r < 0)
                        return r;
                if (cgroup_events_parse(buf, &ev) < 0)
                        return -EINVAL;
                s->populated = ev.populated;
                s->frozen = ev.frozen;
        } else if (f->freezer_state >= 0) {
                r = read_kept(f->freezer_state, buf, sizeof buf);
                if (r < 0)
                        return r;
                s->frozen = startswith(buf, "FROZEN");
        }
        /* Outside pure v2 the memory hierarchy decides membership: the
         * mirror's events only see the tasks that were put into it. */
        if (!v2 && !s->populated) {
                r = procs_nonempty(f->procs);
                if (r < 0)
                        return r;
                s->populated = r > 0;
        }
        return 0;
}

int cgroup_read(const struct cgroup_layout *l, const struct cgroup_files *f,
                struct cgroup_sample *ret)
{
        struct cgroup_sample s = {0};
        int r;

        r = cgroup_read_brief(l, f, &s);
        if (r < 0)
                return r;
        return cgroup_read_rest(l, f, &s, ret);
}

int cgroup_read_brief(const struct cgroup_layout *l, const struct cgroup_files *f,
                      struct cgroup_sample *ret)
{
        uint64_t usage;
        struct psi psi = {0};
        char buf[512];
        int r;

        r = read_bytes(l, f->memory_current, false, &usage);
        if (r < 0)
                return r;
        if (f->pressure >= 0) {
                r = read_kept(f->pressure, buf, sizeof buf);
                if (r < 0)
                        return r;
                if (psi_parse(buf, &psi) < 0)
                        return -EINVAL;
        }
        ret->usage_bytes = usage;
        ret->psi = psi;
        ret->has_psi = f->pressure >= 0;
        return 0;
}

int cgroup_read_rest(const struct cgroup_layout *l, const struct cgroup_files *f,
                     const struct cgroup_sample *brief, struct cgroup_sample *ret)
{
        struct cgroup_sample s = {
            .usage_bytes = brief->usage_bytes,
            .high_bytes = BYTES_UNLIMITED,
            .psi = brief->psi,
            .has_psi = brief->has_psi,
        };
        int r = read_rest(l, f, &s);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

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

/* The directory of a tree; NULL when the layout has no such tree. */
static const char *tree_dir(const struct cgroup_layout *l, enum cgroup_tree tree)
{
        switch (tree) {
        case CGROUP_TREE_MEMORY:
                return l->memory_dir;
        case CGROUP_TREE_MIRROR:
                return l->unified_dir[0] && !streq(l->unified_dir, l->memory_dir) ? l->unified_dir
                                                                                  : NULL;
        default:
                return NULL;
        }
}

/* getdents64 into a stack buffer rather than fsroot_for_each_entry():
 * the walk lists every intermediate group on every tick, and opendir()
 * allocates. */
static int tree_for_each_child(const struct cgroup_layout *l, enum cgroup_tree tree,
                               const char *path, cgroup_child_at_cb cb, void *userdata)
{
        char dir[CGROUP_PATH_MAX + 128];
        _cleanup_close_ int fd = -EBADF;
        const char *top = tree_dir(l, tree);
        if (!top)
                return group_path_valid(path) ? -EOPNOTSUPP : -EINVAL;
        int r = group_file(dir, sizeof dir, top, path, NULL);
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

/* ---- a whole subtree ---- */

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
        const char *top = tree_dir(l, tree);
        int fd, r;

        if (!top)
                return group_path_valid(path) ? -EOPNOTSUPP : -EINVAL;
        r = group_file(dir, sizeof dir, top, path, NULL);
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

int cgroup_procs_open(const struct cgroup_layout *l, const char *path)
{
        return cgroup_tree_procs_open(l, CGROUP_TREE_MEMORY, path);
}

int cgroup_tree_procs_open(const struct cgroup_layout *l, enum cgroup_tree tree, const char *path)
{
        const char *top = tree_dir(l, tree);
        if (!top)
                return group_path_valid(path) ? -EOPNOTSUPP : -EINVAL;
        return open_group_file(l, top, path, "cgroup.procs");
}

int cgroup_pid_group(const struct cgroup_layout *l, pid_t pid, char *ret, size_t size)
{
        char path[PATH_MAX];
        int r = proc_read_cgroup(l->root, pid, l->mode == CGROUP_MODE_V2 ? "" : "memory", path,
                                 sizeof path);

        if (r < 0)
                return r;
        if (!group_path_valid(path))
                return -EINVAL;
        return copy_out(ret, size, path);
}

int cgroup_read_pids(int procs_fd, pid_t *pids, size_t cap)
{
        /* cgroup.procs may hold thousands of pids: read it in chunks and
         * carry a number cut at a chunk's end over to the next. */
        char buf[4096];
        off_t off = 0;
        size_t count = 0;
        uint64_t cur = 0;
        bool in_number = false;

        for (;;) {
                ssize_t n = pread(procs_fd, buf, sizeof buf, off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                /* A short read is not the end: cgroup.procs is a seq_file
                 * that returns about one page per read, and only a read
                 * of 0 bytes says that nothing follows. */
                off += n;
                for (ssize_t i = 0; i < n; i++) {
                        char c = buf[i];
                        if (c >= '0' && c <= '9') {
                                cur = cur * 10 + (uint64_t)(c - '0');
                                if (cur > INT32_MAX)
                                        return -EINVAL;
                                in_number = true;
                        } else if (c == '\n') {
                                if (!in_number)
                                        return -EINVAL;
                                /* 0 stands for a task outside our pid namespace:
                                 * nothing we could signal, so not counted. */
                                if (cur == 0) {
                                        in_number = false;
                                        continue;
                                }
                                if (count < cap)
                                        pids[count] = (pid_t)cur;
                                if (count == INT32_MAX)
                                        return -EINVAL;
                                count++;
                                cur = 0;
                                in_number = false;
                        } else
                                return -EINVAL;
                }
        }
        if (in_number && cur != 0) { /* no final newline */
                if (count < cap)
                        pids[count] = (pid_t)cur;
                count++;
        }
        return (int)count;
}

int cgroup_id(const struct cgroup_layout *l, const char *path, uint64_t *ret)
{
        char p[CGROUP_PATH_MAX + 128];
        int r = group_file(p, sizeof p, l->memory_dir, path, NULL);
        if (r < 0)
                return r;
        return fsroot_inode(l->root, p, ret);
}

/* Writes s to the file of the group in hierarchy dir. -EOPNOTSUPP when the
 * file does not exist while the group (in the memory hierarchy) does,
 * -ENOENT when the group is gone. */
static int write_group_file(const struct cgroup_layout *l, const char *dir, const char *path,
                            const char *file, const char *s)
{
        char p[CGROUP_PATH_MAX + 128];
        int r = group_file(p, sizeof p, dir, path, file);
        if (r < 0)
                return r;
        r = fsroot_write_str(l->root, p, s);
        if (r == -ENOENT && group_exists(l, l->memory_dir, path))
                return -EOPNOTSUPP;
        return r;
}

int cgroup_kill(const struct cgroup_layout *l, const char *path)
{
        if (!l->unified_dir[0])
                return group_path_valid(path) ? -EOPNOTSUPP : -EINVAL;
        return write_group_file(l, l->unified_dir, path, "cgroup.kill", "1");
}

/* In hybrid mode the unified mirror's cgroup.freeze when the mirror exists,
 * else the v1 freezer. */
/* Where a group can be frozen. In v2 it is cgroup.freeze; in v1 the freezer
 * hierarchy. In hybrid mode both exist, and they must not be mixed: a task
 * parked by the v2 freezer never enters the v1 refrigerator, so the v1 group
 * would stay FREEZING for ever. A freeze therefore goes through the unified
 * mirror when it holds the group's tasks (systemd's mirror does), else
 * through the v1 freezer group (Docker's cgroupfs driver creates only v1
 * groups). A thaw goes through both, so nothing is ever left frozen. */
struct freeze_targets {
        bool unified, freezer;
};

static int unified_populated(const struct cgroup_layout *l, const char *path);

static struct freeze_targets freeze_targets(const struct cgroup_layout *l, const char *path,
                                            bool for_thaw)
{
        if (l->mode == CGROUP_MODE_V2 || (l->unified_dir[0] && !l->freezer_dir[0]))
                return (struct freeze_targets){.unified = true};
        if (!l->unified_dir[0])
                return (struct freeze_targets){.freezer = l->freezer_dir[0] != 0};

        bool in_unified = group_exists(l, l->unified_dir, path);
        bool in_freezer = group_exists(l, l->freezer_dir, path);
        if (for_thaw)
                return (struct freeze_targets){.unified = in_unified,
                                               .freezer = in_freezer || !in_unified};
        if (in_unified && (!in_freezer || unified_populated(l, path) > 0))
                return (struct freeze_targets){.unified = true};
        /* Not in the mirror: the v1 write reports a missing group. */
        return (struct freeze_targets){.freezer = true};
}

int cgroup_set_frozen(const struct cgroup_layout *l, const char *path, bool frozen)
{
        if (!group_path_valid(path))
                return -EINVAL;
        struct freeze_targets t = freeze_targets(l, path, !frozen);
        if (!t.unified && !t.freezer)
                return -EOPNOTSUPP;

        /* Both writes of a thaw are attempted even when one fails, so that a
         * thaw is never left half done. */
        int r = 0, k;
        if (t.freezer) {
                k = write_group_file(l, l->freezer_dir, path, "freezer.state",
                                     frozen ? "FROZEN" : "THAWED");
                if (k < 0)
                        r = k;
        }
        if (t.unified) {
                k = write_group_file(l, l->unified_dir, path, "cgroup.freeze", frozen ? "1" : "0");
                if (k < 0 && r == 0)
                        r = k;
        }
        return r;
}

static int read_group_file(const struct cgroup_layout *l, const char *dir, const char *path,
                           const char *file, char *buf, size_t size)
{
        char p[CGROUP_PATH_MAX + 128];
        int r = group_file(p, sizeof p, dir, path, file);
        if (r < 0)
                return r;
        ssize_t n = fsroot_read_file(l->root, p, buf, size);
        if (n == -EFBIG)
                return -EINVAL;
        if (n == -ENOENT && group_exists(l, l->memory_dir, path))
                return -EOPNOTSUPP;
        return n < 0 ? (int)n : 0;
}

static int read_unified_events(const struct cgroup_layout *l, const char *path,
                               struct cgroup_events *ret)
{
        char buf[256];
        int r = read_group_file(l, l->unified_dir, path, "cgroup.events", buf, sizeof buf);
        if (r < 0)
                return r;
        return cgroup_events_parse(buf, ret) < 0 ? -EINVAL : 0;
}

static int unified_is_frozen(const struct cgroup_layout *l, const char *path)
{
        struct cgroup_events ev;
        int r = read_unified_events(l, path, &ev);
        return r < 0 ? r : ev.frozen;
}

static int freezer_is_frozen(const struct cgroup_layout *l, const char *path)
{
        char buf[256];
        int r = read_group_file(l, l->freezer_dir, path, "freezer.state", buf, sizeof buf);
        if (r < 0)
                return r;
        if (startswith(buf, "FROZEN"))
                return 1;
        if (startswith(buf, "FREEZING") || startswith(buf, "THAWED"))
                return 0;
        return -EINVAL;
}

/* Asks the hierarchy a freeze would have gone through. */
int cgroup_is_frozen(const struct cgroup_layout *l, const char *path)
{
        if (!group_path_valid(path))
                return -EINVAL;
        struct freeze_targets t = freeze_targets(l, path, false);
        if (t.unified)
                return unified_is_frozen(l, path);
        if (t.freezer)
                return freezer_is_frozen(l, path);
        return -EOPNOTSUPP;
}

static int unified_populated(const struct cgroup_layout *l, const char *path)
{
        struct cgroup_events ev;
        int r = read_unified_events(l, path, &ev);
        return r < 0 ? r : ev.populated;
}

/* v1 has no "populated" covering descendants: look at the group's own
 * cgroup.procs, then at its children's, depth first. */
/* v1 has no cgroup.events: a group is populated when any group of its
 * subtree lists a task. */
static int populated_cb(const struct cgroup_descendant *d, void *userdata)
{
        _cleanup_close_ int fd = cgroup_descendant_procs_open(d);
        if (fd == -ENOENT)
                return 0; /* removed meanwhile: an empty one */
        int r = fd < 0 ? fd : procs_nonempty(fd);
        if (r > 0)
                *(bool *)userdata = true;
        return r;
}

static int populated_v1(const struct cgroup_layout *l, const char *path)
{
        bool found = false;
        int r = cgroup_tree_for_each_descendant(l, CGROUP_TREE_MEMORY, path, populated_cb, &found);
        return r < 0 ? r : found;
}

int cgroup_is_populated(const struct cgroup_layout *l, const char *path)
{
        char buf[256];
        int r;

        if (!group_path_valid(path))
                return -EINVAL;
        if (l->mode == CGROUP_MODE_V2) {
                struct cgroup_events ev;
                r = read_group_file(l, l->unified_dir, path, "cgroup.events", buf, sizeof buf);
                if (r < 0)
                        return r == -EOPNOTSUPP ? -ENOENT : r;
                if (cgroup_events_parse(buf, &ev) < 0)
                        return -EINVAL;
                return ev.populated;
        }
        return populated_v1(l, path);
}

int cgroup_pressure_path(const struct cgroup_layout *l, const char *path, char *ret, size_t size)
{
        char p[CGROUP_PATH_MAX + 128];
        int r;

        if (!group_path_valid(path))
                return -EINVAL;
        if (streq(path, "/"))
                return copy_out(ret, size, FSROOT_PRESSURE_MEMORY);
        if (!l->has_group_psi || !l->unified_dir[0])
                return -ENODATA;
        r = group_file(p, sizeof p, l->unified_dir, path, "memory.pressure");
        if (r < 0)
                return r;
        if (faccessat(l->root->dirfd, p, F_OK, 0) < 0)
                return errno == ENOENT ? -ENODATA : -errno;
        return copy_out(ret, size, p);
}
