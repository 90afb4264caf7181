/* Cgroup path -> identity: any path is classified without a memory error,
 * into NUL-terminated fields, the same way twice. pod_names_read is not fuzzed
 * here: it reads a directory tree, which a fuzzer input would have to be
 * written into first. */
#include "fuzz.h"
#include "observe/identity.h"

#define TERMINATED(a) (memchr((a), 0, sizeof(a)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *path = fuzz_string(data, size);
        struct identity a, b;
        bool container;

        memset(&a, 0xa5, sizeof a);
        memset(&b, 0x5a, sizeof b);
        container = identity_from_path(path, &a);
        FUZZ_CHECK(identity_is_intermediate(path) == identity_is_intermediate(path),
                   "not deterministic");
        FUZZ_CHECK(container == identity_from_path(path, &b), "not deterministic");
        FUZZ_CHECK(TERMINATED(a.runtime) && TERMINATED(a.container_id) && TERMINATED(a.pod_uid) &&
                       TERMINATED(a.pod_namespace) && TERMINATED(a.pod_name) &&
                       TERMINATED(a.container_name),
                   "unterminated field");
        FUZZ_CHECK(strcmp(a.container_id, b.container_id) == 0 &&
                       strcmp(a.pod_uid, b.pod_uid) == 0 && a.kind == b.kind && a.qos == b.qos,
                   "not deterministic");
        FUZZ_CHECK(identity_kind_to_string(a.kind) != NULL, "kind %d", (int)a.kind);
        free(path);
        return 0;
}
