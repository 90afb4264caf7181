/* Sending entries to journald without ever waiting for it. journald stalls
 * exactly when the node thrashes; sd_journal_sendv() then blocks in
 * sendmsg() once its socket queue is full (net.unix.max_dgram_qlen, 10 by
 * default), and with it the loop that must kill. Here every send is
 * MSG_DONTWAIT on our own AF_UNIX datagram socket, in journald's native
 * protocol; what could not be sent is counted, and the first send that
 * journald accepts again is preceded by one entry that says how many were
 * lost and when. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define JOURNAL_SOCKET_PATH "/run/systemd/journal/socket"
/* The MESSAGE_ID of the summary of lost entries (thrashguard(8)). */
#define JOURNAL_MESSAGE_ID_LOST "8d3c1f6b2a9e4d07b5e6c4a1f09d2e73"
/* One datagram: the largest entry alert.c builds, serialized. */
#define JOURNAL_DGRAM_MAX (32 * 1024)

struct journal_sender {
        int fd;                      /* SOCK_DGRAM, -EBADF until the first send */
        char socket_path[108];       /* sun_path */
        uint64_t lost;               /* entries dropped since journald last accepted one */
        uint64_t lost_total;         /* over the sender's life */
        uint64_t lost_first_usec;    /* CLOCK_REALTIME of the first of `lost` */
        uint64_t lost_last_usec;     /* ... and of the last */
        int lost_error;              /* why the first of `lost` was dropped (-errno) */
        char buf[JOURNAL_DGRAM_MAX]; /* serialization work area */
};

/* socket_path NULL: JOURNAL_SOCKET_PATH. */
void journal_sender_init(struct journal_sender *j, const char *socket_path);
void journal_sender_done(struct journal_sender *j);

/* Serializes fields ("NAME=value", no NUL needed) into journald's native
 * format: NAME=value\n, or, where the value holds a newline, NAME\n, the
 * value's length as 64-bit little endian, the value, \n. Returns the
 * length, -EINVAL for a field without a valid name (A-Z, 0-9, _; not
 * starting with a digit or _ ... journald's rules, as far as it refuses),
 * -ENOBUFS when it does not fit in size. */
int journal_serialize(const struct iovec *fields, size_t n, char *buf, size_t size);

/* Sends one entry without blocking. First, if entries were lost, the
 * summary of them (and if that cannot be sent either, this entry is lost
 * too). realtime_usec: CLOCK_REALTIME now, for the summary's times.
 * Returns 0 sent; -ENOENT when there is no journal socket at all (nothing
 * counted: the caller writes elsewhere); otherwise negative errno (-EAGAIN:
 * journald's queue is full; -ECONNREFUSED: nobody listens) and the entry
 * was counted as lost. */
int journal_send(struct journal_sender *j, const struct iovec *fields, size_t n,
                 uint64_t realtime_usec);

/* Sends the summary of lost entries, if any, without blocking. Returns 1
 * when a summary went out, 0 when nothing was lost, negative errno when it
 * still cannot be sent (the count is kept). The loop calls it every tick,
 * so that the summary comes when journald accepts again, not only with the
 * next decision. */
int journal_flush_lost(struct journal_sender *j, uint64_t realtime_usec);
