/* Config values: see value.h. Sizes, durations and percentages are scanned
 * exactly (decimal.h) and scaled in integers, so "1.5G" and "0.1s" carry no
 * floating-point error. */
#include <ctype.h>
#include <limits.h>
#include <strings.h>
#include <string.h>

#include "base/decimal.h"
#include "base/util.h"
#include "config/value.h"

struct unit {
        const char *suffix;
        uint64_t mult;
};

/* Sizes are binary. A fraction is accepted only with a unit larger than the
 * result's resolution ("1.5G", "0.5s"); "1.5" bytes or "2.5us" would be a
 * typo, not a wish. The result is truncated to a whole byte/microsecond. */
static const struct unit size_units[] = {
    {"", 1},
    {"B", 1},
    {"K", UINT64_C(1) << 10},
    {"KB", UINT64_C(1) << 10},
    {"KiB", UINT64_C(1) << 10},
    {"M", UINT64_C(1) << 20},
    {"MB", UINT64_C(1) << 20},
    {"MiB", UINT64_C(1) << 20},
    {"G", UINT64_C(1) << 30},
    {"GB", UINT64_C(1) << 30},
    {"GiB", UINT64_C(1) << 30},
    {"T", UINT64_C(1) << 40},
    {"TB", UINT64_C(1) << 40},
    {"TiB", UINT64_C(1) << 40},
};

/* systemd's time units (systemd.time(7)), without months and years. */
static const struct unit duration_units[] = {
    {"us", 1},
    {"usec", 1},
    {"ms", USEC_PER_MSEC},
    {"msec", USEC_PER_MSEC},
    {"s", USEC_PER_SEC},
    {"sec", USEC_PER_SEC},
    {"second", USEC_PER_SEC},
    {"seconds", USEC_PER_SEC},
    {"m", USEC_PER_MIN},
    {"min", USEC_PER_MIN},
    {"minute", USEC_PER_MIN},
    {"minutes", USEC_PER_MIN},
    {"h", USEC_PER_HOUR},
    {"hr", USEC_PER_HOUR},
    {"hour", USEC_PER_HOUR},
    {"hours", USEC_PER_HOUR},
    {"d", 24 * USEC_PER_HOUR},
    {"day", 24 * USEC_PER_HOUR},
    {"days", 24 * USEC_PER_HOUR},
};

/* "NUMBER[UNIT]" with UNIT one of units[] (exact, case-sensitive, no blank
 * between number and unit). */
static int parse_with_unit(const char *s, const struct unit *units, size_t n_units, uint64_t *ret)
{
        struct decimal d;
        const char *p;
        int r;

        if (!s)
                return -EINVAL;
        r = decimal_parse_prefix(s, &p, &d);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_units; i++) {
                if (!streq(p, units[i].suffix))
                        continue;
                if (d.frac != 0 && units[i].mult == 1)
                        return -EINVAL;
                return decimal_scale(&d, units[i].mult, ret);
        }
        return -EINVAL;
}

/* "N" or "N%" in 0..100, N a decimal. */
static int parse_pct(const char *s, double *ret)
{
        struct decimal d;
        const char *p;
        int r;

        if (!s)
                return -EINVAL;
        r = decimal_parse_prefix(s, &p, &d);
        if (r < 0)
                return r;
        if (*p == '%')
                p++;
        if (*p != '\0')
                return -EINVAL;
        if (d.ip > 100 || (d.ip == 100 && d.frac != 0))
                return -ERANGE;
        *ret = decimal_to_double(&d);
        return 0;
}

int size_parse(const char *s, struct size_or_pct *ret)
{
        struct size_or_pct v = {};
        int r;

        if (s && endswith(s, "%")) {
                r = parse_pct(s, &v.pct);
                v.is_pct = true;
        } else
                r = parse_with_unit(s, size_units, ARRAY_SIZE(size_units), &v.bytes);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t';
}

/* A sum of terms "NUMBER [UNIT]" as systemd writes time spans ("1min 30s",
 * "5 sec", "1h30min"): blanks are allowed between a number and its unit and
 * between terms, not around the whole. A term without a unit is seconds, as
 * a bare number always was here. */
int duration_parse(const char *s, uint64_t *ret_usec)
{
        uint64_t total = 0;
        const char *p = s;

        if (!s || !*s || is_blank(*s))
                return -EINVAL;
        while (*p) {
                struct decimal d;
                const char *unit;
                uint64_t mult = USEC_PER_SEC, v;
                size_t len;
                int r;

                r = decimal_parse_prefix(p, &p, &d);
                if (r < 0)
                        return r;
                while (is_blank(*p))
                        p++;
                unit = p;
                while (isalpha((unsigned char)*p))
                        p++;
                len = (size_t)(p - unit);
                if (len > 0) {
                        size_t i;
                        for (i = 0; i < ARRAY_SIZE(duration_units); i++)
                                if (strlen(duration_units[i].suffix) == len &&
                                    strncmp(unit, duration_units[i].suffix, len) == 0)
                                        break;
                        if (i == ARRAY_SIZE(duration_units))
                                return -EINVAL;
                        mult = duration_units[i].mult;
                }
                /* A fraction of the resolution would be a typo, not a wish. */
                if (d.frac != 0 && mult == 1)
                        return -EINVAL;
                r = decimal_scale(&d, mult, &v);
                if (r < 0)
                        return r;
                if (v > UINT64_MAX - total)
                        return -ERANGE;
                total += v;
                if (is_blank(*p)) {
                        while (is_blank(*p))
                                p++;
                        if (!*p)
                                return -EINVAL;
                }
        }
        *ret_usec = total;
        return 0;
}

int percent_parse(const char *s, double *ret_pct)
{
        return parse_pct(s, ret_pct);
}

int bool_parse(const char *s, bool *ret)
{
        static const char *const yes[] = {"1", "yes", "true", "on"};
        static const char *const no[] = {"0", "no", "false", "off"};

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int number_parse(const char *s, double *ret)
{
        struct decimal d;
        const char *end;

        if (!s || decimal_parse_prefix(s, &end, &d) < 0 || *end != '\0')
                return -EINVAL;
        *ret = decimal_to_double(&d);
        return 0;
}

int uint_parse(const char *s, unsigned *ret)
{
        unsigned long long v;
        char *end;

        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end || v > UINT_MAX)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}
