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
 * IDENTITY_POD_CONTAINER for both; the observer, which sees the process comm
 * "pause", turns it into IDENTITY_POD_SANDBOX. */
#include "observe/identity.h"

#include <limits.h>

#include "observe/fsroot.h"
#include "base/util.h"

#define CONTAINER_ID_LEN   64
#define POD_UID_LEN        36
#define STATIC_POD_UID_LEN 32

/* How many trailing components a rule may look at: id, pod, qos, kubepods. */
#define TAIL_MAX 4

/* A component of a path: not NUL-terminated. */
struct span {
        const char *p;
        size_t n;
};

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

static bool span_eq(struct span s, const char *lit)
{
        return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static bool span_same(struct span a, struct span b)
{
        return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static bool span_has_prefix(struct span s, const char *prefix)
{
        size_t n = strlen(prefix);
        return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

static bool span_has_suffix(struct span s, const char *suffix)
{
        size_t n = strlen(suffix);
        return s.n >= n && memcmp(s.p + s.n - n, suffix, n) == 0;
}

/* Strips prefix and suffix from s; false (s untouched) when either is
 * missing or they overlap. */
static bool span_strip(struct span *s, const char *prefix, const char *suffix)
{
        size_t np = strlen(prefix), ns = strlen(suffix);

        if (s->n < np + ns || !span_has_prefix(*s, prefix) || !span_has_suffix(*s, suffix))
                return false;
        s->p += np;
        s->n -= np + ns;
        return true;
}

/* Runtimes write ids and UIDs in lowercase; anything else is not theirs. */
static bool is_lower_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool span_is_container_id(struct span s)
{
        if (s.n != CONTAINER_ID_LEN)
                return false;
        for (size_t i = 0; i < s.n; i++)
                if (!is_lower_hex(s.p[i]))
                        return false;
        return true;
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

/* Parses a Kubernetes pod UID into ret: an API server's 8-4-4-4-12 UUID
 * whose groups are separated by sep (systemd escapes '-' in unit names, so
 * the systemd driver writes '_'), given back in the dashed form; or the 32
 * hex digits of a static pod's UID (the kubelet's md5 of the manifest),
 * which has no separator to escape. */
static bool parse_pod_uid(struct span s, char sep, char ret[static IDENTITY_UID_MAX])
{
        if (s.n == STATIC_POD_UID_LEN) {
                for (size_t i = 0; i < s.n; i++)
                        if (!is_lower_hex(s.p[i]))
                                return false;
        } else if (s.n == POD_UID_LEN) {
                for (size_t i = 0; i < s.n; i++) {
                        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                        if (dash ? s.p[i] != sep : !is_lower_hex(s.p[i]))
                                return false;
                }
        } else
                return false;
        for (size_t i = 0; i < s.n; i++)
                ret[i] = s.p[i] == sep ? '-' : s.p[i];
        ret[s.n] = 0;
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

/* Kubernetes names: a namespace or a container name is a DNS-1123 label
 * (at most 63 of [a-z0-9-], alphanumeric at both ends), a pod name a
 * DNS-1123 subdomain (at most 253: labels joined by '.'). Checking them
 * keeps "." and "..", and any hostile file name in /var/log, out of journal
 * fields, JSON and the patterns matched against these names. */
#define K8S_LABEL_MAX     63
#define K8S_SUBDOMAIN_MAX 253

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_k8s_name(struct span s, bool subdomain)
{
        if (s.n == 0 || s.n > (subdomain ? K8S_SUBDOMAIN_MAX : K8S_LABEL_MAX))
                return false;
        for (size_t i = 0; i < s.n; i++) {
                bool edge = i == 0 || i == s.n - 1 ||
                            (subdomain && (s.p[i - 1] == '.' || s.p[i + 1] == '.'));
                if (is_lower_alnum(s.p[i]) || (s.p[i] == '-' && !edge) ||
                    (subdomain && s.p[i] == '.' && !edge))
                        continue;
                return false;
        }
        return true;
}

/* Splits "<a>_<b>_<c>" (none of Kubernetes' names and UIDs holds '_'). */
static bool split3(struct span s, struct span ret[static 3])
{
        const char *a = memchr(s.p, '_', s.n), *b;

        if (!a)
                return false;
        b = memchr(a + 1, '_', s.n - (size_t)(a + 1 - s.p));
        if (!b || memchr(b + 1, '_', s.n - (size_t)(b + 1 - s.p)))
                return false;
        ret[0] = (struct span){s.p, (size_t)(a - s.p)};
        ret[1] = (struct span){a + 1, (size_t)(b - a - 1)};
        ret[2] = (struct span){b + 1, s.n - (size_t)(b + 1 - s.p)};
        return true;
}

static void copy_span(char dst[static IDENTITY_NAME_MAX], struct span s)
{
        memcpy(dst, s.p, s.n); /* s.n <= K8S_SUBDOMAIN_MAX < IDENTITY_NAME_MAX */
        dst[s.n] = 0;
}

struct pod_dir_match {
        const char *uid;
        unsigned n; /* directories that carry the UID */
        bool valid; /* the first one has valid names */
        char ns[IDENTITY_NAME_MAX];
        char pod[IDENTITY_NAME_MAX];
};

/* "<namespace>_<pod>_<uid>". Every directory that carries the UID is
 * counted, valid names or not: two of them mean one is forged or stale, and
 * which to believe must not depend on readdir order. The container subdirs
 * are not read: a pod dir with a single container subdir does not say which
 * container a cgroup is (the sandbox, or a container restarted under a new
 * id). */
static int pod_dir_cb(const char *name, unsigned char d_type, void *userdata)
{
        struct pod_dir_match *m = userdata;
        struct span f[3];

        if (d_type != DT_DIR && d_type != DT_UNKNOWN)
                return 0;
        if (!split3((struct span){name, strlen(name)}, f) || !span_eq(f[2], m->uid))
                return 0;
        if (m->n++ == 0 && is_k8s_name(f[0], false) && is_k8s_name(f[1], true)) {
                copy_span(m->ns, f[0]);
                copy_span(m->pod, f[1]);
                m->valid = true;
        }
        return 0;
}

/* A directory that is not there is an answer (not a Kubernetes node, or no
 * logs yet), not an error. */
static int scan(const struct fsroot *root, const char *dir, fsroot_dir_cb cb, void *m)
{
        int r = fsroot_for_each_entry(root, dir, cb, m);

        return r == -ENOENT || r == -ENOTDIR ? 0 : r;
}

static int find_pod_dir(const struct fsroot *root, const char *uid, struct pod_dir_match *ret)
{
        int r;

        *ret = (struct pod_dir_match){.uid = uid};
        r = scan(root, FSROOT_POD_LOGS, pod_dir_cb, ret);
        if (r < 0)
                return r;
        if (ret->n > 1)
                return -ENOTUNIQ;
        return ret->n == 1 && ret->valid ? 0 : -ENOENT;
}

struct ctr_log_match {
        const char *cid;
        unsigned n; /* entries for the container id */
        char name[NAME_MAX + 1];
};

/* "<pod>_<namespace>_<container>-<id>.log", the kubelet's symlink into
 * /var/log/pods; its target is read once the walk is done. */
static int ctr_log_cb(const char *name, unsigned char d_type, void *userdata)
{
        struct ctr_log_match *m = userdata;
        size_t n = strlen(name), idn = strlen(m->cid);

        if (d_type == DT_DIR || !endswith(name, ".log") || n >= sizeof(m->name))
                return 0;
        n -= strlen(".log");
        if (n < idn + 2 || name[n - idn - 1] != '-' || memcmp(name + n - idn, m->cid, idn) != 0)
                return 0;
        if (m->n++ == 0)
                memcpy(m->name, name, strlen(name) + 1);
        return 0;
}

struct ctr_log {
        struct span pod, ns, ctr; /* in name */
        char uid[IDENTITY_UID_MAX];
        char name[NAME_MAX + 1];
        char target[PATH_MAX];
};

/* target must be var/log/pods/<ns>_<pod>_<uid>/<ctr>/<restarts>.log, the
 * log the kubelet links to, with the names the link's own name gives; the
 * UID it names goes to ret_uid. */
static bool parse_log_target(const char *target, const struct ctr_log *l,
                             char ret_uid[static IDENTITY_UID_MAX])
{
        const char *p = target, *slash;
        struct span dir, f[3], ctr, file;
        size_t dirs = strlen(FSROOT_POD_LOGS);

        if (strncmp(p, FSROOT_POD_LOGS, dirs) != 0 || p[dirs] != '/')
                return false;
        p += dirs + 1;
        if (!(slash = strchr(p, '/')))
                return false;
        dir = (struct span){p, (size_t)(slash - p)};
        p = slash + 1;
        if (!(slash = strchr(p, '/')))
                return false;
        ctr = (struct span){p, (size_t)(slash - p)};
        file = (struct span){slash + 1, strlen(slash + 1)};
        if (!split3(dir, f) || !span_same(f[0], l->ns) || !span_same(f[1], l->pod) ||
            !span_same(ctr, l->ctr) || !parse_pod_uid(f[2], '-', ret_uid) ||
            !span_strip(&file, "", ".log") || file.n == 0 || file.n > 10)
                return false;
        for (size_t i = 0; i < file.n; i++)
                if (file.p[i] < '0' || file.p[i] > '9')
                        return false;
        return true;
}

/* The one container log of container id cid whose name holds valid names
 * and whose target is that container's log in its pod's directory. -ENOENT
 * when there is none, or more than one (neither is trusted). */
static int find_ctr_log(const struct fsroot *root, const char *cid, struct ctr_log *ret)
{
        struct ctr_log_match m = {.cid = cid};
        char path[sizeof(FSROOT_CONTAINER_LOGS) + 1 + NAME_MAX + 1];
        struct span f[3], name;
        ssize_t k;
        int r;

        r = scan(root, FSROOT_CONTAINER_LOGS, ctr_log_cb, &m);
        if (r < 0)
                return r;
        if (m.n != 1)
                return -ENOENT;
        memcpy(ret->name, m.name, sizeof(ret->name));
        name = (struct span){ret->name, strlen(ret->name) - strlen(".log") - strlen(cid) - 1};
        if (!split3(name, f) || !is_k8s_name(f[0], true) || !is_k8s_name(f[1], false) ||
            !is_k8s_name(f[2], false))
                return -ENOENT;
        ret->pod = f[0], ret->ns = f[1], ret->ctr = f[2];

        snprintf(path, sizeof(path), "%s/%s", FSROOT_CONTAINER_LOGS, ret->name);
        k = fsroot_readlinkat(root, path, ret->target, sizeof(ret->target));
        if (k == -EINVAL || k == -EXDEV || k == -ENAMETOOLONG || k == -ENOENT)
                return -ENOENT; /* not a link, or not one the kubelet writes */
        if (k < 0)
                return (int)k;
        return parse_log_target(ret->target, ret, ret->uid) ? 0 : -ENOENT;
}

/* Sandboxes have no container log, so a pod container that is not found in
 * /var/log/containers may be the pod's sandbox; this reader does not decide
 * that: the observer does. Cost: one readdir per directory, so call it when
 * a group appears, not every tick (the names of a container never change). */
int identity_read_pod_names(const struct fsroot *root, struct identity *id)
{
        struct span cid = {id->container_id, strnlen(id->container_id, sizeof(id->container_id))};
        struct pod_dir_match pod;
        struct ctr_log log;
        bool have_log = false;
        const char *uid = id->pod_uid;
        int r;

        if (id->kind == IDENTITY_PODMAN)
                return -ENOENT; /* a Podman pod id: nothing in /var/log */
        if (id->kind == IDENTITY_POD_CONTAINER && span_is_container_id(cid)) {
                r = find_ctr_log(root, id->container_id, &log);
                if (r < 0 && r != -ENOENT)
                        return r;
                /* The UID comes from the cgroup path when it has one; a log
                 * that names another pod is stale or forged. */
                have_log = r == 0 && (!uid[0] || streq(uid, log.uid));
                if (have_log && !uid[0])
                        uid = log.uid;
        }
        if (!uid[0])
                return -ENOENT;
        r = find_pod_dir(root, uid, &pod);
        if (r < 0)
                return r;

        memcpy(id->pod_namespace, pod.ns, sizeof(id->pod_namespace));
        memcpy(id->pod_name, pod.pod, sizeof(id->pod_name));
        if (have_log && span_eq(log.ns, pod.ns) && span_eq(log.pod, pod.pod))
                copy_span(id->container_name, log.ctr);
        return 0;
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
