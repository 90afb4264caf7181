/* The daemon keeps itself alive under pressure: memory locked (mlockall),
 * the stack pre-faulted, oom_score_adj -1000. The rest of that (files kept
 * open, no allocation in the steady-state tick) is the observer's. */
#include "daemon/context.h"

#include <link.h>
#include <sys/mman.h>

#include "base/log.h"

/* Stack touched once at start so that, locked, it never faults later (the
 * act layer's work area is ~115 KiB). */
#define STACK_PREFAULT_BYTES (256 * 1024)

static void __attribute__((noinline)) prefault_stack(void)
{
        volatile char buf[STACK_PREFAULT_BYTES];
        for (size_t i = 0; i < sizeof buf; i += 4096)
                buf[i] = 0;
}

#if defined(__SANITIZE_ADDRESS__)
/* ASan's shadow is terabytes of NORESERVE mappings: locking it would try to
 * make all of it resident. */
static int lock_memory(void)
{
        log_notice("Built with AddressSanitizer: memory not locked");
        return 0;
}
#else
/* dl_iterate_phdr callback: mlock (populated) every loadable segment of
 * the first object, the program itself; stop there. */
static int lock_program_segments(struct dl_phdr_info *info, size_t size, void *userdata)
{
        uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        int *ret = userdata;

        (void)size;
        for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                uintptr_t start, end;

                if (ph->p_type != PT_LOAD)
                        continue;
                start = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
                end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
                if (mlock((const void *)start, end - start) < 0 && *ret == 0)
                        *ret = -errno;
        }
        return 1;
}

/* Lock what the daemon uses, not everything it maps. libsystemd brings
 * libraries the daemon never calls (doc/internals.md, "Locking the
 * daemon's memory"). So: the program's own
 * segments (the act path included, which first runs under pressure) are
 * locked and populated now; library and heap pages are locked as they are
 * first touched (MCL_ONFAULT), which the first ticks and the start-up log
 * do for the paths that matter. Kernels before 4.4 lack MCL_ONFAULT:
 * everything is locked then. */
static int lock_memory(void)
{
        int r = 0;

        if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0) {
                if (errno != EINVAL)
                        return -errno;
                return mlockall(MCL_CURRENT | MCL_FUTURE) < 0 ? -errno : 0;
        }
        (void)dl_iterate_phdr(lock_program_segments, &r);
        return r;
}
#endif

void self_protect(const struct fsroot *root)
{
        int r;

        r = lock_memory();
        if (r < 0)
                log_warning_errno(r, "Cannot lock memory (needs CAP_IPC_LOCK or a higher "
                                     "RLIMIT_MEMLOCK)");
        prefault_stack();

        r = fsroot_write_str(root, FSROOT_PROC "/self/oom_score_adj", "-1000");
        if (r < 0)
                log_warning_errno(r, "Cannot set own oom_score_adj to -1000 (needs "
                                     "CAP_SYS_RESOURCE, or OOMScoreAdjust= in the unit)");
}
