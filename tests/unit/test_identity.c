/* identity: every cgroup path form, hostile paths, and the /var/log names
 * reader against a tree built under a temporary root. */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "testutil.h"

#include "observe/fsroot.h"
#include "observe/identity.h"
#include "observe/pod-names.h"

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

/* static pod UIDs: 32 hex digits (an md5) */
#define SUID   "9f86d081884c7d659a2feaa0c55ad015"
#define SUID31 "9f86d081884c7d659a2feaa0c55ad01"
#define SUID33 "9f86d081884c7d659a2feaa0c55ad0150"
#define SUIDUP "9F86D081884C7D659A2FEAA0C55AD015"

/* kind: --cgroup-root=/kubelet with the systemd driver */
#define LS  "/kubelet.slice/kubelet-kubepods.slice"
#define LB  LS "/kubelet-kubepods-burstable.slice"
#define LE  LS "/kubelet-kubepods-besteffort.slice"
#define LPB LB "/kubelet-kubepods-burstable-pod" UIDU ".slice"
#define LPG LS "/kubelet-kubepods-pod" UIDU ".slice"

#define MS   "/machine.slice"
#define PPOD MS "/machine-libpod_pod_" ID2 ".slice"

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
/* A pod's own group, or its runtime's monitor: an intermediate with the pod. */
#define POD_LEVEL(p, q, u)                                                                         \
        {                                                                                          \
                p, IDENTITY_GROUP, q, "", "", u, false, true                                       \
        }
#define POD_CTR(p, q, rt, id, u)                                                                   \
        {                                                                                          \
                p, IDENTITY_POD_CONTAINER, q, rt, id, u, true, false                               \
        }
#define PODMAN(p, id, u)                                                                           \
        {                                                                                          \
                p, IDENTITY_PODMAN, QOS_NONE, "podman", id, u, true, false                         \
        }

static const struct path_case path_cases[] = {
    /* Kubernetes, systemd driver */
    {PB "/cri-containerd-" ID1 ".scope", IDENTITY_POD_CONTAINER, QOS_BURSTABLE, "containerd", ID1,
     UID, true, false},
    {PE "/crio-" ID1 ".scope", IDENTITY_POD_CONTAINER, QOS_BESTEFFORT, "crio", ID1, UID, true,
     false},
    {PG "/docker-" ID1 ".scope", IDENTITY_POD_CONTAINER, QOS_GUARANTEED, "docker", ID1, UID, true,
     false},
    {PE "/libpod-" ID1 ".scope", IDENTITY_POD_CONTAINER, QOS_BESTEFFORT, "podman", ID1, UID, true,
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

    /* static pods, systemd driver: the UID has no dash to escape */
    POD_CTR(KE "/kubepods-besteffort-pod" SUID ".slice/cri-containerd-" ID1 ".scope",
            QOS_BESTEFFORT, "containerd", ID1, SUID),
    POD_CTR(KB "/kubepods-burstable-pod" SUID ".slice/crio-" ID2 ".scope", QOS_BURSTABLE, "crio",
            ID2, SUID),
    POD_CTR(KS "/kubepods-pod" SUID ".slice/docker-" ID1 ".scope", QOS_GUARANTEED, "docker", ID1,
            SUID),
    POD_LEVEL(KB "/kubepods-burstable-pod" SUID ".slice", QOS_BURSTABLE, SUID),
    POD_LEVEL(KB "/kubepods-burstable-pod" SUID ".slice/crio-conmon-" ID1 ".scope", QOS_BURSTABLE,
              SUID),
    GROUP(KB "/kubepods-burstable-pod" SUID31 ".slice/cri-containerd-" ID1 ".scope"),
    GROUP(KB "/kubepods-burstable-pod" SUID33 ".slice/cri-containerd-" ID1 ".scope"),
    GROUP(KB "/kubepods-burstable-pod" SUIDUP ".slice/cri-containerd-" ID1 ".scope"),
    GROUP(KB "/kubepods-burstable-pod9f86d081_884c7d659a2feaa0c55ad01.slice/cri-containerd-" ID1
             ".scope"),
    /* --cgroup-root with the systemd driver (kind): the root's components
     * joined before kubepods */
    POD_CTR(LPB "/cri-containerd-" ID1 ".scope", QOS_BURSTABLE, "containerd", ID1, UID),
    POD_CTR(LE "/kubelet-kubepods-besteffort-pod" UIDU ".slice/crio-" ID2 ".scope", QOS_BESTEFFORT,
            "crio", ID2, UID),
    POD_CTR(LPG "/cri-containerd-" ID1 ".scope", QOS_GUARANTEED, "containerd", ID1, UID),
    POD_CTR(LE "/kubelet-kubepods-besteffort-pod" SUID ".slice/cri-containerd-" ID1 ".scope",
            QOS_BESTEFFORT, "containerd", ID1, SUID),
    POD_CTR("/a.slice/a-b_c.slice/a-b_c-kubepods.slice/a-b_c-kubepods-pod" UIDU
            ".slice/cri-containerd-" ID1 ".scope",
            QOS_GUARANTEED, "containerd", ID1, UID),
    POD_LEVEL(LPB, QOS_BURSTABLE, UID),
    POD_LEVEL(LPG "/", QOS_GUARANTEED, UID),
    ORGANISER("/kubelet.slice"),
    ORGANISER(LS),
    ORGANISER(LB),
    /* a pod slice whose parent is not the slice its name says */
    GROUP(KB "/kubelet-kubepods-burstable-pod" UIDU ".slice/cri-containerd-" ID1 ".scope"),
    GROUP(LB "/kubepods-burstable-pod" UIDU ".slice/cri-containerd-" ID1 ".scope"),
    GROUP(LS "/kubelet-kubepods-burstable-pod" UIDU ".slice/cri-containerd-" ID1 ".scope"),
    GROUP("/kubepods-burstable-pod" UIDU ".slice/cri-containerd-" ID1 ".scope"),
    GROUP("/x-kubepods-burstable.slice/x-kubepods-burstable-pod" UID ".slice/crio-" ID1 ".scope"),
    /* kubepods not a whole dash-separated component */
    GROUP("/xkubepods-burstable.slice/xkubepods-burstable-pod" UIDU ".slice/crio-" ID1 ".scope"),
    GROUP("/kubelet-kubepods-guaranteed.slice/kubelet-kubepods-guaranteed-pod" UIDU
          ".slice/crio-" ID1 ".scope"),
    GROUP("/-.slice/-pod" UIDU ".slice/crio-" ID1 ".scope"),
    ORGANISER(LS "/kubelet-kubepods-pod" UIDU "_.slice"),

    /* Kubernetes, cgroupfs driver */
    POD_CTR("/kubepods/besteffort/pod" SUID "/" ID1, QOS_BESTEFFORT, "", ID1, SUID),
    POD_CTR("/kubepods/pod" SUID "/crio-" ID2, QOS_GUARANTEED, "crio", ID2, SUID),
    POD_LEVEL("/kubepods/besteffort/pod" SUID, QOS_BESTEFFORT, SUID),
    GROUP("/kubepods/besteffort/pod" SUID31 "/" ID1),
    GROUP("/kubepods/besteffort/pod" SUID33 "/" ID1),
    GROUP("/kubepods/besteffort/pod" SUIDUP "/" ID1),
    /* with --cgroup-root=/kubelet */
    POD_CTR("/kubelet/kubepods/burstable/pod" UID "/" ID1, QOS_BURSTABLE, "", ID1, UID),
    POD_CTR("/kubelet/kubepods/pod" SUID "/" ID2, QOS_GUARANTEED, "", ID2, SUID),
    POD_LEVEL("/kubelet/kubepods/besteffort/pod" UID, QOS_BESTEFFORT, UID),
    ORGANISER("/kubelet/kubepods"),
    ORGANISER("/kubelet/kubepods/burstable"),
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
    /* Podman pods: the pod id is the pod's */
    PODMAN(PPOD "/libpod-" ID1 ".scope", ID1, ID2),
    PODMAN("/user.slice/user-1000.slice/user@1000.service/user.slice/user-libpod_pod_" ID2
           ".slice/libpod-" ID1 ".scope",
           ID1, ID2),
    PODMAN("/libpod_parent/" ID2 "/libpod-" ID1, ID1, ID2),
    POD_LEVEL(PPOD, QOS_NONE, ID2),
    POD_LEVEL(PPOD "/libpod-conmon-" ID1 ".scope", QOS_NONE, ID2),
    POD_LEVEL("/libpod_parent/" ID2, QOS_NONE, ID2),
    /* not a pod: wrong parent, near-miss ids, other runtimes' names */
    PODMAN(MS "/user-libpod_pod_" ID2 ".slice/libpod-" ID1 ".scope", ID1, ""),
    PODMAN(MS "/machine-libpod_pod_" ID63 ".slice/libpod-" ID1 ".scope", ID1, ""),
    PODMAN(MS "/machine-libpod_pod_" IDUP ".slice/libpod-" ID1 ".scope", ID1, ""),
    PODMAN("/libpod_parent/" ID63 "/libpod-" ID1, ID1, ""),
    {PPOD "/libpod-" ID63 ".scope", IDENTITY_GROUP, QOS_NONE, "", "", ID2, false, false},
    {PPOD "/docker-" ID1 ".scope", IDENTITY_GROUP, QOS_NONE, "", "", ID2, false, false},
    GROUP(PPOD "/libpod-" ID1 ".scope/container"),
    /* --cgroups=split (Quadlet): the payload in the unit's own group */
    PODMAN("/system.slice/web.service/libpod-payload-" ID1, ID1, ""),
    PODMAN(
        "/user.slice/user-1000.slice/user@1000.service/app.slice/web.service/libpod-payload-" ID2,
        ID2, ""),
    GROUP("/system.slice/web.service/libpod-payload-" ID63),
    GROUP("/system.slice/web.service/libpod-payload-" IDUP),
    GROUP("/system.slice/web.service/libpod-payload-" ID1 "0"),
    GROUP("/system.slice/web.service/libpod-payload-"),
    GROUP("/system.slice/web.service/runtime"),
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
                                    "id=\"%.72s\" uid=\"%.72s\" intermediate=%d\n",
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

#define NS         "prod"
#define POD        "web-7d9f8b6c5d-x2kqp"
#define CTR        "web-server"
#define POD_DIR    "var/log/pods/" NS "_" POD "_" UID
#define CTR_LOGS   "var/log/containers/"
#define OTHER_UID  "11111111-2222-3333-4444-555555555555"
#define ID3        "3333333333333333333333333333333333333333333333333333333333333333"
#define ID4        "4444444444444444444444444444444444444444444444444444444444444444"
#define OTHER_UID2 "66666666-7777-8888-9999-000000000000"

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
        /* A container of a pod whose UID the path does not give (k8s.io):
         * its link's target names the pod dir. */
        make_dirs(t->dir, "var/log/pods/batch_job-1_" OTHER_UID2 "/worker");
        make_log_link(t->dir, "job-1_batch_worker-" ID4 ".log",
                      "/var/log/pods/batch_job-1_" OTHER_UID2 "/worker/0.log");
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

        assert_int_equal(pod_names_read(&t->root, &id), 0);
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
        assert_int_equal(pod_names_read(&t->root, &id), 0);
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

        assert_int_equal(pod_names_read(&t->root, &id), 0);
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
        assert_int_equal(pod_names_read(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, NS);
        assert_string_equal(id.pod_name, POD);
        assert_string_equal(id.container_name, "");
}

static void test_names_pod_level(void **state)
{
        struct tree *t = *state;
        struct identity id;

        assert_false(identity_from_path(PB, &id));
        assert_int_equal(pod_names_read(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, NS);
        assert_string_equal(id.pod_name, POD);
        assert_string_equal(id.container_name, "");
}

static void test_names_by_id_only(void **state)
{
        struct tree *t = *state;
        struct identity id;

        assert_true(identity_from_path("/k8s.io/" ID4, &id));
        assert_int_equal(pod_names_read(&t->root, &id), 0);
        assert_string_equal(id.pod_namespace, "batch");
        assert_string_equal(id.pod_name, "job-1");
        assert_string_equal(id.container_name, "worker");
}

/* The log names another pod than the UID's dir: trust the UID. */
static void test_names_stale_log(void **state)
{
        struct tree *t = *state;
        struct identity id = pod_container(UID, ID3);

        assert_int_equal(pod_names_read(&t->root, &id), 0);
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
                if (pod_names_read(&t->root, &id) != -ENOENT) {
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
        assert_int_equal(pod_names_read(&root, &id), -ENOENT);
        assert_identity_empty_names(&id);
        fsroot_close(&root);
        assert_int_equal(rmdir(dir), 0);
}

/* ---- identity_refine_from_child ---- */

struct refine_case {
        const char *path; /* the group, classified by identity_from_path() */
        const char *child;
        bool changed;
        enum identity_kind kind;
        const char *container_id;
};

static const struct refine_case refine_cases[] = {
    {"/system.slice/web.service", "libpod-payload-" ID1, true, IDENTITY_PODMAN, ID1},
    {"/user.slice/user-1000.slice/user@1000.service/app.slice/web.service", "libpod-payload-" ID2,
     true, IDENTITY_PODMAN, ID2},
    {"/system.slice/web.service", "libpod-payload-" ID63, false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "libpod-payload-" IDUP, false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "libpod-payload-" IDNH, false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "libpod-payload-" ID1 "0", false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "libpod-payload-" ID1 "/x", false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "libpod-payload-", false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "libpod-" ID1, false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "runtime", false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "container", false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "", false, IDENTITY_SERVICE, ""},
    {"/system.slice/web.service", "..", false, IDENTITY_SERVICE, ""},
    /* crun's subgroup: recognised, the container stays what it is */
    {"/machine.slice/libpod-" ID1 ".scope", "container", false, IDENTITY_PODMAN, ID1},
    {PB "/crio-" ID1 ".scope", "container", false, IDENTITY_POD_CONTAINER, ID1},
    /* below a container its tenant names the groups: nothing changes */
    {"/machine.slice/libpod-" ID1 ".scope", "libpod-payload-" ID2, false, IDENTITY_PODMAN, ID1},
    {PB "/cri-containerd-" ID1 ".scope", "libpod-payload-" ID2, false, IDENTITY_POD_CONTAINER, ID1},
    {"/docker/" ID1, "libpod-payload-" ID2, false, IDENTITY_DOCKER, ID1},
    {"/batch/job-1", "libpod-payload-" ID2, false, IDENTITY_GROUP, ""},
    {PB, "libpod-payload-" ID2, false, IDENTITY_GROUP, ""},
};

static void test_refine_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(refine_cases); i++) {
                const struct refine_case *c = &refine_cases[i];
                struct identity id, before;
                bool r;

                (void)identity_from_path(c->path, &id);
                before = id;
                r = identity_refine_from_child(&id, c->child);
                if (r != c->changed || id.kind != c->kind ||
                    !streq(id.container_id, c->container_id) ||
                    (!r && memcmp(&id, &before, sizeof(id)) != 0)) {
                        print_error(
                            "refine case %zu \"%s\" + \"%s\": got %d kind=%d id=\"%.72s\"\n", i,
                            c->path, c->child, r, id.kind, id.container_id);
                        fail();
                }
                if (r) {
                        assert_string_equal(id.runtime, "podman");
                        assert_string_equal(id.pod_uid, before.pod_uid);
                        /* Once a Podman container, a second payload changes nothing. */
                        before = id;
                        assert_false(identity_refine_from_child(&id, "libpod-payload-" ID4));
                        assert_memory_equal(&id, &before, sizeof(id));
                }
        }
}

static void test_refine_null(void **state)
{
        struct identity id;
        (void)state;

        assert_true(identity_from_path("/system.slice/web.service", &id));
        assert_false(identity_refine_from_child(&id, NULL));
        assert_false(identity_refine_from_child(NULL, "libpod-payload-" ID1));
        assert_int_equal(id.kind, IDENTITY_SERVICE);
}

/* ---- the names reader against hostile /var/log trees ---- */

#define U_DOT    "a0000000-0000-0000-0000-000000000001"
#define U_DOTDOT "a0000000-0000-0000-0000-000000000002"
#define U_DUP    "a0000000-0000-0000-0000-000000000003"
#define U_DUPBAD "a0000000-0000-0000-0000-000000000004"
#define U_OK     "a0000000-0000-0000-0000-000000000005"
#define U_OTHER  "a0000000-0000-0000-0000-000000000006"
#define U_NS63   "a0000000-0000-0000-0000-000000000007"
#define U_NS64   "a0000000-0000-0000-0000-000000000008"
#define U_EDGE   "a0000000-0000-0000-0000-000000000009"
#define U_GONE   "a0000000-0000-0000-0000-00000000000a"
#define U_FILE   "a0000000-0000-0000-0000-00000000000b"
#define C(n)     "c00000000000000000000000000000000000000000000000000000000000000" n
#define L63      "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"
#define OKDIR    "/var/log/pods/ok_app_" U_OK

static int setup_hostile(void **state)
{
        struct tree *t = calloc(1, sizeof(*t));

        assert_non_null(t);
        strcpy(t->dir, "/tmp/test_identity_h.XXXXXX");
        assert_non_null(mkdtemp(t->dir));
        make_dirs(t->dir, CTR_LOGS);

        /* "." and ".." as names */
        make_dirs(t->dir, "var/log/pods/._web_" U_DOT);
        make_dirs(t->dir, "var/log/pods/prod_.._" U_DOTDOT);
        /* two directories for one UID, valid or not: neither is trusted */
        make_dirs(t->dir, "var/log/pods/prod_a_" U_DUP);
        make_dirs(t->dir, "var/log/pods/prod_b_" U_DUP);
        make_dirs(t->dir, "var/log/pods/prod_a_" U_DUPBAD);
        make_dirs(t->dir, "var/log/pods/Prod_a_" U_DUPBAD);
        /* a file is no pod directory */
        make_file(t->dir, "var/log/pods/prod_f_" U_FILE);
        /* label limits: a namespace of 63 characters is one, of 64 is not */
        make_dirs(t->dir, "var/log/pods/" L63 "_p_" U_NS63);
        make_dirs(t->dir, "var/log/pods/" L63 "l_p_" U_NS64);
        make_dirs(t->dir, "var/log/pods/ns_-p_" U_EDGE);

        /* the good pod and the links that try to name its containers */
        make_dirs(t->dir, OKDIR "/web");
        make_dirs(t->dir, "var/log/pods/ok_other_" U_OTHER "/web");
        make_log_link(t->dir, "app_ok_web-" C("1") ".log", OKDIR "/web/0.log");
        make_log_link(t->dir, "app_ok_web-" C("2") ".log", OKDIR "/web/12.log");
        make_log_link(t->dir, "app_ok_web-" C("3") ".log", "../pods/ok_app_" U_OK "/web/0.log");
        make_log_link(t->dir, "app_ok_web-" C("4") ".log",
                      "/var/log/pods/ok_other_" U_OTHER "/web/0.log");
        make_log_link(t->dir, "app_ok_web-" C("5") ".log", OKDIR "/side/0.log");
        make_log_link(t->dir, "app_ok_web-" C("6") ".log", OKDIR "/../ok_app_" U_OK "/web/0.log");
        make_log_link(t->dir, "app_ok_web-" C("7") ".log", OKDIR "/web/0.log.1");
        make_log_link(t->dir, "app_ok_web-" C("8") ".log", OKDIR "/web/x.log");
        make_log_link(t->dir, "app_ok_..-" C("9") ".log", OKDIR "/../0.log");
        make_log_link(t->dir, "app_ok_" L63 "l-" C("a") ".log", OKDIR "/" L63 "l/0.log");
        make_log_link(t->dir, "app_ok_" L63 "-" C("b") ".log", OKDIR "/" L63 "/0.log");
        make_file(t->dir, CTR_LOGS "app_ok_web-" C("c") ".log"); /* not a link */
        make_log_link(t->dir, "app_ok_web-" C("d") ".log", OKDIR "/web/0.log");
        make_log_link(t->dir, "app_ok_web2-" C("d") ".log", OKDIR "/web2/0.log");
        make_log_link(t->dir, "app_ok_web-" C("e") ".log",
                      "/var/log/pods/ok_app_" U_GONE "/web/0.log");
        make_log_link(t->dir, "app_ok_web-" C("f") ".log",
                      "//var/log/pods//ok_app_" U_OK "/web/0.log");
        make_log_link(t->dir, "app_ok_Web-" C("0") ".log", OKDIR "/Web/0.log");

        assert_int_equal(fsroot_open(t->dir, &t->root), 0);
        *state = t;
        return 0;
}

struct names_case {
        const char *uid, *cid; /* of a pod container; "" for none */
        int ret;
        const char *ns, *pod, *ctr;
};

static const struct names_case names_cases[] = {
    {U_DOT, "", -ENOENT, "", "", ""},
    {U_DOTDOT, "", -ENOENT, "", "", ""},
    {U_DUP, "", -ENOTUNIQ, "", "", ""},
    {U_DUPBAD, "", -ENOTUNIQ, "", "", ""},
    {U_FILE, "", -ENOENT, "", "", ""},
    {U_NS63, "", 0, L63, "p", ""},
    {U_NS64, "", -ENOENT, "", "", ""},
    {U_EDGE, "", -ENOENT, "", "", ""},
    {U_OK, C("1"), 0, "ok", "app", "web"},
    {U_OK, C("2"), 0, "ok", "app", "web"},
    {"", C("1"), 0, "ok", "app", "web"}, /* the UID from the link */
    {U_OK, C("3"), 0, "ok", "app", ""},  /* relative target */
    {"", C("3"), -ENOENT, "", "", ""},
    {U_OK, C("4"), 0, "ok", "app", ""}, /* into another pod's dir */
    {U_OTHER, C("4"), 0, "ok", "other", ""},
    {"", C("4"), -ENOENT, "", "", ""},
    {U_OK, C("5"), 0, "ok", "app", ""}, /* another container's dir */
    {U_OK, C("6"), 0, "ok", "app", ""}, /* ".." in the target */
    {U_OK, C("7"), 0, "ok", "app", ""},
    {U_OK, C("8"), 0, "ok", "app", ""},
    {U_OK, C("9"), 0, "ok", "app", ""}, /* ".." as the container */
    {U_OK, C("a"), 0, "ok", "app", ""}, /* a 64-character container name */
    {U_OK, C("b"), 0, "ok", "app", L63},
    {U_OK, C("c"), 0, "ok", "app", ""}, /* not a symlink */
    {U_OK, C("d"), 0, "ok", "app", ""}, /* two links for one id */
    {"", C("e"), -ENOENT, "", "", ""},  /* no pod dir behind the link */
    {U_OK, C("f"), 0, "ok", "app", ""}, /* not the kubelet's spelling */
    {U_OK, C("0"), 0, "ok", "app", ""}, /* uppercase */
};

static void test_names_hostile(void **state)
{
        struct tree *t = *state;

        for (size_t i = 0; i < ARRAY_SIZE(names_cases); i++) {
                const struct names_case *c = &names_cases[i];
                struct identity id = pod_container(c->uid, c->cid);
                int r = pod_names_read(&t->root, &id);

                if (r != c->ret || !streq(id.pod_namespace, c->ns) || !streq(id.pod_name, c->pod) ||
                    !streq(id.container_name, c->ctr)) {
                        print_error("names case %zu (uid \"%s\", id \"%s\"): got %d \"%s\" \"%s\" "
                                    "\"%s\"\n",
                                    i, c->uid, c->cid, r, id.pod_namespace, id.pod_name,
                                    id.container_name);
                        fail();
                }
        }
}

/* A Podman pod id is not looked up in the kubelet's logs. */
static void test_names_podman(void **state)
{
        struct tree *t = *state;
        struct identity id;

        assert_true(identity_from_path(PPOD "/libpod-" ID1 ".scope", &id));
        assert_int_equal(pod_names_read(&t->root, &id), -ENOENT);
        assert_identity_empty_names(&id);
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
            cmocka_unit_test(test_refine_table),
            cmocka_unit_test(test_refine_null),
            cmocka_unit_test_setup_teardown(test_names_hostile, setup_hostile, teardown_tree),
            cmocka_unit_test_setup_teardown(test_names_podman, setup_tree, teardown_tree),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
