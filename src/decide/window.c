#include "decide/window.h"

#include <string.h>

#include "base/util.h"

static const struct policy_sample *window_at(const struct policy_window *w, unsigned i)
{
        return &w->samples[(w->next + POLICY_WINDOW_SAMPLES - w->n + i) % POLICY_WINDOW_SAMPLES];
}

void window_reset(struct policy_window *w)
{
        w->n = w->next = 0;
}

void window_push(struct policy_window *w, uint64_t time_usec, const uint64_t v[3])
{
        if (w->n > 0) {
                const struct policy_sample *last = window_at(w, w->n - 1);
                if (time_usec == last->time_usec)
                        return; /* the same snapshot again */
                if (time_usec < last->time_usec)
                        window_reset(w);
        }
        struct policy_sample *s = &w->samples[w->next];
        s->time_usec = time_usec;
        memcpy(s->v, v, sizeof(s->v));
        w->next = (w->next + 1) % POLICY_WINDOW_SAMPLES;
        if (w->n < POLICY_WINDOW_SAMPLES)
                w->n++;
}

bool window_span(const struct policy_window *w, uint64_t window_usec,
                 const struct policy_sample **ret_from, const struct policy_sample **ret_to)
{
        if (w->n < 2)
                return false;

        const struct policy_sample *to = window_at(w, w->n - 1);
        uint64_t twice = window_usec > UINT64_MAX / 2 ? UINT64_MAX : 2 * window_usec;
        int last = (int)w->n - 1, j = -1, from;

        for (int i = last - 1; i >= 0; i--)
                if (to->time_usec - window_at(w, (unsigned)i)->time_usec >= window_usec) {
                        j = i;
                        break;
                }
        if (j >= 0 && to->time_usec - window_at(w, (unsigned)j)->time_usec <= twice)
                from = j;
        else if (j + 1 < last)
                from = j + 1;
        else
                from = j;
        *ret_from = window_at(w, (unsigned)from);
        *ret_to = to;
        return true;
}

const struct policy_sample *window_since(const struct policy_window *w, uint64_t age_usec)
{
        if (w->n < 2)
                return NULL;
        const struct policy_sample *to = window_at(w, w->n - 1);
        for (int i = (int)w->n - 2; i > 0; i--)
                if (to->time_usec - window_at(w, (unsigned)i)->time_usec >= age_usec)
                        return window_at(w, (unsigned)i);
        return window_at(w, 0);
}

double window_span_pct(const struct policy_sample *from, const struct policy_sample *to, int k)
{
        return stall_pct(counter_delta(to->v[k], from->v[k]), to->time_usec - from->time_usec);
}

double window_span_rate(const struct policy_sample *from, const struct policy_sample *to, int k)
{
        return (double)counter_delta(to->v[k], from->v[k]) * (double)USEC_PER_SEC /
               (double)(to->time_usec - from->time_usec);
}
