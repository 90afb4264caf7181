#include "daemon/notify.h"

#include <stdarg.h>
#include <stdio.h>

#include <systemd/sd-daemon.h>

void notify_ready(const char *fmt, ...)
{
        char status[512];
        va_list ap;

        if (!fmt) {
                (void)sd_notify(false, "READY=1");
                return;
        }
        va_start(ap, fmt);
        vsnprintf(status, sizeof status, fmt, ap);
        va_end(ap);
        (void)sd_notifyf(false, "READY=1\nSTATUS=%s", status);
}

void notify_reloading(void)
{
        (void)sd_notify(false, "RELOADING=1");
}

void notify_stopping(void)
{
        (void)sd_notify(false, "STOPPING=1");
}

void notify_status(const char *status)
{
        (void)sd_notifyf(false, "STATUS=%s", status);
}

void notify_keepalive(uint64_t *last_usec)
{
        uint64_t now = clock_monotonic_usec();
        if (now - *last_usec >= USEC_PER_SEC) {
                *last_usec = now;
                (void)sd_notify(false, "WATCHDOG=1");
        }
}
