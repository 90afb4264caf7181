/* journal-send: the native serialization (plain and binary fields,
 * refused names, buffers cut at every length) and the accounting of what
 * journald does not take, against a real AF_UNIX datagram socket whose
 * queue is left full, as a stopped journald leaves it. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "act/journal-send.h"

#define IOV(s) ((struct iovec){.iov_base = (void *)(s), .iov_len = strlen(s)})

static void test_serialize_plain(void **state)
{
        struct iovec f[] = {IOV("MESSAGE=hello"), IOV("PRIORITY=4")};
        char buf[64];
        (void)state;

        int n = journal_serialize(f, 2, buf, sizeof buf);
        assert_int_equal(n, strlen("MESSAGE=hello\nPRIORITY=4\n"));
        assert_memory_equal(buf, "MESSAGE=hello\nPRIORITY=4\n", (size_t)n);
        assert_int_equal(journal_serialize(f, 0, buf, sizeof buf), 0);
}

static void test_serialize_binary(void **state)
{
        struct iovec f[] = {IOV("C=a\nb")};
        char buf[64];
        const char want[] = "C\n\x03\0\0\0\0\0\0\0a\nb\n";
        (void)state;

        int n = journal_serialize(f, 1, buf, sizeof buf);
        assert_int_equal(n, sizeof want - 1);
        assert_memory_equal(buf, want, sizeof want - 1);
}

static void test_serialize_refused(void **state)
{
        static const char *const bad[] = {
            "message=x",
            "=x",
            "1ABC=x",
            "_PID=1",
            "NO_EQUALS",
            "A-B=x",
            "A B=x",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=x", /* 65 */
        };
        char buf[256];
        (void)state;

        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct iovec f[] = {IOV("MESSAGE=ok"), IOV(bad[i])};
                assert_int_equal(journal_serialize(f, 2, buf, sizeof buf), -EINVAL);
        }
        struct iovec null_base = {.iov_base = NULL, .iov_len = 0};
        assert_int_equal(journal_serialize(&null_base, 1, buf, sizeof buf), -EINVAL);
}

static void test_serialize_cut(void **state)
{
        struct iovec f[] = {IOV("MESSAGE=hello"), IOV("CANDIDATES=1. a\n2. b")};
        char full[128], buf[128];
        (void)state;

        int n = journal_serialize(f, 2, full, sizeof full);
        assert_true(n > 0);
        for (int size = 0; size < n; size++)
                assert_int_equal(journal_serialize(f, 2, buf, (size_t)size), -ENOBUFS);
        assert_int_equal(journal_serialize(f, 2, buf, (size_t)n), n);
        assert_memory_equal(buf, full, (size_t)n);
}

/* A bound datagram socket in a fresh directory: a journald that never
 * reads until told. */
struct server {
        char dir[64], path[108];
        int fd;
};

static void server_open(struct server *s)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        strcpy(s->dir, "/tmp/tg-unit-journal-XXXXXX");
        assert_non_null(mkdtemp(s->dir));
        snprintf(s->path, sizeof s->path, "%s/socket", s->dir);
        s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        assert_true(s->fd >= 0);
        strcpy(sa.sun_path, s->path);
        assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof sa), 0);
}

static void server_close(struct server *s)
{
        s->fd = safe_close(s->fd);
        unlink(s->path);
        rmdir(s->dir);
}

/* Reads every queued datagram; returns how many, and copies the first that
 * holds `want` (if given) into found. */
static unsigned server_drain(struct server *s, const char *want, char *found, size_t size)
{
        char buf[JOURNAL_DGRAM_MAX + 1];
        unsigned n = 0;
        ssize_t k;

        while ((k = recv(s->fd, buf, sizeof buf - 1, 0)) >= 0) {
                buf[k] = 0;
                if (want && found && found[0] == 0 && strstr(buf, want))
                        strcpy_bounded(found, size, buf);
                n++;
        }
        assert_int_equal(errno, EAGAIN);
        return n;
}

static uint64_t field_u64(const char *entry, const char *name)
{
        const char *p = strstr(entry, name);
        assert_non_null(p);
        return strtoull(p + strlen(name), NULL, 10);
}

static void test_accounting(void **state)
{
        static struct journal_sender j;
        struct iovec f[] = {IOV("MESSAGE=entry"), IOV("SYSLOG_IDENTIFIER=thrashguard")};
        struct server s;
        char summary[4096] = "";
        unsigned sent = 0, lost = 0;
        (void)state;

        server_open(&s);
        journal_sender_init(&j, s.path);
        uint64_t t0 = clock_monotonic_usec();
        for (unsigned i = 0; i < 1000; i++) {
                int r = journal_send(&j, f, 2, 1000 + i);
                if (r == 0)
                        sent++;
                else {
                        assert_int_equal(r, -EAGAIN);
                        lost++;
                }
        }
        /* Not one send waited: 1000 sends against a full queue. */
        assert_true(clock_monotonic_usec() - t0 < USEC_PER_SEC);
        assert_true(sent > 0 && lost > 0);
        assert_int_equal(j.lost, lost);
        assert_int_equal(j.lost_total, lost);
        assert_int_equal(j.lost_first_usec, 1000 + sent);
        assert_int_equal(j.lost_last_usec, 1000 + 999);
        assert_int_equal(j.lost_error, -EAGAIN);
        assert_int_equal(server_drain(&s, NULL, NULL, 0), sent);

        /* journald reads again: the next flush is one summary of them all. */
        assert_int_equal(journal_flush_lost(&j, 5000), 1);
        assert_int_equal(
            server_drain(&s, "THRASHGUARD_EVENT=journal-lost", summary, sizeof summary), 1);
        assert_int_equal(field_u64(summary, "THRASHGUARD_LOST_ENTRIES="), lost);
        assert_int_equal(field_u64(summary, "THRASHGUARD_LOST_FIRST_REALTIME_USEC="), 1000 + sent);
        assert_int_equal(field_u64(summary, "THRASHGUARD_LOST_LAST_REALTIME_USEC="), 1999);
        assert_non_null(strstr(summary, "MESSAGE_ID=" JOURNAL_MESSAGE_ID_LOST "\n"));
        assert_non_null(strstr(summary, "SYSLOG_IDENTIFIER=thrashguard\n"));
        assert_int_equal(j.lost, 0);
        assert_int_equal(j.lost_total, lost);
        assert_int_equal(journal_flush_lost(&j, 5001), 0);

        /* Lost again; this time the next entry carries the summary ahead of
         * itself: summary first, then the entry. */
        while (journal_send(&j, f, 2, 6000) == 0)
                ;
        uint64_t again = j.lost;
        assert_true(again >= 1);
        assert_int_equal(journal_flush_lost(&j, 6001), -EAGAIN);
        assert_int_equal(j.lost, again); /* a failed flush loses nothing more */
        server_drain(&s, NULL, NULL, 0);
        assert_int_equal(journal_send(&j, f, 2, 7000), 0);
        summary[0] = 0;
        assert_int_equal(server_drain(&s, "journal-lost", summary, sizeof summary), 2);
        assert_int_equal(field_u64(summary, "THRASHGUARD_LOST_ENTRIES="), again);
        assert_int_equal(j.lost_total, lost + again);

        journal_sender_done(&j);
        server_close(&s);
}

static void test_no_journal(void **state)
{
        static struct journal_sender j;
        struct iovec f[] = {IOV("MESSAGE=entry")};
        (void)state;

        journal_sender_init(&j, "/nonexistent/tg-unit/socket");
        assert_int_equal(journal_send(&j, f, 1, 1), -ENOENT);
        assert_int_equal(j.lost, 0);
        assert_int_equal(journal_flush_lost(&j, 2), 0);
        journal_sender_done(&j);
}

static void test_nobody_listening(void **state)
{
        static struct journal_sender j;
        struct iovec f[] = {IOV("MESSAGE=entry")};
        struct server s;
        (void)state;

        /* journald died: its socket file is left, nobody reads it. */
        server_open(&s);
        s.fd = safe_close(s.fd);
        journal_sender_init(&j, s.path);
        assert_int_equal(journal_send(&j, f, 1, 10), -ECONNREFUSED);
        assert_int_equal(journal_send(&j, f, 1, 11), -ECONNREFUSED);
        assert_int_equal(j.lost, 2);
        assert_int_equal(j.lost_error, -ECONNREFUSED);
        /* Gone altogether while entries are owed: still counted. */
        unlink(s.path);
        assert_int_equal(journal_send(&j, f, 1, 12), -ENOENT);
        assert_int_equal(j.lost, 3);
        journal_sender_done(&j);
        server_close(&s);
}

static void test_unserializable_counted(void **state)
{
        static struct journal_sender j;
        struct iovec f[] = {IOV("bad=entry")};
        struct server s;
        (void)state;

        server_open(&s);
        journal_sender_init(&j, s.path);
        assert_int_equal(journal_send(&j, f, 1, 1), -EINVAL);
        assert_int_equal(j.lost, 1);
        journal_sender_done(&j);
        server_close(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_serialize_plain),   cmocka_unit_test(test_serialize_binary),
            cmocka_unit_test(test_serialize_refused), cmocka_unit_test(test_serialize_cut),
            cmocka_unit_test(test_accounting),        cmocka_unit_test(test_no_journal),
            cmocka_unit_test(test_nobody_listening),  cmocka_unit_test(test_unserializable_counted),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
