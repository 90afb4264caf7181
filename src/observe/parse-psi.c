/* PSI files: /proc/pressure/memory and a group's memory.pressure. */
#include "observe/parse-internal.h"

/* "avg10=0.12 avg60=0.00 avg300=0.00 total=1234" from p to the end of the
 * line. The four fields are required, once each; an unknown "k=v" field is
 * ignored (a future kernel may add one). p is left at the end of the line. */
#define PSI_KEYS 4

/* The index of a PSI field, avg10, avg60, avg300, total; PSI_KEYS for an
 * unknown one. Compared with literals (inlined): every group's PSI is parsed
 * on every tick. */
static size_t psi_key(const char *key, size_t len)
{
        if (len == 5 && memcmp(key, "avg10", 5) == 0)
                return 0;
        if (len == 5 && memcmp(key, "avg60", 5) == 0)
                return 1;
        if (len == 6 && memcmp(key, "avg300", 6) == 0)
                return 2;
        if (len == 5 && memcmp(key, "total", 5) == 0)
                return 3;
        return PSI_KEYS;
}

static int psi_parse_fields(const char **pp, struct psi_line *ret)
{
        struct psi_line l = {};
        double *const avgs[] = {&l.avg10, &l.avg60, &l.avg300};
        unsigned seen = 0;
        const char *p = *pp;

        for (;;) {
                const char *key, *eq;
                size_t i;
                int r;

                p = skip_blanks(p);
                if (is_eol(*p))
                        break;
                key = p;
                for (eq = p; !is_eol(*eq) && !is_blank(*eq) && *eq != '='; eq++)
                        ;
                if (*eq != '=')
                        return -EINVAL;

                i = psi_key(key, (size_t)(eq - key));
                p = eq + 1;
                if (i == PSI_KEYS) {
                        while (!is_eol(*p) && !is_blank(*p))
                                p++;
                        continue;
                }
                if (seen & (1u << i))
                        return -EINVAL;
                seen |= 1u << i;

                if (i < ARRAY_SIZE(avgs)) {
                        struct decimal d;
                        r = decimal_parse_prefix(p, &p, &d);
                        if (r >= 0)
                                *avgs[i] = decimal_to_double(&d);
                } else
                        r = decimal_parse_u64_prefix(p, &p, &l.total_usec);
                if (r < 0)
                        return einval_if_erange(r);
                if (!is_eol(*p) && !is_blank(*p))
                        return -EINVAL;
        }
        if (seen != (1u << PSI_KEYS) - 1)
                return -EINVAL;
        *pp = p;
        *ret = l;
        return 0;
}

int psi_parse(const char *buf, struct psi *ret)
{
        struct psi v = {};
        bool has_some = false;
        const char *p = buf;

        if (!buf)
                return -EINVAL;
        while (*p) {
                struct psi_line *l = NULL;
                bool *have = NULL;
                int r;

                /* A bare "some" is a truncated line, not an unknown one. */
                if (startswith(p, "some") && (is_blank(p[4]) || is_eol(p[4])))
                        l = &v.some, have = &has_some;
                else if (startswith(p, "full") && (is_blank(p[4]) || is_eol(p[4])))
                        l = &v.full, have = &v.has_full;

                if (l) {
                        if (*have)
                                return -EINVAL;
                        p += 4;
                        r = psi_parse_fields(&p, l);
                        if (r < 0)
                                return r;
                        *have = true;
                } else
                        p = skip_to_eol(p);
                if (*p == '\n')
                        p++;
        }
        if (!has_some)
                return -ENODATA;
        *ret = v;
        return 0;
}
