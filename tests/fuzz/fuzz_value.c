/* The config value parsers of value.h on one input: memory errors, the
 * results they may return, ret written only on success, and the ranges
 * they promise. */
#include <errno.h>
#include <limits.h>
#include <math.h>

#include "fuzz.h"
#include "config/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_string(data, size);
        struct size_or_pct sz = {.bytes = 7};
        uint64_t usec = 7;
        double pct = -1, num = -1;
        unsigned u = 7;
        bool b = true;
        int r;

        r = size_parse(s, &sz);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE, "size %d", r);
        if (r == 0 && sz.is_pct)
                FUZZ_CHECK(sz.pct >= 0 && sz.pct <= 100 && sz.bytes == 0, "size %% %g", sz.pct);
        if (r < 0)
                FUZZ_CHECK(sz.bytes == 7, "size written on failure");

        r = duration_parse(s, &usec);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE, "duration %d", r);
        FUZZ_CHECK(r == 0 || usec == 7, "duration written on failure");

        r = percent_parse(s, &pct);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE, "percent %d", r);
        FUZZ_CHECK(r == 0 ? pct >= 0 && pct <= 100 : pct == -1, "percent %g", pct);

        r = number_parse(s, &num);
        FUZZ_CHECK(r == 0 || r == -EINVAL, "number %d", r);
        FUZZ_CHECK(r == 0 ? isfinite(num) && num >= 0 : num == -1, "number %g", num);

        r = uint_parse(s, &u);
        FUZZ_CHECK(r == 0 || r == -EINVAL, "uint %d", r);
        FUZZ_CHECK(r == 0 || u == 7, "uint written on failure");

        r = bool_parse(s, &b);
        FUZZ_CHECK(r == 0 || r == -EINVAL, "bool %d", r);
        FUZZ_CHECK(r == 0 || b, "bool written on failure");

        free(s);
        return 0;
}
