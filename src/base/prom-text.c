/* The Prometheus text exposition format (see prom-text.h). */
#include "base/prom-text.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void prom_text_init(struct prom_text *t, char *buf, size_t size)
{
        *t = (struct prom_text){.buf = buf, .size = size, .overflow = size == 0};
        if (size)
                buf[0] = 0;
}

static void _printf_(2, 3) put(struct prom_text *t, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (t->overflow)
                return;
        va_start(ap, fmt);
        n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= t->size - t->len) {
                /* What did not fit is dropped; the callers take back the
                 * rest of its line, so the text stays whole lines. */
                t->overflow = true;
                t->buf[t->len] = 0;
                return;
        }
        t->len += (size_t)n;
}

bool prom_name_valid(const char *name, bool label)
{
        if (!name || !name[0] || (name[0] >= '0' && name[0] <= '9'))
                return false;
        if (label && name[0] == '_' && name[1] == '_')
                return false;
        for (const char *p = name; *p; p++) {
                bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                          (*p >= '0' && *p <= '9') || *p == '_' || (!label && *p == ':');
                if (!ok)
                        return false;
        }
        return true;
}

/* The length of the valid UTF-8 sequence at s (1..4), or 0 if none starts
 * there: no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s)
{
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07u;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3fu);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

int prom_escape_label_value(const char *value, char *out, size_t size)
{
        static const char replacement[] = "\xef\xbf\xbd";
        const unsigned char *p = (const unsigned char *)value;
        size_t len = 0;

        if (size == 0)
                return -ENOBUFS;
        while (*p) {
                const char *piece = (const char *)p;
                size_t n = utf8_sequence(p), step = n ? n : 1;

                if (*p == '\\')
                        piece = "\\\\", n = 2;
                else if (*p == '"')
                        piece = "\\\"", n = 2;
                else if (*p == '\n')
                        piece = "\\n", n = 2;
                else if (n == 0)
                        piece = replacement, n = sizeof replacement - 1;
                if (len + n >= size) {
                        out[len] = 0;
                        return -ENOBUFS;
                }
                memcpy(out + len, piece, n);
                len += n;
                p += step;
        }
        out[len] = 0;
        return (int)len;
}

/* After an overflow, takes the text back to where a line began. */
static void cut_back(struct prom_text *t, size_t start)
{
        if (t->overflow && t->size) {
                t->len = start;
                t->buf[start] = 0;
        }
}

void prom_text_family(struct prom_text *t, const char *name, const char *type, const char *help)
{
        size_t start = t->len;

        put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
        cut_back(t, start);
}

/* name{a="x",b="y"} without the value. A label value that had to be cut
 * short makes the whole text incomplete rather than a wrong series. */
static void put_series(struct prom_text *t, const char *name, const struct prom_label *labels,
                       size_t n_labels)
{
        char escaped[3 * 1024];
        bool open = false;

        put(t, "%s", name);
        for (size_t i = 0; i < n_labels; i++) {
                if (!labels[i].value)
                        continue;
                if (prom_escape_label_value(labels[i].value, escaped, sizeof escaped) < 0) {
                        t->overflow = true;
                        return;
                }
                put(t, "%s%s=\"%s\"", open ? "," : "{", labels[i].name, escaped);
                open = true;
        }
        if (open)
                put(t, "}");
}

/* The shortest of %.15g..%.17g that reads back as the same double. */
static const char *shortest(double value, char buf[static 32])
{
        for (int digits = 15; digits < 17; digits++) {
                snprintf(buf, 32, "%.*g", digits, value);
                if (strtod(buf, NULL) == value)
                        return buf;
        }
        snprintf(buf, 32, "%.17g", value);
        return buf;
}

void prom_text_sample(struct prom_text *t, const char *name, const struct prom_label *labels,
                      size_t n_labels, double value)
{
        size_t start = t->len;
        char num[32];

        put_series(t, name, labels, n_labels);
        if (isnan(value))
                put(t, " NaN\n");
        else if (isinf(value))
                put(t, " %s\n", value > 0 ? "+Inf" : "-Inf");
        else if (value == floor(value) && fabs(value) < 1e15)
                put(t, " %.0f\n", value);
        else
                put(t, " %s\n", shortest(value, num));
        cut_back(t, start);
}

void prom_text_sample_u64(struct prom_text *t, const char *name, const struct prom_label *labels,
                          size_t n_labels, uint64_t value)
{
        size_t start = t->len;

        put_series(t, name, labels, n_labels);
        put(t, " %" PRIu64 "\n", value);
        cut_back(t, start);
}
