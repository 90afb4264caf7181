/* Prometheus metrics: the directory and the file (see metrics.h). The
 * directory is the operator's, outside --root: the node exporter reads it
 * on the host. */
#include "act/metrics.h"

#include <fcntl.h>

#include "base/atomic-file.h"
#include "base/log.h"
#include "base/util.h"

void metrics_done(struct metrics *m)
{
        if (m->dir_fd >= 0)
                close(m->dir_fd);
        m->dir_fd = -EBADF;
        m->dir[0] = 0;
}

static const char *configured_dir(const struct config *c)
{
        return c->alert.metrics_dir.n ? c->alert.metrics_dir.items[0] : "";
}

/* Opens the configured directory, or keeps the one open. A reload that
 * names another (or none) closes the old one and warns afresh. */
static int open_dir(struct metrics *m, const char *dir)
{
        if (!streq(m->dir, dir)) {
                metrics_done(m);
                m->warned = false;
                strcpy_bounded(m->dir, sizeof m->dir, dir);
        }
        if (m->dir_fd >= 0)
                return 0;
        m->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (m->dir_fd < 0) {
                m->dir_fd = -EBADF;
                return -errno;
        }
        return 0;
}

int metrics_publish(struct metrics *m, const struct metrics_view *v)
{
        const char *dir = configured_dir(v->config);
        int len, r;

        if (!dir[0]) {
                metrics_done(m);
                return 1;
        }
        r = open_dir(m, dir);
        if (r < 0) {
                if (!m->warned)
                        log_warning_errno(r,
                                          "Metrics: cannot open directory %s, no metrics "
                                          "until it can be",
                                          dir);
                m->warned = true;
                return r;
        }
        len = metrics_format(m, v, m->buf, sizeof m->buf);
        if (len < 0)
                r = len;
        else
                r = atomic_file_write(m->dir_fd, METRICS_FILE_NAME, m->buf, (size_t)len, NULL);
        if (r < 0) {
                if (!m->warned)
                        log_warning_errno(r,
                                          "Metrics: cannot write %s/%s, no metrics until it can "
                                          "be",
                                          dir, METRICS_FILE_NAME);
                m->warned = true;
                /* The directory may have been replaced: open it afresh. */
                metrics_done(m);
                strcpy_bounded(m->dir, sizeof m->dir, dir);
                return r;
        }
        if (m->warned)
                log_notice("Metrics: writing %s/%s again", dir, METRICS_FILE_NAME);
        m->warned = false;
        return 0;
}
