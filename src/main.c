/* The command line: which command, which options, which exit code. Only this
 * file decides exit codes; doc/thrashguard.8 lists them. */
#include <getopt.h>
#include <stdarg.h>

#include "config/config.h"
#include "config/value.h"
#include "daemon/daemon.h"
#include "daemon/freeze-keeper.h"
#include "base/log.h"
#include "status.h"
#include "base/util.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

enum {
        EXIT_FINE = 0,
        EXIT_RUNTIME = 1,
        EXIT_USAGE = 2, /* usage or configuration error */
};

enum command {
        COMMAND_RUN,
        COMMAND_STATUS,
        COMMAND_CHECK_CONFIG,
        COMMAND_THAW,
        COMMAND_HELP,
};

/* Each option is a bit, so that a command can say which ones it takes. */
enum {
        OPT_CONFIG = 1 << 0,
        OPT_DRY_RUN = 1 << 1,
        OPT_ROOT = 1 << 2,
        OPT_SET = 1 << 3,
        OPT_VERBOSE = 1 << 4,
        OPT_JSON = 1 << 5,
        OPT_RUNTIME_DIR = 1 << 6,
        OPT_WATCH = 1 << 7,
};

/* status --watch without --interval. */
#define WATCH_DEFAULT_USEC (2 * USEC_PER_SEC)

static const struct command_def {
        const char *name;
        enum command command;
        unsigned options;
} commands[] = {
    {"run", COMMAND_RUN,
     OPT_CONFIG | OPT_DRY_RUN | OPT_ROOT | OPT_SET | OPT_VERBOSE | OPT_RUNTIME_DIR},
    {"status", COMMAND_STATUS,
     OPT_JSON | OPT_CONFIG | OPT_ROOT | OPT_SET | OPT_RUNTIME_DIR | OPT_WATCH},
    {"check-config", COMMAND_CHECK_CONFIG, OPT_CONFIG | OPT_SET},
    {"thaw", COMMAND_THAW, OPT_CONFIG | OPT_ROOT | OPT_SET | OPT_RUNTIME_DIR},
    {"help", COMMAND_HELP, 0},
};

struct args {
        const struct command_def *command;
        const char *config_path; /* NULL: CONFIG_DEFAULT_PATH */
        const char *root_dir;
        const char *runtime_dir;
        const char *thaw_cgroup; /* thaw: the one argument */
        const char **sets;
        unsigned n_sets;
        bool dry_run, verbose, json, help, version;
        uint64_t watch_usec;  /* status --watch: 0 once */
        const char *interval; /* status --interval, NULL when not given */
};

static void args_done(struct args *a)
{
        free(a->sets);
        a->sets = NULL;
}

static void help(FILE *f)
{
        fputs("Usage:\n"
              "  thrashguard [run] [-c FILE] [-n|--dry-run] [--root DIR] [--set S.K=V]... [-v]\n"
              "  thrashguard status [--json] [--watch [--interval S]] [-c FILE] [--root DIR]\n"
              "                     [--set S.K=V]... [--runtime-dir DIR]\n"
              "  thrashguard check-config [-c FILE] [--set S.K=V]...\n"
              "  thrashguard thaw CGROUP [-c FILE] [--root DIR] [--runtime-dir DIR]\n"
              "  thrashguard --version | --help\n"
              "\n"
              "Watches memory pressure (PSI) and cgroup statistics and kills or freezes the\n"
              "container that drives the node into reclaim thrashing.\n"
              "\n"
              "Commands:\n"
              "  run            run the daemon (the default)\n"
              "  status         show the running daemon's state (scopes, rules, decisions,\n"
              "                 ranking); without a daemon, a sample of its own\n"
              "  check-config   validate the configuration and print the one in effect\n"
              "  thaw CGROUP    thaw a group (frozen by mode = freeze) and clear its record\n"
              "  help           show this help\n"
              "\n"
              "Options:\n"
              "  -c, --config FILE  configuration file (default " CONFIG_DEFAULT_PATH ";\n"
              "                     when that is missing, the built-in defaults)\n"
              "  -n, --dry-run      decide and report, never touch a process\n"
              "      --root DIR     read /proc and /sys below DIR instead of /\n"
              "      --set S.K=V    override one key, e.g. --set daemon.interval=1s\n"
              "      --json         status: print one JSON object (schema in thrashguard(8))\n"
              "      --watch        status: show it again every interval until interrupted\n"
              "      --interval S   status --watch: the interval (default 2s)\n"
              "      --runtime-dir DIR  where the state and the record of frozen groups are\n"
              "                     kept (default\n"
              "                     $RUNTIME_DIRECTORY, else " FREEZE_RECORD_RUN_DIR ")\n"
              "  -v, --verbose      log debug messages\n"
              "  -h, --help         show this help\n"
              "      --version      show the version\n"
              "\n"
              "Exit status: 0 fine, 1 runtime failure, 2 usage or configuration error.\n"
              "See thrashguard(8) and thrashguard.conf(5).\n",
              f);
}

_printf_(1, 2) static int usage_error(const char *fmt, ...)
{
        va_list ap;

        fputs("thrashguard: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'thrashguard --help'.\n", stderr);
        return -EINVAL;
}

static const struct command_def *command_find(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                if (streq(commands[i].name, name))
                        return &commands[i];
        return NULL;
}

static const char *option_name(unsigned bit)
{
        switch (bit) {
        case OPT_CONFIG:
                return "-c/--config";
        case OPT_DRY_RUN:
                return "-n/--dry-run";
        case OPT_ROOT:
                return "--root";
        case OPT_SET:
                return "--set";
        case OPT_VERBOSE:
                return "-v/--verbose";
        case OPT_RUNTIME_DIR:
                return "--runtime-dir";
        case OPT_WATCH:
                return "--watch/--interval";
        default:
                return "--json";
        }
}

/* Fills a from argv; on a usage error says so on stderr and returns
 * -EINVAL. The command comes first; "run" may be left out. */
static int parse_args(int argc, char **argv, struct args *a)
{
        enum {
                ARG_ROOT = 0x100,
                ARG_SET,
                ARG_JSON,
                ARG_VERSION,
                ARG_RUNTIME_DIR,
                ARG_WATCH,
                ARG_INTERVAL
        };
        static const struct option options[] = {
            {"config", required_argument, NULL, 'c'},
            {"dry-run", no_argument, NULL, 'n'},
            {"root", required_argument, NULL, ARG_ROOT},
            {"set", required_argument, NULL, ARG_SET},
            {"verbose", no_argument, NULL, 'v'},
            {"json", no_argument, NULL, ARG_JSON},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, ARG_VERSION},
            {"runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR},
            {"watch", no_argument, NULL, ARG_WATCH},
            {"interval", required_argument, NULL, ARG_INTERVAL},
            {},
        };
        int first = 0, c;

        *a = (struct args){.command = &commands[0]};
        if (argc > 1 && argv[1][0] != '-') {
                a->command = command_find(argv[1]);
                if (!a->command)
                        return usage_error("unknown command '%s'", argv[1]);
                first = 1;
        }
        /* thaw CGROUP [OPTIONS]: the group may come before the options. */
        if (first == 1 && a->command->command == COMMAND_THAW && argc > 2 && argv[2][0] != '-') {
                a->thaw_cgroup = argv[2];
                first = 2;
        }
        a->sets = calloc((size_t)argc, sizeof *a->sets);
        if (!a->sets)
                return -ENOMEM;

        /* "+": options end at the first non-option, so nothing is permuted
         * behind the command; ":": we word the errors ourselves. */
        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc - first, argv + first, "+:c:nvh", options, NULL)) >= 0) {
                unsigned bit = 0;

                switch (c) {
                case 'c':
                        bit = OPT_CONFIG;
                        a->config_path = optarg;
                        break;
                case 'n':
                        bit = OPT_DRY_RUN;
                        a->dry_run = true;
                        break;
                case ARG_ROOT:
                        bit = OPT_ROOT;
                        a->root_dir = optarg;
                        break;
                case ARG_SET:
                        bit = OPT_SET;
                        a->sets[a->n_sets++] = optarg;
                        break;
                case 'v':
                        bit = OPT_VERBOSE;
                        a->verbose = true;
                        break;
                case ARG_JSON:
                        bit = OPT_JSON;
                        a->json = true;
                        break;
                case 'h':
                        a->help = true;
                        break;
                case ARG_VERSION:
                        a->version = true;
                        break;
                case ARG_RUNTIME_DIR:
                        bit = OPT_RUNTIME_DIR;
                        a->runtime_dir = optarg;
                        break;
                case ARG_WATCH:
                        bit = OPT_WATCH;
                        a->watch_usec = WATCH_DEFAULT_USEC;
                        break;
                case ARG_INTERVAL:
                        bit = OPT_WATCH;
                        a->interval = optarg;
                        break;
                case ':':
                        return usage_error("option '%s' needs an argument",
                                           argv[first + optind - 1]);
                default:
                        if (optopt > 0 && optopt < 0x100)
                                return usage_error("unknown option '-%c'", optopt);
                        if (optopt)
                                return usage_error("option '%s' takes no argument",
                                                   argv[first + optind - 1]);
                        return usage_error("unknown option '%s'", argv[first + optind - 1]);
                }
                if (bit && !(a->command->options & bit))
                        return usage_error("'%s' does not take %s", a->command->name,
                                           option_name(bit));
        }
        /* thaw takes its group as the one argument after the options. */
        if (a->command->command == COMMAND_THAW && !a->help && !a->thaw_cgroup) {
                if (first + optind >= argc)
                        return usage_error("thaw needs a cgroup path");
                a->thaw_cgroup = argv[first + optind];
                optind++;
        }
        if (first + optind < argc) {
                if (command_find(argv[first + optind]))
                        return usage_error("the command '%s' comes before the options",
                                           argv[first + optind]);
                return usage_error("unexpected argument '%s'", argv[first + optind]);
        }
        if (a->config_path && !*a->config_path)
                return usage_error("-c needs a file name");
        if (a->root_dir && !*a->root_dir)
                return usage_error("--root needs a directory");
        if (a->runtime_dir && a->runtime_dir[0] != '/')
                return usage_error("--runtime-dir needs an absolute path");
        if (a->interval) {
                if (!a->watch_usec)
                        return usage_error("--interval goes with --watch");
                if (duration_parse(a->interval, &a->watch_usec) < 0 || a->watch_usec == 0)
                        return usage_error("--interval needs a duration above 0, e.g. 1s or 500ms, "
                                           "not '%s'",
                                           a->interval);
        }
        return 0;
}

/* Loads and validates the configuration the way the command will; the
 * daemon and status load it again themselves (the daemon on every
 * SIGHUP), this load only decides between exit codes 0 and 2 up front. */
static int load_config(const struct args *a, const struct run_options *o, struct config *ret)
{
        struct config_error err;
        int r;

        r = run_options_load_config(o, false, ret, &err);
        const char *m;

        if (r >= 0)
                return 0;
        /* The daemon's stderr is the journal: give it a priority there. For
         * a person at a terminal, a plain line for each error. */
        if (a->command->command == COMMAND_RUN)
                return run_options_log_config_error(&err, r);
        if (err.n == 0)
                fprintf(stderr, "thrashguard: configuration: %s\n", strerror(-r));
        for (unsigned i = 0; (m = config_error_get(&err, i)); i++)
                fprintf(stderr, "thrashguard: %s\n", m);
        if (err.n > 1 + CONFIG_ERRORS_MORE)
                fprintf(stderr, "thrashguard: ... and %u more error(s)\n",
                        err.n - 1 - CONFIG_ERRORS_MORE);
        return r;
}

static int dispatch(const struct args *a)
{
        _cleanup_free_ struct config *c = malloc(sizeof *c);
        struct run_options o = {
            .config_path = a->config_path,
            .root_dir = a->root_dir ?: "/",
            .sets = a->sets,
            .n_sets = a->n_sets,
            .force_dry_run = a->dry_run,
            .runtime_dir = a->runtime_dir,
        };
        int r;

        if (!c) {
                log_error_errno(-ENOMEM, "cannot start");
                return EXIT_RUNTIME;
        }
        r = load_config(a, &o, c);
        if (r < 0)
                return r == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;

        switch (a->command->command) {
        case COMMAND_CHECK_CONFIG:
                config_print(c, stdout);
                if (fflush(stdout) != 0 || ferror(stdout)) {
                        fprintf(stderr, "thrashguard: writing the configuration: %s\n",
                                strerror(errno));
                        return EXIT_RUNTIME;
                }
                return EXIT_FINE;
        case COMMAND_STATUS:
                r = status_run(&o, a->json, a->watch_usec, stdout);
                if (r < 0) {
                        fprintf(stderr, "thrashguard: status: %s\n", strerror(-r));
                        return EXIT_RUNTIME;
                }
                return EXIT_FINE;
        case COMMAND_RUN:
                r = daemon_run(&o);
                if (r < 0) {
                        log_error_errno(r, "stopped on failure");
                        return EXIT_RUNTIME;
                }
                return EXIT_FINE;
        case COMMAND_THAW:
                r = freeze_keeper_thaw_command(&o, a->thaw_cgroup);
                if (r == -EINVAL)
                        return EXIT_USAGE;
                return r < 0 ? EXIT_RUNTIME : EXIT_FINE;
        case COMMAND_HELP:
                break;
        }
        help(stdout);
        return EXIT_FINE;
}

int main(int argc, char **argv)
{
        struct args a;
        int r;

        r = parse_args(argc, argv, &a);
        if (r < 0) {
                args_done(&a);
                return r == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
        }
        if (a.help || a.command->command == COMMAND_HELP) {
                help(stdout);
                r = EXIT_FINE;
        } else if (a.version) {
                printf("thrashguard %s\n", VERSION);
                r = EXIT_FINE;
        } else {
                if (a.verbose)
                        log_set_level(LOG_LEVEL_DEBUG);
                r = dispatch(&a);
        }
        args_done(&a);
        return r;
}
