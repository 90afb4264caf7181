/* The Prometheus text exposition format (what node_exporter's textfile
 * collector reads), written into a caller's fixed buffer: family headers,
 * samples with labels, label values escaped. No allocation; a buffer that
 * fills up is remembered, so the caller checks once at the end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/text-buf.h"

/* One label of a sample; a NULL value leaves the label out. */
struct prom_label {
        const char *name;
        const char *value;
};

/* True for a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or, with label set, a
 * label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"). */
bool prom_name_valid(const char *name, bool label);

/* Writes value into out[size] as a quoted label value would hold it,
 * without the quotes: backslash, double quote and newline escaped, bytes
 * that are not UTF-8 replaced by U+FFFD (the format is UTF-8; a tenant
 * names its pods and cgroups). Returns the length, or -ENOBUFS when it did
 * not fit (out holds a truncated, still valid, prefix). */
int prom_escape_label_value(const char *value, char *out, size_t size);

/* "# HELP name help" and "# TYPE name type" (type: "counter", "gauge").
 * Every family's samples follow its header, and a family appears once. */
void prom_text_family(struct text_buf *t, const char *name, const char *type, const char *help);

/* One sample: name{labels} value. Values are written exactly (integers
 * as integers, others with enough digits to read back the same double;
 * NaN and infinities as the format spells them). */
void prom_text_sample(struct text_buf *t, const char *name, const struct prom_label *labels,
                      size_t n_labels, double value);
void prom_text_sample_u64(struct text_buf *t, const char *name, const struct prom_label *labels,
                          size_t n_labels, uint64_t value);
