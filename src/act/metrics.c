/* Prometheus metrics: the counts, and the file's text from them and the
 * daemon's data (see metrics.h). The directory and the write are
 * metrics-file.c's. */
#include "act/metrics.h"

#include <math.h>

#include "base/log.h"
#include "base/prom-text.h"
#include "base/util.h"

void metrics_init(struct metrics *m, double start_time_sec)
{
        memset(m, 0, offsetof(struct metrics, buf));
        m->start_time_sec = start_time_sec;
        m->dir_fd = -EBADF;
        m->buf[0] = 0;
}

void metrics_count_snapshot(struct metrics *m, uint64_t cost_usec)
{
        m->snapshots++;
        m->snapshot_usec_total += cost_usec;
        m->last_snapshot_usec = cost_usec;
}

static const char *scope_of(const struct alert *a)
{
        if (a->snap && a->d->scope < a->snap->n_scopes)
                return a->snap->scopes[a->d->scope].path;
        return "?";
}

static struct metrics_counter *counter_for(struct metrics *m, const char *scope, enum rule rule,
                                           enum decision_kind kind, enum alert_event event)
{
        struct metrics_counter *k;

        for (size_t i = 0; i < m->n_counters; i++) {
                k = &m->counters[i];
                if (k->rule == rule && k->kind == kind && k->event == event &&
                    streq(k->scope, scope))
                        return k;
        }
        if (m->n_counters >= METRICS_MAX_COUNTERS) {
                if (!m->counters_full)
                        log_warning("Metrics: more than %d decision label sets, new ones are not "
                                    "counted",
                                    METRICS_MAX_COUNTERS);
                m->counters_full = true;
                return NULL;
        }
        k = &m->counters[m->n_counters++];
        *k = (struct metrics_counter){.rule = rule, .kind = kind, .event = event};
        strcpy_bounded(k->scope, sizeof k->scope, scope);
        return k;
}

void metrics_count_event(struct metrics *m, const struct alert *a, uint64_t decided_usec,
                         double realtime_sec)
{
        const struct decision *d = a->d;
        const struct action_result *r = a->result;
        struct metrics_counter *k = counter_for(m, scope_of(a), d->rule, d->kind, a->event);
        struct metrics_last_action *l = &m->last;

        if (k)
                k->count++;
        if ((d->kind != DECISION_KILL && d->kind != DECISION_FREEZE) || a->event != ALERT_ACTED ||
            !r || r->already_gone)
                return;
        *l = (struct metrics_last_action){
            .set = true,
            .rule = d->rule,
            .kind = d->kind,
            .event = a->event,
            .id = d->id,
            .realtime_sec = realtime_sec,
            .time_to_done_usec = r->time_to_empty_usec,
            .freed_bytes = r->freed_bytes,
        };
        strcpy_bounded(l->scope, sizeof l->scope, scope_of(a));
        strcpy_bounded(l->cgroup, sizeof l->cgroup, d->cgroup);
        /* The action ran right after the decision, and its duration ends
         * when the group is empty (frozen). */
        if (d->pressure_since_usec && d->pressure_since_usec <= decided_usec) {
                l->has_pressure_to_done = true;
                l->pressure_to_done_usec = decided_usec - d->pressure_since_usec + r->duration_usec;
        }
}

/* --- the text --- */

static double usec_to_sec(uint64_t usec)
{
        return (double)usec / (double)USEC_PER_SEC;
}

static const char *outcome_of(enum alert_event e)
{
        return alert_event_to_string(e); /* as THRASHGUARD_EVENT in the journal */
}

static void format_daemon(struct text_buf *t, const struct metrics *m, const struct metrics_view *v)
{
        prom_text_family(t, "thrashguard_up", "gauge",
                         "1 while the daemon runs; 0 in the file it leaves when it stops.");
        prom_text_sample(t, "thrashguard_up", NULL, 0, v->up ? 1 : 0);
        prom_text_family(t, "thrashguard_dry_run", "gauge",
                         "1 when the daemon decides and reports but never touches a process.");
        prom_text_sample(t, "thrashguard_dry_run", NULL, 0, v->config->daemon.dry_run ? 1 : 0);
        prom_text_family(t, "thrashguard_start_time_seconds", "gauge",
                         "When the daemon started, seconds since the epoch (counters restart).");
        prom_text_sample(t, "thrashguard_start_time_seconds", NULL, 0, m->start_time_sec);
        prom_text_family(t, "thrashguard_snapshots_total", "counter",
                         "Snapshots of the scopes and candidates taken.");
        prom_text_sample_u64(t, "thrashguard_snapshots_total", NULL, 0, m->snapshots);
        prom_text_family(t, "thrashguard_snapshot_seconds_total", "counter",
                         "Time spent taking snapshots.");
        prom_text_sample(t, "thrashguard_snapshot_seconds_total", NULL, 0,
                         usec_to_sec(m->snapshot_usec_total));
        prom_text_family(t, "thrashguard_snapshot_duration_seconds", "gauge",
                         "How long the last snapshot took.");
        prom_text_sample(t, "thrashguard_snapshot_duration_seconds", NULL, 0,
                         usec_to_sec(m->last_snapshot_usec));
}

static bool is_action(enum decision_kind k)
{
        return k == DECISION_KILL || k == DECISION_FREEZE || k == DECISION_THAW;
}

static bool same_decision(const struct metrics_counter *a, const struct metrics_counter *b)
{
        return a->rule == b->rule && a->kind == b->kind && streq(a->scope, b->scope);
}

static void format_counters(struct text_buf *t, const struct metrics *m)
{
        prom_text_family(t, "thrashguard_decisions_total", "counter",
                         "Decisions by scope, rule and kind (kill, freeze, thaw, all-protected, "
                         "recovered).");
        for (size_t i = 0; i < m->n_counters; i++) {
                const struct metrics_counter *k = &m->counters[i];
                uint64_t sum = 0;
                bool first = true;

                /* One series per scope, rule and kind: the sum over outcomes,
                 * written where the first of them stands. */
                for (size_t j = 0; j < m->n_counters; j++) {
                        if (!same_decision(k, &m->counters[j]))
                                continue;
                        if (j < i)
                                first = false;
                        sum += m->counters[j].count;
                }
                if (!first)
                        continue;
                struct prom_label l[] = {{"scope", k->scope},
                                         {"rule", rule_to_string(k->rule)},
                                         {"kind", decision_kind_to_string(k->kind)}};
                prom_text_sample_u64(t, "thrashguard_decisions_total", l, ARRAY_SIZE(l), sum);
        }
        prom_text_family(t, "thrashguard_actions_total", "counter",
                         "Kills, freezes and thaws by scope, rule, kind and outcome (acted, "
                         "failed, would-act in dry-run).");
        for (size_t i = 0; i < m->n_counters; i++) {
                const struct metrics_counter *k = &m->counters[i];
                if (!is_action(k->kind))
                        continue;
                struct prom_label l[] = {{"scope", k->scope},
                                         {"rule", rule_to_string(k->rule)},
                                         {"kind", decision_kind_to_string(k->kind)},
                                         {"outcome", outcome_of(k->event)}};
                prom_text_sample_u64(t, "thrashguard_actions_total", l, ARRAY_SIZE(l), k->count);
        }
}

/* Empty values are left out: Prometheus treats an empty label as none. */
static const char *nonempty(const char *s)
{
        return s && s[0] ? s : NULL;
}

static void format_last_action(struct text_buf *t, const struct metrics *m)
{
        const struct metrics_last_action *a = &m->last;
        struct prom_label l[] = {
            {"scope", a->scope},
            {"rule", rule_to_string(a->rule)},
            {"kind", decision_kind_to_string(a->kind)},
            {"cgroup", nonempty(a->cgroup)},
            {"namespace", nonempty(a->id.pod_namespace)},
            {"pod", nonempty(a->id.pod_name)},
            {"container", nonempty(a->id.container_name)},
        };

        if (!a->set)
                return;
        prom_text_family(t, "thrashguard_last_action_timestamp_seconds", "gauge",
                         "When the last kill or freeze was carried out, seconds since the epoch; "
                         "its labels say on whom.");
        prom_text_sample(t, "thrashguard_last_action_timestamp_seconds", l, ARRAY_SIZE(l),
                         a->realtime_sec);
        if (a->has_pressure_to_done) {
                prom_text_family(t, "thrashguard_last_action_pressure_to_empty_seconds", "gauge",
                                 "Last action: from the start of the pressure its rule saw to "
                                 "the group empty (a freeze: frozen).");
                prom_text_sample(t, "thrashguard_last_action_pressure_to_empty_seconds", l,
                                 ARRAY_SIZE(l), usec_to_sec(a->pressure_to_done_usec));
        }
        prom_text_family(t, "thrashguard_last_action_empty_seconds", "gauge",
                         "Last action: from the first signal to the group empty (a freeze: from "
                         "the request to frozen).");
        prom_text_sample(t, "thrashguard_last_action_empty_seconds", l, ARRAY_SIZE(l),
                         usec_to_sec(a->time_to_done_usec));
        prom_text_family(t, "thrashguard_last_action_freed_bytes", "gauge",
                         "Last action: the group's memory usage before less after.");
        prom_text_sample_u64(t, "thrashguard_last_action_freed_bytes", l, ARRAY_SIZE(l),
                             a->freed_bytes);
}

/* The policy's state for scope i of the snapshot, if it is that scope's. */
static const struct policy_scope_state *policy_scope(const struct metrics_view *v, unsigned i)
{
        if (!v->policy || i >= CONFIG_MAX_SCOPES ||
            !streq(v->policy->scopes[i].path, v->snap->scopes[i].path))
                return NULL;
        return &v->policy->scopes[i];
}

static uint64_t thrash_holding_usec(const struct metrics_view *v, unsigned scope)
{
        uint64_t longest = 0;

        for (unsigned i = 0; v->policy && i < POLICY_MAX_THRASHING; i++) {
                const struct policy_thrash_state *t = &v->policy->thrashing[i];
                if (t->used && t->scope == scope && v->now_usec >= t->since_usec &&
                    v->now_usec - t->since_usec > longest)
                        longest = v->now_usec - t->since_usec;
        }
        return longest;
}

static size_t candidates_in(const struct snapshot *s, unsigned scope)
{
        size_t n = 0;

        for (size_t i = 0; i < s->n_candidates; i++)
                n += s->candidates[i].scope == scope;
        return n;
}

/* Families of per-scope gauges, each written for every scope in turn. */
enum scope_gauge {
        SCOPE_READABLE,
        SCOPE_SOME,
        SCOPE_FULL,
        SCOPE_HEADROOM,
        SCOPE_HOLDING,
        SCOPE_COOLDOWN,
        SCOPE_FROZEN,
        SCOPE_CANDIDATES,
        _SCOPE_GAUGE_MAX,
};

static const struct {
        const char *name, *help;
} scope_gauges[_SCOPE_GAUGE_MAX] = {
    [SCOPE_READABLE] = {"thrashguard_scope_readable",
                        "1 when the scope could be read at the last tick."},
    [SCOPE_SOME] = {"thrashguard_scope_stall_some_ratio",
                    "The scope's some-stall share over the shortage window (0..1)."},
    [SCOPE_FULL] = {"thrashguard_scope_stall_full_ratio",
                    "The scope's full-stall share over the shortage window (0..1)."},
    [SCOPE_HEADROOM] = {"thrashguard_scope_headroom_bytes",
                        "The scope's headroom: MemAvailable for /, else limit less usage."},
    [SCOPE_HOLDING] = {"thrashguard_scope_rule_holding_seconds",
                       "How long a rule has held in the scope (local-thrash: its longest "
                       "thrashing group); 0 when it does not."},
    [SCOPE_COOLDOWN] = {"thrashguard_scope_cooldown_seconds",
                        "The rest of the scope's cooldown after an action; 0 when none."},
    [SCOPE_FROZEN] = {"thrashguard_scope_frozen_pending",
                      "1 while a group of the scope is frozen pending a kill (freeze-kill)."},
    [SCOPE_CANDIDATES] = {"thrashguard_candidates", "Candidate groups watched in the scope."},
};

static void format_scope_gauge(struct text_buf *t, const struct metrics_view *v, enum scope_gauge g,
                               unsigned i)
{
        const struct scope_sample *s = &v->snap->scopes[i];
        const struct policy_scope_state *sc = policy_scope(v, i);
        const char *name = scope_gauges[g].name;
        struct prom_label l[] = {{"scope", s->path}, {"rule", NULL}};

        switch (g) {
        case SCOPE_READABLE:
                prom_text_sample(t, name, l, 1, s->ok ? 1 : 0);
                break;
        case SCOPE_SOME:
        case SCOPE_FULL:
                if (sc && sc->has_signal)
                        prom_text_sample(t, name, l, 1,
                                         (g == SCOPE_SOME ? sc->some_pct : sc->full_pct) / 100.0);
                break;
        case SCOPE_HEADROOM:
                if (s->ok)
                        prom_text_sample_u64(t, name, l, 1, s->headroom_bytes);
                break;
        case SCOPE_HOLDING:
                if (!sc)
                        break;
                l[1].value = rule_to_string(RULE_SHORTAGE);
                prom_text_sample(t, name, l, 2,
                                 sc->shortage_since_usec && v->now_usec >= sc->shortage_since_usec
                                     ? usec_to_sec(v->now_usec - sc->shortage_since_usec)
                                     : 0);
                if (v->config->thrash.enabled) {
                        l[1].value = rule_to_string(RULE_LOCAL_THRASH);
                        prom_text_sample(t, name, l, 2, usec_to_sec(thrash_holding_usec(v, i)));
                }
                break;
        case SCOPE_COOLDOWN:
                if (sc)
                        prom_text_sample(t, name, l, 1,
                                         sc->cooldown_until_usec > v->now_usec
                                             ? usec_to_sec(sc->cooldown_until_usec - v->now_usec)
                                             : 0);
                break;
        case SCOPE_FROZEN:
                if (sc)
                        prom_text_sample(t, name, l, 1, sc->frozen_pending ? 1 : 0);
                break;
        case SCOPE_CANDIDATES:
                prom_text_sample_u64(t, name, l, 1, candidates_in(v->snap, i));
                break;
        default:
                break;
        }
}

static void format_scopes(struct text_buf *t, const struct metrics_view *v)
{
        unsigned n = v->snap->n_scopes < CONFIG_MAX_SCOPES ? v->snap->n_scopes : CONFIG_MAX_SCOPES;

        for (unsigned g = 0; g < _SCOPE_GAUGE_MAX; g++) {
                size_t before = t->len;

                prom_text_family(t, scope_gauges[g].name, "gauge", scope_gauges[g].help);
                size_t header = t->len;
                for (unsigned i = 0; i < n; i++)
                        format_scope_gauge(t, v, (enum scope_gauge)g, i);
                /* A family without samples is left out. */
                if (t->len == header && !t->overflow) {
                        t->len = before;
                        t->buf[before] = 0;
                }
        }
}

int metrics_format(const struct metrics *m, const struct metrics_view *v, char *buf, size_t size)
{
        struct text_buf t;

        text_buf_init(&t, buf, size);
        format_daemon(&t, m, v);
        format_counters(&t, m);
        format_last_action(&t, m);
        if (v->snap)
                format_scopes(&t, v);
        if (t.overflow)
                return -ENOBUFS;
        return (int)t.len;
}
