/* Configuration. One table of keys (section, key, type, offset, range, help)
 * drives parsing, --set, validation, printing and the did-you-mean
 * suggestions, so a key is added in exactly one place. */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <ini.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>

#include "util.h"

#define USEC_PER_MIN  (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define KIB           ((uint64_t)1024)
#define MIB           (KIB * KIB)
#define TIB           (MIB * MIB)
#define PIB           (TIB * KIB)

/* inih reads into a fixed INI_MAX_LINE buffer that must also hold "\r\n\0";
 * a longer line would be split silently, so the reader refuses it. Lists
 * therefore continue on indented lines, and one item must fit on such a
 * line. */
#define LINE_MAX_CHARS (INI_MAX_LINE - 3)
#define CONT_INDENT    "  "
#define ITEM_MAX_CHARS (LINE_MAX_CHARS - (int)(sizeof(CONT_INDENT) - 1))
/* config_print wraps lists here; an item longer than that gets its own line. */
#define PRINT_WIDTH 100

/* The kernel keeps TASK_COMM_LEN - 1 characters of a process name. */
#define COMM_MAX_CHARS 15

#define MSG_MAX 400

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

static const char *const cgroup_mode_names[] = {
    [CGROUP_MODE_AUTO] = "auto",
    [CGROUP_MODE_V2] = "v2",
    [CGROUP_MODE_HYBRID] = "hybrid",
    [CGROUP_MODE_V1] = "v1",
    NULL,
};

static const char *const action_mode_names[] = {
    [ACTION_MODE_KILL] = "kill",
    [ACTION_MODE_FREEZE] = "freeze",
    [ACTION_MODE_FREEZE_KILL] = "freeze-kill",
    NULL,
};

/* Enums are read and written through int with memcpy. */
_Static_assert(sizeof(enum cgroup_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum action_mode) == sizeof(int), "enum size");

static int check_scope(const char *item, char *msg, size_t size);
static int check_cgroup_pattern(const char *item, char *msg, size_t size);
static int check_comm(const char *item, char *msg, size_t size);

/* The offset of a field, refusing to compile when its type is not the one
 * the key's type expects. */
#define FIELD(field, ctype)                                                                        \
        (offsetof(struct config, field) +                                                          \
         0 * sizeof(                                                                               \
                 char[__builtin_types_compatible_p(__typeof__(((struct config *)0)->field), ctype) \
                          ? 1                                                                      \
                          : -1]))

#define K_BOOL(s, k, f, h)                                                                         \
        {                                                                                          \
                .section = s, .key = k, .type = KEY_BOOL, .offset = FIELD(f, bool), .help = h      \
        }
#define K_DURATION(s, k, f, lo, hi, h)                                                             \
        {                                                                                          \
                .section = s, .key = k, .type = KEY_DURATION, .offset = FIELD(f, uint64_t),        \
                .min = (double)(lo), .max = (double)(hi), .help = h                                \
        }
#define K_PERCENT(s, k, f, lo, hi, h)                                                              \
        {                                                                                          \
                .section = s, .key = k, .type = KEY_PERCENT, .offset = FIELD(f, double),           \
                .min = lo, .max = hi, .help = h                                                    \
        }
#define K_RATE(s, k, f, lo, hi, h)                                                                 \
        {                                                                                          \
                .section = s, .key = k, .type = KEY_RATE, .offset = FIELD(f, double), .min = lo,   \
                .max = hi, .help = h                                                               \
        }
#define K_UINT(s, k, f, lo, hi, h)                                                                 \
        {                                                                                          \
                .section = s, .key = k, .type = KEY_UINT, .offset = FIELD(f, unsigned), .min = lo, \
                .max = hi, .help = h                                                               \
        }
#define K_ENUM(s, k, f, etype, n, h)                                                               \
        {                                                                                          \
                .section = s, .key = k, .type = KEY_ENUM, .offset = FIELD(f, etype), .names = n,   \
                .help = h                                                                          \
        }
#define K_LIST(s, k, f, lo, hi, uniq, check, h)                                                    \
        {                                                                                          \
                .section = s, .key = k, .type = KEY_LIST, .offset = FIELD(f, struct pattern_list), \
                .min = lo, .max = hi, .unique = uniq, .check_item = check, .help = h               \
        }

/* Sections appear in this order in config_print and in the conf file. The
 * ranges are sanity bounds: beyond them a value is a typo or a misreading
 * of the unit, not a tuning choice. */
static const struct key_def keys[] = {
    K_LIST("daemon", "scopes", daemon.scopes, 1, CONFIG_MAX_SCOPES, true, check_scope,
           "cgroup subtrees to guard; / is the whole node"),
    K_BOOL("daemon", "dry_run", daemon.dry_run, "decide and report, never touch a process"),
    K_DURATION("daemon", "interval", daemon.interval_usec, 100 * USEC_PER_MSEC, USEC_PER_MIN,
               "sampling interval while a rule is warming"),
    K_DURATION("daemon", "idle_interval", daemon.idle_interval_usec, 100 * USEC_PER_MSEC,
               USEC_PER_HOUR, "floor timer while all is quiet (PSI triggers wake earlier)"),
    K_ENUM("daemon", "cgroup_mode", daemon.cgroup_mode, enum cgroup_mode, cgroup_mode_names,
           "cgroup layout: auto, v2, hybrid or v1"),

    K_PERCENT("shortage", "some_pct", shortage.some_pct, 1, 100,
              "some-stall share over the window that counts as stalled"),
    K_PERCENT("shortage", "full_pct", shortage.full_pct, 1, 100,
              "full-stall share over the window that counts as stalled"),
    K_DURATION("shortage", "window", shortage.window_usec, 100 * USEC_PER_MSEC, USEC_PER_MIN,
               "stall share is measured over this window"),
    K_DURATION("shortage", "duration", shortage.duration_usec, 100 * USEC_PER_MSEC, USEC_PER_HOUR,
               "stall and low headroom must hold this long"),
    {.section = "shortage",
     .key = "min_headroom",
     .type = KEY_SIZE,
     .offset = FIELD(shortage.min_headroom, struct size_or_pct),
     .min = (double)MIB,
     .max = (double)PIB,
     .min_pct = 1,
     .max_pct = 90,
     .help = "headroom below this (size, or % of the scope's limit or MemTotal) is low"},

    K_BOOL("thrash", "enabled", thrash.enabled, "detect a container thrashing at its own limit"),
    K_PERCENT("thrash", "full_pct", thrash.full_pct, 1, 100,
              "the group's own full-stall share that counts as thrashing"),
    K_RATE("thrash", "refault_per_s", thrash.refault_per_s, 0, 1e9,
           "refaults + major faults per second (pages); 0: stall alone"),
    K_PERCENT("thrash", "limit_pct", thrash.limit_pct, 50, 100,
              "usage at or above this share of its limit counts as at the limit"),
    K_DURATION("thrash", "window", thrash.window_usec, 100 * USEC_PER_MSEC, USEC_PER_MIN,
               "stall and refault rate are measured over this window"),
    K_DURATION("thrash", "duration", thrash.duration_usec, USEC_PER_SEC, USEC_PER_HOUR,
               "the thrash must hold this long"),

    K_ENUM("action", "mode", action.mode, enum action_mode, action_mode_names,
           "kill, freeze, or freeze-kill (freeze, kill after freeze_grace)"),
    K_DURATION("action", "freeze_grace", action.freeze_grace_usec, 0, USEC_PER_HOUR,
               "freeze-kill: how long a frozen group may wait before the kill"),
    K_DURATION("action", "cooldown", action.cooldown_usec, USEC_PER_SEC, USEC_PER_HOUR,
               "no new action in a scope for this long after one"),
    K_DURATION("action", "kill_timeout", action.kill_timeout_usec, 100 * USEC_PER_MSEC,
               10 * USEC_PER_MIN, "how long to wait for a killed group to empty"),

    K_LIST("protect", "cgroups", protect.cgroups, 0, CONFIG_MAX_PATTERNS, false,
           check_cgroup_pattern, "cgroup path patterns never acted on"),
    K_LIST("protect", "comms", protect.comms, 0, CONFIG_MAX_PATTERNS, false, check_comm,
           "groups holding a process of this name are never acted on"),

    K_LIST("rank", "prefer", rank.prefer, 0, CONFIG_MAX_PATTERNS, false, NULL,
           "patterns of groups to choose first"),
    K_LIST("rank", "avoid", rank.avoid, 0, CONFIG_MAX_PATTERNS, false, NULL,
           "patterns of groups to choose last"),

    K_BOOL("alert", "journal", alert.journal, "write decisions to the journal (else stderr)"),
    K_UINT("alert", "top", alert.top, 0, 100, "candidates logged with each decision"),
};

#define N_KEYS ARRAY_SIZE(keys)

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

static void *field_of(struct config *c, const struct key_def *k)
{
        return (char *)c + k->offset;
}

static const void *cfield_of(const struct config *c, const struct key_def *k)
{
        return (const char *)c + k->offset;
}

static int enum_get(const struct config *c, const struct key_def *k)
{
        int v;
        memcpy(&v, cfield_of(c, k), sizeof v);
        return v;
}

static unsigned names_count(const char *const *names)
{
        unsigned n = 0;
        while (names[n])
                n++;
        return n;
}

void config_init(struct config *c)
{
        /* Zero first: unused list slots and padding compare equal. */
        memset(c, 0, sizeof *c);

        c->daemon.scopes.n = 1;
        strcpy(c->daemon.scopes.items[0], "/");
        c->daemon.dry_run = false;
        c->daemon.interval_usec = 500 * USEC_PER_MSEC;
        c->daemon.idle_interval_usec = 5 * USEC_PER_SEC;
        c->daemon.cgroup_mode = CGROUP_MODE_AUTO;

        c->shortage.some_pct = 30;
        c->shortage.full_pct = 10;
        c->shortage.window_usec = 1 * USEC_PER_SEC;
        c->shortage.duration_usec = 2 * USEC_PER_SEC;
        c->shortage.min_headroom = (struct size_or_pct){.pct = 10, .is_pct = true};

        c->thrash.enabled = true;
        c->thrash.full_pct = 15;
        c->thrash.refault_per_s = 1000;
        c->thrash.limit_pct = 95;
        c->thrash.window_usec = 2 * USEC_PER_SEC;
        c->thrash.duration_usec = 10 * USEC_PER_SEC;

        c->action.mode = ACTION_MODE_KILL;
        c->action.freeze_grace_usec = 10 * USEC_PER_SEC;
        c->action.cooldown_usec = 10 * USEC_PER_SEC;
        c->action.kill_timeout_usec = 5 * USEC_PER_SEC;

        c->protect.cgroups.n = 1;
        strcpy(c->protect.cgroups.items[0], "/init.scope");
        static const char *const comms[] = {
            "kubelet", "containerd", "containerd-shim*", "crio",        "conmon", "dockerd",
            "sshd",    "systemd",    "systemd-journal",  "thrashguard",
        };
        for (size_t i = 0; i < ARRAY_SIZE(comms); i++)
                strcpy(c->protect.comms.items[i], comms[i]);
        c->protect.comms.n = ARRAY_SIZE(comms);

        c->alert.journal = true;
        c->alert.top = 5;
}

const char *cgroup_mode_to_string(enum cgroup_mode m)
{
        return (unsigned)m < ARRAY_SIZE(cgroup_mode_names) - 1 ? cgroup_mode_names[m] : NULL;
}

const char *action_mode_to_string(enum action_mode m)
{
        return (unsigned)m < ARRAY_SIZE(action_mode_names) - 1 ? action_mode_names[m] : NULL;
}

bool pattern_list_match(const struct pattern_list *l, const char *s)
{
        for (unsigned i = 0; i < l->n && i < CONFIG_MAX_PATTERNS; i++)
                if (fnmatch(l->items[i], s, 0) == 0)
                        return true;
        return false;
}

/* Optimal string alignment distance, case-insensitive: a transposition
 * ("deamon") counts as one edit, like a typist's mistake. */
static unsigned edit_distance(const char *a, const char *b)
{
        enum { MAX = 64 };
        unsigned d[MAX + 1][MAX + 1];
        size_t la = strlen(a), lb = strlen(b);

        if (la > MAX || lb > MAX)
                return UINT_MAX;
        for (size_t i = 0; i <= la; i++)
                d[i][0] = (unsigned)i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = (unsigned)j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        int ca = tolower((unsigned char)a[i - 1]);
                        int cb = tolower((unsigned char)b[j - 1]);
                        unsigned v = d[i - 1][j - 1] + (ca != cb);
                        if (d[i - 1][j] + 1 < v)
                                v = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < v)
                                v = d[i][j - 1] + 1;
                        if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                            tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
                                v = d[i - 2][j - 2] + 1;
                        d[i][j] = v;
                }
        return d[la][lb];
}

/* Close enough to be a typo of candidate rather than another word: one edit
 * in three characters, at most two, and one even in a short name (v3). */
static bool is_close(const char *typed, const char *candidate)
{
        unsigned d = edit_distance(typed, candidate);
        size_t n = strlen(candidate);
        return d <= 2 && (d <= 1 || d * 3 <= n);
}

static const char *best_match(const char *typed, const char *const *candidates, size_t n)
{
        const char *best = NULL;
        unsigned best_d = UINT_MAX;

        for (size_t i = 0; i < n; i++) {
                unsigned d;
                if (!candidates[i] || !is_close(typed, candidates[i]))
                        continue;
                d = edit_distance(typed, candidates[i]);
                if (d < best_d) {
                        best = candidates[i];
                        best_d = d;
                }
        }
        return best;
}

/* The distinct section names, in table order. */
static size_t sections(const char **ret, size_t size)
{
        size_t n = 0;
        for (size_t i = 0; i < N_KEYS; i++)
                if (n == 0 || !streq(ret[n - 1], keys[i].section)) {
                        if (n == size)
                                break;
                        ret[n++] = keys[i].section;
                }
        return n;
}

static bool section_known(const char *section)
{
        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(keys[i].section, section))
                        return true;
        return false;
}

/* Appends to msg[size] (already NUL-terminated), truncating quietly. */
_printf_(3, 4) static void append(char *msg, size_t size, const char *fmt, ...)
{
        size_t len = strnlen(msg, size);
        va_list ap;

        if (len + 1 >= size)
                return;
        va_start(ap, fmt);
        vsnprintf(msg + len, size - len, fmt, ap);
        va_end(ap);
}

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

static void describe_unknown_section(const char *section, char *msg, size_t size)
{
        const char *names[N_KEYS];
        size_t n = sections(names, ARRAY_SIZE(names));
        const char *best = best_match(section, names, n);

        snprintf(msg, size, "unknown section [%.64s]", section);
        if (best) {
                append(msg, size, "; did you mean [%s]?", best);
                return;
        }
        append(msg, size, "; sections are");
        for (size_t i = 0; i < n; i++)
                append(msg, size, " [%s]", names[i]);
}

static int section_check(const char *section, char *msg, size_t size)
{
        if (section_known(section))
                return 0;
        describe_unknown_section(section, msg, size);
        return -EINVAL;
}

/* Finds section.key in the table, or describes what is wrong with it and
 * what is close. */
static int key_lookup(const char *section, const char *key, const struct key_def **ret, char *msg,
                      size_t size)
{
        const char *names[N_KEYS];
        size_t n = 0;
        const char *best;

        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(keys[i].section, section) && streq(keys[i].key, key)) {
                        *ret = &keys[i];
                        return 0;
                }

        if (!*section) {
                snprintf(msg, size, "key '%.64s' outside any section", key);
                for (size_t i = 0; i < N_KEYS; i++)
                        if (streq(keys[i].key, key)) {
                                append(msg, size, "; it belongs in [%s]", keys[i].section);
                                return -EINVAL;
                        }
                append(msg, size, "; a file starts with a [section] line");
                return -EINVAL;
        }
        if (!section_known(section)) {
                describe_unknown_section(section, msg, size);
                return -EINVAL;
        }

        snprintf(msg, size, "unknown key '%.64s' in [%s]", key, section);
        /* Right key, wrong section: the common slip with full_pct & co. */
        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(keys[i].key, key)) {
                        append(msg, size, "; it belongs in [%s]", keys[i].section);
                        return -EINVAL;
                }
        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(keys[i].section, section))
                        names[n++] = keys[i].key;
        best = best_match(key, names, n);
        if (best) {
                append(msg, size, "; did you mean '%s'?", best);
                return -EINVAL;
        }
        append(msg, size, "; keys in [%s] are", section);
        for (size_t i = 0; i < n; i++)
                append(msg, size, "%s %s", i ? "," : "", names[i]);
        return -EINVAL;
}

static void format_duration(uint64_t usec, char *buf, size_t size)
{
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
            {"h", USEC_PER_HOUR},
            {"min", USEC_PER_MIN},
            {"s", USEC_PER_SEC},
            {"ms", USEC_PER_MSEC},
            {"us", 1},
        };

        if (usec == 0) {
                snprintf(buf, size, "0s");
                return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(units); i++)
                if (usec % units[i].usec == 0) {
                        snprintf(buf, size, "%" PRIu64 "%s", usec / units[i].usec, units[i].suffix);
                        return;
                }
}

static void format_bytes(uint64_t bytes, char *buf, size_t size)
{
        static const struct {
                const char *suffix;
                uint64_t bytes;
        } units[] = {{"T", TIB}, {"G", MIB * KIB}, {"M", MIB}, {"K", KIB}};

        for (size_t i = 0; bytes && i < ARRAY_SIZE(units); i++)
                if (bytes % units[i].bytes == 0) {
                        snprintf(buf, size, "%" PRIu64 "%s", bytes / units[i].bytes,
                                 units[i].suffix);
                        return;
                }
        snprintf(buf, size, "%" PRIu64, bytes);
}

/* A plain non-negative decimal: no sign, exponent, hex, inf or nan. */
static int number_parse(const char *s, double *ret)
{
        bool digits = false, dot = false;
        char *end;
        double v;

        for (const char *p = s; *p; p++) {
                if (isdigit((unsigned char)*p))
                        digits = true;
                else if (*p == '.' && !dot)
                        dot = true;
                else
                        return -EINVAL;
        }
        if (!digits)
                return -EINVAL;
        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || *end || !isfinite(v))
                return -EINVAL;
        *ret = v;
        return 0;
}

static int uint_parse(const char *s, unsigned *ret)
{
        unsigned long long v;
        char *end;

        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end || v > UINT_MAX)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

static int size_pct_parse(const char *s, double *ret)
{
        struct size_or_pct v;
        int r = size_parse(s, &v);
        if (r < 0)
                return r;
        if (!v.is_pct)
                return -EINVAL;
        *ret = v.pct;
        return 0;
}

static int percent_value_parse(const char *s, double *ret)
{
        return percent_parse(s, ret);
}

/* The shortest decimal (with suffix) that parse reads back as exactly v, so
 * that config_print round-trips without printing 33.299999999999997. */
static void format_double(double v, const char *suffix, int (*parse)(const char *, double *),
                          char *buf, size_t size)
{
        for (int prec = 1; prec <= 17; prec++) {
                double back;
                snprintf(buf, size, "%.*g%s", prec, v, suffix);
                if (!strchr(buf, 'e') && parse(buf, &back) >= 0 && back == v)
                        return;
        }
        snprintf(buf, size, "%.17g%s", v, suffix);
}

/* A scalar value as the file would spell it. */
static void format_scalar(const struct key_def *k, const struct config *c, char *buf, size_t size)
{
        const void *p = cfield_of(c, k);

        switch (k->type) {
        case KEY_BOOL:
                snprintf(buf, size, "%s", *(const bool *)p ? "true" : "false");
                break;
        case KEY_DURATION:
                format_duration(*(const uint64_t *)p, buf, size);
                break;
        case KEY_PERCENT:
                format_double(*(const double *)p, "", percent_value_parse, buf, size);
                break;
        case KEY_RATE:
                format_double(*(const double *)p, "", number_parse, buf, size);
                break;
        case KEY_SIZE: {
                const struct size_or_pct *s = p;
                if (s->is_pct)
                        format_double(s->pct, "%", size_pct_parse, buf, size);
                else
                        format_bytes(s->bytes, buf, size);
                break;
        }
        case KEY_UINT:
                snprintf(buf, size, "%u", *(const unsigned *)p);
                break;
        case KEY_ENUM: {
                int v = enum_get(c, k);
                unsigned n = names_count(k->names);
                snprintf(buf, size, "%s", v >= 0 && (unsigned)v < n ? k->names[v] : "?");
                break;
        }
        case KEY_LIST:
                snprintf(buf, size, "(list)");
                break;
        }
}

/* What a key accepts, for messages: "a duration such as 500ms or 2s
 * (100ms..1min)". */
static void describe_accepted(const struct key_def *k, char *buf, size_t size)
{
        char lo[32], hi[32];

        switch (k->type) {
        case KEY_BOOL:
                snprintf(buf, size, "true or false (also yes/no, on/off, 1/0)");
                return;
        case KEY_DURATION:
                format_duration((uint64_t)k->min, lo, sizeof lo);
                format_duration((uint64_t)k->max, hi, sizeof hi);
                snprintf(buf, size, "a duration such as 500ms or 2s (%s..%s)", lo, hi);
                return;
        case KEY_PERCENT:
                snprintf(buf, size, "a percentage such as 30 or 30%% (%g..%g)", k->min, k->max);
                return;
        case KEY_RATE:
                snprintf(buf, size, "a number such as 1000 (%g..%.0f)", k->min, k->max);
                return;
        case KEY_UINT:
                snprintf(buf, size, "a whole number (%g..%g)", k->min, k->max);
                return;
        case KEY_SIZE:
                format_bytes((uint64_t)k->min, lo, sizeof lo);
                format_bytes((uint64_t)k->max, hi, sizeof hi);
                snprintf(buf, size,
                         "a size such as 512M (%s..%s) or a percentage such as 10%% (%g%%..%g%%)",
                         lo, hi, k->min_pct, k->max_pct);
                return;
        case KEY_ENUM:
                snprintf(buf, size, "one of");
                for (unsigned i = 0; k->names[i]; i++)
                        append(buf, size, "%s %s", i ? "," : "", k->names[i]);
                return;
        case KEY_LIST:
                if (k->max < CONFIG_MAX_PATTERNS)
                        snprintf(buf, size, "at most %g items", k->max);
                else
                        snprintf(buf, size, "a list of items separated by spaces or commas");
                return;
        }
}

static bool has_glob(const char *s)
{
        return strpbrk(s, "*?[") != NULL;
}

static int check_scope(const char *item, char *msg, size_t size)
{
        bool bad = item[0] != '/' || has_glob(item) || strstr(item, "//") || strstr(item, "/./") ||
                   strstr(item, "/../") || endswith(item, "/.") || endswith(item, "/..") ||
                   (item[1] && endswith(item, "/"));
        if (!bad)
                return 0;
        snprintf(msg, size,
                 "'%.64s' is not a cgroup path: a scope is absolute and plain, like / or "
                 "/kubepods.slice (no pattern, '.', '..' or trailing '/')",
                 item);
        return -EINVAL;
}

static int check_cgroup_pattern(const char *item, char *msg, size_t size)
{
        if (item[0] == '/' || strchr("*?[", item[0]))
                return 0;
        snprintf(msg, size, "'%.64s' can never match: cgroup paths start with '/', e.g. /%.64s",
                 item, item);
        return -EINVAL;
}

static int check_comm(const char *item, char *msg, size_t size)
{
        if (has_glob(item) || strlen(item) <= COMM_MAX_CHARS)
                return 0;
        snprintf(msg, size,
                 "'%.64s' can never match: the kernel keeps only the first %d characters of a "
                 "process name ('%.*s')",
                 item, COMM_MAX_CHARS, COMM_MAX_CHARS, item);
        return -EINVAL;
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
        format_scalar(k, c, value, sizeof value);
        describe_accepted(k, accepted, sizeof accepted);
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
                describe_accepted(k, accepted, sizeof accepted);
                snprintf(msg, size, "bad value '%.64s%s': expected %s", value,
                         strlen(value) > 64 ? "..." : "", accepted);
                /* inih strips "; comment" only; "#" comments must stand alone. */
                if (strstr(value, " #") || strstr(value, "\t#"))
                        append(msg, size,
                               "; '#' starts a comment only at the beginning of a "
                               "line, use ';' after a value");
                if (k->type == KEY_ENUM) {
                        const char *best = best_match(value, k->names, names_count(k->names));
                        if (best)
                                append(msg, size, "; did you mean '%s'?", best);
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
        if (*p == '[') {
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
                if (section_check(p + 1, msg, sizeof msg) < 0) {
                        loader_fail(l, "%s", msg);
                        return NULL;
                }
                *end = ']';
                l->prev = NULL;
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
                o->key[k - keys] =
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
                if (key_lookup(section, name, &k, msg, sizeof msg) < 0) {
                        loader_fail(l, "%s", msg);
                        return 0;
                }
                idx = (size_t)(k - keys);
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
        /* Lists may span lines: their length is final only at the end. */
        for (size_t i = 0; l->r == 0 && i < N_KEYS; i++) {
                if (!l->set_line[i] || check_value(&keys[i], c, false, msg, sizeof msg) >= 0)
                        continue;
                l->r = -EINVAL;
                error_set(err, "%s:%u: [%s] %s: %s", path, l->set_line[i], keys[i].section,
                          keys[i].key, msg);
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
        if (key_lookup(section, key, &k, msg, sizeof msg) < 0)
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
                if (streq(keys[i].section, section) && streq(keys[i].key, key))
                        return &keys[i];
        abort(); /* a typo in the relation table below */
}

/* "FILE:LINE: " or "--set S.K=V: " for where k was set; "" for a default. */
static void origin_prefix(const struct origins *o, const struct key_def *k, char *buf, size_t size)
{
        size_t i = (size_t)(k - keys);

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
        return o->key[b - keys].order > o->key[a - keys].order ? b : a;
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
                if (check_value(&keys[i], c, false, msg, sizeof msg) >= 0)
                        continue;
                origin_prefix(origins, &keys[i], where, sizeof where);
                error_set(err, "%s[%s] %s: %s", where, keys[i].section, keys[i].key, msg);
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
                format_scalar(a, c, va, sizeof va);
                format_scalar(b, c, vb, sizeof vb);
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

int config_load_all(struct config *ret, const char *path, const char *const *sets, unsigned n_sets,
                    struct config_error *err)
{
        _cleanup_free_ struct config *c = malloc(sizeof *c);
        _cleanup_free_ struct origins *origins = calloc(1, sizeof *origins);
        int r;

        if (!c || !origins)
                return -ENOMEM;
        config_init(c);

        r = load_file(c, path ?: CONFIG_DEFAULT_PATH, origins, err);
        if (r == -ENOENT && !path) {
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

static void print_list(const struct key_def *k, const struct pattern_list *l, FILE *f)
{
        size_t col = strlen(k->key) + 2; /* "key =" */
        unsigned on_line = 0;

        fprintf(f, "%s =", k->key);
        for (unsigned i = 0; i < l->n; i++) {
                size_t len = strlen(l->items[i]);
                bool too_wide = col + 1 + len > PRINT_WIDTH;
                if (too_wide && (on_line > 0 || col + 1 + len > LINE_MAX_CHARS)) {
                        fprintf(f, "\n%s%s", CONT_INDENT, l->items[i]);
                        col = strlen(CONT_INDENT) + len;
                        on_line = 1;
                } else {
                        fprintf(f, " %s", l->items[i]);
                        col += 1 + len;
                        on_line++;
                }
        }
        fputc('\n', f);
}

void config_print(const struct config *c, FILE *f)
{
        const char *section = NULL;
        char value[64];

        fputs("# thrashguard: effective configuration\n", f);
        for (size_t i = 0; i < N_KEYS; i++) {
                const struct key_def *k = &keys[i];
                if (!section || !streq(section, k->section)) {
                        fprintf(f, "\n[%s]\n", k->section);
                        section = k->section;
                }
                fprintf(f, "# %s\n", k->help);
                if (k->type == KEY_LIST) {
                        print_list(k, cfield_of(c, k), f);
                        continue;
                }
                format_scalar(k, c, value, sizeof value);
                fprintf(f, "%s = %s\n", k->key, value);
        }
}
