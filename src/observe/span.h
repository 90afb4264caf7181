/* A component of a path, and the exact shapes of ids and UIDs, shared by
 * the path classifier (identity.c) and the reader of pod names
 * (pod-names.c). Not for use outside observe/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "observe/identity.h"

#define CONTAINER_ID_LEN   64
#define POD_UID_LEN        36
#define STATIC_POD_UID_LEN 32

/* A component of a path: not NUL-terminated. */
struct span {
        const char *p;
        size_t n;
};

static inline bool span_eq(struct span s, const char *lit)
{
        return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static inline bool span_same(struct span a, struct span b)
{
        return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static inline bool span_has_prefix(struct span s, const char *prefix)
{
        size_t n = strlen(prefix);
        return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

static inline bool span_has_suffix(struct span s, const char *suffix)
{
        size_t n = strlen(suffix);
        return s.n >= n && memcmp(s.p + s.n - n, suffix, n) == 0;
}

/* Strips prefix and suffix from s; false (s untouched) when either is
 * missing or they overlap. */
static inline bool span_strip(struct span *s, const char *prefix, const char *suffix)
{
        size_t np = strlen(prefix), ns = strlen(suffix);

        if (s->n < np + ns || !span_has_prefix(*s, prefix) || !span_has_suffix(*s, suffix))
                return false;
        s->p += np;
        s->n -= np + ns;
        return true;
}

/* Runtimes write ids and UIDs in lowercase; anything else is not theirs. */
static inline bool is_lower_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static inline bool span_is_container_id(struct span s)
{
        if (s.n != CONTAINER_ID_LEN)
                return false;
        for (size_t i = 0; i < s.n; i++)
                if (!is_lower_hex(s.p[i]))
                        return false;
        return true;
}

/* Parses a Kubernetes pod UID into ret: an API server's 8-4-4-4-12 UUID
 * whose groups are separated by sep (systemd escapes '-' in unit names, so
 * the systemd driver writes '_'), given back in the dashed form; or the 32
 * hex digits of a static pod's UID (the kubelet's md5 of the manifest),
 * which has no separator to escape. */
static inline bool parse_pod_uid(struct span s, char sep, char ret[static IDENTITY_UID_MAX])
{
        if (s.n == STATIC_POD_UID_LEN) {
                for (size_t i = 0; i < s.n; i++)
                        if (!is_lower_hex(s.p[i]))
                                return false;
        } else if (s.n == POD_UID_LEN) {
                for (size_t i = 0; i < s.n; i++) {
                        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                        if (dash ? s.p[i] != sep : !is_lower_hex(s.p[i]))
                                return false;
                }
        } else
                return false;
        for (size_t i = 0; i < s.n; i++)
                ret[i] = s.p[i] == sep ? '-' : s.p[i];
        ret[s.n] = 0;
        return true;
}
