/* Writing JSON into a caller's buffer: the one JSON writer (status
 * --json and the daemon's state file both go through it). Allocates
 * nothing, so that the daemon can use it on every tick. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

struct json_out {
        char *buf;
        size_t size; /* of buf */
        size_t len;  /* written so far, buf NUL-terminated */
        bool overflow;
};

/* Starts writing into buf[size] (size > 0). */
void json_out_init(struct json_out *o, char *buf, size_t size);

/* Text as it is (keys, punctuation). Beyond the buffer nothing more is
 * written and o->overflow is set. */
_printf_(2, 3) void json_out_raw(struct json_out *o, const char *fmt, ...);
/* A JSON string, or null for NULL and "". Cgroup and file names are
 * bytes: invalid UTF-8 becomes U+FFFD so that the output is always valid
 * JSON. */
void json_out_str(struct json_out *o, const char *s);
/* A number with three decimals, or null when not finite. */
void json_out_num(struct json_out *o, double v);
/* A byte count, or null when unknown or unlimited. */
void json_out_bytes(struct json_out *o, bool known, uint64_t v);
/* true or false. */
void json_out_bool(struct json_out *o, bool v);
