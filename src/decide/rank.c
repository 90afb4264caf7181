#include "decide/rank.h"

#include <stdlib.h>
#include <string.h>

#include "decide/protect.h"
#include "decide/score.h"

static int tier(const struct ranked *r)
{
        if (r->protect != PROTECT_NONE)
                return 2;
        return r->last_resort ? 1 : 0;
}

int rank_compare(const struct snapshot *cur, const struct ranked *a, const struct ranked *b)
{
        const struct candidate *ca = &cur->candidates[a->index];
        const struct candidate *cb = &cur->candidates[b->index];
        int ta = tier(a), tb = tier(b);

        if (ta != tb)
                return ta < tb ? -1 : 1;
        if (a->score != b->score)
                return a->score > b->score ? -1 : 1;
        if (ca->s.usage_bytes != cb->s.usage_bytes)
                return ca->s.usage_bytes > cb->s.usage_bytes ? -1 : 1;
        int r = strcmp(ca->path, cb->path);
        if (r != 0)
                return r;
        return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

/* Keeps the best cap entries in ret, in order: insertion into a bounded
 * sorted array, so that ranking thousands of groups allocates nothing. */
size_t rank_scope(const struct config *c, const struct snapshot *prev, const struct snapshot *cur,
                  unsigned scope, struct ranked *ret, size_t cap)
{
        size_t n = 0;

        if (cap == 0 || scope >= cur->n_scopes || scope >= CONFIG_MAX_SCOPES)
                return 0;
        for (size_t i = 0; i < cur->n_candidates; i++) {
                struct ranked r;
                size_t lo = 0, hi = n;

                if (cur->candidates[i].scope != scope)
                        continue;
                score_candidate(c, prev, cur, i, &r);
                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;
                        if (rank_compare(cur, &ret[mid], &r) < 0)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                if (lo >= cap)
                        continue;
                size_t keep = n < cap ? n : cap - 1;
                memmove(&ret[lo + 1], &ret[lo], (keep - lo) * sizeof(ret[0]));
                ret[lo] = r;
                if (n < cap)
                        n++;
        }
        for (size_t k = 0; k < n; k++) {
                ret[k].rank = (unsigned)(k + 1);
                score_format_why(c, cur, &ret[k], ret[k].why, sizeof(ret[k].why));
        }
        return n;
}
