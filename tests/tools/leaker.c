/* leaker: anonymous memory that grows at a steady rate, like a leak.
 *
 * The growth follows the clock, not the loop: at every step the total
 * touched is brought up to rate * elapsed, so a step delayed by reclaim is
 * caught up rather than stretching the leak. */
#include "tool.h"

#define STEP_USEC (100 * USEC_PER_MSEC)

struct options {
        uint64_t rate_bytes_per_sec;
        uint64_t max_bytes;
        uint64_t duration_sec;
};

static void usage(void)
{
        printf("Usage: leaker --rate MiB/s [--max MiB] [--duration S]\n"
               "\n"
               "Grows anonymous memory at --rate MiB per second, touching every page, in\n"
               "steps of %" PRIu64 " ms.  Growth stops at --max MiB; the memory is then held\n"
               "until --duration ends.\n"
               "\n"
               "  --rate MiB/s   growth rate, 1..65536 (required)\n"
               "  --max MiB      stop growing here (default: rate * duration)\n"
               "  --duration S   exit after S seconds (default 120)\n"
               "\n"
               "Prints the final size on exit.  Exit status: 0 done, 1 failure, 2 bad\n"
               "arguments.  Without --max in a small group, expect the kernel OOM killer.\n",
               STEP_USEC / USEC_PER_MSEC);
}

static struct options parse_args(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"rate", required_argument, NULL, 'r'},
            {"max", required_argument, NULL, 'm'},
            {"duration", required_argument, NULL, 'd'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        struct options o = {.duration_sec = 120};
        int c;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'r':
                        o.rate_bytes_per_sec = opt_u64("leaker", "--rate", optarg, 1, 65536) * MIB;
                        break;
                case 'm':
                        o.max_bytes = opt_u64("leaker", "--max", optarg, 1, 1 << 20) * MIB;
                        break;
                case 'd':
                        o.duration_sec = opt_u64("leaker", "--duration", optarg, 1, 86400);
                        break;
                case 'h':
                        usage();
                        exit(0);
                default:
                        usage_error("leaker", "bad option");
                }
        }
        if (optind < argc)
                usage_error("leaker", "unexpected argument '%s'", argv[optind]);
        if (!o.rate_bytes_per_sec)
                usage_error("leaker", "--rate is required");
        if (!o.max_bytes || o.max_bytes > o.rate_bytes_per_sec * o.duration_sec)
                o.max_bytes = o.rate_bytes_per_sec * o.duration_sec;
        return o;
}

int main(int argc, char **argv)
{
        struct options o = parse_args(argc, argv);
        uint64_t start = now_usec(), end = start + o.duration_sec * USEC_PER_SEC;
        size_t len = (size_t)o.max_bytes, touched = 0;
        char *mem;

        arm_hard_deadline(o.duration_sec);
        /* Reserve the whole range now; pages are only charged as touched. */
        mem = map_anon(len);
        if (!mem) {
                fprintf(stderr, "leaker: mmap %zu bytes: %m\n", len);
                return 1;
        }

        for (uint64_t step = start + STEP_USEC;; step += STEP_USEC) {
                uint64_t t = now_usec();
                uint64_t want = (t - start) * o.rate_bytes_per_sec / USEC_PER_SEC;
                size_t target = want < len ? (size_t)want : len;

                target = (target + TOOL_PAGE_BYTES - 1) / TOOL_PAGE_BYTES * TOOL_PAGE_BYTES;
                if (target > len)
                        target = len;
                if (target > touched) {
                        touch_pages(mem + touched, target - touched, 0);
                        touched = target;
                }
                if (t >= end)
                        break;
                sleep_until_usec(step < end ? step : end);
        }

        fprintf(stderr, "leaker: held %zu MiB at exit\n", touched / (size_t)MIB);
        return 0;
}
