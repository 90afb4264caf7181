/* One harness per kernel-file parser of parse.h, chosen when it is built
 * (-DFUZZ_TARGET=psi, ...). Besides memory errors, each run checks the
 * contracts every parser promises: the result is 0, -EINVAL, -ENODATA (or
 * -ENAMETOOLONG for /proc/PID/cgroup); ret is written only on success; the
 * same input parses the same way twice. */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "observe/parse.h"

#define STR2(x) #x
#define STR(x)  STR2(x)

/* Each target parses buf into ret (at most sizeof(union out) bytes). */
union out {
        struct psi psi;
        struct meminfo meminfo;
        struct vmstat vmstat;
        struct memstat memstat;
        struct memevents memevents;
        struct oom_control oom_control;
        struct cgroup_events cgroup_events;
        uint64_t u64;
        int i;
        char path[512];
};

/* /proc/PID/cgroup: the first byte of the input (taken off before the
 * text, see LLVMFuzzerTestOneInput) picks the controller and the size of
 * the path buffer, so that -ENAMETOOLONG is reached too. */
static unsigned char selector;

static int proc_cgroup(const char *buf, void *ret)
{
        static const char *const controllers[] = {"", "memory", "name=systemd", "freezer"};
        size_t size = 1 + (size_t)(selector >> 2) * 8;

        return proc_cgroup_parse(buf, controllers[selector & 3], ret, size);
}

#define WRAP(name, fn, type)                                                                       \
        static int name(const char *buf, void *ret)                                                \
        {                                                                                          \
                return fn(buf, (type *)ret);                                                       \
        }
WRAP(psi, psi_parse, struct psi)
WRAP(meminfo, meminfo_parse, struct meminfo)
WRAP(vmstat, vmstat_parse, struct vmstat)
WRAP(memstat_v2, memstat_parse_v2, struct memstat)
WRAP(memstat_v1, memstat_parse_v1, struct memstat)
WRAP(memevents, memevents_parse_v2, struct memevents)
WRAP(oom_control, oom_control_parse, struct oom_control)
WRAP(cgroup_events, cgroup_events_parse, struct cgroup_events)
WRAP(u64, u64_parse, uint64_t)
WRAP(count, count_parse, uint64_t)
WRAP(oom_score_adj, oom_score_adj_parse, int)

static const struct {
        const char *name;
        int (*parse)(const char *buf, void *ret);
} targets[] = {
    {"psi", psi},
    {"meminfo", meminfo},
    {"vmstat", vmstat},
    {"memstat_v2", memstat_v2},
    {"memstat_v1", memstat_v1},
    {"memevents", memevents},
    {"oom_control", oom_control},
    {"cgroup_events", cgroup_events},
    {"proc_cgroup", proc_cgroup},
    {"u64", u64},
    {"count", count},
    {"oom_score_adj", oom_score_adj},
};

static int (*target(void))(const char *, void *)
{
        for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
                if (strcmp(targets[i].name, STR(FUZZ_TARGET)) == 0)
                        return targets[i].parse;
        fprintf(stderr, "fuzz_parse: unknown target %s\n", STR(FUZZ_TARGET));
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        int (*parse)(const char *, void *) = target();
        char *buf;
        union out a, b, untouched;
        int r, r2;

        if (parse == proc_cgroup) {
                if (size == 0)
                        return 0;
                selector = data[0];
                data++, size--;
        }
        buf = fuzz_string(data, size);
        memset(&a, 0xa5, sizeof a);
        untouched = a;
        r = parse(buf, &a);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENODATA || r == -ENAMETOOLONG, "%d", r);
        FUZZ_CHECK(r == 0 || memcmp(&a, &untouched, sizeof a) == 0, "ret written on failure %d", r);
        if (r == 0 && strcmp(STR(FUZZ_TARGET), "oom_score_adj") == 0)
                FUZZ_CHECK(a.i >= -1000 && a.i <= 1000, "%d", a.i);
        memset(&b, 0xa5, sizeof b);
        r2 = parse(buf, &b);
        FUZZ_CHECK(r2 == r && memcmp(&a, &b, sizeof a) == 0, "not deterministic");
        free(buf);
        return 0;
}
