/* Reading JSON (see json-in.h): recursive descent over a bounded depth. */
#include "base/json-in.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct parser {
        const char *p, *end;
};

static void skip_ws(struct parser *ps)
{
        while (ps->p < ps->end &&
               (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
                ps->p++;
}

static bool take(struct parser *ps, const char *word)
{
        size_t n = strlen(word);
        if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
                return false;
        ps->p += n;
        return true;
}

static int hex4(struct parser *ps, unsigned *ret)
{
        unsigned v = 0;

        if (ps->end - ps->p < 4)
                return -EINVAL;
        for (int i = 0; i < 4; i++) {
                char c = *ps->p++;
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (unsigned)(c - 'A' + 10);
                else
                        return -EINVAL;
        }
        *ret = v;
        return 0;
}

static size_t utf8_put(unsigned cp, char *out)
{
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xe0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char)(0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        return 4;
}

/* At the opening quote. The decoded string is never longer than its
 * source, so one allocation of the source's length serves. */
static int parse_string(struct parser *ps, char **ret)
{
        const char *start = ++ps->p;
        const char *q = start;
        _cleanup_free_ char *s = NULL;
        size_t n = 0;

        while (q < ps->end && *q != '"')
                q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
        if (q >= ps->end)
                return -EINVAL;
        s = malloc((size_t)(q - start) + 1);
        if (!s)
                return -ENOMEM;
        /* Decoding never reads past the closing quote. */
        struct parser in = {.p = start, .end = q};
        while (in.p < in.end) {
                unsigned char c = (unsigned char)*in.p++;
                unsigned cp;
                if (c < 0x20)
                        return -EINVAL;
                if (c != '\\') {
                        s[n++] = (char)c;
                        continue;
                }
                c = (unsigned char)*in.p++;
                switch (c) {
                case '"':
                case '\\':
                case '/':
                        s[n++] = (char)c;
                        break;
                case 'b':
                        s[n++] = '\b';
                        break;
                case 'f':
                        s[n++] = '\f';
                        break;
                case 'n':
                        s[n++] = '\n';
                        break;
                case 'r':
                        s[n++] = '\r';
                        break;
                case 't':
                        s[n++] = '\t';
                        break;
                case 'u':
                        if (hex4(&in, &cp) < 0 || cp == 0)
                                return -EINVAL;
                        if (cp >= 0xd800 && cp <= 0xdbff) {
                                unsigned lo;
                                if (!take(&in, "\\u") || hex4(&in, &lo) < 0 || lo < 0xdc00 ||
                                    lo > 0xdfff)
                                        return -EINVAL;
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        } else if (cp >= 0xdc00 && cp <= 0xdfff)
                                return -EINVAL;
                        /* Six source bytes (twelve for a pair) give at most
                         * four: the allocation still holds. */
                        n += utf8_put(cp, s + n);
                        break;
                default:
                        return -EINVAL;
                }
        }
        ps->p = q + 1;
        s[n] = 0;
        *ret = TAKE_PTR(s);
        return 0;
}

static int parse_number(struct parser *ps, double *ret)
{
        const char *q = ps->p;
        char tmp[64];
        char *e;
        size_t n;

        if (q < ps->end && *q == '-')
                q++;
        if (q >= ps->end || *q < '0' || *q > '9')
                return -EINVAL;
        if (*q == '0' && q + 1 < ps->end && q[1] >= '0' && q[1] <= '9')
                return -EINVAL;
        while (q < ps->end && ((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' ||
                               *q == '+' || *q == '-'))
                q++;
        n = (size_t)(q - ps->p);
        if (n >= sizeof tmp)
                return -EINVAL;
        memcpy(tmp, ps->p, n);
        tmp[n] = 0;
        errno = 0;
        *ret = strtod(tmp, &e);
        if (*e || !isfinite(*ret) || tmp[n - 1] == '.')
                return -EINVAL;
        ps->p = q;
        return 0;
}

static int parse_value(struct parser *ps, unsigned depth, struct json_value *v);

/* Appends a zeroed slot to v's items (and keys for objects). */
static struct json_value *grow(struct json_value *v, size_t *cap)
{
        if (v->n == *cap) {
                size_t ncap = *cap ? *cap * 2 : 4;
                struct json_value *items = reallocarray(v->items, ncap, sizeof *items);
                if (!items)
                        return NULL;
                v->items = items;
                if (v->type == JSON_OBJECT) {
                        char **keys = reallocarray(v->keys, ncap, sizeof *keys);
                        if (!keys)
                                return NULL;
                        v->keys = keys;
                }
                *cap = ncap;
        }
        v->items[v->n] = (struct json_value){.type = JSON_NULL};
        if (v->type == JSON_OBJECT)
                v->keys[v->n] = NULL;
        return &v->items[v->n++];
}

static int parse_container(struct parser *ps, unsigned depth, struct json_value *v)
{
        bool object = *ps->p == '{';
        char close = object ? '}' : ']';
        size_t cap = 0;
        int r;

        if (depth >= JSON_DEPTH_MAX)
                return -EINVAL;
        v->type = object ? JSON_OBJECT : JSON_ARRAY;
        ps->p++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == close) {
                ps->p++;
                return 0;
        }
        for (;;) {
                struct json_value *item = grow(v, &cap);
                if (!item)
                        return -ENOMEM;
                skip_ws(ps);
                if (object) {
                        if (ps->p >= ps->end || *ps->p != '"')
                                return -EINVAL;
                        r = parse_string(ps, &v->keys[v->n - 1]);
                        if (r < 0)
                                return r;
                        skip_ws(ps);
                        if (!take(ps, ":"))
                                return -EINVAL;
                }
                r = parse_value(ps, depth + 1, item);
                if (r < 0)
                        return r;
                skip_ws(ps);
                if (take(ps, ","))
                        continue;
                if (ps->p < ps->end && *ps->p == close) {
                        ps->p++;
                        return 0;
                }
                return -EINVAL;
        }
}

static int parse_value(struct parser *ps, unsigned depth, struct json_value *v)
{
        skip_ws(ps);
        if (ps->p >= ps->end)
                return -EINVAL;
        switch (*ps->p) {
        case '{':
        case '[':
                return parse_container(ps, depth, v);
        case '"':
                v->type = JSON_STRING;
                return parse_string(ps, &v->string);
        case 't':
        case 'f':
                v->type = JSON_BOOL;
                v->boolean = *ps->p == 't';
                return take(ps, v->boolean ? "true" : "false") ? 0 : -EINVAL;
        case 'n':
                v->type = JSON_NULL;
                return take(ps, "null") ? 0 : -EINVAL;
        default:
                v->type = JSON_NUMBER;
                return parse_number(ps, &v->number);
        }
}

static void value_done(struct json_value *v)
{
        for (size_t i = 0; i < v->n; i++) {
                value_done(&v->items[i]);
                if (v->keys)
                        free(v->keys[i]);
        }
        free(v->items);
        free(v->keys);
        free(v->string);
}

void json_free(struct json_value *v)
{
        if (!v)
                return;
        value_done(v);
        free(v);
}

int json_parse(const char *buf, size_t len, struct json_value **ret)
{
        struct parser ps = {.p = buf, .end = buf + len};
        struct json_value *v = calloc(1, sizeof *v);
        int r;

        if (!v)
                return -ENOMEM;
        r = parse_value(&ps, 0, v);
        skip_ws(&ps);
        if (r >= 0 && ps.p != ps.end)
                r = -EINVAL;
        if (r < 0) {
                json_free(v);
                return r;
        }
        *ret = v;
        return 0;
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
        if (!obj || obj->type != JSON_OBJECT)
                return NULL;
        for (size_t i = 0; i < obj->n; i++)
                if (obj->keys[i] && streq(obj->keys[i], key))
                        return &obj->items[i];
        return NULL;
}

const char *json_get_str(const struct json_value *obj, const char *key)
{
        const struct json_value *v = json_get(obj, key);
        return v && v->type == JSON_STRING ? v->string : NULL;
}

bool json_get_num(const struct json_value *obj, const char *key, double *ret)
{
        const struct json_value *v = json_get(obj, key);
        if (!v || v->type != JSON_NUMBER)
                return false;
        *ret = v->number;
        return true;
}

bool json_get_bool(const struct json_value *obj, const char *key, bool def)
{
        const struct json_value *v = json_get(obj, key);
        return v && v->type == JSON_BOOL ? v->boolean : def;
}

const struct json_value *json_get_array(const struct json_value *obj, const char *key)
{
        const struct json_value *v = json_get(obj, key);
        return v && v->type == JSON_ARRAY ? v : NULL;
}
