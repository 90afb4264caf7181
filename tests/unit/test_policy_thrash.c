/* The local thrash rule, first samples and several scopes. */
#include "policy_scenario.h"

static const struct scenario scenarios[] =
    {
        {
            .name = "local thrash: the group at its own limit, after thrash.duration",
            .scope_path = {"/"},
            .scope_mib = {16384},
            .cands =
                {
                    {.path = "/system.slice/app.service", .anon_mib = 2000},
                    {.path = "/system.slice/thrasher.service", .limit_mib = 512, .anon_mib = 450},
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

int main(void)
{
        return run_scenarios("policy_thrash", scenarios, ARRAY_SIZE(scenarios));
}
