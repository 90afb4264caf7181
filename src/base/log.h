/* Logging for the daemon's own operation (not its decisions: those are
 * alerts, see alert.h). Goes to stderr; under systemd, stderr is the journal.
 * The level and the stderr sink (its fd and what it dropped) are the
 * process-wide mutable state of this module.
 *
 * Writes to stderr never block: under systemd stderr is a stream socket to
 * journald, which stops reading exactly when the node thrashes; under a
 * pipe, a reader that stalls fills it. After log_open_stderr() every line
 * is written whole or not at all (non-blocking); a line that does not fit
 * is dropped and counted, and the next line that fits is preceded by one
 * saying how many were dropped. Before log_open_stderr() (commands other
 * than run) stderr is written as it is. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"

enum log_level {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_NOTICE,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG
};

void log_set_level(enum log_level level);

/* Makes stderr non-blocking for this process alone: a socket is written
 * with send(MSG_DONTWAIT); a pipe, FIFO or terminal is reopened through
 * /proc/self/fd/2 (a file description of our own) with O_NONBLOCK; a
 * regular file is written as it is. Returns 0, or negative errno when it
 * had to set O_NONBLOCK on the shared description itself (still 0 for the
 * caller's purposes: nothing blocks). */
int log_open_stderr(void);
/* Lines dropped since log_open_stderr(). */
uint64_t log_stderr_dropped(void);

/* Writes one whole line (len bytes, ending in '\n') to stderr as described
 * above. Returns 0 written, -EAGAIN dropped (counted). */
int log_write_line(const char *line, size_t len);

/* Whether stderr is journald's stream (see log_line_prefix). */
bool log_to_journal(void);

/* The longest line written to stderr, its newline included; what is longer
 * goes on, wrapped, on lines that start with LOG_CONTINUATION after the
 * prefix. */
#define LOG_LINE_MAX     300
#define LOG_CONTINUATION "  "

/* The start of every line to stderr, for a syslog priority (3 error, 4
 * warning, 5 notice, 6 info, 7 debug). Under journald, "<N>": journald
 * makes it the entry's priority, removes it, and stamps the entry itself.
 * Elsewhere the priority as a word, "warning: ", after the local time with
 * milliseconds in ISO 8601 once log_open_stderr() was called (the daemon;
 * other commands talk to a person, who needs no time). Returns its length
 * (at most size - 1). */
size_t log_line_prefix(int syslog_priority, char *buf, size_t size);

/* Writes text (len bytes, no newline) with the prefix, wrapped at a blank
 * into lines of at most LOG_LINE_MAX. */
void log_write_wrapped(int syslog_priority, const char *text, size_t len);

/* Returns -abs(error) when error is non-zero so that callers can
 * `return log_error_errno(r, ...)`. */
int log_full(enum log_level level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_error(...)            log_full(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...)          log_full(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_notice(...)           log_full(LOG_LEVEL_NOTICE, 0, __VA_ARGS__)
#define log_info(...)             log_full(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)            log_full(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full(LOG_LEVEL_ERROR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full(LOG_LEVEL_WARNING, (e), __VA_ARGS__)
#define log_debug_errno(e, ...)   log_full(LOG_LEVEL_DEBUG, (e), __VA_ARGS__)
