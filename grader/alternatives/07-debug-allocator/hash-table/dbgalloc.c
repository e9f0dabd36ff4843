/*
 * dbgalloc.c: a debug allocator (an alternative design).
 *
 * How it differs from a growable array of live blocks:
 *   - Every block has a record of its own, malloc'd apart from the block, so
 *     that the caller's writes cannot reach it. Live records are found through
 *     a chained hash table keyed by the payload address (lookup in constant
 *     time on average), and threaded on a doubly linked list, oldest first:
 *     the order dbg_check_all reports in.
 *   - The bucket array grows when the table gets crowded. If it cannot grow,
 *     the chains just get longer: growth never makes an allocation fail.
 *   - A freed block keeps its record, which moves to a FIFO list of at most
 *     DBG_QUARANTINE_SLOTS records: no ring of slots, no index arithmetic.
 *   - The leak report sorts one group per block by site, merges neighbours,
 *     then sorts the groups into the report's order.
 *
 * One block, one malloc:
 *   [ struct header | front guard ][ payload: size bytes ][ tail guard ]
 * The magic number sits right before the front guard; the site fields sit in
 * front of it, so an underflow reaches them last, and only after changing the
 * magic or the size copy.
 *
 * Invariants:
 *   live_count records are linked from oldest to newest and from buckets;
 *   quarantine_count <= DBG_QUARANTINE_SLOTS records are linked from q_first
 *   (freed first) to q_last; current_bytes is the sum of live record sizes.
 */
#include "dbgalloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_LIVE    UINT64_C(0x4c49564542304b31)
#define MAGIC_FREED   UINT64_C(0x4652454542304b31)
#define FIRST_BUCKETS 64

struct header {
    uint64_t size; /* copy of the record's size: a mismatch means damage */
    const char *file;
    long line;
    const char *freed_file;
    long freed_line;
    uint64_t magic;
    unsigned char front[DBG_GUARD_SIZE];
    alignas(max_align_t) unsigned char payload[];
};

_Static_assert(offsetof(struct header, payload) == offsetof(struct header, front) + DBG_GUARD_SIZE,
               "no padding between the front guard and the payload");
_Static_assert(offsetof(struct header, magic) + sizeof(uint64_t) == offsetof(struct header, front),
               "the magic number touches the front guard");

struct record {
    unsigned char *payload; /* the key: what the caller got */
    struct header *h;       /* the region from malloc */
    size_t size;            /* trusted */
    struct record *chain;   /* next in the same bucket */
    struct record *older;   /* allocation order (live records only) */
    struct record *newer;   /* allocation order, or free order in quarantine */
};

/* A bucket heads a chain of records (a struct, so that the array holds
 * buckets, not bare pointers). */
struct bucket {
    struct record *head;
};

static struct bucket *buckets;
static size_t bucket_count; /* 0 or a power of two */
static size_t live_count;
static struct record *oldest;
static struct record *newest;

static struct record *q_first; /* freed first: the next to leave */
static struct record *q_last;
static size_t quarantine_count;

static size_t current_bytes;
static size_t peak_bytes;
static size_t errors[DBG_ERROR_KINDS];
static FILE *stream; /* NULL: stderr */

/* ---- the hash table ------------------------------------------------------- */

static size_t bucket_of(const void *p, size_t count)
{
    uint64_t x = (uint64_t)(uintptr_t)p >> 4;
    x *= UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(x >> 32) & (count - 1);
}

/* Doubles the buckets when crowded; keeps the old ones if that fails. */
static void maybe_grow_buckets(void)
{
    if (live_count <= bucket_count)
        return;
    size_t count = bucket_count * 2;
    struct bucket *grown = calloc(count, sizeof *grown);
    if (grown == NULL)
        return;
    for (size_t b = 0; b < bucket_count; b++) {
        struct record *r = buckets[b].head;
        while (r != NULL) {
            struct record *next = r->chain;
            size_t to = bucket_of(r->payload, count);
            r->chain = grown[to].head;
            grown[to].head = r;
            r = next;
        }
    }
    free(buckets);
    buckets = grown;
    bucket_count = count;
}

static struct record *find_live(const void *p)
{
    if (bucket_count == 0)
        return NULL;
    for (struct record *r = buckets[bucket_of(p, bucket_count)].head; r != NULL; r = r->chain)
        if (r->payload == (const unsigned char *)p)
            return r;
    return NULL;
}

static struct record *find_quarantined(const void *p)
{
    for (struct record *r = q_first; r != NULL; r = r->newer)
        if (r->payload == (const unsigned char *)p)
            return r;
    return NULL;
}

static void link_live(struct record *r)
{
    size_t b = bucket_of(r->payload, bucket_count);
    r->chain = buckets[b].head;
    buckets[b].head = r;
    r->older = newest;
    r->newer = NULL;
    if (newest != NULL)
        newest->newer = r;
    else
        oldest = r;
    newest = r;
    live_count++;
    current_bytes += r->size;
}

static void unlink_live(struct record *r)
{
    struct record **link = &buckets[bucket_of(r->payload, bucket_count)].head;
    while (*link != r)
        link = &(*link)->chain;
    *link = r->chain;
    if (r->older != NULL)
        r->older->newer = r->newer;
    else
        oldest = r->newer;
    if (r->newer != NULL)
        r->newer->older = r->older;
    else
        newest = r->older;
    live_count--;
    current_bytes -= r->size;
}

/* ---- reports ------------------------------------------------------------------ */

static const char *const kind_names[DBG_ERROR_KINDS] = {
    "double-free", "invalid-free", "overflow", "underflow", "use-after-free",
};

/* A site as the report prints it: "?:0" when it is lost or the header that
 * holds it fails its own check. */
static void put_site(FILE *out, int trusted, const char *file, long line)
{
    if (!trusted || file == NULL)
        fputs("?:0", out);
    else
        fprintf(out, "%s:%ld", file, line);
}

/* Double frees and uses after free concern a quarantined record; overflows
 * and underflows a live one. */
static void report(enum dbg_error kind, const void *ptr, const char *file, int line,
                   const struct record *r)
{
    FILE *out = stream != NULL ? stream : stderr;
    errors[kind]++;
    fprintf(out, "dbg: %s of %p at %s:%d", kind_names[kind], ptr, file != NULL ? file : "?", line);
    if (r != NULL) {
        const struct header *h = r->h;
        int freed = kind == DBG_DOUBLE_FREE || kind == DBG_USE_AFTER_FREE;
        int trusted = h->magic == (freed ? MAGIC_FREED : MAGIC_LIVE) && h->size == r->size;
        fprintf(out, " (%zu bytes allocated at ", r->size);
        put_site(out, trusted, h->file, h->line);
        if (freed) {
            fputs(", freed at ", out);
            put_site(out, trusted, h->freed_file, h->freed_line);
        }
        fputs(")", out);
    }
    fputs("\n", out);
}

/* ---- checks --------------------------------------------------------------------- */

static int all(const unsigned char *p, size_t n, unsigned char v)
{
    while (n-- > 0)
        if (*p++ != v)
            return 0;
    return 1;
}

static unsigned char *tail(const struct record *r)
{
    return r->payload + r->size;
}

/* The header as this record expects it; if the magic or the size was hit,
 * forget the sites first, since the bytes in front of them may be garbage. */
static void restore_header(struct record *r, uint64_t magic)
{
    struct header *h = r->h;
    if (h->magic != magic || h->size != r->size) {
        h->file = NULL;
        h->freed_file = NULL;
    }
    h->magic = magic;
    h->size = r->size;
    memset(h->front, DBG_GUARD_BYTE, DBG_GUARD_SIZE);
}

static int header_ok(const struct record *r, uint64_t magic)
{
    return r->h->magic == magic && r->h->size == r->size &&
           all(r->h->front, DBG_GUARD_SIZE, DBG_GUARD_BYTE);
}

static size_t check_live(struct record *r, const char *file, int line)
{
    size_t found = 0;
    if (!header_ok(r, MAGIC_LIVE)) {
        restore_header(r, MAGIC_LIVE);
        report(DBG_UNDERFLOW, r->payload, file, line, r);
        found++;
    }
    if (!all(tail(r), DBG_GUARD_SIZE, DBG_GUARD_BYTE)) {
        memset(tail(r), DBG_GUARD_BYTE, DBG_GUARD_SIZE);
        report(DBG_OVERFLOW, r->payload, file, line, r);
        found++;
    }
    return found;
}

static size_t check_quarantined(struct record *r, const char *file, int line)
{
    if (header_ok(r, MAGIC_FREED) && all(r->payload, r->size, DBG_FREED_BYTE) &&
        all(tail(r), DBG_GUARD_SIZE, DBG_GUARD_BYTE))
        return 0;
    restore_header(r, MAGIC_FREED);
    memset(r->payload, DBG_FREED_BYTE, r->size);
    memset(tail(r), DBG_GUARD_BYTE, DBG_GUARD_SIZE);
    report(DBG_USE_AFTER_FREE, r->payload, file, line, r);
    return 1;
}

/* ---- allocation and release ---------------------------------------------------------- */

static void note_peak(void)
{
    if (current_bytes > peak_bytes)
        peak_bytes = current_bytes;
}

/* A live block of `size` bytes with its guards set, its payload unfilled;
 * NULL with nothing allocated left behind (the buckets may stay). */
static struct record *new_block(size_t size, const char *file, int line)
{
    if (size > SIZE_MAX - sizeof(struct header) - DBG_GUARD_SIZE)
        return NULL;
    if (buckets == NULL) {
        buckets = calloc(FIRST_BUCKETS, sizeof *buckets);
        if (buckets == NULL)
            return NULL;
        bucket_count = FIRST_BUCKETS;
    }
    struct record *r = malloc(sizeof *r);
    if (r == NULL)
        return NULL;
    struct header *h = malloc(sizeof *h + size + DBG_GUARD_SIZE);
    if (h == NULL) {
        free(r);
        return NULL;
    }
    h->size = size;
    h->file = file;
    h->line = line;
    h->freed_file = NULL;
    h->freed_line = 0;
    h->magic = MAGIC_LIVE;
    memset(h->front, DBG_GUARD_BYTE, DBG_GUARD_SIZE);
    r->payload = h->payload;
    r->h = h;
    r->size = size;
    memset(tail(r), DBG_GUARD_BYTE, DBG_GUARD_SIZE);
    link_live(r);
    maybe_grow_buckets();
    return r;
}

static void evict_first(const char *file, int line)
{
    struct record *r = q_first;
    check_quarantined(r, file, line);
    q_first = r->newer;
    if (q_first == NULL)
        q_last = NULL;
    quarantine_count--;
    free(r->h);
    free(r);
}

/* Checks a live block, then poisons it and appends it to the quarantine. */
static void release(struct record *r, const char *file, int line)
{
    check_live(r, file, line);
    unlink_live(r);
    r->h->magic = MAGIC_FREED;
    r->h->freed_file = file;
    r->h->freed_line = line;
    memset(r->payload, DBG_FREED_BYTE, r->size);
    r->newer = NULL;
    r->older = NULL;
    if (q_last != NULL)
        q_last->newer = r;
    else
        q_first = r;
    q_last = r;
    quarantine_count++;
    if (quarantine_count > DBG_QUARANTINE_SLOTS)
        evict_first(file, line);
}

static void reject(const void *ptr, const char *file, int line)
{
    const struct record *q = find_quarantined(ptr);
    if (q != NULL)
        report(DBG_DOUBLE_FREE, ptr, file, line, q);
    else
        report(DBG_INVALID_FREE, ptr, file, line, NULL);
}

void *dbg_malloc_at(size_t size, const char *file, int line)
{
    struct record *r = new_block(size, file, line);
    if (r == NULL)
        return NULL;
    memset(r->payload, DBG_FRESH_BYTE, size);
    note_peak();
    return r->payload;
}

void *dbg_calloc_at(size_t count, size_t size, const char *file, int line)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    struct record *r = new_block(count * size, file, line);
    if (r == NULL)
        return NULL;
    memset(r->payload, 0, count * size);
    note_peak();
    return r->payload;
}

void *dbg_realloc_at(void *ptr, size_t size, const char *file, int line)
{
    if (ptr == NULL)
        return dbg_malloc_at(size, file, line);
    struct record *old = find_live(ptr);
    if (old == NULL) {
        reject(ptr, file, line);
        return NULL;
    }
    if (size == 0) {
        release(old, file, line);
        return NULL;
    }
    struct record *r = new_block(size, file, line);
    if (r == NULL)
        return NULL;
    size_t keep = old->size < size ? old->size : size;
    memcpy(r->payload, old->payload, keep);
    memset(r->payload + keep, DBG_FRESH_BYTE, size - keep);
    release(old, file, line);
    note_peak();
    return r->payload;
}

void dbg_free_at(void *ptr, const char *file, int line)
{
    if (ptr == NULL)
        return;
    struct record *r = find_live(ptr);
    if (r == NULL)
        reject(ptr, file, line);
    else
        release(r, file, line);
}

size_t dbg_check_all_at(const char *file, int line)
{
    size_t found = 0;
    for (struct record *r = oldest; r != NULL; r = r->newer)
        found += check_live(r, file, line);
    for (struct record *r = q_first; r != NULL; r = r->newer)
        found += check_quarantined(r, file, line);
    return found;
}

/* ---- the leak report ------------------------------------------------------------------- */

struct group {
    const char *file; /* "?" when the site cannot be trusted */
    long line;
    size_t bytes;
    size_t blocks;
};

static int by_site(const void *pa, const void *pb)
{
    const struct group *a = pa;
    const struct group *b = pb;
    int c = strcmp(a->file, b->file);
    if (c != 0)
        return c;
    return (a->line > b->line) - (a->line < b->line);
}

static int by_report_order(const void *pa, const void *pb)
{
    const struct group *a = pa;
    const struct group *b = pb;
    if (a->bytes != b->bytes)
        return a->bytes < b->bytes ? 1 : -1;
    if (a->blocks != b->blocks)
        return a->blocks < b->blocks ? 1 : -1;
    return by_site(pa, pb);
}

size_t dbg_leak_report(FILE *out)
{
    if (live_count == 0) {
        fputs("dbg: leak summary: 0 bytes in 0 block(s) from 0 site(s)\n", out);
        return 0;
    }
    struct group *g = malloc(live_count * sizeof *g);
    if (g == NULL) {
        fputs("dbg: leak report failed: out of memory\n", out);
        return live_count;
    }
    size_t n = 0;
    for (const struct record *r = oldest; r != NULL; r = r->newer) {
        const struct header *h = r->h;
        int trusted = h->magic == MAGIC_LIVE && h->size == r->size && h->file != NULL;
        g[n].file = trusted ? h->file : "?";
        g[n].line = trusted ? h->line : 0;
        g[n].bytes = r->size;
        g[n].blocks = 1;
        n++;
    }
    size_t sites = 0;
    qsort(g, n, sizeof *g, by_site);
    for (size_t i = 1; i < n; i++) {
        if (by_site(&g[sites], &g[i]) == 0) {
            g[sites].bytes += g[i].bytes;
            g[sites].blocks++;
        } else {
            g[++sites] = g[i];
        }
    }
    sites++;
    qsort(g, sites, sizeof *g, by_report_order);
    fprintf(out, "dbg: leak summary: %zu bytes in %zu block(s) from %zu site(s)\n", current_bytes,
            live_count, sites);
    for (size_t i = 0; i < sites; i++)
        fprintf(out, "dbg: leak %zu bytes in %zu block(s) at %s:%ld\n", g[i].bytes, g[i].blocks,
                g[i].file, g[i].line);
    free(g);
    return live_count;
}

/* ---- state ------------------------------------------------------------------------------ */

void dbg_set_report_stream(FILE *out)
{
    stream = out;
}

size_t dbg_error_count(enum dbg_error kind)
{
    switch (kind) {
    case DBG_DOUBLE_FREE:
    case DBG_INVALID_FREE:
    case DBG_OVERFLOW:
    case DBG_UNDERFLOW:
    case DBG_USE_AFTER_FREE:
        return errors[kind];
    default:
        return 0;
    }
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
    while (oldest != NULL) {
        struct record *r = oldest;
        oldest = r->newer;
        free(r->h);
        free(r);
    }
    while (q_first != NULL) {
        struct record *r = q_first;
        q_first = r->newer;
        free(r->h);
        free(r);
    }
    free(buckets);
    buckets = NULL;
    bucket_count = 0;
    live_count = 0;
    newest = NULL;
    q_last = NULL;
    quarantine_count = 0;
    current_bytes = 0;
    peak_bytes = 0;
    memset(errors, 0, sizeof errors);
    stream = NULL;
}
