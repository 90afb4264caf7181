/* Field-by-field comparison of two configurations, shared by the unit tests
 * and the config fuzzer: a difference is named by its field. */
#pragma once

#include <stddef.h>
#include <string.h>

#include "config/config.h"

#define CONFIG_FIELD_DIFF(a, b, field)                                                             \
        do {                                                                                       \
                if (memcmp(&(a)->field, &(b)->field, sizeof((a)->field)) != 0)                     \
                        return #field;                                                             \
        } while (0)

/* NULL when equal, else the first field that differs. size_or_pct is
 * compared member by member because its padding is not a value; lists
 * whole, as a load leaves their unused slots zero. */
static inline const char *config_diff(const struct config *a, const struct config *b)
{
        CONFIG_FIELD_DIFF(a, b, daemon.scopes);
        CONFIG_FIELD_DIFF(a, b, daemon.dry_run);
        CONFIG_FIELD_DIFF(a, b, daemon.interval_usec);
        CONFIG_FIELD_DIFF(a, b, daemon.idle_interval_usec);
        CONFIG_FIELD_DIFF(a, b, daemon.cgroup_mode);
        CONFIG_FIELD_DIFF(a, b, shortage.some_pct);
        CONFIG_FIELD_DIFF(a, b, shortage.full_pct);
        CONFIG_FIELD_DIFF(a, b, shortage.window_usec);
        CONFIG_FIELD_DIFF(a, b, shortage.duration_usec);
        CONFIG_FIELD_DIFF(a, b, shortage.min_headroom.bytes);
        CONFIG_FIELD_DIFF(a, b, shortage.min_headroom.pct);
        CONFIG_FIELD_DIFF(a, b, shortage.min_headroom.is_pct);
        CONFIG_FIELD_DIFF(a, b, thrash.enabled);
        CONFIG_FIELD_DIFF(a, b, thrash.full_pct);
        CONFIG_FIELD_DIFF(a, b, thrash.refault_per_s);
        CONFIG_FIELD_DIFF(a, b, thrash.limit_pct);
        CONFIG_FIELD_DIFF(a, b, thrash.window_usec);
        CONFIG_FIELD_DIFF(a, b, thrash.duration_usec);
        CONFIG_FIELD_DIFF(a, b, action.mode);
        CONFIG_FIELD_DIFF(a, b, action.freeze_grace_usec);
        CONFIG_FIELD_DIFF(a, b, action.cooldown_usec);
        CONFIG_FIELD_DIFF(a, b, action.kill_timeout_usec);
        CONFIG_FIELD_DIFF(a, b, protect.cgroups);
        CONFIG_FIELD_DIFF(a, b, protect.pods);
        CONFIG_FIELD_DIFF(a, b, protect.comms);
        CONFIG_FIELD_DIFF(a, b, rank.prefer);
        CONFIG_FIELD_DIFF(a, b, rank.avoid);
        CONFIG_FIELD_DIFF(a, b, alert.journal);
        CONFIG_FIELD_DIFF(a, b, alert.top);
        CONFIG_FIELD_DIFF(a, b, alert.metrics_dir);
        return NULL;
}
