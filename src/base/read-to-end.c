/* One reader of a whole file of unknown length (read-to-end.h). */
#include "base/read-to-end.h"

#include <limits.h>

#include "base/util.h"

/* Big enough for what each caller usually reads in one pread, small
 * enough that a short file costs little. */
#define INITIAL_BYTES 4096

int read_to_end(int fd, size_t max_bytes, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t cap = 0, len = 0;

        if (fd < 0)
                return -EBADF;
        if (max_bytes >= SSIZE_MAX)
                return -EINVAL;
        for (;;) {
                /* One byte past max_bytes is what tells "too long" apart
                 * from "exactly max_bytes"; one more holds the NUL. */
                if (len + 1 >= cap) {
                        size_t want = cap ? cap * 2 : INITIAL_BYTES;
                        if (want > max_bytes + 2)
                                want = max_bytes + 2;
                        char *p = realloc(buf, want);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        cap = want;
                }
                ssize_t n = pread(fd, buf + len, cap - 1 - len, (off_t)len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max_bytes)
                        return -EFBIG;
        }
        buf[len] = 0;
        *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}
