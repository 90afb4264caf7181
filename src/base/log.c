#include "base/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

/* The process-wide settings: the level, set once from the command line,
 * and the stderr sink, set once by log_open_stderr(). */
static enum log_level max_level = LOG_LEVEL_INFO;
static struct {
        bool open;
        bool is_socket;
        int fd; /* 2, or our own non-blocking description of it */
        uint64_t dropped, dropped_pending;
} sink = {.fd = STDERR_FILENO};

void log_set_level(enum log_level level)
{
        max_level = level;
}

int log_open_stderr(void)
{
        struct stat st;
        int fd, fl;

        if (sink.open)
                return 0;
        if (fstat(STDERR_FILENO, &st) < 0)
                return -errno;
        sink.open = true;
        if (S_ISSOCK(st.st_mode)) {
                sink.is_socket = true;
                return 0;
        }
        if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
                return 0;
        /* A new open file description of the same pipe or terminal: its
         * O_NONBLOCK is ours, and whoever shares fd 2 is not affected. */
        fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
                sink.fd = fd;
                return 0;
        }
        fl = fcntl(STDERR_FILENO, F_GETFL);
        if (fl < 0 || fcntl(STDERR_FILENO, F_SETFL, fl | O_NONBLOCK) < 0)
                return -errno;
        return -EPERM;
}

/* As systemd decides it: $JOURNAL_STREAM names the device and inode of the
 * stream journald gave us, and it is ours only while fd 2 is that stream
 * (a child whose stderr was redirected inherits the variable, not the
 * stream). Looked at for every line: an fstat, never a wait. */
bool log_to_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;
        int n = 0;

        if (!e || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n] != '\0')
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static const char *priority_word(int syslog_priority)
{
        static const char *const words[] = {"emergency", "alert",  "critical", "error",
                                            "warning",   "notice", "info",     "debug"};

        if (syslog_priority < 0 || (size_t)syslog_priority >= ARRAY_SIZE(words))
                return "info";
        return words[syslog_priority];
}

/* "2026-12-02T13:04:05.678+01:00": local time, as a person reading the log
 * next to other logs of the machine expects it. */
static size_t format_timestamp(char *buf, size_t size)
{
        struct timespec ts;
        struct tm tm;
        char zone[8];
        size_t n;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || !localtime_r(&ts.tv_sec, &tm))
                return 0;
        n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n == 0 || strftime(zone, sizeof zone, "%z", &tm) != 5)
                return 0;
        int m =
            snprintf(buf + n, size - n, ".%03ld%.3s:%.2s", ts.tv_nsec / 1000000, zone, zone + 3);
        if (m < 0 || (size_t)m >= size - n)
                return 0;
        return n + (size_t)m;
}

size_t log_line_prefix(int syslog_priority, char *buf, size_t size)
{
        size_t n = 0;
        int m;

        if (size == 0)
                return 0;
        if (log_to_journal())
                m = snprintf(buf, size, "<%d>", syslog_priority);
        else {
                if (sink.open) {
                        n = format_timestamp(buf, size);
                        if (n > 0 && n < size - 1)
                                buf[n++] = ' ';
                }
                m = snprintf(buf + n, size - n, "%s: ", priority_word(syslog_priority));
        }
        if (m < 0)
                return 0;
        n += (size_t)m;
        return n < size ? n : size - 1;
}

uint64_t log_stderr_dropped(void)
{
        return sink.dropped;
}

/* Whole or nothing: a pipe takes a write of at most PIPE_BUF atomically or
 * returns EAGAIN; a longer one, or a socket, may take part of it, and the
 * rest is dropped with the line counted (the reader sees a cut line, never
 * a wait). */
static int write_nonblocking(const char *p, size_t len)
{
        ssize_t n;

        if (sink.is_socket)
                n = send(sink.fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        else
                n = write(sink.fd, p, len);
        if (n < 0)
                return errno == EINTR ? -EAGAIN : -errno;
        return (size_t)n == len ? 0 : -EAGAIN;
}

int log_write_line(const char *line, size_t len)
{
        int r;

        if (!sink.open) {
                fwrite(line, 1, len, stderr);
                return 0;
        }
        if (sink.dropped_pending > 0) {
                char note[160];
                size_t p = log_line_prefix(4, note, sizeof note);
                int n = snprintf(note + p, sizeof note - p,
                                 "%llu log line(s) dropped (stderr not accepting)\n",
                                 (unsigned long long)sink.dropped_pending);
                if (n < 0 || (size_t)n >= sizeof note - p)
                        return -EINVAL;
                n += (int)p;
                if (write_nonblocking(note, (size_t)n) < 0) {
                        sink.dropped++;
                        sink.dropped_pending++;
                        return -EAGAIN;
                }
                sink.dropped_pending = 0;
        }
        r = write_nonblocking(line, len);
        if (r < 0) {
                sink.dropped++;
                sink.dropped_pending++;
                return -EAGAIN;
        }
        return 0;
}

void log_write_wrapped(int syslog_priority, const char *text, size_t len)
{
        char line[LOG_LINE_MAX + 1];
        size_t prefix = log_line_prefix(syslog_priority, line, sizeof line);
        bool first = true;

        do {
                const char *indent = first ? "" : LOG_CONTINUATION;
                size_t start = prefix + strlen(indent);
                size_t room = LOG_LINE_MAX - 1 - start, take = len;

                if (take > room) {
                        /* Cut at the last blank, so that a path stays whole
                         * for a grep; a word longer than a line is cut. */
                        take = room;
                        for (size_t i = room; i > 0; i--)
                                if (text[i] == ' ') {
                                        take = i;
                                        break;
                                }
                }
                memcpy(line + prefix, indent, strlen(indent));
                memcpy(line + start, text, take);
                line[start + take] = '\n';
                (void)log_write_line(line, start + take + 1);
                text += take;
                len -= take;
                while (len > 0 && *text == ' ') {
                        text++;
                        len--;
                }
                first = false;
        } while (len > 0);
}

int log_full(enum log_level level, int error, const char *fmt, ...)
{
        static const int syslog_prio[] = {3, 4, 5, 6, 7};
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                va_list ap;
                char buf[1024];
                int n;

                va_start(ap, fmt);
                n = vsnprintf(buf, sizeof buf, fmt, ap);
                va_end(ap);
                if (n >= 0 && error) {
                        size_t len = strlen(buf);
                        snprintf(buf + len, sizeof buf - len, ": %s", strerror(error));
                }
                if (n >= 0)
                        log_write_wrapped(syslog_prio[level], buf, strlen(buf));
        }
        errno = saved;
        return -error;
}
