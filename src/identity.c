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
 *   Kubernetes, systemd driver   .../kubepods[-<qos>]-pod<UID_>.slice/<rt>-<id>.scope
 *                                with <rt> cri-containerd, crio or docker
 *   Docker                       .../docker/<id>, .../docker-<id>.scope
 *   Podman                       .../libpod-<id>.scope (rootful and rootless),
 *                                .../libpod-<id> (cgroupfs manager)
 *   containerd                   .../<namespace>/<id> (its cgroupfs layout),
 *                                .../nerdctl-<id>.scope (nerdctl, systemd)
 *   systemd service              *.service, except user@<uid>.service
 * where <id> is exactly 64 lowercase hex digits.
 *
 * The path alone cannot tell a pod's sandbox (pause) container from its
 * workload containers: both are <rt>-<id>.scope. identity_from_path() says
 * IDENTITY_POD_CONTAINER for both; the observer, which sees the process comm
 * "pause", turns it into IDENTITY_POD_SANDBOX. */
#include "identity.h"

#include "fsroot.h"
#include "util.h"

#define CONTAINER_ID_LEN 64
#define POD_UID_LEN      36

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

/* Parses an 8-4-4-4-12 UID whose groups are separated by sep (systemd
 * escapes '-' in unit names, so the systemd driver writes '_') into the
 * dashed form. */
static bool parse_pod_uid(struct span s, char sep, char ret[static IDENTITY_UID_MAX])
{
        if (s.n != POD_UID_LEN)
                return false;
        for (size_t i = 0; i < s.n; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? s.p[i] != sep : !is_lower_hex(s.p[i]))
                        return false;
        }
        for (size_t i = 0; i < s.n; i++)
                ret[i] = s.p[i] == sep ? '-' : s.p[i];
        ret[s.n] = 0;
        return true;
}

/* Recognises a pod-level group; c[0] is the candidate, c[1..n-1] its
 * parents. The cgroupfs driver's QoS class is only in the parents, so they
 * must be kubepods[/burstable|/besteffort]. The systemd driver's pod slice
 * names its class itself, and systemd derives a slice's parents from its
 * name, so the parents add nothing. */
static bool parse_pod(const struct span *c, size_t n, struct pod *ret)
{
        static const struct {
                const char *prefix;
                enum qos_class qos;
        } slices[] = {
            {"kubepods-burstable-pod", QOS_BURSTABLE},
            {"kubepods-besteffort-pod", QOS_BESTEFFORT},
            {"kubepods-pod", QOS_GUARANTEED},
        };
        struct span s;

        if (n == 0)
                return false;

        for (size_t i = 0; i < ARRAY_SIZE(slices); i++) {
                s = c[0];
                if (span_strip(&s, slices[i].prefix, ".slice") && parse_pod_uid(s, '_', ret->uid)) {
                        ret->qos = slices[i].qos;
                        ret->systemd = true;
                        return true;
                }
        }

        s = c[0];
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
        return true;
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
 * so its runtime stays unknown. */
static bool parse_pod_container(struct span c, const struct pod *pod, const char **ret_runtime,
                                struct span *ret_id)
{
        static const struct {
                const char *prefix;
                const char *runtime;
        } scopes[] = {
            {"cri-containerd-", "containerd"},
            {"crio-", "crio"},
            {"docker-", "docker"},
        };

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
                if (!parse_pod_container(c[0], &pod, &runtime, &id))
                        return ROLE_OTHER;
                return set_container(ret, IDENTITY_POD_CONTAINER, runtime, id);
        }
        if (is_monitor(c, n))
                return ROLE_MONITOR;

        if ((n >= 2 && span_eq(c[1], "docker") && span_match_id(c[0], "", "", &id)) ||
            span_match_id(c[0], "docker-", ".scope", &id))
                return set_container(ret, IDENTITY_DOCKER, "docker", id);
        if (span_match_id(c[0], "libpod-", ".scope", &id) ||
            span_match_id(c[0], "libpod-", "", &id))
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

/* Also true for conmon groups: they are leaves with a process, so without
 * this a walker taking "a leaf holding processes" as a candidate would
 * offer the runtime's monitor as a victim. */
bool identity_is_intermediate(const char *cgroup_path)
{
        struct identity scratch;
        enum role r = classify(cgroup_path, &scratch);

        return r == ROLE_ORGANISER || r == ROLE_MONITOR;
}

/* Kubernetes object names are DNS labels or subdomains: [a-z0-9.-], at
 * most 253 characters. Checking it keeps a hostile file name in /var/log
 * out of journal fields and JSON. */
static bool is_k8s_name(const char *s, size_t n)
{
        if (n == 0 || n >= IDENTITY_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
                      s[i] == '-'))
                        return false;
        return true;
}

static void copy_name(char dst[static IDENTITY_NAME_MAX], const char *s, size_t n)
{
        memcpy(dst, s, n); /* n < IDENTITY_NAME_MAX: checked by is_k8s_name() */
        dst[n] = 0;
}

struct names_match {
        const char *key; /* the pod UID, or the container id */
        bool found;
        char pod_namespace[IDENTITY_NAME_MAX];
        char pod_name[IDENTITY_NAME_MAX];
        char container_name[IDENTITY_NAME_MAX];
};

/* "<namespace>_<pod>_<uid>": neither names nor UIDs contain '_'. The
 * container subdirs are not read: a pod dir with a single container subdir
 * does not say which container a cgroup is (it may be the sandbox, or a
 * container restarted under a new id). */
static int pod_dir_cb(const char *name, unsigned char d_type, void *userdata)
{
        struct names_match *m = userdata;
        const char *a, *b;

        if (d_type != DT_DIR && d_type != DT_UNKNOWN)
                return 0;
        a = strchr(name, '_');
        b = a ? strchr(a + 1, '_') : NULL;
        if (!b || !streq(b + 1, m->key))
                return 0;
        if (!is_k8s_name(name, (size_t)(a - name)) || !is_k8s_name(a + 1, (size_t)(b - a - 1)))
                return 0;
        copy_name(m->pod_namespace, name, (size_t)(a - name));
        copy_name(m->pod_name, a + 1, (size_t)(b - a - 1));
        m->found = true;
        return 1;
}

/* "<pod>_<namespace>_<container>-<id>.log" (kubelet's symlinks into
 * /var/log/pods; only the name is read). Container names may hold '-', so
 * the id is split off from the right. */
static int container_log_cb(const char *name, unsigned char d_type, void *userdata)
{
        struct names_match *m = userdata;
        size_t n = strlen(name), idn = strlen(m->key), head;
        const char *a, *b;

        if (d_type == DT_DIR || !endswith(name, ".log"))
                return 0;
        n -= strlen(".log");
        if (n < idn + 2 || name[n - idn - 1] != '-' || memcmp(name + n - idn, m->key, idn) != 0)
                return 0;
        head = n - idn - 1;
        a = memchr(name, '_', head);
        b = a ? memchr(a + 1, '_', head - (size_t)(a + 1 - name)) : NULL;
        if (!b)
                return 0;
        if (!is_k8s_name(name, (size_t)(a - name)) || !is_k8s_name(a + 1, (size_t)(b - a - 1)) ||
            !is_k8s_name(b + 1, head - (size_t)(b + 1 - name)))
                return 0;
        copy_name(m->pod_name, name, (size_t)(a - name));
        copy_name(m->pod_namespace, a + 1, (size_t)(b - a - 1));
        copy_name(m->container_name, b + 1, head - (size_t)(b + 1 - name));
        m->found = true;
        return 1;
}

/* A directory that is not there is an answer (not a Kubernetes node, or no
 * logs yet), not an error. */
static int scan(const struct fsroot *root, const char *dir, fsroot_dir_cb cb, struct names_match *m)
{
        int r = fsroot_for_each_entry(root, dir, cb, m);

        return r == -ENOENT || r == -ENOTDIR ? 0 : r;
}

/* Sandboxes have no container log, so a pod container that is not found in
 * /var/log/containers may be the pod's sandbox; this reader does not decide
 * that: the observer does, from the process comm "pause". Cost: one readdir
 * per directory, so call it when a group appears, not every tick (the names
 * of a container never change). */
int identity_read_pod_names(const struct fsroot *root, struct identity *id)
{
        struct names_match pod = {.key = id->pod_uid}, ctr = {.key = id->container_id};
        struct span cid = {id->container_id, strnlen(id->container_id, sizeof(id->container_id))};
        int r;

        if (id->pod_uid[0]) {
                r = scan(root, FSROOT_POD_LOGS, pod_dir_cb, &pod);
                if (r < 0)
                        return r;
        }
        if (id->kind == IDENTITY_POD_CONTAINER && span_is_container_id(cid)) {
                r = scan(root, FSROOT_CONTAINER_LOGS, container_log_cb, &ctr);
                if (r < 0)
                        return r;
        }

        /* Both name the pod: when they disagree one is stale, and the UID,
         * which comes from the cgroup path itself, wins. */
        if (ctr.found && pod.found &&
            (!streq(ctr.pod_namespace, pod.pod_namespace) || !streq(ctr.pod_name, pod.pod_name)))
                ctr.found = false;

        if (ctr.found) {
                memcpy(id->pod_namespace, ctr.pod_namespace, sizeof(id->pod_namespace));
                memcpy(id->pod_name, ctr.pod_name, sizeof(id->pod_name));
                memcpy(id->container_name, ctr.container_name, sizeof(id->container_name));
        } else if (pod.found) {
                memcpy(id->pod_namespace, pod.pod_namespace, sizeof(id->pod_namespace));
                memcpy(id->pod_name, pod.pod_name, sizeof(id->pod_name));
        } else
                return -ENOENT;
        return 0;
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
