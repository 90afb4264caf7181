/* Logging for the daemon's own operation (not its decisions: those are
 * alerts, see alert.h). Goes to stderr; under systemd, stderr is the journal.
 * The level is the one piece of process-wide mutable state. */
#pragma once

#include "util.h"

enum log_level {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_NOTICE,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

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
