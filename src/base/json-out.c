/* Writing JSON into a caller's buffer (see json-out.h). */
#include "base/json-out.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>

void json_out_init(struct json_out *o, char *buf, size_t size)
{
        *o = (struct json_out){.buf = buf, .size = size};
        buf[0] = 0;
}

static void out_bytes(struct json_out *o, const char *s, size_t n)
{
        if (o->overflow || n >= o->size - o->len) {
                o->overflow = true;
                return;
        }
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        o->buf[o->len] = 0;
}

void json_out_raw(struct json_out *o, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (o->overflow)
                return;
        va_start(ap, fmt);
        n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= o->size - o->len) {
                o->overflow = true;
                o->buf[o->len] = 0;
                return;
        }
        o->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s, 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
        unsigned cp;
        size_t n;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                return 0;
        return n;
}

void json_out_str(struct json_out *o, const char *s)
{
        if (!s || !s[0]) {
                out_bytes(o, "null", 4);
                return;
        }
        out_bytes(o, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                size_t n = utf8_len(p);
                if (n == 0) {
                        out_bytes(o, "\\ufffd", 6);
                        p++;
                        continue;
                }
                if (*p == '"' || *p == '\\')
                        json_out_raw(o, "\\%c", *p);
                else if (*p == '\n')
                        out_bytes(o, "\\n", 2);
                else if (*p == '\t')
                        out_bytes(o, "\\t", 2);
                else if (*p < 0x20 || *p == 0x7f)
                        json_out_raw(o, "\\u%04x", *p);
                else
                        out_bytes(o, (const char *)p, n);
                p += n;
        }
        out_bytes(o, "\"", 1);
}

void json_out_num(struct json_out *o, double v)
{
        if (isfinite(v))
                json_out_raw(o, "%.3f", v);
        else
                out_bytes(o, "null", 4);
}

void json_out_bytes(struct json_out *o, bool known, uint64_t v)
{
        if (known && v != BYTES_UNLIMITED)
                json_out_raw(o, "%" PRIu64, v);
        else
                out_bytes(o, "null", 4);
}

void json_out_bool(struct json_out *o, bool v)
{
        if (v)
                out_bytes(o, "true", 4);
        else
                out_bytes(o, "false", 5);
}
