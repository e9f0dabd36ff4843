/*
 * ring_buffer.c: variable-length messages in a fixed ring (see ring_buffer.h).
 *
 * A record at offset o: bytes [o, o + HDR) hold the message length, bytes
 * [o + HDR, o + HDR + len) the message. A header holding SKIP means "the
 * rest of the buffer is unused: the next record is at offset 0".
 */
#include "ring_buffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HDR  sizeof(size_t)
#define SKIP SIZE_MAX

struct ring_buffer *rb_new(size_t cap)
{
    cap -= cap % RB_ALIGN;
    if (cap == 0)
        return NULL;
    struct ring_buffer *r = malloc(sizeof *r);
    if (r == NULL)
        return NULL;
    r->buf = malloc(cap);
    if (r->buf == NULL) {
        free(r);
        return NULL;
    }
    r->cap = cap;
    r->head = r->tail = r->used = r->count = 0;
    return r;
}

static size_t read_header(const struct ring_buffer *r, size_t at)
{
    size_t len;
    memcpy(&len, r->buf + at, HDR);
    return len;
}

static void write_header(struct ring_buffer *r, size_t at, size_t len)
{
    memcpy(r->buf + at, &len, HDR);
}

/* Bytes a record of len takes: header plus len rounded up; 0 if too big. */
static size_t record_size(size_t len)
{
    if (len > SIZE_MAX - HDR - RB_ALIGN)
        return 0;
    return HDR + (len + RB_ALIGN - 1) / RB_ALIGN * RB_ALIGN;
}

int rb_push(struct ring_buffer *r, const void *data, size_t len)
{
    size_t need = record_size(len);
    size_t to_end = r->cap - r->head;
    size_t skip = need > to_end ? to_end : 0;
    if (need == 0 || need > r->cap || need > r->cap - r->used)
        return -1;
    if (skip != 0) {
        write_header(r, r->head, SKIP);
        r->head = 0;
    }
    write_header(r, r->head, len);
    memcpy(r->buf + r->head, data, len);
    r->head = (r->head + need) % r->cap;
    r->used += skip + need;
    r->count++;
    return 0;
}

/* Moves tail past a skip marker, if one is there. */
static void skip_to_record(struct ring_buffer *r)
{
    if (r->count != 0 && read_header(r, r->tail) == SKIP) {
        r->used -= r->cap - r->tail;
        r->tail = 0;
    }
}

const void *rb_front(struct ring_buffer *r, size_t *len)
{
    if (r->count == 0)
        return NULL;
    skip_to_record(r);
    *len = read_header(r, r->tail);
    return r->buf + r->tail + HDR;
}

void rb_pop(struct ring_buffer *r)
{
    if (r->count == 0)
        return;
    skip_to_record(r);
    size_t need = record_size(read_header(r, r->tail));
    r->tail = (r->tail + need) % r->cap;
    r->used -= need;
    r->count--;
}

void rb_free(struct ring_buffer *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r);
}
