/* The scanning the parsers (parse.h) share. Every input is untrusted: the
 * scanners only ever look at the byte under the cursor and stop at the
 * terminating NUL, so overlong lines, missing newlines and binary junk
 * cannot make them read out of bounds. Nothing copies a line, so there is
 * no line-length limit to get wrong. Not for use outside observe/. */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include "base/decimal.h"
#include "base/util.h"
#include "observe/parse.h"

static inline bool is_blank(char c)
{
        return c == ' ' || c == '\t';
}

static inline bool is_eol(char c)
{
        return c == '\n' || c == '\0';
}

static inline const char *skip_blanks(const char *p)
{
        while (is_blank(*p))
                p++;
        return p;
}

static inline const char *skip_to_eol(const char *p)
{
        while (!is_eol(*p))
                p++;
        return p;
}

/* Trailing blanks are tolerated; anything else before the end of the line is
 * trailing garbage. */
static inline bool at_eol(const char *p)
{
        return is_eol(*skip_blanks(p));
}

/* Kernel files report overflow as plain malformation, as parse.h promises. */
static inline int einval_if_erange(int r)
{
        return r == -ERANGE ? -EINVAL : r;
}
