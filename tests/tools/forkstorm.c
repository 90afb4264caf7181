/* forkstorm: processes that are never the same ones for long.
 *
 * --width chains run side by side; each link lives --life-us, forks the next
 * link and exits.  About --width processes are alive at any moment, but
 * their pids change all the time, so a killer that reads cgroup.procs and
 * then kills pid by pid always finds new ones: only an atomic kill
 * (cgroup.kill, or freeze first) empties the group.  The count cannot grow,
 * since each link forks exactly once and then exits.
 *
 * The main process stays, as a subreaper, so the orphaned links are reaped
 * here and not by init, and so the storm has one stable pid. */
#include "tool.h"

#include <sys/wait.h>

#define MAX_WIDTH      256
#define FORK_RETRIES   100
#define REAP_POLL_USEC (10 * USEC_PER_MSEC)

struct options {
        unsigned width;
        uint64_t duration_sec;
        uint64_t life_usec;
};

static void usage(void)
{
        printf("Usage: forkstorm [--width N] [--duration S] [--life-us N]\n"
               "\n"
               "Keeps about --width processes alive (1..%d, default 16), each of which\n"
               "forks its successor and exits after --life-us microseconds (default 1000;\n"
               "0 forks as fast as the machine allows).  Stops forking after --duration S\n"
               "(default 30); whatever is left %d s later is killed with its process\n"
               "group.  The main process (its own process group leader) reaps the links\n"
               "and prints how many there were.\n"
               "\n"
               "Exit status: 0 done, 1 failure, 2 bad arguments.\n",
               MAX_WIDTH, TOOL_GRACE_SEC);
}

static struct options parse_args(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"width", required_argument, NULL, 'w'},
            {"duration", required_argument, NULL, 'd'},
            {"life-us", required_argument, NULL, 'l'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        struct options o = {.width = 16, .duration_sec = 30, .life_usec = 1000};
        int c;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'w':
                        o.width = (unsigned)opt_u64("forkstorm", "--width", optarg, 1, MAX_WIDTH);
                        break;
                case 'd':
                        o.duration_sec = opt_u64("forkstorm", "--duration", optarg, 1, 3600);
                        break;
                case 'l':
                        o.life_usec = opt_u64("forkstorm", "--life-us", optarg, 0, USEC_PER_SEC);
                        break;
                case 'h':
                        usage();
                        exit(0);
                default:
                        usage_error("forkstorm", "bad option");
                }
        }
        if (optind < argc)
                usage_error("forkstorm", "unexpected argument '%s'", argv[optind]);
        return o;
}

/* Ends every link: they are all in our process group.  SIGUSR1, whose
 * default action terminates, is ignored here first so the main process
 * survives to reap them; links inherit that only if forked by the main
 * process afterwards, which none is. */
static void kill_links(void)
{
        signal(SIGUSR1, SIG_IGN);
        kill(0, SIGUSR1);
}

/* One chain: the calling process becomes each link in turn. */
static __attribute__((noreturn)) void chain(uint64_t deadline, uint64_t life_usec)
{
        for (;;) {
                pid_t pid;
                int tries = 0;

                if (life_usec)
                        sleep_until_usec(now_usec() + life_usec);
                if (now_usec() >= deadline)
                        _exit(0);
                while ((pid = fork()) < 0) {
                        /* Out of pids or memory: back off rather than spin,
                         * and let the chain end if it lasts. */
                        if (++tries == FORK_RETRIES)
                                _exit(1);
                        sleep_until_usec(now_usec() + USEC_PER_MSEC);
                }
                if (pid > 0)
                        _exit(0);
        }
}

int main(int argc, char **argv)
{
        struct options o = parse_args(argc, argv);
        uint64_t deadline = now_usec() + o.duration_sec * USEC_PER_SEC;
        uint64_t kill_at = deadline + TOOL_GRACE_SEC * USEC_PER_SEC;
        uint64_t reaped = 0;
        bool killed = false;

        arm_hard_deadline(o.duration_sec + TOOL_GRACE_SEC);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                fprintf(stderr, "forkstorm: cannot become a subreaper: %m\n");
                return 1;
        }
        /* Our own process group, so that the final kill(-pgid) reaches every
         * link and nothing else. */
        if (getpgrp() != getpid() && setpgid(0, 0) < 0) {
                fprintf(stderr, "forkstorm: setpgid: %m\n");
                return 1;
        }

        for (unsigned i = 0; i < o.width; i++) {
                pid_t pid = fork();

                if (pid < 0) {
                        fprintf(stderr, "forkstorm: fork: %m\n");
                        kill_links();
                        return 1;
                }
                if (pid == 0)
                        chain(deadline, o.life_usec);
        }

        /* Orphaned links are reparented to us; ECHILD therefore means the
         * whole storm is over. */
        for (;;) {
                pid_t pid = waitpid(-1, NULL, WNOHANG);

                if (pid > 0) {
                        reaped++;
                        continue;
                }
                if (pid < 0 && errno == ECHILD)
                        break;
                if (!killed && now_usec() >= kill_at) {
                        kill_links();
                        killed = true;
                }
                sleep_until_usec(now_usec() + REAP_POLL_USEC);
        }

        fprintf(stderr, "forkstorm: %" PRIu64 " processes over %" PRIu64 " s%s\n", reaped,
                o.duration_sec, killed ? " (stragglers killed)" : "");
        return killed ? 1 : 0;
}
