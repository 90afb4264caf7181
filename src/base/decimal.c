/* Unsigned decimal numbers in text: see decimal.h. */
#include <stdbool.h>

#include "base/decimal.h"
#include "base/util.h"

/* Fraction digits accepted in a decimal. Six keeps frac * unit within 64 bits
 * for every unit value.c scales by (10^6 * 2^40 < 2^64, 10^6 * 3.6e9 < 2^64), and no
 * kernel file or sensible config value needs more. */
#define DECIMAL_FRAC_DIGITS_MAX 6

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

int decimal_parse_u64_prefix(const char *s, const char **ret_end, uint64_t *ret)
{
        uint64_t v = 0;
        const char *p = s;

        if (!is_digit(*p))
                return -EINVAL;
        for (; is_digit(*p); p++) {
                unsigned d = (unsigned)(*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret_end = p;
        *ret = v;
        return 0;
}

int decimal_parse_prefix(const char *s, const char **ret_end, struct decimal *ret)
{
        struct decimal d = {.scale = 1};
        const char *p;
        int r;

        r = decimal_parse_u64_prefix(s, &p, &d.ip);
        if (r < 0)
                return r;
        if (*p == '.') {
                unsigned n = 0;

                p++;
                if (!is_digit(*p))
                        return -EINVAL;
                for (; is_digit(*p); p++) {
                        if (++n > DECIMAL_FRAC_DIGITS_MAX)
                                return -EINVAL;
                        d.frac = d.frac * 10 + (uint64_t)(*p - '0');
                        d.scale *= 10;
                }
        }
        *ret_end = p;
        *ret = d;
        return 0;
}

/* One division of two exactly representable integers is correctly rounded,
 * so "33.3" gives the same double as strtod() and the literal 33.3 (which
 * config printing relies on to round-trip); ip + frac/scale would round twice
 * and be off by an ulp for some inputs. */
double decimal_to_double(const struct decimal *d)
{
        uint64_t n;

        if (!__builtin_mul_overflow(d->ip, d->scale, &n) && n <= (UINT64_C(1) << 53) - d->frac)
                return (double)(n + d->frac) / (double)d->scale;
        return (double)d->ip + (double)d->frac / (double)d->scale;
}

int decimal_scale(const struct decimal *d, uint64_t mult, uint64_t *ret)
{
        uint64_t v;

        if (__builtin_mul_overflow(d->ip, mult, &v))
                return -ERANGE;
        /* frac < scale <= 10^6 and mult fits the bound above DECIMAL_FRAC_DIGITS_MAX. */
        if (__builtin_add_overflow(v, d->frac * mult / d->scale, &v))
                return -ERANGE;
        *ret = v;
        return 0;
}
