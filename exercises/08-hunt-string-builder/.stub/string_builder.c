/*
 * string_builder.c: the builder of string_builder.h.
 *
 * The buffer doubles when it is full, so n appends cost O(n) copies in
 * all. Any pointer into the buffer is stale after reserve(): recompute it
 * from sb->data afterwards.
 */
#include "string_builder.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { SB_FIRST_CAP = 16 };

int sb_init(struct sb *sb)
{
    sb->data = malloc(SB_FIRST_CAP);
    if (sb->data == NULL) {
        sb->len = sb->cap = 0;
        return -1;
    }
    sb->data[0] = '\0';
    sb->len = 0;
    sb->cap = SB_FIRST_CAP;
    return 0;
}

/* Makes room for n more bytes and the terminator; on failure nothing
 * changes. May move the buffer. */
static int reserve(struct sb *sb, size_t n)
{
    if (n > SIZE_MAX - 1 - sb->len)
        return -1;
    size_t need = sb->len + n + 1;
    if (need <= sb->cap)
        return 0;
    size_t cap = sb->cap != 0 ? sb->cap : SB_FIRST_CAP;
    while (cap < need)
        cap = cap <= SIZE_MAX / 2 ? cap * 2 : need;
    sb->data = realloc(sb->data, cap);
    sb->cap = cap;
    return 0;
}

int sb_append_n(struct sb *sb, const char *s, size_t n)
{
    char *end = sb->data + sb->len;
    if (reserve(sb, n) != 0)
        return -1;
    memcpy(end, s, n);
    end[n] = '\0';
    sb->len += n;
    return 0;
}

int sb_append(struct sb *sb, const char *s)
{
    return sb_append_n(sb, s, strlen(s));
}

int sb_repeat(struct sb *sb, const char *s, size_t times)
{
    size_t n = strlen(s);
    if (reserve(sb, n * times) != 0)
        return -1;
    for (size_t i = 0; i < times; i++) {
        memcpy(sb->data + sb->len, s, n);
        sb->len += n;
    }
    sb->data[sb->len] = '\0';
    return 0;
}

const char *sb_str(const struct sb *sb)
{
    return sb->data != NULL ? sb->data : "";
}

char *sb_take(struct sb *sb)
{
    char *data = sb->data;
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return data;
}

void sb_free(struct sb *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}
