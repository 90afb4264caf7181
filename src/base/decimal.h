/* Unsigned decimal numbers in text, shared by the kernel-file parsers
 * (parse.c) and the config-value parsers (value.c). The scanners stop at the
 * first byte that is not part of the number and hand the rest back to the
 * caller through ret_end; they write ret_end and ret only on success. */
#pragma once

#include <stdint.h>

/* A non-negative decimal "I" or "I.F": value = ip + frac / scale. Kept exact
 * (no double, no locale) so that sizes and durations can be scaled in
 * integers. */
struct decimal {
        uint64_t ip, frac, scale;
};

/* The one strict number parser: one or more decimal digits, no sign, no
 * blanks, no base prefix. Stops at the first non-digit. -ERANGE on overflow. */
int decimal_parse_u64_prefix(const char *s, const char **ret_end, uint64_t *ret);

/* "I" or "I.F"; ".5" and "5." are rejected, and so is a fraction of more than
 * six digits. -ERANGE when I overflows. */
int decimal_parse_prefix(const char *s, const char **ret_end, struct decimal *ret);

/* The value as a double, correctly rounded (as strtod() rounds) whenever
 * ip * scale + frac < 2^53. */
double decimal_to_double(const struct decimal *d);

/* d * mult truncated to an integer; -ERANGE when it does not fit. */
int decimal_scale(const struct decimal *d, uint64_t mult, uint64_t *ret);
