/* Pure parsers: buffer in, struct out. No I/O, no allocation, no logging.
 * Every parser takes a NUL-terminated buffer that may be empty, truncated or
 * hostile; it returns 0 or -EINVAL (malformed), -ENODATA (a required key is
 * absent), and writes ret only on success. Unknown keys are ignored. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "observe/readings.h"

int psi_parse(const char *buf, struct psi *ret);

/* MemTotal and MemAvailable are required. */
int meminfo_parse(const char *buf, struct meminfo *ret);

/* For messages: the first key meminfo_parse() requires that buf lacks, or
 * NULL (when none is missing, or when buf is malformed). */
const char *meminfo_missing_key(const char *buf);

int vmstat_parse(const char *buf, struct vmstat *ret);

/* cgroup v2 memory.stat (anon, file, shmem, pgscan, pgsteal,
 * workingset_refault_anon/file, pgmajfault, ...). "anon" and "file" are
 * required. */
int memstat_parse_v2(const char *buf, struct memstat *ret);

/* cgroup v1 memory.stat; uses the hierarchical total_* fields (which
 * include descendants) when present, else the local ones. rss (or
 * total_rss) and cache are required. v1 has no pgscan/pgsteal: 0. */
int memstat_parse_v1(const char *buf, struct memstat *ret);

int memevents_parse_v2(const char *buf, struct memevents *ret);

/* v1 memory.oom_control: "oom_kill_disable 0\nunder_oom 0\noom_kill 0". */
struct oom_control {
        bool oom_kill_disable, under_oom;
        uint64_t oom_kill;
};

int oom_control_parse(const char *buf, struct oom_control *ret);

/* v2 cgroup.events: "populated 1\nfrozen 0". populated is required. */
struct cgroup_events {
        bool populated, frozen;
};

int cgroup_events_parse(const char *buf, struct cgroup_events *ret);

/* /proc/PID/cgroup. Finds the path of one hierarchy: controller "" selects
 * the v2 line ("0::/path"); any other name selects the v1 line whose
 * controller list contains it (e.g. "memory" in "4:memory:/path", or
 * "name=systemd"). Copies the path into ret_path[size]. -ENODATA when there
 * is no such line, -ENAMETOOLONG when the path does not fit. */
int proc_cgroup_parse(const char *buf, const char *controller, char *ret_path, size_t size);

/* A file holding one unsigned decimal number or "max" (-> UINT64_MAX), with
 * at most one trailing newline (memory.max, memory.current, pids.max...).
 * No sign, blanks or other garbage; overflow is -EINVAL. */
int u64_parse(const char *buf, uint64_t *ret);

/* The same without "max": a usage or a count (memory.current,
 * memory.usage_in_bytes, memory.failcnt) is never unlimited, and "max"
 * there means the file is not what it claims to be: -EINVAL. */
int count_parse(const char *buf, uint64_t *ret);

/* /proc/PID/oom_score_adj: an integer in -1000..1000. */
int oom_score_adj_parse(const char *buf, int *ret);
