/* The decision policy, over time series of snapshots: the scenario
 * harness that the test_policy_*.c files share.
 *
 * Each scenario is a named table: candidates, then phases (a length, the
 * scope's stall and headroom, each candidate's rates), then the exact
 * decisions expected. The runner ticks through the phases at [daemon]
 * interval (or idle_interval), integrates the rates into counters, builds
 * the snapshots and calls policy_decide at every tick; every tick without
 * an expected decision must decide NONE. Every time in a table is a
 * combination of config values and every level is absolute (measured
 * figures) or a multiple of its threshold, so that a changed default keeps
 * each scenario's meaning or makes it fail loudly. */
#pragma once

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "decide/policy.h"
#include "decide/rank.h"
#include "snapshot_builder.h"

/* Each test file uses some of the set-ups and helpers below. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define MAXC 8
#define MAXP 6
#define MAXE 10
#define T0   (1000 * USEC_PER_SEC)

/* A duration as a combination of config values. */
struct span {
        int ivl, idle, swin, sdur, twin, tdur, grace, cool;
};

static uint64_t span_usec(const struct config *c, struct span s)
{
        int64_t v = (int64_t)s.ivl * (int64_t)c->daemon.interval_usec +
                    (int64_t)s.idle * (int64_t)c->daemon.idle_interval_usec +
                    (int64_t)s.swin * (int64_t)c->shortage.window_usec +
                    (int64_t)s.sdur * (int64_t)c->shortage.duration_usec +
                    (int64_t)s.twin * (int64_t)c->thrash.window_usec +
                    (int64_t)s.tdur * (int64_t)c->thrash.duration_usec +
                    (int64_t)s.grace * (int64_t)c->action.freeze_grace_usec +
                    (int64_t)s.cool * (int64_t)c->action.cooldown_usec;
        assert_true(v >= 0);
        return (uint64_t)v;
}

static bool span_zero(struct span s)
{
        return !(s.ivl || s.idle || s.swin || s.sdur || s.twin || s.tdur || s.grace || s.cool);
}

/* A level: absolute, or a multiple of its threshold. */
struct val {
        double abs, rel;
};
#define ABS(x)                                                                                     \
        {                                                                                          \
                .abs = (x)                                                                         \
        }
#define REL(x)                                                                                     \
        {                                                                                          \
                .rel = (x)                                                                         \
        }

static double val_of(struct val v, double threshold)
{
        return v.abs + v.rel * threshold;
}

struct cand_def {
        const char *path;
        unsigned scope;
        enum identity_kind kind;
        enum qos_class qos;
        int adj;
        const char *comm; /* NULL: "app" */
        bool tenant_comm; /* the comm is not a system service's: it protects nothing */
        bool never_kill;
        double limit_mib; /* 0: no limit */
        double anon_mib, file_mib;
        unsigned tasks; /* 0: 1 */
        const char *ns, *pod, *container;
        bool no_psi; /* cgroup v1: no memory.pressure */
};

enum life {
        LIVE,          /* as it was */
        GONE,          /* removed before the phase */
        RECREATED,     /* removed and created again: new cgroup id, counters from 0 */
        COUNTERS_BACK, /* same id, counters lower than before */
};

struct load {
        struct val refault; /* pages/s; rel: of [thrash] refault_per_s */
        struct val full;    /* its own full %; rel: of [thrash] full_pct */
        double scan_per_s, events_per_s;
        double grow_mib_per_s; /* anon */
        double tasks_per_s;
        bool at_limit; /* page cache fills it to its limit */
        bool frozen;
        enum life life;
};

/* room: headroom as a multiple of [shortage] min_headroom; 0 means plenty. */
#define PLENTY 5.0
#define SHORT  0.3

struct scope_load {
        struct val some, full; /* rel: of the [shortage] thresholds */
        double room;
};

/* Measured on a real file thrash of a 512 MiB group (testing.md). */
#define HOT                                                                                        \
        {                                                                                          \
                .some = ABS(60), .full = ABS(38), .room = SHORT                                    \
        }
#define CALM                                                                                       \
        {                                                                                          \
                .some = ABS(2), .full = ABS(0), .room = PLENTY                                     \
        }
#define THRASHING                                                                                  \
        {                                                                                          \
                .refault = ABS(250000), .full = ABS(38), .scan_per_s = 300000,                     \
                .events_per_s = 2000                                                               \
        }
#define IDLE_LOAD                                                                                  \
        {                                                                                          \
                .refault = ABS(20), .full = ABS(0)                                                 \
        }
#define SAME                                                                                       \
        {                                                                                          \
                .life = LIVE                                                                       \
        } /* a gone group stays gone */

struct phase {
        struct span len;
        bool idle; /* ticks at idle_interval */
        struct scope_load scope[2];
        struct load load[MAXC];
};

struct expect {
        unsigned phase;
        struct span at, at2; /* the first tick at or after phase start + max(at, at2) */
        enum decision_kind kind;
        const char *victim; /* NULL: "" */
        enum rule rule;
        unsigned scope;
        int outcome;            /* given to policy_record_outcome */
        unsigned killed;        /* tasks killed, given to policy_record_outcome */
        const char *reason_has; /* NULL or a substring of the reason */
};

struct scenario {
        const char *name;
        void (*setup)(struct config *c);
        bool (*precondition)(const struct config *c); /* the defaults the table assumes */
        const char *scope_path[2];                    /* NULL: "/scope", "/scope2" */
        double scope_mib[2];                          /* 0: 1024 */
        double initial_total;                         /* initial counters and PSI totals */
        struct cand_def cands[MAXC];
        struct phase phases[MAXP];
        struct expect expect[MAXE];
};

/* ---- the simulation ---- */

struct sim_cand {
        bool present, frozen;
        uint64_t id;
        double refault, scan, events, some_usec, full_usec, anon, tasks;
};

struct sim {
        const struct scenario *sc;
        struct config c;
        struct policy_state st;
        unsigned n_scopes, n_cands;
        double scope_some_usec[2], scope_full_usec[2];
        struct sim_cand cand[MAXC];
        double max_refault[MAXC];
        struct candidate bufs[2][MAXC];
        struct snapshot snaps[2];
        int cur;
        bool have_prev;
        uint64_t phase_start[MAXP + 1];
        bool consumed[MAXE];
        unsigned n_ticks;
};

static uint64_t min_headroom(const struct config *c, uint64_t limit)
{
        if (c->shortage.min_headroom.is_pct)
                return (uint64_t)((double)limit * c->shortage.min_headroom.pct / 100.0);
        return c->shortage.min_headroom.bytes;
}

static unsigned n_phases(const struct scenario *sc)
{
        unsigned n = 0;
        while (n < MAXP && !span_zero(sc->phases[n].len))
                n++;
        return n;
}

static void build_snapshot(struct sim *sim, const struct phase *ph, uint64_t t)
{
        const struct config *c = &sim->c;
        struct snapshot *s = &sim->snaps[sim->cur];

        sb_init(s, sim->bufs[sim->cur], MAXC, t);
        for (unsigned k = 0; k < sim->n_scopes; k++) {
                const char *path = sim->sc->scope_path[k] ? sim->sc->scope_path[k]
                                   : k == 0               ? "/scope"
                                                          : "/scope2";
                double mib = sim->sc->scope_mib[k] > 0 ? sim->sc->scope_mib[k] : 1024;
                uint64_t limit = (uint64_t)(mib * (double)MIB);
                double room = ph->scope[k].room > 0 ? ph->scope[k].room : PLENTY;
                uint64_t headroom = (uint64_t)(room * (double)min_headroom(c, limit));
                struct scope_sample *sc = sb_scope(s, path, limit, counter_delta(limit, headroom));

                sc->psi.some.total_usec = (uint64_t)sim->scope_some_usec[k];
                sc->psi.full.total_usec = (uint64_t)sim->scope_full_usec[k];
        }
        for (unsigned i = 0; i < sim->n_cands; i++) {
                const struct cand_def *d = &sim->sc->cands[i];
                const struct sim_cand *sc = &sim->cand[i];
                struct candidate *cand;
                uint64_t anon = (uint64_t)sc->anon, file = (uint64_t)(d->file_mib * (double)MIB);

                if (!sc->present)
                        continue;
                cand = sb_add(s, d->path, d->scope, sc->id);
                if (d->limit_mib > 0) {
                        cand->s.limit_bytes = (uint64_t)(d->limit_mib * (double)MIB);
                        if (ph->load[i].at_limit) {
                                /* Between the threshold and the limit itself. */
                                double pct = (c->thrash.limit_pct + 100.0) / 2.0;
                                uint64_t target =
                                    (uint64_t)((double)cand->s.limit_bytes * pct / 100.0);
                                file = counter_delta(target, anon);
                        }
                }
                sb_set_memory(cand, anon, file, 0);
                cand->s.stat.refault_file = (uint64_t)sc->refault;
                cand->s.stat.pgscan = (uint64_t)sc->scan;
                cand->s.events.max = (uint64_t)sc->events;
                cand->s.psi.some.total_usec = (uint64_t)sc->some_usec;
                cand->s.psi.full.total_usec = (uint64_t)sc->full_usec;
                cand->s.has_psi = !d->no_psi;
                cand->s.frozen = sc->frozen;
                cand->id.kind = d->kind;
                cand->id.qos = d->qos;
                cand->oom_score_adj_min = d->never_kill ? -1000 : d->adj;
                cand->oom_score_adj_max = d->adj;
                cand->has_never_kill_task = d->never_kill;
                cand->nr_tasks = (unsigned)sc->tasks;
                if (d->comm) { /* a system service: the only place a comm protects */
                        strcpy_bounded(cand->comms[0], sizeof(cand->comms[0]), d->comm);
                        cand->comm_protects = !d->tenant_comm;
                }
                if (d->ns) {
                        strcpy_bounded(cand->id.pod_namespace, IDENTITY_NAME_MAX, d->ns);
                        strcpy_bounded(cand->id.pod_name, IDENTITY_NAME_MAX, d->pod);
                        strcpy_bounded(cand->id.container_name, IDENTITY_NAME_MAX, d->container);
                }
                /* A scope's memory.stat is hierarchical: its groups' anon. */
                s->scopes[d->scope].stat.anon_bytes += anon;
        }
        sb_sort(s);
}

static void apply_life(struct sim *sim, const struct phase *ph)
{
        for (unsigned i = 0; i < sim->n_cands; i++) {
                struct sim_cand *sc = &sim->cand[i];
                const struct cand_def *d = &sim->sc->cands[i];

                switch (ph->load[i].life) {
                case LIVE:
                        break;
                case GONE:
                        sc->present = false;
                        break;
                case RECREATED:
                        sc->present = true;
                        sc->id += 1000;
                        sc->anon = d->anon_mib * (double)MIB;
                        /* fall through */
                case COUNTERS_BACK:
                        sc->refault = sc->scan = sc->events = 0;
                        sc->some_usec = sc->full_usec = 0;
                        break;
                }
        }
}

static void advance(struct sim *sim, const struct phase *ph, uint64_t dt_usec)
{
        const struct config *c = &sim->c;
        double dt = (double)dt_usec / (double)USEC_PER_SEC;

        for (unsigned k = 0; k < sim->n_scopes; k++) {
                double some = val_of(ph->scope[k].some, c->shortage.some_pct);
                double full = val_of(ph->scope[k].full, c->shortage.full_pct);
                sim->scope_some_usec[k] += fmax(some, full) / 100.0 * (double)dt_usec;
                sim->scope_full_usec[k] += full / 100.0 * (double)dt_usec;
        }
        for (unsigned i = 0; i < sim->n_cands; i++) {
                struct sim_cand *sc = &sim->cand[i];
                const struct load *l = &ph->load[i];
                double full = val_of(l->full, c->thrash.full_pct);

                sc->frozen = l->frozen;
                if (!sc->present || l->frozen)
                        continue;
                sc->refault += val_of(l->refault, c->thrash.refault_per_s) * dt;
                sc->scan += l->scan_per_s * dt;
                sc->events += l->events_per_s * dt;
                sc->full_usec += full / 100.0 * (double)dt_usec;
                sc->some_usec += fmin(100, full * 1.5) / 100.0 * (double)dt_usec;
                sc->anon += l->grow_mib_per_s * (double)MIB * dt;
                sc->tasks += l->tasks_per_s * dt;
        }
}

static const struct expect *due_expectation(struct sim *sim, uint64_t t)
{
        for (unsigned e = 0; e < MAXE && sim->sc->expect[e].kind != DECISION_NONE; e++) {
                const struct expect *x = &sim->sc->expect[e];
                uint64_t a = span_usec(&sim->c, x->at), b = span_usec(&sim->c, x->at2);
                uint64_t due = sim->phase_start[x->phase] + (a > b ? a : b);

                if (!sim->consumed[e] && due <= t) {
                        sim->consumed[e] = true;
                        return x;
                }
        }
        return NULL;
}

/* Invariants of the ranking at every tick: no huge, negative or made-up
 * rate, whatever the counters did. */
static void check_ranking(struct sim *sim, const struct snapshot *prev, const struct snapshot *cur,
                          double t_s)
{
        struct ranked r[MAXC];

        for (unsigned k = 0; k < sim->n_scopes; k++) {
                size_t n = rank_scope(&sim->c, prev, cur, k, r, MAXC);
                for (size_t j = 0; j < n; j++) {
                        const struct candidate *cand = &cur->candidates[r[j].index];
                        double max = 0;

                        for (unsigned i = 0; i < sim->n_cands; i++)
                                if (streq(sim->sc->cands[i].path, cand->path))
                                        max = sim->max_refault[i];
                        if (!(r[j].refault_per_s >= 0 && r[j].refault_per_s <= max * 1.001 + 1) ||
                            !(r[j].full_pct >= 0 && r[j].full_pct <= 100) ||
                            (!prev && r[j].has_rates) || r[j].why[0] == 0)
                                fail_msg("%s: t=%.1fs: bad ranking of %s: refaults %g/s "
                                         "(max %g), full %g%%, rates %d, why '%s'",
                                         sim->sc->name, t_s, cand->path, r[j].refault_per_s, max,
                                         r[j].full_pct, r[j].has_rates, r[j].why);
                        assert_int_equal(r[j].rank, j + 1);
                }
        }
}

static void tick(struct sim *sim, const struct phase *ph, uint64_t t)
{
        const struct snapshot *prev = sim->have_prev ? &sim->snaps[sim->cur ^ 1] : NULL;
        const struct snapshot *cur;
        struct decision d;
        double t_s = (double)(t - T0) / (double)USEC_PER_SEC;

        build_snapshot(sim, ph, t);
        cur = &sim->snaps[sim->cur];
        check_ranking(sim, prev, cur, t_s);
        policy_decide(&sim->c, &sim->st, prev, cur, t, &d);
        sim->n_ticks++;

        if (getenv("TEST_TRACE") && d.kind != DECISION_NONE)
                print_message("  %s t=%.1fs %s %s [%s] scope %u: %s\n", sim->sc->name, t_s,
                              decision_kind_to_string(d.kind), d.cgroup, rule_to_string(d.rule),
                              d.scope, d.reason);

        const struct expect *x = due_expectation(sim, t);
        enum decision_kind want = x ? x->kind : DECISION_NONE;
        const char *victim = x && x->victim ? x->victim : "";

        if (d.kind != want ||
            (x && (!streq(d.cgroup, victim) || d.rule != x->rule || d.scope != x->scope)))
                fail_msg("%s: t=%.1fs: got %s '%s' (%s, scope %u: %s), want %s '%s' (%s, "
                         "scope %u)",
                         sim->sc->name, t_s, decision_kind_to_string(d.kind), d.cgroup,
                         rule_to_string(d.rule), d.scope, d.reason, decision_kind_to_string(want),
                         victim, x ? rule_to_string(x->rule) : "none", x ? x->scope : 0);
        if (x) {
                if (d.reason[0] == 0 || (x->reason_has && !strstr(d.reason, x->reason_has)))
                        fail_msg("%s: t=%.1fs: reason '%s' lacks '%s'", sim->sc->name, t_s,
                                 d.reason, x->reason_has ? x->reason_has : "(anything)");
                if (d.kind == DECISION_KILL || d.kind == DECISION_FREEZE ||
                    d.kind == DECISION_THAW) {
                        /* A THAW may name a frozen victim that is no
                         * longer a candidate. */
                        const struct candidate *v = snapshot_find(cur, d.cgroup);
                        if (d.kind != DECISION_THAW)
                                assert_non_null(v);
                        if (v)
                                assert_int_equal(d.cgroup_id, v->cgroup_id);
                        assert_true(d.cgroup_id != 0);
                        /* A kill or freeze knows when its rule began to
                         * hold: at least the rule's duration ago. */
                        if (d.kind != DECISION_THAW) {
                                uint64_t held = d.rule == RULE_SHORTAGE
                                                    ? sim->c.shortage.duration_usec
                                                    : sim->c.thrash.duration_usec;
                                if (d.pressure_since_usec == 0 || d.pressure_since_usec > t ||
                                    t - d.pressure_since_usec < held)
                                        fail_msg("%s: t=%.1fs: pressure since %.1fs, want at "
                                                 "least %.1fs before",
                                                 sim->sc->name, t_s,
                                                 (double)d.pressure_since_usec / 1e6,
                                                 (double)held / 1e6);
                        }
                        policy_record_outcome(&sim->c, &sim->st, &d, x->outcome, x->killed, t);
                }
        }
        sim->cur ^= 1;
        sim->have_prev = true;
}

static void run_scenario(const struct scenario *sc)
{
        struct sim *sim = calloc(1, sizeof(*sim));
        unsigned np = n_phases(sc);
        uint64_t t = T0;

        assert_non_null(sim);
        assert_true(np > 0);
        sim->sc = sc;
        config_init(&sim->c);
        /* Patterns are the scenario's business, thresholds the defaults'. */
        sim->c.protect.cgroups.n = 0;
        sim->c.rank.prefer.n = sim->c.rank.avoid.n = 0;
        if (sc->setup)
                sc->setup(&sim->c);
        if (sc->precondition && !sc->precondition(&sim->c))
                fail_msg("%s: the defaults no longer fit this scenario's timeline", sc->name);
        policy_state_init(&sim->st);

        sim->n_scopes = sc->scope_path[1] || sc->scope_mib[1] > 0 ? 2 : 1;
        while (sim->n_cands < MAXC && sc->cands[sim->n_cands].path)
                sim->n_cands++;
        for (unsigned k = 0; k < sim->n_scopes; k++)
                sim->scope_some_usec[k] = sim->scope_full_usec[k] = sc->initial_total;
        for (unsigned i = 0; i < sim->n_cands; i++) {
                struct sim_cand *c = &sim->cand[i];
                c->present = true;
                c->id = 100 + i;
                c->anon = sc->cands[i].anon_mib * (double)MIB;
                c->tasks = sc->cands[i].tasks ? sc->cands[i].tasks : 1;
                c->refault = c->scan = c->events = c->some_usec = c->full_usec = sc->initial_total;
                for (unsigned p = 0; p < np; p++)
                        sim->max_refault[i] =
                            fmax(sim->max_refault[i], val_of(sc->phases[p].load[i].refault,
                                                             sim->c.thrash.refault_per_s));
        }
        sim->phase_start[0] = T0;
        for (unsigned p = 0; p < np; p++)
                sim->phase_start[p + 1] =
                    sim->phase_start[p] + span_usec(&sim->c, sc->phases[p].len);

        /* The first tick: no previous snapshot. */
        apply_life(sim, &sc->phases[0]);
        tick(sim, &sc->phases[0], t);
        for (unsigned p = 0; p < np; p++) {
                const struct phase *ph = &sc->phases[p];
                uint64_t end = sim->phase_start[p + 1];
                uint64_t step =
                    ph->idle ? sim->c.daemon.idle_interval_usec : sim->c.daemon.interval_usec;

                if (p > 0)
                        apply_life(sim, ph);
                while (t < end) {
                        uint64_t dt = end - t < step ? end - t : step;
                        advance(sim, ph, dt);
                        t += dt;
                        tick(sim, ph, t);
                }
        }
        for (unsigned e = 0; e < MAXE && sc->expect[e].kind != DECISION_NONE; e++)
                if (!sim->consumed[e])
                        fail_msg("%s: expected %s '%s' never came (scenario too short?)", sc->name,
                                 decision_kind_to_string(sc->expect[e].kind),
                                 sc->expect[e].victim ? sc->expect[e].victim : "");
        free(sim);
}

/* ---- config set-ups and preconditions ---- */

static void pattern_set(struct pattern_list *l, const char *p)
{
        strcpy_bounded(l->items[l->n++], CONFIG_PATTERN_MAX, p);
}

static void setup_freeze_kill(struct config *c)
{
        c->action.mode = ACTION_MODE_FREEZE_KILL;
}

static void setup_freeze(struct config *c)
{
        c->action.mode = ACTION_MODE_FREEZE;
}

static void setup_protect(struct config *c)
{
        c->protect.comms.n = 0;
        pattern_set(&c->protect.comms, "kubelet");
        pattern_set(&c->protect.cgroups, "/scope/pinned*");
}

static void setup_prefer_avoid(struct config *c)
{
        pattern_set(&c->rank.prefer, "*/batch-*");
        pattern_set(&c->rank.avoid, "/scope/db");
}

/* A kill, then the next one once the cooldown is over: only distinct if
 * the cooldown outlasts the rule's duration. */
static bool cooldown_outlasts_rule(const struct config *c)
{
        return c->action.cooldown_usec >= c->shortage.duration_usec + c->daemon.interval_usec;
}

static void test_scenario(void **state)
{
        run_scenario(*state);
}

/* Runs each scenario of sc[n] as a test of its own, named by the scenario. */
static int run_scenarios(const char *group, const struct scenario *sc, size_t n)
{
        struct CMUnitTest *tests = calloc(n, sizeof *tests);
        int r;

        assert_non_null(tests);
        for (size_t i = 0; i < n; i++)
                tests[i] = (struct CMUnitTest){.name = sc[i].name,
                                               .test_func = test_scenario,
                                               .initial_state = (void *)&sc[i]};
        r = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
        free(tests);
        return r;
}
