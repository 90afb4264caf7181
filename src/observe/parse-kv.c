/* The "key value" files (meminfo, vmstat, memory.stat, memory.events,
 * memory.oom_control, cgroup.events): one scanner driven by one table of
 * fields per format; see kv_parse(). */
#include "observe/parse-internal.h"

#include <stddef.h>

enum kv_flags {
        KV_REQUIRED = 1 << 0, /* -ENODATA when absent (or, with .unless, when both are) */
        KV_SUM = 1 << 1,      /* adds into the field: several keys feed one counter */
        KV_BOOL = 1 << 2,     /* the field is a bool and the value must be 0 or 1 */
};

struct kv_field {
        const char *key;
        size_t key_len; /* strlen(key): the scanner compares lengths first */
        size_t offset;  /* of a uint64_t (or, with KV_BOOL, a bool) in the output struct */
        unsigned flags;
        /* Another key of the same table that, when present, takes precedence: the
         * hierarchical total_* over the local v1 field, the new split counter
         * over its old name. */
        const char *unless;
};

enum kv_style {
        KV_STYLE_SPACE,   /* "key value": vmstat, memory.stat, *.events, oom_control */
        KV_STYLE_MEMINFO, /* "Key:   value kB" */
};

struct kv_format {
        enum kv_style style;
        const struct kv_field *fields;
        size_t n_fields;
};

/* seen is a 64-bit mask over a format's fields. */
#define KV_FIELDS_MAX 64
#define KV_FORMAT(st, f)                                                                           \
        {                                                                                          \
                .style = (st), .fields = (f), .n_fields = ARRAY_SIZE(f)                            \
        }

static int kv_find(const struct kv_format *fmt, const char *key, size_t len)
{
        for (size_t i = 0; i < fmt->n_fields; i++)
                if (fmt->fields[i].key_len == len && fmt->fields[i].key[0] == key[0] &&
                    memcmp(fmt->fields[i].key, key, len) == 0)
                        return (int)i;
        return -ENOENT;
}

/* Parses the value of a known key at p (after the separator) up to the end of
 * the line. Meminfo values carry a mandatory " kB" and become bytes. */
static int kv_parse_value(const char *p, enum kv_style style, uint64_t *ret)
{
        uint64_t v;
        int r;

        p = skip_blanks(p);
        r = decimal_parse_u64_prefix(p, &p, &v);
        if (r < 0)
                return einval_if_erange(r);
        if (style == KV_STYLE_MEMINFO) {
                if (!is_blank(*p))
                        return -EINVAL;
                p = skip_blanks(p);
                if (!startswith(p, "kB"))
                        return -EINVAL;
                p += 2;
                if (__builtin_mul_overflow(v, (uint64_t)1024, &v))
                        return -EINVAL;
        }
        if (!at_eol(p))
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Stores the value of every line whose key is in fmt into values[] and marks
 * it in *ret_seen. Lines with other keys are skipped without being looked at,
 * so that a new kernel's additions (or junk) in them cannot fail the parse; a
 * known key must have a well-formed value and appear once. */
static int kv_scan(const char *buf, const struct kv_format *fmt, uint64_t values[],
                   uint64_t *ret_seen)
{
        uint64_t seen = 0;
        const char *p = buf;

        while (*p) {
                const char *key = p, *sep;
                int i, r;

                if (fmt->style == KV_STYLE_MEMINFO)
                        for (sep = p; !is_eol(*sep) && *sep != ':'; sep++)
                                ;
                else
                        for (sep = p; !is_eol(*sep) && !is_blank(*sep); sep++)
                                ;

                i = kv_find(fmt, key, (size_t)(sep - key));
                if (i >= 0) {
                        if (fmt->style == KV_STYLE_MEMINFO && *sep != ':')
                                return -EINVAL;
                        if (seen & (UINT64_C(1) << i))
                                return -EINVAL;
                        r = kv_parse_value(fmt->style == KV_STYLE_MEMINFO ? sep + 1 : sep,
                                           fmt->style, &values[i]);
                        if (r < 0)
                                return r;
                        seen |= UINT64_C(1) << i;
                }

                p = skip_to_eol(sep);
                if (*p == '\n')
                        p++;
        }
        *ret_seen = seen;
        return 0;
}

static bool kv_overridden(const struct kv_format *fmt, const struct kv_field *f, uint64_t seen)
{
        int j;

        if (!f->unless)
                return false;
        j = kv_find(fmt, f->unless, strlen(f->unless));
        return j >= 0 && (seen & (UINT64_C(1) << j));
}

/* The first required field that seen lacks (and nothing stands in for). */
static const struct kv_field *kv_first_missing(const struct kv_format *fmt, uint64_t seen)
{
        for (size_t i = 0; i < fmt->n_fields; i++) {
                const struct kv_field *f = &fmt->fields[i];

                if ((f->flags & KV_REQUIRED) && !(seen & (UINT64_C(1) << i)) &&
                    !kv_overridden(fmt, f, seen))
                        return f;
        }
        return NULL;
}

/* Scans buf and fills out (a zeroed struct of the format's type) from it. */
static int kv_parse(const char *buf, const struct kv_format *fmt, void *out)
{
        uint64_t values[KV_FIELDS_MAX], seen = 0;
        int r;

        if (!buf)
                return -EINVAL;
        r = kv_scan(buf, fmt, values, &seen);
        if (r < 0)
                return r;

        if (kv_first_missing(fmt, seen))
                return -ENODATA;

        for (size_t i = 0; i < fmt->n_fields; i++) {
                const struct kv_field *f = &fmt->fields[i];
                char *field = (char *)out + f->offset;

                if (!(seen & (UINT64_C(1) << i)) || kv_overridden(fmt, f, seen))
                        continue;
                if (f->flags & KV_BOOL) {
                        if (values[i] > 1)
                                return -EINVAL;
                        *(bool *)field = values[i] == 1;
                } else if (f->flags & KV_SUM) {
                        uint64_t *u = (uint64_t *)field;
                        if (__builtin_add_overflow(*u, values[i], u))
                                return -EINVAL;
                } else
                        *(uint64_t *)field = values[i];
        }
        return 0;
}

#define F(type, key, field, flags)                                                                 \
        {                                                                                          \
                key, sizeof("" key) - 1, offsetof(struct type, field), flags, NULL                 \
        }
#define F_UNLESS(type, key, field, flags, other)                                                   \
        {                                                                                          \
                key, sizeof("" key) - 1, offsetof(struct type, field), flags, other                \
        }

static const struct kv_field meminfo_fields[] = {
    F(meminfo, "MemTotal", total_bytes, KV_REQUIRED),
    F(meminfo, "MemFree", free_bytes, 0),
    F(meminfo, "MemAvailable", available_bytes, KV_REQUIRED),
    F(meminfo, "Cached", cached_bytes, 0),
    F(meminfo, "Shmem", shmem_bytes, 0),
    F(meminfo, "Active(file)", active_file_bytes, 0),
    F(meminfo, "SwapTotal", swap_total_bytes, 0),
    F(meminfo, "SwapFree", swap_free_bytes, 0),
};

/* The counters every PSI-capable kernel (4.20+) has are required, so that a
 * file that is not vmstat at all is not read as "no reclaim". khugepaged
 * (5.x) and the anon/file refault split (5.9) are newer. */
static const struct kv_field vmstat_fields[] = {
    F(vmstat, "pgscan_kswapd", pgscan, KV_SUM | KV_REQUIRED),
    F(vmstat, "pgscan_direct", pgscan, KV_SUM | KV_REQUIRED),
    F(vmstat, "pgscan_khugepaged", pgscan, KV_SUM),
    F(vmstat, "pgsteal_kswapd", pgsteal, KV_SUM | KV_REQUIRED),
    F(vmstat, "pgsteal_direct", pgsteal, KV_SUM | KV_REQUIRED),
    F(vmstat, "pgsteal_khugepaged", pgsteal, KV_SUM),
    F(vmstat, "workingset_refault_anon", refault_anon, 0),
    F(vmstat, "workingset_refault_file", refault_file, 0),
    F_UNLESS(vmstat, "workingset_refault", refault_file, KV_REQUIRED, "workingset_refault_file"),
    F(vmstat, "pgmajfault", pgmajfault, KV_REQUIRED),
    F(vmstat, "oom_kill", oom_kill, 0),
};

static const struct kv_field memstat_v2_fields[] = {
    F(memstat, "anon", anon_bytes, KV_REQUIRED),
    F(memstat, "file", file_bytes, KV_REQUIRED),
    F(memstat, "shmem", shmem_bytes, 0),
    F(memstat, "unevictable", unevictable_bytes, 0),
    F(memstat, "active_file", active_file_bytes, 0),
    F(memstat, "inactive_file", inactive_file_bytes, 0),
    F(memstat, "pgscan", pgscan, 0),
    F(memstat, "pgsteal", pgsteal, 0),
    F(memstat, "workingset_refault_anon", refault_anon, 0),
    F(memstat, "workingset_refault_file", refault_file, 0),
    F_UNLESS(memstat, "workingset_refault", refault_file, 0, "workingset_refault_file"),
    F(memstat, "pgmajfault", pgmajfault, 0),
};

/* Each local field yields to its hierarchical total_* twin when present. */
#define V1(key, field, flags)                                                                      \
        F(memstat, "total_" key, field, 0), F_UNLESS(memstat, key, field, flags, "total_" key)

static const struct kv_field memstat_v1_fields[] = {
    V1("rss", anon_bytes, KV_REQUIRED),
    V1("cache", file_bytes, KV_REQUIRED),
    V1("shmem", shmem_bytes, 0),
    V1("unevictable", unevictable_bytes, 0),
    V1("active_file", active_file_bytes, 0),
    V1("inactive_file", inactive_file_bytes, 0),
    V1("workingset_refault_anon", refault_anon, 0),
    V1("workingset_refault_file", refault_file, 0),
    V1("pgmajfault", pgmajfault, 0),
};

/* low/high/max/oom exist since memory.events did (4.5); oom_kill came in 4.13. */
static const struct kv_field memevents_v2_fields[] = {
    F(memevents, "low", low, KV_REQUIRED), F(memevents, "high", high, KV_REQUIRED),
    F(memevents, "max", max, KV_REQUIRED), F(memevents, "oom", oom, KV_REQUIRED),
    F(memevents, "oom_kill", oom_kill, 0),
};

/* oom_kill was added to oom_control in 4.13. */
static const struct kv_field oom_control_fields[] = {
    F(oom_control, "oom_kill_disable", oom_kill_disable, KV_BOOL | KV_REQUIRED),
    F(oom_control, "under_oom", under_oom, KV_BOOL | KV_REQUIRED),
    F(oom_control, "oom_kill", oom_kill, 0),
};

/* frozen was added in 5.2. */
static const struct kv_field cgroup_events_fields[] = {
    F(cgroup_events, "populated", populated, KV_BOOL | KV_REQUIRED),
    F(cgroup_events, "frozen", frozen, KV_BOOL),
};

_Static_assert(ARRAY_SIZE(memstat_v1_fields) <= KV_FIELDS_MAX, "seen mask too small");
_Static_assert(ARRAY_SIZE(vmstat_fields) <= KV_FIELDS_MAX, "seen mask too small");
_Static_assert(ARRAY_SIZE(memstat_v2_fields) <= KV_FIELDS_MAX, "seen mask too small");

static const struct kv_format meminfo_format = KV_FORMAT(KV_STYLE_MEMINFO, meminfo_fields);
static const struct kv_format vmstat_format = KV_FORMAT(KV_STYLE_SPACE, vmstat_fields);
static const struct kv_format memstat_v2_format = KV_FORMAT(KV_STYLE_SPACE, memstat_v2_fields);
static const struct kv_format memstat_v1_format = KV_FORMAT(KV_STYLE_SPACE, memstat_v1_fields);
static const struct kv_format memevents_v2_format = KV_FORMAT(KV_STYLE_SPACE, memevents_v2_fields);
static const struct kv_format oom_control_format = KV_FORMAT(KV_STYLE_SPACE, oom_control_fields);
static const struct kv_format cgroup_events_format =
    KV_FORMAT(KV_STYLE_SPACE, cgroup_events_fields);

/* Parses into a zeroed local so that ret is written only on success. */
#define KV_PARSE_INTO(buf, fmt, type, ret)                                                         \
        ({                                                                                         \
                type _v = {};                                                                      \
                int _r = kv_parse((buf), (fmt), &_v);                                              \
                if (_r >= 0)                                                                       \
                        *(ret) = _v;                                                               \
                _r;                                                                                \
        })

int meminfo_parse(const char *buf, struct meminfo *ret)
{
        return KV_PARSE_INTO(buf, &meminfo_format, struct meminfo, ret);
}

/* The first required field of fmt that buf lacks, or NULL. */
static const char *kv_missing(const char *buf, const struct kv_format *fmt)
{
        uint64_t values[KV_FIELDS_MAX], seen = 0;
        const struct kv_field *f;

        if (!buf || kv_scan(buf, fmt, values, &seen) < 0)
                return NULL;
        f = kv_first_missing(fmt, seen);
        return f ? f->key : NULL;
}

const char *meminfo_missing_key(const char *buf)
{
        return kv_missing(buf, &meminfo_format);
}

int vmstat_parse(const char *buf, struct vmstat *ret)
{
        return KV_PARSE_INTO(buf, &vmstat_format, struct vmstat, ret);
}

int memstat_parse_v2(const char *buf, struct memstat *ret)
{
        return KV_PARSE_INTO(buf, &memstat_v2_format, struct memstat, ret);
}

int memstat_parse_v1(const char *buf, struct memstat *ret)
{
        return KV_PARSE_INTO(buf, &memstat_v1_format, struct memstat, ret);
}

int memevents_parse_v2(const char *buf, struct memevents *ret)
{
        return KV_PARSE_INTO(buf, &memevents_v2_format, struct memevents, ret);
}

int oom_control_parse(const char *buf, struct oom_control *ret)
{
        return KV_PARSE_INTO(buf, &oom_control_format, struct oom_control, ret);
}

int cgroup_events_parse(const char *buf, struct cgroup_events *ret)
{
        return KV_PARSE_INTO(buf, &cgroup_events_format, struct cgroup_events, ret);
}
