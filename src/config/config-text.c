/* How each value is written: in messages (the accepted range), by
 * config_print (the effective configuration, in the syntax it reads) and
 * for check-config. What is written parses back to the same value. */
#include "config/config-internal.h"

#include <inttypes.h>
#include <stdio.h>

#include "base/format.h"
#include "config/value.h"

/* config_print wraps lists here; an item longer than that gets its own line. */
#define PRINT_WIDTH 100

static void format_duration(uint64_t usec, char *buf, size_t size)
{
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
            {"h", USEC_PER_HOUR},
            {"min", USEC_PER_MIN},
            {"s", USEC_PER_SEC},
            {"ms", USEC_PER_MSEC},
            {"us", 1},
        };

        if (usec == 0) {
                snprintf(buf, size, "0s");
                return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(units); i++)
                if (usec % units[i].usec == 0) {
                        snprintf(buf, size, "%" PRIu64 "%s", usec / units[i].usec, units[i].suffix);
                        return;
                }
}

static int size_pct_parse(const char *s, double *ret)
{
        struct size_or_pct v;
        int r = size_parse(s, &v);
        if (r < 0)
                return r;
        if (!v.is_pct)
                return -EINVAL;
        *ret = v.pct;
        return 0;
}

static int percent_value_parse(const char *s, double *ret)
{
        return percent_parse(s, ret);
}

/* The shortest decimal (with suffix) that parse reads back as exactly v, so
 * that config_print round-trips without printing 33.299999999999997. */
static void format_double(double v, const char *suffix, int (*parse)(const char *, double *),
                          char *buf, size_t size)
{
        double back;

        for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, size, "%.*g%s", prec, v, suffix);
                if (!strchr(buf, 'e') && parse(buf, &back) >= 0 && back == v)
                        return;
        }
        /* %g turns to an exponent below 1e-4, which no parser here reads;
         * six decimals are all a parsed value can have. */
        for (int decimals = 1; decimals <= 6; decimals++) {
                snprintf(buf, size, "%.*f%s", decimals, v, suffix);
                if (parse(buf, &back) >= 0 && back == v)
                        return;
        }
        snprintf(buf, size, "%.6f%s", v, suffix);
}

void config_format_scalar(const struct key_def *k, const struct config *c, char *buf, size_t size)
{
        const void *p = cfield_of(c, k);

        switch (k->type) {
        case KEY_BOOL:
                snprintf(buf, size, "%s", *(const bool *)p ? "true" : "false");
                break;
        case KEY_DURATION:
                format_duration(*(const uint64_t *)p, buf, size);
                break;
        case KEY_PERCENT:
                format_double(*(const double *)p, "", percent_value_parse, buf, size);
                break;
        case KEY_RATE:
                format_double(*(const double *)p, "", number_parse, buf, size);
                break;
        case KEY_SIZE: {
                const struct size_or_pct *s = p;
                if (s->is_pct)
                        format_double(s->pct, "%", size_pct_parse, buf, size);
                else
                        fmt_bytes_exact(s->bytes, buf, size);
                break;
        }
        case KEY_UINT:
                snprintf(buf, size, "%u", *(const unsigned *)p);
                break;
        case KEY_ENUM: {
                int v = enum_get(c, k);
                unsigned n = names_count(k->names);
                snprintf(buf, size, "%s", v >= 0 && (unsigned)v < n ? k->names[v] : "?");
                break;
        }
        case KEY_LIST:
                snprintf(buf, size, "(list)");
                break;
        }
}

void config_describe_accepted(const struct key_def *k, char *buf, size_t size)
{
        char lo[32], hi[32];

        switch (k->type) {
        case KEY_BOOL:
                snprintf(buf, size, "true or false (also yes/no, on/off, 1/0)");
                return;
        case KEY_DURATION:
                format_duration((uint64_t)k->min, lo, sizeof lo);
                format_duration((uint64_t)k->max, hi, sizeof hi);
                snprintf(buf, size, "a duration such as 500ms or 2s (%s..%s)", lo, hi);
                return;
        case KEY_PERCENT:
                snprintf(buf, size, "a percentage such as 30 or 30%% (%g..%g)", k->min, k->max);
                return;
        case KEY_RATE:
                snprintf(buf, size, "a number such as 1000 (%g..%.0f)", k->min, k->max);
                return;
        case KEY_UINT:
                snprintf(buf, size, "a whole number (%g..%g)", k->min, k->max);
                return;
        case KEY_SIZE:
                fmt_bytes_exact((uint64_t)k->min, lo, sizeof lo);
                fmt_bytes_exact((uint64_t)k->max, hi, sizeof hi);
                snprintf(buf, size,
                         "a size such as 512M (%s..%s) or a percentage such as 10%% (%g%%..%g%%)",
                         lo, hi, k->min_pct, k->max_pct);
                return;
        case KEY_ENUM:
                snprintf(buf, size, "one of");
                for (unsigned i = 0; k->names[i]; i++)
                        str_appendf(buf, size, "%s %s", i ? "," : "", k->names[i]);
                return;
        case KEY_LIST:
                if (k->max < CONFIG_MAX_PATTERNS)
                        snprintf(buf, size, "at most %g items", k->max);
                else
                        snprintf(buf, size, "a list of items separated by spaces or commas");
                return;
        }
}

static void print_list(const struct key_def *k, const struct pattern_list *l, FILE *f)
{
        size_t col = strlen(k->key) + 2; /* "key =" */
        unsigned on_line = 0;

        fprintf(f, "%s =", k->key);
        for (unsigned i = 0; i < l->n; i++) {
                size_t len = strlen(l->items[i]);
                bool too_wide = col + 1 + len > PRINT_WIDTH;
                if (too_wide && (on_line > 0 || col + 1 + len > LINE_MAX_CHARS)) {
                        /* A line that starts with '[' looks like a section
                         * header: a separator goes first where it fits (the
                         * loader tells the rest apart, being sure only of
                         * headers of known sections, which are short). */
                        bool comma = l->items[i][0] == '[' &&
                                     strlen(CONT_INDENT) + 1 + len <= LINE_MAX_CHARS;
                        fprintf(f, "\n%s%s%s", CONT_INDENT, comma ? "," : "", l->items[i]);
                        col = strlen(CONT_INDENT) + comma + len;
                        on_line = 1;
                } else {
                        fprintf(f, " %s", l->items[i]);
                        col += 1 + len;
                        on_line++;
                }
        }
        fputc('\n', f);
}

void config_print(const struct config *c, FILE *f)
{
        const char *section = NULL;
        char value[64];

        fputs("# thrashguard: effective configuration\n", f);
        for (size_t i = 0; i < N_KEYS; i++) {
                const struct key_def *k = &config_keys[i];
                if (!section || !streq(section, k->section)) {
                        fprintf(f, "\n[%s]\n", k->section);
                        section = k->section;
                }
                fprintf(f, "# %s\n", k->help);
                if (k->type == KEY_LIST) {
                        print_list(k, cfield_of(c, k), f);
                        continue;
                }
                config_format_scalar(k, c, value, sizeof value);
                fprintf(f, "%s = %s\n", k->key, value);
        }
}
