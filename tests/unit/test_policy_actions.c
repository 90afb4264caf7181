/* After the decision: cooldowns, failures, freeze-kill, partial kills, freeze. */
#include "policy_scenario.h"

static const struct scenario scenarios[] = {
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
                 .load = {{.life = GONE}, {.refault = ABS(5000), .full = ABS(20)}, IDLE_LOAD}},
                {.len = {.cool = 2}, .scope = {CALM}, .load = {SAME, {.life = GONE}, IDLE_LOAD}},
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
                {.len = {.ivl = 1, .sdur = 1}, .scope = {HOT}, .load = {THRASHING, IDLE_LOAD}},
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
                {.len = {.ivl = 1, .sdur = 1}, .scope = {HOT}, .load = {THRASHING, IDLE_LOAD}},
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
                {.len = {.cool = 1}, .scope = {CALM}, .load = {{.frozen = true}, {.frozen = true}}},
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
};

int main(void)
{
        return run_scenarios("policy_actions", scenarios, ARRAY_SIZE(scenarios));
}
