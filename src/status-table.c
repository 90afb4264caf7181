/* The state as a table (see status-table.h). */
#include "status-table.h"

#include <inttypes.h>
#include <math.h>
#include <time.h>

#include "base/format.h"
#include "base/util.h"

#define WHO_WIDTH 40

/* Control and non-ASCII characters are shown as one '?' each (a cgroup
 * name could otherwise carry escape sequences): a UTF-8 continuation byte
 * adds nothing. Returns the columns s[n] takes so shown. */
static size_t put_safe(FILE *f, const char *s, size_t n)
{
        size_t cols = 0;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c >= 0x80 && c < 0xc0)
                        continue;
                if (f)
                        fputc(c >= 0x20 && c < 0x7f ? c : '?', f);
                cols++;
        }
        return cols;
}

/* Prints s, made safe (put_safe), cut to the width left after `used`
 * columns (ending in "..." when cut), then a newline. */
static void print_cut(FILE *f, const char *s, size_t used)
{
        size_t room = used < STATUS_TABLE_WIDTH ? STATUS_TABLE_WIDTH - used : 0;
        size_t n = strlen(s);
        bool cut = put_safe(NULL, s, n) > room;

        if (cut) {
                /* Whole bytes up to room - 3 columns. */
                size_t cols = 0, i = 0;
                for (; i < n; i++) {
                        unsigned char c = (unsigned char)s[i];
                        if (c >= 0x80 && c < 0xc0)
                                continue;
                        if (cols + 3 >= room)
                                break;
                        cols++;
                }
                n = i;
        }
        put_safe(f, s, n);
        fputs(cut ? "...\n" : "\n", f);
}

/* A name in at most width columns (buf holds width + 1 bytes), shown as
 * put_safe() does: its end is what tells groups apart, so a long one keeps
 * its tail after "...". */
static void fit_name(char *buf, size_t width, const char *s)
{
        size_t k = 0, cols = 0, start = strlen(s);

        /* From the end, as many characters as fit. */
        while (start > 0) {
                size_t i = start - 1;
                while (i > 0 && (unsigned char)s[i] >= 0x80 && (unsigned char)s[i] < 0xc0)
                        i--;
                if (cols + 1 > width)
                        break;
                cols++;
                start = i;
        }
        if (start > 0) {
                /* Cut: room for "..." before the tail. */
                while (cols + 3 > width && s[start]) {
                        start++;
                        while ((unsigned char)s[start] >= 0x80 && (unsigned char)s[start] < 0xc0)
                                start++;
                        cols--;
                }
                memcpy(buf, "...", 3);
                k = 3;
        }
        for (size_t i = start; s[i]; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c >= 0x80 && c < 0xc0)
                        continue;
                buf[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
        buf[k] = 0;
}

static const char *str_or(const struct json_value *obj, const char *key, const char *def)
{
        const char *s = json_get_str(obj, key);
        return s ? s : def;
}

static void fmt_time(const struct json_value *obj, const char *key, bool with_date, char *buf,
                     size_t size)
{
        double v;
        struct tm tm;
        time_t t;

        if (!json_get_num(obj, key, &v) || !(v >= 0) || v > 1e18) {
                snprintf(buf, size, "?");
                return;
        }
        t = (time_t)(v / (double)USEC_PER_SEC);
        if (!gmtime_r(&t, &tm) ||
            !strftime(buf, size, with_date ? "%Y-%m-%d %H:%M:%S UTC" : "%H:%M:%S", &tm))
                snprintf(buf, size, "?");
}

static void fmt_size(const struct json_value *obj, const char *key, char buf[static 16])
{
        double v;

        if (json_get_num(obj, key, &v))
                fmt_bytes(v, buf);
        else
                snprintf(buf, 16, json_get(obj, key) ? "max" : "-");
}

static void print_source(FILE *f, const struct json_value *st)
{
        const struct json_value *d = json_get(st, "daemon");
        char when[40], line[256];
        double pid;

        fmt_time(st, "time_realtime_usec", true, when, sizeof when);
        if (d && d->type == JSON_OBJECT && json_get_num(d, "pid", &pid))
                snprintf(line, sizeof line, "daemon pid %.0f, mode %s, dry-run %s, state of %s",
                         pid, str_or(d, "mode", "?"),
                         json_get_bool(d, "dry_run", false) ? "yes" : "no", when);
        else
                snprintf(line, sizeof line, "no thrashguard daemon runs: sampled by status, %s",
                         when);
        print_cut(f, line, 0);
}

static void print_rules(FILE *f, const struct json_value *scope)
{
        const struct json_value *sh = json_get(scope, "shortage");
        const struct json_value *th = json_get_array(scope, "thrashing");
        char since[40], until[40], line[512];

        if (!sh || sh->type != JSON_OBJECT) {
                fputs("  rules: not known without a daemon\n", f);
                return;
        }
        const char *state = str_or(sh, "state", "?");
        fmt_time(sh, "since_realtime_usec", false, since, sizeof since);
        fmt_time(sh, "until_realtime_usec", false, until, sizeof until);
        if (streq(state, "warming"))
                snprintf(line, sizeof line, "  shortage: warming since %s, holds at %s", since,
                         until);
        else if (streq(state, "holding"))
                snprintf(line, sizeof line, "  shortage: holding since %s", since);
        else if (streq(state, "cooldown"))
                snprintf(line, sizeof line, "  shortage: cooldown until %s", until);
        else if (streq(state, "grace"))
                snprintf(line, sizeof line, "  shortage: frozen %s since %s, grace until %s",
                         str_or(sh, "cgroup", "?"), since, until);
        else
                snprintf(line, sizeof line, "  shortage: %s", state);
        print_cut(f, line, 0);
        for (size_t i = 0; th && i < th->n; i++) {
                const struct json_value *t = &th->items[i];
                char name[WHO_WIDTH + 1], n1[16];
                double full = NAN, refaults = NAN;
                fit_name(name, WHO_WIDTH, str_or(t, "cgroup", "?"));
                fmt_time(t, "since_realtime_usec", false, since, sizeof since);
                (void)json_get_num(t, "memory_full_pct", &full);
                (void)json_get_num(t, "refault_per_s", &refaults);
                snprintf(line, sizeof line,
                         "  local thrash: %s %s since %s, full %.0f%%, refaults %s/s", name,
                         str_or(t, "state", "?"), since, full, fmt_count(refaults, n1));
                print_cut(f, line, 0);
        }
}

static void print_candidates(FILE *f, const struct json_value *st, const char *scope_path)
{
        const struct json_value *cands = json_get_array(st, "candidates");
        bool any = false;

        for (size_t k = 0; cands && k < cands->n; k++) {
                const struct json_value *c = &cands->items[k];
                char who[WHO_WIDTH + 1], mem[16], refaults[16], full[16], score[16], rank[16];
                char kind[14], qos[11];
                double v;
                const char *cs = json_get_str(c, "scope");

                if (!cs || !streq(cs, scope_path))
                        continue;
                if (!any)
                        fprintf(f, "  %4s  %-*s  %-13s  %-10s  %7s  %5s  %9s  %5s\n", "RANK",
                                WHO_WIDTH, "WHO", "KIND", "QOS", "MEMORY", "FULL%", "REFAULT/s",
                                "SCORE");
                any = true;
                if (json_get_num(c, "rank", &v) && v >= 1 && v <= 9999)
                        snprintf(rank, sizeof rank, "%.0f", v);
                else
                        snprintf(rank, sizeof rank, "?");
                fit_name(who, WHO_WIDTH, str_or(c, "who", str_or(c, "cgroup", "?")));
                fit_name(kind, sizeof kind - 1, str_or(c, "kind", "-"));
                fit_name(qos, sizeof qos - 1, str_or(c, "qos", "-"));
                fmt_size(c, "memory_bytes", mem);
                if (json_get_num(c, "memory_full_pct", &v) && fabs(v) < 1e4)
                        snprintf(full, sizeof full, "%.0f", v);
                else
                        snprintf(full, sizeof full, "-");
                if (json_get_num(c, "refault_per_s", &v))
                        fmt_count(v, refaults);
                else
                        snprintf(refaults, sizeof refaults, "-");
                /* The precision of the WHY's "score N". */
                if (json_get_num(c, "score", &v) && fabs(v) < 1e4)
                        snprintf(score, sizeof score, "%.0f", v);
                else
                        snprintf(score, sizeof score, "-");
                fprintf(f, "  %4s  %-*s  %-13s  %-10s  %7s  %5s  %9s  %5s\n", rank, WHO_WIDTH, who,
                        kind, qos, mem, full, refaults, score);
                fputs("        why: ", f);
                print_cut(f, str_or(c, "why", "-"), 13);
        }
        if (!any)
                fputs("  no candidates\n", f);
}

static void print_scope(FILE *f, const struct json_value *st, const struct json_value *scope)
{
        const char *path = str_or(scope, "path", "?");
        char line[512], name[STATUS_TABLE_WIDTH], head[16], lim[16];
        double some, full;

        fit_name(name, 60, path);
        if (!json_get_bool(scope, "readable", false)) {
                fprintf(f, "\nscope %s: not readable\n", name);
                return;
        }
        fputc('\n', f);
        fmt_size(scope, "headroom_bytes", head);
        fmt_size(scope, "limit_bytes", lim);
        if (json_get_num(scope, "memory_some_pct", &some)) {
                if (!json_get_num(scope, "memory_full_pct", &full))
                        full = NAN;
                snprintf(line, sizeof line,
                         "scope %s: memory pressure some %.1f%% full %.1f%%, headroom %s of %s",
                         name, some, full, head, lim);
        } else
                snprintf(line, sizeof line, "scope %s: memory pressure n/a, headroom %s of %s",
                         name, head, lim);
        print_cut(f, line, 0);
        print_rules(f, scope);
        print_candidates(f, st, path);
}

static void print_decisions(FILE *f, const struct json_value *st)
{
        const struct json_value *ds = json_get_array(st, "decisions");
        char line[1024], when[40];

        if (!ds || ds->n == 0)
                return;
        fputs("\nlast decisions:\n", f);
        for (size_t i = 0; i < ds->n; i++) {
                const struct json_value *d = &ds->items[i];
                const char *err = json_get_str(d, "error");
                fmt_time(d, "time_realtime_usec", false, when, sizeof when);
                const char *cg = json_get_str(d, "cgroup");
                snprintf(line, sizeof line, "  %s %s%s%s (%s%s%s): %s", when,
                         str_or(d, "kind", "?"), cg ? " " : "", cg ? cg : "",
                         str_or(d, "outcome", "?"), err ? ", " : "", err ? err : "",
                         str_or(d, "reason", "-"));
                print_cut(f, line, 0);
        }
}

static void print_frozen(FILE *f, const struct json_value *st)
{
        const struct json_value *fr = json_get_array(st, "frozen_by_thrashguard");
        char line[1024], when[40];
        bool thawable = false;

        if (json_get_bool(st, "frozen_record_unreadable", false))
                fputs("\nrecord of frozen groups: unreadable, ignored\n", f);
        for (size_t i = 0; fr && i < fr->n; i++) {
                const struct json_value *r = &fr->items[i];
                const char *mode = str_or(r, "mode", "?");
                fmt_time(r, "frozen_realtime_usec", true, when, sizeof when);
                if (i == 0)
                        fputc('\n', f);
                snprintf(line, sizeof line, "frozen by thrashguard since %s (mode %s, %s):", when,
                         mode, str_or(r, "rule", "?"));
                print_cut(f, line, 0);
                /* In full, however long: it is what `thrashguard thaw`
                 * takes. */
                const char *cg = str_or(r, "cgroup", "?");
                fputs("  ", f);
                put_safe(f, cg, strlen(cg));
                fputc('\n', f);
                thawable = thawable || streq(mode, "freeze");
        }
        /* mode = freeze keeps a group frozen until a person decides. */
        if (thawable)
                fputs("  thaw one with: thrashguard thaw PATH\n", f);
}

void status_table_print(const struct json_value *st, const char *note, FILE *f)
{
        const struct json_value *scopes = json_get_array(st, "scopes");

        char line[256];

        print_source(f, st);
        if (note)
                print_cut(f, note, 0);
        snprintf(line, sizeof line, "cgroup mode: %s%s", str_or(st, "cgroup_mode", "?"),
                 json_get_bool(st, "group_psi", true)
                     ? ""
                     : " (no per-group pressure: reclaim counters only)");
        print_cut(f, line, 0);
        for (size_t i = 0; scopes && i < scopes->n; i++)
                print_scope(f, st, &scopes->items[i]);
        print_decisions(f, st);
        print_frozen(f, st);
}
