/* Non-blocking journal sender: journald's native protocol over our own
 * AF_UNIX datagram socket, every send MSG_DONTWAIT. Unconnected (sendto
 * with the address each time) so that a restarted journald is found at
 * the same path without reconnecting. */
#include "act/journal-send.h"

#include <sys/socket.h>
#include <sys/un.h>

#include "base/log.h"
#include "base/util.h"

void journal_sender_init(struct journal_sender *j, const char *socket_path)
{
        j->fd = -EBADF;
        strcpy_bounded(j->socket_path, sizeof j->socket_path,
                       socket_path ? socket_path : JOURNAL_SOCKET_PATH);
        j->lost = j->lost_total = 0;
        j->lost_first_usec = j->lost_last_usec = 0;
        j->lost_error = 0;
}

void journal_sender_done(struct journal_sender *j)
{
        j->fd = safe_close(j->fd);
}

/* journald accepts field names of A-Z, 0-9 and _, not starting with a
 * digit; a leading _ is reserved for fields journald itself adds. */
static bool valid_name(const char *s, size_t len)
{
        if (len == 0 || len > 64 || (s[0] >= '0' && s[0] <= '9') || s[0] == '_')
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
                        return false;
        return true;
}

static bool put(char *buf, size_t size, size_t *pos, const void *p, size_t len)
{
        if (len > size - *pos)
                return false;
        memcpy(buf + *pos, p, len);
        *pos += len;
        return true;
}

int journal_serialize(const struct iovec *fields, size_t n, char *buf, size_t size)
{
        size_t pos = 0;

        for (size_t i = 0; i < n; i++) {
                const char *f = fields[i].iov_base;
                size_t len = fields[i].iov_len;
                const char *eq = f ? memchr(f, '=', len) : NULL;

                if (!eq || !valid_name(f, (size_t)(eq - f)))
                        return -EINVAL;
                size_t name_len = (size_t)(eq - f), value_len = len - name_len - 1;
                const char *value = eq + 1;

                if (!memchr(value, '\n', value_len)) {
                        if (!put(buf, size, &pos, f, len) || !put(buf, size, &pos, "\n", 1))
                                return -ENOBUFS;
                        continue;
                }
                unsigned char le[8];
                for (unsigned b = 0; b < 8; b++)
                        le[b] = (unsigned char)((uint64_t)value_len >> (8 * b));
                if (!put(buf, size, &pos, f, name_len) || !put(buf, size, &pos, "\n", 1) ||
                    !put(buf, size, &pos, le, sizeof le) ||
                    !put(buf, size, &pos, value, value_len) || !put(buf, size, &pos, "\n", 1))
                        return -ENOBUFS;
        }
        return pos > INT32_MAX ? -ENOBUFS : (int)pos;
}

static int open_socket(struct journal_sender *j)
{
        if (j->fd >= 0)
                return 0;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* Room for a burst of entries while journald is slow, as libsystemd
         * does; without privileges the kernel caps it at wmem_max. */
        int sz = 8 * 1024 * 1024;
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
        j->fd = fd;
        return 0;
}

/* One datagram, never waiting. */
static int send_raw(struct journal_sender *j, const char *data, size_t len)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int r;

        if (access(j->socket_path, F_OK) < 0)
                return -ENOENT;
        r = open_socket(j);
        if (r < 0)
                return r;
        memcpy(sa.sun_path, j->socket_path, strlen(j->socket_path));
        if (sendto(j->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&sa,
                   sizeof sa) < 0)
                return -errno;
        return 0;
}

static void format_utc(uint64_t usec, char *buf, size_t size)
{
        time_t t = (time_t)(usec / USEC_PER_SEC);
        struct tm tm;
        char s[32];

        if (!gmtime_r(&t, &tm) || strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
                snprintf(buf, size, "@%llu", (unsigned long long)(usec / USEC_PER_SEC));
                return;
        }
        snprintf(buf, size, "%s.%03u UTC", s, (unsigned)(usec % USEC_PER_SEC / 1000));
}

static int send_summary(struct journal_sender *j)
{
        char msg[256], cnt[64], first[64], last[64], err[64], a[40], b[40];
        struct iovec iov[9];
        size_t n = 0;
        int len;

        format_utc(j->lost_first_usec, a, sizeof a);
        format_utc(j->lost_last_usec, b, sizeof b);
        snprintf(msg, sizeof msg,
                 "MESSAGE=journald did not accept %llu entr%s from %s to %s (%s); they are lost",
                 (unsigned long long)j->lost, j->lost == 1 ? "y" : "ies", a, b,
                 strerror(-j->lost_error));
        snprintf(cnt, sizeof cnt, "THRASHGUARD_LOST_ENTRIES=%llu", (unsigned long long)j->lost);
        snprintf(first, sizeof first, "THRASHGUARD_LOST_FIRST_REALTIME_USEC=%llu",
                 (unsigned long long)j->lost_first_usec);
        snprintf(last, sizeof last, "THRASHGUARD_LOST_LAST_REALTIME_USEC=%llu",
                 (unsigned long long)j->lost_last_usec);
        snprintf(err, sizeof err, "THRASHGUARD_ERRNO=%d", -j->lost_error);
        const char *f[] = {msg,
                           "MESSAGE_ID=" JOURNAL_MESSAGE_ID_LOST,
                           "PRIORITY=4",
                           "SYSLOG_IDENTIFIER=thrashguard",
                           "THRASHGUARD_EVENT=journal-lost",
                           cnt,
                           first,
                           last,
                           err};
        for (; n < ARRAY_SIZE(f); n++)
                iov[n] = (struct iovec){.iov_base = (void *)f[n], .iov_len = strlen(f[n])};
        len = journal_serialize(iov, n, j->buf, sizeof j->buf);
        if (len < 0)
                return len;
        return send_raw(j, j->buf, (size_t)len);
}

static void count_lost(struct journal_sender *j, int error, uint64_t realtime_usec)
{
        if (j->lost == 0) {
                j->lost_first_usec = realtime_usec;
                j->lost_error = error;
                log_warning_errno(error, "journald does not accept entries: counting the ones "
                                         "dropped until it does");
        }
        j->lost++;
        j->lost_total++;
        j->lost_last_usec = realtime_usec;
}

int journal_flush_lost(struct journal_sender *j, uint64_t realtime_usec)
{
        int r;

        (void)realtime_usec;
        if (j->lost == 0)
                return 0;
        r = send_summary(j);
        if (r < 0)
                return r;
        log_notice("journald accepts entries again; %llu were lost (%llu in all)",
                   (unsigned long long)j->lost, (unsigned long long)j->lost_total);
        j->lost = 0;
        return 1;
}

int journal_send(struct journal_sender *j, const struct iovec *fields, size_t n,
                 uint64_t realtime_usec)
{
        int r, len;

        if (access(j->socket_path, F_OK) < 0 && j->lost == 0)
                return -ENOENT;
        len = journal_serialize(fields, n, j->buf, sizeof j->buf);
        if (len < 0) {
                count_lost(j, len, realtime_usec);
                return len;
        }
        /* The summary goes first, so that it stands before the entries
         * that came after the gap; it reuses buf, so it is sent before
         * this entry is serialized again. */
        if (j->lost > 0) {
                r = journal_flush_lost(j, realtime_usec);
                if (r < 0) {
                        count_lost(j, r, realtime_usec);
                        return r;
                }
                len = journal_serialize(fields, n, j->buf, sizeof j->buf);
                if (len < 0)
                        return len;
        }
        r = send_raw(j, j->buf, (size_t)len);
        if (r < 0) {
                count_lost(j, r, realtime_usec);
                return r;
        }
        return 0;
}
