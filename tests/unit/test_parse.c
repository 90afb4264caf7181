/* Table-driven tests for every parser in parse.h: real samples, and empty,
 * truncated, overlong, non-numeric, negative, overflowing, duplicated and
 * binary input. Every input is copied into a heap buffer of its exact size,
 * so that under ASan a read past the terminating NUL is caught. */
#include <math.h>

#include "testutil.h"
#include "observe/parse.h"
#include "config/value.h"

#define U64_OVERFLOW "18446744073709551616"
#define U64_MAX_STR  "18446744073709551615"

/* An alignment-safe scratch output, pre-filled to catch writes on failure. */
#define SENTINEL 0xA5
typedef union {
        max_align_t align;
        unsigned char bytes[256];
} outbuf;

static char *dup_exact(const char *s)
{
        size_t n = strlen(s) + 1;
        char *p = malloc(n);
        assert_non_null(p);
        memcpy(p, s, n);
        return p;
}

#define CHECK(c, cond)                                                                             \
        do {                                                                                       \
                if (!(cond))                                                                       \
                        fail_msg("case \"%s\": %s", (c)->name, #cond);                             \
        } while (0)

static bool feq(double a, double b)
{
        return fabs(a - b) < 1e-9;
}

/* ---- "buffer in, struct out" parsers, run by one table runner ---- */

struct parser {
        const char *name;
        int (*parse)(const char *buf, void *ret);
        bool (*equal)(const void *a, const void *b);
        size_t size;
};

struct parse_case {
        const char *name;
        const char *input;
        int rc;
        const void *expected; /* when rc == 0 */
};

static void run_cases(const struct parser *p, const struct parse_case *cases, size_t n)
{
        assert_true(p->size <= sizeof(outbuf));
        for (size_t i = 0; i < n; i++) {
                const struct parse_case *c = &cases[i];
                _cleanup_free_ char *in = dup_exact(c->input);
                outbuf out, untouched;
                int r;

                memset(&out, SENTINEL, sizeof(out));
                memset(&untouched, SENTINEL, sizeof(untouched));
                r = p->parse(in, &out);
                if (r != c->rc)
                        fail_msg("%s case \"%s\": rc %d, expected %d", p->name, c->name, r, c->rc);
                if (r == 0 && !p->equal(&out, c->expected))
                        fail_msg("%s case \"%s\": wrong result", p->name, c->name);
                if (r != 0 && memcmp(&out, &untouched, p->size) != 0)
                        fail_msg("%s case \"%s\": result written on failure", p->name, c->name);
        }
}

static bool psi_line_eq(const struct psi_line *a, const struct psi_line *b)
{
        return feq(a->avg10, b->avg10) && feq(a->avg60, b->avg60) && feq(a->avg300, b->avg300) &&
               a->total_usec == b->total_usec;
}

static bool psi_eq(const void *x, const void *y)
{
        const struct psi *a = x, *b = y;
        return psi_line_eq(&a->some, &b->some) && a->has_full == b->has_full &&
               (!a->has_full || psi_line_eq(&a->full, &b->full));
}

/* Structs of uint64_t only have no padding: memcmp is exact. */
static bool u64s_eq_meminfo(const void *a, const void *b)
{
        return memcmp(a, b, sizeof(struct meminfo)) == 0;
}
static bool u64s_eq_vmstat(const void *a, const void *b)
{
        return memcmp(a, b, sizeof(struct vmstat)) == 0;
}
static bool u64s_eq_memstat(const void *a, const void *b)
{
        return memcmp(a, b, sizeof(struct memstat)) == 0;
}
static bool u64s_eq_memevents(const void *a, const void *b)
{
        return memcmp(a, b, sizeof(struct memevents)) == 0;
}

static bool oom_control_eq(const void *x, const void *y)
{
        const struct oom_control *a = x, *b = y;
        return a->oom_kill_disable == b->oom_kill_disable && a->under_oom == b->under_oom &&
               a->oom_kill == b->oom_kill;
}

static bool cgroup_events_eq(const void *x, const void *y)
{
        const struct cgroup_events *a = x, *b = y;
        return a->populated == b->populated && a->frozen == b->frozen;
}

static bool u64_eq(const void *a, const void *b)
{
        return *(const uint64_t *)a == *(const uint64_t *)b;
}

static bool int_eq(const void *a, const void *b)
{
        return *(const int *)a == *(const int *)b;
}

static int wrap_psi(const char *b, void *r)
{
        return psi_parse(b, r);
}
static int wrap_meminfo(const char *b, void *r)
{
        return meminfo_parse(b, r);
}
static int wrap_vmstat(const char *b, void *r)
{
        return vmstat_parse(b, r);
}
static int wrap_memstat_v2(const char *b, void *r)
{
        return memstat_parse_v2(b, r);
}
static int wrap_memstat_v1(const char *b, void *r)
{
        return memstat_parse_v1(b, r);
}
static int wrap_memevents(const char *b, void *r)
{
        return memevents_parse_v2(b, r);
}
static int wrap_oom_control(const char *b, void *r)
{
        return oom_control_parse(b, r);
}
static int wrap_cgroup_events(const char *b, void *r)
{
        return cgroup_events_parse(b, r);
}
static int wrap_u64(const char *b, void *r)
{
        return u64_parse(b, r);
}
static int wrap_count(const char *b, void *r)
{
        return count_parse(b, r);
}
static int wrap_oom_score_adj(const char *b, void *r)
{
        return oom_score_adj_parse(b, r);
}

static const struct parser psi_parser = {"psi", wrap_psi, psi_eq, sizeof(struct psi)};
static const struct parser meminfo_parser = {"meminfo", wrap_meminfo, u64s_eq_meminfo,
                                             sizeof(struct meminfo)};
static const struct parser vmstat_parser = {"vmstat", wrap_vmstat, u64s_eq_vmstat,
                                            sizeof(struct vmstat)};
static const struct parser memstat_v2_parser = {"memstat_v2", wrap_memstat_v2, u64s_eq_memstat,
                                                sizeof(struct memstat)};
static const struct parser memstat_v1_parser = {"memstat_v1", wrap_memstat_v1, u64s_eq_memstat,
                                                sizeof(struct memstat)};
static const struct parser memevents_parser = {"memevents", wrap_memevents, u64s_eq_memevents,
                                               sizeof(struct memevents)};
static const struct parser oom_control_parser = {"oom_control", wrap_oom_control, oom_control_eq,
                                                 sizeof(struct oom_control)};
static const struct parser cgroup_events_parser = {"cgroup_events", wrap_cgroup_events,
                                                   cgroup_events_eq, sizeof(struct cgroup_events)};
static const struct parser u64_parser = {"u64", wrap_u64, u64_eq, sizeof(uint64_t)};
static const struct parser count_parser = {"count", wrap_count, u64_eq, sizeof(uint64_t)};
static const struct parser oom_score_adj_parser = {"oom_score_adj", wrap_oom_score_adj, int_eq,
                                                   sizeof(int)};

#define RUN(parser, cases) run_cases(&(parser), (cases), ARRAY_SIZE(cases))

/* ---- PSI ---- */

#define PSI_SOME "some avg10=1.23 avg60=0.50 avg300=0.07 total=123456\n"
#define PSI_FULL "full avg10=0.80 avg60=0.25 avg300=0.02 total=65432\n"
#define PSI_SOME_V                                                                                 \
        {                                                                                          \
                1.23, 0.50, 0.07, 123456                                                           \
        }
#define PSI_FULL_V                                                                                 \
        {                                                                                          \
                0.80, 0.25, 0.02, 65432                                                            \
        }
#define PSI_ZERO "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"

static const struct parse_case psi_cases[] = {
    {"real some+full", PSI_SOME PSI_FULL, 0, &(struct psi){PSI_SOME_V, PSI_FULL_V, true}},
    {"real idle", PSI_ZERO "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 0,
     &(struct psi){.has_full = true}},
    {"some only (old kernel, root cpu)", PSI_SOME, 0, &(struct psi){.some = PSI_SOME_V}},
    {"no final newline", "some avg10=1.23 avg60=0.50 avg300=0.07 total=123456", 0,
     &(struct psi){.some = PSI_SOME_V}},
    {"full before some", PSI_FULL PSI_SOME, 0, &(struct psi){PSI_SOME_V, PSI_FULL_V, true}},
    {"fields in any order", "some total=123456 avg300=0.07 avg10=1.23 avg60=0.50\n", 0,
     &(struct psi){.some = PSI_SOME_V}},
    {"unknown field ignored", "some avg10=1.23 avg60=0.50 avg300=0.07 total=123456 new=x\n", 0,
     &(struct psi){.some = PSI_SOME_V}},
    {"unknown line ignored", "cpu 5\n" PSI_SOME, 0, &(struct psi){.some = PSI_SOME_V}},
    {"total at u64 max", "some avg10=0.00 avg60=0.00 avg300=0.00 total=" U64_MAX_STR, 0,
     &(struct psi){.some.total_usec = UINT64_MAX}},
    {"100 percent", "some avg10=100.00 avg60=0.00 avg300=0.00 total=1", 0,
     &(struct psi){.some = {100.0, 0, 0, 1}}},
    {"empty", "", -ENODATA, NULL},
    {"newlines only", "\n\n", -ENODATA, NULL},
    {"only full", PSI_FULL, -ENODATA, NULL},
    {"word starting with some", "somewhere avg10=1.00 avg60=0 avg300=0 total=1\n", -ENODATA, NULL},
    {"bare some", "some\n", -EINVAL, NULL},
    {"truncated mid-field", "some avg10=0.00 avg60=0.00 avg3", -EINVAL, NULL},
    {"truncated after '='", "some avg10=0.00 avg60=0.00 avg300=0.00 total=", -EINVAL, NULL},
    {"missing total", "some avg10=0.00 avg60=0.00 avg300=0.00\n", -EINVAL, NULL},
    {"negative total", "some avg10=0.00 avg60=0.00 avg300=0.00 total=-5\n", -EINVAL, NULL},
    {"negative avg", "some avg10=-1.00 avg60=0.00 avg300=0.00 total=5\n", -EINVAL, NULL},
    {"overflow total", "some avg10=0.00 avg60=0.00 avg300=0.00 total=" U64_OVERFLOW, -EINVAL, NULL},
    {"non-numeric avg", "some avg10=abc avg60=0.00 avg300=0.00 total=5\n", -EINVAL, NULL},
    {"exponent avg", "some avg10=1e2 avg60=0.00 avg300=0.00 total=5\n", -EINVAL, NULL},
    {"dangling point", "some avg10=1. avg60=0.00 avg300=0.00 total=5\n", -EINVAL, NULL},
    {"trailing garbage", "some avg10=0.00 avg60=0.00 avg300=0.00 total=12x\n", -EINVAL, NULL},
    {"garbage glued to a value", "some avg10=0.00 avg60=0.00 avg300=0.00 total=12x=1\n", -EINVAL,
     NULL},
    {"CRLF", "some avg10=0.00 avg60=0.00 avg300=0.00 total=12\r\n", -EINVAL, NULL},
    {"token without '='", "some avg10=0.00 junk avg60=0.00 avg300=0.00 total=1\n", -EINVAL, NULL},
    {"duplicate some line", PSI_SOME PSI_SOME, -EINVAL, NULL},
    {"duplicate full line", PSI_SOME PSI_FULL PSI_FULL, -EINVAL, NULL},
    {"duplicate field", "some avg10=1.00 avg10=1.00 avg60=0 avg300=0 total=1\n", -EINVAL, NULL},
    {"malformed full", PSI_SOME "full avg10=x avg60=0 avg300=0 total=1\n", -EINVAL, NULL},
    {"binary junk", "\x01\x02\xff\xfe\x7f", -ENODATA, NULL},
    {"junk line, then some", "\xff\xfe=\x01 some\n" PSI_SOME, 0, &(struct psi){.some = PSI_SOME_V}},
};

static void test_psi(void **state)
{
        (void)state;
        RUN(psi_parser, psi_cases);
}

/* ---- /proc/meminfo ---- */

#define MEMINFO_REAL                                                                               \
        "MemTotal:       24684092 kB\n"                                                            \
        "MemFree:        21802964 kB\n"                                                            \
        "MemAvailable:   24280640 kB\n"                                                            \
        "Buffers:           61740 kB\n"                                                            \
        "Cached:          2578844 kB\n"                                                            \
        "SwapCached:            0 kB\n"                                                            \
        "Active(anon):       1568 kB\n"                                                            \
        "Active(file):     318848 kB\n"                                                            \
        "Inactive(file):  2246480 kB\n"                                                            \
        "SwapTotal:       1048572 kB\n"                                                            \
        "SwapFree:        1048000 kB\n"                                                            \
        "Shmem:              8856 kB\n"                                                            \
        "HugePages_Total:       0\n"                                                               \
        "Hugepagesize:       2048 kB\n"

static const struct meminfo meminfo_real = {
    .total_bytes = 25276510208,
    .free_bytes = 22326235136,
    .available_bytes = 24863375360,
    .cached_bytes = 2640736256,
    .shmem_bytes = 9068544,
    .active_file_bytes = 318848 * 1024ULL,
    .swap_total_bytes = 1048572 * 1024ULL,
    .swap_free_bytes = 1048000 * 1024ULL,
};

static const struct parse_case meminfo_cases[] = {
    {"real", MEMINFO_REAL, 0, &meminfo_real},
    {"required only, no final newline", "MemTotal: 2 kB\nMemAvailable: 1 kB", 0,
     &(struct meminfo){.total_bytes = 2048, .available_bytes = 1024}},
    {"trailing blanks", "MemTotal: 2 kB  \nMemAvailable:\t1\tkB\t\n", 0,
     &(struct meminfo){.total_bytes = 2048, .available_bytes = 1024}},
    {"largest kB that fits", "MemTotal: 18014398509481983 kB\nMemAvailable: 0 kB\n", 0,
     &(struct meminfo){.total_bytes = 18446744073709550592ULL}},
    {"empty", "", -ENODATA, NULL},
    {"missing MemAvailable (pre-3.14)", "MemTotal: 2 kB\nMemFree: 1 kB\n", -ENODATA, NULL},
    {"missing MemTotal", "MemAvailable: 1 kB\n", -ENODATA, NULL},
    {"key without colon", "MemTotal 2 kB\nMemAvailable: 1 kB\n", -ENODATA, NULL},
    {"truncated mid-number (no unit)", "MemTotal: 2 kB\nMemAvailable:   2428", -EINVAL, NULL},
    {"truncated mid-unit", "MemTotal: 2 kB\nMemAvailable: 1 k", -EINVAL, NULL},
    {"truncated after colon", "MemTotal: 2 kB\nMemAvailable:", -EINVAL, NULL},
    {"wrong unit", "MemTotal: 2 MB\nMemAvailable: 1 kB\n", -EINVAL, NULL},
    {"non-numeric", "MemTotal: lots kB\nMemAvailable: 1 kB\n", -EINVAL, NULL},
    {"negative", "MemTotal: -2 kB\nMemAvailable: 1 kB\n", -EINVAL, NULL},
    {"overflow", "MemTotal: " U64_OVERFLOW " kB\nMemAvailable: 1 kB\n", -EINVAL, NULL},
    {"overflow in kB to bytes", "MemTotal: 18014398509481984 kB\nMemAvailable: 1 kB\n", -EINVAL,
     NULL},
    {"trailing garbage", "MemTotal: 2 kBx\nMemAvailable: 1 kB\n", -EINVAL, NULL},
    {"garbage after number", "MemTotal: 2x kB\nMemAvailable: 1 kB\n", -EINVAL, NULL},
    {"duplicate key", "MemTotal: 2 kB\nMemAvailable: 1 kB\nMemTotal: 3 kB\n", -EINVAL, NULL},
    {"binary junk", "\xff\xfe\x01:\x02 kB\n", -ENODATA, NULL},
    {"junk in an unknown line", "\xff\xfe: \x01\nMemTotal: 2 kB\nMemAvailable: 1 kB\n", 0,
     &(struct meminfo){.total_bytes = 2048, .available_bytes = 1024}},
};

static void test_meminfo(void **state)
{
        (void)state;
        RUN(meminfo_parser, meminfo_cases);
}

/* ---- /proc/vmstat ---- */

/* This machine's 6.18 vmstat, reclaim lines, with non-zero values. */
#define VMSTAT_REAL                                                                                \
        "nr_free_pages 5450741\n"                                                                  \
        "workingset_nodes 0\n"                                                                     \
        "workingset_refault_anon 5\n"                                                              \
        "workingset_refault_file 6\n"                                                              \
        "workingset_activate_anon 0\n"                                                             \
        "pgmajfault 757\n"                                                                         \
        "pgsteal_kswapd 90\n"                                                                      \
        "pgsteal_direct 10\n"                                                                      \
        "pgsteal_khugepaged 1\n"                                                                   \
        "pgsteal_proactive 500\n"                                                                  \
        "pgscan_kswapd 100\n"                                                                      \
        "pgscan_direct 20\n"                                                                       \
        "pgscan_khugepaged 3\n"                                                                    \
        "pgscan_proactive 1000\n"                                                                  \
        "pgscan_direct_throttle 7\n"                                                               \
        "pgscan_anon 50\n"                                                                         \
        "pgscan_file 73\n"                                                                         \
        "oom_kill 2\n"

#define VMSTAT_REQ                                                                                 \
        "pgscan_kswapd 1\npgscan_direct 2\npgsteal_kswapd 3\npgsteal_direct 4\npgmajfault 5\n"

static const struct parse_case vmstat_cases[] = {
    {"real (proactive and anon/file splits not counted)", VMSTAT_REAL, 0,
     &(struct vmstat){.pgscan = 123,
                      .pgsteal = 101,
                      .refault_anon = 5,
                      .refault_file = 6,
                      .pgmajfault = 757,
                      .oom_kill = 2}},
    {"old kernel: workingset_refault, no khugepaged", VMSTAT_REQ "workingset_refault 9", 0,
     &(struct vmstat){.pgscan = 3, .pgsteal = 7, .refault_file = 9, .pgmajfault = 5}},
    {"old and new refault names: new wins",
     "workingset_refault 9\n" VMSTAT_REQ "workingset_refault_file 8\n", 0,
     &(struct vmstat){.pgscan = 3, .pgsteal = 7, .refault_file = 8, .pgmajfault = 5}},
    {"sum at u64 max",
     "pgscan_kswapd " U64_MAX_STR "\npgscan_direct 0\npgsteal_kswapd 0\npgsteal_direct 0\n"
     "pgmajfault 0\nworkingset_refault_file 0\n",
     0, &(struct vmstat){.pgscan = UINT64_MAX}},
    {"empty", "", -ENODATA, NULL},
    {"missing refault", VMSTAT_REQ, -ENODATA, NULL},
    {"missing pgmajfault",
     "pgscan_kswapd 1\npgscan_direct 2\npgsteal_kswapd 3\npgsteal_direct 4\n"
     "workingset_refault_file 1\n",
     -ENODATA, NULL},
    {"truncated mid-line (key only)", VMSTAT_REQ "workingset_refault_file", -EINVAL, NULL},
    {"truncated after blank", VMSTAT_REQ "workingset_refault_file ", -EINVAL, NULL},
    {"non-numeric", VMSTAT_REQ "workingset_refault_file many\n", -EINVAL, NULL},
    {"negative", VMSTAT_REQ "workingset_refault_file -1\n", -EINVAL, NULL},
    {"overflow", VMSTAT_REQ "workingset_refault_file " U64_OVERFLOW "\n", -EINVAL, NULL},
    {"sum overflow",
     "pgscan_kswapd " U64_MAX_STR "\npgscan_direct 1\npgsteal_kswapd 0\npgsteal_direct 0\n"
     "pgmajfault 0\nworkingset_refault_file 0\n",
     -EINVAL, NULL},
    {"trailing garbage", VMSTAT_REQ "workingset_refault_file 5 6\n", -EINVAL, NULL},
    {"hex", VMSTAT_REQ "workingset_refault_file 0x5\n", -EINVAL, NULL},
    {"duplicate key", VMSTAT_REQ "workingset_refault_file 1\npgmajfault 5\n", -EINVAL, NULL},
    {"binary junk", "\x80\x81 \x82\n\x01", -ENODATA, NULL},
    {"junk value of an unknown key ignored", "nr_foo \xff\xfe\n" VMSTAT_REQ "workingset_refault 1",
     0, &(struct vmstat){.pgscan = 3, .pgsteal = 7, .refault_file = 1, .pgmajfault = 5}},
};

static void test_vmstat(void **state)
{
        (void)state;
        RUN(vmstat_parser, vmstat_cases);
}

/* ---- memory.stat, v2 ---- */

#define MEMSTAT_V2_REAL                                                                            \
        "anon 1531904\n"                                                                           \
        "file 42061824\n"                                                                          \
        "kernel 1234944\n"                                                                         \
        "kernel_stack 16384\n"                                                                     \
        "shmem 9068544\n"                                                                          \
        "file_mapped 6836224\n"                                                                    \
        "anon_thp 0\n"                                                                             \
        "inactive_anon 0\n"                                                                        \
        "active_anon 1531904\n"                                                                    \
        "inactive_file 15818752\n"                                                                 \
        "active_file 17174528\n"                                                                   \
        "unevictable 9527296\n"                                                                    \
        "workingset_refault_anon 3\n"                                                              \
        "workingset_refault_file 44\n"                                                             \
        "workingset_activate_file 2\n"                                                             \
        "pgscan 1000\n"                                                                            \
        "pgsteal 900\n"                                                                            \
        "pgscan_kswapd 600\n"                                                                      \
        "pgscan_direct 400\n"                                                                      \
        "pgmajfault 12\n"

static const struct parse_case memstat_v2_cases[] = {
    {"real", MEMSTAT_V2_REAL, 0,
     &(struct memstat){.anon_bytes = 1531904,
                       .file_bytes = 42061824,
                       .shmem_bytes = 9068544,
                       .unevictable_bytes = 9527296,
                       .active_file_bytes = 17174528,
                       .inactive_file_bytes = 15818752,
                       .pgscan = 1000,
                       .pgsteal = 900,
                       .refault_anon = 3,
                       .refault_file = 44,
                       .pgmajfault = 12}},
    {"required only, absent fields 0", "anon 1\nfile 2", 0,
     &(struct memstat){.anon_bytes = 1, .file_bytes = 2}},
    {"tab separator, trailing blank", "anon\t1 \nfile  2\n", 0,
     &(struct memstat){.anon_bytes = 1, .file_bytes = 2}},
    {"old workingset_refault (5.0-5.8)", "anon 1\nfile 2\nworkingset_refault 7\n", 0,
     &(struct memstat){.anon_bytes = 1, .file_bytes = 2, .refault_file = 7}},
    {"old and new refault: new wins",
     "workingset_refault_file 8\nanon 1\nfile 2\nworkingset_refault 7\n", 0,
     &(struct memstat){.anon_bytes = 1, .file_bytes = 2, .refault_file = 8}},
    {"prefix keys do not match", "anon_thp 5\nfile_mapped 6\nanon 1\nfile 2\n", 0,
     &(struct memstat){.anon_bytes = 1, .file_bytes = 2}},
    {"u64 max", "anon " U64_MAX_STR "\nfile 0\n", 0, &(struct memstat){.anon_bytes = UINT64_MAX}},
    {"empty", "", -ENODATA, NULL},
    {"missing file", "anon 1\nshmem 2\n", -ENODATA, NULL},
    {"missing anon", "file 1\n", -ENODATA, NULL},
    {"truncated mid-line", "anon 1\nfi", -ENODATA, NULL},
    {"truncated after key", "anon 1\nfile", -EINVAL, NULL},
    {"non-numeric", "anon one\nfile 2\n", -EINVAL, NULL},
    {"negative", "anon -1\nfile 2\n", -EINVAL, NULL},
    {"plus sign", "anon +1\nfile 2\n", -EINVAL, NULL},
    {"overflow", "anon " U64_OVERFLOW "\nfile 2\n", -EINVAL, NULL},
    {"trailing garbage", "anon 1B\nfile 2\n", -EINVAL, NULL},
    {"decimal", "anon 1.5\nfile 2\n", -EINVAL, NULL},
    {"duplicate key", "anon 1\nfile 2\nanon 3\n", -EINVAL, NULL},
    {"binary junk", "\xde\xad\xbe\xef", -ENODATA, NULL},
    {"NUL ends the buffer", "anon 1\n\0file 2\n", -ENODATA, NULL},
};

static void test_memstat_v2(void **state)
{
        (void)state;
        RUN(memstat_v2_parser, memstat_v2_cases);
}

/* ---- memory.stat, v1 ---- */

/* This machine's root memory.stat (cgroup v1, kernel 6.18), verbatim. */
#define MEMSTAT_V1_REAL                                                                            \
        "cache 42061824\nrss 11079680\nrss_huge 0\nshmem 9068544\nmapped_file 6926336\n"           \
        "dirty 20480\nwriteback 0\nworkingset_refault_anon 0\nworkingset_refault_file 0\n"         \
        "swap 0\nswapcached 0\npgpgin 37126\npgpgout 24190\npgfault 45811\npgmajfault 0\n"         \
        "inactive_anon 0\nactive_anon 1531904\ninactive_file 15773696\nactive_file 17219584\n"     \
        "unevictable 18616320\nhierarchical_memory_limit 9223372036854771712\n"                    \
        "hierarchical_memsw_limit 9223372036854771712\ntotal_cache 2703966208\n"                   \
        "total_rss 21696512\ntotal_rss_huge 0\ntotal_shmem 9068544\n"                              \
        "total_mapped_file 10526720\ntotal_dirty 163840\ntotal_writeback 0\n"                      \
        "total_workingset_refault_anon 0\ntotal_workingset_refault_file 0\ntotal_swap 0\n"         \
        "total_swapcached 0\ntotal_pgpgin 1893309\ntotal_pgpgout 1468858\n"                        \
        "total_pgfault 3656344\ntotal_pgmajfault 757\ntotal_inactive_anon 10326016\n"              \
        "total_active_anon 1605632\ntotal_inactive_file 2300407808\n"                              \
        "total_active_file 394489856\ntotal_unevictable 18616320\n"

#define MEMSTAT_V1_LOCAL                                                                           \
        "cache 100\nrss 200\nshmem 30\nunevictable 40\nactive_file 50\ninactive_file 60\n"         \
        "workingset_refault_anon 7\nworkingset_refault_file 8\npgmajfault 9\n"

static const struct parse_case memstat_v1_cases[] = {
    {"real, hierarchical fields win", MEMSTAT_V1_REAL, 0,
     &(struct memstat){.anon_bytes = 21696512,
                       .file_bytes = 2703966208,
                       .shmem_bytes = 9068544,
                       .unevictable_bytes = 18616320,
                       .active_file_bytes = 394489856,
                       .inactive_file_bytes = 2300407808,
                       .pgmajfault = 757}},
    {"local only", MEMSTAT_V1_LOCAL, 0,
     &(struct memstat){.anon_bytes = 200,
                       .file_bytes = 100,
                       .shmem_bytes = 30,
                       .unevictable_bytes = 40,
                       .active_file_bytes = 50,
                       .inactive_file_bytes = 60,
                       .refault_anon = 7,
                       .refault_file = 8,
                       .pgmajfault = 9}},
    {"total_ before local, both win per field",
     "total_rss 2000\ntotal_workingset_refault_file 80\n" MEMSTAT_V1_LOCAL, 0,
     &(struct memstat){.anon_bytes = 2000,
                       .file_bytes = 100,
                       .shmem_bytes = 30,
                       .unevictable_bytes = 40,
                       .active_file_bytes = 50,
                       .inactive_file_bytes = 60,
                       .refault_anon = 7,
                       .refault_file = 80,
                       .pgmajfault = 9}},
    {"totals only", "total_rss 1\ntotal_cache 2", 0,
     &(struct memstat){.anon_bytes = 1, .file_bytes = 2}},
    {"empty", "", -ENODATA, NULL},
    {"missing rss and total_rss", "cache 1\ntotal_cache 2\nshmem 3\n", -ENODATA, NULL},
    {"missing cache and total_cache", "rss 1\ntotal_rss 2\n", -ENODATA, NULL},
    {"v2 file is not v1", "anon 1\nfile 2\n", -ENODATA, NULL},
    {"truncated mid-line", "rss 1\ncache", -EINVAL, NULL},
    {"non-numeric", "rss 1\ncache x\n", -EINVAL, NULL},
    {"negative total", "rss 1\ncache 1\ntotal_rss -1\n", -EINVAL, NULL},
    {"overflow", "rss 1\ncache " U64_OVERFLOW "\n", -EINVAL, NULL},
    {"duplicate total", "rss 1\ncache 1\ntotal_rss 1\ntotal_rss 1\n", -EINVAL, NULL},
    {"binary junk", "\x01\x02\x03 \x04\n\x05", -ENODATA, NULL},
};

static void test_memstat_v1(void **state)
{
        (void)state;
        RUN(memstat_v1_parser, memstat_v1_cases);
}

/* ---- memory.events, memory.oom_control, cgroup.events ---- */

static const struct parse_case memevents_cases[] = {
    {"real", "low 0\nhigh 12\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n", 0,
     &(struct memevents){.high = 12, .max = 3, .oom = 1, .oom_kill = 1}},
    {"pre-4.13, no oom_kill, no final newline", "low 1\nhigh 2\nmax 3\noom 4", 0,
     &(struct memevents){1, 2, 3, 4, 0}},
    {"empty", "", -ENODATA, NULL},
    {"missing max", "low 0\nhigh 0\noom 0\noom_kill 0\n", -ENODATA, NULL},
    {"truncated mid-line", "low 0\nhigh 0\nmax", -EINVAL, NULL},
    {"non-numeric", "low 0\nhigh 0\nmax many\noom 0\n", -EINVAL, NULL},
    {"negative", "low 0\nhigh -1\nmax 0\noom 0\n", -EINVAL, NULL},
    {"overflow", "low 0\nhigh 0\nmax " U64_OVERFLOW "\noom 0\n", -EINVAL, NULL},
    {"duplicate key", "low 0\nhigh 0\nmax 0\noom 0\nmax 1\n", -EINVAL, NULL},
    {"binary junk", "\xff\n\xfe\n", -ENODATA, NULL},
};

static void test_memevents(void **state)
{
        (void)state;
        RUN(memevents_parser, memevents_cases);
}

static const struct parse_case oom_control_cases[] = {
    {"real", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n", 0, &(struct oom_control){}},
    {"all set", "oom_kill_disable 1\nunder_oom 1\noom_kill 7", 0,
     &(struct oom_control){true, true, 7}},
    {"pre-4.13, no oom_kill", "oom_kill_disable 0\nunder_oom 1\n", 0,
     &(struct oom_control){.under_oom = true}},
    {"empty", "", -ENODATA, NULL},
    {"missing under_oom", "oom_kill_disable 0\noom_kill 0\n", -ENODATA, NULL},
    {"bool out of range", "oom_kill_disable 2\nunder_oom 0\n", -EINVAL, NULL},
    {"bool as word", "oom_kill_disable no\nunder_oom 0\n", -EINVAL, NULL},
    {"truncated mid-line", "oom_kill_disable 0\nunder_o", -ENODATA, NULL},
    {"negative", "oom_kill_disable 0\nunder_oom 0\noom_kill -1\n", -EINVAL, NULL},
    {"overflow", "oom_kill_disable 0\nunder_oom 0\noom_kill " U64_OVERFLOW, -EINVAL, NULL},
    {"duplicate key", "oom_kill_disable 0\nunder_oom 0\nunder_oom 1\n", -EINVAL, NULL},
    {"binary junk", "\x01\x01\x01", -ENODATA, NULL},
};

static void test_oom_control(void **state)
{
        (void)state;
        RUN(oom_control_parser, oom_control_cases);
}

static const struct parse_case cgroup_events_cases[] = {
    {"real", "populated 1\nfrozen 0\n", 0, &(struct cgroup_events){.populated = true}},
    {"frozen, empty", "populated 0\nfrozen 1", 0, &(struct cgroup_events){.frozen = true}},
    {"pre-5.2, no frozen", "populated 1\n", 0, &(struct cgroup_events){.populated = true}},
    {"empty", "", -ENODATA, NULL},
    {"missing populated", "frozen 1\n", -ENODATA, NULL},
    {"truncated mid-line", "frozen 0\npopulated", -EINVAL, NULL},
    {"bool out of range", "populated 2\n", -EINVAL, NULL},
    {"bool overflow", "populated " U64_OVERFLOW "\n", -EINVAL, NULL},
    {"bool as word", "populated yes\n", -EINVAL, NULL},
    {"negative", "populated -1\n", -EINVAL, NULL},
    {"duplicate key", "populated 1\npopulated 0\n", -EINVAL, NULL},
    {"binary junk", "\x80populated 1", -ENODATA, NULL},
};

static void test_cgroup_events(void **state)
{
        (void)state;
        RUN(cgroup_events_parser, cgroup_events_cases);
}

/* ---- single values ---- */

static const struct parse_case u64_cases[] = {
    {"zero", "0", 0, &(uint64_t){0}},
    {"with newline", "536870912\n", 0, &(uint64_t){536870912}},
    {"max", "max\n", 0, &(uint64_t){UINT64_MAX}},
    {"max, no newline", "max", 0, &(uint64_t){UINT64_MAX}},
    {"u64 max", U64_MAX_STR "\n", 0, &(uint64_t){UINT64_MAX}},
    {"v1 unlimited is a number", "9223372036854771712\n", 0, &(uint64_t){9223372036854771712ULL}},
    {"empty", "", -EINVAL, NULL},
    {"newline only", "\n", -EINVAL, NULL},
    {"two newlines", "5\n\n", -EINVAL, NULL},
    {"overflow", U64_OVERFLOW "\n", -EINVAL, NULL},
    {"negative", "-1\n", -EINVAL, NULL},
    {"leading blank", " 5", -EINVAL, NULL},
    {"trailing blank", "5 \n", -EINVAL, NULL},
    {"hex", "0x10", -EINVAL, NULL},
    {"MAX", "MAX", -EINVAL, NULL},
    {"maxi", "maxi", -EINVAL, NULL},
    {"two values", "1 2\n", -EINVAL, NULL},
    {"binary junk", "\xff\x01", -EINVAL, NULL},
};

/* A usage or a count: the same numbers, never "max". */
static const struct parse_case count_cases[] = {
    {"zero", "0", 0, &(uint64_t){0}},
    {"with newline", "536870912\n", 0, &(uint64_t){536870912}},
    {"u64 max as a number", U64_MAX_STR "\n", 0, &(uint64_t){UINT64_MAX}},
    {"max", "max\n", -EINVAL, NULL},
    {"max, no newline", "max", -EINVAL, NULL},
    {"empty", "", -EINVAL, NULL},
    {"newline only", "\n", -EINVAL, NULL},
    {"overflow", U64_OVERFLOW "\n", -EINVAL, NULL},
    {"negative", "-1\n", -EINVAL, NULL},
    {"trailing blank", "5 \n", -EINVAL, NULL},
};

static void test_u64(void **state)
{
        (void)state;
        RUN(u64_parser, u64_cases);
        RUN(count_parser, count_cases);
}

static const struct parse_case oom_score_adj_cases[] = {
    {"zero", "0\n", 0, &(int){0}},
    {"protected", "-1000\n", 0, &(int){-1000}},
    {"max", "1000", 0, &(int){1000}},
    {"minus zero", "-0\n", 0, &(int){0}},
    {"below range", "-1001\n", -EINVAL, NULL},
    {"above range", "1001\n", -EINVAL, NULL},
    {"overflow", U64_OVERFLOW, -EINVAL, NULL},
    {"negative overflow", "-" U64_OVERFLOW, -EINVAL, NULL},
    {"empty", "", -EINVAL, NULL},
    {"sign only", "-", -EINVAL, NULL},
    {"plus sign", "+5", -EINVAL, NULL},
    {"double minus", "--5", -EINVAL, NULL},
    {"trailing garbage", "5x\n", -EINVAL, NULL},
    {"leading blank", " 5\n", -EINVAL, NULL},
    {"binary junk", "\x80", -EINVAL, NULL},
};

static void test_oom_score_adj(void **state)
{
        (void)state;
        RUN(oom_score_adj_parser, oom_score_adj_cases);
}

/* ---- /proc/PID/cgroup ---- */

#define CGROUP_HYBRID                                                                              \
        "9:name=systemd:/\n"                                                                       \
        "8:pids:/\n"                                                                               \
        "4:memory:/process_api/60a1d4a04b42d2651f421e462cd1a05c\n"                                 \
        "3:cpu,cpuacct:/system.slice/a.service\n"                                                  \
        "1:net_cls,net_prio:/\n"                                                                   \
        "0::/user.slice/session-1.scope\n"

struct cgroup_case {
        const char *name;
        const char *input;
        const char *controller;
        size_t size;
        int rc;
        const char *path;
};

static const struct cgroup_case proc_cgroup_cases[] = {
    {"hybrid: v2 line", CGROUP_HYBRID, "", 256, 0, "/user.slice/session-1.scope"},
    {"hybrid: memory", CGROUP_HYBRID, "memory", 256, 0,
     "/process_api/60a1d4a04b42d2651f421e462cd1a05c"},
    {"hybrid: first of a list", CGROUP_HYBRID, "cpu", 256, 0, "/system.slice/a.service"},
    {"hybrid: second of a list", CGROUP_HYBRID, "cpuacct", 256, 0, "/system.slice/a.service"},
    {"hybrid: named hierarchy", CGROUP_HYBRID, "name=systemd", 256, 0, "/"},
    {"whole names only: prefix", CGROUP_HYBRID, "cpuac", 256, -ENODATA, NULL},
    {"whole names only: suffix", CGROUP_HYBRID, "acct", 256, -ENODATA, NULL},
    {"whole names only: name= part", CGROUP_HYBRID, "systemd", 256, -ENODATA, NULL},
    {"whole names only: the list", CGROUP_HYBRID, "cpu,cpuacct", 256, -ENODATA, NULL},
    {"absent controller", CGROUP_HYBRID, "freezer", 256, -ENODATA, NULL},
    {"pure v2", "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope\n", "", 256, 0,
     "/kubepods.slice/kubepods-pod1.slice/cri-containerd-ab.scope"},
    {"v2 line has id 0", "1::/x\n", "", 256, -ENODATA, NULL},
    {"pure v2 has no v1 memory", "0::/a\n", "memory", 256, -ENODATA, NULL},
    {"v1 without v2 line", "4:memory:/a\n", "", 256, -ENODATA, NULL},
    {"path with colons", "0::/a:b::c\n", "", 256, 0, "/a:b::c"},
    {"path with blanks", "0::/my app (1)\n", "", 256, 0, "/my app (1)"},
    {"deleted group", "0::/gone (deleted)\n", "", 256, 0, "/gone (deleted)"},
    {"outside the namespace", "0::/../../x\n", "", 256, 0, "/../../x"},
    {"no final newline", "4:memory:/a\n0::/b", "", 256, 0, "/b"},
    {"blank lines", "\n0::/b\n\n", "", 256, 0, "/b"},
    {"path fits exactly", "0::/abc\n", "", 5, 0, "/abc"},
    {"path one too long", "0::/abcd\n", "", 5, -ENAMETOOLONG, NULL},
    {"size 0", "0::/\n", "", 0, -ENAMETOOLONG, NULL},
    {"empty", "", "", 256, -ENODATA, NULL},
    {"truncated after id", "0:", "", 256, -EINVAL, NULL},
    {"truncated before path", "0::", "", 256, -EINVAL, NULL},
    {"one colon", "0:/a\n", "", 256, -EINVAL, NULL},
    {"one colon, path on the next line", "0:\n/b\n", "", 256, -EINVAL, NULL},
    {"no id", "::/a\n", "", 256, -EINVAL, NULL},
    {"garbage after id", "0x:/a\n", "", 256, -EINVAL, NULL},
    {"negative id", "-1::/a\n", "", 256, -EINVAL, NULL},
    {"id overflow", U64_OVERFLOW "::/a\n", "", 256, -EINVAL, NULL},
    {"relative path", "0::a\n", "", 256, -EINVAL, NULL},
    {"malformed line after the match", "0::/a\ngarbage\n", "", 256, -EINVAL, NULL},
    {"duplicate v2 line", "0::/a\n0::/b\n", "", 256, -EINVAL, NULL},
    {"controller in two hierarchies", "4:memory:/a\n5:cpu,memory:/b\n", "memory", 256, -EINVAL,
     NULL},
    {"binary junk", "\xff\xfe:\x01:/\n", "", 256, -EINVAL, NULL},
};

static void test_proc_cgroup(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(proc_cgroup_cases); i++) {
                const struct cgroup_case *c = &proc_cgroup_cases[i];
                _cleanup_free_ char *in = dup_exact(c->input);
                char out[256];
                int r;

                memset(out, 'Z', sizeof(out));
                assert_true(c->size <= sizeof(out));
                r = proc_cgroup_parse(in, c->controller, out, c->size);
                if (r != c->rc)
                        fail_msg("case \"%s\": rc %d, expected %d", c->name, r, c->rc);
                if (r == 0)
                        CHECK(c, streq(out, c->path));
                else
                        CHECK(c, out[0] == 'Z');
        }
}

/* ---- config values ---- */

struct size_case {
        const char *name;
        const char *input;
        int rc;
        struct size_or_pct expected;
};

#define BYTES(n)                                                                                   \
        {                                                                                          \
                .bytes = (n)                                                                       \
        }
#define PCT(p)                                                                                     \
        {                                                                                          \
                .pct = (p), .is_pct = true                                                         \
        }
#define NONE                                                                                       \
        {                                                                                          \
        }

static const struct size_case size_cases[] = {
    {"zero", "0", 0, BYTES(0)},
    {"bytes", "4096", 0, BYTES(4096)},
    {"B", "8B", 0, BYTES(8)},
    {"K", "1K", 0, BYTES(1024)},
    {"KB", "1KB", 0, BYTES(1024)},
    {"KiB", "1KiB", 0, BYTES(1024)},
    {"M", "512M", 0, BYTES(512ULL << 20)},
    {"MiB", "512MiB", 0, BYTES(512ULL << 20)},
    {"G", "2G", 0, BYTES(2ULL << 30)},
    {"T", "1T", 0, BYTES(1ULL << 40)},
    {"fraction", "1.5G", 0, BYTES(1610612736ULL)},
    {"fraction truncated to a byte", "1.3K", 0, BYTES(1331)},
    {"six fraction digits", "0.000001G", 0, BYTES(1073)},
    {"u64 max", U64_MAX_STR, 0, BYTES(UINT64_MAX)},
    {"largest T", "16777215T", 0, BYTES(16777215ULL << 40)},
    {"percent", "10%", 0, PCT(10)},
    {"fractional percent", "0.5%", 0, PCT(0.5)},
    {"zero percent", "0%", 0, PCT(0)},
    {"hundred percent", "100%", 0, PCT(100)},
    {"above 100%", "101%", -ERANGE, NONE},
    {"just above 100%", "100.5%", -ERANGE, NONE},
    {"overflow", U64_OVERFLOW, -ERANGE, NONE},
    {"overflow with unit", "16777216T", -ERANGE, NONE},
    {"overflow with G", "17179869184G", -ERANGE, NONE},
    {"overflow in percent", U64_OVERFLOW "%", -ERANGE, NONE},
    {"fraction of a byte", "1.5", -EINVAL, NONE},
    {"fraction of B", "1.5B", -EINVAL, NONE},
    {"seven fraction digits", "0.0000001G", -EINVAL, NONE},
    {"empty", "", -EINVAL, NONE},
    {"negative", "-1", -EINVAL, NONE},
    {"negative with unit", "-1G", -EINVAL, NONE},
    {"plus sign", "+1G", -EINVAL, NONE},
    {"leading blank", " 1G", -EINVAL, NONE},
    {"trailing blank", "1G ", -EINVAL, NONE},
    {"blank before unit", "1 G", -EINVAL, NONE},
    {"lower-case unit", "1g", -EINVAL, NONE},
    {"bits", "1Gb", -EINVAL, NONE},
    {"unknown unit", "1P", -EINVAL, NONE},
    {"trailing garbage", "1GiBx", -EINVAL, NONE},
    {"percent alone", "%", -EINVAL, NONE},
    {"double percent", "10%%", -EINVAL, NONE},
    {"unit and percent", "10G%", -EINVAL, NONE},
    {"exponent", "1e3", -EINVAL, NONE},
    {"hex", "0x10", -EINVAL, NONE},
    {"words", "lots", -EINVAL, NONE},
    {"no integer part", ".5G", -EINVAL, NONE},
    {"dangling point", "5.G", -EINVAL, NONE},
    {"two points", "1..5G", -EINVAL, NONE},
    {"binary junk", "\xff\x01", -EINVAL, NONE},
};

static void test_size(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(size_cases); i++) {
                const struct size_case *c = &size_cases[i];
                _cleanup_free_ char *in = dup_exact(c->input);
                struct size_or_pct v = {.bytes = 77, .pct = 77, .is_pct = true};
                int r = size_parse(in, &v);

                if (r != c->rc)
                        fail_msg("case \"%s\": rc %d, expected %d", c->name, r, c->rc);
                if (r == 0) {
                        CHECK(c, v.bytes == c->expected.bytes);
                        CHECK(c, feq(v.pct, c->expected.pct));
                        CHECK(c, v.is_pct == c->expected.is_pct);
                } else
                        CHECK(c, v.bytes == 77 && v.pct == 77 && v.is_pct);
        }
        assert_int_equal(size_parse(NULL, &(struct size_or_pct){}), -EINVAL);
}

struct u64_case {
        const char *name;
        const char *input;
        int rc;
        uint64_t expected;
};

static const struct u64_case duration_cases[] = {
    {"ms", "500ms", 0, 500000},
    {"msec", "5msec", 0, 5000},
    {"s", "2s", 0, 2000000},
    {"sec", "3sec", 0, 3000000},
    {"min", "1min", 0, 60000000},
    {"h", "1h", 0, 3600000000ULL},
    {"us", "250us", 0, 250},
    {"usec", "250usec", 0, 250},
    {"bare number is seconds", "10", 0, 10000000},
    {"zero", "0", 0, 0},
    {"zero with unit", "0ms", 0, 0},
    {"fraction of a second", "1.5s", 0, 1500000},
    {"bare fraction is seconds", "0.5", 0, 500000},
    {"fraction of ms", "1.5ms", 0, 1500},
    {"fraction of h", "2.5h", 0, 9000000000ULL},
    {"below a microsecond truncates", "0.0001ms", 0, 0},
    {"u64 max us", U64_MAX_STR "us", 0, UINT64_MAX},
    {"fraction of a microsecond", "0.5us", -EINVAL, 0},
    {"seven fraction digits", "1.0000001s", -EINVAL, 0},
    {"overflow us", U64_OVERFLOW "us", -ERANGE, 0},
    {"overflow by unit", U64_MAX_STR "s", -ERANGE, 0},
    {"overflow bare seconds", "18446744073710", -ERANGE, 0},
    {"overflow h", "5124095577h", -ERANGE, 0},
    {"empty", "", -EINVAL, 0},
    {"unit alone", "s", -EINVAL, 0},
    {"negative", "-1s", -EINVAL, 0},
    {"plus sign", "+1s", -EINVAL, 0},
    {"blank before unit", "1 s", 0, 1000000},
    {"systemd sum", "1min 30s", 0, 90000000},
    {"systemd sum without blank", "1h30min", 0, 5400000000ULL},
    {"blank and long unit", "5 sec", 0, 5000000},
    {"m is minutes", "2m", 0, 120000000},
    {"words", "1 hour 2 minutes 3 seconds", 0, 3723000000ULL},
    {"singular words", "1 day 1 minute 1 second", 0, 86461000000ULL},
    {"hr and days", "1hr 2days", 0, 176400000000ULL},
    {"d", "1d", 0, 86400000000ULL},
    {"decimal terms", "1.5min 0.5s", 0, 90500000},
    {"unitless term is seconds", "1min 30", 0, 90000000},
    {"tab between terms", "1s\t500ms", 0, 1500000},
    {"sum with usec", "1ms 5us", 0, 1005},
    {"sum overflows", U64_MAX_STR "us 1us", -ERANGE, 0},
    {"fraction of a microsecond in a sum", "1s 0.5us", -EINVAL, 0},
    {"leading blank", " 1s", -EINVAL, 0},
    {"trailing blank", "1s ", -EINVAL, 0},
    {"trailing blank after sum", "1min 30s ", -EINVAL, 0},
    {"month is not a unit", "1M", -EINVAL, 0},
    {"unknown word", "5 secs", -EINVAL, 0},
    {"unit prefix", "5se", -EINVAL, 0},
    {"upper-case unit", "1S", -EINVAL, 0},
    {"unit twice", "1s s", -EINVAL, 0},
    {"comma", "1min, 30s", -EINVAL, 0},
    {"dot after unit", "1s.5", -EINVAL, 0},
    {"double dot", "1.5.3s", -EINVAL, 0},
    {"minus in a sum", "1min -30s", -EINVAL, 0},
    {"exponent", "1e3ms", -EINVAL, 0},
    {"trailing garbage", "5sx", -EINVAL, 0},
    {"binary junk", "\x05\xff", -EINVAL, 0},
};

static void test_duration(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(duration_cases); i++) {
                const struct u64_case *c = &duration_cases[i];
                _cleanup_free_ char *in = dup_exact(c->input);
                uint64_t v = 77;
                int r = duration_parse(in, &v);

                if (r != c->rc)
                        fail_msg("case \"%s\": rc %d, expected %d", c->name, r, c->rc);
                CHECK(c, v == (r == 0 ? c->expected : 77));
        }
        assert_int_equal(duration_parse(NULL, &(uint64_t){0}), -EINVAL);
}

struct pct_case {
        const char *name;
        const char *input;
        int rc;
        double expected;
};

static const struct pct_case percent_cases[] = {
    {"plain", "10", 0, 10},
    {"with sign", "10%", 0, 10},
    {"zero", "0", 0, 0},
    {"hundred", "100%", 0, 100},
    {"fraction", "0.5", 0, 0.5},
    {"fraction with sign", "99.99%", 0, 99.99},
    {"above range", "101", -ERANGE, 0},
    {"just above range", "100.01", -ERANGE, 0},
    {"overflow", U64_OVERFLOW, -ERANGE, 0},
    {"negative", "-1", -EINVAL, 0},
    {"empty", "", -EINVAL, 0},
    {"sign only", "%", -EINVAL, 0},
    {"blank before sign", "10 %", -EINVAL, 0},
    {"double sign", "10%%", -EINVAL, 0},
    {"exponent", "1e1", -EINVAL, 0},
    {"words", "half", -EINVAL, 0},
    {"binary junk", "\x80", -EINVAL, 0},
};

static void test_percent(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(percent_cases); i++) {
                const struct pct_case *c = &percent_cases[i];
                _cleanup_free_ char *in = dup_exact(c->input);
                double v = 77;
                int r = percent_parse(in, &v);

                if (r != c->rc)
                        fail_msg("case \"%s\": rc %d, expected %d", c->name, r, c->rc);
                CHECK(c, feq(v, r == 0 ? c->expected : 77));
        }
        assert_int_equal(percent_parse(NULL, &(double){0}), -EINVAL);
}

struct bool_case {
        const char *name;
        const char *input;
        int rc;
        bool expected;
};

static const struct bool_case bool_cases[] = {
    {"yes", "yes", 0, true},
    {"no", "no", 0, false},
    {"true", "true", 0, true},
    {"false", "false", 0, false},
    {"on", "on", 0, true},
    {"off", "off", 0, false},
    {"1", "1", 0, true},
    {"0", "0", 0, false},
    {"YES", "YES", 0, true},
    {"False", "False", 0, false},
    {"empty", "", -EINVAL, 0},
    {"y", "y", -EINVAL, 0},
    {"2", "2", -EINVAL, 0},
    {"trailing blank", "yes ", -EINVAL, 0},
    {"enable", "enable", -EINVAL, 0},
    {"binary junk", "\xff", -EINVAL, 0},
};

static void test_bool(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(bool_cases); i++) {
                const struct bool_case *c = &bool_cases[i];
                _cleanup_free_ char *in = dup_exact(c->input);
                outbuf out;
                bool *v = (bool *)&out;
                int r;

                memset(&out, SENTINEL, sizeof(out));
                r = bool_parse(in, v);
                if (r != c->rc)
                        fail_msg("case \"%s\": rc %d, expected %d", c->name, r, c->rc);
                if (r == 0)
                        CHECK(c, *v == c->expected);
                else
                        CHECK(c, out.bytes[0] == SENTINEL);
        }
        assert_int_equal(bool_parse(NULL, &(bool){false}), -EINVAL);
}

/* Decimals come out as the correctly rounded double, the same as strtod()
 * and C literals: config printing round-trips through percent_parse(). */
static void test_decimal_exact(void **state)
{
        (void)state;
        for (unsigned ip = 0; ip <= 100; ip++)
                for (unsigned f = 0; f < (ip == 100 ? 1 : 1000); f++) {
                        char s[32];
                        double v;

                        snprintf(s, sizeof(s), "%u.%03u", ip, f);
                        assert_int_equal(percent_parse(s, &v), 0);
                        if (v != strtod(s, NULL))
                                fail_msg("%s: %.17g != %.17g", s, v, strtod(s, NULL));
                }
}

/* ---- hostile input common to all buffer parsers ---- */

struct sample {
        const struct parser *parser;
        const char *text; /* a valid input */
};

static const struct sample samples[] = {
    {&psi_parser, PSI_SOME PSI_FULL},
    {&meminfo_parser, MEMINFO_REAL},
    {&vmstat_parser, VMSTAT_REAL},
    {&memstat_v2_parser, MEMSTAT_V2_REAL},
    {&memstat_v1_parser, MEMSTAT_V1_REAL},
    {&memevents_parser, "low 0\nhigh 12\nmax 3\noom 1\noom_kill 1\n"},
    {&oom_control_parser, "oom_kill_disable 0\nunder_oom 1\noom_kill 2\n"},
    {&cgroup_events_parser, "populated 1\nfrozen 0\n"},
    {&u64_parser, "123\n"},
    {&oom_score_adj_parser, "-1000\n"},
};

static int parse_exact(const struct parser *p, const char *buf, size_t len, outbuf *out)
{
        _cleanup_free_ char *in = malloc(len + 1);
        assert_non_null(in);
        memcpy(in, buf, len);
        in[len] = '\0';
        memset(out, SENTINEL, sizeof(*out));
        return p->parse(in, out);
}

/* Every prefix of a valid file (a read cut short, a file being rewritten)
 * either parses or fails cleanly, and the whole file parses. */
static void test_truncated_everywhere(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
                const struct sample *s = &samples[i];
                size_t len = strlen(s->text);
                outbuf out;

                for (size_t cut = 0; cut < len; cut++) {
                        int r = parse_exact(s->parser, s->text, cut, &out);
                        if (r != 0 && r != -EINVAL && r != -ENODATA)
                                fail_msg("%s cut at %zu: rc %d", s->parser->name, cut, r);
                }
                assert_int_equal(parse_exact(s->parser, s->text, len, &out), 0);
        }
}

#define OVERLONG (1024 * 1024)

/* A megabyte-long line of an unknown key before or after the real content
 * changes nothing for the key-value files; a megabyte-long value of a known
 * key is rejected. */
static void test_overlong_lines(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
                const struct sample *s = &samples[i];
                const struct parser *p = s->parser;
                size_t len = strlen(s->text);
                _cleanup_free_ char *before = malloc(OVERLONG + len + 2);
                _cleanup_free_ char *after = malloc(len + OVERLONG + 1);
                outbuf want, got;

                if (p == &u64_parser || p == &oom_score_adj_parser)
                        continue; /* one-line files: covered below */
                assert_non_null(before);
                assert_non_null(after);
                assert_int_equal(parse_exact(p, s->text, len, &want), 0);

                memset(before, 'x', OVERLONG);
                before[OVERLONG] = '\n';
                memcpy(before + OVERLONG + 1, s->text, len + 1);
                assert_int_equal(parse_exact(p, before, strlen(before), &got), 0);
                assert_true(p->equal(&got, &want));

                memcpy(after, s->text, len);
                memset(after + len, 'y', OVERLONG);
                after[len + OVERLONG] = '\0';
                assert_int_equal(parse_exact(p, after, strlen(after), &got), 0);
                assert_true(p->equal(&got, &want));
        }
}

static void test_overlong_values(void **state)
{
        static const char *const prefixes[] = {
            "MemAvailable: ",
            "anon ",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=",
            "",
        };
        const struct parser *parsers[] = {&meminfo_parser, &memstat_v2_parser, &psi_parser,
                                          &u64_parser};
        (void)state;

        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
                size_t n = strlen(prefixes[i]);
                _cleanup_free_ char *buf = malloc(n + OVERLONG + 1);
                outbuf out;

                assert_non_null(buf);
                memcpy(buf, prefixes[i], n);
                memset(buf + n, '9', OVERLONG);
                buf[n + OVERLONG] = '\0';
                assert_int_equal(parse_exact(parsers[i], buf, n + OVERLONG, &out), -EINVAL);
        }

        /* A megabyte-long cgroup path. */
        {
                _cleanup_free_ char *buf = malloc(OVERLONG + 128);
                char path[64];

                assert_non_null(buf);
                strcpy(buf, "0::/");
                memset(buf + 4, 'p', OVERLONG);
                buf[4 + OVERLONG] = '\0';
                assert_int_equal(proc_cgroup_parse(buf, "", path, sizeof(path)), -ENAMETOOLONG);
        }
}

/* Random bytes biased towards the characters the formats care about: no
 * crash, no out-of-bounds read (ASan), and only documented return codes. */
static void test_random_junk(void **state)
{
        static const char alphabet[] = "0123456789 \n\t:=()%.-,/abcdefkmsxBGKMT\xff\x80";
        uint32_t seed = 0x7468726b; /* fixed: a failure must be reproducible */
        (void)state;

        for (unsigned iter = 0; iter < 20000; iter++) {
                char buf[96], path[32];
                size_t len;
                outbuf out;
                int r;

                seed = seed * 1103515245 + 12345;
                len = (seed >> 16) % sizeof(buf);
                for (size_t k = 0; k < len; k++) {
                        seed = seed * 1103515245 + 12345;
                        buf[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
                }
                buf[len] = '\0';

                for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
                        r = parse_exact(samples[i].parser, buf, len, &out);
                        if (r != 0 && r != -EINVAL && r != -ENODATA)
                                fail_msg("%s: rc %d on junk", samples[i].parser->name, r);
                }
                r = proc_cgroup_parse(buf, "", path, sizeof(path));
                assert_true(r == 0 || r == -EINVAL || r == -ENODATA || r == -ENAMETOOLONG);
                r = size_parse(buf, &(struct size_or_pct){});
                assert_true(r == 0 || r == -EINVAL || r == -ERANGE);
                r = duration_parse(buf, &(uint64_t){0});
                assert_true(r == 0 || r == -EINVAL || r == -ERANGE);
        }
}

static void test_null_buffers(void **state)
{
        outbuf out;
        char path[8];
        (void)state;

        for (size_t i = 0; i < ARRAY_SIZE(samples); i++)
                assert_int_equal(samples[i].parser->parse(NULL, &out), -EINVAL);
        assert_int_equal(proc_cgroup_parse(NULL, "", path, sizeof(path)), -EINVAL);
        assert_int_equal(proc_cgroup_parse("0::/\n", NULL, path, sizeof(path)), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_psi),
            cmocka_unit_test(test_meminfo),
            cmocka_unit_test(test_vmstat),
            cmocka_unit_test(test_memstat_v2),
            cmocka_unit_test(test_memstat_v1),
            cmocka_unit_test(test_memevents),
            cmocka_unit_test(test_oom_control),
            cmocka_unit_test(test_cgroup_events),
            cmocka_unit_test(test_u64),
            cmocka_unit_test(test_oom_score_adj),
            cmocka_unit_test(test_proc_cgroup),
            cmocka_unit_test(test_size),
            cmocka_unit_test(test_duration),
            cmocka_unit_test(test_percent),
            cmocka_unit_test(test_bool),
            cmocka_unit_test(test_decimal_exact),
            cmocka_unit_test(test_truncated_everywhere),
            cmocka_unit_test(test_overlong_lines),
            cmocka_unit_test(test_overlong_values),
            cmocka_unit_test(test_random_junk),
            cmocka_unit_test(test_null_buffers),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
