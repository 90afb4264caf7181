/* monotime: print CLOCK_MONOTONIC.
 *
 * Shell scripts have no monotonic clock of their own ($EPOCHREALTIME can
 * jump, /proc/uptime is CLOCK_BOOTTIME at 10 ms resolution), and the
 * end-to-end tests compare their timestamps with the daemon's and with
 * journald's __MONOTONIC_TIMESTAMP, which are CLOCK_MONOTONIC. */
#include "tool.h"

static void usage(void)
{
        printf("Usage: monotime [--ms|--us]\n"
               "\n"
               "Prints CLOCK_MONOTONIC in milliseconds (default) or microseconds.\n");
}

int main(int argc, char **argv)
{
        uint64_t t = now_usec();

        if (argc > 2)
                usage_error("monotime", "too many arguments");
        if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                usage();
                return 0;
        }
        if (argc == 2 && !strcmp(argv[1], "--us"))
                printf("%" PRIu64 "\n", t);
        else if (argc == 1 || !strcmp(argv[1], "--ms"))
                printf("%" PRIu64 "\n", t / USEC_PER_MSEC);
        else
                usage_error("monotime", "unknown option '%s'", argv[1]);
        return 0;
}
