/* What the observe layer reads, as plain data: the kernel's counters
 * (PSI, /proc/meminfo, /proc/vmstat, a group's memory.stat and
 * memory.events) and one reading of a group. The parsers (parse.h) and the
 * cgroup readers (cgroup.h) fill these; the snapshot and the decide layer
 * consume them without knowing how they were read. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define CGROUP_PATH_MAX 512

/* One line of a PSI file: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0". */
struct psi_line {
        double avg10, avg60, avg300; /* percent */
        uint64_t total_usec;         /* cumulative stall time */
};

struct psi {
        struct psi_line some, full;
        bool has_full; /* old kernels (and the CPU file of the root) lack it */
};

/* /proc/meminfo, in bytes. */
struct meminfo {
        uint64_t total_bytes, free_bytes, available_bytes, cached_bytes, shmem_bytes;
        uint64_t active_file_bytes;
        uint64_t swap_total_bytes, swap_free_bytes;
};

/* /proc/vmstat counters that tell reclaim apart from IO. */
struct vmstat {
        uint64_t pgscan;       /* pgscan_kswapd + pgscan_direct + pgscan_khugepaged */
        uint64_t pgsteal;      /* pgsteal_kswapd + pgsteal_direct + pgsteal_khugepaged */
        uint64_t refault_anon; /* workingset_refault_anon */
        uint64_t refault_file; /* workingset_refault_file (or old workingset_refault) */
        uint64_t pgmajfault;
        uint64_t oom_kill;
};

/* A group's memory.stat, version-neutral. Sizes in bytes, counters in
 * events/pages as the kernel counts them. Absent fields are 0. */
struct memstat {
        uint64_t anon_bytes, file_bytes, shmem_bytes, unevictable_bytes;
        uint64_t active_file_bytes, inactive_file_bytes;
        uint64_t pgscan, pgsteal, refault_anon, refault_file, pgmajfault;
};

/* cgroup v2 memory.events, or the v1 equivalents (failcnt -> max,
 * oom_control under_oom/oom_kill). */
struct memevents {
        uint64_t low, high, max, oom, oom_kill;
};

/* One reading of a group. */
struct cgroup_sample {
        uint64_t usage_bytes;
        uint64_t limit_bytes; /* BYTES_UNLIMITED for max */
        uint64_t high_bytes;  /* BYTES_UNLIMITED when absent */
        struct memstat stat;
        struct memevents events;
        struct psi psi;
        bool has_psi;
        bool populated, frozen;
};
