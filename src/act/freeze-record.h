/* The record of the groups the daemon froze, kept in a small state file in
 * its runtime directory (/run/thrashguard/frozen by default) so that a
 * restarted daemon (after a crash, a watchdog restart, an upgrade) can
 * finish what the one before it began, and so that nothing it froze is
 * left behind. Written before every freeze, atomically (a temporary file
 * renamed over the old one); read once at start.
 *
 * Format, text, one record a line after a header:
 *
 *     thrashguard-frozen 1
 *     <cgroup id> <boottime usec> <realtime usec> <mode> <rule> <path>
 *
 * mode: freeze | freeze-kill; rule: shortage | local-thrash; boottime is
 * CLOCK_BOOTTIME when the group was frozen (comparable across restarts
 * within one boot), realtime CLOCK_REALTIME (for people); path is the
 * group's cgroup path, with bytes below 0x21, 0x7f and '\' written as \xHH.
 * A file whose header is not this one is ignored whole; a line that does
 * not parse is skipped. Nothing here trusts the file: it may be anything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe/cgroup.h"
#include "config/config.h"
#include "decide/policy.h"

#define FREEZE_RECORD_FILE   "frozen"
#define FREEZE_RECORD_HEADER "thrashguard-frozen 1"
#define FREEZE_RECORD_MAX    64
/* The default runtime directory (the unit's RuntimeDirectory=thrashguard). */
#define FREEZE_RECORD_RUN_DIR "/run/thrashguard"

struct freeze_record {
        char cgroup[CGROUP_PATH_MAX];
        uint64_t cgroup_id;
        uint64_t boottime_usec;
        uint64_t realtime_usec;
        enum action_mode mode; /* FREEZE or FREEZE_KILL */
        enum rule rule;        /* SHORTAGE or LOCAL_THRASH */
};

struct freeze_records {
        unsigned n;
        struct freeze_record r[FREEZE_RECORD_MAX];
};

/* Parses a state file's contents (buf[len], need not be NUL-terminated).
 * Returns 0 and fills ret (records in file order, a cgroup id seen twice
 * kept once, at most FREEZE_RECORD_MAX) with *ret_bad the number of lines
 * skipped as malformed (or over the cap); -EINVAL when the header is wrong
 * (ret then holds no records). */
int freeze_records_parse(const char *buf, size_t len, struct freeze_records *ret,
                         unsigned *ret_bad);

/* Writes the file's contents into buf[size]. Returns the length, or
 * -ENOBUFS. */
int freeze_records_format(const struct freeze_records *s, char *buf, size_t size);

/* Reads dir_fd/FREEZE_RECORD_FILE. -ENOENT when there is none, -EINVAL
 * when it is garbage (see parse; ret empty), -EFBIG when it is larger than
 * any file this module writes, other negative errno when unreadable. */
int freeze_records_load(int dir_fd, struct freeze_records *ret, unsigned *ret_bad);

/* Replaces dir_fd/FREEZE_RECORD_FILE atomically (temporary file, rename).
 * On success *ret_ino (may be NULL) is the new file's inode, by which the
 * daemon notices the file being replaced by someone else. */
int freeze_records_save(int dir_fd, const struct freeze_records *s, uint64_t *ret_ino);

/* The inode of dir_fd/FREEZE_RECORD_FILE, -ENOENT when there is none. */
int freeze_records_inode(int dir_fd, uint64_t *ret);

/* Index of the record of this group (by id), or -ENOENT. */
int freeze_records_find(const struct freeze_records *s, uint64_t cgroup_id);
/* Index of the record with this path, or -ENOENT. */
int freeze_records_find_path(const struct freeze_records *s, const char *path);
/* Adds or replaces (same id) a record; -ENOSPC when full. */
int freeze_records_put(struct freeze_records *s, const struct freeze_record *rec);
/* Removes record i (0 <= i < n), keeping the order of the others. */
void freeze_records_remove(struct freeze_records *s, unsigned i);

/* Where the state file lives: the option if given, else the first
 * directory of $RUNTIME_DIRECTORY (set by systemd from RuntimeDirectory=),
 * else FREEZE_RECORD_RUN_DIR. Writes into ret[size]; -ENAMETOOLONG. */
int freeze_records_dir(const char *option, char *ret, size_t size);
