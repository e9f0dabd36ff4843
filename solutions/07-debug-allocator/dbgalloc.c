/*
 * dbgalloc.c: a debug allocator (reference solution).
 *
 * Each block handed out sits inside one malloc'd region:
 *
 *   [ struct block header | front guard ][ payload: size bytes ][ tail guard ]
 *                                        ^ the pointer the caller gets
 *
 * The header's magic number sits right before the front guard, so an
 * underflow reaches the guard, then the magic, then the size, and only then
 * the site fields: when the magic and the size are intact, the site is too.
 *
 * Bookkeeping lives outside the blocks, where the caller cannot scribble:
 * `live` lists every block handed out, with its size, and `quarantine` holds
 * the most recently freed blocks, poisoned, until they are evicted. A pointer
 * given to free or realloc is looked up in these tables before anything is
 * read through it; the size in the table, not the one in the header, decides
 * how many bytes are checked, poisoned or copied.
 *
 * Invariants:
 *   live_count <= live_cap; live[0..live_count) are distinct live blocks,
 *   oldest allocation first
 *   current_bytes == sum of live[i].size; peak_bytes >= current_bytes
 *   quarantine_count <= DBG_QUARANTINE_SLOTS; the oldest sits at quarantine_head
 */
#include "dbgalloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_MAGIC  UINT64_C(0x4c4956454d454d31) /* header of a live block */
#define FREED_MAGIC UINT64_C(0x465245454d454d31) /* header of a quarantined block */

struct block {
    const char *file;       /* site of the call that last sized the block; NULL if lost */
    const char *freed_file; /* site of the free, once in quarantine */
    long line;
    long freed_line;
    size_t size;    /* copy of the table's size: a mismatch means damage */
    uint64_t magic; /* LIVE_MAGIC or FREED_MAGIC */
    unsigned char front_guard[DBG_GUARD_SIZE];
    alignas(max_align_t) unsigned char payload[];
};

_Static_assert(offsetof(struct block, payload) ==
                   offsetof(struct block, front_guard) + DBG_GUARD_SIZE,
               "the front guard must touch the payload");

struct entry {
    struct block *block;
    size_t size; /* trusted: the caller cannot reach it */
};

static struct entry *live;
static size_t live_count;
static size_t live_cap;

static struct entry quarantine[DBG_QUARANTINE_SLOTS];
static size_t quarantine_head;
static size_t quarantine_count;

static size_t current_bytes;
static size_t peak_bytes;
static size_t error_counts[DBG_ERROR_KINDS];
static FILE *report_stream; /* NULL means stderr */

static const char *const error_names[DBG_ERROR_KINDS] = {
    "double-free", "invalid-free", "overflow", "underflow", "use-after-free",
};

#define NOT_FOUND SIZE_MAX

/* ---- checking and restoring guard bytes ----------------------------------- */

static int bytes_all(const unsigned char *p, size_t n, unsigned char value)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != value)
            return 0;
    return 1;
}

static unsigned char *tail_guard(const struct entry *e)
{
    return e->block->payload + e->size;
}

static int header_intact(const struct entry *e, uint64_t magic)
{
    const struct block *b = e->block;
    return b->magic == magic && b->size == e->size &&
           bytes_all(b->front_guard, DBG_GUARD_SIZE, DBG_GUARD_BYTE);
}

/* Re-arms the header. If the magic or the size was hit, the site fields
 * further down may be too: forget them rather than print garbage. */
static void repair_header(const struct entry *e, uint64_t magic)
{
    struct block *b = e->block;
    if (b->magic != magic || b->size != e->size) {
        b->file = NULL;
        b->line = 0;
        b->freed_file = NULL;
        b->freed_line = 0;
    }
    b->magic = magic;
    b->size = e->size;
    memset(b->front_guard, DBG_GUARD_BYTE, DBG_GUARD_SIZE);
}

static void arm_tail(const struct entry *e)
{
    memset(tail_guard(e), DBG_GUARD_BYTE, DBG_GUARD_SIZE);
}

/* ---- reports ------------------------------------------------------------------ */

static const char *name_or_unknown(const char *file)
{
    return file != NULL ? file : "?";
}

/* Prints one site, or ?:0 when it is lost or cannot be trusted. */
static void print_site(FILE *out, int trusted, const char *file, long line)
{
    if (trusted && file != NULL)
        fprintf(out, "%s:%ld", file, line);
    else
        fputs("?:0", out);
}

/* One report line; `e` (may be NULL) is the block it concerns. A double free
 * and a use after free concern a block in quarantine, the others a live one.
 * The block's sites are printed only while its magic and size say its header
 * is intact (a repaired header has them intact, and its lost sites NULL). */
static void report(enum dbg_error kind, const void *ptr, const char *file, int line,
                   const struct entry *e)
{
    FILE *out = report_stream != NULL ? report_stream : stderr;
    error_counts[kind]++;
    fprintf(out, "dbg: %s of %p at %s:%d", error_names[kind], ptr, name_or_unknown(file), line);
    if (e != NULL) {
        const struct block *b = e->block;
        int freed = kind == DBG_DOUBLE_FREE || kind == DBG_USE_AFTER_FREE;
        int trusted = b->magic == (freed ? FREED_MAGIC : LIVE_MAGIC) && b->size == e->size;
        fprintf(out, " (%zu bytes allocated at ", e->size);
        print_site(out, trusted, b->file, b->line);
        if (freed) {
            fputs(", freed at ", out);
            print_site(out, trusted, b->freed_file, b->freed_line);
        }
        fputc(')', out);
    }
    fputc('\n', out);
}

/* Checks a live block's guards; reports and re-arms each damaged side. */
static size_t check_live(const struct entry *e, const char *file, int line)
{
    size_t found = 0;
    if (!header_intact(e, LIVE_MAGIC)) {
        repair_header(e, LIVE_MAGIC);
        report(DBG_UNDERFLOW, e->block->payload, file, line, e);
        found++;
    }
    if (!bytes_all(tail_guard(e), DBG_GUARD_SIZE, DBG_GUARD_BYTE)) {
        arm_tail(e);
        report(DBG_OVERFLOW, e->block->payload, file, line, e);
        found++;
    }
    return found;
}

/* Checks a quarantined block: any change to its header, poison or guard is a
 * write through a stale pointer. Reports it once and re-poisons. */
static size_t check_quarantined(const struct entry *e, const char *file, int line)
{
    if (header_intact(e, FREED_MAGIC) && bytes_all(e->block->payload, e->size, DBG_FREED_BYTE) &&
        bytes_all(tail_guard(e), DBG_GUARD_SIZE, DBG_GUARD_BYTE))
        return 0;
    repair_header(e, FREED_MAGIC);
    memset(e->block->payload, DBG_FREED_BYTE, e->size);
    arm_tail(e);
    report(DBG_USE_AFTER_FREE, e->block->payload, file, line, e);
    return 1;
}

/* ---- the tables ----------------------------------------------------------------- */

/* Compares addresses only: never reads through ptr. */
static size_t find_live(const void *ptr)
{
    for (size_t i = 0; i < live_count; i++)
        if (live[i].block->payload == (const unsigned char *)ptr)
            return i;
    return NOT_FOUND;
}

static const struct entry *find_quarantined(const void *ptr)
{
    for (size_t k = 0; k < quarantine_count; k++) {
        const struct entry *e = &quarantine[(quarantine_head + k) % DBG_QUARANTINE_SLOTS];
        if (e->block->payload == (const unsigned char *)ptr)
            return e;
    }
    return NULL;
}

/* Makes room for one more live entry; -1 if the table cannot grow. */
static int reserve_live_slot(void)
{
    if (live_count < live_cap)
        return 0;
    size_t cap = live_cap != 0 ? live_cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof *live)
        return -1;
    struct entry *grown = realloc(live, cap * sizeof *grown);
    if (grown == NULL)
        return -1;
    live = grown;
    live_cap = cap;
    return 0;
}

/* Releases the oldest quarantined block, after checking it was left alone. */
static void evict_oldest(const char *file, int line)
{
    struct entry *oldest = &quarantine[quarantine_head];
    check_quarantined(oldest, file, line);
    free(oldest->block);
    quarantine_head = (quarantine_head + 1) % DBG_QUARANTINE_SLOTS;
    quarantine_count--;
}

static void quarantine_push(struct entry e, const char *file, int line)
{
    if (quarantine_count == DBG_QUARANTINE_SLOTS)
        evict_oldest(file, line);
    quarantine[(quarantine_head + quarantine_count) % DBG_QUARANTINE_SLOTS] = e;
    quarantine_count++;
}

/* ---- allocation and release ------------------------------------------------------- */

static void note_peak(void)
{
    if (current_bytes > peak_bytes)
        peak_bytes = current_bytes;
}

/* A new live block of `size` bytes with armed guards and an uninitialized
 * payload, already in the table; NULL (nothing changed) when out of memory. */
static struct block *new_block(size_t size, const char *file, int line)
{
    if (size > SIZE_MAX - sizeof(struct block) - DBG_GUARD_SIZE)
        return NULL;
    if (reserve_live_slot() != 0)
        return NULL;
    struct block *b = malloc(sizeof *b + size + DBG_GUARD_SIZE);
    if (b == NULL)
        return NULL;
    b->file = file;
    b->line = line;
    b->freed_file = NULL;
    b->freed_line = 0;
    b->size = size;
    b->magic = LIVE_MAGIC;
    memset(b->front_guard, DBG_GUARD_BYTE, DBG_GUARD_SIZE);
    struct entry e = {b, size};
    arm_tail(&e);
    live[live_count++] = e;
    current_bytes += size;
    return b;
}

/* Takes live[i] out of the table: checks it, poisons it, quarantines it. */
static void release_live(size_t i, const char *file, int line)
{
    struct entry e = live[i];
    check_live(&e, file, line);
    /* Close the gap rather than move the last entry in: the table stays in
     * allocation order, the order dbg_check_all reports in. */
    memmove(&live[i], &live[i + 1], (live_count - i - 1) * sizeof *live);
    live_count--;
    current_bytes -= e.size;
    e.block->magic = FREED_MAGIC;
    e.block->freed_file = file;
    e.block->freed_line = line;
    memset(e.block->payload, DBG_FREED_BYTE, e.size);
    quarantine_push(e, file, line);
}

/* ptr is not live: a double free if it is in quarantine, else invalid. */
static void report_unknown(const void *ptr, const char *file, int line)
{
    const struct entry *q = find_quarantined(ptr);
    if (q != NULL)
        report(DBG_DOUBLE_FREE, ptr, file, line, q);
    else
        report(DBG_INVALID_FREE, ptr, file, line, NULL);
}

void *dbg_malloc_at(size_t size, const char *file, int line)
{
    struct block *b = new_block(size, file, line);
    if (b == NULL)
        return NULL;
    memset(b->payload, DBG_FRESH_BYTE, size);
    note_peak();
    return b->payload;
}

void *dbg_calloc_at(size_t count, size_t size, const char *file, int line)
{
    if (count != 0 && size > SIZE_MAX / count)
        return NULL;
    struct block *b = new_block(count * size, file, line);
    if (b == NULL)
        return NULL;
    memset(b->payload, 0, count * size);
    note_peak();
    return b->payload;
}

void *dbg_realloc_at(void *ptr, size_t size, const char *file, int line)
{
    if (ptr == NULL)
        return dbg_malloc_at(size, file, line);
    size_t i = find_live(ptr);
    if (i == NOT_FOUND) {
        report_unknown(ptr, file, line);
        return NULL;
    }
    if (size == 0) {
        release_live(i, file, line);
        return NULL;
    }
    struct block *fresh = new_block(size, file, line);
    if (fresh == NULL)
        return NULL;
    size_t old_size = live[i].size;
    size_t keep = old_size < size ? old_size : size;
    memcpy(fresh->payload, ptr, keep);
    memset(fresh->payload + keep, DBG_FRESH_BYTE, size - keep);
    release_live(i, file, line);
    note_peak();
    return fresh->payload;
}

void dbg_free_at(void *ptr, const char *file, int line)
{
    if (ptr == NULL)
        return;
    size_t i = find_live(ptr);
    if (i == NOT_FOUND) {
        report_unknown(ptr, file, line);
        return;
    }
    release_live(i, file, line);
}

size_t dbg_check_all_at(const char *file, int line)
{
    size_t found = 0;
    for (size_t i = 0; i < live_count; i++)
        found += check_live(&live[i], file, line);
    for (size_t k = 0; k < quarantine_count; k++)
        found += check_quarantined(&quarantine[(quarantine_head + k) % DBG_QUARANTINE_SLOTS], file,
                                   line);
    return found;
}

/* ---- the leak report ------------------------------------------------------------------ */

struct site_total {
    const char *file; /* NULL when the header was damaged */
    long line;
    size_t bytes;
    size_t blocks;
};

static int same_site(const struct site_total *g, const char *file, long line)
{
    return g->line == line && strcmp(name_or_unknown(g->file), name_or_unknown(file)) == 0;
}

/* Largest bytes first, then more blocks, then file name, then line. */
static int compare_sites(const void *pa, const void *pb)
{
    const struct site_total *a = pa;
    const struct site_total *b = pb;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->blocks != b->blocks)
        return a->blocks > b->blocks ? -1 : 1;
    int by_name = strcmp(name_or_unknown(a->file), name_or_unknown(b->file));
    if (by_name != 0)
        return by_name;
    return (a->line > b->line) - (a->line < b->line);
}

/* Adds one live block to its site's total; returns the new number of sites. */
static size_t add_to_site(struct site_total *sites, size_t n, const struct entry *e)
{
    const struct block *b = e->block;
    int trusted = b->magic == LIVE_MAGIC && b->size == e->size;
    const char *file = trusted ? b->file : NULL;
    long line = trusted ? b->line : 0;
    for (size_t k = 0; k < n; k++) {
        if (same_site(&sites[k], file, line)) {
            sites[k].bytes += e->size;
            sites[k].blocks++;
            return n;
        }
    }
    sites[n] = (struct site_total){file, line, e->size, 1};
    return n + 1;
}

size_t dbg_leak_report(FILE *out)
{
    struct site_total *sites = NULL;
    if (live_count != 0) {
        sites = malloc(live_count * sizeof *sites);
        if (sites == NULL) {
            fputs("dbg: leak report failed: out of memory\n", out);
            return live_count;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < live_count; i++)
        n = add_to_site(sites, n, &live[i]);
    if (n > 1)
        qsort(sites, n, sizeof *sites, compare_sites);
    fprintf(out, "dbg: leak summary: %zu bytes in %zu block(s) from %zu site(s)\n", current_bytes,
            live_count, n);
    for (size_t k = 0; k < n; k++)
        fprintf(out, "dbg: leak %zu bytes in %zu block(s) at %s:%ld\n", sites[k].bytes,
                sites[k].blocks, name_or_unknown(sites[k].file), sites[k].line);
    free(sites);
    return live_count;
}

/* ---- state --------------------------------------------------------------------------------- */

void dbg_set_report_stream(FILE *out)
{
    report_stream = out;
}

size_t dbg_error_count(enum dbg_error kind)
{
    return (unsigned)kind < DBG_ERROR_KINDS ? error_counts[kind] : 0;
}

size_t dbg_live_blocks(void)
{
    return live_count;
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
    for (size_t i = 0; i < live_count; i++)
        free(live[i].block);
    while (quarantine_count != 0) {
        free(quarantine[quarantine_head].block);
        quarantine_head = (quarantine_head + 1) % DBG_QUARANTINE_SLOTS;
        quarantine_count--;
    }
    free(live);
    live = NULL;
    live_count = 0;
    live_cap = 0;
    quarantine_head = 0;
    current_bytes = 0;
    peak_bytes = 0;
    memset(error_counts, 0, sizeof error_counts);
    report_stream = NULL;
}
