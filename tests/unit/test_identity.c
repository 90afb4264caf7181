/* identity: every cgroup path form, hostile paths, and the /var/log names
 * reader against a tree built under a temporary root. */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "testutil.h"

#include "fsroot.h"
#include "identity.h"

#define ID1  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2  "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define ID63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
#define IDUP "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
#define IDNH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg"

/* 38 characters, twice to make a 76-character name */
#define N38 "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"

#define UID  "3f0e1b2c-4d5a-6b7c-8d9e-0a1b2c3d4e5f"
#define UIDU "3f0e1b2c_4d5a_6b7c_8d9e_0a1b2c3d4e5f"
#define UID2 "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

#define KS "/kubepods.slice"
#define KB KS "/kubepods-burstable.slice"
#define KE KS "/kubepods-besteffort.slice"
#define PB KB "/kubepods-burstable-pod" UIDU ".slice"
#define PE KE "/kubepods-besteffort-pod" UIDU ".slice"
#define PG KS "/kubepods-pod" UIDU ".slice"

struct path_case {
        const char *path;
        enum identity_kind kind;
        enum qos_class qos;
        const char *runtime;
        const char *container_id;
        const char *pod_uid;
        bool container_level; /* identity_from_path()'s return */
        bool intermediate;
};

/* Shorthands for the common rows: a plain group, an organiser, a monitor. */
#define GROUP(p)                                                                                   \
        {                                                                                          \
                p, IDENTITY_GROUP, QOS_NONE, "", "", "", false, false                              \
        }
#define ORGANISER(p)                                                                               \
        {                                                                                          \
                p, IDENTITY_GROUP, QOS_NONE, "", "", "", false, true                               \
        }
/* A group directly in a pod dir that is not a container: it keeps the pod. */
#define IN_POD(p, q)                                                                               \
        {                                                                                          \
                p, IDENTITY_GROUP, q, "", "", UID, false, false                                    \
        }

static const struct path_case path_cases[] = {
    /* Kubernetes, systemd driver */
    {PB "/cri-containerd-" ID1 ".scope", IDENTITY_POD_CONTAINER, QOS_BURSTABLE, "containerd", ID1,
     UID, true, false},
    {PE "/crio-" ID1 ".scope", IDENTITY_POD_CONTAINER, QOS_BESTEFFORT, "crio", ID1, UID, true,
     false},
    {PG "/docker-" ID1 ".scope", IDENTITY_POD_CONTAINER, QOS_GUARANTEED, "docker", ID1, UID, true,
     false},
    {PG "/cri-containerd-" ID2 ".scope/", IDENTITY_POD_CONTAINER, QOS_GUARANTEED, "containerd", ID2,
     UID, true, false},
    {"/tg-e2e-x/node" PB "/cri-containerd-" ID1 ".scope", IDENTITY_POD_CONTAINER, QOS_BURSTABLE,
     "containerd", ID1, UID, true, false},
    {"/system.slice/k3s.slice" PE "/crio-" ID2 ".scope", IDENTITY_POD_CONTAINER, QOS_BESTEFFORT,
     "crio", ID2, UID, true, false},
    {"//kubepods.slice//kubepods-pod" UIDU ".slice///crio-" ID1 ".scope//", IDENTITY_POD_CONTAINER,
     QOS_GUARANTEED, "crio", ID1, UID, true, false},
    /* CRI-O's conmon: inside the pod, never a candidate */
    {PB "/crio-conmon-" ID1 ".scope", IDENTITY_GROUP, QOS_BURSTABLE, "", "", UID, false, true},
    {"/system.slice/crio-conmon-" ID1 ".scope", IDENTITY_GROUP, QOS_NONE, "", "", "", false, true},
    /* pod and QoS levels */
    {PB, IDENTITY_GROUP, QOS_BURSTABLE, "", "", UID, false, true},
    {PE "/", IDENTITY_GROUP, QOS_BESTEFFORT, "", "", UID, false, true},
    {PG, IDENTITY_GROUP, QOS_GUARANTEED, "", "", UID, false, true},
    ORGANISER(KS),
    ORGANISER(KB),
    ORGANISER(KE),
    /* inside a pod but not a container */
    IN_POD(PB "/cri-containerd-" ID63 ".scope", QOS_BURSTABLE),
    IN_POD(PB "/runc-" ID1 ".scope", QOS_BURSTABLE),
    IN_POD(PB "/" ID1, QOS_BURSTABLE),
    IN_POD(PB "/cri-containerd-" ID1, QOS_BURSTABLE),
    /* below a container: a group inside it, not a second container */
    GROUP(PB "/cri-containerd-" ID1 ".scope/container"),
    /* malformed pod slices */
    ORGANISER(KB "/kubepods-burstable-pod" UID ".slice"),
    ORGANISER(KB "/kubepods-burstable-pod" UIDU "0.slice"),
    ORGANISER(KB "/kubepods-burstable-pod.slice"),
    ORGANISER(KB "/kubepods-burstable-podXXXXXXXX_4d5a_6b7c_8d9e_0a1b2c3d4e5f.slice"),
    ORGANISER(KS "/kubepods-guaranteed-pod" UIDU ".slice"),
    GROUP(KB "/kubepods-burstable-pod" UID ".slice/cri-containerd-" ID1 ".scope"),

    /* Kubernetes, cgroupfs driver */
    {"/kubepods/burstable/pod" UID "/" ID1, IDENTITY_POD_CONTAINER, QOS_BURSTABLE, "", ID1, UID,
     true, false},
    {"/kubepods/besteffort/pod" UID "/" ID2, IDENTITY_POD_CONTAINER, QOS_BESTEFFORT, "", ID2, UID,
     true, false},
    {"/kubepods/pod" UID "/" ID1, IDENTITY_POD_CONTAINER, QOS_GUARANTEED, "", ID1, UID, true,
     false},
    {"/kubepods/burstable/pod" UID "/crio-" ID1, IDENTITY_POD_CONTAINER, QOS_BURSTABLE, "crio", ID1,
     UID, true, false},
    {"/tg-e2e-x/node/kubepods/pod" UID "/" ID1, IDENTITY_POD_CONTAINER, QOS_GUARANTEED, "", ID1,
     UID, true, false},
    {"/kubepods/burstable/pod" UID "/crio-conmon-" ID1, IDENTITY_GROUP, QOS_BURSTABLE, "", "", UID,
     false, true},
    {"/kubepods/burstable/pod" UID, IDENTITY_GROUP, QOS_BURSTABLE, "", "", UID, false, true},
    {"/kubepods/pod" UID "/", IDENTITY_GROUP, QOS_GUARANTEED, "", "", UID, false, true},
    ORGANISER("/kubepods"),
    ORGANISER("/kubepods/burstable"),
    ORGANISER("/kubepods/besteffort/"),
    IN_POD("/kubepods/pod" UID "/" ID63, QOS_GUARANTEED),
    IN_POD("/kubepods/pod" UID "/" IDNH, QOS_GUARANTEED),
    IN_POD("/kubepods/pod" UID "/" IDUP, QOS_GUARANTEED),
    IN_POD("/kubepods/pod" UID "/" ID1 "0", QOS_GUARANTEED),
    GROUP("/kubepods/pod" UID "/" ID1 "/sub"),
    GROUP("/kubepods/pod" UIDU "/" ID1), /* systemd's escaping, wrong driver */
    IN_POD("/kubepods/burstable/pod" UID "/docker-" ID1 ".scope", QOS_BURSTABLE),
    GROUP("/kubepods/pod/" ID1), /* "pod" with nothing after it */
    GROUP("/kubepods/pod"),
    GROUP("/kubepods/pod" UID "0/" ID1),                             /* UID too long */
    GROUP("/kubepods/pod3f0e1b2c-4d5a-6b7c-8d9e-0a1b2c3d4e5/" ID1),  /* too short */
    GROUP("/kubepods/pod3F0E1B2C-4D5A-6B7C-8D9E-0A1B2C3D4E5F/" ID1), /* uppercase */
    GROUP("/kubepods/pod3f0e1b2c4-d5a-6b7c-8d9e-0a1b2c3d4e5f/" ID1), /* dash misplaced */
    GROUP("/kubepods/guaranteed/pod" UID "/" ID1),
    GROUP("/other/burstable/pod" UID "/" ID1),
    GROUP("/pod" UID "/" ID1), /* a pod dir outside kubepods is malformed */
    GROUP("/burstable/pod" UID "/" ID1),
    GROUP("/burstable"),

    /* Docker */
    {"/docker/" ID1, IDENTITY_DOCKER, QOS_NONE, "docker", ID1, "", true, false},
    {"/docker/" ID1 "/docker/" ID2, IDENTITY_DOCKER, QOS_NONE, "docker", ID2, "", true, false},
    {"/system.slice/docker-" ID1 ".scope", IDENTITY_DOCKER, QOS_NONE, "docker", ID1, "", true,
     false},
    {"/custom.slice/docker-" ID2 ".scope", IDENTITY_DOCKER, QOS_NONE, "docker", ID2, "", true,
     false},
    ORGANISER("/docker"),
    ORGANISER("/docker/"),
    GROUP("/docker/" ID63),
    GROUP("/docker/" ID1 "/sub"),
    GROUP("/system.slice/docker-" ID63 ".scope"),
    GROUP("/system.slice/docker-" ID1),
    {"/system.slice/docker.service", IDENTITY_SERVICE, QOS_NONE, "", "", "", true, false},

    /* Podman */
    {"/machine.slice/libpod-" ID1 ".scope", IDENTITY_PODMAN, QOS_NONE, "podman", ID1, "", true,
     false},
    {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID2 ".scope",
     IDENTITY_PODMAN, QOS_NONE, "podman", ID2, "", true, false},
    {"/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID1 ".scope", IDENTITY_PODMAN,
     QOS_NONE, "podman", ID1, "", true, false},
    {"/libpod_parent/libpod-" ID1, IDENTITY_PODMAN, QOS_NONE, "podman", ID1, "", true, false},
    GROUP("/machine.slice/libpod-" ID1 ".scope/container"),
    {"/machine.slice/libpod-conmon-" ID1 ".scope", IDENTITY_GROUP, QOS_NONE, "", "", "", false,
     true},
    {"/libpod_parent/conmon", IDENTITY_GROUP, QOS_NONE, "", "", "", false, true},
    ORGANISER("/libpod_parent"),
    ORGANISER("/machine.slice"),
    ORGANISER("/user.slice/user-1000.slice/user@1000.service"),
    GROUP("/machine.slice/libpod-" ID63 ".scope"),
    GROUP("/machine.slice/libpod-conmon-" ID63 ".scope"),
    GROUP("/conmon"),

    /* plain containerd: /<namespace>/<id>, and nerdctl's scopes */
    {"/default/" ID1, IDENTITY_CONTAINERD, QOS_NONE, "containerd", ID1, "", true, false},
    {"/buildkit/" ID2, IDENTITY_CONTAINERD, QOS_NONE, "containerd", ID2, "", true, false},
    {"/my_ns-1.x/" ID1, IDENTITY_CONTAINERD, QOS_NONE, "containerd", ID1, "", true, false},
    {"/k8s.io/" ID1, IDENTITY_POD_CONTAINER, QOS_NONE, "containerd", ID1, "", true, false},
    {"/system.slice/nerdctl-" ID1 ".scope", IDENTITY_CONTAINERD, QOS_NONE, "containerd", ID1, "",
     true, false},
    GROUP("/default/myname"), /* non-hex ids cannot be told from any group */
    GROUP("/default/" ID63),
    GROUP("/" ID1),
    GROUP("/-bad/" ID1),
    GROUP("/bad-/" ID1),
    GROUP("/a..b/" ID1),
    GROUP("/name space/" ID1),
    GROUP("/system.slice/" ID1),
    GROUP("/system.slice/foo.service/" ID1),
    GROUP("/session-1.scope/" ID1),
    GROUP("/kubepods/" ID1),
    GROUP("/kubepods/burstable/" ID1),
    GROUP("/" ID2 "/" ID1),
    GROUP("/default/" ID1 "/sub"),
    /* containerd's limit on namespace names is 76 characters */
    GROUP("/" N38 N38 "n/" ID1),
    {"/" N38 N38 "/" ID1, IDENTITY_CONTAINERD, QOS_NONE, "containerd", ID1, "", true, false},

    /* systemd units */
    {"/system.slice/sshd.service", IDENTITY_SERVICE, QOS_NONE, "", "", "", true, false},
    {"/system.slice/system-getty.slice/getty@tty1.service", IDENTITY_SERVICE, QOS_NONE, "", "", "",
     true, false},
    {"/kubelet.service/", IDENTITY_SERVICE, QOS_NONE, "", "", "", true, false},
    {"/user.slice/user-1000.slice/user-runtime-dir@1000.service", IDENTITY_SERVICE, QOS_NONE, "",
     "", "", true, false},
    GROUP("/system.slice/.service"),
    GROUP("/system.slice/foo.service.d"),
    GROUP("/init.scope"),
    GROUP("/user.slice/user-1000.slice/session-3.scope"),
    ORGANISER("/system.slice"),
    ORGANISER("/-.slice"),
    ORGANISER("/user.slice/user-1000.slice"),

    /* hostile and degenerate */
    ORGANISER(""),
    ORGANISER("/"),
    ORGANISER("//"),
    ORGANISER("////////"),
    GROUP("relative/path"),
    GROUP("/a"),
    GROUP("."),
    GROUP("/.."),
    GROUP("/\xff\xfe/\x01\n"),
    GROUP("/docker/" ID1 "\n"),
    GROUP("/docker/\n" ID1),
    GROUP("/docker-" ID1 ".scope\x7f"),
    IN_POD("/kubepods/pod" UID "/" ID1 " ", QOS_GUARANTEED),
};

static void assert_identity_empty_names(const struct identity *id)
{
        assert_string_equal(id->pod_namespace, "");
        assert_string_equal(id->pod_name, "");
        assert_string_equal(id->container_name, "");
}

static void test_path_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(path_cases); i++) {
                const struct path_case *c = &path_cases[i];
                struct identity id;
                bool r;

                /* Garbage in the output proves every field is written. */
                memset(&id, 0xaa, sizeof(id));
                r = identity_from_path(c->path, &id);
                if (r != c->container_level || id.kind != c->kind || id.qos != c->qos ||
                    !streq(id.runtime, c->runtime) || !streq(id.container_id, c->container_id) ||
                    !streq(id.pod_uid, c->pod_uid) ||
                    identity_is_intermediate(c->path) != c->intermediate) {
                        print_error("case %zu \"%s\": got ret=%d kind=%d qos=%d runtime=\"%.16s\" "
                                    "id=\"%.72s\" uid=\"%.40s\" intermediate=%d\n",
                                    i, c->path, r, id.kind, id.qos, id.runtime, id.container_id,
                                    id.pod_uid, identity_is_intermediate(c->path));
                        fail();
                }
                assert_identity_empty_names(&id);
        }
}

/* A recognised container and an intermediate are never both. */
static void test_container_never_intermediate(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(path_cases); i++)
                if (path_cases[i].container_level)
                        assert_false(path_cases[i].intermediate);
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
        size_t ul = strlen(unit), tl = strlen(tail);
        char *s = malloc(ul * times + tl + 1);

        assert_non_null(s);
        for (size_t i = 0; i < times; i++)
                memcpy(s + i * ul, unit, ul);
        memcpy(s + ul * times, tail, tl + 1);
        return s;
}

static void test_long_paths(void **state)
{
        struct identity id;
        (void)state;

        {
                /* Far past PATH_MAX, still recognised by its tail. */
                _cleanup_free_ char *p = repeat("/abc", PATH_MAX, PB "/crio-" ID1 ".scope");
                assert_true(identity_from_path(p, &id));
                assert_int_equal(id.kind, IDENTITY_POD_CONTAINER);
                assert_int_equal(id.qos, QOS_BURSTABLE);
                assert_string_equal(id.container_id, ID1);
                assert_string_equal(id.pod_uid, UID);
        }
        {
                _cleanup_free_ char *p = repeat("/", 4 * PATH_MAX, "");
                assert_false(identity_from_path(p, &id));
                assert_int_equal(id.kind, IDENTITY_GROUP);
                assert_true(identity_is_intermediate(p));
        }
        {
                /* One huge component made of hex digits. */
                _cleanup_free_ char *p = repeat("0123456789abcdef", PATH_MAX, "");
                assert_false(identity_from_path(p, &id));
                assert_int_equal(id.kind, IDENTITY_GROUP);
                assert_string_equal(id.container_id, "");
                assert_false(identity_is_intermediate(p));
        }
        {
                _cleanup_free_ char *uid = repeat("0", PATH_MAX, "_0.slice/docker-" ID1 ".scope");
                _cleanup_free_ char *p = malloc(strlen(uid) + 64);
                assert_non_null(p);
                snprintf(p, strlen(uid) + 64, "/kubepods-pod%s", uid);
                assert_true(identity_from_path(p, &id));
                /* Not a pod (the UID is too long), so a plain Docker scope. */
                assert_int_equal(id.kind, IDENTITY_DOCKER);
                assert_string_equal(id.pod_uid, "");
        }
        {
                _cleanup_free_ char *p = repeat("/kubepods", PATH_MAX, "/pod");
                assert_false(identity_from_path(p, &id));
                assert_false(identity_is_intermediate(p));
        }
        {
                _cleanup_free_ char *p = repeat("x", 2 * PATH_MAX, ".service");
                assert_true(identity_from_path(p, &id));
                assert_int_equal(id.kind, IDENTITY_SERVICE);
        }
}

static void test_to_string(void **state)
{
        (void)state;
        assert_string_equal(identity_kind_to_string(IDENTITY_GROUP), "group");
        assert_string_equal(identity_kind_to_string(IDENTITY_SERVICE), "service");
        assert_string_equal(identity_kind_to_string(IDENTITY_POD_CONTAINER), "pod-container");
        assert_string_equal(identity_kind_to_string(IDENTITY_POD_SANDBOX), "pod-sandbox");
        assert_string_equal(identity_kind_to_string(IDENTITY_DOCKER), "docker");
        assert_string_equal(identity_kind_to_string(IDENTITY_PODMAN), "podman");
        assert_string_equal(identity_kind_to_string(IDENTITY_CONTAINERD), "containerd");
        assert_null(identity_kind_to_string((enum identity_kind)99));
        assert_null(qos_class_to_string(QOS_NONE));
        assert_string_equal(qos_class_to_string(QOS_GUARANTEED), "guaranteed");
        assert_string_equal(qos_class_to_string(QOS_BURSTABLE), "burstable");
        assert_string_equal(qos_class_to_string(QOS_BESTEFFORT), "besteffort");
        assert_null(qos_class_to_string((enum qos_class)99));
}

/* ---- the names reader, against a tree under a temporary root ---- */

#define NS        "prod"
#define POD       "web-7d9f8b6c5d-x2kqp"
#define CTR       "web-server"
#define POD_DIR   "var/log/pods/" NS "_" POD "_" UID
#define CTR_LOGS  "var/log/containers/"
#define OTHER_UID "11111111-2222-3333-4444-555555555555"
#define ID3       "3333333333333333333333333333333333333333333333333333333333333333"
#define ID4       "4444444444444444444444444444444444444444444444444444444444444444"

struct tree {
        char dir[64];
        struct fsroot root;
};

static void make_dirs(const char *base, const char *rel)
{
        char p[PATH_MAX];
        int n = snprintf(p, sizeof(p), "%s/%s", base, rel);

        assert_true(n > 0 && (size_t)n < sizeof(p));
        for (char *s = p + strlen(base) + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
                        *s = '/';
                }
        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static void make_file(const char *base, const char *rel)
{
        char p[PATH_MAX];
        int n = snprintf(p, sizeof(p), "%s/%s", base, rel);
        int fd;

        assert_true(n > 0 && (size_t)n < sizeof(p));
        fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
}

static void make_log_link(const char *base, const char *name, const char *target)
{
        char p[PATH_MAX];
        int n = snprintf(p, sizeof(p), "%s/" CTR_LOGS "%s", base, name);

        assert_true(n > 0 && (size_t)n < sizeof(p));
        assert_int_equal(symlink(target, p), 0);
}

static int setup_tree(void **state)
{
        struct tree *t = calloc(1, sizeof(*t));

        assert_non_null(t);
        strcpy(t->dir, "/tmp/test_identity.XXXXXX");
        assert_non_null(mkdtemp(t->dir));

        /* The pod under test: one container with a log, and the pod's only
         * subdir for a second container that has none. */
        make_dirs(t->dir, POD_DIR "/" CTR);
        make_file(t->dir, POD_DIR "/" CTR "/0.log");
        make_dirs(t->dir, CTR_LOGS);
        make_log_link(t->dir, POD "_" NS "_" CTR "-" ID1 ".log",
                      "/var/log/pods/" NS "_" POD "_" UID "/" CTR "/0.log");

        /* A second pod whose only container dir must not be taken as the
         * name of a container that has no log. */
        make_dirs(t->dir, "var/log/pods/kube-system_coredns-abc_" UID2 "/coredns");

        /* Decoys: near-misses of the container under test's names. */
        make_log_link(t->dir, POD "_" NS "_" CTR "-" ID63 ".log", "x");
        make_log_link(t->dir, POD "_" NS "_decoy-" ID1 "0.log", "x");
        make_log_link(t->dir, POD "_" NS "_decoy-" ID1 ".log.1", "x");
        make_log_link(t->dir, "Bad_" NS "_decoy-" ID2 ".log", "x");
        make_log_link(t->dir, "a_b_c_d-" ID2 ".log", "x");
        make_log_link(t->dir, "nounderscore-" ID2 ".log", "x");
        make_log_link(t->dir, "_" NS "_c-" ID2 ".log", "x");
        make_log_link(t->dir, "-" ID2 ".log", "x");
        make_log_link(t->dir, ID2 ".log", "x");
        make_file(t->dir, "var/log/pods/" NS "_file_" OTHER_UID);
        make_dirs(t->dir, "var/log/pods/" NS "_" POD "_" UID "x");
        make_dirs(t->dir, "var/log/pods/" NS "_" UID);
        make_dirs(t->dir, "var/log/pods/Bad_ns_" UID2 "0");

        /* A log whose pod disagrees with the pod dir of its UID (stale). */
        make_log_link(t->dir, "old-pod_" NS "_" CTR "-" ID3 ".log", "x");
        /* A container of a pod whose UID the path does not give (k8s.io). */
        make_log_link(t->dir, "job-1_batch_worker-" ID4 ".log", "x");
        assert_int_equal(fsroot_open(t->dir, &t->root), 0);
        *state = t;
        return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st, (void)flag, (void)ftw;
        return remove(path);
}

static int teardown_tree(void **state)
{
        struct tree *t = *state;

        fsroot_close(&t->root);
        assert_int_equal(nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
        free(t);
        return 0;
}

static struct identity pod_container(const char *uid, const char *cid)
{
        struct identity id = {.kind = IDENTITY_POD_CONTAINER, .qos = QOS_BURSTABLE};

        strcpy(id.pod_uid, uid);
        strcpy(id.container_id, cid);
        return id;
}

static void test_names_full(void **state)
{
        struct tree *t = *state;
        struct identity id = pod_container(UID, ID1);

        assert_int_equal(identity_read_pod_names(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, NS);
        assert_string_equal(id.pod_name, POD);
        assert_string_equal(id.container_name, CTR);
        /* The identity itself is left alone. */
        assert_string_equal(id.pod_uid, UID);
        assert_string_equal(id.container_id, ID1);
        assert_int_equal(id.kind, IDENTITY_POD_CONTAINER);
}

static void test_names_from_path(void **state)
{
        struct tree *t = *state;
        struct identity id;

        assert_true(identity_from_path(PB "/cri-containerd-" ID1 ".scope", &id));
        assert_int_equal(identity_read_pod_names(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, NS);
        assert_string_equal(id.pod_name, POD);
        assert_string_equal(id.container_name, CTR);
}

/* A container without a log (a sandbox, say): the pod's names only, and
 * no container name guessed from the pod's only container dir. */
static void test_names_pod_only(void **state)
{
        struct tree *t = *state;
        struct identity id = pod_container(UID2, ID2);

        assert_int_equal(identity_read_pod_names(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, "kube-system");
        assert_string_equal(id.pod_name, "coredns-abc");
        assert_string_equal(id.container_name, "");
}

static void test_names_sandbox(void **state)
{
        struct tree *t = *state;
        struct identity id = pod_container(UID, ID1);

        /* A sandbox has no log of its own: its id is not looked up. */
        id.kind = IDENTITY_POD_SANDBOX;
        assert_int_equal(identity_read_pod_names(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, NS);
        assert_string_equal(id.pod_name, POD);
        assert_string_equal(id.container_name, "");
}

static void test_names_pod_level(void **state)
{
        struct tree *t = *state;
        struct identity id;

        assert_false(identity_from_path(PB, &id));
        assert_int_equal(identity_read_pod_names(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, NS);
        assert_string_equal(id.pod_name, POD);
        assert_string_equal(id.container_name, "");
}

static void test_names_by_id_only(void **state)
{
        struct tree *t = *state;
        struct identity id;

        assert_true(identity_from_path("/k8s.io/" ID4, &id));
        assert_int_equal(identity_read_pod_names(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, "batch");
        assert_string_equal(id.pod_name, "job-1");
        assert_string_equal(id.container_name, "worker");
}

/* The log names another pod than the UID's dir: trust the UID. */
static void test_names_stale_log(void **state)
{
        struct tree *t = *state;
        struct identity id = pod_container(UID, ID3);

        assert_int_equal(identity_read_pod_names(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, NS);
        assert_string_equal(id.pod_name, POD);
        assert_string_equal(id.container_name, "");
}

static void test_names_not_found(void **state)
{
        static const struct {
                enum identity_kind kind;
                const char *uid, *cid;
        } cases[] = {
            {IDENTITY_POD_CONTAINER, OTHER_UID, ID2},                            /* decoys only */
            {IDENTITY_POD_CONTAINER, "", ID63},                                  /* truncated id */
            {IDENTITY_POD_CONTAINER, "3f0e1b2c-4d5a-6b7c-8d9e-0a1b2c3d4e5", ""}, /* a prefix */
            {IDENTITY_POD_CONTAINER, "", ""},
            {IDENTITY_DOCKER, "", ID1}, /* not Kubernetes */
            {IDENTITY_CONTAINERD, "", ID4},
            {IDENTITY_GROUP, "", ""},
        };
        struct tree *t = *state;

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct identity id = pod_container(cases[i].uid, cases[i].cid);

                id.kind = cases[i].kind;
                if (identity_read_pod_names(&t->root, &id) != -ENOENT) {
                        print_error("not-found case %zu\n", i);
                        fail();
                }
                assert_identity_empty_names(&id);
        }
}

/* A root without /var/log at all (not a Kubernetes node). */
static void test_names_no_logs(void **state)
{
        char dir[] = "/tmp/test_identity_empty.XXXXXX";
        struct fsroot root;
        struct identity id = pod_container(UID, ID1);
        (void)state;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(fsroot_open(dir, &root), 0);
        assert_int_equal(identity_read_pod_names(&root, &id), -ENOENT);
        assert_identity_empty_names(&id);
        fsroot_close(&root);
        assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_path_table),
            cmocka_unit_test(test_container_never_intermediate),
            cmocka_unit_test(test_long_paths),
            cmocka_unit_test(test_to_string),
            cmocka_unit_test_setup_teardown(test_names_full, setup_tree, teardown_tree),
            cmocka_unit_test_setup_teardown(test_names_from_path, setup_tree, teardown_tree),
            cmocka_unit_test_setup_teardown(test_names_pod_only, setup_tree, teardown_tree),
            cmocka_unit_test_setup_teardown(test_names_sandbox, setup_tree, teardown_tree),
            cmocka_unit_test_setup_teardown(test_names_pod_level, setup_tree, teardown_tree),
            cmocka_unit_test_setup_teardown(test_names_by_id_only, setup_tree, teardown_tree),
            cmocka_unit_test_setup_teardown(test_names_stale_log, setup_tree, teardown_tree),
            cmocka_unit_test_setup_teardown(test_names_not_found, setup_tree, teardown_tree),
            cmocka_unit_test(test_names_no_logs),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
