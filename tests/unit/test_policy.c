/* The decision policy, over time series of snapshots.
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
#include <math.h>
#include <stdio.h>

#include "testutil.h"

#include "decide/policy.h"
#include "decide/rank.h"
#include "snapshot_builder.h"

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

/* ---- the scenarios ---- */

static const struct scenario
    scenarios[] =
        {
            {
                .name = "thrash: act within duration + one interval, on the thrashing pod",
                .cands =
                    {
                        {.path = "/scope/web", .qos = QOS_BESTEFFORT, .anon_mib = 200},
                        {.path = "/scope/db", .qos = QOS_BESTEFFORT, .anon_mib = 350},
                        {.path = "/scope/batch", .qos = QOS_BURSTABLE, .anon_mib = 300},
                        {.path = "/scope/reader", .qos = QOS_BESTEFFORT, .anon_mib = 20},
                    },
                .phases =
                    {
                        {.len = {.idle = 2},
                         .idle = true,
                         .scope = {CALM},
                         .load = {IDLE_LOAD, IDLE_LOAD, IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {{.refault = ABS(3000), .full = ABS(12)},
                                  {.refault = ABS(2000), .full = ABS(10)},
                                  THRASHING,
                                  {.refault = ABS(1200000), .full = ABS(2.5)}}},
                        {.len = {.cool = 1, .ivl = 2},
                         .scope = {CALM},
                         .load = {IDLE_LOAD, IDLE_LOAD, {.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 1,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/batch",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "refaults 250k/s"},
                        {.phase = 2,
                         .at = {.swin = 1},
                         .kind = DECISION_RECOVERED,
                         .reason_has = "after kill of /scope/batch"},
                    },
            },
            {
                .name = "leak: the growing group, not the biggest stable one",
                .cands =
                    {
                        {.path = "/scope/big", .anon_mib = 500},
                        {.path = "/scope/leaker", .anon_mib = 250},
                        {.path = "/scope/web", .anon_mib = 100},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2},
                         .scope = {CALM},
                         .load = {IDLE_LOAD, {.grow_mib_per_s = 16}, IDLE_LOAD}},
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {{.some = ABS(45), .full = ABS(20), .room = SHORT}},
                         .load = {{.refault = ABS(2000), .full = ABS(10)},
                                  {.refault = ABS(2000), .full = ABS(25), .grow_mib_per_s = 16},
                                  {.refault = ABS(20000), .full = ABS(30)}}},
                        {.len = {.cool = 1},
                         .scope = {CALM},
                         .load = {IDLE_LOAD, {.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 1,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/leaker",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "growing"},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                /* Seen on the host (tests/e2e/scenarios/leak.sh): a leak at
                 * 20 MiB/s into a 1 GiB node stalled it at only 6-12% full
                 * while the cache was squeezed out, below [shortage]
                 * full_pct most of the time, and the kernel OOM killer came
                 * 10 s after pressure began. With anon alone past the limit
                 * minus min_headroom, half the thresholds suffice. */
                .name = "leak with moderate stall: acts once anon fills the scope",
                .cands =
                    {
                        {.path = "/scope/big", .anon_mib = 500},
                        {.path = "/scope/leaker", .anon_mib = 440},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2},
                         .scope = {CALM},
                         .load = {IDLE_LOAD, {.grow_mib_per_s = 20}}},
                        /* One interval more than a full-stall case: the first
                         * tick's window is half calm, below even half the
                         * thresholds. */
                        {.len = {.ivl = 2, .sdur = 1},
                         .scope = {{.some = REL(0.6), .full = REL(0.6), .room = SHORT}},
                         .load = {IDLE_LOAD, {.grow_mib_per_s = 20}}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {IDLE_LOAD, {.life = GONE}}},
                    },
                .expect =
                    {
                        {.phase = 1,
                         .at = {.ivl = 2, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/leaker",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "growing"},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                /* The same stall and headroom, but anon leaves room: the
                 * cache can still go, so the full thresholds apply. */
                .name = "moderate stall with reclaimable room: nothing",
                .cands =
                    {
                        {.path = "/scope/big", .anon_mib = 500},
                        {.path = "/scope/reader", .anon_mib = 100, .file_mib = 400},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2}, .scope = {CALM}, .load = {IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.ivl = 2, .sdur = 2},
                         .scope = {{.some = REL(0.6), .full = REL(0.6), .room = SHORT}},
                         .load = {IDLE_LOAD, {.refault = ABS(5000), .full = ABS(8)}}},
                    },
            },
            {
                .name = "fork storm: thousands of tasks, one decision",
                .cands =
                    {
                        {.path = "/scope/storm", .anon_mib = 100, .tasks = 100},
                        {.path = "/scope/web", .anon_mib = 300},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2}, .scope = {CALM}, .load = {IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {{.refault = ABS(5000),
                                   .full = ABS(40),
                                   .grow_mib_per_s = 40,
                                   .tasks_per_s = 4000},
                                  {.refault = ABS(5000), .full = ABS(30)}}},
                        /* Pressure lags the kill: it holds through the cooldown. */
                        {.len = {.cool = 1, .ivl = -1},
                         .scope = {HOT},
                         .load = {{.life = GONE}, {.refault = ABS(5000), .full = ABS(30)}}},
                        {.len = {.swin = 2}, .scope = {CALM}, .load = {SAME, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 1,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/storm",
                         .rule = RULE_SHORTAGE},
                        {.phase = 3, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "IO-heavy healthy: high stall, plenty of headroom",
                .cands =
                    {
                        {.path = "/scope/copy", .anon_mib = 50, .file_mib = 400},
                        {.path = "/scope/web", .anon_mib = 200},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2}, .scope = {CALM}, .load = {IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.sdur = 2, .tdur = 1, .ivl = 4},
                         .scope = {{.some = ABS(60), .full = ABS(20), .room = 4}},
                         .load = {{.refault = ABS(5000), .full = ABS(20)},
                                  {.refault = ABS(100), .full = ABS(5)}}},
                    },
            },
            {
                .name = "cache-heavy healthy: at its limit, huge refault rate, low stall",
                .cands =
                    {
                        {.path = "/scope/reader", .limit_mib = 512, .anon_mib = 30},
                        {.path = "/scope/web", .anon_mib = 200},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2},
                         .scope = {CALM},
                         .load = {{.at_limit = true}, IDLE_LOAD}},
                        /* read() streaming as measured: >1M refaults/s, 2.5% stall;
                         * its cache fills the scope too. */
                        {.len = {.sdur = 2, .tdur = 1, .twin = 1, .ivl = 4},
                         .scope = {{.some = ABS(3), .full = ABS(1), .room = SHORT}},
                         .load = {{.refault = ABS(1200000),
                                   .full = ABS(2.5),
                                   .events_per_s = 500,
                                   .at_limit = true},
                                  IDLE_LOAD}},
                    },
            },
            {
                .name = "stable-big: a big group whose memory does not move",
                .cands =
                    {
                        {.path = "/scope/big", .anon_mib = 800},
                        {.path = "/scope/small", .anon_mib = 50},
                    },
                .phases =
                    {
                        {.len = {.sdur = 3, .tdur = 1},
                         .scope = {{.some = ABS(5), .full = ABS(0), .room = 0.8}},
                         .load = {{.refault = ABS(50)}, IDLE_LOAD}},
                    },
            },
            {
                /* The rule is "stall over the window, held for the duration": a
                 * spike reaches past its end by up to one window. */
                .name = "spike shorter than the duration (minus one window)",
                .cands =
                    {
                        {.path = "/scope/burst", .limit_mib = 256, .anon_mib = 200},
                        {.path = "/scope/web", .anon_mib = 200},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2}, .scope = {CALM}, .load = {IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.sdur = 1, .swin = -1},
                         .scope = {HOT},
                         .load = {{.refault = ABS(50000), .full = ABS(38)}, IDLE_LOAD}},
                        /* Memory stays short: only the stall ends. */
                        {.len = {.sdur = 1, .ivl = 2},
                         .scope = {{.some = ABS(2), .full = ABS(0), .room = SHORT}},
                         .load = {IDLE_LOAD, IDLE_LOAD}},
                        /* The same for local thrash. */
                        {.len = {.tdur = 1, .twin = -1},
                         .scope = {CALM},
                         .load = {{.refault = ABS(250000), .full = ABS(38), .at_limit = true},
                                  IDLE_LOAD}},
                        {.len = {.tdur = 1, .ivl = 2},
                         .scope = {CALM},
                         .load = {{.at_limit = true}, IDLE_LOAD}},
                    },
            },
            {
                .name = "counter reset: a recreated group gives no huge rate, no action",
                .initial_total = 1e12,
                .cands =
                    {
                        {.path = "/scope/svc", .limit_mib = 256, .anon_mib = 100},
                        {.path = "/scope/web", .anon_mib = 100},
                    },
                /* At its limit with real stall but a refault rate under the bar:
                 * only a bogus rate from the reset could make it "thrash". */
                .phases =
                    {
                        {.len = {.ivl = 2},
                         .scope = {CALM},
                         .load = {{.refault = REL(0.5), .full = REL(2), .at_limit = true},
                                  IDLE_LOAD}},
                        {.len = {.tdur = 1, .twin = 1, .ivl = 2},
                         .scope = {CALM},
                         .load = {{.refault = REL(0.5),
                                   .full = REL(2),
                                   .at_limit = true,
                                   .life = RECREATED},
                                  IDLE_LOAD}},
                        {.len = {.tdur = 1, .twin = 1, .ivl = 2},
                         .scope = {CALM},
                         .load = {{.refault = REL(0.5),
                                   .full = REL(2),
                                   .at_limit = true,
                                   .life = COUNTERS_BACK},
                                  IDLE_LOAD}},
                    },
            },
            {
                .name = "vanished group: the leader disappears mid-incident",
                .cands =
                    {
                        {.path = "/scope/a-leader", .anon_mib = 400},
                        {.path = "/scope/b-next", .anon_mib = 300},
                        {.path = "/scope/c-small", .anon_mib = 50},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2},
                         .scope = {CALM},
                         .load = {IDLE_LOAD, IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}, IDLE_LOAD}},
                        {.len = {.ivl = 1},
                         .scope = {HOT},
                         .load = {{.life = GONE},
                                  {.refault = ABS(5000), .full = ABS(20)},
                                  IDLE_LOAD}},
                        {.len = {.cool = 1},
                         .scope = {CALM},
                         .load = {SAME, {.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 2,
                         .at = {.ivl = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/b-next",
                         .rule = RULE_SHORTAGE},
                        {.phase = 3, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "victim already gone (-ENOENT): cooldown, then the next one",
                .precondition = cooldown_outlasts_rule,
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 200},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {{.life = GONE}, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {SAME, {.life = GONE}}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .outcome = -ENOENT},
                        {.phase = 1,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/b",
                         .rule = RULE_SHORTAGE},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "protected culprit, idle neighbour: all-protected names the culprit",
                .setup = setup_protect,
                .cands =
                    {
                        {.path = "/scope/pinned-db", .anon_mib = 600},
                        {.path = "/scope/idle", .anon_mib = 40},
                    },
                .phases = {{.len = {.ivl = 1, .sdur = 1},
                            .scope = {HOT},
                            .load = {THRASHING, IDLE_LOAD}}},
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_ALL_PROTECTED,
                         .victim = "/scope/pinned-db",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "top contributor /scope/pinned-db may not be touched "
                                       "([protect] cgroups)"},
                    },
            },
            {
                .name = "protected culprit, a neighbour whose memory covers the deficit: killed",
                .setup = setup_protect,
                .cands =
                    {
                        {.path = "/scope/pinned-db", .anon_mib = 600},
                        {.path = "/scope/big", .anon_mib = 300},
                    },
                .phases = {{.len = {.ivl = 1, .sdur = 1},
                            .scope = {HOT},
                            .load = {THRASHING, IDLE_LOAD}}},
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/big",
                         .rule = RULE_SHORTAGE},
                    },
            },
            {
                .name = "all protected: says so, once per cooldown",
                .setup = setup_protect,
                .precondition = cooldown_outlasts_rule,
                .cands =
                    {
                        {.path = "/scope/kubelet", .comm = "kubelet", .anon_mib = 300},
                        {.path = "/scope/pause", .kind = IDENTITY_POD_SANDBOX, .anon_mib = 1},
                        {.path = "/scope/pinned-db", .anon_mib = 300},
                        {.path = "/scope/agent", .never_kill = true, .anon_mib = 100},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2},
                         .scope = {CALM},
                         .load = {IDLE_LOAD, IDLE_LOAD, IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.ivl = 2, .sdur = 1, .cool = 1},
                         .scope = {HOT},
                         .load = {THRASHING, IDLE_LOAD, THRASHING, THRASHING}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 1,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_ALL_PROTECTED,
                         .rule = RULE_SHORTAGE,
                         .reason_has = "kubelet (comm kubelet), pause (pod sandbox)"},
                        {.phase = 1,
                         .at = {.ivl = 1, .sdur = 1, .cool = 1},
                         .kind = DECISION_ALL_PROTECTED,
                         .rule = RULE_SHORTAGE,
                         .reason_has = "pinned-db ([protect] cgroups)"},
                    },
            },
            {
                .name = "prefer and avoid (path, and namespace/pod/container)",
                .setup = setup_prefer_avoid,
                .precondition = cooldown_outlasts_rule,
                .cands =
                    {
                        {.path = "/scope/db", .anon_mib = 400},
                        {.path = "/scope/pod1/c1",
                         .kind = IDENTITY_POD_CONTAINER,
                         .qos = QOS_BURSTABLE,
                         .anon_mib = 200,
                         .ns = "jobs",
                         .pod = "batch-7",
                         .container = "worker"},
                        {.path = "/scope/web", .anon_mib = 200},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {IDLE_LOAD, IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {IDLE_LOAD, {.life = GONE}, IDLE_LOAD}},
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {IDLE_LOAD, SAME, {.life = GONE}}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {{.life = GONE}}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/pod1/c1",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "prefer"},
                        {.phase = 1,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/web",
                         .rule = RULE_SHORTAGE},
                        {.phase = 2,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/db",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "avoid"},
                        {.phase = 3, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "QoS order: BestEffort, Burstable, then Guaranteed as last resort",
                .precondition = cooldown_outlasts_rule,
                .cands =
                    {
                        {.path = "/scope/a-guaranteed",
                         .kind = IDENTITY_POD_CONTAINER,
                         .qos = QOS_GUARANTEED,
                         .adj = -997,
                         .anon_mib = 600},
                        {.path = "/scope/b-burstable",
                         .kind = IDENTITY_POD_CONTAINER,
                         .qos = QOS_BURSTABLE,
                         .adj = 500,
                         .anon_mib = 100},
                        {.path = "/scope/c-besteffort",
                         .kind = IDENTITY_POD_CONTAINER,
                         .qos = QOS_BESTEFFORT,
                         .adj = 1000,
                         .anon_mib = 100},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {IDLE_LOAD, IDLE_LOAD, IDLE_LOAD}},
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {IDLE_LOAD, IDLE_LOAD, {.life = GONE}}},
                        {.len = {.cool = 1}, .scope = {HOT}, .load = {IDLE_LOAD, {.life = GONE}}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {{.life = GONE}}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/c-besteffort",
                         .rule = RULE_SHORTAGE},
                        {.phase = 1,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/b-burstable",
                         .rule = RULE_SHORTAGE},
                        {.phase = 2,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a-guaranteed",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "last resort"},
                        {.phase = 3, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "oom_score_adj: higher first, -999..-997 last resort",
                .precondition = cooldown_outlasts_rule,
                .cands =
                    {
                        {.path = "/scope/a", .adj = 0, .anon_mib = 200},
                        {.path = "/scope/b", .adj = 500, .anon_mib = 200},
                        {.path = "/scope/c", .adj = -998, .anon_mib = 500},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {IDLE_LOAD, IDLE_LOAD, THRASHING}},
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {IDLE_LOAD, {.life = GONE}, THRASHING}},
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {{.life = GONE}, SAME, THRASHING}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {SAME, SAME, {.life = GONE}}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/b",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "adj 500"},
                        {.phase = 1,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 2,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/c",
                         .rule = RULE_SHORTAGE},
                        {.phase = 3, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "cooldown: none during it, a second kill after it, recovered",
                .precondition = cooldown_outlasts_rule,
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 300},
                        {.path = "/scope/c", .anon_mib = 10},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}, IDLE_LOAD}},
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {{.life = GONE},
                                  {.refault = ABS(5000), .full = ABS(20)},
                                  IDLE_LOAD}},
                        {.len = {.cool = 2},
                         .scope = {CALM},
                         .load = {SAME, {.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 1,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/b",
                         .rule = RULE_SHORTAGE},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "failed action: no neighbour in the same incident, the victim again "
                        "after each cooldown",
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 300},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2, .sdur = 1, .cool = 2},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {{.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .outcome = -EPERM},
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1, .cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .outcome = -EBUSY},
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1, .cool = 2},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 1, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "freeze-kill escalation: freeze, kill after the grace",
                .setup = setup_freeze_kill,
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 300},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.grace = 1},
                         .scope = {HOT},
                         .load = {{.frozen = true}, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {{.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_FREEZE,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 1,
                         .at = {.grace = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "still holds"},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "freeze-kill release: thaw when pressure is gone",
                .setup = setup_freeze_kill,
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 300},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, IDLE_LOAD}},
                        {.len = {.grace = 1, .ivl = 4},
                         .scope = {CALM},
                         .load = {{.frozen = true}, IDLE_LOAD}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {IDLE_LOAD, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_FREEZE,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 1,
                         .at = {.grace = 1},
                         .kind = DECISION_THAW,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "no longer holds"},
                    },
            },
            {
                .name = "freeze-kill: a freeze that timed out is pending, killed after the grace",
                .setup = setup_freeze_kill,
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 300},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}}},
                        /* Not (yet) frozen: a task held it off. */
                        {.len = {.grace = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {{.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_FREEZE,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .outcome = -ETIMEDOUT},
                        {.phase = 1,
                         .at = {.grace = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "still holds"},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "freeze-kill: a frozen victim that leaves the candidates is thawed",
                .setup = setup_freeze_kill,
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 300},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, IDLE_LOAD}},
                        {.len = {.grace = 1}, .scope = {CALM}, .load = {{.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_FREEZE,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 1,
                         .at = {.ivl = 1},
                         .kind = DECISION_THAW,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .reason_has = "no longer a candidate"},
                        {.phase = 1, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "partial kill: tasks killed, some left: the cooldown starts",
                .precondition = cooldown_outlasts_rule,
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 300},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}}},
                        /* PSI lags the kill: still hot, but no second victim. */
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.cool = 1}, .scope = {CALM}, .load = {{.life = GONE}, IDLE_LOAD}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE,
                         .outcome = -ETIMEDOUT,
                         .killed = 3},
                        {.phase = 1,
                         .at = {.cool = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "freeze: a frozen group is not chosen again",
                .setup = setup_freeze,
                .precondition = cooldown_outlasts_rule,
                /* Frozen, a still outranks b by its memory alone. */
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 900},
                        {.path = "/scope/b", .anon_mib = 50},
                    },
                .phases =
                    {
                        {.len = {.ivl = 1, .sdur = 1},
                         .scope = {HOT},
                         .load = {THRASHING, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.cool = 1},
                         .scope = {HOT},
                         .load = {{.frozen = true}, {.refault = ABS(5000), .full = ABS(20)}}},
                        {.len = {.cool = 1},
                         .scope = {CALM},
                         .load = {{.frozen = true}, {.frozen = true}}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_FREEZE,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 1,
                         .at = {.cool = 1},
                         .kind = DECISION_FREEZE,
                         .victim = "/scope/b",
                         .rule = RULE_SHORTAGE},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "local thrash: the group at its own limit, after thrash.duration",
                .scope_path = {"/"},
                .scope_mib = {16384},
                .cands =
                    {
                        {.path = "/system.slice/app.service", .anon_mib = 2000},
                        {.path = "/system.slice/thrasher.service",
                         .limit_mib = 512,
                         .anon_mib = 450},
                        {.path = "/system.slice/reader.service", .limit_mib = 512, .anon_mib = 30},
                    },
                .phases =
                    {
                        {.len = {.idle = 2},
                         .idle = true,
                         .scope = {CALM},
                         .load = {IDLE_LOAD, {.at_limit = true}, {.at_limit = true}}},
                        /* The node has memory; its stall stays under the bar. */
                        {.len = {.ivl = 1, .tdur = 1},
                         .scope = {{.some = ABS(20), .full = ABS(5)}},
                         .load = {IDLE_LOAD,
                                  {.refault = ABS(250000),
                                   .full = ABS(38),
                                   .events_per_s = 2000,
                                   .at_limit = true},
                                  {.refault = ABS(1200000), .full = ABS(2.5), .at_limit = true}}},
                        {.len = {.cool = 1},
                         .scope = {CALM},
                         .load = {IDLE_LOAD, {.life = GONE}, {.at_limit = true}}},
                    },
                .expect =
                    {
                        {.phase = 1,
                         .at = {.ivl = 1, .tdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/system.slice/thrasher.service",
                         .rule = RULE_LOCAL_THRASH,
                         .reason_has = "local thrash for"},
                        {.phase = 2, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                    },
            },
            {
                .name = "local thrash needs the group's own stall (and group PSI)",
                .scope_path = {"/"},
                .scope_mib = {16384},
                .cands =
                    {
                        {.path = "/low-stall", .limit_mib = 512, .anon_mib = 450},
                        {.path = "/v1-no-psi", .limit_mib = 512, .anon_mib = 450, .no_psi = true},
                    },
                .phases =
                    {
                        {.len = {.tdur = 2, .ivl = 2},
                         .scope = {{.some = ABS(20), .full = ABS(5)}},
                         .load = {{.refault = ABS(250000),
                                   .full = REL(0.5),
                                   .events_per_s = 2000,
                                   .at_limit = true},
                                  {.refault = ABS(250000),
                                   .full = ABS(38),
                                   .events_per_s = 2000,
                                   .at_limit = true}}},
                    },
            },
            {
                .name = "local thrash of a protected group: said, not done",
                .setup = setup_protect,
                .scope_path = {"/"},
                .scope_mib = {16384},
                .cands =
                    {
                        {.path = "/kubelet.service",
                         .comm = "kubelet",
                         .limit_mib = 512,
                         .anon_mib = 450},
                    },
                .phases =
                    {
                        {.len = {.ivl = 3, .tdur = 1},
                         .scope = {{.some = ABS(20), .full = ABS(5)}},
                         .load = {{.refault = ABS(250000), .full = ABS(38), .at_limit = true}}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .tdur = 1},
                         .kind = DECISION_ALL_PROTECTED,
                         .victim = "/kubelet.service",
                         .rule = RULE_LOCAL_THRASH,
                         .reason_has = "comm kubelet"},
                    },
            },
            {
                .name = "first sample: cumulative totals are not a rate",
                .initial_total = 1e12,
                .cands =
                    {
                        {.path = "/scope/a", .limit_mib = 256, .anon_mib = 250},
                        {.path = "/scope/b", .anon_mib = 500},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2, .sdur = 1, .tdur = 1},
                         .scope = {{.some = ABS(0), .full = ABS(0), .room = SHORT}},
                         .load = {{.at_limit = true}, SAME}},
                    },
            },
            {
                .name = "two scopes: one decision per tick, each scope its own",
                .scope_path = {"/scope", "/scope2"},
                .cands =
                    {
                        {.path = "/scope/a", .anon_mib = 400},
                        {.path = "/scope/b", .anon_mib = 100},
                        {.path = "/scope2/c", .scope = 1, .anon_mib = 100},
                        {.path = "/scope2/d", .scope = 1, .anon_mib = 400},
                    },
                .phases =
                    {
                        {.len = {.ivl = 2, .sdur = 1},
                         .scope = {HOT, HOT},
                         .load = {THRASHING, IDLE_LOAD, IDLE_LOAD, THRASHING}},
                        {.len = {.cool = 1},
                         .scope = {CALM, CALM},
                         .load = {{.life = GONE}, IDLE_LOAD, IDLE_LOAD, {.life = GONE}}},
                    },
                .expect =
                    {
                        {.phase = 0,
                         .at = {.ivl = 1, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope/a",
                         .rule = RULE_SHORTAGE},
                        {.phase = 0,
                         .at = {.ivl = 2, .sdur = 1},
                         .kind = DECISION_KILL,
                         .victim = "/scope2/d",
                         .rule = RULE_SHORTAGE,
                         .scope = 1},
                        {.phase = 1, .at = {.swin = 1}, .kind = DECISION_RECOVERED},
                        {.phase = 1,
                         .at = {.swin = 1, .ivl = 1},
                         .kind = DECISION_RECOVERED,
                         .scope = 1},
                    },
            },
};

static void test_scenario(void **state)
{
        run_scenario(*state);
}

/* ---- policy_is_warming, record_outcome edge cases, hostile input ---- */

struct manual {
        struct config c;
        struct policy_state st;
        struct candidate bufs[2][4];
        struct snapshot snaps[2];
        int cur;
        uint64_t t, some, full;
};

/* One tick dt after the last one, with the scope's stall share some/full %
 * since then. */
static void manual_tick_after(struct manual *m, uint64_t dt, double some, double full, double room,
                              struct decision *d)
{
        const struct snapshot *prev = m->t ? &m->snaps[m->cur ^ 1] : NULL;
        struct snapshot *s = &m->snaps[m->cur];
        uint64_t limit = 1024 * MIB;

        m->t = m->t ? m->t + dt : T0;
        m->some += (uint64_t)(some / 100 * (double)dt);
        m->full += (uint64_t)(full / 100 * (double)dt);
        sb_init(s, m->bufs[m->cur], 4, m->t);
        struct scope_sample *sc = sb_scope(
            s, "/scope", limit, limit - (uint64_t)(room * (double)min_headroom(&m->c, limit)));
        sc->psi.some.total_usec = m->some;
        sc->psi.full.total_usec = m->full;
        sb_set_memory(sb_add(s, "/scope/a", 0, 7), 300 * MIB, 0, 0);
        policy_decide(&m->c, &m->st, prev, s, m->t, d);
        m->cur ^= 1;
}

/* One tick one interval after the last one. */
static void manual_tick(struct manual *m, double some, double full, double room, struct decision *d)
{
        manual_tick_after(m, m->c.daemon.interval_usec, some, full, room, d);
}

static void test_warming(void **state)
{
        (void)state;
        struct manual *m = calloc(1, sizeof(*m));
        struct decision d;

        config_init(&m->c);
        policy_state_init(&m->st);
        assert_false(policy_is_warming(&m->st));
        manual_tick(m, 0, 0, PLENTY, &d);
        manual_tick(m, 0, 0, PLENTY, &d);
        assert_false(policy_is_warming(&m->st));

        /* Rule holding, not yet for its duration. */
        manual_tick(m, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_true(policy_is_warming(&m->st));
        while (d.kind == DECISION_NONE)
                manual_tick(m, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_KILL);
        policy_record_outcome(&m->c, &m->st, &d, 0, 0, m->t);
        assert_true(policy_is_warming(&m->st)); /* cooldown */

        /* Calm: recovered once, then quiet after the cooldown. */
        unsigned recovered = 0;
        for (uint64_t t0 = m->t; m->t < t0 + m->c.action.cooldown_usec;) {
                manual_tick(m, 0, 0, PLENTY, &d);
                recovered += d.kind == DECISION_RECOVERED;
                assert_true(d.kind == DECISION_NONE || d.kind == DECISION_RECOVERED);
        }
        assert_int_equal(recovered, 1);
        manual_tick(m, 0, 0, PLENTY, &d);
        assert_false(policy_is_warming(&m->st));
        free(m);
}

/* A scope that could not be read restarts the rule's duration and keeps
 * a frozen victim pending; a hostile snapshot (more scopes than exist, a candidate of no scope) is
 * survived; outcomes of non-actions are ignored; the failed list is
 * bounded. */
static void test_hostile(void **state)
{
        (void)state;
        struct manual *m = calloc(1, sizeof(*m));
        struct decision d;
        struct snapshot s;
        struct candidate cands[2];
        struct ranked r[2];

        config_init(&m->c);
        policy_state_init(&m->st);
        manual_tick(m, 0, 0, SHORT, &d);
        manual_tick(m, 60, 38, SHORT, &d);
        uint64_t since = m->st.scopes[0].shortage_since_usec;
        assert_true(since != 0);

        s = m->snaps[m->cur ^ 1];
        s.time_usec += m->c.daemon.interval_usec;
        s.scopes[0].ok = false;
        s.scopes[0].path[0] = 0; /* an observer may leave a failed scope blank */
        m->st.scopes[0].frozen_pending = true;
        m->st.scopes[0].frozen_at_usec = s.time_usec;
        policy_decide(&m->c, &m->st, &m->snaps[m->cur ^ 1], &s, s.time_usec, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_int_equal(m->st.scopes[0].shortage_since_usec, 0);
        assert_true(m->st.scopes[0].frozen_pending);
        m->st.scopes[0].frozen_pending = false;

        sb_init(&s, cands, 2, m->t + 2 * m->c.daemon.interval_usec);
        s.n_scopes = CONFIG_MAX_SCOPES + 5;         /* more than the array holds */
        sb_add(&s, "/x", CONFIG_MAX_SCOPES + 3, 1); /* a scope that does not exist */
        policy_decide(&m->c, &m->st, NULL, &s, s.time_usec, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_int_equal(rank_scope(&m->c, NULL, &s, CONFIG_MAX_SCOPES + 3, r, 2), 0);
        assert_int_equal(rank_scope(&m->c, NULL, &s, 0, r, 0), 0);

        d = (struct decision){.kind = DECISION_RECOVERED, .scope = 0, .cgroup_id = 7};
        policy_record_outcome(&m->c, &m->st, &d, -EIO, 0, m->t);
        assert_int_equal(m->st.scopes[0].failed_cgroup_id, 0);
        d = (struct decision){.kind = DECISION_KILL, .scope = CONFIG_MAX_SCOPES + 1};
        policy_record_outcome(&m->c, &m->st, &d, -EIO, 0, m->t);
        for (unsigned i = 0; i < CONFIG_MAX_SCOPES; i++)
                assert_int_equal(m->st.scopes[i].failed_cgroup_id, 0);
        free(m);
}

/* Ticks on which the scope cannot be read, with its stall going on. */
static void unreadable_ticks(struct manual *m, unsigned n, double some, double full)
{
        const struct snapshot *last = &m->snaps[m->cur ^ 1];
        struct decision d;

        for (unsigned i = 0; i < n; i++) {
                struct snapshot s = *last;
                uint64_t dt = m->c.daemon.interval_usec;
                m->t += dt;
                m->some += (uint64_t)(some / 100 * (double)dt);
                m->full += (uint64_t)(full / 100 * (double)dt);
                s.time_usec = m->t;
                s.scopes[0].ok = false;
                policy_decide(&m->c, &m->st, last, &s, m->t, &d);
                assert_int_equal(d.kind, DECISION_NONE);
        }
}

/* The rule's duration does not run while the scope cannot be read: the
 * first readable tick after a blind stretch starts it again. */
static void test_unreadable_restarts_duration(void **state)
{
        (void)state;
        struct manual *m = calloc(1, sizeof(*m));
        struct decision d;

        config_init(&m->c);
        policy_state_init(&m->st);
        manual_tick(m, 0, 0, SHORT, &d);
        manual_tick(m, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_true(m->st.scopes[0].shortage_since_usec != 0);

        unsigned blind = (unsigned)(2 * m->c.shortage.duration_usec / m->c.daemon.interval_usec);
        unreadable_ticks(m, blind, 60, 38);
        assert_int_equal(m->st.scopes[0].shortage_since_usec, 0);

        manual_tick(m, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        uint64_t since = m->st.scopes[0].shortage_since_usec;
        assert_int_equal(since, m->t);
        while (d.kind == DECISION_NONE)
                manual_tick(m, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_KILL);
        assert_true(m->t - since >= m->c.shortage.duration_usec);
        free(m);
}

/* Equal but for the rounding of a share to whole microseconds. */
static bool near_usec(uint64_t a, uint64_t b)
{
        return (a > b ? a - b : b - a) <= 1;
}

/* The first tick after an idle sleep counts back the `full` stall it
 * measured over the sleep: 1.5 s of it (30 % of 5 s) is a shortage that
 * has lasted at least 1.5 s, past the 1 s duration; 0.6 s of it (12 %)
 * leaves 0.4 s to wait, one more tick. */
static void test_idle_gap_counts_back_stall(void **state)
{
        (void)state;
        struct manual *m = calloc(1, sizeof(*m));
        struct decision d;
        uint64_t idle;

        config_init(&m->c);
        idle = m->c.daemon.idle_interval_usec;
        assert_int_equal(m->c.shortage.duration_usec, USEC_PER_SEC);
        policy_state_init(&m->st);
        manual_tick(m, 0, 0, PLENTY, &d);
        manual_tick_after(m, idle, 35, 30, SHORT, &d);
        assert_int_equal(d.kind, DECISION_KILL);
        assert_non_null(strstr(d.reason, "shortage in /scope for 1.5s"));

        config_init(&m->c);
        policy_state_init(&m->st);
        manual_tick_after(m, idle, 0, 0, PLENTY, &d);
        manual_tick_after(m, idle, 35, 12, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_true(near_usec(m->st.scopes[0].shortage_since_usec, m->t - 12 * idle / 100));
        manual_tick(m, 35, 30, SHORT, &d);
        assert_int_equal(d.kind, DECISION_KILL);

        /* Without low headroom, the same stall starts nothing. */
        policy_state_init(&m->st);
        manual_tick_after(m, idle, 0, 0, PLENTY, &d);
        manual_tick_after(m, idle, 35, 30, PLENTY, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_int_equal(m->st.scopes[0].shortage_since_usec, 0);
        free(m);
}

/* A node ("/") tick one interval after the last: MemAvailable 25 % of
 * 1 GiB, of which active_mib of active page cache; the node's stall
 * some/full % since the last tick. Candidate /a holds 300 MiB; /b, when
 * b_at_limit, sits at its own 100 MiB limit with its own `full` at 40 %. */
static void root_tick(struct manual *m, double some, double full, uint64_t active_mib,
                      bool b_at_limit, struct decision *d)
{
        const struct snapshot *prev = m->t ? &m->snaps[m->cur ^ 1] : NULL;
        struct snapshot *s = &m->snaps[m->cur];
        uint64_t dt = m->c.daemon.interval_usec, limit = 1024 * MIB;
        struct candidate *b;

        m->t = m->t ? m->t + dt : T0;
        m->some += (uint64_t)(some / 100 * (double)dt);
        m->full += (uint64_t)(full / 100 * (double)dt);
        sb_init(s, m->bufs[m->cur], 4, m->t);
        struct scope_sample *sc = sb_scope(s, "/", limit, limit - limit / 4);
        sc->psi.some.total_usec = m->some;
        sc->psi.full.total_usec = m->full;
        sc->stat.active_file_bytes = active_mib * MIB;
        sb_set_memory(sb_add(s, "/a", 0, 7), 300 * MIB, 0, 0);
        b = sb_add(s, "/b", 0, 8);
        sb_set_memory(b, 20 * MIB, b_at_limit ? 80 * MIB : 0, 0);
        b->s.limit_bytes = 100 * MIB;
        b->s.psi.full.total_usec = b->s.psi.some.total_usec = b_at_limit ? (m->t - T0) * 4 / 10 : 0;
        policy_decide(&m->c, &m->st, prev, s, m->t, d);
        m->cur ^= 1;
}

/* "/": MemAvailable counts the active page cache, the working set a
 * stalled node fights over. Under `full` stall it is left out (25 % less
 * 20 % leaves 5 %: short); without the stall, or while a group stalls at
 * its own limit (the local-thrash rule's case), MemAvailable stands. */
static void test_root_active_cache_under_stall(void **state)
{
        (void)state;
        struct manual *m = calloc(1, sizeof(*m));
        uint64_t avail = 256 * MIB;
        struct decision d;

        config_init(&m->c);
        policy_state_init(&m->st);
        root_tick(m, 0, 0, 205, false, &d);
        root_tick(m, 50, 40, 205, false, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_int_equal(m->st.scopes[0].headroom_bytes, avail - 205 * MIB);
        while (d.kind == DECISION_NONE && m->t < T0 + 5 * USEC_PER_SEC)
                root_tick(m, 50, 40, 205, false, &d);
        assert_int_equal(d.kind, DECISION_KILL);
        assert_string_equal(d.cgroup, "/a");
        assert_int_equal(d.headroom_bytes, avail - 205 * MIB);
        assert_non_null(strstr(d.reason, "(MemAvailable 256M less the active page cache)"));

        /* Stall under the thresholds: MemAvailable, not short. */
        memset(m, 0, sizeof(*m));
        config_init(&m->c);
        policy_state_init(&m->st);
        for (int i = 0; i < 20; i++) {
                root_tick(m, 25, 8, 205, false, &d);
                assert_int_equal(d.kind, DECISION_NONE);
        }
        assert_int_equal(m->st.scopes[0].headroom_bytes, avail);

        /* The stall comes from a group at its own limit. */
        memset(m, 0, sizeof(*m));
        config_init(&m->c);
        policy_state_init(&m->st);
        for (int i = 0; i < 20; i++) {
                root_tick(m, 50, 40, 205, true, &d);
                assert_int_equal(d.kind, DECISION_NONE);
        }
        assert_int_equal(m->st.scopes[0].headroom_bytes, avail);
        free(m);
}

static void test_strings(void **state)
{
        (void)state;
        assert_string_equal(rule_to_string(RULE_SHORTAGE), "shortage");
        assert_string_equal(rule_to_string(RULE_LOCAL_THRASH), "local-thrash");
        assert_string_equal(decision_kind_to_string(DECISION_KILL), "kill");
        assert_string_equal(decision_kind_to_string(DECISION_ALL_PROTECTED), "all-protected");
        assert_string_equal(decision_kind_to_string(DECISION_RECOVERED), "recovered");
        assert_string_equal(protect_reason_to_string(PROTECT_COMM), "[protect] comms");
        assert_string_equal(rule_to_string((enum rule)99), "none");
}

/* A restarted daemon takes over a freeze-kill grace from its record: the
 * grace counts from the recorded time; once over, a shortage is judged on
 * the first measured window (the second tick), never on the first tick. */
static void test_restore_frozen(void **state)
{
        (void)state;
        struct manual *m = calloc(1, sizeof(*m));
        struct decision d;

        /* Grace long over, the shortage still there: killed on tick 2. */
        config_init(&m->c);
        m->c.action.mode = ACTION_MODE_FREEZE_KILL;
        policy_state_init(&m->st);
        assert_int_equal(policy_restore_frozen(&m->c, &m->st, 0, "/scope", "/scope/a", 7,
                                               RULE_SHORTAGE, T0 - 60 * USEC_PER_SEC, true),
                         0);
        assert_int_equal(policy_restore_frozen(&m->c, &m->st, 0, "/scope", "/scope/b", 8,
                                               RULE_SHORTAGE, T0, true),
                         -EBUSY);
        assert_int_equal(policy_restore_frozen(&m->c, &m->st, CONFIG_MAX_SCOPES, "/x", "/x/a", 9,
                                               RULE_SHORTAGE, T0, true),
                         -EINVAL);
        assert_true(policy_is_warming(&m->st));
        manual_tick(m, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        manual_tick(m, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_KILL);
        assert_string_equal(d.cgroup, "/scope/a");
        assert_int_equal(d.cgroup_id, 7);

        /* Grace over, the node calm: thawed on tick 2. */
        memset(m, 0, sizeof(*m));
        config_init(&m->c);
        m->c.action.mode = ACTION_MODE_FREEZE_KILL;
        policy_state_init(&m->st);
        assert_int_equal(policy_restore_frozen(&m->c, &m->st, 0, "/scope", "/scope/a", 7,
                                               RULE_SHORTAGE, T0 - 60 * USEC_PER_SEC, true),
                         0);
        manual_tick(m, 0, 0, PLENTY, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        manual_tick(m, 0, 0, PLENTY, &d);
        assert_int_equal(d.kind, DECISION_THAW);
        assert_string_equal(d.cgroup, "/scope/a");

        /* Frozen 4 s before the restart: the rest of the grace runs first. */
        memset(m, 0, sizeof(*m));
        config_init(&m->c);
        m->c.action.mode = ACTION_MODE_FREEZE_KILL;
        policy_state_init(&m->st);
        uint64_t at = T0 - 4 * USEC_PER_SEC;
        assert_int_equal(policy_restore_frozen(&m->c, &m->st, 0, "/scope", "/scope/a", 7,
                                               RULE_SHORTAGE, at, true),
                         0);
        do {
                manual_tick(m, 60, 38, SHORT, &d);
                if (m->t - at < m->c.action.freeze_grace_usec)
                        assert_int_equal(d.kind, DECISION_NONE);
        } while (d.kind == DECISION_NONE && m->t < T0 + 60 * USEC_PER_SEC);
        assert_int_equal(d.kind, DECISION_KILL);
        assert_true(m->t - at >= m->c.action.freeze_grace_usec);
        assert_true(m->t - at <= m->c.action.freeze_grace_usec + m->c.daemon.interval_usec);

        /* mode freeze: held, not pending; its cooldown counts from then. */
        memset(m, 0, sizeof(*m));
        config_init(&m->c);
        m->c.action.mode = ACTION_MODE_FREEZE;
        policy_state_init(&m->st);
        assert_int_equal(policy_restore_frozen(&m->c, &m->st, 0, "/scope", "/scope/a", 7,
                                               RULE_SHORTAGE, T0 - USEC_PER_SEC, false),
                         0);
        assert_false(m->st.scopes[0].frozen_pending);
        assert_int_equal(m->st.scopes[0].cooldown_until_usec,
                         T0 - USEC_PER_SEC + m->c.action.cooldown_usec);
        assert_int_equal(m->st.scopes[0].acted_kind, DECISION_FREEZE);
        free(m);
}

int main(void)
{
        struct CMUnitTest tests[ARRAY_SIZE(scenarios) + 7];
        size_t n = 0;

        for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
                tests[n++] = (struct CMUnitTest){.name = scenarios[i].name,
                                                 .test_func = test_scenario,
                                                 .initial_state = (void *)&scenarios[i]};
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_warming);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_hostile);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_unreadable_restarts_duration);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_idle_gap_counts_back_stall);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_root_active_cache_under_stall);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_strings);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_restore_frozen);
        return _cmocka_run_group_tests("policy", tests, n, NULL, NULL);
}
