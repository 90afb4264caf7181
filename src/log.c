#include "log.h"

#include <stdarg.h>

/* The one process-wide setting: set once from the command line. */
static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level level)
{
        max_level = level;
}

enum log_level log_get_level(void)
{
        return max_level;
}

int log_full(enum log_level level, int error, const char *fmt, ...)
{
        /* "<N>" prefixes are the syslog priorities that journald reads from
         * a service's stderr; on a terminal they are short enough to keep. */
        static const int syslog_prio[] = {3, 4, 5, 6, 7};
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                va_list ap;
                char buf[1024];
                va_start(ap, fmt);
                vsnprintf(buf, sizeof buf, fmt, ap);
                va_end(ap);
                if (error)
                        fprintf(stderr, "<%d>%s: %s\n", syslog_prio[level], buf, strerror(error));
                else
                        fprintf(stderr, "<%d>%s\n", syslog_prio[level], buf);
        }
        errno = saved;
        return -error;
}
