/* The node's files (/proc/meminfo, /proc/vmstat, /proc/pressure/memory)
 * and each scope's, kept open and re-read every tick. */
#include "observe/observer-internal.h"

#include <string.h>

#include "base/log.h"
#include "base/read-to-end.h"
#include "observe/parse.h"

#define NODE_BUF_SIZE 16384
#define NODE_FILE_MAX (4 << 20)

/* A node file into buf[size]; one larger than that (a kernel with many
 * more fields, a fixture) is read to its end into *ret_heap, up to
 * NODE_FILE_MAX. Returns the text, or NULL with *ret_error set. */
static const char *read_node_file(int fd, char *buf, size_t size, char **ret_heap, int *ret_error)
{
        ssize_t n = fd_pread_all(fd, buf, size);
        char *heap;
        size_t len;

        if (n >= 0)
                return buf;
        if (n == -EFBIG)
                n = read_to_end(fd, NODE_FILE_MAX, &heap, &len);
        if (n < 0) {
                *ret_error = (int)n;
                return NULL;
        }
        *ret_heap = heap;
        return heap;
}

/* /proc/meminfo into s->meminfo, saying once (until it reads again) what
 * is wrong with it; without it the node scope is unreadable this tick, and
 * the other scopes are not bounded by MemAvailable (snapshot.h). */
static int read_meminfo(struct observer *o, struct snapshot *s)
{
        char buf[NODE_BUF_SIZE];
        _cleanup_free_ char *heap = NULL;
        const char *text, *missing;
        int r = 0;

        text = read_node_file(o->meminfo_fd, buf, sizeof buf, &heap, &r);
        if (text)
                r = meminfo_parse(text, &s->meminfo);
        if (r >= 0) {
                o->warned_meminfo = false;
                return 0;
        }
        if (!o->warned_meminfo) {
                missing = text ? meminfo_missing_key(text) : NULL;
                if (!text)
                        log_warning_errno(r,
                                          "/proc/meminfo: cannot read it (%s): node data "
                                          "unavailable",
                                          r == -EFBIG ? "over 4 MiB" : "error");
                else if (missing)
                        log_warning("/proc/meminfo: no %s%s: node data unavailable", missing,
                                    text[0] ? "" : " (the file is empty)");
                else
                        log_warning("/proc/meminfo: malformed: node data unavailable");
        }
        o->warned_meminfo = true;
        return r;
}

int node_read(struct observer *o, struct snapshot *s, struct psi *ret_psi, bool *ret_has_psi)
{
        char buf[NODE_BUF_SIZE];
        _cleanup_free_ char *heap = NULL;
        const char *text;
        int r;

        r = read_meminfo(o, s);
        if (r < 0)
                return r;
        text = read_node_file(o->vmstat_fd, buf, sizeof buf, &heap, &r);
        if (!text || vmstat_parse(text, &s->vmstat) < 0)
                s->vmstat = (struct vmstat){0};
        *ret_has_psi = false;
        if (o->pressure_fd >= 0 && fd_pread_all(o->pressure_fd, buf, sizeof buf) >= 0 &&
            psi_parse(buf, ret_psi) >= 0)
                *ret_has_psi = true;
        return 0;
}

/* "/a/b/" -> "/a/b"; false for paths that are not absolute. */
static bool scope_normalize(const char *in, char ret[static CGROUP_PATH_MAX])
{
        if (in[0] != '/' || strcpy_bounded(ret, CGROUP_PATH_MAX, in) < 0)
                return false;
        for (size_t n = strlen(ret); n > 1 && ret[n - 1] == '/'; n--)
                ret[n - 1] = 0;
        return true;
}

/* Whether the scope's `some` stood still since the last tick (scope_slot). */
static void note_stall(struct scope_slot *slot, bool is_root, const struct psi *psi, bool has_psi)
{
        slot->still = has_psi && slot->some_seen && slot->some_root == is_root &&
                      psi->some.total_usec == slot->some_usec;
        slot->some_seen = has_psi;
        slot->some_root = is_root;
        slot->some_usec = psi->some.total_usec;
}

void node_read_scope(struct observer *o, unsigned i, const char *path, const struct snapshot *s,
                     const struct psi *node_psi, bool node_has_psi, struct scope_sample *ret)
{
        struct scope_slot *slot = &o->scopes[i];
        struct cgroup_sample cs;
        int r;

        *ret = (struct scope_sample){0};
        slot->still = false;
        if (!scope_normalize(path, ret->path)) {
                strcpy_bounded(ret->path, sizeof ret->path, path);
                if (!slot->warned)
                        log_warning("Scope %s is not an absolute cgroup path, ignored", path);
                slot->warned = true;
                return;
        }
        if (streq(ret->path, "/")) {
                const struct meminfo *m = &s->meminfo;
                ret->is_root = true;
                ret->ok = true;
                ret->psi = *node_psi;
                ret->has_psi = node_has_psi;
                note_stall(slot, true, node_psi, node_has_psi);
                ret->limit_bytes = m->total_bytes;
                ret->headroom_bytes = m->available_bytes;
                ret->usage_bytes = counter_delta(m->total_bytes, m->available_bytes);
                ret->stat = (struct memstat){
                    .file_bytes = m->cached_bytes,
                    .active_file_bytes = m->active_file_bytes,
                    .shmem_bytes = m->shmem_bytes,
                    .pgscan = s->vmstat.pgscan,
                    .pgsteal = s->vmstat.pgsteal,
                    .refault_anon = s->vmstat.refault_anon,
                    .refault_file = s->vmstat.refault_file,
                    .pgmajfault = s->vmstat.pgmajfault,
                };
                return;
        }

        if (slot->open && !streq(slot->path, ret->path)) { /* reconfigured */
                cgroup_files_close(&slot->f);
                slot->open = false;
                slot->some_seen = false;
        }
        if (!slot->open) {
                r = cgroup_files_open(&o->layout, ret->path, &slot->f);
                if (r < 0) {
                        if (!slot->warned)
                                log_warning_errno(r, "Scope %s: cannot open its files", ret->path);
                        slot->warned = true;
                        slot->some_seen = false;
                        return;
                }
                strcpy(slot->path, ret->path);
                slot->open = true;
        }
        r = cgroup_read(&o->layout, &slot->f, &cs);
        if (r < 0) {
                if (!slot->warned)
                        log_warning_errno(r, "Scope %s: cannot read it", ret->path);
                slot->warned = true;
                cgroup_files_close(&slot->f);
                slot->open = false;
                slot->some_seen = false;
                return;
        }
        slot->warned = false;
        note_stall(slot, false, &cs.psi, cs.has_psi);
        ret->ok = true;
        ret->psi = cs.psi;
        ret->has_psi = cs.has_psi;
        ret->usage_bytes = cs.usage_bytes;
        ret->stat = cs.stat;
        /* A scope without a limit, or with one above the node's memory, is
         * bounded by the node: its headroom can never exceed MemAvailable.
         * Without /proc/meminfo this tick (all zero) only its own limit
         * bounds it: a shortage is then seen only against that limit. */
        bool node = s->meminfo.total_bytes > 0;
        ret->limit_bytes = node && s->meminfo.total_bytes < cs.limit_bytes ? s->meminfo.total_bytes
                                                                           : cs.limit_bytes;
        ret->headroom_bytes = counter_delta(ret->limit_bytes, cs.usage_bytes);
        if (node && ret->headroom_bytes > s->meminfo.available_bytes)
                ret->headroom_bytes = s->meminfo.available_bytes;
}
