/* The Kubernetes names of a pod container (namespace, pod, container),
 * read from the kubelet's logs under /var/log: nothing else on the node
 * says them without asking the API server. */
#include "observe/pod-names.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "observe/span.h"

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
int pod_names_read(const struct fsroot *root, struct identity *id)
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
