/* read_to_end over files of every length around its buffer's growth and
 * its cap, written to a memfd, and over a real seq_file of the kernel. */
#include <fcntl.h>
#include <sys/mman.h>

#include "testutil.h"
#include "base/read-to-end.h"

/* A memfd holding len bytes, 'a' + i % 26 at offset i, its offset left at
 * the end (read_to_end reads from 0 whatever the offset). */
static int file_of(size_t len)
{
        int fd = memfd_create("read-to-end", MFD_CLOEXEC);
        char *text = malloc(len + 1);

        assert_true(fd >= 0);
        assert_non_null(text);
        for (size_t i = 0; i < len; i++)
                text[i] = (char)('a' + i % 26);
        assert_int_equal(write(fd, text, len), (ssize_t)len);
        free(text);
        return fd;
}

static void test_lengths(void **state)
{
        static const struct {
                size_t len, max;
                int ret;
        } cases[] = {
            {0, 100, 0},
            {1, 100, 0},
            {99, 100, 0},
            {100, 100, 0},
            {101, 100, -EFBIG},
            {5000, 100, -EFBIG},
            {0, 0, 0},
            {1, 0, -EFBIG},
            {4094, 1 << 20, 0},
            {4095, 1 << 20, 0},
            {4096, 1 << 20, 0},
            {4097, 1 << 20, 0},
            {300000, 1 << 20, 0},
            {8191, 8191, 0},
            {8192, 8191, -EFBIG},
        };
        (void)state;

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                int fd = file_of(cases[i].len);
                char *buf = (char *)"untouched";
                size_t len = 12345;

                assert_int_equal(read_to_end(fd, cases[i].max, &buf, &len), cases[i].ret);
                if (cases[i].ret < 0) {
                        assert_string_equal(buf, "untouched");
                        assert_int_equal(len, 12345);
                } else {
                        assert_int_equal(len, cases[i].len);
                        assert_int_equal(strlen(buf), cases[i].len);
                        for (size_t k = 0; k < len; k++)
                                assert_int_equal(buf[k], 'a' + k % 26);
                        free(buf);
                }
                close(fd);
        }
}

static void test_not_a_file(void **state)
{
        int p[2];
        char *buf;
        size_t len;
        (void)state;

        assert_int_equal(read_to_end(-EBADF, 10, &buf, &len), -EBADF);
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(read_to_end(p[0], 10, &buf, &len), -ESPIPE);
        close(p[0]);
        close(p[1]);
}

/* /proc/self/status is a seq_file of about a KiB: the read must give all
 * of it, down to its last line. */
static void test_seq_file(void **state)
{
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        char *buf;
        size_t len;
        (void)state;

        assert_true(fd >= 0);
        assert_int_equal(read_to_end(fd, 1 << 20, &buf, &len), 0);
        assert_true(len > 0);
        assert_true(startswith(buf, "Name:"));
        assert_non_null(strstr(buf, "\nnonvoluntary_ctxt_switches:"));
        assert_int_equal(buf[len - 1], '\n');
        free(buf);
        close(fd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_lengths),
            cmocka_unit_test(test_not_a_file),
            cmocka_unit_test(test_seq_file),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
