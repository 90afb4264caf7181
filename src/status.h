/* `thrashguard status`: two snapshots one interval apart, ranked, printed
 * as a table for a person or as one JSON object. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "daemon/options.h"

int status_run(const struct run_options *o, bool json, FILE *out);
