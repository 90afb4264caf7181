/* Values as they appear in the config: sizes, durations, percentages,
 * booleans and plain numbers. Pure: a NUL-terminated string in, a value out,
 * written only on success. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Config values. Sizes: a plain number of bytes or with a K/M/G/T suffix
 * (binary, optional "B"/"iB"); "10%" is a percentage (ret_pct set,
 * ret_bytes 0). Durations: "500ms", "2s", "1min", "1h", "250us", a bare
 * number is seconds. Percent: "10" or "10%" in 0..100. All reject
 * negative numbers, trailing garbage and overflow with -EINVAL/-ERANGE,
 * and NULL with -EINVAL. */
struct size_or_pct {
        uint64_t bytes;
        double pct;
        bool is_pct;
};

int size_parse(const char *s, struct size_or_pct *ret);
int duration_parse(const char *s, uint64_t *ret_usec);
int percent_parse(const char *s, double *ret_pct);
int bool_parse(const char *s, bool *ret); /* yes/no, true/false, on/off, 1/0 */

/* A plain non-negative decimal number "I" or "I.F" with at most six
 * fraction digits, like a percentage: no sign, exponent, hex, inf or nan.
 * -EINVAL for anything else and on overflow. (A rate of 1e-7 would have no
 * spelling that config_print could write without an exponent.) */
int number_parse(const char *s, double *ret);

/* A whole number in 0..UINT_MAX, decimal digits only: -EINVAL otherwise. */
int uint_parse(const char *s, unsigned *ret);
