/*
 * dbgalloc.h: a debug allocator that catches memory errors as they happen.
 *
 * Use the macros (dbg_malloc, dbg_calloc, dbg_realloc, dbg_free,
 * dbg_check_all): they pass the caller's __FILE__ and __LINE__, which every
 * report names.
 *
 * Ownership: the caller owns each block from dbg_malloc/dbg_calloc/
 * dbg_realloc until it passes the block to dbg_free or dbg_realloc. The
 * allocator owns its bookkeeping, the guard bytes around each block and the
 * freed blocks it keeps in quarantine.
 *
 * Invalidation: dbg_free(p) invalidates p. dbg_realloc(p, n) always moves the
 * block (when it succeeds) and invalidates p; the old block goes into
 * quarantine, so a write through the stale p is caught. dbg_reset()
 * invalidates every block.
 *
 * Errors in the caller (double free, invalid free, overflow, underflow, use
 * after free) are detected, counted and reported; they never crash the
 * allocator or corrupt its bookkeeping. A pointer passed to dbg_free or
 * dbg_realloc is looked up before anything is read through it. After
 * reporting damaged guard bytes or poison the allocator restores them, so
 * each act of damage is reported once.
 *
 * Failure: when memory runs out, the allocation calls return NULL and change
 * nothing (dbg_realloc leaves the old block live and intact). The allocator
 * never stops tracking blocks silently.
 *
 * Reports: one line per event, written to the report stream (stderr unless
 * dbg_set_report_stream chose another). The format is stable (see README.md):
 *   dbg: <kind> of <ptr> at <file>:<line>
 *   dbg: <kind> of <ptr> at <file>:<line> (<n> bytes allocated at <file>:<line>)
 *   dbg: <kind> of <ptr> at <file>:<line> (<n> bytes allocated at <f>:<l>, freed at <f>:<l>)
 *   dbg: leak summary: <bytes> bytes in <blocks> block(s) from <sites> site(s)
 *   dbg: leak <bytes> bytes in <blocks> block(s) at <file>:<line>
 *
 * Not thread-safe: one thread at a time.
 */
#ifndef DBGALLOC_H
#define DBGALLOC_H

#include <stddef.h>
#include <stdio.h>

#define DBG_GUARD_SIZE       16   /* guard bytes on each side of a block */
#define DBG_QUARANTINE_SLOTS 16   /* freed blocks held back before release */
#define DBG_GUARD_BYTE       0xFD /* fills the guard bytes */
#define DBG_FREED_BYTE       0xDD /* fills a freed block in quarantine */
#define DBG_FRESH_BYTE       0xCD /* fills a block from dbg_malloc */

enum dbg_error {
    DBG_DOUBLE_FREE,    /* "double-free": freed a block that is in quarantine */
    DBG_INVALID_FREE,   /* "invalid-free": freed or resized a pointer never handed out */
    DBG_OVERFLOW,       /* "overflow": a guard byte after the block changed */
    DBG_UNDERFLOW,      /* "underflow": a guard byte or header field before it changed */
    DBG_USE_AFTER_FREE, /* "use-after-free": a quarantined block's poison changed */
    DBG_ERROR_KINDS
};

/* Returns a block of `size` bytes filled with DBG_FRESH_BYTE, aligned for any
 * type; size 0 gives a unique block of no bytes. NULL when out of memory. */
void *dbg_malloc_at(size_t size, const char *file, int line);

/* Returns `count * size` zero bytes; NULL when the product overflows or memory
 * runs out. */
void *dbg_calloc_at(size_t count, size_t size, const char *file, int line);

/* NULL ptr: dbg_malloc(size), for every size (0 included: a new block of no
 * bytes). Otherwise size 0: frees ptr and returns NULL. Otherwise returns a
 * new block holding the first min(old, size) bytes (the rest is
 * DBG_FRESH_BYTE) whose site is this call, and frees ptr; NULL with ptr
 * untouched when out of memory or when ptr is not a live block (reported). */
void *dbg_realloc_at(void *ptr, size_t size, const char *file, int line);

/* Checks the block's guards, poisons it and puts it in quarantine. NULL is a
 * no-op. A pointer not handed out, or already freed, is reported and ignored. */
void dbg_free_at(void *ptr, const char *file, int line);

/* Checks every live block's guards (oldest allocation first), then every
 * quarantined block (oldest free first). Returns the number of errors this
 * call found. */
size_t dbg_check_all_at(const char *file, int line);

#define dbg_malloc(size)        dbg_malloc_at((size), __FILE__, __LINE__)
#define dbg_calloc(count, size) dbg_calloc_at((count), (size), __FILE__, __LINE__)
#define dbg_realloc(ptr, size)  dbg_realloc_at((ptr), (size), __FILE__, __LINE__)
#define dbg_free(ptr)           dbg_free_at((ptr), __FILE__, __LINE__)
#define dbg_check_all()         dbg_check_all_at(__FILE__, __LINE__)

/* Writes the leak report for every live block to `out`: the summary line,
 * then one line per allocation site, largest total bytes first (ties: more
 * blocks first, then by file name, then by line). Returns the number of live
 * blocks. If the report cannot get memory it writes
 * "dbg: leak report failed: out of memory" instead and still returns the count. */
size_t dbg_leak_report(FILE *out);

/* Where error reports go; NULL restores stderr. The stream stays the caller's. */
void dbg_set_report_stream(FILE *out);

/* How many errors of this kind were detected since the start (or dbg_reset). */
size_t dbg_error_count(enum dbg_error kind);

size_t dbg_live_blocks(void);   /* blocks handed out and not yet freed */
size_t dbg_current_bytes(void); /* bytes requested by those blocks */
size_t dbg_peak_bytes(void);    /* the largest dbg_current_bytes() after any call */

/* Releases every block (live or quarantined) and all bookkeeping, and returns
 * the allocator to its initial state: counts zero, reports to stderr. */
void dbg_reset(void);

#endif
