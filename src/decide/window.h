/* Windows of counter samples: stall shares and rates over a window that
 * spans several ticks, for a scope or a group under watch. How a span is
 * chosen is stated in thrashguard(8), RULES. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Counter samples of one scope or group, newest last, for stall shares and
 * rates over a window that spans several ticks. Windows longer than
 * POLICY_WINDOW_SAMPLES - 1 ticks are measured over the ticks kept. */
#define POLICY_WINDOW_SAMPLES 32

struct policy_sample {
        uint64_t time_usec;
        uint64_t v[3]; /* scope: some, full total_usec; group: + refaults+majfaults */
};

struct policy_window {
        unsigned n, next;
        struct policy_sample samples[POLICY_WINDOW_SAMPLES];
};

void window_reset(struct policy_window *w);
/* Appends a sample; the same time again is ignored, an earlier one starts
 * the window afresh. */
void window_push(struct policy_window *w, uint64_t time_usec, const uint64_t v[3]);
/* Picks the span to measure over: from the newest sample at least
 * window_usec old; if that span exceeds two windows (sparse idle ticks),
 * from the oldest sample within the window (at least one tick); if there
 * is none, the whole gap. False when there is no earlier sample. */
bool window_span(const struct policy_window *w, uint64_t window_usec,
                 const struct policy_sample **ret_from, const struct policy_sample **ret_to);
/* The newest sample at least age_usec older than the newest one, or the
 * oldest kept; NULL when there are fewer than two samples. */
const struct policy_sample *window_since(const struct policy_window *w, uint64_t age_usec);
/* Share of time (0..100) and rate per second of counter k over a span;
 * a counter that went backwards counts 0. */
double window_span_pct(const struct policy_sample *from, const struct policy_sample *to, int k);
double window_span_rate(const struct policy_sample *from, const struct policy_sample *to, int k);
