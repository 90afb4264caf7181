/* Choosing the victim: a victim already gone, protection, prefer and avoid, QoS and oom_score_adj
 * order. */
#include "policy_scenario.h"

static const struct scenario scenarios[] = {
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
        .phases = {{.len = {.ivl = 1, .sdur = 1}, .scope = {HOT}, .load = {THRASHING, IDLE_LOAD}}},
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
        .phases = {{.len = {.ivl = 1, .sdur = 1}, .scope = {HOT}, .load = {THRASHING, IDLE_LOAD}}},
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
                {.len = {.cool = 1}, .scope = {HOT}, .load = {IDLE_LOAD, SAME, {.life = GONE}}},
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
                {.len = {.cool = 1}, .scope = {HOT}, .load = {{.life = GONE}, SAME, THRASHING}},
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
};

int main(void)
{
        return run_scenarios("policy_victim", scenarios, ARRAY_SIZE(scenarios));
}
