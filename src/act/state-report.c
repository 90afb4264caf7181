/* The state as one JSON object (see state-report.h). */
#include "act/state-report.h"

#include <inttypes.h>
#include <math.h>

#include "observe/who.h"

static uint64_t to_realtime(const struct state_report *s, uint64_t mono_usec)
{
        int64_t v = (int64_t)mono_usec + s->realtime_offset_usec;
        return v > 0 ? (uint64_t)v : 0;
}

static void write_time(struct text_buf *o, const char *key, const struct state_report *s,
                       uint64_t mono_usec)
{
        text_buf_printf(o, ",\"%s\":", key);
        if (mono_usec)
                text_buf_printf(o, "%" PRIu64, to_realtime(s, mono_usec));
        else
                text_buf_printf(o, "null");
}

/* The policy's state for the scope at index i, NULL when it holds none
 * for this path (no daemon, or a scope just configured). */
static const struct policy_scope_state *policy_scope(const struct state_report *s, unsigned i)
{
        if (!s->policy || i >= CONFIG_MAX_SCOPES ||
            !streq(s->policy->scopes[i].path, s->cur->scopes[i].path))
                return NULL;
        return &s->policy->scopes[i];
}

/* The shortage rule of one scope: idle, warming (holds, not yet for its
 * duration), holding, grace (freeze-kill: frozen, the kill pending) or
 * cooldown (after an action). */
static void write_shortage(const struct state_report *s, unsigned i, struct text_buf *o)
{
        const struct policy_scope_state *sc = policy_scope(s, i);
        uint64_t now = s->now_usec;

        text_buf_printf(o, ",\"shortage\":");
        if (!sc) {
                text_buf_printf(o, "null");
                return;
        }
        if (sc->frozen_pending) {
                text_buf_printf(o, "{\"state\":\"grace\"");
                write_time(o, "since_realtime_usec", s, sc->frozen_at_usec);
                write_time(o, "until_realtime_usec", s,
                           sc->frozen_at_usec + s->config->action.freeze_grace_usec);
                json_field_str(o, "cgroup", sc->frozen_cgroup);
        } else if (now < sc->cooldown_until_usec) {
                text_buf_printf(o, "{\"state\":\"cooldown\"");
                write_time(o, "since_realtime_usec", s, sc->acted_at_usec);
                write_time(o, "until_realtime_usec", s, sc->cooldown_until_usec);
        } else if (sc->shortage_since_usec) {
                bool holding = now - sc->shortage_since_usec >= s->config->shortage.duration_usec;
                text_buf_printf(o, "{\"state\":\"%s\"", holding ? "holding" : "warming");
                write_time(o, "since_realtime_usec", s, sc->shortage_since_usec);
                write_time(o, "until_realtime_usec", s,
                           holding ? 0
                                   : sc->shortage_since_usec + s->config->shortage.duration_usec);
        } else {
                text_buf_printf(o, "{\"state\":\"idle\"");
        }
        text_buf_printf(o, "}");
}

/* The local-thrash rule of one scope: the groups where it holds. */
static void write_thrashing(const struct state_report *s, unsigned i, struct text_buf *o)
{
        bool first = true;

        text_buf_printf(o, ",\"thrashing\":");
        if (!policy_scope(s, i)) {
                text_buf_printf(o, "null");
                return;
        }
        text_buf_printf(o, "[");
        for (size_t k = 0; k < POLICY_MAX_THRASHING; k++) {
                const struct policy_thrash_state *t = &s->policy->thrashing[k];
                if (!t->used || t->scope != i)
                        continue;
                bool holding = s->now_usec - t->since_usec >= s->config->thrash.duration_usec;
                text_buf_printf(o, "%s{\"cgroup\":", first ? "" : ",");
                first = false;
                json_out_str(o, t->cgroup);
                text_buf_printf(o, ",\"state\":\"%s\"", holding ? "holding" : "warming");
                write_time(o, "since_realtime_usec", s, t->since_usec);
                json_field_num(o, "memory_full_pct", t->full_pct);
                json_field_num(o, "refault_per_s", t->refault_per_s);
                text_buf_printf(o, "}");
        }
        text_buf_printf(o, "]");
}

static void write_scope(const struct state_report *s, unsigned i, struct text_buf *o)
{
        const struct scope_sample *y = &s->cur->scopes[i];
        const struct scope_sample *x =
            s->prev && i < s->prev->n_scopes ? &s->prev->scopes[i] : NULL;
        double some = NAN, full = NAN;

        if (x && streq(x->path, y->path) && x->ok && y->ok && x->has_psi && y->has_psi) {
                uint64_t dt = counter_delta(s->cur->time_usec, s->prev->time_usec);
                some = stall_pct(counter_delta(y->psi.some.total_usec, x->psi.some.total_usec), dt);
                if (x->psi.has_full && y->psi.has_full)
                        full = stall_pct(
                            counter_delta(y->psi.full.total_usec, x->psi.full.total_usec), dt);
        }
        text_buf_printf(o, "%s{\"path\":", i ? "," : "");
        json_out_str(o, y->path);
        json_field_bool(o, "readable", y->ok);
        json_field_num(o, "memory_some_pct", some);
        json_field_num(o, "memory_full_pct", full);
        json_field_bytes(o, "headroom_bytes", y->ok, y->headroom_bytes);
        json_field_bytes(o, "limit_bytes", y->ok, y->limit_bytes);
        write_shortage(s, i, o);
        write_thrashing(s, i, o);
        text_buf_printf(o, "}");
}

static void write_decisions(const struct state_report *s, struct text_buf *o)
{
        text_buf_printf(o, ",\"decisions\":[");
        for (size_t i = 0; i < s->n_decisions; i++) {
                const struct state_decision *d = &s->decisions[i];
                text_buf_printf(o, "%s{\"time_realtime_usec\":%" PRIu64 ",\"kind\":", i ? "," : "",
                                d->realtime_usec);
                json_out_str(o, decision_kind_to_string(d->kind));
                json_field_str(o, "rule", d->rule != RULE_NONE ? rule_to_string(d->rule) : NULL);
                json_field_str(o, "scope", d->scope);
                json_field_str(o, "cgroup", d->cgroup);
                json_field_num(o, "score", d->cgroup[0] ? d->score : NAN);
                text_buf_printf(o, ",\"outcome\":");
                json_out_str(o, !d->acted       ? "reported"
                                : d->result < 0 ? "failed"
                                : d->dry_run    ? "dry-run"
                                                : "done");
                json_field_str(o, "error", d->acted && d->result < 0 ? strerror(-d->result) : NULL);
                json_field_str(o, "reason", d->reason);
                text_buf_printf(o, "}");
        }
        text_buf_printf(o, "]");
}

static void write_frozen(const struct state_report *s, struct text_buf *o)
{
        unsigned n = s->frozen ? s->frozen->n : 0;

        text_buf_printf(o, ",\"frozen_by_thrashguard\":[");
        for (unsigned i = 0; i < n; i++) {
                const struct freeze_record *r = &s->frozen->r[i];
                text_buf_printf(o, "%s{\"cgroup\":", i ? "," : "");
                json_out_str(o, r->cgroup);
                text_buf_printf(o, ",\"cgroup_id\":%" PRIu64 ",\"mode\":", r->cgroup_id);
                json_out_str(o, action_mode_to_string(r->mode));
                json_field_str(o, "rule", rule_to_string(r->rule));
                text_buf_printf(o, ",\"frozen_realtime_usec\":%" PRIu64 "}", r->realtime_usec);
        }
        text_buf_printf(o, "],\"frozen_record_unreadable\":");
        json_out_bool(o, s->frozen_unreadable);
}

static void write_candidate(const struct state_report *s, unsigned scope, const struct ranked *r,
                            bool first, struct text_buf *o)
{
        const struct candidate *c = &s->cur->candidates[r->index];
        const struct identity *id = &c->id;
        char who[512];

        who_format(c->path, id, WHO_SHORT, who, sizeof who);
        text_buf_printf(o, "%s\n{\"rank\":%u,\"cgroup\":", first ? "" : ",", r->rank);
        json_out_str(o, c->path);
        json_field_str(o, "scope", s->cur->scopes[scope].path);
        json_field_str(o, "who", who);
        json_field_str(o, "kind", identity_kind_to_string(id->kind));
        json_field_str(o, "runtime", id->runtime);
        json_field_str(o, "container_id", id->container_id);
        json_field_str(o, "pod_uid", id->pod_uid);
        json_field_str(o, "pod_namespace", id->pod_namespace);
        json_field_str(o, "pod_name", id->pod_name);
        json_field_str(o, "container_name", id->container_name);
        json_field_str(o, "qos", qos_class_to_string(id->qos));
        json_field_bytes(o, "memory_bytes", true, c->s.usage_bytes);
        json_field_bytes(o, "unreclaimable_bytes", true, r->unreclaimable_bytes);
        json_field_num(o, "memory_full_pct", c->s.has_psi ? r->full_pct : NAN);
        json_field_num(o, "refault_per_s", r->refault_per_s);
        json_field_num(o, "score", r->score);
        text_buf_printf(o, ",\"score_parts\":{\"activity\":");
        json_out_num(o, r->activity);
        json_field_num(o, "unreclaimable", r->contribution - r->activity);
        json_field_num(o, "qos", r->qos_term);
        json_field_num(o, "oom_score_adj", r->oom_adj_term);
        json_field_num(o, "preference", r->preference_term);
        text_buf_printf(o, "},\"last_resort\":");
        json_out_bool(o, r->last_resort);
        json_field_bool(o, "protected", r->protect != PROTECT_NONE);
        json_field_str(o, "protect_reason",
                       r->protect != PROTECT_NONE ? protect_reason_to_string(r->protect) : NULL);
        json_field_str(o, "why", r->why);
        text_buf_printf(o, "}");
}

size_t state_report_write(const struct state_report *s, struct text_buf *o)
{
        const struct config *c = s->config;
        size_t after_time;
        bool first = true;

        text_buf_printf(o, "{\"schema\":%d,\"time_realtime_usec\":%" PRIu64, STATE_REPORT_SCHEMA,
                        to_realtime(s, s->now_usec));
        after_time = o->len;
        text_buf_printf(o, ",\"source\":\"%s\",\"daemon\":", s->daemon_pid ? "daemon" : "status");
        if (s->daemon_pid) {
                text_buf_printf(o, "{\"pid\":%d,\"mode\":", (int)s->daemon_pid);
                json_out_str(o, action_mode_to_string(c->action.mode));
                json_field_bool(o, "dry_run", c->daemon.dry_run);
                text_buf_printf(o, "}");
        } else
                text_buf_printf(o, "null");
        json_field_str(o, "cgroup_mode", cgroup_mode_to_string(s->layout->mode));
        json_field_bool(o, "group_psi", s->layout->has_group_psi);
        text_buf_printf(o, ",\"scopes\":[");
        for (unsigned i = 0; i < s->cur->n_scopes; i++)
                write_scope(s, i, o);
        text_buf_printf(o, "]");
        write_decisions(s, o);
        write_frozen(s, o);
        text_buf_printf(o, ",\"candidates\":[");
        for (unsigned i = 0; i < s->cur->n_scopes; i++)
                for (size_t k = 0; k < s->rankings[i].n; k++) {
                        write_candidate(s, i, &s->rankings[i].r[k], first, o);
                        first = false;
                }
        text_buf_printf(o, "]}\n");
        return after_time;
}

void state_decision_push(struct state_decision *ring, size_t cap, size_t *n,
                         const struct decision *d, const char *scope, uint64_t realtime_usec, int r,
                         bool dry_run)
{
        struct state_decision *e;

        if (cap == 0)
                return;
        if (*n == cap) {
                memmove(ring, ring + 1, (cap - 1) * sizeof *ring);
                (*n)--;
        }
        e = &ring[(*n)++];
        *e = (struct state_decision){
            .realtime_usec = realtime_usec,
            .kind = d->kind,
            .rule = d->rule,
            .score = d->score,
            .acted =
                d->kind == DECISION_KILL || d->kind == DECISION_FREEZE || d->kind == DECISION_THAW,
            .dry_run = dry_run,
            .result = r,
        };
        snprintf(e->scope, sizeof e->scope, "%s", scope ? scope : "");
        snprintf(e->cgroup, sizeof e->cgroup, "%s", d->cgroup);
        snprintf(e->reason, sizeof e->reason, "%s", d->reason);
}
