/* The observer: takes snapshots (snapshot.h) cheaply, with files kept open
 * and no allocation while the set of groups is unchanged. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "observe/cgroup.h"
#include "observe/fsroot.h"
#include "observe/snapshot.h"

struct observer;

/* The observer keeps the layout and the open files of every known group. */
int observer_new(const struct fsroot *root, const struct config *c, struct observer **ret);
void observer_free(struct observer *o);
const struct cgroup_layout *observer_layout(const struct observer *o);

/* Takes a snapshot at time now_usec. Groups that vanish or hold malformed
 * files are skipped (malformed ones logged once); the call fails only when
 * nothing at all could be read. A /proc/meminfo that cannot be read or
 * parsed (logged once, naming a missing key) leaves the node scope
 * unreadable for that tick, not the call failed. Reuses ret's candidate
 * array. */
int observer_take(struct observer *o, const struct config *c, uint64_t now_usec,
                  struct snapshot *ret);

/* For bench/snapshot-cost: every visit reads every file of a candidate, as
 * when every group shows activity (the cost under load). Off by default. */
void observer_set_always_full(struct observer *o, bool on);
