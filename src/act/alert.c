/* Alerts: the journal entry of each decision event. Everything is
 * formatted into fixed buffers on the stack and sent as one datagram that
 * never waits for journald (journal-send.h); no allocation. The journal
 * socket is the host's fixed one, not under --root: the journal is the
 * host's service, not part of the observed tree. */
#include "act/alert.h"

#include <stdarg.h>
#include <sys/uio.h>

#include "act/journal-send.h"
#include "base/format.h"
#include "observe/who.h"
#include "base/log.h"
#include "base/util.h"

#define MAX_FIELDS     48
#define FIELD_BUF_SIZE (24 * 1024)

static const char *const message_ids[_ALERT_EVENT_MAX] = {
    [ALERT_ACTED] = ALERT_MESSAGE_ID_ACTED,
    [ALERT_FAILED] = ALERT_MESSAGE_ID_FAILED,
    [ALERT_WOULD_ACT] = ALERT_MESSAGE_ID_WOULD_ACT,
    [ALERT_ALL_PROTECTED] = ALERT_MESSAGE_ID_ALL_PROTECTED,
    [ALERT_RECOVERED] = ALERT_MESSAGE_ID_RECOVERED,
};

static const char *const event_names[_ALERT_EVENT_MAX] = {
    [ALERT_ACTED] = "acted",         [ALERT_FAILED] = "failed",
    [ALERT_WOULD_ACT] = "would-act", [ALERT_ALL_PROTECTED] = "all-protected",
    [ALERT_RECOVERED] = "recovered",
};

/* err: the operator must look (nothing was done, or it did not work);
 * warning: a workload was touched; notice: dry-run; info: recovery. */
static const int priorities[_ALERT_EVENT_MAX] = {
    [ALERT_ACTED] = 4,         [ALERT_FAILED] = 3,    [ALERT_WOULD_ACT] = 5,
    [ALERT_ALL_PROTECTED] = 3, [ALERT_RECOVERED] = 6,
};

const char *alert_message_id(enum alert_event e)
{
        return e < _ALERT_EVENT_MAX ? message_ids[e] : NULL;
}

const char *alert_event_to_string(enum alert_event e)
{
        return e < _ALERT_EVENT_MAX ? event_names[e] : "unknown";
}

int alert_priority(enum alert_event e)
{
        return e < _ALERT_EVENT_MAX ? priorities[e] : 6;
}

enum alert_event alert_event_of(const struct decision *d, const struct action_result *result)
{
        switch (d->kind) {
        case DECISION_ALL_PROTECTED:
                return ALERT_ALL_PROTECTED;
        case DECISION_RECOVERED:
                return ALERT_RECOVERED;
        default:
                break;
        }
        if (!result)
                return ALERT_FAILED;
        if (result->error < 0)
                return ALERT_FAILED;
        if (result->dry_run)
                return ALERT_WOULD_ACT;
        return ALERT_ACTED;
}

/* --- pure formatting --- */

static const char *scope_path(const struct alert *a)
{
        if (a->snap && a->d->scope < a->snap->n_scopes)
                return a->snap->scopes[a->d->scope].path;
        return "?";
}

static const char *verb_of(enum decision_kind k, bool past)
{
        switch (k) {
        case DECISION_KILL:
                return past ? "killed" : "kill";
        case DECISION_FREEZE:
                return past ? "froze" : "freeze";
        case DECISION_THAW:
                return past ? "thawed" : "thaw";
        default:
                return past ? "acted on" : "act on";
        }
}

void alert_format_message(const struct alert *a, char *buf, size_t size)
{
        const struct decision *d = a->d;
        const struct action_result *r = a->result;
        char who[CGROUP_PATH_MAX + 2 * IDENTITY_NAME_MAX + 64], freed[32];

        if (size == 0)
                return;
        buf[0] = 0;
        who_format(d->cgroup, &d->id, WHO_SENTENCE, who, sizeof who);
        switch (a->event) {
        case ALERT_ACTED:
                if (r && r->already_gone) {
                        str_appendf(buf, size, "%s was already gone, nothing to %s: %s", who,
                                    verb_of(d->kind, false), d->reason);
                        break;
                }
                str_appendf(buf, size, "%s %s: %s", verb_of(d->kind, true), who, d->reason);
                if (r && d->kind == DECISION_KILL) {
                        fmt_bytes_iec(r->freed_bytes, "unlimited", freed, sizeof freed);
                        str_appendf(buf, size, "; %u task(s) killed, %s freed, empty in %llu ms",
                                    r->tasks_killed, freed,
                                    (unsigned long long)(r->time_to_empty_usec / USEC_PER_MSEC));
                } else if (r && d->kind == DECISION_FREEZE)
                        str_appendf(buf, size, "; frozen in %llu ms",
                                    (unsigned long long)(r->time_to_empty_usec / USEC_PER_MSEC));
                break;
        case ALERT_FAILED:
                if (r && r->partial && d->kind == DECISION_KILL) {
                        fmt_bytes_iec(r->freed_bytes, "unlimited", freed, sizeof freed);
                        str_appendf(
                            buf, size,
                            "partial kill of %s: %u task(s) killed, %u left, %s freed (%s): %s",
                            who, r->tasks_killed, r->tasks_left, freed,
                            r->detail[0] ? r->detail : "timeout", d->reason);
                } else
                        str_appendf(buf, size, "failed to %s %s: %s: %s", verb_of(d->kind, false),
                                    who,
                                    r && r->detail[0] ? r->detail
                                    : r ? strerror(r->error < 0 ? -r->error : r->error)
                                        : "not attempted",
                                    d->reason);
                break;
        case ALERT_WOULD_ACT:
                str_appendf(buf, size, "would %s %s (dry-run): %s", verb_of(d->kind, false), who,
                            d->reason);
                break;
        case ALERT_ALL_PROTECTED:
                if (d->rule == RULE_SHORTAGE && d->cgroup[0])
                        str_appendf(buf, size,
                                    "%s in scope %s, but its cause %s may not be touched and no "
                                    "bystander is killed: %s",
                                    rule_to_string(d->rule), scope_path(a), who, d->reason);
                else
                        str_appendf(buf, size,
                                    "%s in scope %s, but every candidate is protected: %s",
                                    rule_to_string(d->rule), scope_path(a), d->reason);
                break;
        case ALERT_RECOVERED:
                if (d->reason[0])
                        str_appendf(buf, size, "recovered: %s", d->reason);
                else
                        str_appendf(buf, size, "recovered: %s back to normal", scope_path(a));
                break;
        default:
                str_appendf(buf, size, "%s", d->reason);
                break;
        }
}

static const char *participle_of(enum decision_kind k)
{
        switch (k) {
        case DECISION_KILL:
                return "killed";
        case DECISION_FREEZE:
                return "frozen";
        case DECISION_THAW:
                return "thawed";
        default:
                return "acted on";
        }
}

/* The group as a person names it: "ns/pod/container", "docker 0123456789ab",
 * or for a plain group (a service) its path, or its last component when
 * the path is long: the full path is in THRASHGUARD_CGROUP. */
static void headline_name(const struct decision *d, char *buf, size_t size)
{
        const char *last;

        who_format(d->cgroup, &d->id, WHO_SHORT, buf, size);
        /* Only the path form starts with '/'. */
        if (buf[0] != '/' || strlen(d->cgroup) <= ALERT_HEADLINE_MAX / 2)
                return;
        last = strrchr(d->cgroup, '/');
        buf[0] = 0;
        str_appendf(buf, size, ".../%s", last ? last + 1 : d->cgroup);
}

void alert_format_headline(const struct alert *a, char *buf, size_t size)
{
        const struct decision *d = a->d;
        const struct action_result *r = a->result;
        char name[ALERT_HEADLINE_MAX + 1], where[ALERT_HEADLINE_MAX + 1], freed[32];

        if (size == 0)
                return;
        if (size > ALERT_HEADLINE_MAX + 1)
                size = ALERT_HEADLINE_MAX + 1;
        buf[0] = 0;
        headline_name(d, name, sizeof name);
        snprintf(where, sizeof where, "%s in %s", rule_to_string(d->rule), scope_path(a));
        switch (a->event) {
        case ALERT_ACTED:
                if (r && r->already_gone) {
                        str_appendf(buf, size, "%s already gone, nothing to %s (%s)", name,
                                    verb_of(d->kind, false), where);
                        break;
                }
                str_appendf(buf, size, "%s %s (%s)", name, participle_of(d->kind), where);
                if (r && d->kind == DECISION_KILL) {
                        fmt_bytes_iec(r->freed_bytes, "unlimited", freed, sizeof freed);
                        str_appendf(buf, size, ": %u task(s), %s freed, empty in %llu ms",
                                    r->tasks_killed, freed,
                                    (unsigned long long)(r->time_to_empty_usec / USEC_PER_MSEC));
                } else if (r && d->kind == DECISION_FREEZE)
                        str_appendf(buf, size, " in %llu ms",
                                    (unsigned long long)(r->time_to_empty_usec / USEC_PER_MSEC));
                break;
        case ALERT_FAILED:
                if (r && r->partial && d->kind == DECISION_KILL) {
                        fmt_bytes_iec(r->freed_bytes, "unlimited", freed, sizeof freed);
                        str_appendf(buf, size,
                                    "%s: partial kill (%s): %u task(s) killed, %u left, %s freed",
                                    name, where, r->tasks_killed, r->tasks_left, freed);
                } else
                        str_appendf(buf, size, "%s: failed to %s (%s): %s", name,
                                    verb_of(d->kind, false), where,
                                    r && r->detail[0] ? r->detail
                                    : r ? strerror(r->error < 0 ? -r->error : r->error)
                                        : "not attempted");
                break;
        case ALERT_WOULD_ACT:
                str_appendf(buf, size, "%s would be %s (dry-run; %s)", name, participle_of(d->kind),
                            where);
                break;
        case ALERT_ALL_PROTECTED:
                if (d->rule == RULE_SHORTAGE && d->cgroup[0])
                        str_appendf(buf, size,
                                    "%s, the cause of the %s, may not be touched: no bystander "
                                    "is killed",
                                    name, where);
                else
                        str_appendf(buf, size, "%s: every candidate is protected", where);
                break;
        case ALERT_RECOVERED:
                str_appendf(buf, size, "%s recovered", scope_path(a));
                break;
        default:
                str_appendf(buf, size, "%s", where);
                break;
        }
        /* Cut short, the line still ends visibly so. */
        if (strlen(buf) == size - 1 && size > 4)
                memcpy(buf + size - 4, "...", 3);
}

void alert_format_candidates(const struct alert *a, char *buf, size_t size)
{

        if (size == 0)
                return;
        buf[0] = 0;
        for (size_t i = 0; i < a->n_top; i++) {
                const struct ranked *k = &a->top[i];
                const struct candidate *cand = a->snap && k->index < a->snap->n_candidates
                                                   ? &a->snap->candidates[k->index]
                                                   : NULL;
                str_appendf(buf, size, "%s%u. %s score=%.2f", i ? "\n" : "", k->rank,
                            cand ? cand->path : "?", k->score);
                if (k->protect != PROTECT_NONE)
                        str_appendf(buf, size, " protected=%s",
                                    protect_reason_to_string(k->protect));
                if (k->why[0])
                        str_appendf(buf, size, ": %s", k->why);
        }
}

void alert_format_status(const struct alert *a, char *buf, size_t size)
{
        const struct decision *d = a->d;

        if (size == 0)
                return;
        buf[0] = 0;
        switch (a->event) {
        case ALERT_ACTED:
                str_appendf(buf, size, "last: %s %s (%s in %s)", verb_of(d->kind, true), d->cgroup,
                            rule_to_string(d->rule), scope_path(a));
                break;
        case ALERT_FAILED:
                str_appendf(buf, size, "last: failed to %s %s (%s in %s)", verb_of(d->kind, false),
                            d->cgroup, rule_to_string(d->rule), scope_path(a));
                break;
        case ALERT_WOULD_ACT:
                str_appendf(buf, size, "last: would %s %s (dry-run; %s in %s)",
                            verb_of(d->kind, false), d->cgroup, rule_to_string(d->rule),
                            scope_path(a));
                break;
        case ALERT_ALL_PROTECTED:
                str_appendf(buf, size, "last: %s in %s, all candidates protected",
                            rule_to_string(d->rule), scope_path(a));
                break;
        case ALERT_RECOVERED:
                str_appendf(buf, size, "last: %s recovered", scope_path(a));
                break;
        default:
                break;
        }
}

/* --- the entry --- */

struct fields {
        struct iovec iov[MAX_FIELDS];
        size_t n;
        char buf[FIELD_BUF_SIZE];
        size_t used;
};

/* Adds "NAME=value"; a field that does not fit is truncated, a field past
 * MAX_FIELDS dropped. */
static void _printf_(2, 3) field(struct fields *f, const char *fmt, ...)
{
        va_list ap;
        int n;
        size_t room = sizeof f->buf - f->used;

        if (f->n >= MAX_FIELDS || room < 2)
                return;
        va_start(ap, fmt);
        n = vsnprintf(f->buf + f->used, room, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        size_t len = (size_t)n < room ? (size_t)n : room - 1;
        f->iov[f->n++] = (struct iovec){.iov_base = f->buf + f->used, .iov_len = len};
        f->used += len + 1;
}

static void field_nonempty(struct fields *f, const char *name, const char *value)
{
        if (value && value[0])
                field(f, "%s=%s", name, value);
}

static void build_fields(const struct alert *a, const char *message, const char *candidates,
                         struct fields *f)
{
        const struct decision *d = a->d;
        const struct identity *id = &d->id;
        const struct action_result *r = a->result;

        field(f, "MESSAGE=%s", message);
        field(f, "MESSAGE_ID=%s", alert_message_id(a->event));
        field(f, "PRIORITY=%d", alert_priority(a->event));
        field(f, "SYSLOG_IDENTIFIER=thrashguard");
        field(f, "THRASHGUARD_EVENT=%s", alert_event_to_string(a->event));
        field(f, "THRASHGUARD_ACTION=%s", decision_kind_to_string(d->kind));
        field(f, "THRASHGUARD_RULE=%s", rule_to_string(d->rule));
        field(f, "THRASHGUARD_SCOPE=%s", scope_path(a));
        field_nonempty(f, "THRASHGUARD_CGROUP", d->cgroup);
        if (d->cgroup[0])
                field(f, "THRASHGUARD_CGROUP_ID=%llu", (unsigned long long)d->cgroup_id);
        field_nonempty(f, "POD_NAMESPACE", id->pod_namespace);
        field_nonempty(f, "POD_NAME", id->pod_name);
        field_nonempty(f, "POD_UID", id->pod_uid);
        field_nonempty(f, "CONTAINER_NAME", id->container_name);
        field_nonempty(f, "CONTAINER_ID", id->container_id);
        field_nonempty(f, "THRASHGUARD_QOS", qos_class_to_string(id->qos));
        field(f, "THRASHGUARD_SOME_PCT=%.2f", d->some_pct);
        field(f, "THRASHGUARD_FULL_PCT=%.2f", d->full_pct);
        field(f, "THRASHGUARD_HEADROOM_BYTES=%llu", (unsigned long long)d->headroom_bytes);
        field(f, "THRASHGUARD_SCORE=%.2f", d->score);
        field_nonempty(f, "THRASHGUARD_REASON", d->reason);
        if (r) {
                field(f, "THRASHGUARD_DRY_RUN=%d", r->dry_run);
                if (r->already_gone)
                        field(f, "THRASHGUARD_ALREADY_GONE=1");
                if (r->error < 0)
                        field(f, "THRASHGUARD_ERRNO=%d", -r->error);
                field_nonempty(f, "THRASHGUARD_DETAIL", r->detail);
                if (d->kind == DECISION_KILL && !r->dry_run) {
                        field(f, "THRASHGUARD_TASKS_KILLED=%u", r->tasks_killed);
                        field(f, "THRASHGUARD_TASKS_LEFT=%u", r->tasks_left);
                        field(f, "THRASHGUARD_PARTIAL=%d", r->partial);
                        field(f, "THRASHGUARD_CGROUP_KILL=%d", r->used_cgroup_kill);
                        field(f, "THRASHGUARD_ROUNDS=%u", r->rounds);
                        field(f, "THRASHGUARD_FREED_BYTES=%llu",
                              (unsigned long long)r->freed_bytes);
                        field(f, "THRASHGUARD_TIME_TO_EMPTY_USEC=%llu",
                              (unsigned long long)r->time_to_empty_usec);
                } else if (d->kind == DECISION_FREEZE && !r->dry_run) {
                        field(f, "THRASHGUARD_FROZEN=%d", r->confirmed_frozen);
                        field(f, "THRASHGUARD_TIME_TO_FROZEN_USEC=%llu",
                              (unsigned long long)r->time_to_empty_usec);
                }
                field(f, "THRASHGUARD_USAGE_BYTES=%llu", (unsigned long long)r->usage_before_bytes);
        }
        field_nonempty(f, "THRASHGUARD_CANDIDATES", candidates);
}

/* Lines of stderr after the headline: items packed into lines of at most
 * LOG_LINE_MAX, each line "<prefix>  item item ..."; an item longer than a
 * line goes on, on lines that start with "+" (the parsers of the test
 * harnesses join them back). */
struct stderr_lines {
        char line[LOG_LINE_MAX + 1];
        size_t prefix, len;
};

static void lines_flush(struct stderr_lines *o)
{
        if (o->len <= o->prefix)
                return;
        o->line[o->len] = '\n';
        (void)log_write_line(o->line, o->len + 1);
        o->len = o->prefix;
}

static void lines_put(struct stderr_lines *o, const char *s, size_t n)
{
        memcpy(o->line + o->len, s, n);
        o->len += n;
}

static void lines_item(struct stderr_lines *o, const char *s, size_t n, bool own_line)
{
        const size_t end = LOG_LINE_MAX - 1, indent = strlen(LOG_CONTINUATION);

        if (o->len > o->prefix && (own_line || o->len + 1 + n > end))
                lines_flush(o);
        if (o->len > o->prefix)
                lines_put(o, " ", 1);
        else
                lines_put(o, LOG_CONTINUATION, indent);
        while (o->len + n > end) {
                size_t take = end - o->len;
                lines_put(o, s, take);
                lines_flush(o);
                s += take;
                n -= take;
                lines_put(o, LOG_CONTINUATION "+", indent + 1);
        }
        lines_put(o, s, n);
        if (own_line)
                lines_flush(o);
}

/* For a terminal, a file or a journal-less system: the headline, then the
 * entry's fields as KEY=VALUE (MESSAGE_ID first, the ranking apart), then
 * the ranked candidates, one a line; each line written whole with one
 * non-blocking write (log_write_line). */
static void write_stderr(const struct alert *a, const struct fields *f, const char *candidates)
{
        struct stderr_lines o;
        char headline[ALERT_HEADLINE_MAX + 1];
        int prio = alert_priority(a->event);

        alert_format_headline(a, headline, sizeof headline);
        log_write_wrapped(prio, headline, strlen(headline));
        o.prefix = o.len = log_line_prefix(prio, o.line, sizeof o.line);
        for (size_t i = 0; i < f->n; i++) {
                const char *s = f->iov[i].iov_base;
                if (startswith(s, "MESSAGE=") || startswith(s, "THRASHGUARD_CANDIDATES=") ||
                    startswith(s, "PRIORITY=") || startswith(s, "SYSLOG_IDENTIFIER="))
                        continue;
                lines_item(&o, s, f->iov[i].iov_len, false);
        }
        lines_flush(&o);
        for (const char *p = candidates; *p;) {
                const char *e = strchrnul(p, '\n');
                lines_item(&o, p, (size_t)(e - p), true);
                p = *e ? e + 1 : e;
        }
}

int alert_emit(struct journal_sender *j, const struct config *c, const struct alert *a)
{
        char message[2048], candidates[ALERT_MAX_TOP * 800];
        struct fields f = {.n = 0};
        int r = -ENOENT;

        alert_format_message(a, message, sizeof message);
        alert_format_candidates(a, candidates, sizeof candidates);
        build_fields(a, message, candidates, &f);

        if (c->alert.journal)
                r = journal_send(j, f.iov, f.n, clock_realtime_usec());
        /* Only a missing journal goes to stderr: when journald is there but
         * does not take entries, stderr (a stream to the same journald,
         * under systemd) would not either; the entry is counted as lost. */
        if (r == -ENOENT)
                write_stderr(a, &f, candidates);
        return r == -ENOENT ? 1 : 0;
}

void alert_status_line(const struct alert *a, const struct journal_sender *j, char *buf,
                       size_t size)
{
        alert_format_status(a, buf, size);
        if (buf[0] && j->lost_total > 0)
                str_appendf(buf, size, "; %llu journal entr%s lost",
                            (unsigned long long)j->lost_total, j->lost_total == 1 ? "y" : "ies");
}
