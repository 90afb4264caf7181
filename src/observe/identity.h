/* Who a cgroup is: pure functions from a cgroup path to a container / pod
 * identity, plus one reader that finds Kubernetes names in /var/log. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum identity_kind {
        IDENTITY_GROUP,         /* a plain leaf group holding processes */
        IDENTITY_SERVICE,       /* a systemd *.service */
        IDENTITY_POD_CONTAINER, /* a Kubernetes container */
        IDENTITY_POD_SANDBOX,   /* a pod's pause/sandbox container */
        IDENTITY_DOCKER,        /* a plain Docker container */
        IDENTITY_PODMAN,        /* a Podman container */
        IDENTITY_CONTAINERD,    /* a containerd container outside Kubernetes */
};

enum qos_class {
        QOS_NONE, /* not a Kubernetes pod */
        QOS_GUARANTEED,
        QOS_BURSTABLE,
        QOS_BESTEFFORT,
};

#define IDENTITY_ID_MAX   72  /* 64 hex digits, with room */
#define IDENTITY_UID_MAX  72  /* a Podman pod id is 64 hex digits */
#define IDENTITY_NAME_MAX 256 /* Kubernetes names are at most 253 */

struct identity {
        enum identity_kind kind;
        enum qos_class qos;
        char runtime[16];                   /* containerd, crio, docker, podman, "" */
        char container_id[IDENTITY_ID_MAX]; /* "" when unknown */
        /* The pod: a Kubernetes pod UID (dashed, or the 32 hex digits of a
         * static pod), or the 64-hex id of a Podman pod (kind
         * IDENTITY_PODMAN, qos QOS_NONE); "" when not in a pod. */
        char pod_uid[IDENTITY_UID_MAX];
        char pod_namespace[IDENTITY_NAME_MAX]; /* from /var/log, "" when unknown */
        char pod_name[IDENTITY_NAME_MAX];
        char container_name[IDENTITY_NAME_MAX];
};

/* Classifies a cgroup path ("/kubepods.slice/...", relative to the cgroup
 * root, '/'-separated). Never fails on odd input: what is not recognised is
 * IDENTITY_GROUP. Returns true when the path is a container-level group (a
 * recognised container, sandbox or service), false otherwise. */
bool identity_from_path(const char *cgroup_path, struct identity *ret);

/* Refines the identity of a container-level group from the name of one of
 * its direct child groups, which the path of the group itself cannot show:
 *   a *.service with a child libpod-payload-<64 hex> is a Podman container
 *   run with --cgroups=split (Quadlet's default): kind IDENTITY_PODMAN,
 *   runtime "podman", that container id; the service's own processes are
 *   conmon's, in the sibling "runtime";
 *   a child "container" is where crun (systemd driver, cgroup v2) puts a
 *   container's processes below its scope: recognised, nothing changes.
 * Only a service is refined, so nothing below a container (which its tenant
 * may name as it likes) changes what the container is. Pure. Returns true
 * when *id changed. */
bool identity_refine_from_child(struct identity *id, const char *child_name);

/* True for groups that only organise others and are never candidates
 * themselves: *.slice, kubepods, kubepods/burstable, pod<UID>, ... */
bool identity_is_intermediate(const char *cgroup_path);

/* A service of the node's own systemd (path classified as id): not in a
 * pod, and not one of a user's, whose manager (user@UID.service) lets the
 * user create and name groups and processes at will. Only there may a
 * process name protect. */
bool identity_is_system_service(const char *path, const struct identity *id);

const char *identity_kind_to_string(enum identity_kind k); /* "pod-container", ... */
const char *qos_class_to_string(enum qos_class q);         /* NULL for QOS_NONE */
