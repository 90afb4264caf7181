/* The INI file, through inih with a reader that counts lines and refuses
 * what inih would get wrong. */
#include "config/config-internal.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* State of one file load. inih's handler gets no line number in Debian's
 * build (INI_HANDLER_LINENO is 0), so lines are fed through our reader,
 * which counts them, and which also refuses what inih would get wrong:
 * over-long lines (split silently) and unknown empty sections (never
 * reported). The file is read to its end whatever it holds, so that every
 * error is reported at once: a refused line reaches inih as a blank one,
 * and what depends on it (the keys of a refused section, the indented
 * lines of a refused key) is passed over without errors of its own. */
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
        bool failed[N_KEYS];        /* a line setting this key was refused */
        bool in_bad_section;        /* after a refused [section] line */
        bool after_bad_key;         /* indented lines now continue a refused key */
        struct origins *origins;    /* NULL: not tracked */
        int r;                      /* the first error */
        unsigned error_line;        /* the last line with an error */
        struct config_error *err;
};

_printf_(2, 3) static void loader_fail(struct loader *l, const char *fmt, ...)
{
        char body[MSG_MAX];
        va_list ap;

        /* One error a line: the first thing wrong with it. */
        if (l->error_line == l->line && l->r < 0)
                return;
        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);
        config_error_set(l->err, "%s:%u: %s", l->path, l->line, body);
        if (l->r == 0)
                l->r = -EINVAL;
        l->error_line = l->line;
}

/* What the reader hands inih for a refused line. */
static char *blank_line(char *str)
{
        str[0] = '\n';
        str[1] = 0;
        return str;
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

/* The keys after a refused [section] line belong to no section we know:
 * they are passed over, and so is anything the previous section's last
 * key would take as its continuation. */
static char *bad_section(struct loader *l, char *str)
{
        l->in_bad_section = true;
        l->prev = NULL;
        return blank_line(str);
}

static char *reader(char *str, int num, void *stream)
{
        struct loader *l = stream;
        char msg[MSG_MAX];
        ssize_t n;
        size_t len;
        char *p;

        if (num < 3)
                return NULL;
        errno = 0;
        n = getline(&l->raw, &l->raw_size, l->f);
        if (n < 0) {
                if (ferror(l->f)) {
                        int e = errno > 0 ? errno : EIO;
                        config_error_set(l->err, "%s: read error: %s", l->path, strerror(e));
                        if (l->r == 0)
                                l->r = -e;
                }
                return NULL;
        }
        l->line++;
        len = (size_t)n;
        if (memchr(l->raw, 0, len)) {
                loader_fail(l, "line contains a NUL byte");
                return blank_line(str);
        }
        /* What an editor or a configuration tool writes ends with a newline;
         * a last line without one is most likely cut short by a write still
         * under way (or one that failed), and its value may be a prefix. */
        if (l->raw[len - 1] != '\n') {
                loader_fail(l, "the file ends inside this line (no newline at its end): an "
                               "incomplete write?");
                return blank_line(str);
        }
        while (len > 0 && (l->raw[len - 1] == '\n' || l->raw[len - 1] == '\r'))
                l->raw[--len] = 0;
        if (len > (size_t)num - 3) {
                loader_fail(l,
                            "line is %zu characters long, at most %d fit; continue a long "
                            "list on indented lines",
                            len, num - 3);
                return blank_line(str);
        }

        p = l->raw;
        if (l->line == 1 && startswith(p, "\xEF\xBB\xBF"))
                p += 3;
        l->indented = *p == ' ' || *p == '\t';
        p += strspn(p, " \t");
        if (l->indented && l->after_bad_key)
                return blank_line(str);
        if (*p && !strchr(";#", *p))
                l->after_bad_key = false;
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
                        return bad_section(l, str);
                }
                if (!end) {
                        loader_fail(l, "expected ']' after the section name");
                        return bad_section(l, str);
                }
                rest = end + 1 + strspn(end + 1, " \t");
                if (*rest && *rest != ';' && *rest != '#') {
                        loader_fail(l, "unexpected text after the section header");
                        return bad_section(l, str);
                }
                *end = 0;
                if (config_section_check(p + 1, msg, sizeof msg) < 0) {
                        loader_fail(l, "%s", msg);
                        return bad_section(l, str);
                }
                *end = ']';
                l->prev = NULL;
                l->saw_section = true;
                l->in_bad_section = false;
        } else if (*p && !strchr(";#", *p) && !(l->indented && l->prev) && !strpbrk(p, "=:")) {
                loader_fail(l, "expected 'key = value' or '[section]', not '%.64s'", p);
                return blank_line(str);
        }

        memcpy(str, l->raw, len);
        str[len] = '\n';
        str[len + 1] = 0;
        return str;
}

/* After an error on a key's line (k: the key whose value it was, or NULL
 * when the line set no key). Always 1: inih goes on to the next line. */
static int key_refused(struct loader *l, const struct key_def *k)
{
        if (k)
                l->failed[k - config_keys] = true;
        l->after_bad_key = true;
        l->prev = NULL;
        return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
        struct loader *l = user;
        const struct key_def *k;
        char msg[MSG_MAX];
        size_t idx;
        bool cont = l->indented && l->prev;

        if (l->in_bad_section)
                return 1;
        if (cont) {
                k = l->prev;
                if (k->type != KEY_LIST) {
                        loader_fail(l,
                                    "[%s] %s: an indented line continues the previous key, and "
                                    "only lists take several lines; start keys at the beginning "
                                    "of the line",
                                    k->section, k->key);
                        return key_refused(l, k);
                }
                if (strchr(value, '=')) {
                        loader_fail(l,
                                    "[%s] %s: an indented line continues this list; start keys "
                                    "at the beginning of the line",
                                    k->section, k->key);
                        return key_refused(l, k);
                }
        } else {
                if (config_key_lookup(section, name, &k, msg, sizeof msg) < 0) {
                        loader_fail(l, "%s", msg);
                        return key_refused(l, NULL);
                }
                idx = (size_t)(k - config_keys);
                if (l->set_line[idx]) {
                        loader_fail(l, "[%s] %s: already set on line %u", k->section, k->key,
                                    l->set_line[idx]);
                        return key_refused(l, NULL);
                }
                l->set_line[idx] = l->line;
                l->failed[idx] = false;
                l->prev = k;
                config_origin_set(l->origins, k, l->path, l->line, NULL);
        }
        if (config_apply(l->c, k, value, cont, true, msg, sizeof msg) < 0) {
                loader_fail(l, "[%s] %s: %s", k->section, k->key, msg);
                return key_refused(l, k);
        }
        return 1;
}

/* Loads path into c (a scratch copy: on failure it is half-loaded). */
int config_load_file_into(struct config *c, const char *path, struct origins *origins,
                          struct config_error *err)
{
        _cleanup_fclose_ FILE *f = NULL;
        struct loader *l;
        char msg[MSG_MAX];
        int r;

        f = fopen(path, "re");
        if (!f) {
                r = -errno;
                config_error_set(err, "%s: %s", path, strerror(-r));
                return r;
        }
        l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        *l = (struct loader){.c = c, .path = path, .f = f, .origins = origins, .err = err};

        r = ini_parse_stream(reader, l, handler, l);
        if (r < 0 && l->r == 0) {
                l->r = -ENOMEM;
                config_error_set(err, "%s: out of memory", path);
        } else if (r > 0) {
                /* A line inih refused that our reader let through (inih
                 * names only the first such line). */
                if (l->r == 0)
                        l->r = -EINVAL;
                config_error_set(err, "%s:%d: expected 'key = value' or '[section]'", path, r);
        }
        /* A file truncated to nothing (or to its comments) would otherwise
         * load as the built-in defaults: a different scope, live kills. */
        if (l->r == 0 && !l->saw_section) {
                l->r = -EINVAL;
                if (l->line == 0)
                        config_error_set(
                            err,
                            "%s:1: the file is empty; a configuration has at least one "
                            "[section] (an incomplete write?)",
                            path);
                else
                        config_error_set(err,
                                         "%s:%u: no [section] in the file, only comments and blank "
                                         "lines (an incomplete write?)",
                                         path, l->line);
        }
        /* Lists may span lines: their length is final only at the end. */
        for (size_t i = 0; i < N_KEYS; i++) {
                if (!l->set_line[i] || l->failed[i] ||
                    config_check_value(&config_keys[i], c, false, msg, sizeof msg) >= 0)
                        continue;
                if (l->r == 0)
                        l->r = -EINVAL;
                config_error_set(err, "%s:%u: [%s] %s: %s", path, l->set_line[i],
                                 config_keys[i].section, config_keys[i].key, msg);
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

        config_error_reset(err);
        if (!copy)
                return -ENOMEM;
        *copy = *c;
        r = config_load_file_into(copy, path, NULL, err);
        if (r < 0)
                return r;
        *c = *copy;
        return 0;
}
