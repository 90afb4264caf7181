#include "decide/decision.h"

#include "decide/policy-internal.h"

#include <string.h>

#include "base/util.h"

void decision_set_group(struct decision *d, enum decision_kind kind, enum rule rule, unsigned scope,
                        const struct candidate *cand)
{
        d->kind = kind;
        d->rule = rule;
        d->scope = scope;
        strcpy_bounded(d->cgroup, sizeof(d->cgroup), cand->path);
        d->cgroup_id = cand->cgroup_id;
        d->id = cand->id;
        d->comm_protects = cand->comm_protects;
}

const char *rule_to_string(enum rule r)
{
        switch (r) {
        case RULE_SHORTAGE:
                return "shortage";
        case RULE_LOCAL_THRASH:
                return "local-thrash";
        case RULE_NONE:
        default:
                return "none";
        }
}

const char *decision_kind_to_string(enum decision_kind k)
{
        switch (k) {
        case DECISION_KILL:
                return "kill";
        case DECISION_FREEZE:
                return "freeze";
        case DECISION_THAW:
                return "thaw";
        case DECISION_ALL_PROTECTED:
                return "all-protected";
        case DECISION_RECOVERED:
                return "recovered";
        case DECISION_NONE:
        default:
                return "none";
        }
}

const char *protect_reason_to_string(enum protect_reason p)
{
        switch (p) {
        case PROTECT_SCOPE_ROOT:
                return "scope root";
        case PROTECT_PATTERN:
                return "[protect] cgroups";
        case PROTECT_COMM:
                return "[protect] comms";
        case PROTECT_OOM_NEVER:
                return "oom_score_adj -1000";
        case PROTECT_SANDBOX:
                return "pod sandbox";
        case PROTECT_NONE:
        default:
                return "none";
        }
}
