#include "decide/protect.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"

enum protect_reason protect_check(const struct config *c, const struct snapshot *cur,
                                  const struct candidate *cand, const char **ret_comm)
{
        if (cand->scope < cur->n_scopes && cand->scope < CONFIG_MAX_SCOPES &&
            streq(cand->path, cur->scopes[cand->scope].path))
                return PROTECT_SCOPE_ROOT;
        if (pattern_list_match(&c->protect.cgroups, cand->path) ||
            protect_match_pod(&c->protect.pods, &cand->id))
                return PROTECT_PATTERN;

        unsigned n = !cand->comm_protects                 ? 0
                     : cand->n_comms < SNAPSHOT_MAX_COMMS ? cand->n_comms
                                                          : SNAPSHOT_MAX_COMMS;
        for (unsigned i = 0; i < n; i++) {
                char comm[sizeof(cand->comms[i]) + 1];
                size_t len = strnlen(cand->comms[i], sizeof(cand->comms[i]));

                memcpy(comm, cand->comms[i], len);
                comm[len] = 0;
                if (pattern_list_match(&c->protect.comms, comm)) {
                        if (ret_comm)
                                *ret_comm = cand->comms[i];
                        return PROTECT_COMM;
                }
        }
        if (cand->has_never_kill_task || cand->oom_score_adj_min <= -1000)
                return PROTECT_OOM_NEVER;
        if (cand->id.kind == IDENTITY_POD_SANDBOX)
                return PROTECT_SANDBOX;
        return PROTECT_NONE;
}

bool protect_is_last_resort(const struct candidate *cand)
{
        return cand->id.qos == QOS_GUARANTEED ||
               (cand->oom_score_adj_max >= -999 && cand->oom_score_adj_max <= -997);
}

bool protect_match_pod(const struct pattern_list *l, const struct identity *id)
{
        char name[3 * IDENTITY_NAME_MAX];

        if (l->n == 0 || !id->pod_namespace[0] || !id->pod_name[0] || !id->container_name[0])
                return false;
        name[0] = 0;
        str_appendf(name, sizeof(name), "%.*s/%.*s/%.*s", IDENTITY_NAME_MAX, id->pod_namespace,
                    IDENTITY_NAME_MAX, id->pod_name, IDENTITY_NAME_MAX, id->container_name);
        return pattern_list_match(l, name);
}
