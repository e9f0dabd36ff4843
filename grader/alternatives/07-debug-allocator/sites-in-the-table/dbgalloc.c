/*
 * dbgalloc.c: a debug allocator (an alternative design).
 *
 * How it differs from keeping the sites in each block's header:
 *   - The sites (where a block was allocated and freed) live in the table
 *     entries, outside the blocks, where no underflow can reach them: they are
 *     never lost, and the header in front of a block holds only a copy of the
 *     size and a magic number, both checked.
 *   - The quarantine is a plain array, oldest first; a block that leaves it
 *     is taken from the front and the rest slide down with memmove.
 *   - A new block is allocated first, and the table grown after; if the table
 *     cannot grow, the block is freed again and the call fails.
 *   - The leak report needs no memory: it finds each site's line by scanning
 *     the table, so it never has to say that it ran out of memory.
 *
 * One block, one malloc:
 *   [ size copy | magic | front guard ][ payload: size bytes ][ tail guard ]
 *
 * Invariants: table[0..count) are the live blocks, oldest allocation first;
 * held[0..nheld) the quarantine, oldest free first, nheld <= 16;
 * current_bytes is the sum of table[i].size.
 */
#include "dbgalloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LIVE  UINT64_C(0x6c6976652d626c6b)
#define FREED UINT64_C(0x667265652d626c6b)

struct region {
    uint64_t size;  /* must equal the entry's size */
    uint64_t magic; /* LIVE or FREED */
    unsigned char front[DBG_GUARD_SIZE];
    alignas(max_align_t) unsigned char payload[];
};

_Static_assert(offsetof(struct region, payload) == offsetof(struct region, front) + DBG_GUARD_SIZE,
               "the front guard touches the payload");

struct entry {
    struct region *r;
    size_t size;
    const char *file;       /* where it was allocated */
    const char *freed_file; /* where it was freed, once in quarantine */
    int line;
    int freed_line;
};

static struct entry *table;
static size_t count;
static size_t cap;
static struct entry held[DBG_QUARANTINE_SLOTS];
static size_t nheld;
static size_t current_bytes;
static size_t peak_bytes;
static size_t errors[DBG_ERROR_KINDS];
static FILE *sink; /* NULL: stderr */

static const char *const names[DBG_ERROR_KINDS] = {
    [DBG_DOUBLE_FREE] = "double-free",
    [DBG_INVALID_FREE] = "invalid-free",
    [DBG_OVERFLOW] = "overflow",
    [DBG_UNDERFLOW] = "underflow",
    [DBG_USE_AFTER_FREE] = "use-after-free",
};

static const char *text(const char *file)
{
    return file != NULL ? file : "?";
}

/* e is NULL for an invalid free; `freed` says whether e is in quarantine. */
static void report(enum dbg_error kind, const void *ptr, const char *file, int line,
                   const struct entry *e, int freed)
{
    FILE *out = sink != NULL ? sink : stderr;
    errors[kind] += 1;
    fprintf(out, "dbg: %s of %p at %s:%d", names[kind], ptr, text(file), line);
    if (e != NULL && freed)
        fprintf(out, " (%zu bytes allocated at %s:%d, freed at %s:%d)", e->size, text(e->file),
                e->line, text(e->freed_file), e->freed_line);
    else if (e != NULL)
        fprintf(out, " (%zu bytes allocated at %s:%d)", e->size, text(e->file), e->line);
    fputc('\n', out);
}

/* ---- guards ---------------------------------------------------------------- */

static int unchanged(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static int front_ok(const struct entry *e, uint64_t magic)
{
    return e->r->magic == magic && e->r->size == e->size &&
           unchanged(e->r->front, DBG_GUARD_SIZE, DBG_GUARD_BYTE);
}

static int tail_ok(const struct entry *e)
{
    return unchanged(e->r->payload + e->size, DBG_GUARD_SIZE, DBG_GUARD_BYTE);
}

static void set_front(const struct entry *e, uint64_t magic)
{
    e->r->size = e->size;
    e->r->magic = magic;
    memset(e->r->front, DBG_GUARD_BYTE, DBG_GUARD_SIZE);
}

static void set_tail(const struct entry *e)
{
    memset(e->r->payload + e->size, DBG_GUARD_BYTE, DBG_GUARD_SIZE);
}

static size_t check_live(const struct entry *e, const char *file, int line)
{
    size_t n = 0;
    if (!front_ok(e, LIVE)) {
        set_front(e, LIVE);
        report(DBG_UNDERFLOW, e->r->payload, file, line, e, 0);
        n++;
    }
    if (!tail_ok(e)) {
        set_tail(e);
        report(DBG_OVERFLOW, e->r->payload, file, line, e, 0);
        n++;
    }
    return n;
}

static size_t check_held(const struct entry *e, const char *file, int line)
{
    if (front_ok(e, FREED) && tail_ok(e) && unchanged(e->r->payload, e->size, DBG_FREED_BYTE))
        return 0;
    set_front(e, FREED);
    set_tail(e);
    memset(e->r->payload, DBG_FREED_BYTE, e->size);
    report(DBG_USE_AFTER_FREE, e->r->payload, file, line, e, 1);
    return 1;
}

/* ---- the tables ---------------------------------------------------------------- */

static size_t live_index(const void *p)
{
    for (size_t i = 0; i < count; i++)
        if ((const void *)table[i].r->payload == p)
            return i;
    return count;
}

static const struct entry *held_entry(const void *p)
{
    for (size_t k = 0; k < nheld; k++)
        if ((const void *)held[k].r->payload == p)
            return &held[k];
    return NULL;
}

/* Puts e at the back of the quarantine; the block that no longer fits leaves
 * from the front, checked, and goes back to free. */
static void hold(struct entry e, const char *file, int line)
{
    if (nheld == DBG_QUARANTINE_SLOTS) {
        check_held(&held[0], file, line);
        free(held[0].r);
        memmove(&held[0], &held[1], (nheld - 1) * sizeof held[0]);
        nheld--;
    }
    held[nheld++] = e;
}

/* Takes table[i] out: check, poison, quarantine. */
static void retire(size_t i, const char *file, int line)
{
    struct entry e = table[i];
    check_live(&e, file, line);
    memmove(&table[i], &table[i + 1], (count - i - 1) * sizeof table[0]);
    count--;
    current_bytes -= e.size;
    e.r->magic = FREED;
    e.freed_file = file;
    e.freed_line = line;
    memset(e.r->payload, DBG_FREED_BYTE, e.size);
    hold(e, file, line);
}

static void not_live(const void *ptr, const char *file, int line)
{
    const struct entry *e = held_entry(ptr);
    if (e != NULL)
        report(DBG_DOUBLE_FREE, ptr, file, line, e, 1);
    else
        report(DBG_INVALID_FREE, ptr, file, line, NULL, 0);
}

/* Appends a new live block of n bytes (guards set, payload unfilled) and
 * returns its payload; NULL, with nothing changed, if memory runs out. */
static unsigned char *add(size_t n, const char *file, int line)
{
    if (n > SIZE_MAX - sizeof(struct region) - DBG_GUARD_SIZE)
        return NULL;
    struct region *r = malloc(sizeof *r + n + DBG_GUARD_SIZE);
    if (r == NULL)
        return NULL;
    if (count == cap) {
        size_t more = cap < 32 ? 32 : cap + cap / 2;
        struct entry *t = more <= SIZE_MAX / sizeof *t ? realloc(table, more * sizeof *t) : NULL;
        if (t == NULL) {
            free(r);
            return NULL;
        }
        table = t;
        cap = more;
    }
    struct entry e = {.r = r, .size = n, .file = file, .line = line};
    set_front(&e, LIVE);
    set_tail(&e);
    table[count++] = e;
    current_bytes += n;
    return r->payload;
}

static void update_peak(void)
{
    if (peak_bytes < current_bytes)
        peak_bytes = current_bytes;
}

/* ---- the API ---------------------------------------------------------------------- */

void *dbg_malloc_at(size_t size, const char *file, int line)
{
    unsigned char *p = add(size, file, line);
    if (p != NULL) {
        memset(p, DBG_FRESH_BYTE, size);
        update_peak();
    }
    return p;
}

void *dbg_calloc_at(size_t count_, size_t size, const char *file, int line)
{
    if (count_ != 0 && size > SIZE_MAX / count_)
        return NULL;
    unsigned char *p = add(count_ * size, file, line);
    if (p != NULL) {
        memset(p, 0, count_ * size);
        update_peak();
    }
    return p;
}

void *dbg_realloc_at(void *ptr, size_t size, const char *file, int line)
{
    if (ptr == NULL)
        return dbg_malloc_at(size, file, line);
    size_t i = live_index(ptr);
    if (i == count) {
        not_live(ptr, file, line);
        return NULL;
    }
    if (size == 0) {
        retire(i, file, line);
        return NULL;
    }
    size_t old = table[i].size;
    unsigned char *p = add(size, file, line);
    if (p == NULL)
        return NULL;
    size_t keep = old < size ? old : size;
    memcpy(p, ptr, keep);
    memset(p + keep, DBG_FRESH_BYTE, size - keep);
    retire(i, file, line); /* i is still the old block: add appended at the end */
    update_peak();
    return p;
}

void dbg_free_at(void *ptr, const char *file, int line)
{
    if (ptr == NULL)
        return;
    size_t i = live_index(ptr);
    if (i == count)
        not_live(ptr, file, line);
    else
        retire(i, file, line);
}

size_t dbg_check_all_at(const char *file, int line)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += check_live(&table[i], file, line);
    for (size_t k = 0; k < nheld; k++)
        n += check_held(&held[k], file, line);
    return n;
}

/* ---- the leak report, without memory ------------------------------------------------- */

struct site {
    const char *file;
    int line;
    size_t bytes;
    size_t blocks;
};

static int same_site(const struct entry *e, const char *file, int line)
{
    return e->line == line && strcmp(text(e->file), text(file)) == 0;
}

/* Whether table[i] is the first entry of its site. */
static int first_of_site(size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (same_site(&table[j], table[i].file, table[i].line))
            return 0;
    return 1;
}

static struct site site_of(size_t i)
{
    struct site s = {table[i].file, table[i].line, 0, 0};
    for (size_t j = i; j < count; j++) {
        if (same_site(&table[j], s.file, s.line)) {
            s.bytes += table[j].size;
            s.blocks++;
        }
    }
    return s;
}

/* The report's order: larger totals, then more blocks, then file, then line. */
static int comes_before(const struct site *a, const struct site *b)
{
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes;
    if (a->blocks != b->blocks)
        return a->blocks > b->blocks;
    int c = strcmp(text(a->file), text(b->file));
    if (c != 0)
        return c < 0;
    return a->line < b->line;
}

size_t dbg_leak_report(FILE *out)
{
    size_t sites = 0;
    for (size_t i = 0; i < count; i++)
        sites += first_of_site(i);
    fprintf(out, "dbg: leak summary: %zu bytes in %zu block(s) from %zu site(s)\n", current_bytes,
            count, sites);
    struct site last = {0};
    for (size_t k = 0; k < sites; k++) {
        struct site best = {0};
        int found = 0;
        for (size_t i = 0; i < count; i++) {
            if (!first_of_site(i))
                continue;
            struct site s = site_of(i);
            if (k > 0 && !comes_before(&last, &s))
                continue;
            if (!found || comes_before(&s, &best)) {
                best = s;
                found = 1;
            }
        }
        fprintf(out, "dbg: leak %zu bytes in %zu block(s) at %s:%d\n", best.bytes, best.blocks,
                text(best.file), best.line);
        last = best;
    }
    return count;
}

/* ---- state ------------------------------------------------------------------------------ */

void dbg_set_report_stream(FILE *out)
{
    sink = out;
}

size_t dbg_error_count(enum dbg_error kind)
{
    if ((int)kind < 0 || (int)kind >= DBG_ERROR_KINDS)
        return 0;
    return errors[kind];
}

size_t dbg_live_blocks(void)
{
    return count;
}

size_t dbg_current_bytes(void)
{
    return current_bytes;
}

size_t dbg_peak_bytes(void)
{
    return peak_bytes;
}

void dbg_reset(void)
{
    for (size_t i = 0; i < count; i++)
        free(table[i].r);
    for (size_t k = 0; k < nheld; k++)
        free(held[k].r);
    free(table);
    table = NULL;
    count = 0;
    cap = 0;
    nheld = 0;
    current_bytes = 0;
    peak_bytes = 0;
    memset(errors, 0, sizeof errors);
    sink = NULL;
}
