#include "decide/signals.h"

#include "base/util.h"

void signals_compute(const struct snapshot *prev, const struct snapshot *cur,
                     const struct candidate *cand, struct signals *ret)
{
        *ret = (struct signals){0};

        if (!prev || cur->time_usec <= prev->time_usec)
                return;
        const struct candidate *p = snapshot_find(prev, cand->path);
        if (!p || p->cgroup_id != cand->cgroup_id)
                return;

        uint64_t dt_usec = cur->time_usec - prev->time_usec;
        const struct memstat *a = &cand->s.stat, *b = &p->s.stat;

        ret->has_rates = true;
        /* memory.stat and memory.events may be older than the snapshot (the
         * observer reads them when the group shows activity): their rates
         * run over their own read times; not read again since, no rate. */
        uint64_t stat_cur = cand->stat_usec ? cand->stat_usec : cur->time_usec;
        uint64_t stat_prev = p->stat_usec ? p->stat_usec : prev->time_usec;
        if (stat_cur > stat_prev) {
                double dt_s = (double)(stat_cur - stat_prev) / (double)USEC_PER_SEC;

                ret->refault_per_s = (double)(counter_delta(a->refault_anon, b->refault_anon) +
                                              counter_delta(a->refault_file, b->refault_file) +
                                              counter_delta(a->pgmajfault, b->pgmajfault)) /
                                     dt_s;
                ret->scan_per_s = (double)counter_delta(a->pgscan, b->pgscan) / dt_s;
                ret->events_per_s = (double)(counter_delta(cand->s.events.high, p->s.events.high) +
                                             counter_delta(cand->s.events.max, p->s.events.max)) /
                                    dt_s;
                ret->growth_bytes_per_s = ((double)signals_unreclaimable_bytes(cand) -
                                           (double)signals_unreclaimable_bytes(p)) /
                                          dt_s;
        }
        if (cand->s.has_psi && p->s.has_psi) {
                ret->has_psi = true;
                ret->some_pct = stall_pct(
                    counter_delta(cand->s.psi.some.total_usec, p->s.psi.some.total_usec), dt_usec);
                ret->full_pct = stall_pct(
                    counter_delta(cand->s.psi.full.total_usec, p->s.psi.full.total_usec), dt_usec);
        }
}

uint64_t signals_unreclaimable_stat_bytes(const struct memstat *m)
{
        /* Saturate rather than wrap on hostile input. */
        return add_sat(add_sat(m->anon_bytes, m->shmem_bytes), m->unevictable_bytes);
}

uint64_t signals_unreclaimable_bytes(const struct candidate *cand)
{
        return signals_unreclaimable_stat_bytes(&cand->s.stat);
}

uint64_t signals_scope_size_bytes(const struct scope_sample *s)
{
        if (s->limit_bytes != BYTES_UNLIMITED && s->limit_bytes > 0)
                return s->limit_bytes;
        if (s->usage_bytes > 0)
                return s->usage_bytes;
        return 1;
}
