/* Reading JSON: a whole document into a tree, for `thrashguard status`
 * reading the daemon's state file. The file is untrusted (anyone with
 * write access to the runtime directory, a truncated write, another
 * program's file): every malformed input is -EINVAL, depth and size are
 * bounded. Allocates; not for the daemon's loop. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum json_type {
        JSON_NULL,
        JSON_BOOL,
        JSON_NUMBER,
        JSON_STRING,
        JSON_ARRAY,
        JSON_OBJECT,
};

struct json_value {
        enum json_type type;
        bool boolean;
        double number;
        char *string;             /* decoded UTF-8; a \u0000 is refused */
        size_t n;                 /* array items or object members */
        struct json_value *items; /* [n] */
        char **keys;              /* [n], objects only */
};

/* Nesting deeper than this is refused. */
#define JSON_DEPTH_MAX 32

/* Parses buf[len] (one value, whitespace around it allowed). Returns 0 and
 * a tree in *ret (free with json_free), -EINVAL for anything that is not
 * JSON, -ENOMEM. */
int json_parse(const char *buf, size_t len, struct json_value **ret);
void json_free(struct json_value *v);

/* Member key of obj; NULL when obj is not an object or has none (the
 * first of duplicates). */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* The string member key, or NULL (absent, null or not a string). */
const char *json_get_str(const struct json_value *obj, const char *key);
/* The number member key into *ret; false (ret untouched) when absent, null
 * or not a number. */
bool json_get_num(const struct json_value *obj, const char *key, double *ret);
/* The boolean member key; def when absent or not a boolean. */
bool json_get_bool(const struct json_value *obj, const char *key, bool def);
/* The array member key, or NULL. */
const struct json_value *json_get_array(const struct json_value *obj, const char *key);
