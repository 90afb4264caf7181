/* Who a cgroup is. identity_from_path() and identity_is_intermediate() are
 * pure: they look at the last few components of a cgroup path and nothing
 * else, so they work at any depth (a kubepods tree under a test prefix or
 * nested inside another slice is recognised the same way). Patterns are
 * matched strictly: a component that is almost right (63 hex digits, a pod
 * UID of the wrong shape) is a plain group, because a wrong identity would
 * put the wrong QoS class or runtime in front of the policy.
 *
 * Container-level groups (identity_from_path() returns true):
 *   Kubernetes, cgroupfs driver  .../kubepods[/burstable|/besteffort]/pod<UID>/<id>
 *                                .../pod<UID>/crio-<id>                     (CRI-O)
 *   Kubernetes, systemd driver   .../[<root>-]kubepods[-<qos>]-pod<UID_>.slice/<rt>-<id>.scope
 *                                in the slice its name says (<root>: the
 *                                kubelet's --cgroup-root, "kubelet" in kind),
 *                                with <rt> cri-containerd, crio or docker
 *   Docker                       .../docker/<id>, .../docker-<id>.scope
 *   Podman                       .../libpod-<id>.scope (rootful and rootless),
 *                                .../libpod-<id> (cgroupfs manager),
 *                                .../libpod-payload-<id> (--cgroups=split);
 *                                in a pod: <parent>-libpod_pod_<pod id>.slice
 *                                or libpod_parent/<pod id>
 *   containerd                   .../<namespace>/<id> (its cgroupfs layout),
 *                                .../nerdctl-<id>.scope (nerdctl, systemd)
 *   systemd service              *.service, except user@<uid>.service
 * where <id> is exactly 64 lowercase hex digits, and <UID> a dashed UUID or
 * the 32 hex digits of a static pod (<UID_>: dashes escaped as '_').
 *
 * What a group holds below itself is not in its path: a Quadlet unit's
 * payload and crun's "container" subgroup are read by the observer and
 * handed to identity_refine_from_child(). Groups below a container-level
 * group belong to it and are never classified on their own.
 *
 * The path alone cannot tell a pod's sandbox (pause) container from its
 * workload containers: both are <rt>-<id>.scope. identity_from_path() says
 * IDENTITY_POD_CONTAINER for both; the observer, which reads the kubelet's
 * logs (observer-visit.c, lookup_pod_names), turns it into
 * IDENTITY_POD_SANDBOX. */
#include "observe/identity.h"

#include <limits.h>

#include "observe/span.h"
#include "base/util.h"

/* How many trailing components a rule may look at: id, pod, qos, kubepods. */
#define TAIL_MAX 4

enum role {
        ROLE_OTHER,     /* a plain group */
        ROLE_CONTAINER, /* container-level: a container or a service */
        ROLE_ORGANISER, /* only holds other groups */
        ROLE_MONITOR,   /* a runtime's monitor (conmon): never a candidate */
};

struct pod {
        enum qos_class qos;
        bool systemd; /* systemd cgroup driver: the pod dir is a slice */
        bool podman;  /* a Podman pod, not a Kubernetes one */
        char uid[IDENTITY_UID_MAX];
};

/* Fills ret[] with up to TAIL_MAX components from the end of path, last
 * first, and returns how many. Empty components (double or trailing
 * slashes) are skipped, so "a//b/" is "a/b". */
static size_t path_tail(const char *path, struct span ret[static TAIL_MAX])
{
        size_t end = strlen(path), k = 0;

        while (k < TAIL_MAX) {
                while (end > 0 && path[end - 1] == '/')
                        end--;
                if (end == 0)
                        break;
                size_t start = end;
                while (start > 0 && path[start - 1] != '/')
                        start--;
                ret[k++] = (struct span){path + start, end - start};
                end = start;
        }
        return k;
}

/* s is "<prefix><64 hex><suffix>"; the id goes to ret_id. */
static bool span_match_id(struct span s, const char *prefix, const char *suffix,
                          struct span *ret_id)
{
        if (!span_strip(&s, prefix, suffix) || !span_is_container_id(s))
                return false;
        *ret_id = s;
        return true;
}

/* systemd derives a slice's place from its name: a-b-c.slice lives in
 * a-b.slice. Splits slice "<base>-<leaf>.slice" at its last '-' and checks
 * that parent is "<base>.slice", so that a slice named like a pod somewhere
 * else is not taken for one. */
static bool split_slice(struct span slice, struct span parent, struct span *ret_base,
                        struct span *ret_leaf)
{
        struct span s = slice, p = parent;
        size_t dash;

        if (!span_strip(&s, "", ".slice") || !span_strip(&p, "", ".slice"))
                return false;
        for (dash = s.n; dash > 0 && s.p[dash - 1] != '-'; dash--)
                ;
        if (dash < 2 || dash == s.n || p.n != dash - 1 || memcmp(p.p, s.p, p.n) != 0)
                return false;
        *ret_base = (struct span){s.p, dash - 1};
        *ret_leaf = (struct span){s.p + dash, s.n - dash};
        return true;
}

/* The kubelet's systemd driver names a pod slice by joining its cgroup
 * name with '-': the components of --cgroup-root (none by default, "kubelet"
 * in kind), "kubepods", the QoS class but for Guaranteed, "pod<UID>". So
 * base ends in kubepods[-burstable|-besteffort], alone or after a '-'. */
static bool parse_systemd_pod(const struct span *c, size_t n, struct pod *ret)
{
        static const struct {
                const char *suffix;
                enum qos_class qos;
        } bases[] = {
            {"kubepods-burstable", QOS_BURSTABLE},
            {"kubepods-besteffort", QOS_BESTEFFORT},
            {"kubepods", QOS_GUARANTEED},
        };
        struct span base, leaf;

        if (n < 2 || !split_slice(c[0], c[1], &base, &leaf) || !span_strip(&leaf, "pod", "") ||
            !parse_pod_uid(leaf, '_', ret->uid))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
                size_t k = strlen(bases[i].suffix);
                if (span_has_suffix(base, bases[i].suffix) &&
                    (base.n == k || base.p[base.n - k - 1] == '-')) {
                        ret->qos = bases[i].qos;
                        ret->systemd = true;
                        ret->podman = false;
                        return true;
                }
        }
        return false;
}

/* The cgroupfs driver's QoS class is only in the parents, so they must be
 * kubepods[/burstable|/besteffort] (below any --cgroup-root). */
static bool parse_cgroupfs_pod(const struct span *c, size_t n, struct pod *ret)
{
        struct span s = c[0];

        if (n < 2 || !span_strip(&s, "pod", ""))
                return false;
        if (span_eq(c[1], "kubepods"))
                ret->qos = QOS_GUARANTEED;
        else if (n >= 3 && span_eq(c[1], "burstable") && span_eq(c[2], "kubepods"))
                ret->qos = QOS_BURSTABLE;
        else if (n >= 3 && span_eq(c[1], "besteffort") && span_eq(c[2], "kubepods"))
                ret->qos = QOS_BESTEFFORT;
        else
                return false;
        if (!parse_pod_uid(s, '-', ret->uid))
                return false;
        ret->systemd = false;
        ret->podman = false;
        return true;
}

/* A Podman pod: with the systemd manager the slice libpod_pod_<id> placed
 * in the cgroup parent (machine.slice, or user.slice when rootless), which
 * systemd names <parent>-libpod_pod_<id>.slice; with cgroupfs the group
 * libpod_parent/<id>. */
static bool parse_podman_pod(const struct span *c, size_t n, struct pod *ret)
{
        struct span base, leaf, id;

        if (n < 2)
                return false;
        if (split_slice(c[0], c[1], &base, &leaf) && span_match_id(leaf, "libpod_pod_", "", &id))
                ret->systemd = true;
        else if (span_eq(c[1], "libpod_parent") && span_match_id(c[0], "", "", &id))
                ret->systemd = false;
        else
                return false;
        memcpy(ret->uid, id.p, id.n); /* CONTAINER_ID_LEN < IDENTITY_UID_MAX */
        ret->uid[id.n] = 0;
        ret->qos = QOS_NONE;
        ret->podman = true;
        return true;
}

/* Recognises a pod-level group; c[0] is the candidate, c[1..n-1] its
 * parents. */
static bool parse_pod(const struct span *c, size_t n, struct pod *ret)
{
        return parse_systemd_pod(c, n, ret) || parse_cgroupfs_pod(c, n, ret) ||
               parse_podman_pod(c, n, ret);
}

/* A conmon group (CRI-O's or Podman's) holds only the small monitor process
 * of a container: killing it would only make the runtime lose track of the
 * container and free nothing, so it is never a candidate. */
static bool is_monitor(const struct span *c, size_t n)
{
        struct span id;

        return span_match_id(c[0], "crio-conmon-", ".scope", &id) ||
               span_match_id(c[0], "crio-conmon-", "", &id) ||
               span_match_id(c[0], "libpod-conmon-", ".scope", &id) ||
               span_match_id(c[0], "libpod-conmon-", "", &id) ||
               /* Podman's cgroupfs manager puts every conmon in one group. */
               (n >= 2 && span_eq(c[0], "conmon") && span_eq(c[1], "libpod_parent"));
}

/* A container of a pod: c[0] inside the pod dir of the given driver. The
 * bare id of the cgroupfs driver is written alike by containerd and Docker,
 * so its runtime stays unknown. Podman names its containers in a pod as it
 * names them anywhere. */
static bool parse_pod_container(struct span c, const struct pod *pod, enum identity_kind *ret_kind,
                                const char **ret_runtime, struct span *ret_id)
{
        static const struct {
                const char *prefix;
                const char *runtime;
        } scopes[] = {
            {"cri-containerd-", "containerd"},
            {"crio-", "crio"},
            {"docker-", "docker"},
            /* Podman run with --cgroup-parent into a pod slice, as a test
             * node or a hand-made pod places it. */
            {"libpod-", "podman"},
        };

        *ret_kind = IDENTITY_POD_CONTAINER;
        if (pod->podman) {
                *ret_kind = IDENTITY_PODMAN;
                *ret_runtime = "podman";
                return span_match_id(c, "libpod-", pod->systemd ? ".scope" : "", ret_id);
        }
        if (pod->systemd) {
                for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
                        if (span_match_id(c, scopes[i].prefix, ".scope", ret_id)) {
                                *ret_runtime = scopes[i].runtime;
                                return true;
                        }
                return false;
        }
        if (span_match_id(c, "crio-", "", ret_id)) {
                *ret_runtime = "crio";
                return true;
        }
        if (span_match_id(c, "", "", ret_id)) {
                *ret_runtime = "";
                return true;
        }
        return false;
}

static bool is_alnum(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* containerd's namespace names: [A-Za-z0-9]+ joined by single '.', '_' or
 * '-', at most 76 characters. */
static bool is_containerd_namespace(struct span s)
{
        if (s.n == 0 || s.n > 76 || !is_alnum(s.p[0]) || !is_alnum(s.p[s.n - 1]))
                return false;
        for (size_t i = 1; i < s.n; i++)
                if (!is_alnum(s.p[i]) &&
                    ((s.p[i] != '.' && s.p[i] != '_' && s.p[i] != '-') || !is_alnum(s.p[i - 1])))
                        return false;
        return true;
}

static bool is_kubepods_dir(struct span s)
{
        return span_eq(s, "kubepods") || span_eq(s, "burstable") || span_eq(s, "besteffort");
}

/* The parent of a bare 64-hex id is a containerd namespace (containerd's
 * cgroupfs layout is /<namespace>/<id>) unless it is a group of another
 * layout: a systemd unit, a Kubernetes group (the pod dir is handled before;
 * a pod-looking dir, or any dir below kubepods, that did not parse as a pod
 * is malformed, not a namespace), Docker's or Podman's parent, or a
 * container (an id below an id is a group inside that container). c[0] is
 * the candidate, c[1..n-1] its parents. Non-hex ids (`ctr run IMAGE name`)
 * cannot be told from any other group and stay plain groups. */
static bool is_containerd_namespace_dir(const struct span *c, size_t n)
{
        char uid[IDENTITY_UID_MAX];
        struct span t = c[0];

        if (!is_containerd_namespace(c[0]) || span_is_container_id(c[0]))
                return false;
        if (span_has_suffix(c[0], ".slice") || span_has_suffix(c[0], ".scope") ||
            span_has_suffix(c[0], ".service"))
                return false;
        if (is_kubepods_dir(c[0]) || (n >= 2 && is_kubepods_dir(c[1])) || span_eq(c[0], "docker") ||
            span_eq(c[0], "libpod_parent"))
                return false;
        if (span_strip(&t, "pod", "") && (parse_pod_uid(t, '-', uid) || parse_pod_uid(t, '_', uid)))
                return false;
        return true;
}

static void set_pod(struct identity *id, const struct pod *pod)
{
        id->qos = pod->qos;
        (void)strcpy_bounded(id->pod_uid, sizeof(id->pod_uid), pod->uid);
}

static enum role set_container(struct identity *id, enum identity_kind kind, const char *runtime,
                               struct span cid)
{
        id->kind = kind;
        (void)strcpy_bounded(id->runtime, sizeof(id->runtime), runtime);
        memcpy(id->container_id, cid.p, cid.n); /* CONTAINER_ID_LEN < IDENTITY_ID_MAX */
        id->container_id[cid.n] = 0;
        return ROLE_CONTAINER;
}

/* The one classifier behind identity_from_path() and
 * identity_is_intermediate(); always writes all of *ret. */
static enum role classify(const char *path, struct identity *ret)
{
        struct span c[TAIL_MAX], id, t;
        enum identity_kind kind;
        const char *runtime;
        struct pod pod;
        size_t n;

        *ret = (struct identity){.kind = IDENTITY_GROUP, .qos = QOS_NONE};

        n = path_tail(path ? path : "", c);
        if (n == 0)
                return ROLE_ORGANISER; /* the root of the hierarchy */

        /* The pod dir and everything directly in it carry the pod's UID and
         * class, so that a pod's groups can be ranked together. */
        if (parse_pod(c, n, &pod)) {
                set_pod(ret, &pod);
                return ROLE_ORGANISER;
        }
        if (n >= 2 && parse_pod(c + 1, n - 1, &pod)) {
                set_pod(ret, &pod);
                if (is_monitor(c, n))
                        return ROLE_MONITOR;
                if (!parse_pod_container(c[0], &pod, &kind, &runtime, &id))
                        return ROLE_OTHER;
                return set_container(ret, kind, runtime, id);
        }
        if (is_monitor(c, n))
                return ROLE_MONITOR;

        if ((n >= 2 && span_eq(c[1], "docker") && span_match_id(c[0], "", "", &id)) ||
            span_match_id(c[0], "docker-", ".scope", &id))
                return set_container(ret, IDENTITY_DOCKER, "docker", id);
        /* libpod-payload-<id> is --cgroups=split's group for the container
         * in the caller's own group; it is seen alone only when that group
         * was not recognised (identity_refine_from_child() covers a unit). */
        if (span_match_id(c[0], "libpod-", ".scope", &id) ||
            span_match_id(c[0], "libpod-", "", &id) ||
            span_match_id(c[0], "libpod-payload-", "", &id))
                return set_container(ret, IDENTITY_PODMAN, "podman", id);
        if (span_match_id(c[0], "nerdctl-", ".scope", &id))
                return set_container(ret, IDENTITY_CONTAINERD, "containerd", id);
        if (n >= 2 && span_match_id(c[0], "", "", &id) &&
            is_containerd_namespace_dir(c + 1, n - 1)) {
                /* k8s.io is the namespace of containerd's CRI plugin: a
                 * Kubernetes container whose pod the path does not say (the
                 * names reader can still find it by id). */
                if (span_eq(c[1], "k8s.io"))
                        return set_container(ret, IDENTITY_POD_CONTAINER, "containerd", id);
                return set_container(ret, IDENTITY_CONTAINERD, "containerd", id);
        }

        if (span_has_suffix(c[0], ".slice") || span_eq(c[0], "kubepods") ||
            span_eq(c[0], "docker") || span_eq(c[0], "libpod_parent"))
                return ROLE_ORGANISER;
        if (n >= 2 && (span_eq(c[0], "burstable") || span_eq(c[0], "besteffort")) &&
            span_eq(c[1], "kubepods"))
                return ROLE_ORGANISER;
        /* The user manager holds the user's own slices, rootless Podman's
         * containers among them: as one candidate it would hide them. */
        t = c[0];
        if (span_strip(&t, "user@", ".service"))
                return ROLE_ORGANISER;
        if (c[0].n > strlen(".service") && span_has_suffix(c[0], ".service")) {
                ret->kind = IDENTITY_SERVICE;
                return ROLE_CONTAINER;
        }
        return ROLE_OTHER;
}

bool identity_from_path(const char *cgroup_path, struct identity *ret)
{
        return classify(cgroup_path, ret) == ROLE_CONTAINER;
}

bool identity_refine_from_child(struct identity *id, const char *child_name)
{
        struct span name, cid;

        if (!id || !child_name)
                return false;
        name = (struct span){child_name, strlen(child_name)};
        /* crun's subgroup belongs to the scope it is in: the group is the
         * container already, and stays what its path says. */
        if (span_eq(name, "container"))
                return false;
        if (id->kind != IDENTITY_SERVICE || !span_match_id(name, "libpod-payload-", "", &cid))
                return false;
        (void)set_container(id, IDENTITY_PODMAN, "podman", cid);
        return true;
}

/* Also true for conmon groups: they are leaves with a process, so without
 * this a walker taking "a leaf holding processes" as a candidate would
 * offer the runtime's monitor as a victim. */
bool identity_is_intermediate(const char *cgroup_path)
{
        struct identity scratch;
        enum role r = classify(cgroup_path, &scratch);

        return r == ROLE_ORGANISER || r == ROLE_MONITOR;
}

/* A service of the node's own systemd: not in a pod, and not one of a
 * user's, whose manager (user@UID.service) lets the user create and name
 * groups and processes at will. Only there may a process name protect. */
bool identity_is_system_service(const char *path, const struct identity *id)
{
        if (id->kind != IDENTITY_SERVICE || id->pod_uid[0])
                return false;
        for (const char *p = strstr(path, "/user@"); p; p = strstr(p + 1, "/user@")) {
                const char *end = strchrnul(p + 1, '/');
                if ((size_t)(end - p) > strlen("/user@.service") &&
                    memcmp(end - strlen(".service"), ".service", strlen(".service")) == 0)
                        return false;
        }
        return true;
}

const char *identity_kind_to_string(enum identity_kind k)
{
        static const char *const table[] = {
            [IDENTITY_GROUP] = "group",
            [IDENTITY_SERVICE] = "service",
            [IDENTITY_POD_CONTAINER] = "pod-container",
            [IDENTITY_POD_SANDBOX] = "pod-sandbox",
            [IDENTITY_DOCKER] = "docker",
            [IDENTITY_PODMAN] = "podman",
            [IDENTITY_CONTAINERD] = "containerd",
        };

        return (size_t)k < ARRAY_SIZE(table) ? table[k] : NULL;
}

const char *qos_class_to_string(enum qos_class q)
{
        static const char *const table[] = {
            [QOS_NONE] = NULL,
            [QOS_GUARANTEED] = "guaranteed",
            [QOS_BURSTABLE] = "burstable",
            [QOS_BESTEFFORT] = "besteffort",
        };

        return (size_t)q < ARRAY_SIZE(table) ? table[q] : NULL;
}
