/* `thrashguard status` for a person: the state (state-report.h, as JSON,
 * whether the daemon wrote it or status sampled it itself) as a table
 * that fits STATUS_TABLE_WIDTH columns, with one unit style (fmt_bytes,
 * fmt_count) and the score once, at the precision of the WHY. */
#pragma once

#include <stdio.h>

#include "base/json-in.h"

#define STATUS_TABLE_WIDTH 120

/* Prints state; note (may be NULL) is one more line under the first, e.g.
 * why a state file was ignored. Fields that are missing or of the wrong
 * type show as "-": the file is not trusted to be complete. */
void status_table_print(const struct json_value *state, const char *note, FILE *out);
