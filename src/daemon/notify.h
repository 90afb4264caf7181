/* Everything the daemon tells systemd (sd_notify): readiness, reloads,
 * the stop, STATUS= lines and the watchdog. Every call is a no-op without
 * a service manager ($NOTIFY_SOCKET unset) and never fails the caller. */
#pragma once

#include "base/util.h"

/* READY=1, with STATUS= when fmt is not NULL. */
void notify_ready(const char *fmt, ...) _printf_(1, 2);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *status);

/* WATCHDOG=1 at most once a second, for a wait that outlasts the loop's
 * own watchdog: *last_usec is when it was last sent. Fits
 * action_keepalive_fn. */
void notify_keepalive(uint64_t *last_usec);
