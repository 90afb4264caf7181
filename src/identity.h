/* Who a cgroup is: pure functions from a cgroup path to a container / pod
 * identity, plus one reader that finds Kubernetes names in /var/log. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct fsroot;

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
#define IDENTITY_UID_MAX  40  /* dashed pod UID */
#define IDENTITY_NAME_MAX 256 /* Kubernetes names are at most 253 */

struct identity {
        enum identity_kind kind;
        enum qos_class qos;
        char runtime[16];                      /* containerd, crio, docker, podman, "" */
        char container_id[IDENTITY_ID_MAX];    /* "" when unknown */
        char pod_uid[IDENTITY_UID_MAX];        /* dashed form, "" when not a pod */
        char pod_namespace[IDENTITY_NAME_MAX]; /* from /var/log, "" when unknown */
        char pod_name[IDENTITY_NAME_MAX];
        char container_name[IDENTITY_NAME_MAX];
};

/* Classifies a cgroup path ("/kubepods.slice/...", relative to the cgroup
 * root, '/'-separated). Never fails on odd input: what is not recognised is
 * IDENTITY_GROUP. Returns true when the path is a container-level group (a
 * recognised container, sandbox or service), false otherwise. */
bool identity_from_path(const char *cgroup_path, struct identity *ret);

/* True for groups that only organise others and are never candidates
 * themselves: *.slice, kubepods, kubepods/burstable, pod<UID>, ... */
bool identity_is_intermediate(const char *cgroup_path);

/* Fills pod_namespace, pod_name and container_name of a Kubernetes
 * container from /var/log/pods/<ns>_<pod>_<uid>/<container>/ and
 * /var/log/containers/<pod>_<ns>_<container>-<id>.log. -ENOENT when
 * nothing is found (names stay ""). */
int identity_read_pod_names(const struct fsroot *root, struct identity *id);

const char *identity_kind_to_string(enum identity_kind k); /* "pod-container", ... */
const char *qos_class_to_string(enum qos_class q);         /* NULL for QOS_NONE */
