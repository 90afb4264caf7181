/* The readers of a group's kept files: opened once, re-read with pread
 * every tick (cgroup_read_brief: usage, and PSI when the observer cannot
 * tell that it stood still), the rest when the observer asks. */
#include "observe/cgroup-internal.h"

#include <fcntl.h>

#include "observe/parse.h"

/* v1 reports "no limit" as PAGE_COUNTER_MAX * PAGE_SIZE (9223372036854771712
 * with 4 KiB pages, other values with other page sizes): anything this large
 * is no limit at all. */
#define V1_UNLIMITED_MIN ((uint64_t)1 << 62)

/* Sized for the largest kept file read every tick: v2 memory.stat is about
 * 3 KiB on current kernels, v1 about 1.5 KiB. */
#define READ_BUF_SIZE 8192

void cgroup_files_init(struct cgroup_files *f)
{
        *f = (struct cgroup_files){
            .memory_stat = -EBADF,
            .memory_current = -EBADF,
            .memory_max = -EBADF,
            .memory_high = -EBADF,
            .memory_events = -EBADF,
            .oom_control = -EBADF,
            .pressure = -EBADF,
            .cgroup_events = -EBADF,
            .procs = -EBADF,
            .freezer_state = -EBADF,
        };
}

void cgroup_files_close(struct cgroup_files *f)
{
        if (!f)
                return;
        safe_close(f->memory_stat);
        safe_close(f->memory_current);
        safe_close(f->memory_max);
        safe_close(f->memory_high);
        safe_close(f->memory_events);
        safe_close(f->oom_control);
        safe_close(f->pressure);
        safe_close(f->cgroup_events);
        safe_close(f->procs);
        safe_close(f->freezer_state);
        cgroup_files_init(f);
}

unsigned cgroup_files_count(const struct cgroup_files *f)
{
        const int fds[] = {f->memory_stat,   f->memory_current, f->memory_max, f->memory_high,
                           f->memory_events, f->oom_control,    f->pressure,   f->cgroup_events,
                           f->procs,         f->freezer_state};
        unsigned n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
                n += fds[i] >= 0;
        return n;
}

/* A file that some kernels or layouts lack: absent is -EBADF, not an error. */
static int open_optional(const struct cgroup_layout *l, const char *dir, const char *path,
                         const char *file, int *ret_fd)
{
        int fd = cgroup_open_file(l, dir, path, file);
        if (fd == -ENOENT || fd == -EOPNOTSUPP)
                fd = -EBADF;
        else if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}

int cgroup_files_open(const struct cgroup_layout *l, const char *path, struct cgroup_files *ret)
{
        struct cgroup_files f;
        bool v2 = l->mode == CGROUP_MODE_V2;
        const char *m = l->memory_dir;
        int r;

        cgroup_files_init(&f);

        /* cgroup.procs first: when it is missing, the group is. */
        r = f.procs = cgroup_open_file(l, m, path, "cgroup.procs");
        if (r < 0)
                goto fail;
        r = f.memory_stat = cgroup_open_file(l, m, path, "memory.stat");
        if (r < 0)
                goto fail;
        r = f.memory_current =
            cgroup_open_file(l, m, path, v2 ? "memory.current" : "memory.usage_in_bytes");
        if (r < 0)
                goto fail;
        r = f.memory_max =
            cgroup_open_file(l, m, path, v2 ? "memory.max" : "memory.limit_in_bytes");
        if (r < 0)
                goto fail;
        if (v2) {
                r = open_optional(l, m, path, "memory.high", &f.memory_high);
                if (r >= 0)
                        r = open_optional(l, m, path, "memory.events", &f.memory_events);
        } else {
                r = open_optional(l, m, path, "memory.failcnt", &f.memory_events);
                if (r >= 0)
                        r = open_optional(l, m, path, "memory.oom_control", &f.oom_control);
        }
        if (r < 0)
                goto fail;
        if (l->unified_dir[0]) {
                /* In hybrid mode the mirror may not exist: no PSI, no events. */
                r = open_optional(l, l->unified_dir, path, "memory.pressure", &f.pressure);
                if (r >= 0)
                        r = open_optional(l, l->unified_dir, path, "cgroup.events",
                                          &f.cgroup_events);
                if (r < 0)
                        goto fail;
        }
        if (f.cgroup_events < 0 && l->freezer_dir[0]) {
                r = open_optional(l, l->freezer_dir, path, "freezer.state", &f.freezer_state);
                if (r < 0)
                        goto fail;
        }
        *ret = f;
        return 0;
fail:
        cgroup_files_close(&f);
        return r;
}

/* A limit (memory.max, memory.high: "max" is unlimited) or, with !limit, a
 * usage (memory.current, where "max" is malformed). */
static int read_bytes(const struct cgroup_layout *l, int fd, bool limit, uint64_t *ret)
{
        uint64_t v;
        int r = limit ? fd_read_u64(fd, &v) : fd_read_count(fd, &v);
        if (r < 0)
                return r;
        if (l->mode != CGROUP_MODE_V2 && v >= V1_UNLIMITED_MIN)
                v = BYTES_UNLIMITED;
        *ret = v;
        return 0;
}

/* pread of a kept file into buf; a file too large for buf is malformed. */
static int read_kept(int fd, char *buf, size_t size)
{
        ssize_t n = fd_pread_all(fd, buf, size);
        if (n == -EFBIG)
                return -EINVAL;
        return n < 0 ? (int)n : 0;
}

/* > 0 when a cgroup.procs fd lists a process. Reads only its beginning. */
int cgroup_procs_nonempty(int fd)
{
        char c[8];
        ssize_t n = pread(fd, c, sizeof c, 0);
        if (n < 0)
                return -errno;
        return n > 0;
}

/* Every kept file of a group but the two that cgroup_read_brief() reads,
 * into s (whose usage_bytes, psi and has_psi are left as they are). */
static int read_rest(const struct cgroup_layout *l, const struct cgroup_files *f,
                     struct cgroup_sample *s)
{
        bool v2 = l->mode == CGROUP_MODE_V2;
        char buf[READ_BUF_SIZE];
        int r;

        r = read_bytes(l, f->memory_max, true, &s->limit_bytes);
        if (r < 0)
                return r;
        if (f->memory_high >= 0) {
                r = read_bytes(l, f->memory_high, true, &s->high_bytes);
                if (r < 0)
                        return r;
        }

        r = read_kept(f->memory_stat, buf, sizeof buf);
        if (r < 0)
                return r;
        r = v2 ? memstat_parse_v2(buf, &s->stat) : memstat_parse_v1(buf, &s->stat);
        if (r < 0)
                return -EINVAL;

        if (v2 && f->memory_events >= 0) {
                r = read_kept(f->memory_events, buf, sizeof buf);
                if (r < 0)
                        return r;
                if (memevents_parse_v2(buf, &s->events) < 0)
                        return -EINVAL;
        } else if (!v2) {
                /* v1: failcnt counts charges that hit the limit (the "max"
                 * event); oom_control has the oom_kill counter and, for
                 * "oom", only the under_oom state (0 or 1). */
                if (f->memory_events >= 0) {
                        r = fd_read_count(f->memory_events, &s->events.max);
                        if (r < 0)
                                return r;
                }
                if (f->oom_control >= 0) {
                        struct oom_control oc;
                        r = read_kept(f->oom_control, buf, sizeof buf);
                        if (r < 0)
                                return r;
                        if (oom_control_parse(buf, &oc) < 0)
                                return -EINVAL;
                        s->events.oom = oc.under_oom;
                        s->events.oom_kill = oc.oom_kill;
                }
        }

        if (f->cgroup_events >= 0) {
                struct cgroup_events ev;
                r = read_kept(f->cgroup_events, buf, sizeof buf);
                if (r < 0)
                        return r;
                if (cgroup_events_parse(buf, &ev) < 0)
                        return -EINVAL;
                s->populated = ev.populated;
                s->frozen = ev.frozen;
        } else if (f->freezer_state >= 0) {
                r = read_kept(f->freezer_state, buf, sizeof buf);
                if (r < 0)
                        return r;
                s->frozen = startswith(buf, "FROZEN");
        }
        /* Outside pure v2 the memory hierarchy decides membership: the
         * mirror's events only see the tasks that were put into it. */
        if (!v2 && !s->populated) {
                r = cgroup_procs_nonempty(f->procs);
                if (r < 0)
                        return r;
                s->populated = r > 0;
        }
        return 0;
}

int cgroup_read(const struct cgroup_layout *l, const struct cgroup_files *f,
                struct cgroup_sample *ret)
{
        struct cgroup_sample s = {0};
        int r;

        r = cgroup_read_brief(l, f, true, &s);
        if (r < 0)
                return r;
        return cgroup_read_rest(l, f, &s, ret);
}

int cgroup_read_brief(const struct cgroup_layout *l, const struct cgroup_files *f, bool with_psi,
                      struct cgroup_sample *ret)
{
        uint64_t usage;
        struct psi psi = {0};
        char buf[512];
        int r;

        r = read_bytes(l, f->memory_current, false, &usage);
        if (r < 0)
                return r;
        if (!with_psi) {
                ret->usage_bytes = usage;
                return 0;
        }
        if (f->pressure >= 0) {
                r = read_kept(f->pressure, buf, sizeof buf);
                if (r < 0)
                        return r;
                if (psi_parse(buf, &psi) < 0)
                        return -EINVAL;
        }
        ret->usage_bytes = usage;
        ret->psi = psi;
        ret->has_psi = f->pressure >= 0;
        return 0;
}

int cgroup_read_rest(const struct cgroup_layout *l, const struct cgroup_files *f,
                     const struct cgroup_sample *brief, struct cgroup_sample *ret)
{
        struct cgroup_sample s = {
            .usage_bytes = brief->usage_bytes,
            .high_bytes = BYTES_UNLIMITED,
            .psi = brief->psi,
            .has_psi = brief->has_psi,
        };
        int r = read_rest(l, f, &s);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}

int cgroup_procs_open(const struct cgroup_layout *l, const char *path)
{
        return cgroup_tree_procs_open(l, CGROUP_TREE_MEMORY, path);
}

int cgroup_tree_procs_open(const struct cgroup_layout *l, enum cgroup_tree tree, const char *path)
{
        const char *top = cgroup_tree_dir(l, tree);
        if (!top)
                return cgroup_path_valid(path) ? -EOPNOTSUPP : -EINVAL;
        return cgroup_open_file(l, top, path, "cgroup.procs");
}

int cgroup_read_pids(int procs_fd, pid_t *pids, size_t cap)
{
        /* cgroup.procs may hold thousands of pids: read it in chunks and
         * carry a number cut at a chunk's end over to the next. */
        char buf[4096];
        off_t off = 0;
        size_t count = 0;
        uint64_t cur = 0;
        bool in_number = false;

        for (;;) {
                ssize_t n = pread(procs_fd, buf, sizeof buf, off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                /* A short read is not the end: cgroup.procs is a seq_file
                 * that returns about one page per read, and only a read
                 * of 0 bytes says that nothing follows. */
                off += n;
                for (ssize_t i = 0; i < n; i++) {
                        char c = buf[i];
                        if (c >= '0' && c <= '9') {
                                cur = cur * 10 + (uint64_t)(c - '0');
                                if (cur > INT32_MAX)
                                        return -EINVAL;
                                in_number = true;
                        } else if (c == '\n') {
                                if (!in_number)
                                        return -EINVAL;
                                /* 0 stands for a task outside our pid namespace:
                                 * nothing we could signal, so not counted. */
                                if (cur == 0) {
                                        in_number = false;
                                        continue;
                                }
                                if (count < cap)
                                        pids[count] = (pid_t)cur;
                                if (count == INT32_MAX)
                                        return -EINVAL;
                                count++;
                                cur = 0;
                                in_number = false;
                        } else
                                return -EINVAL;
                }
        }
        if (in_number && cur != 0) { /* no final newline */
                if (count < cap)
                        pids[count] = (pid_t)cur;
                count++;
        }
        return (int)count;
}
