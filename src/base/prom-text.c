/* The Prometheus text exposition format (see prom-text.h). */
#include "base/prom-text.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text-buf.h"
#include "base/util.h"

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

int prom_escape_label_value(const char *value, char *out, size_t size)
{
        static const char replacement[] = "\xef\xbf\xbd";
        const unsigned char *p = (const unsigned char *)value;
        size_t len = 0;

        if (size == 0)
                return -ENOBUFS;
        while (*p) {
                const char *piece = (const char *)p;
                size_t n = utf8_sequence_len(p), step = n ? n : 1;

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
static void cut_back(struct text_buf *t, size_t start)
{
        if (t->overflow && t->size) {
                t->len = start;
                t->buf[start] = 0;
        }
}

void prom_text_family(struct text_buf *t, const char *name, const char *type, const char *help)
{
        size_t start = t->len;

        text_buf_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
        cut_back(t, start);
}

/* name{a="x",b="y"} without the value. A label value that had to be cut
 * short makes the whole text incomplete rather than a wrong series. */
static void put_series(struct text_buf *t, const char *name, const struct prom_label *labels,
                       size_t n_labels)
{
        char escaped[3 * 1024];
        bool open = false;

        text_buf_printf(t, "%s", name);
        for (size_t i = 0; i < n_labels; i++) {
                if (!labels[i].value)
                        continue;
                if (prom_escape_label_value(labels[i].value, escaped, sizeof escaped) < 0) {
                        t->overflow = true;
                        return;
                }
                text_buf_printf(t, "%s%s=\"%s\"", open ? "," : "{", labels[i].name, escaped);
                open = true;
        }
        if (open)
                text_buf_printf(t, "}");
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

void prom_text_sample(struct text_buf *t, const char *name, const struct prom_label *labels,
                      size_t n_labels, double value)
{
        size_t start = t->len;
        char num[32];

        put_series(t, name, labels, n_labels);
        if (isnan(value))
                text_buf_printf(t, " NaN\n");
        else if (isinf(value))
                text_buf_printf(t, " %s\n", value > 0 ? "+Inf" : "-Inf");
        else if (value == floor(value) && fabs(value) < 1e15)
                text_buf_printf(t, " %.0f\n", value);
        else
                text_buf_printf(t, " %s\n", shortest(value, num));
        cut_back(t, start);
}

void prom_text_sample_u64(struct text_buf *t, const char *name, const struct prom_label *labels,
                          size_t n_labels, uint64_t value)
{
        size_t start = t->len;

        put_series(t, name, labels, n_labels);
        text_buf_printf(t, " %" PRIu64 "\n", value);
        cut_back(t, start);
}
