/* The daemon: owns all mutable state and runs the sd-event loop (PSI
 * trigger fds, timer, signals, watchdog). */
#pragma once

#include <stdbool.h>

/* What the command line hands over. config_path NULL means the default
 * path, where a missing file means built-in defaults. */
struct run_options {
        const char *config_path;
        const char *root_dir;    /* "/" unless --root */
        const char *const *sets; /* --set S.K=V, in order */
        unsigned n_sets;
        bool force_dry_run;      /* -n/--dry-run */
        const char *runtime_dir; /* --runtime-dir; NULL: $RUNTIME_DIRECTORY or /run/thrashguard */
};

/* Runs until SIGTERM/SIGINT. Returns 0 on a clean stop, negative errno when
 * it could not start or failed. */
int daemon_run(const struct run_options *o);
