/* The policy driven tick by tick: policy_is_warming, hostile input,
 * unreadable ticks, idle gaps, the root's active cache, the strings and a
 * restored freeze. */
#include "policy_scenario.h"

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

        /* Woken by a trigger after an idle sleep, then a probe 100 ms
         * later: over the whole gap the stall is diluted below the
         * thresholds (8 % full); the probe shows it as it is (60 %), and
         * its start is counted back over all that accumulated since the
         * idle tick (0.4 s + 0.06 s), not over the probe alone. */
        config_init(&m->c);
        policy_state_init(&m->st);
        manual_tick_after(m, idle, 0, 0, PLENTY, &d);
        manual_tick_after(m, idle, 20, 8, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_int_equal(m->st.scopes[0].shortage_since_usec, 0);
        manual_tick_after(m, 100 * USEC_PER_MSEC, 70, 60, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_true(near_usec(m->st.scopes[0].shortage_since_usec, m->t - 460 * USEC_PER_MSEC));
        manual_tick(m, 70, 60, SHORT, &d);
        manual_tick(m, 70, 60, SHORT, &d);
        assert_int_equal(d.kind, DECISION_KILL);

        /* Without low headroom, the same stall starts nothing. */
        policy_state_init(&m->st);
        manual_tick_after(m, idle, 0, 0, PLENTY, &d);
        manual_tick_after(m, idle, 35, 30, PLENTY, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        assert_int_equal(m->st.scopes[0].shortage_since_usec, 0);
        free(m);
}

/* The policy says when a holding rule reaches its duration, so that the
 * daemon ticks then instead of at its next interval: the rule decides at
 * that moment, not a microsecond before; nothing is due while no rule
 * holds, nor after the action. */
static void test_next_due(void **state)
{
        (void)state;
        struct manual *m = calloc(1, sizeof(*m));
        struct decision d;
        uint64_t due;

        config_init(&m->c);
        policy_state_init(&m->st);
        manual_tick(m, 0, 0, PLENTY, &d);
        manual_tick(m, 0, 0, PLENTY, &d);
        assert_int_equal(policy_next_due_usec(&m->st), 0);
        manual_tick(m, 60, 38, PLENTY, &d);
        assert_int_equal(policy_next_due_usec(&m->st), 0);
        manual_tick(m, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        due = policy_next_due_usec(&m->st);
        assert_int_equal(due, m->st.scopes[0].shortage_since_usec + m->c.shortage.duration_usec);
        assert_true(due > m->t && due - m->t < m->c.shortage.duration_usec);

        struct manual *early = malloc(sizeof(*early));
        *early = *m;
        manual_tick_after(early, due - 1 - early->t, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_NONE);
        free(early);

        manual_tick_after(m, due - m->t, 60, 38, SHORT, &d);
        assert_int_equal(d.kind, DECISION_KILL);
        assert_int_equal(policy_next_due_usec(&m->st), 0);
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
        struct CMUnitTest tests[8];
        size_t n = 0;

        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_warming);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_hostile);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_unreadable_restarts_duration);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_idle_gap_counts_back_stall);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_next_due);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_root_active_cache_under_stall);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_strings);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_restore_frozen);
        return _cmocka_run_group_tests("policy", tests, n, NULL, NULL);
}
