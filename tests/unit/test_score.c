/* Victim scoring and ranking: the documented formula, the order it gives,
 * protection, last resort, ties, and rates that must never be made up. */
#include <math.h>
#include <stdio.h>

#include "testutil.h"

#include "base/format.h"
#include "decide/policy.h"
#include "decide/protect.h"
#include "decide/rank.h"
#include "decide/score.h"
#include "decide/signals.h"
#include "decide/window.h"
#include "snapshot_builder.h"

#define MAXC 8
#define T0   (1000 * USEC_PER_SEC)
#define BASE 1000000.0 /* counters start here, so that deltas are what matter */

/* cmocka's assert_float_equal compares floats: too coarse for a score. */
#define assert_near(a, b, eps)                                                                     \
        do {                                                                                       \
                double a_ = (a), b_ = (b);                                                         \
                if (!(fabs(a_ - b_) <= (eps)))                                                     \
                        fail_msg("%s = %.12g, want %.12g", #a, a_, b_);                            \
        } while (0)

/* A candidate and its rates over a one-second interval. */
struct rcand {
        const char *path;
        enum identity_kind kind;
        enum qos_class qos;
        int adj;
        const char *comm; /* NULL: "app" */
        bool tenant_comm; /* the comm is not a system service's: it protects nothing */
        bool never_kill;
        double anon_mib, shmem_mib, file_mib;
        double refault_per_s, full_pct, scan_per_s, events_per_s, grow_mib_per_s;
        const char *ns, *pod, *container;
        bool no_psi;
};

struct rank_case {
        const char *name;
        const char *prefer, *avoid, *protect_cgroups, *protect_comm;
        struct rcand cands[MAXC];
        const char *order[MAXC];           /* expected, top first */
        enum protect_reason protect[MAXC]; /* of order[i] */
        const char *why_has[MAXC];         /* of order[i], or NULL */
};

static void set_pattern(struct pattern_list *l, const char *p)
{
        l->n = 0;
        if (p)
                strcpy_bounded(l->items[l->n++], CONFIG_PATTERN_MAX, p);
}

static void fill(struct snapshot *s, const struct rcand *d, unsigned n, bool cur)
{
        for (unsigned i = 0; i < n; i++) {
                const struct rcand *r = &d[i];
                double k = cur ? 1 : 0; /* one second later */
                double anon = (r->anon_mib + k * r->grow_mib_per_s) * (double)MIB;
                struct candidate *c = sb_add(s, r->path, 0, 10 + i);

                sb_set_memory(c, (uint64_t)anon, (uint64_t)(r->file_mib * (double)MIB),
                              (uint64_t)(r->shmem_mib * (double)MIB));
                c->s.stat.refault_file = (uint64_t)(BASE + k * r->refault_per_s);
                c->s.stat.pgscan = (uint64_t)(BASE + k * r->scan_per_s);
                c->s.events.max = (uint64_t)(BASE + k * r->events_per_s);
                c->s.psi.full.total_usec = (uint64_t)(BASE + k * r->full_pct / 100 * 1e6);
                c->s.psi.some.total_usec = c->s.psi.full.total_usec;
                c->s.has_psi = !r->no_psi;
                c->id.kind = r->kind;
                c->id.qos = r->qos;
                c->oom_score_adj_max = r->adj;
                c->oom_score_adj_min = r->never_kill ? -1000 : r->adj;
                c->has_never_kill_task = r->never_kill;
                if (r->comm) {
                        /* The interesting comm second, behind an ordinary one. */
                        c->n_comms = 2;
                        strcpy_bounded(c->comms[1], sizeof(c->comms[1]), r->comm);
                        c->comm_protects = !r->tenant_comm; /* a system service */
                }
                if (r->ns) {
                        strcpy_bounded(c->id.pod_namespace, IDENTITY_NAME_MAX, r->ns);
                        strcpy_bounded(c->id.pod_name, IDENTITY_NAME_MAX, r->pod);
                        strcpy_bounded(c->id.container_name, IDENTITY_NAME_MAX, r->container);
                }
        }
        sb_sort(s);
}

struct pair {
        struct candidate bufs[2][MAXC];
        struct snapshot prev, cur;
};

static unsigned count_cands(const struct rcand *d)
{
        unsigned n = 0;
        while (n < MAXC && d[n].path)
                n++;
        return n;
}

/* A 1 GiB scope "/scope", the candidates one second apart. */
static void build_pair(struct pair *p, const struct rcand *d)
{
        unsigned n = count_cands(d);

        sb_init(&p->prev, p->bufs[0], MAXC, T0);
        sb_init(&p->cur, p->bufs[1], MAXC, T0 + USEC_PER_SEC);
        sb_scope(&p->prev, "/scope", 1024 * MIB, 1000 * MIB);
        sb_scope(&p->cur, "/scope", 1024 * MIB, 1000 * MIB);
        fill(&p->prev, d, n, false);
        fill(&p->cur, d, n, true);
}

static const struct rank_case rank_cases[] = {
    {
        .name = "thrasher over a cache reader with more refaults but no stall",
        .cands =
            {
                {.path = "/scope/reader",
                 .anon_mib = 20,
                 .refault_per_s = 1200000,
                 .full_pct = 2.5},
                {.path = "/scope/thrasher",
                 .anon_mib = 20,
                 .refault_per_s = 250000,
                 .full_pct = 38},
                {.path = "/scope/idle", .anon_mib = 20},
            },
        .order = {"/scope/thrasher", "/scope/reader", "/scope/idle"},
        .why_has = {"refaults 250k/s, full 38%", "refaults 1.2M/s"},
    },
    {
        .name = "leaker over the biggest stable group",
        .cands =
            {
                {.path = "/scope/big", .anon_mib = 500, .refault_per_s = 2000, .full_pct = 10},
                {.path = "/scope/leaker",
                 .anon_mib = 250,
                 .grow_mib_per_s = 16,
                 .refault_per_s = 2000,
                 .full_pct = 25},
                {.path = "/scope/web", .anon_mib = 100, .refault_per_s = 20000, .full_pct = 30},
            },
        .order = {"/scope/leaker", "/scope/web", "/scope/big"},
        .why_has = {"growing 16M/s", NULL, "anon+shm 500M (49% of scope)"},
    },
    {
        /* Measured on the host (tests/e2e/scenarios/leak.sh): the reader
         * suffers the leak, refaulting hard at 31% stall while holding
         * 1 MiB; killing it gave nothing back and the kernel OOM killer
         * fired on the leaker. */
        .name = "leaker over a stalled cache reader that holds no memory",
        .cands =
            {
                {.path = "/scope/reader", .anon_mib = 1, .refault_per_s = 270000, .full_pct = 31},
                {.path = "/scope/leaker", .anon_mib = 368, .grow_mib_per_s = 20},
                {.path = "/scope/big", .anon_mib = 500},
            },
        .order = {"/scope/leaker", "/scope/big", "/scope/reader"},
        .why_has = {"growing 20M/s", NULL, "refaults 270k/s, full 31%"},
    },
    {
        .name = "QoS: BestEffort, Burstable = not a pod (then usage), Guaranteed last",
        .cands =
            {
                {.path = "/scope/g",
                 .kind = IDENTITY_POD_CONTAINER,
                 .qos = QOS_GUARANTEED,
                 .anon_mib = 100},
                {.path = "/scope/bu",
                 .kind = IDENTITY_POD_CONTAINER,
                 .qos = QOS_BURSTABLE,
                 .anon_mib = 100},
                {.path = "/scope/be",
                 .kind = IDENTITY_POD_CONTAINER,
                 .qos = QOS_BESTEFFORT,
                 .anon_mib = 100},
                {.path = "/scope/svc", .anon_mib = 100, .file_mib = 50},
            },
        .order = {"/scope/be", "/scope/svc", "/scope/bu", "/scope/g"},
        .why_has = {"besteffort", NULL, "burstable", "last resort (guaranteed)"},
    },
    {
        .name = "oom_score_adj: higher first; -999..-997 last resort; -1000 protected",
        .cands =
            {
                {.path = "/scope/a0", .adj = 0, .anon_mib = 100},
                {.path = "/scope/a1000", .adj = 1000, .anon_mib = 100},
                {.path = "/scope/m500", .adj = -500, .anon_mib = 100},
                {.path = "/scope/m996", .adj = -996, .anon_mib = 100},
                {.path = "/scope/m999", .adj = -999, .anon_mib = 900},
                {.path = "/scope/never", .never_kill = true, .anon_mib = 900},
            },
        .order = {"/scope/a1000", "/scope/a0", "/scope/m500", "/scope/m996", "/scope/m999",
                  "/scope/never"},
        .protect = {[5] = PROTECT_OOM_NEVER},
        .why_has = {"adj 1000", NULL, NULL, NULL, "last resort (oom_score_adj)",
                    "protected (oom_score_adj -1000)"},
    },
    {
        .name = "prefer and avoid, by path and by namespace/pod/container",
        .prefer = "prod/*/sidecar",
        .avoid = "/scope/db*",
        .cands =
            {
                {.path = "/scope/db1", .anon_mib = 300},
                {.path = "/scope/plain", .anon_mib = 100},
                {.path = "/scope/pod/c",
                 .kind = IDENTITY_POD_CONTAINER,
                 .anon_mib = 100,
                 .ns = "prod",
                 .pod = "api-1",
                 .container = "sidecar"},
            },
        .order = {"/scope/pod/c", "/scope/plain", "/scope/db1"},
        .why_has = {"prefer", NULL, "avoid"},
    },
    {
        .name = "protected come last, whatever their score",
        .protect_cgroups = "/scope/pin*",
        .protect_comm = "sshd",
        .cands =
            {
                {.path = "/scope", .anon_mib = 10},
                {.path = "/scope/pinned", .anon_mib = 900},
                {.path = "/scope/ssh", .comm = "sshd", .anon_mib = 800},
                {.path = "/scope/pause", .kind = IDENTITY_POD_SANDBOX, .anon_mib = 700},
                {.path = "/scope/small", .anon_mib = 1},
            },
        .order = {"/scope/small", "/scope/pinned", "/scope/ssh", "/scope/pause", "/scope"},
        .protect = {PROTECT_NONE, PROTECT_PATTERN, PROTECT_COMM, PROTECT_SANDBOX,
                    PROTECT_SCOPE_ROOT},
        .why_has = {NULL, "protected ([protect] cgroups)", "protected (comm sshd)",
                    "protected (pod sandbox)", "protected (scope root)"},
    },
    {
        .name = "ties: larger usage first, then the path",
        .cands =
            {
                {.path = "/scope/c", .anon_mib = 100},
                {.path = "/scope/b", .anon_mib = 100},
                {.path = "/scope/a", .anon_mib = 100, .file_mib = 1},
                {.path = "/scope/d", .anon_mib = 100},
            },
        .order = {"/scope/a", "/scope/b", "/scope/c", "/scope/d"},
    },
    {
        .name = "scan and limit events count; shmem is unreclaimable",
        .cands =
            {
                {.path = "/scope/plain", .anon_mib = 100},
                {.path = "/scope/scanned", .anon_mib = 100, .scan_per_s = 50000},
                {.path = "/scope/at-limit", .anon_mib = 100, .events_per_s = 100},
                {.path = "/scope/tmpfs", .anon_mib = 100, .shmem_mib = 200},
            },
        .order = {"/scope/at-limit", "/scope/scanned", "/scope/tmpfs", "/scope/plain"},
        .why_has = {"limit events 100/s", "scan 50k/s", "anon+shm 300M"},
    },
};

static void test_rank_case(void **state)
{
        const struct rank_case *rc = *state;
        struct pair *p = calloc(1, sizeof(*p));
        struct config c;
        struct ranked r[MAXC];
        unsigned n = count_cands(rc->cands);

        config_init(&c);
        set_pattern(&c.rank.prefer, rc->prefer);
        set_pattern(&c.rank.avoid, rc->avoid);
        set_pattern(&c.protect.cgroups, rc->protect_cgroups);
        set_pattern(&c.protect.comms, rc->protect_comm);
        build_pair(p, rc->cands);

        size_t got = rank_scope(&c, &p->prev, &p->cur, 0, r, MAXC);
        assert_int_equal(got, n);
        for (size_t i = 0; i < got; i++) {
                const char *path = p->cur.candidates[r[i].index].path;
                if (!rc->order[i] || !streq(path, rc->order[i]) || r[i].rank != i + 1 ||
                    r[i].protect != rc->protect[i] ||
                    (rc->why_has[i] && !strstr(r[i].why, rc->why_has[i]))) {
                        for (size_t j = 0; j < got; j++)
                                print_message("  %zu. %-16s %6.2f %s\n", j + 1,
                                              p->cur.candidates[r[j].index].path, r[j].score,
                                              r[j].why);
                        fail_msg("%s: position %zu: got %s (protect %d), want %s (protect %d, "
                                 "why has '%s')",
                                 rc->name, i + 1, path, r[i].protect,
                                 rc->order[i] ? rc->order[i] : "(none)", rc->protect[i],
                                 rc->why_has[i] ? rc->why_has[i] : "");
                }
        }
        free(p);
}

/* The formula as documented in score.c, computed again independently. */
static double lg_doc(double x, double x0)
{
        return x <= 0 ? 0 : fmin(1, log10(1 + x / x0) / 3);
}

static void test_formula(void **state)
{
        (void)state;
        struct pair *p = calloc(1, sizeof(*p));
        struct config c;
        struct ranked r;
        const struct rcand d[] = {{.path = "/scope/x",
                                   .kind = IDENTITY_POD_CONTAINER,
                                   .qos = QOS_BESTEFFORT,
                                   .adj = 1000,
                                   .anon_mib = 200,
                                   .shmem_mib = 56,
                                   .refault_per_s = 30000,
                                   .full_pct = 6,
                                   .scan_per_s = 8000,
                                   .events_per_s = 40,
                                   .grow_mib_per_s = 4},
                                  {0}};

        config_init(&c);
        build_pair(p, d);
        score_candidate(&c, &p->prev, &p->cur, 0, &r);

        double L = 1024.0 * (double)MIB, T = c.thrash.refault_per_s, Tf = c.thrash.full_pct;
        double reclaim = lg_doc(30000, T) * (0.25 + 0.75 * fmin(1, 6 / Tf));
        double scan = fmax(lg_doc(8000, T), lg_doc(40, 1));
        double growth = lg_doc(4 * (double)MIB, L * 0.0005);
        double unrecl = fmin(1, (204.0 + 56.0) * (double)MIB / L);
        double want = 35 * reclaim + 15 * scan + 30 * growth + 20 * unrecl + 15 + 1000.0 / 100;

        assert_true(r.has_rates);
        assert_near(r.refault_per_s, 30000, 1e-6);
        assert_near(r.full_pct, 6, 1e-6);
        assert_near(r.scan_per_s, 8000, 1e-6);
        assert_near(r.events_per_s, 40, 1e-6);
        assert_near(r.growth_bytes_per_s, 4.0 * (double)MIB, 1e-3);
        assert_int_equal(r.unreclaimable_bytes, (204 + 56) * MIB);
        assert_near(r.score, want, 1e-9);

        /* Without group PSI the stall factor counts as half the bar. */
        p->prev.candidates[0].s.has_psi = p->cur.candidates[0].s.has_psi = false;
        score_candidate(&c, &p->prev, &p->cur, 0, &r);
        want += 35 * lg_doc(30000, T) * ((0.25 + 0.75 * 0.5) - (0.25 + 0.75 * fmin(1, 6 / Tf)));
        assert_near(r.score, want, 1e-9);
        free(p);
}

/* Rates exist only for the same group one interval apart. */
static void test_signals(void **state)
{
        (void)state;
        struct pair *p = calloc(1, sizeof(*p));
        const struct rcand d[] = {
            {.path = "/scope/x", .anon_mib = 100, .refault_per_s = 5000, .full_pct = 20}, {0}};
        struct candidate *x;
        struct signals sig;

        build_pair(p, d);
        x = &p->cur.candidates[0];
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_true(sig.has_rates && sig.has_psi);
        assert_near(sig.refault_per_s, 5000, 1e-6);
        assert_near(sig.full_pct, 20, 1e-6);

        /* memory.stat read at other times than the snapshots: rates over its
         * own read times; not read again since: no stat rates, PSI still. */
        p->prev.candidates[0].stat_usec = p->prev.time_usec - 4 * USEC_PER_SEC;
        x->stat_usec = p->cur.time_usec;
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_near(sig.refault_per_s, 1000, 1e-3);
        assert_near(sig.full_pct, 20, 1e-3);
        x->stat_usec = p->prev.candidates[0].stat_usec;
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_true(sig.has_rates && sig.refault_per_s == 0);
        assert_near(sig.full_pct, 20, 1e-3);
        x->stat_usec = p->prev.candidates[0].stat_usec = 0;

        /* First sample. */
        signals_compute(NULL, &p->cur, x, &sig);
        assert_false(sig.has_rates);
        assert_true(sig.refault_per_s == 0 && sig.full_pct == 0 && sig.growth_bytes_per_s == 0);

        /* Recreated under the same path, its counters already past the old ones. */
        x->cgroup_id++;
        x->s.stat.refault_file += 1000000000;
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_false(sig.has_rates);
        assert_true(sig.refault_per_s == 0);
        x->cgroup_id--;
        x->s.stat.refault_file -= 1000000000;

        /* Counters that went backwards: 0, never huge. */
        x->s.stat.refault_file = 5;
        x->s.psi.full.total_usec = 5;
        x->s.stat.anon_bytes = 0;
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_true(sig.has_rates);
        assert_true(sig.refault_per_s == 0 && sig.full_pct == 0);
        assert_true(sig.growth_bytes_per_s < 0); /* shrinking is real, and allowed */

        /* No time passed, or time went back. */
        p->cur.time_usec = p->prev.time_usec;
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_false(sig.has_rates);
        p->cur.time_usec = p->prev.time_usec - 1;
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_false(sig.has_rates);
        p->cur.time_usec = p->prev.time_usec + USEC_PER_SEC;

        /* PSI in one sample only: rates, but no stall. */
        p->prev.candidates[0].s.has_psi = false;
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_true(sig.has_rates);
        assert_false(sig.has_psi);

        /* A stall share over 100% (hostile totals) is clamped. */
        p->prev.candidates[0].s.has_psi = true;
        x->s.psi.full.total_usec = p->prev.candidates[0].s.psi.full.total_usec + 5 * USEC_PER_SEC;
        signals_compute(&p->prev, &p->cur, x, &sig);
        assert_near(sig.full_pct, 100, 1e-9);
        free(p);
}

/* rank_scope keeps the best cap entries, and on the first tick says so. */
static void test_rank_cap_and_first_tick(void **state)
{
        (void)state;
        struct pair *p = calloc(1, sizeof(*p));
        struct config c;
        struct ranked r[3];
        const struct rcand d[] = {
            {.path = "/scope/a", .anon_mib = 10},  {.path = "/scope/b", .anon_mib = 500},
            {.path = "/scope/c", .anon_mib = 300}, {.path = "/scope/d", .anon_mib = 50},
            {.path = "/scope/e", .anon_mib = 400}, {0}};

        config_init(&c);
        build_pair(p, d);
        r[2].rank = 12345; /* a sentinel just past cap */
        assert_int_equal(rank_scope(&c, &p->prev, &p->cur, 0, r, 2), 2);
        assert_int_equal(r[2].rank, 12345);
        assert_string_equal(p->cur.candidates[r[0].index].path, "/scope/b");
        assert_string_equal(p->cur.candidates[r[1].index].path, "/scope/e");
        assert_int_equal(r[1].rank, 2);

        assert_int_equal(rank_scope(&c, NULL, &p->cur, 0, r, 3), 3);
        assert_string_equal(p->cur.candidates[r[2].index].path, "/scope/c");
        assert_false(r[0].has_rates);
        assert_non_null(strstr(r[0].why, "no rates yet"));

        /* Another scope's candidates are not ranked here. */
        p->cur.candidates[1].scope = 1;
        p->cur.n_scopes = 2;
        p->cur.scopes[1] = p->cur.scopes[0];
        strcpy_bounded(p->cur.scopes[1].path, CGROUP_PATH_MAX, "/other");
        assert_int_equal(rank_scope(&c, &p->prev, &p->cur, 0, r, 3), 3);
        for (size_t i = 0; i < 3; i++)
                assert_string_not_equal(p->cur.candidates[r[i].index].path, "/scope/b");
        free(p);
}

/* Comms as the kernel gives them: 15 characters, possibly without a NUL in
 * a full 16-byte field; more comms than the snapshot keeps. */
static void test_protect_hostile_comms(void **state)
{
        (void)state;
        struct pair *p = calloc(1, sizeof(*p));
        struct config c;
        const struct rcand d[] = {{.path = "/scope/x", .anon_mib = 1}, {0}};
        const char *comm = NULL;

        config_init(&c);
        set_pattern(&c.protect.comms, "systemd-journal*");
        build_pair(p, d);
        struct candidate *x = &p->cur.candidates[0];
        memcpy(x->comms[0], "systemd-journald", 16); /* no NUL */
        x->n_comms = 200;
        x->comm_protects = true;
        assert_int_equal(protect_check(&c, &p->cur, x, &comm), PROTECT_COMM);
        assert_non_null(comm);

        set_pattern(&c.protect.comms, "sshd");
        memcpy(x->comms[SNAPSHOT_MAX_COMMS - 1], "sshd", 5);
        assert_int_equal(protect_check(&c, &p->cur, x, NULL), PROTECT_COMM);

        /* Anything but a system service names its processes as it likes. */
        x->comm_protects = false;
        assert_int_equal(protect_check(&c, &p->cur, x, NULL), PROTECT_NONE);
        free(p);
}

static void test_why_fits(void **state)
{
        (void)state;
        struct pair *p = calloc(1, sizeof(*p));
        struct config c;
        struct ranked r[1];
        const struct rcand d[] = {{.path = "/scope/x",
                                   .kind = IDENTITY_POD_CONTAINER,
                                   .qos = QOS_BESTEFFORT,
                                   .adj = -999,
                                   .anon_mib = 300,
                                   .refault_per_s = 250000,
                                   .full_pct = 38,
                                   .scan_per_s = 300000,
                                   .events_per_s = 2000,
                                   .grow_mib_per_s = 12,
                                   .ns = "a-very-long-namespace-name",
                                   .pod = "a-very-long-pod-name-0123456789",
                                   .container = "c"},
                                  {0}};

        config_init(&c);
        set_pattern(&c.rank.prefer, "*");
        set_pattern(&c.rank.avoid, "*");
        build_pair(p, d);
        assert_int_equal(rank_scope(&c, &p->prev, &p->cur, 0, r, 1), 1);
        assert_true(strlen(r[0].why) < sizeof(r[0].why));
        assert_non_null(strstr(r[0].why, "last resort (oom_score_adj); refaults 250k/s"));
        free(p);
}

/* Which span a window is measured over, from the sample times (seconds). */
static void test_window_span(void **state)
{
        (void)state;
        static const struct {
                const char *name;
                double times[8]; /* ascending; the last is "now"; 0 ends */
                double window;
                double want_from; /* -1: no signal */
        } cases[] = {
            {"first tick: no signal", {1}, 1, -1},
            {"ticks at the interval: one window back", {1, 1.5, 2, 2.5, 3}, 1, 2},
            {"history shorter than the window: all of it", {1, 1.5}, 1, 1},
            {"one idle gap: the whole gap", {1, 6}, 1, 1},
            {"idle, then fast: the oldest sample in the window", {1, 6, 6.5}, 1, 6},
            {"idle, then fast, a window later", {1, 6, 6.5, 7}, 1, 6},
            {"slightly sparse: up to two windows", {1, 2.8}, 1, 1},
            {"a zero window: the last interval", {1, 2, 3}, 0, 2},
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct policy_window w = {0};
                const struct policy_sample *from, *to;

                for (size_t k = 0; k < 8 && cases[i].times[k] > 0; k++)
                        window_push(&w, (uint64_t)(cases[i].times[k] * 1e6),
                                    (uint64_t[3]){k, k, k});
                bool ok = window_span(&w, (uint64_t)(cases[i].window * 1e6), &from, &to);
                if (cases[i].want_from < 0) {
                        assert_false(ok);
                        continue;
                }
                if (!ok || from->time_usec != (uint64_t)(cases[i].want_from * 1e6))
                        fail_msg("%s: from %.1fs", cases[i].name,
                                 ok ? (double)from->time_usec / 1e6 : -1.0);
        }

        /* More samples than kept; a repeated time; time going back. */
        struct policy_window w = {0};
        const struct policy_sample *from, *to;
        for (uint64_t k = 1; k <= 3 * POLICY_WINDOW_SAMPLES; k++)
                window_push(&w, k * USEC_PER_SEC, (uint64_t[3]){k, 2 * k, 0});
        assert_int_equal(w.n, POLICY_WINDOW_SAMPLES);
        assert_true(window_span(&w, 1000 * USEC_PER_SEC, &from, &to));
        assert_int_equal(to->time_usec - from->time_usec,
                         (POLICY_WINDOW_SAMPLES - 1) * USEC_PER_SEC);
        assert_near(window_span_rate(from, to, 1), 2, 1e-9);
        window_push(&w, 3 * POLICY_WINDOW_SAMPLES * USEC_PER_SEC, (uint64_t[3]){0});
        assert_int_equal(w.n, POLICY_WINDOW_SAMPLES);
        window_push(&w, USEC_PER_SEC, (uint64_t[3]){0});
        assert_int_equal(w.n, 1);
        assert_false(window_span(&w, USEC_PER_SEC, &from, &to));
}

static void test_fmt(void **state)
{
        (void)state;
        char b[16], buf[8];

        assert_string_equal(fmt_count(0, b), "0");
        assert_string_equal(fmt_count(950, b), "950");
        assert_string_equal(fmt_count(1200, b), "1.2k");
        assert_string_equal(fmt_count(250000, b), "250k");
        assert_string_equal(fmt_count(1.2e6, b), "1.2M");
        assert_string_equal(fmt_count(NAN, b), "0");
        assert_string_equal(fmt_bytes(300.0 * (double)MIB, b), "300M");
        assert_string_equal(fmt_bytes(1.5 * 1024 * (double)MIB, b), "1.5G");
        assert_true(strlen(fmt_bytes(1e30, b)) < sizeof(b));
        assert_string_equal(fmt_bytes(512, b), "512B");

        buf[0] = 0;
        str_appendf(buf, sizeof(buf), "%s", "abcdefghij");
        assert_string_equal(buf, "abcdefg");
        str_appendf(buf, sizeof(buf), "more");
        assert_string_equal(buf, "abcdefg");
}

int main(void)
{
        struct CMUnitTest tests[ARRAY_SIZE(rank_cases) + 8];
        size_t n = 0;

        for (size_t i = 0; i < ARRAY_SIZE(rank_cases); i++)
                tests[n++] = (struct CMUnitTest){.name = rank_cases[i].name,
                                                 .test_func = test_rank_case,
                                                 .initial_state = (void *)&rank_cases[i]};
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_formula);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_signals);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_rank_cap_and_first_tick);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_protect_hostile_comms);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_why_fits);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_window_span);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fmt);
        return _cmocka_run_group_tests("score", tests, n, NULL, NULL);
}
