/* What config_print writes loads back to the same configuration: for every
 * key of the table, seeded pseudo-random values of its type (spelled as a
 * person would, set through config_set so that they are values a load can
 * produce), printed, loaded, compared field by field and printed again. */
#include "testutil.h"

#include <inttypes.h>

#include "config-equal.h"
#include "config/config-internal.h"
#include "config/config.h"

struct rng {
        uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
        /* xorshift64*: deterministic across machines and libcs. */
        r->s ^= r->s >> 12;
        r->s ^= r->s << 25;
        r->s ^= r->s >> 27;
        return r->s * UINT64_C(2685821657736338717);
}

/* Uniform enough in lo..hi (inclusive). */
static uint64_t rnd_range(struct rng *r, uint64_t lo, uint64_t hi)
{
        return hi - lo == UINT64_MAX ? rnd(r) : lo + rnd(r) % (hi - lo + 1);
}

/* A decimal in lo..hi with 0..6 fraction digits, as text. */
static void rnd_decimal(struct rng *r, double lo, double hi, char *buf, size_t size)
{
        static const uint64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
        unsigned digits = (unsigned)rnd_range(r, 0, 6);
        uint64_t scale = pow10[digits];
        uint64_t v = rnd_range(r, (uint64_t)(lo * (double)scale), (uint64_t)(hi * (double)scale));

        if (digits == 0)
                snprintf(buf, size, "%" PRIu64, v);
        else
                snprintf(buf, size, "%" PRIu64 ".%0*" PRIu64, v / scale, (int)digits, v % scale);
}

static void rnd_duration(struct rng *r, const struct key_def *k, char *buf, size_t size)
{
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {{"us", 1}, {"ms", 1000}, {"s", 1000000}, {"min", 60000000}, {"h", 3600000000}};
        unsigned u = (unsigned)rnd_range(r, 0, ARRAY_SIZE(units) - 1);
        uint64_t lo = ((uint64_t)k->min + units[u].usec - 1) / units[u].usec;
        uint64_t hi = (uint64_t)k->max / units[u].usec;

        if (lo > hi)
                u = 0, lo = (uint64_t)k->min, hi = (uint64_t)k->max;
        snprintf(buf, size, "%" PRIu64 "%s", rnd_range(r, lo, hi), units[u].suffix);
}

static void rnd_size(struct rng *r, const struct key_def *k, char *buf, size_t size)
{
        static const char *const suffixes[] = {"", "K", "M", "G", "T"};
        unsigned u = (unsigned)rnd_range(r, 0, ARRAY_SIZE(suffixes) - 1);
        uint64_t mult = UINT64_C(1) << (10 * u);

        if (rnd(r) % 2) {
                rnd_decimal(r, k->min_pct, k->max_pct, buf, size);
                str_appendf(buf, size, "%%");
                return;
        }
        snprintf(buf, size, "%" PRIu64 "%s",
                 rnd_range(r, ((uint64_t)k->min + mult - 1) / mult, (uint64_t)k->max / mult),
                 suffixes[u]);
}

/* Bytes an item may hold (check_item_text in config-load.c), weighted
 * towards the ones that mean something to fnmatch or to the INI format. */
static const char item_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                 "/.-_@:+~!$%^&()|\\{}<>[[[]]]***???;;##\xc3\xa9\xe2\x82\xac";

static void rnd_item(struct rng *r, const struct key_def *k, char *buf, size_t size)
{
        static const char *const shapes[] = {"[rank]", "[daemon]", "[ab]x", "[", "]", "[]"};
        char msg[256];

        for (;;) {
                size_t len = rnd(r) % 8 == 0 ? (size_t)rnd_range(r, 1, ITEM_MAX_CHARS)
                                             : (size_t)rnd_range(r, 1, 24);
                if (rnd(r) % 6 == 0)
                        snprintf(buf, size, "%s", shapes[rnd(r) % ARRAY_SIZE(shapes)]);
                else {
                        for (size_t i = 0; i < len; i++)
                                buf[i] = item_chars[rnd(r) % (sizeof item_chars - 1)];
                        buf[len] = 0;
                        if (streq(k->key, "scopes"))
                                buf[0] = '/';
                }
                if (buf[0] == '#' || buf[0] == ';')
                        continue;
                /* Cut a multi-byte character at the end: still bytes. */
                if (!k->check_item || k->check_item(buf, msg, sizeof msg) == 0)
                        return;
        }
}

static void rnd_list(struct rng *r, const struct key_def *k, char *buf, size_t size)
{
        unsigned n = (unsigned)rnd_range(r, (uint64_t)k->min, (uint64_t)k->max);
        char item[CONFIG_PATTERN_MAX];

        buf[0] = 0;
        for (unsigned i = 0; i < n; i++) {
                rnd_item(r, k, item, sizeof item);
                if (k->unique && (strstr(buf, item)))
                        continue; /* a prefix of another is skipped too: fine */
                str_appendf(buf, size, "%s%s", i ? (rnd(r) % 2 ? " " : ",") : "", item);
        }
}

/* A random spelling of a random valid value of k. */
static void rnd_value(struct rng *r, const struct key_def *k, char *buf, size_t size)
{
        static const char *const bools[] = {"true", "false", "yes", "no", "on", "off", "1", "0"};

        switch (k->type) {
        case KEY_BOOL:
                snprintf(buf, size, "%s", bools[rnd(r) % ARRAY_SIZE(bools)]);
                return;
        case KEY_DURATION:
                rnd_duration(r, k, buf, size);
                return;
        case KEY_PERCENT:
                rnd_decimal(r, k->min, k->max, buf, size);
                if (rnd(r) % 2)
                        str_appendf(buf, size, "%%");
                return;
        case KEY_RATE:
                rnd_decimal(r, k->min, rnd(r) % 2 ? 1 : k->max, buf, size);
                return;
        case KEY_SIZE:
                rnd_size(r, k, buf, size);
                return;
        case KEY_UINT:
                snprintf(buf, size, "%" PRIu64, rnd_range(r, (uint64_t)k->min, (uint64_t)k->max));
                return;
        case KEY_ENUM:
                snprintf(buf, size, "%s", k->names[rnd(r) % names_count(k->names)]);
                return;
        case KEY_LIST:
                rnd_list(r, k, buf, size);
                return;
        }
}

static char *print_to_string(const struct config *c)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        config_print(c, f);
        assert_int_equal(fclose(f), 0);
        return text;
}

/* Prints a, loads that over the defaults into ret. */
static void print_and_load(const struct config *a, struct config *ret, char **ret_text)
{
        struct config_error err = {};
        char path[] = "/tmp/test_config_roundtrip.XXXXXX";
        char *text = print_to_string(a);
        int fd = mkstemp(path);
        size_t len = strlen(text);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, len), (ssize_t)len);
        close(fd);
        config_init(ret);
        if (config_load_file(ret, path, &err) != 0)
                fail_msg("%s\n---\n%s", err.message, text);
        unlink(path);
        *ret_text = text;
}

/* Each key alone, many values: the field changes, and comes back. */
static void test_each_key(void **state)
{
        static struct config a, b, defaults;
        struct rng r = {.s = 0x9e3779b97f4a7c15};
        static char value[CONFIG_MAX_PATTERNS * (CONFIG_PATTERN_MAX + 1) + 64];
        static char set[sizeof value + 64];

        (void)state;
        config_init(&defaults);
        for (size_t i = 0; i < N_KEYS; i++) {
                const struct key_def *k = &config_keys[i];
                bool changed = false;
                for (unsigned round = 0; round < 60; round++) {
                        _cleanup_free_ char *text = NULL, *text2 = NULL;
                        struct config_error err = {};

                        rnd_value(&r, k, value, sizeof value);
                        snprintf(set, sizeof set, "%s.%s=%s", k->section, k->key, value);
                        config_init(&a);
                        if (config_set(&a, set, &err) != 0)
                                fail_msg("generated a bad value: %s", err.message);
                        changed |= config_diff(&a, &defaults) != NULL;
                        print_and_load(&a, &b, &text);
                        if (config_diff(&a, &b))
                                fail_msg("%s: field %s differs after the round trip\n%s", set,
                                         config_diff(&a, &b), text);
                        text2 = print_to_string(&b);
                        assert_string_equal(text, text2);
                }
                /* Also proves that config_diff looks at this key's field. */
                if (!changed)
                        fail_msg("[%s] %s never differed from its default", k->section, k->key);
        }
}

/* All keys at once, each at a random value, the lists long enough to wrap. */
static void test_all_keys(void **state)
{
        static struct config a, b;
        struct rng r = {.s = 20240613};
        static char value[CONFIG_MAX_PATTERNS * (CONFIG_PATTERN_MAX + 1) + 64];
        static char set[sizeof value + 64];

        (void)state;
        for (unsigned round = 0; round < 200; round++) {
                _cleanup_free_ char *text = NULL;
                config_init(&a);
                for (size_t i = 0; i < N_KEYS; i++) {
                        const struct key_def *k = &config_keys[i];
                        struct config_error err = {};
                        rnd_value(&r, k, value, sizeof value);
                        snprintf(set, sizeof set, "%s.%s=%s", k->section, k->key, value);
                        if (config_set(&a, set, &err) != 0)
                                fail_msg("generated a bad value: %s", err.message);
                }
                print_and_load(&a, &b, &text);
                if (config_diff(&a, &b))
                        fail_msg("round %u: field %s differs\n%s", round, config_diff(&a, &b),
                                 text);
        }
}

/* The shapes that broke it: an item starting with '[' at the start of a
 * continuation line, in every length up to the longest item. */
static void test_bracket_items(void **state)
{
        static struct config a, b;

        (void)state;
        for (size_t len = 1; len <= ITEM_MAX_CHARS; len++) {
                _cleanup_free_ char *text = NULL;
                config_init(&a);
                memset(&a.rank.prefer, 0, sizeof a.rank.prefer);
                a.rank.prefer.n = 3;
                memset(a.rank.prefer.items[0], 'x', 90);
                memset(a.rank.prefer.items[1], '[', len);
                strcpy(a.rank.prefer.items[2], "[rank]");
                print_and_load(&a, &b, &text);
                if (config_diff(&a, &b))
                        fail_msg("length %zu: %s differs\n%s", len, config_diff(&a, &b), text);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_each_key),
            cmocka_unit_test(test_all_keys),
            cmocka_unit_test(test_bracket_items),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
