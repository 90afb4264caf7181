/* Kubernetes names from /var/log: the one reader of the identity's names
 * (identity.h classifies by path alone). */
#pragma once

#include "observe/fsroot.h"
#include "observe/identity.h"

/* Fills pod_namespace, pod_name and container_name of a Kubernetes pod's
 * group from /var/log/pods/<ns>_<pod>_<uid>/ (the pod, by pod_uid) and
 * /var/log/containers/<pod>_<ns>_<container>-<id>.log (the container of an
 * IDENTITY_POD_CONTAINER, by container_id; it may also give the UID). Names
 * that are not valid Kubernetes names are refused. A container log counts
 * only when it is a symlink into the one pod directory of the same pod.
 * Returns 0 when the pod's names were found (container_name may stay "");
 * -ENOENT when nothing is found; -ENOTUNIQ when two pod directories carry
 * the UID (neither is trusted). Names stay "" on failure. */
int pod_names_read(const struct fsroot *root, struct identity *id);
