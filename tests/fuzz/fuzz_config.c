/* The configuration loader: any file is loaded or refused without a memory
 * error; what loads prints (config_print) to a file that loads back to the
 * same configuration, field by field, and prints the same text again. The
 * input is handed over as a memfd, so no file is written. */
#include <sys/mman.h>
#include <unistd.h>

#include "config-equal.h"
#include "config/config.h"
#include "fuzz.h"

/* Loads size bytes of text over the defaults; the result of the load. */
static int load(const char *text, size_t size, struct config *ret, struct config_error *err)
{
        char path[64];
        int fd = memfd_create("fuzz-config", MFD_CLOEXEC), r;

        FUZZ_CHECK(fd >= 0, "memfd_create");
        FUZZ_CHECK(size == 0 || write(fd, text, size) == (ssize_t)size, "write");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        config_init(ret);
        r = config_load_file(ret, path, err);
        close(fd);
        return r;
}

static char *print(const struct config *c, size_t *ret_size)
{
        char *text = NULL;
        FILE *f = open_memstream(&text, ret_size);

        FUZZ_CHECK(f, "open_memstream");
        config_print(c, f);
        fclose(f);
        return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct config a, b;
        struct config_error err = {.n = 0};
        size_t n1, n2;
        char *t1, *t2;
        const char *diff;

        if (load((const char *)data, size, &a, &err) < 0)
                return 0;
        t1 = print(&a, &n1);
        FUZZ_CHECK(load(t1, n1, &b, &err) == 0, "printed configuration refused: %s\n%s",
                   err.message, t1);
        diff = config_diff(&a, &b);
        FUZZ_CHECK(!diff, "%s differs after print and load\n%s", diff, t1);
        t2 = print(&b, &n2);
        FUZZ_CHECK(n1 == n2 && memcmp(t1, t2, n1) == 0, "printed twice differently");
        /* A configuration that loads may still contradict itself; either way
         * the check must not crash. */
        (void)config_validate(&a, &err);
        free(t1);
        free(t2);
        return 0;
}
