/* The one reader of a task's /proc/PID files, for the observer and for the
 * act layer's re-validation: its comm, its oom_score_adj and its group.
 * Each returns 0 or a negative errno: -ENOENT/-ESRCH when the task is gone,
 * -EINVAL when the file is malformed. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "observe/fsroot.h"

/* comm as the kernel has it: the file less its one trailing newline, at
 * most 15 bytes (TASK_COMM_LEN - 1); a comm may hold any byte but NUL, even
 * a newline (prctl PR_SET_NAME), and is never cut there. "" for a task
 * that named itself ""; -ENODATA for an empty file. */
int proc_read_comm(const struct fsroot *root, pid_t pid, char ret[static 16]);

/* /proc/PID/oom_score_adj, -1000..1000. */
int proc_read_oom_score_adj(const struct fsroot *root, pid_t pid, int *ret);

/* The path of the task's group in one hierarchy, from /proc/PID/cgroup
 * (proc_cgroup_parse: controller "" is the v2 "0::" line). -EINVAL for a
 * pid <= 0 or a malformed file, -ENODATA when the hierarchy is absent,
 * -ENAMETOOLONG when the path does not fit ret[size]. */
int proc_read_cgroup(const struct fsroot *root, pid_t pid, const char *controller, char *ret,
                     size_t size);
