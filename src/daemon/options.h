/* What the command line hands over to every command, and the one way a
 * command loads its configuration from it. */
#pragma once

#include <stdbool.h>

#include "config/config.h"

/* config_path NULL means the default path, where a missing file means
 * built-in defaults. */
struct run_options {
        const char *config_path;
        const char *root_dir;    /* "/" unless --root */
        const char *const *sets; /* --set S.K=V, in order */
        unsigned n_sets;
        bool force_dry_run;      /* -n/--dry-run */
        const char *runtime_dir; /* --runtime-dir; NULL: $RUNTIME_DIRECTORY or /run/thrashguard */
};

/* Loads the file and the --set overrides of o (config_load_all, or
 * config_reload_all for a SIGHUP). On failure err says why, every error of
 * the file, for a person; none when the load gave no message (out of
 * memory). --dry-run is the daemon's to apply: other commands take the
 * file as it is. */
int run_options_load_config(const struct run_options *o, bool reloading, struct config *ret,
                            struct config_error *err);

/* Logs each error of a failed load on a line of its own (error: the
 * load's result, named when err holds no message). Returns error. */
int run_options_log_config_error(const struct config_error *err, int error);
