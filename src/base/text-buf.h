/* Text written into a caller's fixed buffer, and UTF-8 checked byte by
 * byte: what the JSON writer (status --json, the state file) and the
 * Prometheus writer (the metrics file) both build on. Allocates nothing,
 * so that the daemon can use it on every tick. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

struct text_buf {
        char *buf;
        size_t size;   /* of buf */
        size_t len;    /* written so far; buf[len] is always NUL */
        bool overflow; /* something did not fit: the text is incomplete */
};

/* Starts writing into buf[size]; size 0 is an overflow from the start. */
void text_buf_init(struct text_buf *t, char *buf, size_t size);

/* Appends s[n], or nothing and sets overflow when it does not fit whole
 * (nothing more is written after an overflow). */
void text_buf_append(struct text_buf *t, const char *s, size_t n);
_printf_(2, 3) void text_buf_printf(struct text_buf *t, const char *fmt, ...);

/* The length of the valid UTF-8 sequence at s (1..4), or 0 when none
 * starts there: no overlong forms, no surrogates, nothing past U+10FFFF.
 * Cgroup and process names are bytes a tenant chooses; both writers
 * replace what is not UTF-8 so that their output always parses. */
size_t utf8_sequence_len(const unsigned char *s);
