/* Configuration: the table of keys (section, key, type, offset, range, item
 * check, help), the built-in defaults and key lookup with its did-you-mean
 * suggestions; how each value is written is config-text.c's. The same table drives parsing, --set
 * and validation in config-load.c, so a key is added in one place (N_KEYS counts it, and the
 * compiler checks the count). */
#include "config/config-internal.h"

#include <ctype.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>

#include "base/util.h"
#include "config/value.h"

#define KIB ((uint64_t)1024)
#define MIB (KIB * KIB)
#define TIB (MIB * MIB)
#define PIB (TIB * KIB)

/* The kernel keeps TASK_COMM_LEN - 1 characters of a process name. */
#define COMM_MAX_CHARS 15

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
static int check_pod_pattern(const char *item, char *msg, size_t size);
static int check_directory(const char *item, char *msg, size_t size);

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
const struct key_def config_keys[] = {
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
    K_LIST("protect", "pods", protect.pods, 0, CONFIG_MAX_PATTERNS, false, check_pod_pattern,
           "namespace/pod/container patterns of Kubernetes containers never acted on"),
    K_LIST("protect", "comms", protect.comms, 0, CONFIG_MAX_PATTERNS, false, check_comm,
           "system services holding a process of this name are never acted on"),

    K_LIST("rank", "prefer", rank.prefer, 0, CONFIG_MAX_PATTERNS, false, NULL,
           "patterns of groups to choose first"),
    K_LIST("rank", "avoid", rank.avoid, 0, CONFIG_MAX_PATTERNS, false, NULL,
           "patterns of groups to choose last"),

    K_BOOL("alert", "journal", alert.journal, "write decisions to the journal (else stderr)"),
    K_UINT("alert", "top", alert.top, 0, 100, "candidates logged with each decision"),
    K_LIST("alert", "metrics_dir", alert.metrics_dir, 0, 1, false, check_directory,
           "directory for Prometheus metrics (node_exporter textfile collector); empty: none"),
};

_Static_assert(ARRAY_SIZE(config_keys) == N_KEYS, "N_KEYS in config-internal.h counts the keys");

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
        c->shortage.duration_usec = 1 * USEC_PER_SEC;
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

        /* The node's own services, by the groups systemd gives them: a
         * tenant can name its processes anything, but not its cgroup. */
        static const char *const cgroups[] = {
            "/init.scope",
            "/system.slice/kubelet.service",
            "/system.slice/containerd.service",
            "/system.slice/crio.service",
            "/system.slice/docker.service",
            "/system.slice/ssh.service",
            "/system.slice/sshd.service",
            "/system.slice/dbus.service",
            "/system.slice/systemd-*.service",
            "/system.slice/thrashguard.service",
        };
        for (size_t i = 0; i < ARRAY_SIZE(cgroups); i++)
                strcpy(c->protect.cgroups.items[i], cgroups[i]);
        c->protect.cgroups.n = ARRAY_SIZE(cgroups);

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

const char *config_best_match(const char *typed, const char *const *candidates, size_t n)
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
                if (n == 0 || !streq(ret[n - 1], config_keys[i].section)) {
                        if (n == size)
                                break;
                        ret[n++] = config_keys[i].section;
                }
        return n;
}

static bool section_known(const char *section)
{
        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(config_keys[i].section, section))
                        return true;
        return false;
}

static void describe_unknown_section(const char *section, char *msg, size_t size)
{
        const char *names[N_KEYS];
        size_t n = sections(names, ARRAY_SIZE(names));
        const char *best = config_best_match(section, names, n);

        snprintf(msg, size, "unknown section [%.64s]", section);
        if (best) {
                str_appendf(msg, size, "; did you mean [%s]?", best);
                return;
        }
        str_appendf(msg, size, "; sections are");
        for (size_t i = 0; i < n; i++)
                str_appendf(msg, size, " [%s]", names[i]);
}

int config_section_check(const char *section, char *msg, size_t size)
{
        if (section_known(section))
                return 0;
        describe_unknown_section(section, msg, size);
        return -EINVAL;
}

int config_key_lookup(const char *section, const char *key, const struct key_def **ret, char *msg,
                      size_t size)
{
        const char *names[N_KEYS];
        size_t n = 0;
        const char *best;

        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(config_keys[i].section, section) && streq(config_keys[i].key, key)) {
                        *ret = &config_keys[i];
                        return 0;
                }

        if (!*section) {
                snprintf(msg, size, "key '%.64s' outside any section", key);
                for (size_t i = 0; i < N_KEYS; i++)
                        if (streq(config_keys[i].key, key)) {
                                str_appendf(msg, size, "; it belongs in [%s]",
                                            config_keys[i].section);
                                return -EINVAL;
                        }
                str_appendf(msg, size, "; a file starts with a [section] line");
                return -EINVAL;
        }
        if (!section_known(section)) {
                describe_unknown_section(section, msg, size);
                return -EINVAL;
        }

        snprintf(msg, size, "unknown key '%.64s' in [%s]", key, section);
        /* Right key, wrong section: the common slip with full_pct & co. */
        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(config_keys[i].key, key)) {
                        str_appendf(msg, size, "; it belongs in [%s]", config_keys[i].section);
                        return -EINVAL;
                }
        for (size_t i = 0; i < N_KEYS; i++)
                if (streq(config_keys[i].section, section))
                        names[n++] = config_keys[i].key;
        best = config_best_match(key, names, n);
        if (best) {
                str_appendf(msg, size, "; did you mean '%s'?", best);
                return -EINVAL;
        }
        str_appendf(msg, size, "; keys in [%s] are", section);
        for (size_t i = 0; i < n; i++)
                str_appendf(msg, size, "%s %s", i ? "," : "", names[i]);
        return -EINVAL;
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

static int check_pod_pattern(const char *item, char *msg, size_t size)
{
        const char *a = strchr(item, '/'), *b = a ? strchr(a + 1, '/') : NULL;
        if (item[0] != '/' && (has_glob(item) || (b && !strchr(b + 1, '/'))))
                return 0;
        snprintf(msg, size,
                 "'%.64s' can never match: a pod pattern is namespace/pod/container, e.g. "
                 "kube-system/* or */etcd-*/*",
                 item);
        return -EINVAL;
}

/* Absolute, so that it does not depend on the daemon's working directory. */
static int check_directory(const char *item, char *msg, size_t size)
{
        if (item[0] == '/')
                return 0;
        snprintf(msg, size, "'%.64s' is not an absolute path", item);
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
