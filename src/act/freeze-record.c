/* The state file of frozen groups: parse, format, load, save. */
#include "act/freeze-record.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "base/atomic-file.h"
#include "base/decimal.h"
#include "base/read-to-end.h"
#include "base/util.h"

/* Header + FREEZE_RECORD_MAX lines of at most 3 numbers, two words and a
 * path escaped at 4 bytes a byte: well below this. */
#define FILE_MAX (FREEZE_RECORD_MAX * (CGROUP_PATH_MAX * 4 + 128) + 64)

static bool needs_escape(unsigned char c)
{
        return c < 0x21 || c == 0x7f || c == '\\';
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* One space-free token [p, end) to a path: \xHH escapes, no NUL, starts
 * with '/', not "/" itself, no empty, "." or ".." component. */
static int parse_path(const char *p, const char *end, char *ret, size_t size)
{
        size_t n = 0;

        for (; p < end; p++) {
                char c = *p;
                if (c == '\\') {
                        int hi, lo;
                        if (end - p < 4 || p[1] != 'x' || (hi = hexval(p[2])) < 0 ||
                            (lo = hexval(p[3])) < 0)
                                return -EINVAL;
                        c = (char)(hi * 16 + lo);
                        if (c == 0)
                                return -EINVAL;
                        p += 3;
                } else if (needs_escape((unsigned char)c))
                        return -EINVAL;
                if (n + 1 >= size)
                        return -EINVAL;
                ret[n++] = c;
        }
        ret[n] = 0;
        if (ret[0] != '/' || n < 2 || ret[n - 1] == '/')
                return -EINVAL;
        for (const char *s = ret + 1; *s;) {
                const char *e = strchrnul(s, '/');
                size_t k = (size_t)(e - s);
                if (k == 0 || (k == 1 && s[0] == '.') || (k == 2 && s[0] == '.' && s[1] == '.'))
                        return -EINVAL;
                s = *e ? e + 1 : e;
        }
        return 0;
}

/* The next space-separated token of [*p, end); false when there is none. */
static bool next_token(const char **p, const char *end, const char **ret_b, const char **ret_e)
{
        const char *s = *p;
        if (s >= end || *s == ' ')
                return false;
        const char *e = memchr(s, ' ', (size_t)(end - s));
        if (!e)
                e = end;
        *ret_b = s;
        *ret_e = e;
        *p = e < end ? e + 1 : e;
        return true;
}

static int token_u64(const char *b, const char *e, uint64_t *ret)
{
        char tmp[24];
        size_t n = (size_t)(e - b);
        if (n == 0 || n >= sizeof tmp)
                return -EINVAL;
        const char *end;
        uint64_t v;
        memcpy(tmp, b, n);
        tmp[n] = 0;
        if (tmp[0] < '0' || tmp[0] > '9' || decimal_parse_u64_prefix(tmp, &end, &v) < 0 ||
            *end != 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

static bool token_is(const char *b, const char *e, const char *word)
{
        return (size_t)(e - b) == strlen(word) && memcmp(b, word, (size_t)(e - b)) == 0;
}

static int parse_line(const char *p, const char *end, struct freeze_record *ret)
{
        struct freeze_record rec = {0};
        const char *b[6], *e[6];

        for (unsigned i = 0; i < 6; i++)
                if (!next_token(&p, end, &b[i], &e[i]))
                        return -EINVAL;
        if (e[5] != end)
                return -EINVAL; /* more than six fields, or a trailing space */
        if (token_u64(b[0], e[0], &rec.cgroup_id) < 0 || rec.cgroup_id == 0 ||
            token_u64(b[1], e[1], &rec.boottime_usec) < 0 ||
            token_u64(b[2], e[2], &rec.realtime_usec) < 0)
                return -EINVAL;
        if (token_is(b[3], e[3], "freeze"))
                rec.mode = ACTION_MODE_FREEZE;
        else if (token_is(b[3], e[3], "freeze-kill"))
                rec.mode = ACTION_MODE_FREEZE_KILL;
        else
                return -EINVAL;
        if (token_is(b[4], e[4], "shortage"))
                rec.rule = RULE_SHORTAGE;
        else if (token_is(b[4], e[4], "local-thrash"))
                rec.rule = RULE_LOCAL_THRASH;
        else
                return -EINVAL;
        if (parse_path(b[5], e[5], rec.cgroup, sizeof rec.cgroup) < 0)
                return -EINVAL;
        *ret = rec;
        return 0;
}

int freeze_records_parse(const char *buf, size_t len, struct freeze_records *ret, unsigned *ret_bad)
{
        const char *p = buf, *end = buf + len, *nl;
        size_t hl = strlen(FREEZE_RECORD_HEADER);
        unsigned bad = 0;

        ret->n = 0;
        *ret_bad = 0;
        if (len < hl + 1 || memcmp(buf, FREEZE_RECORD_HEADER, hl) != 0 || buf[hl] != '\n')
                return -EINVAL;
        for (p = buf + hl + 1; p < end; p = nl + 1) {
                struct freeze_record rec;

                nl = memchr(p, '\n', (size_t)(end - p));
                if (!nl) {
                        bad++; /* a last line without its newline: cut short */
                        break;
                }
                if (memchr(p, 0, (size_t)(nl - p)) || parse_line(p, nl, &rec) < 0) {
                        bad++;
                        continue;
                }
                if (freeze_records_find(ret, rec.cgroup_id) >= 0)
                        continue;
                if (ret->n >= FREEZE_RECORD_MAX) {
                        bad++;
                        continue;
                }
                ret->r[ret->n++] = rec;
        }
        *ret_bad = bad;
        return 0;
}

static void append_escaped(char *buf, size_t size, const char *s)
{
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (needs_escape(c))
                        str_appendf(buf, size, "\\x%02x", c);
                else
                        str_appendf(buf, size, "%c", c);
        }
}

int freeze_records_format(const struct freeze_records *s, char *buf, size_t size)
{
        if (size == 0)
                return -ENOBUFS;
        buf[0] = 0;
        str_appendf(buf, size, "%s\n", FREEZE_RECORD_HEADER);
        for (unsigned i = 0; i < s->n; i++) {
                const struct freeze_record *r = &s->r[i];
                str_appendf(buf, size, "%llu %llu %llu %s %s ", (unsigned long long)r->cgroup_id,
                            (unsigned long long)r->boottime_usec,
                            (unsigned long long)r->realtime_usec, action_mode_to_string(r->mode),
                            rule_to_string(r->rule));
                append_escaped(buf, size, r->cgroup);
                str_appendf(buf, size, "\n");
        }
        size_t n = strlen(buf);
        /* Cut short: the last byte is not the last line's newline, or the
         * buffer is full to the last byte. */
        if (n + 1 >= size || buf[n - 1] != '\n')
                return -ENOBUFS;
        return (int)n;
}

int freeze_records_load(int dir_fd, struct freeze_records *ret, unsigned *ret_bad)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        ret->n = 0;
        *ret_bad = 0;
        fd = openat(dir_fd, FREEZE_RECORD_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        r = read_to_end(fd, FILE_MAX, &buf, &len);
        if (r < 0)
                return r;
        return freeze_records_parse(buf, len, ret, ret_bad);
}

int freeze_records_save(int dir_fd, const struct freeze_records *s, uint64_t *ret_ino)
{
        _cleanup_free_ char *buf = malloc(FILE_MAX);
        int n;

        if (!buf)
                return -ENOMEM;
        n = freeze_records_format(s, buf, FILE_MAX);
        if (n < 0)
                return n;
        return atomic_file_write(dir_fd, FREEZE_RECORD_FILE, buf, (size_t)n, ret_ino);
}

int freeze_records_inode(int dir_fd, uint64_t *ret)
{
        struct stat st;
        if (fstatat(dir_fd, FREEZE_RECORD_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        *ret = (uint64_t)st.st_ino;
        return 0;
}

int freeze_records_find(const struct freeze_records *s, uint64_t cgroup_id)
{
        for (unsigned i = 0; i < s->n; i++)
                if (s->r[i].cgroup_id == cgroup_id)
                        return (int)i;
        return -ENOENT;
}

int freeze_records_find_path(const struct freeze_records *s, const char *path)
{
        for (unsigned i = 0; i < s->n; i++)
                if (streq(s->r[i].cgroup, path))
                        return (int)i;
        return -ENOENT;
}

int freeze_records_put(struct freeze_records *s, const struct freeze_record *rec)
{
        int i = freeze_records_find(s, rec->cgroup_id);
        if (i >= 0) {
                s->r[i] = *rec;
                return 0;
        }
        if (s->n >= FREEZE_RECORD_MAX)
                return -ENOSPC;
        s->r[s->n++] = *rec;
        return 0;
}

void freeze_records_remove(struct freeze_records *s, unsigned i)
{
        if (i >= s->n)
                return;
        memmove(&s->r[i], &s->r[i + 1], (s->n - i - 1) * sizeof s->r[0]);
        s->n--;
}

int freeze_records_dir(const char *option, char *ret, size_t size)
{
        const char *env = getenv("RUNTIME_DIRECTORY");

        if (option && option[0])
                return strcpy_bounded(ret, size, option);
        if (env && env[0] == '/') {
                size_t n = strcspn(env, ":");
                if (n >= size)
                        return -ENAMETOOLONG;
                memcpy(ret, env, n);
                ret[n] = 0;
                return 0;
        }
        return strcpy_bounded(ret, size, FREEZE_RECORD_RUN_DIR);
}
