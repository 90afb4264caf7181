/* The shortage rule over time: when it fires, on whom, and when it must not. */
#include "policy_scenario.h"

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
};

int main(void)
{
        return run_scenarios("policy_shortage", scenarios, ARRAY_SIZE(scenarios));
}
