/* thrasher: the node-killer pattern, contained in a memory cgroup.
 *
 * Anonymous memory cannot be reclaimed without swap, so holding most of a
 * group's limit as anonymous memory and streaming a file larger than what
 * is left through mmap makes every pass over the file evict the pages the
 * next pass needs: the group spends its time in reclaim and major faults
 * (high `full` stall, workingset refaults) while the kernel OOM killer never
 * fires, because page cache is always reclaimable.  An anonymous hog alone
 * is not a thrash: the memcg OOM killer ends it within milliseconds. */
#include "tool.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_PROCS 64
/* Dirty page cache is flushed every this many bytes while the file is
 * written, so that creating it inside a small group does not pile up
 * dirty pages the group cannot reclaim quickly. */
#define SYNC_EVERY_BYTES (64 * MIB)
/* The loop looks at the clock once per this many pages. */
#define PAGES_PER_CLOCK_CHECK 256

struct options {
        uint64_t anon_bytes;
        const char *file;
        uint64_t file_bytes;
        unsigned procs;
        uint64_t duration_sec;
};

static void usage(void)
{
        printf("Usage: thrasher --anon MiB --file PATH --file-size MiB [--procs N] [--duration S]\n"
               "\n"
               "Holds --anon MiB of anonymous memory (touched) and keeps reading every page\n"
               "of a --file-size MiB file through a shared mmap, sequentially, in a loop.\n"
               "Run it in a memory cgroup whose limit is below anon + file size: the\n"
               "group then thrashes (high full stall, refaults, major faults) without a\n"
               "kernel OOM kill.\n"
               "\n"
               "  --anon MiB       anonymous memory in total, split evenly among the\n"
               "                   workers (default 0)\n"
               "  --file PATH      file to stream; created or extended to --file-size with\n"
               "                   real data (not sparse) before the workers start\n"
               "  --file-size MiB  size of the part of the file that is streamed\n"
               "  --procs N        worker processes, 1..%d (default 1); all map the same\n"
               "                   file, each starting at a different offset\n"
               "  --duration S     stop after S seconds (default 120); a worker still\n"
               "                   running %d s later is ended by SIGALRM\n"
               "\n"
               "Workers die with the main process.  Each prints its passes and major\n"
               "faults on exit.  Exit status: 0 done, 1 a worker failed or was killed,\n"
               "2 bad arguments.\n",
               MAX_PROCS, TOOL_GRACE_SEC);
}

static struct options parse_args(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"anon", required_argument, NULL, 'a'},
            {"file", required_argument, NULL, 'f'},
            {"file-size", required_argument, NULL, 's'},
            {"procs", required_argument, NULL, 'p'},
            {"duration", required_argument, NULL, 'd'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        struct options o = {.procs = 1, .duration_sec = 120};
        int c;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        o.anon_bytes = opt_u64("thrasher", "--anon", optarg, 0, 1 << 20) * MIB;
                        break;
                case 'f':
                        o.file = optarg;
                        break;
                case 's':
                        o.file_bytes = opt_u64("thrasher", "--file-size", optarg, 1, 1 << 20) * MIB;
                        break;
                case 'p':
                        o.procs = (unsigned)opt_u64("thrasher", "--procs", optarg, 1, MAX_PROCS);
                        break;
                case 'd':
                        o.duration_sec = opt_u64("thrasher", "--duration", optarg, 1, 86400);
                        break;
                case 'h':
                        usage();
                        exit(0);
                default:
                        usage_error("thrasher", "bad option");
                }
        }
        if (optind < argc)
                usage_error("thrasher", "unexpected argument '%s'", argv[optind]);
        if (!o.file)
                usage_error("thrasher", "--file is required");
        if (!o.file_bytes)
                usage_error("thrasher", "--file-size is required");
        return o;
}

/* Makes the file at least size bytes long with real blocks: pages of a
 * sparse file would be read without IO and would not model a real workload. */
static int prepare_file(const char *path, uint64_t size, int *ret_fd)
{
        static char block[1 << 20];
        struct stat st;
        uint64_t off, synced;
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                goto fail;
        memset(block, 0x5a, sizeof(block));
        off = (uint64_t)st.st_size / sizeof(block) * sizeof(block);
        for (synced = off; off < size; off += sizeof(block)) {
                if (pwrite(fd, block, sizeof(block), (off_t)off) != (ssize_t)sizeof(block))
                        goto fail;
                if (off + sizeof(block) - synced >= SYNC_EVERY_BYTES) {
                        if (fdatasync(fd) < 0)
                                goto fail;
                        synced = off + sizeof(block);
                }
        }
        if (fdatasync(fd) < 0)
                goto fail;
        *ret_fd = fd;
        return 0;
fail:
        if (errno == 0)
                errno = EIO; /* a short write without an errno */
        int r = -errno;
        close(fd);
        return r;
}

static int worker(const struct options *o, unsigned idx, int fd)
{
        uint64_t deadline = now_usec() + o->duration_sec * USEC_PER_SEC;
        size_t anon_len = (size_t)(o->anon_bytes / o->procs);
        size_t pages = (size_t)(o->file_bytes / TOOL_PAGE_BYTES);
        size_t page = pages / o->procs * idx, done = 0;
        uint64_t passes_x1000;
        unsigned long sum = 0;
        struct rusage ru;
        char *anon = NULL;
        volatile const char *file;

        arm_hard_deadline(o->duration_sec);
        if (anon_len) {
                anon = map_anon(anon_len);
                if (!anon) {
                        fprintf(stderr, "thrasher[%u]: mmap anon: %m\n", idx);
                        return 1;
                }
                touch_pages(anon, anon_len, idx);
        }
        file = mmap(NULL, (size_t)o->file_bytes, PROT_READ, MAP_SHARED, fd, 0);
        if (file == MAP_FAILED) {
                fprintf(stderr, "thrasher[%u]: mmap %s: %m\n", idx, o->file);
                return 1;
        }

        for (;;) {
                for (unsigned i = 0; i < PAGES_PER_CLOCK_CHECK; i++) {
                        sum += (unsigned char)file[page * TOOL_PAGE_BYTES];
                        if (++page == pages)
                                page = 0;
                }
                done += PAGES_PER_CLOCK_CHECK;
                if (now_usec() >= deadline)
                        break;
        }

        getrusage(RUSAGE_SELF, &ru);
        passes_x1000 = (uint64_t)done * 1000 / pages;
        fprintf(stderr,
                "thrasher[%u]: %" PRIu64 ".%03" PRIu64 " passes over %" PRIu64
                " MiB, %ld major faults (checksum %lu)\n",
                idx, passes_x1000 / 1000, passes_x1000 % 1000, o->file_bytes / MIB, ru.ru_majflt,
                sum);
        return 0;
}

int main(int argc, char **argv)
{
        struct options o = parse_args(argc, argv);
        pid_t pids[MAX_PROCS], self = getpid();
        int fd = -1, r, status = 0;

        /* The main process only creates the file and waits; it is ended by
         * SIGALRM if the workers outlive it (they then die with it). */
        arm_hard_deadline(o.duration_sec + TOOL_GRACE_SEC);
        r = prepare_file(o.file, o.file_bytes, &fd);
        if (r < 0) {
                fprintf(stderr, "thrasher: cannot prepare %s: %s\n", o.file, strerror(-r));
                return 1;
        }

        for (unsigned i = 0; i < o.procs; i++) {
                pids[i] = fork();
                if (pids[i] < 0) {
                        fprintf(stderr, "thrasher: fork: %m\n");
                        return 1; /* the forked workers die with us */
                }
                if (pids[i] == 0) {
                        if (die_with_parent(self, SIGKILL) < 0)
                                _exit(1);
                        _exit(worker(&o, i, fd));
                }
        }

        for (unsigned i = 0; i < o.procs; i++) {
                int ws;

                while (waitpid(pids[i], &ws, 0) < 0)
                        if (errno != EINTR)
                                return 1;
                if (WIFSIGNALED(ws)) {
                        fprintf(stderr, "thrasher[%u]: killed by signal %d\n", i, WTERMSIG(ws));
                        status = 1;
                } else if (WEXITSTATUS(ws) != 0) {
                        status = 1;
                }
        }
        return status;
}
