/* fileio: heavy sequential IO with memory to spare -- a false positive.
 *
 * Writing and re-reading a large file keeps the page cache churning (and, in
 * a limited group, makes reclaim and refaults busy), yet nothing is waiting
 * for memory it cannot get: the group's memory stall stays low.  A daemon
 * that acted on refault rates or IO pressure alone would kill this healthy
 * workload; thrashguard must not.  --direct bypasses the page cache
 * entirely, for the case of pure IO pressure. */
#include "tool.h"

#include <fcntl.h>
#include <sys/stat.h>

struct options {
        const char *file;
        uint64_t size_bytes;
        uint64_t duration_sec;
        uint64_t passes;
        size_t block_bytes;
        bool direct;
        bool read_only;
};

static void usage(void)
{
        printf("Usage: fileio --file PATH --size MiB [--duration S] [--passes N]\n"
               "              [--block-kib N] [--direct] [--read-only]\n"
               "\n"
               "Writes --size MiB sequentially to --file (then fdatasync), reads it back\n"
               "with read(), and repeats until --duration S (default 60) or --passes N\n"
               "(default 0: no limit).\n"
               "\n"
               "  --block-kib N   size of each read()/write(), 4..65536 (default 1024)\n"
               "  --direct        O_DIRECT for both (block a multiple of 4 KiB); fails on\n"
               "                  file systems without it, such as tmpfs\n"
               "  --read-only     write the file only if it is shorter than --size, then\n"
               "                  only read it in every pass\n"
               "\n"
               "Prints the throughput of each pass.  Exit status: 0 done, 1 IO failure,\n"
               "2 bad arguments.\n");
}

static struct options parse_args(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"file", required_argument, NULL, 'f'},
            {"size", required_argument, NULL, 's'},
            {"duration", required_argument, NULL, 'd'},
            {"passes", required_argument, NULL, 'p'},
            {"block-kib", required_argument, NULL, 'b'},
            {"direct", no_argument, NULL, 'D'},
            {"read-only", no_argument, NULL, 'r'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        struct options o = {.duration_sec = 60, .block_bytes = 1024 * KIB};
        int c;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        o.file = optarg;
                        break;
                case 's':
                        o.size_bytes = opt_u64("fileio", "--size", optarg, 1, 1 << 20) * MIB;
                        break;
                case 'd':
                        o.duration_sec = opt_u64("fileio", "--duration", optarg, 1, 86400);
                        break;
                case 'p':
                        o.passes = opt_u64("fileio", "--passes", optarg, 0, UINT32_MAX);
                        break;
                case 'b':
                        o.block_bytes =
                            (size_t)(opt_u64("fileio", "--block-kib", optarg, 4, 65536) * KIB);
                        break;
                case 'D':
                        o.direct = true;
                        break;
                case 'r':
                        o.read_only = true;
                        break;
                case 'h':
                        usage();
                        exit(0);
                default:
                        usage_error("fileio", "bad option");
                }
        }
        if (optind < argc)
                usage_error("fileio", "unexpected argument '%s'", argv[optind]);
        if (!o.file)
                usage_error("fileio", "--file is required");
        if (!o.size_bytes)
                usage_error("fileio", "--size is required");
        if (o.direct && o.block_bytes % TOOL_PAGE_BYTES)
                usage_error("fileio", "--direct needs --block-kib to be a multiple of 4");
        return o;
}

/* One sequential sweep over the file.  Returns the bytes moved (less than
 * the size when the deadline came first), or -errno. */
static int64_t sweep(const struct options *o, int fd, char *buf, bool write_it, uint64_t deadline)
{
        uint64_t off;

        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        for (off = 0; off < o->size_bytes && now_usec() < deadline; off += o->block_bytes) {
                size_t len = o->block_bytes;
                ssize_t n;

                if (len > o->size_bytes - off)
                        len = (size_t)(o->size_bytes - off);
                n = write_it ? write(fd, buf, len) : read(fd, buf, len);
                if (n < 0)
                        return errno == EINTR ? (int64_t)off : -errno;
                if ((size_t)n != len) {
                        if (!write_it && n == 0)
                                return -ENODATA; /* someone truncated the file */
                        return -EIO;
                }
        }
        if (write_it && fdatasync(fd) < 0)
                return -errno;
        return (int64_t)off;
}

static void report(uint64_t pass, const char *what, int64_t bytes, uint64_t usec)
{
        uint64_t mib_per_sec = usec ? (uint64_t)bytes * USEC_PER_SEC / MIB / usec : 0;

        fprintf(stderr, "fileio: pass %" PRIu64 " %s %" PRId64 " MiB at %" PRIu64 " MiB/s\n", pass,
                what, bytes / (int64_t)MIB, mib_per_sec);
}

int main(int argc, char **argv)
{
        struct options o = parse_args(argc, argv);
        uint64_t deadline = now_usec() + o.duration_sec * USEC_PER_SEC;
        struct stat st;
        void *buf;
        int fd;

        arm_hard_deadline(o.duration_sec);
        /* O_DIRECT wants an aligned buffer; aligning always costs nothing. */
        if (posix_memalign(&buf, TOOL_PAGE_BYTES, o.block_bytes) != 0) {
                fprintf(stderr, "fileio: out of memory\n");
                return 1;
        }
        memset(buf, 0xa5, o.block_bytes);
        fd = open(o.file, O_RDWR | O_CREAT | O_CLOEXEC | (o.direct ? O_DIRECT : 0), 0600);
        if (fd < 0) {
                fprintf(stderr, "fileio: cannot open %s: %m\n", o.file);
                return 1;
        }
        if (fstat(fd, &st) < 0) {
                fprintf(stderr, "fileio: fstat: %m\n");
                return 1;
        }

        for (uint64_t pass = 1; (!o.passes || pass <= o.passes) && now_usec() < deadline; pass++) {
                bool write_it = !o.read_only || (pass == 1 && (uint64_t)st.st_size < o.size_bytes);

                for (int w = write_it ? 1 : 0; w >= 0; w--) {
                        uint64_t t = now_usec();
                        int64_t n = sweep(&o, fd, buf, w, deadline);

                        if (n < 0) {
                                fprintf(stderr, "fileio: %s %s: %s\n", w ? "write" : "read", o.file,
                                        strerror((int)-n));
                                return 1;
                        }
                        if (n == 0)
                                break; /* the deadline came between two sweeps */
                        report(pass, w ? "wrote" : "read", n, now_usec() - t);
                }
        }
        return 0;
}
