/* Reading a whole file from an fd, when its length is not known beforehand:
 * the state files a running daemon publishes, the freeze records it keeps,
 * and a node file (/proc/meminfo, /proc/vmstat) too large for the buffer
 * read every tick. */
#pragma once

#include <stddef.h>

/* Reads fd from offset 0 to its end (pread until it returns 0, so that a
 * file that the kernel hands out in pieces is read whole) into a buffer
 * that it allocates and grows, holding at most max_bytes of text.
 * On success *ret is that buffer, NUL-terminated (the caller frees it), and
 * *ret_len the length of the text. -EFBIG when the file holds more than
 * max_bytes, -ENOMEM, or the errno of pread (ESPIPE: not a file). */
int read_to_end(int fd, size_t max_bytes, char **ret, size_t *ret_len);
