/* The daemon: owns all mutable state and runs the sd-event loop (PSI
 * trigger fds, timer, signals, watchdog). */
#pragma once

#include <stdbool.h>

#include "daemon/options.h"

/* Runs until SIGTERM/SIGINT. Returns 0 on a clean stop, negative errno when
 * it could not start or failed. */
int daemon_run(const struct run_options *o);
