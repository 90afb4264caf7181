/* One interface to cgroups, whatever the layout: pure v2, hybrid (v1
 * controllers + a v2 "unified" hierarchy for PSI, kill and freeze) and v1.
 * Callers name a group by its path relative to the cgroup root ("/a/b");
 * this module knows in which hierarchy each file lives. Callers never branch
 * on the version. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "observe/fsroot.h"
#include "observe/parse.h"
#include "observe/readings.h"

struct cgroup_layout {
        const struct fsroot *root;
        enum cgroup_mode mode; /* never AUTO once detected */
        char memory_dir[64];   /* where memory files live, relative to root */
        char unified_dir[64];  /* v2 tree (PSI, cgroup.kill/freeze), "" in v1 */
        char freezer_dir[64];  /* v1 freezer tree, "" in v2 */
        bool has_group_psi;    /* false in v1: no per-group pressure */
};

/* Detects the layout from the files under root alone (so fixtures work);
 * a mode other than AUTO is taken as given and only checked. */
int cgroup_detect(const struct fsroot *root, enum cgroup_mode mode, struct cgroup_layout *ret);

/* Files of one group kept open between ticks and re-read with pread.
 * Closed fds hold -EBADF. */
struct cgroup_files {
        int memory_stat;
        int memory_current; /* v2 memory.current / v1 memory.usage_in_bytes */
        int memory_max;     /* v2 memory.max / v1 memory.limit_in_bytes */
        int memory_high;    /* v2 only */
        int memory_events;  /* v2 memory.events / v1 memory.failcnt */
        int oom_control;    /* v1 memory.oom_control */
        int pressure;       /* memory.pressure (v2 or the unified mirror) */
        int cgroup_events;  /* v2/unified cgroup.events */
        int procs;          /* cgroup.procs of the memory hierarchy */
        int freezer_state;  /* v1 freezer.state, when there is no cgroup.events */
};

void cgroup_files_init(struct cgroup_files *f);
int cgroup_files_open(const struct cgroup_layout *l, const char *path, struct cgroup_files *ret);
void cgroup_files_close(struct cgroup_files *f);
/* How many of f's files are open. */
unsigned cgroup_files_count(const struct cgroup_files *f);

/* Reads every kept file of a group. -ENOENT/-ENODEV when the group is gone
 * (an everyday event), -EINVAL when a file is malformed (skip the group). */
int cgroup_read(const struct cgroup_layout *l, const struct cgroup_files *f,
                struct cgroup_sample *ret);

/* The per-tick part of a reading: updates only ret's usage_bytes, psi and
 * has_psi (two preads), or with !with_psi its usage_bytes alone (one: the
 * caller knows that no stall was added since ret's psi was read). Callers
 * read the rest (cgroup_read_rest) when these show activity. Errors as
 * cgroup_read; ret untouched on failure. */
int cgroup_read_brief(const struct cgroup_layout *l, const struct cgroup_files *f, bool with_psi,
                      struct cgroup_sample *ret);

/* Completes a brief reading taken on the same tick: a whole reading, as
 * cgroup_read, whose usage and PSI are brief's (memory.pressure, the
 * costliest file after memory.stat, is not read twice). Errors as
 * cgroup_read; ret untouched on failure. */
int cgroup_read_rest(const struct cgroup_layout *l, const struct cgroup_files *f,
                     const struct cgroup_sample *brief, struct cgroup_sample *ret);

/* Calls cb for each direct child group of path (its relative path). A child
 * whose path would not fit CGROUP_PATH_MAX is left out, and the call then
 * returns -ENAMETOOLONG once it has listed all the others. */
typedef int (*cgroup_child_cb)(const char *child_path, void *userdata);
int cgroup_for_each_child(const struct cgroup_layout *l, const char *path, cgroup_child_cb cb,
                          void *userdata);

/* A child group as cgroup_for_each_child_at() meets it: its path, and its
 * name in its parent's directory, open as dir_fd while the callback runs. */
struct cgroup_child {
        const char *path;
        const char *name;
        int dir_fd;
};

/* As cgroup_for_each_child; the callback may ask about the child with
 * cgroup_child_has_children(): > 0 when it has child groups, 0 when it is a
 * leaf, < 0 error (-ENOENT: gone). One stat relative to its parent where
 * the filesystem counts subdirectories in st_nlink (cgroupfs, kernfs, ext4,
 * tmpfs). */
typedef int (*cgroup_child_at_cb)(const struct cgroup_child *child, void *userdata);
int cgroup_for_each_child_at(const struct cgroup_layout *l, const char *path, cgroup_child_at_cb cb,
                             void *userdata);
int cgroup_child_has_children(const struct cgroup_layout *l, const struct cgroup_child *child);

/* Opens only the memory hierarchy's cgroup.procs of a group: enough to
 * watch whether a group not (yet) a candidate holds processes, at one fd. */
int cgroup_procs_open(const struct cgroup_layout *l, const char *path);

/* Where a group's tasks are listed. The memory hierarchy is the truth for
 * membership in every layout. In hybrid mode the same-named group of the
 * unified hierarchy, the mirror, is what cgroup.kill and a freeze through
 * the mirror act on; it holds only the tasks placed in it, which need not
 * be the memory group's. */
enum cgroup_tree {
        CGROUP_TREE_MEMORY,
        CGROUP_TREE_MIRROR, /* -EOPNOTSUPP where there is no separate mirror (v2, v1) */
};

/* cgroup.procs of a group in one tree, and its children there (as
 * cgroup_procs_open and cgroup_for_each_child, which use the memory tree). */
int cgroup_tree_procs_open(const struct cgroup_layout *l, enum cgroup_tree tree, const char *path);
int cgroup_tree_for_each_child(const struct cgroup_layout *l, enum cgroup_tree tree,
                               const char *path, cgroup_child_cb cb, void *userdata);

/* A group of a subtree as cgroup_tree_for_each_descendant() meets it: its
 * directory, open while the callback runs, its name in its parent ("" for
 * the top group) and its depth below the top (0 for the top). */
struct cgroup_descendant {
        int dir_fd;
        const char *name;
        unsigned depth;
};

/* Calls cb for the group path of one tree and for every group below it, at
 * any depth, each parent before its children. Whatever the depth, it holds
 * two directory fds at most and names no path longer than path itself, so
 * that nothing a tenant nests below its own group can hide from it. Groups
 * removed during the walk are skipped. cb returns < 0 to stop with that
 * error, > 0 to stop early (the walk then returns 0), 0 to go on. */
typedef int (*cgroup_descendant_cb)(const struct cgroup_descendant *d, void *userdata);
int cgroup_tree_for_each_descendant(const struct cgroup_layout *l, enum cgroup_tree tree,
                                    const char *path, cgroup_descendant_cb cb, void *userdata);
/* cgroup.procs of a group met by the walk. */
int cgroup_descendant_procs_open(const struct cgroup_descendant *d);

/* Reads the pids of a group (memory hierarchy's cgroup.procs) into
 * pids[cap]; returns how many were found (may exceed cap: only cap
 * stored). Reads until end of file: a seq_file returns short reads. */
int cgroup_read_pids(int procs_fd, pid_t *pids, size_t cap);

/* The group of a task in the memory hierarchy, from /proc/PID/cgroup (the
 * "memory" controller's line in v1 and hybrid, the "0::" line in v2), into
 * ret[size], read by proc_read_cgroup. -ENOENT/-ESRCH when the task is
 * gone, -ENODATA when no line names the memory hierarchy, -EINVAL when any
 * line is malformed, the hierarchy is named twice or the path is no valid
 * group path. */
int cgroup_pid_group(const struct cgroup_layout *l, pid_t pid, char *ret, size_t size);

/* Identity of a group: the inode of its directory in the memory hierarchy. */
int cgroup_id(const struct cgroup_layout *l, const char *path, uint64_t *ret);

/* Actions' primitives. -EOPNOTSUPP where the layout has no such file. */
int cgroup_kill(const struct cgroup_layout *l, const char *path); /* cgroup.kill */
int cgroup_set_frozen(const struct cgroup_layout *l, const char *path, bool frozen);
/* > 0 frozen, 0 not (yet) frozen, < 0 error. */
int cgroup_is_frozen(const struct cgroup_layout *l, const char *path);
/* > 0 populated, 0 empty, < 0 error (-ENOENT: gone). */
int cgroup_is_populated(const struct cgroup_layout *l, const char *path);

/* The pressure file of the scope "/" is /proc/pressure/memory, of any other
 * group its memory.pressure, also while the group does not exist yet;
 * -ENODATA in v1 and for a group without one. Writes the path relative to
 * the root. Used for PSI triggers. */
int cgroup_pressure_path(const struct cgroup_layout *l, const char *path, char *ret, size_t size);
