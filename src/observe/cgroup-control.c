/* The act layer's primitives: kill, freeze and thaw a group, and ask
 * whether it is frozen or populated. */
#include "observe/cgroup-internal.h"

#include <fcntl.h>

#include "observe/parse.h"

/* Writes s to the file of the group in hierarchy dir. -EOPNOTSUPP when the
 * file does not exist while the group (in the memory hierarchy) does,
 * -ENOENT when the group is gone. */
static int write_group_file(const struct cgroup_layout *l, const char *dir, const char *path,
                            const char *file, const char *s)
{
        char p[CGROUP_PATH_MAX + 128];
        int r = cgroup_file_path(p, sizeof p, dir, path, file);
        if (r < 0)
                return r;
        r = fsroot_write_str(l->root, p, s);
        if (r == -ENOENT && cgroup_exists(l, l->memory_dir, path))
                return -EOPNOTSUPP;
        return r;
}

int cgroup_kill(const struct cgroup_layout *l, const char *path)
{
        if (!l->unified_dir[0])
                return cgroup_path_valid(path) ? -EOPNOTSUPP : -EINVAL;
        return write_group_file(l, l->unified_dir, path, "cgroup.kill", "1");
}

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

/* In hybrid mode the unified mirror's cgroup.freeze when the mirror exists,
 * else the v1 freezer. */
static struct freeze_targets freeze_targets(const struct cgroup_layout *l, const char *path,
                                            bool for_thaw)
{
        if (l->mode == CGROUP_MODE_V2 || (l->unified_dir[0] && !l->freezer_dir[0]))
                return (struct freeze_targets){.unified = true};
        if (!l->unified_dir[0])
                return (struct freeze_targets){.freezer = l->freezer_dir[0] != 0};

        bool in_unified = cgroup_exists(l, l->unified_dir, path);
        bool in_freezer = cgroup_exists(l, l->freezer_dir, path);
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
        if (!cgroup_path_valid(path))
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
        int r = cgroup_file_path(p, sizeof p, dir, path, file);
        if (r < 0)
                return r;
        ssize_t n = fsroot_read_file(l->root, p, buf, size);
        if (n == -EFBIG)
                return -EINVAL;
        if (n == -ENOENT && cgroup_exists(l, l->memory_dir, path))
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
        if (!cgroup_path_valid(path))
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

/* v1 has no cgroup.events: a group is populated when any group of its
 * subtree lists a task. */
static int populated_cb(const struct cgroup_descendant *d, void *userdata)
{
        _cleanup_close_ int fd = cgroup_descendant_procs_open(d);
        if (fd == -ENOENT)
                return 0; /* removed meanwhile: an empty one */
        int r = fd < 0 ? fd : cgroup_procs_nonempty(fd);
        if (r > 0)
                *(bool *)userdata = true;
        return r;
}

/* v1 has no "populated" covering descendants: look at the group's own
 * cgroup.procs, then at its children's, depth first. */
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

        if (!cgroup_path_valid(path))
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
