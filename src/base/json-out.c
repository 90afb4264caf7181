/* Writing JSON into a caller's buffer (see json-out.h). */
#include "base/json-out.h"

#include <inttypes.h>
#include <math.h>

void json_out_str(struct text_buf *o, const char *s)
{
        if (!s || !s[0]) {
                text_buf_append(o, "null", 4);
                return;
        }
        text_buf_append(o, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                size_t n = utf8_sequence_len(p);
                if (n == 0) {
                        text_buf_append(o, "\\ufffd", 6);
                        p++;
                        continue;
                }
                if (*p == '"' || *p == '\\')
                        text_buf_printf(o, "\\%c", *p);
                else if (*p == '\n')
                        text_buf_append(o, "\\n", 2);
                else if (*p == '\t')
                        text_buf_append(o, "\\t", 2);
                else if (*p < 0x20 || *p == 0x7f)
                        text_buf_printf(o, "\\u%04x", *p);
                else
                        text_buf_append(o, (const char *)p, n);
                p += n;
        }
        text_buf_append(o, "\"", 1);
}

void json_out_num(struct text_buf *o, double v)
{
        if (isfinite(v))
                text_buf_printf(o, "%.3f", v);
        else
                text_buf_append(o, "null", 4);
}

void json_out_bytes(struct text_buf *o, bool known, uint64_t v)
{
        if (known && v != BYTES_UNLIMITED)
                text_buf_printf(o, "%" PRIu64, v);
        else
                text_buf_append(o, "null", 4);
}

void json_out_bool(struct text_buf *o, bool v)
{
        if (v)
                text_buf_append(o, "true", 4);
        else
                text_buf_append(o, "false", 5);
}

static void json_key(struct text_buf *o, const char *key)
{
        text_buf_printf(o, ",\"%s\":", key);
}

void json_field_str(struct text_buf *o, const char *key, const char *s)
{
        json_key(o, key);
        json_out_str(o, s);
}

void json_field_num(struct text_buf *o, const char *key, double v)
{
        json_key(o, key);
        json_out_num(o, v);
}

void json_field_bytes(struct text_buf *o, const char *key, bool known, uint64_t v)
{
        json_key(o, key);
        json_out_bytes(o, known, v);
}

void json_field_bool(struct text_buf *o, const char *key, bool v)
{
        json_key(o, key);
        json_out_bool(o, v);
}
