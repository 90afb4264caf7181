#include "observe/proc.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "observe/parse.h"

/* Reads /proc/PID/NAME into buf. */
static ssize_t read_pid_file(const struct fsroot *root, pid_t pid, const char *name, char *buf,
                             size_t size)
{
        char p[64];

        snprintf(p, sizeof p, "%s/%d/%s", FSROOT_PROC, (int)pid, name);
        return fsroot_read_file(root, p, buf, size);
}

int proc_read_comm(const struct fsroot *root, pid_t pid, char ret[static 16])
{
        char buf[64];
        ssize_t n = read_pid_file(root, pid, "comm", buf, sizeof buf);

        if (n < 0)
                return (int)n;
        if (n == 0)
                return -ENODATA;
        if (buf[n - 1] == '\n')
                buf[n - 1] = 0;
        buf[15] = 0;
        strcpy(ret, buf);
        return 0;
}

int proc_read_oom_score_adj(const struct fsroot *root, pid_t pid, int *ret)
{
        char buf[64];
        ssize_t n = read_pid_file(root, pid, "oom_score_adj", buf, sizeof buf);

        if (n < 0)
                return (int)n;
        return oom_score_adj_parse(buf, ret);
}

int proc_read_cgroup(const struct fsroot *root, pid_t pid, const char *controller, char *ret,
                     size_t size)
{
        char buf[8192];
        ssize_t n;

        if (pid <= 0)
                return -EINVAL;
        n = read_pid_file(root, pid, "cgroup", buf, sizeof buf);
        if (n == -EFBIG)
                return -EINVAL;
        if (n < 0)
                return (int)n;
        return proc_cgroup_parse(buf, controller, ret, size);
}
