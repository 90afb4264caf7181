/* Where a cgroup's files are: the layout of the hierarchies, group paths
 * and what names a group. The layout (cgroup_detect) says where each file
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
#include "observe/cgroup-internal.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "observe/proc.h"

/* A group path is "/" or "/a/b": absolute, without empty, "." or ".."
 * components, so that it can never leave the hierarchy it names. */
bool cgroup_path_valid(const char *path)
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
int cgroup_file_path(char *buf, size_t size, const char *dir, const char *path, const char *file)
{
        int n;

        if (!dir[0])
                return -EOPNOTSUPP;
        if (!cgroup_path_valid(path))
                return -EINVAL;
        if (streq(path, "/"))
                path = "";
        n = file ? snprintf(buf, size, "%s%s/%s", dir, path, file)
                 : snprintf(buf, size, "%s%s", dir, path);
        if (n < 0 || (size_t)n >= size)
                return -ENAMETOOLONG;
        return 0;
}

int cgroup_open_file(const struct cgroup_layout *l, const char *dir, const char *path,
                     const char *file)
{
        char p[CGROUP_PATH_MAX + 128];
        int r = cgroup_file_path(p, sizeof p, dir, path, file);
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

bool cgroup_exists(const struct cgroup_layout *l, const char *dir, const char *path)
{
        char p[CGROUP_PATH_MAX + 128];
        struct stat st;

        if (cgroup_file_path(p, sizeof p, dir, path, NULL) < 0)
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

/* The directory of a tree; NULL when the layout has no such tree. */
const char *cgroup_tree_dir(const struct cgroup_layout *l, enum cgroup_tree tree)
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

int cgroup_pid_group(const struct cgroup_layout *l, pid_t pid, char *ret, size_t size)
{
        char path[PATH_MAX];
        int r = proc_read_cgroup(l->root, pid, l->mode == CGROUP_MODE_V2 ? "" : "memory", path,
                                 sizeof path);

        if (r < 0)
                return r;
        if (!cgroup_path_valid(path))
                return -EINVAL;
        return copy_out(ret, size, path);
}

int cgroup_id(const struct cgroup_layout *l, const char *path, uint64_t *ret)
{
        char p[CGROUP_PATH_MAX + 128];
        int r = cgroup_file_path(p, sizeof p, l->memory_dir, path, NULL);
        if (r < 0)
                return r;
        return fsroot_inode(l->root, p, ret);
}

int cgroup_pressure_path(const struct cgroup_layout *l, const char *path, char *ret, size_t size)
{
        char p[CGROUP_PATH_MAX + 128];
        int r;

        if (!cgroup_path_valid(path))
                return -EINVAL;
        if (streq(path, "/"))
                return copy_out(ret, size, FSROOT_PRESSURE_MEMORY);
        if (!l->has_group_psi || !l->unified_dir[0])
                return -ENODATA;
        r = cgroup_file_path(p, sizeof p, l->unified_dir, path, "memory.pressure");
        if (r < 0)
                return r;
        /* A scope that is not there yet (its slice appears when its
         * service starts) gets the path its file will have, so that its
         * trigger is armed once it appears; a group that is there without
         * the file has none to give. */
        if (faccessat(l->root->dirfd, p, F_OK, 0) < 0 &&
            (errno != ENOENT || cgroup_exists(l, l->memory_dir, path)))
                return errno == ENOENT ? -ENODATA : -errno;
        return copy_out(ret, size, p);
}
