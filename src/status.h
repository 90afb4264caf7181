/* `thrashguard status`: the state of a running daemon (its state file) or,
 * when none runs, two snapshots of its own one interval apart, ranked;
 * printed as a table for a person or as one JSON object. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "daemon/options.h"

/* watch_usec 0: once; else again every watch_usec until interrupted. */
int status_run(const struct run_options *o, bool json, uint64_t watch_usec, FILE *out);
