/* The reason texts of decisions: the figures a person reads in the
 * journal and in status. */
#include "decide/policy-internal.h"

#include <string.h>

#include "base/format.h"
#include "base/log.h"
#include "decide/protect.h"
#include "decide/score.h"

void reason_scope_figures(const struct config *c, const struct policy_scope_state *sc,
                          const struct scope_sample *s, char *buf, size_t size)
{
        char h[16], m[16];

        str_appendf(buf, size, "some %.0f%% full %.0f%% over %.1fs, headroom %s", sc->some_pct,
                    sc->full_pct, usec_to_s(c->shortage.window_usec),
                    fmt_bytes((double)sc->headroom_bytes, h));
        if (sc->headroom_bytes != s->headroom_bytes)
                str_appendf(buf, size, " (MemAvailable %s less the active page cache)",
                            fmt_bytes((double)s->headroom_bytes, h));
        str_appendf(buf, size, " (min %s)",
                    fmt_bytes((double)shortage_min_headroom_bytes(c, s), m));
}

void reason_thrash_figures(const struct config *c, const struct policy_thrash_state *t,
                           const struct candidate *cand, uint64_t now_usec, char *buf, size_t size)
{
        char r[16], u[16], l[16];
        uint64_t lim = group_limit(cand);

        str_appendf(buf, size,
                    "local thrash for %.1fs: full %.0f%%, refaults %s/s over %.1fs, usage %s of %s",
                    usec_to_s(now_usec - t->since_usec), t->full_pct,
                    fmt_count(t->refault_per_s, r), usec_to_s(c->thrash.window_usec),
                    fmt_bytes((double)cand->s.usage_bytes, u),
                    lim == BYTES_UNLIMITED ? "no limit" : fmt_bytes((double)lim, l));
}

void reason_untouchable(const struct config *c, const struct policy_state *st,
                        const struct snapshot *cur, unsigned scope, bool freezing, char *buf,
                        size_t size)
{
        unsigned n = 0;

        str_appendf(buf, size, "; nothing may be touched: ");
        for (size_t i = 0; i < cur->n_candidates; i++) {
                const struct candidate *cand = &cur->candidates[i];
                const char *comm = NULL, *why;

                if (cand->scope != scope)
                        continue;
                why = policy_untouchable(c, st, cur, cand, freezing, &comm);
                if (!why)
                        continue;
                /* The last component names a group well enough in one line;
                 * full paths go with the candidate list of the alert. */
                const char *name = strrchr(cand->path, '/');
                name = name && name[1] ? name + 1 : cand->path;
                if (comm)
                        str_appendf(buf, size, "%s%s (comm %.16s)", n ? ", " : "", name, comm);
                else
                        str_appendf(buf, size, "%s%s (%s)", n ? ", " : "", name, why);
                n++;
        }
        if (n == 0)
                str_appendf(buf, size, "no candidates");
}
