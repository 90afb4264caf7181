/* Configuration: the struct, its built-in defaults (equal to the shipped
 * conf/thrashguard.conf), the INI loader (inih) and --set overrides, with
 * complete validation. A load fills a fresh struct; the caller swaps it in
 * only on success, so a bad reload leaves the running config untouched. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/value.h"

#define CONFIG_DEFAULT_PATH "/etc/thrashguard/thrashguard.conf"

#define CONFIG_MAX_SCOPES   16
#define CONFIG_MAX_PATTERNS 32
#define CONFIG_PATTERN_MAX  256

enum cgroup_mode {
        CGROUP_MODE_AUTO,
        CGROUP_MODE_V2,
        CGROUP_MODE_HYBRID,
        CGROUP_MODE_V1,
};

enum action_mode {
        ACTION_MODE_KILL,
        ACTION_MODE_FREEZE,
        ACTION_MODE_FREEZE_KILL,
};

/* A whitespace- or comma-separated list of fnmatch(3) patterns or paths. */
struct pattern_list {
        unsigned n;
        char items[CONFIG_MAX_PATTERNS][CONFIG_PATTERN_MAX];
};

struct config {
        struct {
                struct pattern_list scopes; /* cgroup paths, "/" = the node */
                bool dry_run;
                uint64_t interval_usec;      /* sampling while a rule is warming */
                uint64_t idle_interval_usec; /* floor timer while all is quiet */
                enum cgroup_mode cgroup_mode;
        } daemon;
        struct {
                double some_pct; /* stall share over `window` ... */
                double full_pct; /* ... either one above its threshold */
                uint64_t window_usec;
                uint64_t duration_usec;          /* held this long ... */
                struct size_or_pct min_headroom; /* ... while headroom is below this */
        } shortage;
        struct {
                bool enabled;
                double full_pct;      /* the group's own full stall */
                double refault_per_s; /* refaults + major faults, pages/s */
                double limit_pct;     /* usage >= this share of its limit */
                uint64_t window_usec;
                uint64_t duration_usec;
        } thrash;
        struct {
                enum action_mode mode;
                uint64_t freeze_grace_usec;
                uint64_t cooldown_usec;
                uint64_t kill_timeout_usec; /* wait for the group to empty */
        } action;
        struct {
                struct pattern_list cgroups;
                struct pattern_list pods; /* namespace/pod/container */
                struct pattern_list comms;
        } protect;
        struct {
                struct pattern_list prefer;
                struct pattern_list avoid;
        } rank;
        struct {
                bool journal;
                unsigned top; /* candidates logged with a decision */
                /* Where metrics go (act/metrics.h): one absolute directory,
                 * or none (off). */
                struct pattern_list metrics_dir;
        } alert;
};

/* Every error of a load, each "file:line: [section] key: problem;
 * accepted: ...". A file is read to its end so that all of its errors are
 * reported at once; message is the first, more[] the next ones kept, n how
 * many there were (more than 1 + CONFIG_ERRORS_MORE: the rest were only
 * counted). */
#define CONFIG_ERRORS_MORE 15
struct config_error {
        char message[512];
        char more[CONFIG_ERRORS_MORE][512];
        unsigned n;
};

/* The i-th error kept (0: message), NULL past the last one kept. */
const char *config_error_get(const struct config_error *err, unsigned i);

/* Fills c with the built-in defaults. */
void config_init(struct config *c);

/* Loads path on top of c (normally fresh from config_init). A missing file
 * is -ENOENT (the caller decides whether that is an error). Any unknown
 * section or key, bad or out-of-range value is -EINVAL with err filled; so
 * is a file that could be an incomplete write: empty, without any
 * [section] line, or whose last line has no newline. */
int config_load_file(struct config *c, const char *path, struct config_error *err);

/* Applies one "section.key=value" override with the same validation. */
int config_set(struct config *c, const char *assignment, struct config_error *err);

/* Checks relations between keys (e.g. window <= duration). */
int config_validate(const struct config *c, struct config_error *err);

/* The whole load as every command does it: defaults, then the file (path
 * NULL: CONFIG_DEFAULT_PATH, where a missing file means defaults; a given
 * path must exist), then each --set in order, then config_validate. */
int config_load_all(struct config *ret, const char *path, const char *const *sets, unsigned n_sets,
                    struct config_error *err);

/* The same for a reload (SIGHUP): the file must exist at the default path
 * too, since one that vanished while the daemon runs is a mistake or a
 * write under way, not a wish for the built-in defaults. */
int config_reload_all(struct config *ret, const char *path, const char *const *sets,
                      unsigned n_sets, struct config_error *err);

/* Prints the effective configuration in the INI format it reads. */
void config_print(const struct config *c, FILE *f);

const char *cgroup_mode_to_string(enum cgroup_mode m);
const char *action_mode_to_string(enum action_mode m);

/* True when s matches any pattern of the list (fnmatch, no flags). */
bool pattern_list_match(const struct pattern_list *l, const char *s);
