/* Text into a fixed buffer, UTF-8 checks (see text-buf.h). */
#include "base/text-buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void text_buf_init(struct text_buf *t, char *buf, size_t size)
{
        *t = (struct text_buf){.buf = buf, .size = size, .overflow = size == 0};
        if (size)
                buf[0] = 0;
}

void text_buf_append(struct text_buf *t, const char *s, size_t n)
{
        if (t->overflow || n >= t->size - t->len) {
                t->overflow = true;
                return;
        }
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        t->buf[t->len] = 0;
}

void text_buf_printf(struct text_buf *t, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (t->overflow)
                return;
        va_start(ap, fmt);
        n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= t->size - t->len) {
                t->overflow = true;
                t->buf[t->len] = 0;
                return;
        }
        t->len += (size_t)n;
}

size_t utf8_sequence_len(const unsigned char *s)
{
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2, cp = c & 0x1fu;
        else if (c >= 0xe0 && c <= 0xef)
                n = 3, cp = c & 0x0fu;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 4, cp = c & 0x07u;
        else
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
