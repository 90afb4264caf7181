/* Reading a configuration: each value parsed into its field and checked,
 * the INI file through inih with a reader that counts lines (and refuses what
 * inih would get wrong), --set overrides, the checks across keys, and
 * config_load_all. What each key is comes from the table in config.c. */
#include "config/config-internal.h"

#include <ini.h>
#include <stdarg.h>

#include "base/util.h"
#include "config/value.h"

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

/* Fills err (which may be NULL). Messages are truncated quietly: the
 * location and the key come first. */
_printf_(2, 3) static void error_set(struct config_error *err, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
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
static int check_value(const struct key_def *k, const struct config *c, bool partial, char *msg,
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
static int apply(struct config *c, const struct key_def *k, const char *value, bool append_items,
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
        return check_value(k, c, partial, msg, size);
}

/* State of one file load. inih's handler gets no line number in Debian's
 * build (INI_HANDLER_LINENO is 0), so lines are fed through our reader,
 * which counts them, and which also refuses what inih would get wrong:
 * over-long lines (split silently) and unknown empty sections (never
 * reported). */
struct loader {
        struct config *c;
        const char *path;
        FILE *f;
        char *raw;
        size_t raw_size;
        unsigned line;
        bool indented;              /* the current line starts with whitespace */
        bool saw_section;           /* a [section] line was read */
        const struct key_def *prev; /* the key an indented line continues */
        unsigned set_line[N_KEYS];  /* where this file set each key */
        struct origins *origins;    /* NULL: not tracked */
        int r;
        unsigned error_line;
        struct config_error *err;
};

_printf_(2, 3) static void loader_fail(struct loader *l, const char *fmt, ...)
{
        char body[MSG_MAX];
        va_list ap;

        if (l->r < 0)
                return;
        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);
        error_set(l->err, "%s:%u: %s", l->path, l->line, body);
        l->r = -EINVAL;
        l->error_line = l->line;
}

/* "[name]" with a known name, then only blanks or a comment. */
static bool is_section_header(const char *p)
{
        char name[64], msg[MSG_MAX];
        const char *end = strchr(p, ']');
        size_t len;

        if (!end)
                return false;
        len = (size_t)(end - p - 1);
        end += 1 + strspn(end + 1, " \t");
        if (len >= sizeof name || (*end && *end != ';' && *end != '#'))
                return false;
        memcpy(name, p + 1, len);
        name[len] = 0;
        return config_section_check(name, msg, sizeof msg) == 0;
}

static char *reader(char *str, int num, void *stream)
{
        struct loader *l = stream;
        char msg[MSG_MAX];
        ssize_t n;
        size_t len;
        char *p;

        if (l->r < 0)
                return NULL;
        errno = 0;
        n = getline(&l->raw, &l->raw_size, l->f);
        if (n < 0) {
                if (ferror(l->f)) {
                        int e = errno > 0 ? errno : EIO;
                        error_set(l->err, "%s: read error: %s", l->path, strerror(e));
                        l->r = -e;
                        l->error_line = l->line + 1;
                }
                return NULL;
        }
        l->line++;
        len = (size_t)n;
        if (memchr(l->raw, 0, len)) {
                loader_fail(l, "line contains a NUL byte");
                return NULL;
        }
        /* What an editor or a configuration tool writes ends with a newline;
         * a last line without one is most likely cut short by a write still
         * under way (or one that failed), and its value may be a prefix. */
        if (l->raw[len - 1] != '\n') {
                loader_fail(l, "the file ends inside this line (no newline at its end): an "
                               "incomplete write?");
                return NULL;
        }
        while (len > 0 && (l->raw[len - 1] == '\n' || l->raw[len - 1] == '\r'))
                l->raw[--len] = 0;
        if (num < 3 || len > (size_t)num - 3) {
                loader_fail(l,
                            "line is %zu characters long, at most %d fit; continue a long "
                            "list on indented lines",
                            len, num - 3);
                return NULL;
        }

        p = l->raw;
        if (l->line == 1 && startswith(p, "\xEF\xBB\xBF"))
                p += 3;
        l->indented = *p == ' ' || *p == '\t';
        p += strspn(p, " \t");
        /* inih reads an indented line after a key as a continuation before
         * it looks for a '[': so does this reader for a list, where an item
         * may start with '[' (a pattern), unless the line is exactly the
         * header of a known section, which is a misplaced header. */
        if (*p == '[' &&
            !(l->indented && l->prev && l->prev->type == KEY_LIST && !is_section_header(p))) {
                char *end = strchr(p, ']');
                const char *rest;
                if (l->indented) {
                        loader_fail(l, "a section header must start at the beginning of its line");
                        return NULL;
                }
                if (!end) {
                        loader_fail(l, "expected ']' after the section name");
                        return NULL;
                }
                rest = end + 1 + strspn(end + 1, " \t");
                if (*rest && *rest != ';' && *rest != '#') {
                        loader_fail(l, "unexpected text after the section header");
                        return NULL;
                }
                *end = 0;
                if (config_section_check(p + 1, msg, sizeof msg) < 0) {
                        loader_fail(l, "%s", msg);
                        return NULL;
                }
                *end = ']';
                l->prev = NULL;
                l->saw_section = true;
        } else if (*p && !strchr(";#", *p) && !(l->indented && l->prev) && !strpbrk(p, "=:")) {
                loader_fail(l, "expected 'key = value' or '[section]', not '%.64s'", p);
                return NULL;
        }

        memcpy(str, l->raw, len);
        str[len] = '\n';
        str[len + 1] = 0;
        return str;
}

static void origin_set(struct origins *o, const struct key_def *k, const char *file, unsigned line,
                       const char *set)
{
        if (o)
                o->key[k - config_keys] =
                    (struct origin){.file = file, .line = line, .set = set, .order = ++o->n};
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
        struct loader *l = user;
        const struct key_def *k;
        char msg[MSG_MAX];
        size_t idx;
        bool cont = l->indented && l->prev;

        if (l->r < 0)
                return 0;
        if (cont) {
                k = l->prev;
                if (k->type != KEY_LIST) {
                        loader_fail(l,
                                    "[%s] %s: an indented line continues the previous key, and "
                                    "only lists take several lines; start keys at the beginning "
                                    "of the line",
                                    k->section, k->key);
                        return 0;
                }
                if (strchr(value, '=')) {
                        loader_fail(l,
                                    "[%s] %s: an indented line continues this list; start keys "
                                    "at the beginning of the line",
                                    k->section, k->key);
                        return 0;
                }
        } else {
                if (config_key_lookup(section, name, &k, msg, sizeof msg) < 0) {
                        loader_fail(l, "%s", msg);
                        return 0;
                }
                idx = (size_t)(k - config_keys);
                if (l->set_line[idx]) {
                        loader_fail(l, "[%s] %s: already set on line %u", k->section, k->key,
                                    l->set_line[idx]);
                        return 0;
                }
                l->set_line[idx] = l->line;
                l->prev = k;
                origin_set(l->origins, k, l->path, l->line, NULL);
        }
        if (apply(l->c, k, value, cont, true, msg, sizeof msg) < 0) {
                loader_fail(l, "[%s] %s: %s", k->section, k->key, msg);
                return 0;
        }
        return 1;
}

/* Loads path into c (a scratch copy: on failure it is half-loaded). */
static int load_file(struct config *c, const char *path, struct origins *origins,
                     struct config_error *err)
{
        _cleanup_fclose_ FILE *f = NULL;
        struct loader *l;
        char msg[MSG_MAX];
        int r;

        f = fopen(path, "re");
        if (!f) {
                r = -errno;
                error_set(err, "%s: %s", path, strerror(-r));
                return r;
        }
        l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        *l = (struct loader){.c = c, .path = path, .f = f, .origins = origins, .err = err};

        r = ini_parse_stream(reader, l, handler, l);
        if (r < 0 && l->r == 0) {
                l->r = -ENOMEM;
                error_set(err, "%s: out of memory", path);
        } else if (r > 0 && (l->r == 0 || (unsigned)r < l->error_line)) {
                /* A line inih refused that our reader let through. */
                l->r = -EINVAL;
                error_set(err, "%s:%d: expected 'key = value' or '[section]'", path, r);
        }
        /* A file truncated to nothing (or to its comments) would otherwise
         * load as the built-in defaults: a different scope, live kills. */
        if (l->r == 0 && !l->saw_section) {
                l->r = -EINVAL;
                if (l->line == 0)
                        error_set(err,
                                  "%s:1: the file is empty; a configuration has at least one "
                                  "[section] (an incomplete write?)",
                                  path);
                else
                        error_set(err,
                                  "%s:%u: no [section] in the file, only comments and blank "
                                  "lines (an incomplete write?)",
                                  path, l->line);
        }
        /* Lists may span lines: their length is final only at the end. */
        for (size_t i = 0; l->r == 0 && i < N_KEYS; i++) {
                if (!l->set_line[i] || check_value(&config_keys[i], c, false, msg, sizeof msg) >= 0)
                        continue;
                l->r = -EINVAL;
                error_set(err, "%s:%u: [%s] %s: %s", path, l->set_line[i], config_keys[i].section,
                          config_keys[i].key, msg);
        }
        r = l->r;
        free(l->raw);
        free(l);
        return r;
}

int config_load_file(struct config *c, const char *path, struct config_error *err)
{
        _cleanup_free_ struct config *copy = malloc(sizeof *copy);
        int r;

        if (!copy)
                return -ENOMEM;
        *copy = *c;
        r = load_file(copy, path, NULL, err);
        if (r < 0)
                return r;
        *c = *copy;
        return 0;
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
        error_set(err, "--set %.80s%s: %s", assignment, strlen(assignment) > 80 ? "..." : "", body);
        return -EINVAL;
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
        if (apply(copy, k, value, false, false, msg, sizeof msg) < 0)
                return set_fail(err, assignment, "[%s] %s: %s", k->section, k->key, msg);
        *c = *copy;
        origin_set(origins, k, NULL, 0, assignment);
        return 0;
}

int config_set(struct config *c, const char *assignment, struct config_error *err)
{
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
                if (check_value(&config_keys[i], c, false, msg, sizeof msg) >= 0)
                        continue;
                origin_prefix(origins, &config_keys[i], where, sizeof where);
                error_set(err, "%s[%s] %s: %s", where, config_keys[i].section, config_keys[i].key,
                          msg);
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
                error_set(err, "%s[%s] %s = %s is longer than [%s] %s = %s: %s", where, a->section,
                          a->key, va, b->section, b->key, vb, rel->why);
                return -EINVAL;
        }

        if (c->action.mode == ACTION_MODE_FREEZE_KILL && c->action.freeze_grace_usec == 0) {
                const struct key_def *mode = key_get("action", "mode");
                const struct key_def *grace = key_get("action", "freeze_grace");
                origin_prefix(origins, origin_latest(origins, mode, grace), where, sizeof where);
                error_set(err,
                          "%s[action] mode = freeze-kill with freeze_grace = 0s: the "
                          "group would be killed at once; use mode = kill",
                          where);
                return -EINVAL;
        }
        return 0;
}

int config_validate(const struct config *c, struct config_error *err)
{
        return validate(c, NULL, err);
}

static int load_all(struct config *ret, const char *path, bool reloading, const char *const *sets,
                    unsigned n_sets, struct config_error *err)
{
        _cleanup_free_ struct config *c = malloc(sizeof *c);
        _cleanup_free_ struct origins *origins = calloc(1, sizeof *origins);
        int r;

        if (!c || !origins)
                return -ENOMEM;
        config_init(c);

        r = load_file(c, path ?: CONFIG_DEFAULT_PATH, origins, err);
        if (r == -ENOENT && !path && !reloading) {
                /* No file at the default path: the built-in defaults. */
                config_init(c);
                memset(origins, 0, sizeof *origins);
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
