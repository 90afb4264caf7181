/* Numbers for people and for the configuration file: the one place that
 * writes byte sizes and counts as text. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Short, for one-line reasons ("240k", "1.2M"): three significant figures
 * at most, binary units for bytes ("512B", "300M", "1.5G"). Not finite: 0. */
const char *fmt_count(double v, char buf[static 16]);
const char *fmt_bytes(double v, char buf[static 16]);

/* For a person's eye in the journal or a table: "512 B", "1.5 GiB";
 * BYTES_UNLIMITED as the word given ("unlimited", "max"). */
void fmt_bytes_iec(uint64_t v, const char *unlimited, char *buf, size_t size);

/* Exact, in the configuration's syntax: the largest unit that divides v
 * ("512M", "1T"), else plain bytes; parsed back to the same value. */
void fmt_bytes_exact(uint64_t v, char *buf, size_t size);
