/* `thrashguard status`: two snapshots one [daemon] interval apart (so that
 * stall shares and refault rates exist), each scope's candidates ranked by
 * rank_scope(), printed as an aligned table or as one JSON object. A
 * one-shot command: it may allocate freely. */
#include "status.h"

#include <inttypes.h>
#include <math.h>
#include <sys/resource.h>
#include <time.h>

#include "base/format.h"
#include "observe/who.h"
#include "daemon/freeze-keeper.h"
#include "observe/fsroot.h"
#include "base/log.h"
#include "decide/policy.h"
#include "decide/rank.h"
#include "observe/observer.h"
#include "observe/snapshot.h"
#include "base/util.h"

static void sleep_until(uint64_t usec)
{
        struct timespec ts = {.tv_sec = (time_t)(usec / USEC_PER_SEC),
                              .tv_nsec = (long)(usec % USEC_PER_SEC) * 1000};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

struct scope_view {
        const struct scope_sample *s;
        bool has_pct;
        double some_pct, full_pct;
};

static void scope_view(const struct snapshot *a, const struct snapshot *b, unsigned i,
                       struct scope_view *ret)
{
        const struct scope_sample *x = &a->scopes[i], *y = &b->scopes[i];
        uint64_t dt = counter_delta(b->time_usec, a->time_usec);

        *ret = (struct scope_view){.s = y};
        if (!x->ok || !y->ok || !x->has_psi || !y->has_psi)
                return;
        ret->has_pct = true;
        ret->some_pct =
            stall_pct(counter_delta(y->psi.some.total_usec, x->psi.some.total_usec), dt);
        if (x->psi.has_full && y->psi.has_full)
                ret->full_pct =
                    stall_pct(counter_delta(y->psi.full.total_usec, x->psi.full.total_usec), dt);
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at s, 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
        unsigned cp;
        size_t n;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                return 0;
        return n;
}

/* A JSON string, or null for NULL and "". Cgroup and file names are bytes:
 * invalid UTF-8 becomes U+FFFD so that the output is always valid JSON. */
static void json_str(FILE *f, const char *s)
{
        if (!s || !s[0]) {
                fputs("null", f);
                return;
        }
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                size_t n = utf8_len(p);
                if (n == 0) {
                        fputs("\\ufffd", f);
                        p++;
                        continue;
                }
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", f);
                else if (*p == '\t')
                        fputs("\\t", f);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\u%04x", *p);
                else
                        fwrite(p, 1, n, f);
                p += n;
        }
        fputc('"', f);
}

static void json_num(FILE *f, double v)
{
        if (isfinite(v))
                fprintf(f, "%.3f", v);
        else
                fputs("null", f);
}

static void json_bytes(FILE *f, bool known, uint64_t v)
{
        if (known && v != BYTES_UNLIMITED)
                fprintf(f, "%" PRIu64, v);
        else
                fputs("null", f);
}

struct ranking {
        size_t n;
        struct ranked *r;
};

/* The groups the daemon holds frozen (its record, checked against the
 * kernel). */
struct held {
        struct freeze_records recs;
        bool garbage;
        char dir[256];
};

static void print_json_held(FILE *f, const struct held *h)
{
        fputs(",\"frozen_by_thrashguard\":[", f);
        for (unsigned i = 0; i < h->recs.n; i++) {
                const struct freeze_record *r = &h->recs.r[i];
                fputs(i ? ",{\"cgroup\":" : "{\"cgroup\":", f);
                json_str(f, r->cgroup);
                fprintf(f, ",\"cgroup_id\":%" PRIu64 ",\"mode\":", r->cgroup_id);
                json_str(f, action_mode_to_string(r->mode));
                fputs(",\"rule\":", f);
                json_str(f, rule_to_string(r->rule));
                fprintf(f, ",\"frozen_realtime_usec\":%" PRIu64 "}", r->realtime_usec);
        }
        fprintf(f, "],\"frozen_record_unreadable\":%s", h->garbage ? "true" : "false");
}

static void sanitize(char *dst, size_t size, const char *src);

static void print_table_held(FILE *f, const struct held *h)
{
        char path[CGROUP_PATH_MAX], when[40];

        if (h->garbage)
                fprintf(f, "\nrecord of frozen groups %s/%s: unreadable, ignored\n", h->dir,
                        FREEZE_RECORD_FILE);
        for (unsigned i = 0; i < h->recs.n; i++) {
                const struct freeze_record *r = &h->recs.r[i];
                time_t t = (time_t)(r->realtime_usec / USEC_PER_SEC);
                struct tm tm;
                if (!gmtime_r(&t, &tm) ||
                    !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm))
                        snprintf(when, sizeof when, "?");
                sanitize(path, sizeof path, r->cgroup);
                fprintf(f, "%sfrozen by thrashguard: %s (mode %s, %s, since %s)%s\n", i ? "" : "\n",
                        path, action_mode_to_string(r->mode), rule_to_string(r->rule), when,
                        r->mode == ACTION_MODE_FREEZE ? "; thaw with: thrashguard thaw PATH" : "");
        }
}

static void print_json(FILE *f, const struct cgroup_layout *l, const struct snapshot *a,
                       const struct snapshot *b, const struct ranking *rk, const struct held *h)
{
        fputs("{\"cgroup_mode\":", f);
        json_str(f, cgroup_mode_to_string(l->mode));
        fputs(",\"scopes\":[", f);
        for (unsigned i = 0; i < b->n_scopes; i++) {
                struct scope_view v;
                scope_view(a, b, i, &v);
                fputs(i ? ",{\"path\":" : "{\"path\":", f);
                json_str(f, v.s->path);
                fputs(",\"memory_some_pct\":", f);
                json_num(f, v.has_pct ? v.some_pct : NAN);
                fputs(",\"memory_full_pct\":", f);
                json_num(f, v.has_pct && v.s->psi.has_full ? v.full_pct : NAN);
                fputs(",\"headroom_bytes\":", f);
                json_bytes(f, v.s->ok, v.s->headroom_bytes);
                fputs(",\"limit_bytes\":", f);
                json_bytes(f, v.s->ok, v.s->limit_bytes);
                fputc('}', f);
        }
        fputc(']', f);
        print_json_held(f, h);
        fputs(",\"candidates\":[", f);
        bool first = true;
        for (unsigned i = 0; i < b->n_scopes; i++)
                for (size_t k = 0; k < rk[i].n; k++) {
                        const struct ranked *r = &rk[i].r[k];
                        const struct candidate *c = &b->candidates[r->index];
                        const struct identity *id = &c->id;
                        fputs(first ? "\n{" : ",\n{", f);
                        first = false;
                        fprintf(f, "\"rank\":%u,\"cgroup\":", r->rank);
                        json_str(f, c->path);
                        fputs(",\"scope\":", f);
                        json_str(f, b->scopes[i].path);
                        fputs(",\"kind\":", f);
                        json_str(f, identity_kind_to_string(id->kind));
                        fputs(",\"runtime\":", f);
                        json_str(f, id->runtime);
                        fputs(",\"container_id\":", f);
                        json_str(f, id->container_id);
                        fputs(",\"pod_uid\":", f);
                        json_str(f, id->pod_uid);
                        fputs(",\"pod_namespace\":", f);
                        json_str(f, id->pod_namespace);
                        fputs(",\"pod_name\":", f);
                        json_str(f, id->pod_name);
                        fputs(",\"container_name\":", f);
                        json_str(f, id->container_name);
                        fputs(",\"qos\":", f);
                        json_str(f, qos_class_to_string(id->qos));
                        fputs(",\"memory_bytes\":", f);
                        json_bytes(f, true, c->s.usage_bytes);
                        fputs(",\"memory_full_pct\":", f);
                        json_num(f, c->s.has_psi ? r->full_pct : NAN);
                        fputs(",\"refault_per_s\":", f);
                        json_num(f, r->refault_per_s);
                        fputs(",\"score\":", f);
                        json_num(f, r->score);
                        fprintf(f, ",\"protected\":%s,\"protect_reason\":",
                                r->protect != PROTECT_NONE ? "true" : "false");
                        json_str(f, r->protect != PROTECT_NONE
                                        ? protect_reason_to_string(r->protect)
                                        : NULL);
                        fputs(",\"why\":", f);
                        json_str(f, r->why);
                        fputc('}', f);
                }
        fputs("]}\n", f);
}

/* ---- table ---- */

/* For a terminal: control and non-ASCII bytes of cgroup names shown as '?'
 * (a name could otherwise carry escape sequences), cut to width. */
static void sanitize(char *dst, size_t size, const char *src)
{
        size_t i = 0;
        for (; src[i] && i + 1 < size; i++)
                dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
        dst[i] = 0;
}

/* Who a candidate is, in a few words (who.h), safe for a terminal. */
static void format_who(char *buf, size_t size, const struct candidate *c)
{
        char tmp[1024];

        who_format(c->path, &c->id, WHO_SHORT, tmp, sizeof tmp);
        sanitize(buf, size, tmp);
}

#define WHO_WIDTH_MAX 60

static const char *protected_text(enum protect_reason p)
{
        return p != PROTECT_NONE ? protect_reason_to_string(p) : "-";
}

static void print_table(FILE *f, const struct cgroup_layout *l, const struct snapshot *a,
                        const struct snapshot *b, const struct ranking *rk, const struct held *h)
{
        char who[WHO_WIDTH_MAX + 1], mem[32], head[32], lim[32], path[CGROUP_PATH_MAX];
        int w = 3, wp = 9;

        fprintf(f, "cgroup mode: %s%s\n", cgroup_mode_to_string(l->mode),
                l->has_group_psi ? "" : " (no per-group pressure: reclaim counters only)");
        for (unsigned i = 0; i < b->n_scopes; i++)
                for (size_t k = 0; k < rk[i].n; k++) {
                        format_who(who, sizeof who, &b->candidates[rk[i].r[k].index]);
                        int len = (int)strlen(who);
                        w = len > w ? len : w;
                        len = (int)strlen(protected_text(rk[i].r[k].protect));
                        wp = len > wp ? len : wp;
                }

        for (unsigned i = 0; i < b->n_scopes; i++) {
                struct scope_view v;
                scope_view(a, b, i, &v);
                sanitize(path, sizeof path, v.s->path);
                fprintf(f, "\nscope %s: ", path);
                if (!v.s->ok) {
                        fputs("not readable\n", f);
                        continue;
                }
                if (v.has_pct)
                        fprintf(f, "memory pressure some %.2f%% full %.2f%%", v.some_pct,
                                v.full_pct);
                else
                        fputs("memory pressure n/a", f);
                fmt_bytes_iec(v.s->headroom_bytes, "max", head, sizeof head);
                fmt_bytes_iec(v.s->limit_bytes, "max", lim, sizeof lim);
                fprintf(f, ", headroom %s of %s\n", head, lim);
                if (rk[i].n == 0) {
                        fputs("  no candidates\n", f);
                        continue;
                }
                fprintf(f, "  %4s  %-*s  %-13s  %-10s  %10s  %6s  %10s  %8s  %-*s  %s\n", "RANK", w,
                        "WHO", "KIND", "QOS", "MEMORY", "FULL%", "REFAULT/s", "SCORE", wp,
                        "PROTECTED", "WHY");
                for (size_t k = 0; k < rk[i].n; k++) {
                        const struct ranked *r = &rk[i].r[k];
                        const struct candidate *c = &b->candidates[r->index];
                        const char *qos = qos_class_to_string(c->id.qos);
                        char why[sizeof r->why], full[16];
                        format_who(who, sizeof who, c);
                        fmt_bytes_iec(c->s.usage_bytes, "max", mem, sizeof mem);
                        sanitize(why, sizeof why, r->why);
                        if (c->s.has_psi)
                                snprintf(full, sizeof full, "%.2f", r->full_pct);
                        else
                                strcpy(full, "-");
                        fprintf(f,
                                "  %4u  %-*s  %-13s  %-10s  %10s  %6s  %10.1f  %8.2f  %-*s  %s\n",
                                r->rank, w, who, identity_kind_to_string(c->id.kind),
                                qos ? qos : "-", mem, full, r->refault_per_s, r->score, wp,
                                protected_text(r->protect), why);
                }
        }
        print_table_held(f, h);
}

int status_run(const struct run_options *o, bool json, FILE *out)
{
        struct config c;
        struct config_error err;
        struct fsroot root = {.dirfd = -EBADF};
        struct observer *obs = NULL;
        struct snapshot a, b;
        struct ranking rk[CONFIG_MAX_SCOPES] = {{0}};
        _cleanup_free_ struct held *held = calloc(1, sizeof *held);
        int r;

        if (!held)
                return -ENOMEM;
        snapshot_init(&a);
        snapshot_init(&b);

        r = run_options_load_config(o, false, &c, &err);
        if (r < 0) {
                log_error("%s", err.message[0] ? err.message : "Cannot load the configuration");
                return r;
        }
        r = fsroot_open(o->root_dir ? o->root_dir : "/", &root);
        if (r < 0) {
                log_error_errno(r, "Cannot open root %s", o->root_dir ? o->root_dir : "/");
                return r;
        }
        r = observer_new(&root, &c, &obs);
        if (r < 0)
                goto finish;

        uint64_t t0 = clock_monotonic_usec();
        r = observer_take(obs, &c, t0, &a);
        if (r < 0) {
                log_error_errno(r, "Cannot take a snapshot");
                goto finish;
        }
        sleep_until(t0 + c.daemon.interval_usec);
        r = observer_take(obs, &c, clock_monotonic_usec(), &b);
        if (r < 0) {
                log_error_errno(r, "Cannot take a snapshot");
                goto finish;
        }

        for (unsigned i = 0; i < b.n_scopes; i++) {
                size_t cap = b.n_candidates ? b.n_candidates : 1;
                rk[i].r = calloc(cap, sizeof *rk[i].r);
                if (!rk[i].r) {
                        r = -ENOMEM;
                        goto finish;
                }
                rk[i].n = rank_scope(&c, &a, &b, i, rk[i].r, cap);
        }

        if (freeze_records_dir(o->runtime_dir, held->dir, sizeof held->dir) >= 0)
                (void)freeze_keeper_list(held->dir, observer_layout(obs), &held->recs,
                                         &held->garbage);
        if (json)
                print_json(out, observer_layout(obs), &a, &b, rk, held);
        else
                print_table(out, observer_layout(obs), &a, &b, rk, held);
        r = fflush(out) == 0 ? 0 : -EIO;
finish:
        for (size_t i = 0; i < ARRAY_SIZE(rk); i++)
                free(rk[i].r);
        snapshot_free(&a);
        snapshot_free(&b);
        observer_free(obs);
        fsroot_close(&root);
        return r;
}
