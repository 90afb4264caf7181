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
        /* Under systemd, stderr is a journal stream (JOURNAL_STREAM is set)
         * and a "<N>" prefix carries the syslog priority; on a terminal it
         * would only be noise. */
        static const int syslog_prio[] = {3, 4, 5, 6, 7};
        static const char *const level_word[] = {"error: ", "warning: ", "", "", "debug: "};
        int saved = errno;
        char prefix[16];

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                va_list ap;
                char buf[1024];
                va_start(ap, fmt);
                vsnprintf(buf, sizeof buf, fmt, ap);
                va_end(ap);
                if (getenv("JOURNAL_STREAM"))
                        snprintf(prefix, sizeof prefix, "<%d>", syslog_prio[level]);
                else
                        snprintf(prefix, sizeof prefix, "%s", level_word[level]);
                if (error)
                        fprintf(stderr, "%s%s: %s\n", prefix, buf, strerror(error));
                else
                        fprintf(stderr, "%s%s\n", prefix, buf);
        }
        errno = saved;
        return -error;
}
