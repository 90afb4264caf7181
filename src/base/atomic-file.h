/* Replacing a small file whole: readers see the old contents or the new,
 * never a part (a temporary file in the same directory, renamed over the
 * old one). For the daemon's state files in its runtime directory and the
 * metrics it leaves for a node exporter. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Writes data[len] to dir_fd/name atomically, mode 0644, through the
 * temporary dir_fd/.name.tmp (removed on failure). No fsync: the files
 * this serves live on tmpfs or are rewritten every tick; losing one to a
 * power cut loses nothing. On success *ret_ino (may be NULL) is the new
 * file's inode. Returns 0 or a negative errno. */
int atomic_file_write(int dir_fd, const char *name, const char *data, size_t len,
                      uint64_t *ret_ino);
