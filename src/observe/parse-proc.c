/* A task's files: /proc/PID/cgroup and /proc/PID/oom_score_adj. */
#include "observe/parse-internal.h"

#include <limits.h>
#include <string.h>

/* Whether the comma-separated list [s, end) holds name as a whole element. */
static bool list_contains(const char *s, const char *end, const char *name)
{
        size_t n = strlen(name);

        while (s <= end) {
                const char *comma = memchr(s, ',', (size_t)(end - s));
                const char *e = comma ? comma : end;

                if ((size_t)(e - s) == n && memcmp(s, name, n) == 0)
                        return true;
                s = e + 1;
        }
        return false;
}

int proc_cgroup_parse(const char *buf, const char *controller, char *ret_path, size_t size)
{
        const char *found = NULL, *found_end = NULL;
        const char *p = buf;

        if (!buf || !controller || !ret_path)
                return -EINVAL;
        while (*p) {
                const char *ctl, *ctl_end, *path, *eol;
                uint64_t id;
                bool match;
                int r;

                if (*p == '\n') {
                        p++;
                        continue;
                }
                /* "ID:CONTROLLERS:PATH"; the path is the rest of the line and may
                 * itself hold ':'. */
                r = decimal_parse_u64_prefix(p, &ctl, &id);
                if (r < 0 || *ctl != ':')
                        return -EINVAL;
                ctl++;
                for (ctl_end = ctl; !is_eol(*ctl_end) && *ctl_end != ':'; ctl_end++)
                        ;
                if (*ctl_end != ':')
                        return -EINVAL;
                path = ctl_end + 1;
                eol = skip_to_eol(path);
                if (*path != '/')
                        return -EINVAL;

                if (controller[0] == '\0')
                        match = id == 0 && ctl == ctl_end;
                else
                        match = list_contains(ctl, ctl_end, controller);
                if (match) {
                        /* One hierarchy per controller: a second line means the
                         * file is not what it claims to be. */
                        if (found)
                                return -EINVAL;
                        found = path;
                        found_end = eol;
                }
                p = *eol ? eol + 1 : eol;
        }
        if (!found)
                return -ENODATA;
        if ((size_t)(found_end - found) >= size)
                return -ENAMETOOLONG;
        memcpy(ret_path, found, (size_t)(found_end - found));
        ret_path[found_end - found] = '\0';
        return 0;
}

int oom_score_adj_parse(const char *buf, int *ret)
{
        const char *p;
        bool neg;
        uint64_t v;
        int r;

        if (!buf)
                return -EINVAL;
        neg = buf[0] == '-';
        r = decimal_parse_u64_prefix(buf + neg, &p, &v);
        if (r < 0)
                return einval_if_erange(r);
        if (*p == '\n')
                p++;
        if (*p != '\0' || v > 1000)
                return -EINVAL;
        *ret = neg ? -(int)v : (int)v;
        return 0;
}
