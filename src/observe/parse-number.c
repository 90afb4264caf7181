/* Files holding one number: memory.max ("max" allowed), memory.current
 * and other counts. */
#include "observe/parse-internal.h"

static int number_file_parse(const char *buf, bool allow_max, uint64_t *ret)
{
        const char *p;
        uint64_t v;
        int r;

        if (!buf)
                return -EINVAL;
        if (allow_max && startswith(buf, "max")) {
                v = UINT64_MAX;
                p = buf + 3;
        } else {
                r = decimal_parse_u64_prefix(buf, &p, &v);
                if (r < 0)
                        return einval_if_erange(r);
        }
        if (*p == '\n')
                p++;
        if (*p != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int u64_parse(const char *buf, uint64_t *ret)
{
        return number_file_parse(buf, true, ret);
}

int count_parse(const char *buf, uint64_t *ret)
{
        return number_file_parse(buf, false, ret);
}
