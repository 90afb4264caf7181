/* Writing JSON into a caller's buffer: the one JSON writer (status
 * --json and the daemon's state file both go through it). Allocates
 * nothing, so that the daemon can use it on every tick. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/text-buf.h"

/* Keys and punctuation go in with text_buf_printf. */
/* A JSON string, or null for NULL and "". Cgroup and file names are
 * bytes: invalid UTF-8 becomes U+FFFD so that the output is always valid
 * JSON. */
void json_out_str(struct text_buf *o, const char *s);
/* A number with three decimals, or null when not finite. */
void json_out_num(struct text_buf *o, double v);
/* A byte count, or null when unknown or unlimited. */
void json_out_bytes(struct text_buf *o, bool known, uint64_t v);
/* true or false. */
void json_out_bool(struct text_buf *o, bool v);

/* The same after a key: `,"key":value`, the field of an object that
 * already holds one. */
void json_field_str(struct text_buf *o, const char *key, const char *s);
void json_field_num(struct text_buf *o, const char *key, double v);
void json_field_bytes(struct text_buf *o, const char *key, bool known, uint64_t v);
void json_field_bool(struct text_buf *o, const char *key, bool v);
