#include "base/format.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "base/util.h"

/* Divides v by base until it is below base or the units run out. */
static size_t scale(double *v, double base, size_t n_units)
{
        size_t u = 0;

        while (fabs(*v) >= base && u + 1 < n_units) {
                *v /= base;
                u++;
        }
        return u;
}

static const char *fmt_short(double v, double base, const char *const *units, size_t n_units,
                             char buf[static 16])
{
        if (!isfinite(v))
                v = 0;
        size_t u = scale(&v, base, n_units);
        snprintf(buf, 16, fabs(v) >= 10 || v == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
        return buf;
}

const char *fmt_count(double v, char buf[static 16])
{
        static const char *const units[] = {"", "k", "M", "G", "T"};
        return fmt_short(v, 1000, units, ARRAY_SIZE(units), buf);
}

const char *fmt_bytes(double v, char buf[static 16])
{
        static const char *const units[] = {"B", "K", "M", "G", "T", "P"};
        return fmt_short(v, 1024, units, ARRAY_SIZE(units), buf);
}

void fmt_bytes_iec(uint64_t v, const char *unlimited, char *buf, size_t size)
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        double d = (double)v;

        if (v == BYTES_UNLIMITED) {
                snprintf(buf, size, "%s", unlimited);
                return;
        }
        size_t u = scale(&d, 1024, ARRAY_SIZE(units));
        snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", d, units[u]);
}

void fmt_bytes_exact(uint64_t v, char *buf, size_t size)
{
        static const struct {
                const char *suffix;
                uint64_t bytes;
        } units[] = {{"T", (uint64_t)1 << 40},
                     {"G", (uint64_t)1 << 30},
                     {"M", (uint64_t)1 << 20},
                     {"K", (uint64_t)1 << 10}};

        for (size_t i = 0; v && i < ARRAY_SIZE(units); i++)
                if (v % units[i].bytes == 0) {
                        snprintf(buf, size, "%" PRIu64 "%s", v / units[i].bytes, units[i].suffix);
                        return;
                }
        snprintf(buf, size, "%" PRIu64, v);
}
