/* Shared by the two halves of the configuration and by nothing else:
 * config.c (the key table, lookup, formatting, printing) and config-load.c
 * (parsing, checking and loading). */
#pragma once

#include <ini.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "config/config.h"
#include "base/util.h"

/* inih reads into a fixed INI_MAX_LINE buffer that must also hold "\r\n\0";
 * a longer line would be split silently, so the reader refuses it. Lists
 * therefore continue on indented lines, and one item must fit on such a
 * line. */
#define LINE_MAX_CHARS (INI_MAX_LINE - 3)
#define CONT_INDENT    "  "
#define ITEM_MAX_CHARS (LINE_MAX_CHARS - (int)(sizeof(CONT_INDENT) - 1))

_Static_assert(ITEM_MAX_CHARS < CONFIG_PATTERN_MAX, "an item that fits a line must fit the struct");

enum key_type {
        KEY_BOOL,
        KEY_DURATION, /* uint64_t usec; min/max in usec */
        KEY_PERCENT,  /* double 0..100 */
        KEY_SIZE,     /* struct size_or_pct; min/max in bytes, min_pct/max_pct */
        KEY_UINT,     /* unsigned */
        KEY_RATE,     /* double, a plain non-negative decimal number */
        KEY_ENUM,     /* an int-sized enum; .names indexed by value */
        KEY_LIST,     /* struct pattern_list; min/max count items */
};

struct key_def {
        const char *section;
        const char *key;
        enum key_type type;
        size_t offset;
        double min, max;
        double min_pct, max_pct;
        const char *const *names;
        bool unique;
        int (*check_item)(const char *item, char *msg, size_t size);
        const char *help;
};

/* The table, in config.c. N_KEYS is its length, kept as a constant so that
 * per-key arrays can be sized by it; config.c asserts that it is right. */
#define N_KEYS 28
extern const struct key_def config_keys[];

static inline void *field_of(struct config *c, const struct key_def *k)
{
        return (char *)c + k->offset;
}

static inline const void *cfield_of(const struct config *c, const struct key_def *k)
{
        return (const char *)c + k->offset;
}

static inline int enum_get(const struct config *c, const struct key_def *k)
{
        int v;
        memcpy(&v, cfield_of(c, k), sizeof v);
        return v;
}

static inline unsigned names_count(const char *const *names)
{
        unsigned n = 0;
        while (names[n])
                n++;
        return n;
}

/* The candidate closest to typed that is close enough to be a typo of it, or
 * NULL. NULL candidates are skipped. */
const char *config_best_match(const char *typed, const char *const *candidates, size_t n);

/* 0 when section names a section of the table, else -EINVAL with msg saying
 * so and what is close. */
int config_section_check(const char *section, char *msg, size_t size);

/* Finds section.key in the table, or describes what is wrong with it and
 * what is close (-EINVAL). */
int config_key_lookup(const char *section, const char *key, const struct key_def **ret, char *msg,
                      size_t size);

/* A scalar value as the file would spell it. */
void config_format_scalar(const struct key_def *k, const struct config *c, char *buf, size_t size);

/* What a key accepts, for messages: "a duration such as 500ms or 2s
 * (100ms..1min)". */
void config_describe_accepted(const struct key_def *k, char *buf, size_t size);

#define MSG_MAX 400

/* Where each key got its value, for messages about contradictions. */
struct origin {
        const char *file; /* with line */
        unsigned line;
        const char *set; /* the --set assignment */
        unsigned order;  /* 0: the default; larger: assigned later */
};

struct origins {
        struct origin key[N_KEYS];
        unsigned n;
};

/* Adds one error to err (which may be NULL): the first fills message, the
 * next ones more[]. Messages are truncated quietly: the location and the
 * key come first. */
_printf_(2, 3) void config_error_set(struct config_error *err, const char *fmt, ...);
/* Empties err (which may be NULL): each public load or check starts so, and
 * err then holds its own errors only. */
void config_error_reset(struct config_error *err);

/* Checks one key's current value in c: range, list length, items. With
 * partial, a list may still be too short (more lines may follow). */
int config_check_value(const struct key_def *k, const struct config *c, bool partial, char *msg,
                       size_t size);

/* Parses value into k's field of c, then checks it. On failure msg says
 * why (without the location) and the field may hold the bad value: c is
 * always a scratch copy. */
int config_apply(struct config *c, const struct key_def *k, const char *value, bool append_items,
                 bool partial, char *msg, size_t size);

void config_origin_set(struct origins *o, const struct key_def *k, const char *file, unsigned line,
                       const char *set);

/* Loads path into c (a scratch copy: on failure it is half-loaded). */
int config_load_file_into(struct config *c, const char *path, struct origins *origins,
                          struct config_error *err);
