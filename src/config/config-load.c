/* Loading a configuration: each value parsed into its field and checked,
 * --set overrides, the checks across keys, and config_load_all; the INI
 * file itself is config-file.c's. What each key is comes from the table in
 * config.c. */
#include "config/config-internal.h"

#include <stdarg.h>

#include "base/util.h"
#include "config/value.h"

_printf_(2, 3) void config_error_set(struct config_error *err, const char *fmt, ...)
{
        va_list ap;
        char *slot;

        if (!err)
                return;
        if (err->n == 0)
                slot = err->message;
        else if (err->n - 1 < CONFIG_ERRORS_MORE)
                slot = err->more[err->n - 1];
        else
                slot = NULL;
        err->n++;
        if (!slot)
                return;
        va_start(ap, fmt);
        vsnprintf(slot, sizeof err->message, fmt, ap);
        va_end(ap);
}

void config_error_reset(struct config_error *err)
{
        if (err) {
                err->n = 0;
                err->message[0] = 0;
        }
}

const char *config_error_get(const struct config_error *err, unsigned i)
{
        if (i >= err->n || i > CONFIG_ERRORS_MORE)
                return NULL;
        return i == 0 ? err->message : err->more[i - 1];
}

/* Characters that would not survive config_print and a re-read: separators,
 * comment starts, quotes that a person did not mean literally. */
static int check_item_text(const char *item, char *msg, size_t size)
{
        size_t len = strlen(item);

        if (len == 0) {
                snprintf(msg, size, "empty item");
                return -EINVAL;
        }
        if (len > ITEM_MAX_CHARS) {
                snprintf(msg, size, "'%.40s...' is %zu characters long; an item has at most %d",
                         item, len, ITEM_MAX_CHARS);
                return -EINVAL;
        }
        if (item[0] == '#' || item[0] == ';') {
                snprintf(msg, size, "'%.64s' would read as a comment", item);
                return -EINVAL;
        }
        for (const char *p = item; *p; p++) {
                unsigned char ch = (unsigned char)*p;
                if (ch <= ' ' || ch == 0x7f || ch == ',') {
                        snprintf(msg, size, "item contains a space, comma or control character");
                        return -EINVAL;
                }
                if (ch == '"' || ch == '\'') {
                        snprintf(msg, size,
                                 "'%.64s': no quotes needed, items are separated by spaces or "
                                 "commas",
                                 item);
                        return -EINVAL;
                }
                if (ch == '=') {
                        snprintf(msg, size, "'%.64s' contains '='", item);
                        return -EINVAL;
                }
        }
        return 0;
}

/* Checks one key's current value in c: range, list length, items. With
 * partial, a list may still be too short (more lines may follow). */
int config_check_value(const struct key_def *k, const struct config *c, bool partial, char *msg,
                       size_t size)
{
        const void *p = cfield_of(c, k);
        char value[64], accepted[160];
        bool ok = true;

        switch (k->type) {
        case KEY_BOOL:
                return 0;
        case KEY_DURATION: {
                uint64_t v = *(const uint64_t *)p;
                ok = v >= (uint64_t)k->min && v <= (uint64_t)k->max;
                break;
        }
        case KEY_PERCENT:
        case KEY_RATE: {
                double v = *(const double *)p;
                ok = v >= k->min && v <= k->max;
                break;
        }
        case KEY_UINT: {
                unsigned v = *(const unsigned *)p;
                ok = v >= (unsigned)k->min && v <= (unsigned)k->max;
                break;
        }
        case KEY_SIZE: {
                const struct size_or_pct *s = p;
                ok = s->is_pct ? s->pct >= k->min_pct && s->pct <= k->max_pct
                               : s->bytes >= (uint64_t)k->min && s->bytes <= (uint64_t)k->max;
                break;
        }
        case KEY_ENUM: {
                int v = enum_get(c, k);
                ok = v >= 0 && (unsigned)v < names_count(k->names);
                break;
        }
        case KEY_LIST: {
                const struct pattern_list *l = p;
                if (l->n > (unsigned)k->max) {
                        snprintf(msg, size, "%u items; at most %g are allowed", l->n, k->max);
                        return -EINVAL;
                }
                if (!partial && l->n < (unsigned)k->min) {
                        snprintf(msg, size, "empty; at least %g item is needed", k->min);
                        return -EINVAL;
                }
                for (unsigned i = 0; i < l->n; i++) {
                        const char *item = l->items[i];
                        if (!memchr(item, 0, CONFIG_PATTERN_MAX)) {
                                snprintf(msg, size, "item %u is not terminated", i);
                                return -EINVAL;
                        }
                        if (check_item_text(item, msg, size) < 0)
                                return -EINVAL;
                        if (k->check_item && k->check_item(item, msg, size) < 0)
                                return -EINVAL;
                        for (unsigned j = 0; k->unique && j < i; j++)
                                if (streq(l->items[j], item)) {
                                        snprintf(msg, size, "'%.64s' is listed twice", item);
                                        return -EINVAL;
                                }
                }
                return 0;
        }
        }
        if (ok)
                return 0;
        config_format_scalar(k, c, value, sizeof value);
        config_describe_accepted(k, accepted, sizeof accepted);
        snprintf(msg, size, "value %s is out of range: expected %s", value, accepted);
        return -EINVAL;
}

/* Splits value at spaces and commas into l (after what is there when
 * appending). The whole list is rewritten from zero so that unused slots
 * stay zero. */
static int list_parse(const char *value, bool append_items, struct pattern_list *l, char *msg,
                      size_t size)
{
        static const char seps[] = " \t,";
        struct pattern_list *tmp = malloc(sizeof *tmp);
        const char *p = value;

        if (!tmp)
                return -ENOMEM;
        memset(tmp, 0, sizeof *tmp);
        if (append_items)
                *tmp = *l;
        for (p += strspn(p, seps); *p; p += strspn(p, seps)) {
                size_t len = strcspn(p, seps);
                if (tmp->n >= CONFIG_MAX_PATTERNS) {
                        snprintf(msg, size, "more than %d items", CONFIG_MAX_PATTERNS);
                        free(tmp);
                        return -EINVAL;
                }
                if (len > ITEM_MAX_CHARS) {
                        snprintf(msg, size,
                                 "'%.40s...' is %zu characters long; an item has at most %d", p,
                                 len, ITEM_MAX_CHARS);
                        free(tmp);
                        return -EINVAL;
                }
                memcpy(tmp->items[tmp->n++], p, len);
                p += len;
        }
        *l = *tmp;
        free(tmp);
        return 0;
}

/* Parses value into k's field of c, then checks it. On failure msg says
 * why (without the location) and the field may hold the bad value: c is
 * always a scratch copy. */
int config_apply(struct config *c, const struct key_def *k, const char *value, bool append_items,
                 bool partial, char *msg, size_t size)
{
        void *p = field_of(c, k);
        char accepted[160];
        int r = 0;

        switch (k->type) {
        case KEY_BOOL:
                r = bool_parse(value, p);
                break;
        case KEY_DURATION:
                r = duration_parse(value, p);
                break;
        case KEY_PERCENT:
                r = percent_parse(value, p);
                break;
        case KEY_RATE:
                r = number_parse(value, p);
                break;
        case KEY_UINT:
                r = uint_parse(value, p);
                break;
        case KEY_SIZE:
                r = size_parse(value, p);
                break;
        case KEY_ENUM:
                r = -EINVAL;
                for (int i = 0; k->names[i]; i++)
                        if (streq(value, k->names[i])) {
                                memcpy(p, &i, sizeof i);
                                r = 0;
                        }
                break;
        case KEY_LIST:
                r = list_parse(value, append_items, p, msg, size);
                if (r < 0)
                        return r;
                break;
        }
        if (r < 0) {
                config_describe_accepted(k, accepted, sizeof accepted);
                snprintf(msg, size, "bad value '%.64s%s': expected %s", value,
                         strlen(value) > 64 ? "..." : "", accepted);
                /* inih strips "; comment" only; "#" comments must stand alone. */
                if (strstr(value, " #") || strstr(value, "\t#"))
                        str_appendf(msg, size,
                                    "; '#' starts a comment only at the beginning of a "
                                    "line, use ';' after a value");
                if (k->type == KEY_ENUM) {
                        const char *best =
                            config_best_match(value, k->names, names_count(k->names));
                        if (best)
                                str_appendf(msg, size, "; did you mean '%s'?", best);
                }
                return -EINVAL;
        }
        return config_check_value(k, c, partial, msg, size);
}

static char *strip(char *s)
{
        size_t len;

        s += strspn(s, " \t");
        len = strlen(s);
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                s[--len] = 0;
        return s;
}

_printf_(3, 4) static int set_fail(struct config_error *err, const char *assignment,
                                   const char *fmt, ...)
{
        char body[MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);
        config_error_set(err, "--set %.80s%s: %s", assignment, strlen(assignment) > 80 ? "..." : "",
                         body);
        return -EINVAL;
}

void config_origin_set(struct origins *o, const struct key_def *k, const char *file, unsigned line,
                       const char *set)
{
        if (o)
                o->key[k - config_keys] =
                    (struct origin){.file = file, .line = line, .set = set, .order = ++o->n};
}

static int set_one(struct config *c, const char *assignment, struct origins *origins,
                   struct config_error *err)
{
        _cleanup_free_ struct config *copy = NULL;
        _cleanup_free_ char *buf = strdup(assignment);
        const struct key_def *k;
        char msg[MSG_MAX];
        char *eq, *dot, *section, *key, *value;

        if (!buf)
                return -ENOMEM;
        eq = strchr(buf, '=');
        dot = eq ? memchr(buf, '.', (size_t)(eq - buf)) : NULL;
        if (!dot)
                return set_fail(err, assignment, "expected SECTION.KEY=VALUE");
        *eq = *dot = 0;
        section = strip(buf);
        key = strip(dot + 1);
        value = strip(eq + 1);
        if (config_key_lookup(section, key, &k, msg, sizeof msg) < 0)
                return set_fail(err, assignment, "%s", msg);

        copy = malloc(sizeof *copy);
        if (!copy)
                return -ENOMEM;
        *copy = *c;
        if (config_apply(copy, k, value, false, false, msg, sizeof msg) < 0)
                return set_fail(err, assignment, "[%s] %s: %s", k->section, k->key, msg);
        *c = *copy;
        config_origin_set(origins, k, NULL, 0, assignment);
        return 0;
}

int config_set(struct config *c, const char *assignment, struct config_error *err)
{
        config_error_reset(err);
        return set_one(c, assignment, NULL, err);
}

static const struct key_def *key_get(const char *section, const char *key)
{
        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(config_keys[i].section, section) && streq(config_keys[i].key, key))
                        return &config_keys[i];
        abort(); /* a typo in the relation table below */
}

/* "FILE:LINE: " or "--set S.K=V: " for where k was set; "" for a default. */
static void origin_prefix(const struct origins *o, const struct key_def *k, char *buf, size_t size)
{
        size_t i = (size_t)(k - config_keys);

        if (o && o->key[i].set)
                snprintf(buf, size, "--set %.80s: ", o->key[i].set);
        else if (o && o->key[i].file)
                snprintf(buf, size, "%s:%u: ", o->key[i].file, o->key[i].line);
        else
                buf[0] = 0;
}

/* Of two keys that contradict each other, the one assigned last made the
 * contradiction (a default is never the mistake). */
static const struct key_def *origin_latest(const struct origins *o, const struct key_def *a,
                                           const struct key_def *b)
{
        if (!o)
                return a;
        return o->key[b - config_keys].order > o->key[a - config_keys].order ? b : a;
}

/* Duration a must not exceed duration b. */
static const struct relation {
        const char *section_a, *key_a, *section_b, *key_b;
        bool thrash_only; /* irrelevant while [thrash] enabled = false */
        const char *why;
} relations[] = {
    {"shortage", "window", "shortage", "duration", false,
     "the stall measured over the window must persist for the duration"},
    {"thrash", "window", "thrash", "duration", true,
     "the thrash measured over the window must persist for the duration"},
    {"daemon", "interval", "daemon", "idle_interval", false,
     "the busy sampling interval cannot be slower than the idle one"},
    {"daemon", "interval", "shortage", "window", false,
     "a window shorter than the sampling interval cannot be measured"},
    {"daemon", "interval", "thrash", "window", true,
     "a window shorter than the sampling interval cannot be measured"},
    {"shortage", "window", "action", "cooldown", false,
     "after the cooldown the window would still hold the stall that caused the last "
     "action, and the rule would fire again at once"},
    {"thrash", "window", "action", "cooldown", true,
     "after the cooldown the window would still hold the stall that caused the last "
     "action, and the rule would fire again at once"},
};

static int validate(const struct config *c, const struct origins *origins, struct config_error *err)
{
        char msg[MSG_MAX], where[128], va[32], vb[32];

        for (size_t i = 0; i < N_KEYS; i++) {
                if (config_check_value(&config_keys[i], c, false, msg, sizeof msg) >= 0)
                        continue;
                origin_prefix(origins, &config_keys[i], where, sizeof where);
                config_error_set(err, "%s[%s] %s: %s", where, config_keys[i].section,
                                 config_keys[i].key, msg);
                return -EINVAL;
        }

        for (size_t i = 0; i < ARRAY_SIZE(relations); i++) {
                const struct relation *rel = &relations[i];
                const struct key_def *a = key_get(rel->section_a, rel->key_a);
                const struct key_def *b = key_get(rel->section_b, rel->key_b);

                if (rel->thrash_only && !c->thrash.enabled)
                        continue;
                if (*(const uint64_t *)cfield_of(c, a) <= *(const uint64_t *)cfield_of(c, b))
                        continue;
                origin_prefix(origins, origin_latest(origins, a, b), where, sizeof where);
                config_format_scalar(a, c, va, sizeof va);
                config_format_scalar(b, c, vb, sizeof vb);
                config_error_set(err, "%s[%s] %s = %s is longer than [%s] %s = %s: %s", where,
                                 a->section, a->key, va, b->section, b->key, vb, rel->why);
                return -EINVAL;
        }

        if (c->action.mode == ACTION_MODE_FREEZE_KILL && c->action.freeze_grace_usec == 0) {
                const struct key_def *mode = key_get("action", "mode");
                const struct key_def *grace = key_get("action", "freeze_grace");
                origin_prefix(origins, origin_latest(origins, mode, grace), where, sizeof where);
                config_error_set(err,
                                 "%s[action] mode = freeze-kill with freeze_grace = 0s: the "
                                 "group would be killed at once; use mode = kill",
                                 where);
                return -EINVAL;
        }
        return 0;
}

int config_validate(const struct config *c, struct config_error *err)
{
        config_error_reset(err);
        return validate(c, NULL, err);
}

static int load_all(struct config *ret, const char *path, bool reloading, const char *const *sets,
                    unsigned n_sets, struct config_error *err)
{
        _cleanup_free_ struct config *c = malloc(sizeof *c);
        _cleanup_free_ struct origins *origins = calloc(1, sizeof *origins);
        int r;

        config_error_reset(err);
        if (!c || !origins)
                return -ENOMEM;
        config_init(c);

        r = config_load_file_into(c, path ?: CONFIG_DEFAULT_PATH, origins, err);
        if (r == -ENOENT && !path && !reloading) {
                /* No file at the default path: the built-in defaults. */
                config_init(c);
                memset(origins, 0, sizeof *origins);
                config_error_reset(err);
        } else if (r < 0)
                return r;

        for (unsigned i = 0; i < n_sets; i++) {
                r = set_one(c, sets[i], origins, err);
                if (r < 0)
                        return r;
        }

        r = validate(c, origins, err);
        if (r < 0)
                return r;
        *ret = *c;
        return 0;
}

int config_load_all(struct config *ret, const char *path, const char *const *sets, unsigned n_sets,
                    struct config_error *err)
{
        return load_all(ret, path, false, sets, n_sets, err);
}

int config_reload_all(struct config *ret, const char *path, const char *const *sets,
                      unsigned n_sets, struct config_error *err)
{
        return load_all(ret, path, true, sets, n_sets, err);
}
