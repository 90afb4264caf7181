/* Inside the one cgroup interface (cgroup.h), shared by its files: the
 * layout and group paths (cgroup-layout.c), the kept-file readers
 * (cgroup-read.c), the tree walk (cgroup-walk.c) and the control files
 * (cgroup-control.c). Not for use outside observe/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"
#include "observe/cgroup.h"

/* A group path is "/" or "/a/b": absolute, without empty, "." or ".."
 * components, so that it can never leave the hierarchy it names. */
bool cgroup_path_valid(const char *path);

/* Writes dir + path (+ "/" + file) into buf: "sys/fs/cgroup/memory/a/b/memory.stat". */
int cgroup_file_path(char *buf, size_t size, const char *dir, const char *path, const char *file);

int cgroup_open_file(const struct cgroup_layout *l, const char *dir, const char *path,
                     const char *file);

bool cgroup_exists(const struct cgroup_layout *l, const char *dir, const char *path);

/* The directory of a tree; NULL when the layout has no such tree. */
const char *cgroup_tree_dir(const struct cgroup_layout *l, enum cgroup_tree tree);

/* > 0 when a cgroup.procs fd lists a process. Reads only its beginning. */
int cgroup_procs_nonempty(int fd);
