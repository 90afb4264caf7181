#include "base/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>

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
                char note[96];
                int n = snprintf(note, sizeof note,
                                 "%s%llu log line(s) dropped (stderr not "
                                 "accepting)\n",
                                 getenv("JOURNAL_STREAM") ? "<4>" : "warning: ",
                                 (unsigned long long)sink.dropped_pending);
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

int log_full(enum log_level level, int error, const char *fmt, ...)
{
        /* Under systemd, stderr is a journal stream (JOURNAL_STREAM is set)
         * and a "<N>" prefix carries the syslog priority; on a terminal it
         * would only be noise. */
        static const int syslog_prio[] = {3, 4, 5, 6, 7};
        static const char *const level_word[] = {"error: ", "warning: ", "", "", "debug: "};
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                va_list ap;
                char buf[1024], line[1200];
                int n;

                va_start(ap, fmt);
                vsnprintf(buf, sizeof buf, fmt, ap);
                va_end(ap);
                char prefix[16];
                if (getenv("JOURNAL_STREAM"))
                        snprintf(prefix, sizeof prefix, "<%d>", syslog_prio[level]);
                else
                        snprintf(prefix, sizeof prefix, "%s", level_word[level]);
                if (error)
                        n = snprintf(line, sizeof line, "%s%s: %s\n", prefix, buf, strerror(error));
                else
                        n = snprintf(line, sizeof line, "%s%s\n", prefix, buf);
                if (n > 0) {
                        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
                        line[len - 1] = '\n';
                        (void)log_write_line(line, len);
                }
        }
        errno = saved;
        return -error;
}
