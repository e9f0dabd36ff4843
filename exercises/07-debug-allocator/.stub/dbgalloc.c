/*
 * dbgalloc.c: your debug allocator. See README.md and dbgalloc.h for the
 * contract, hints.md if you are stuck, and chapter 12 for the design.
 */
#include "dbgalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *dbg_malloc_at(size_t size, const char *file, int line)
{
    /* TODO: allocate a header, the payload and a tail guard in one malloc'd
     * region; record the site; arm both guards; fill the payload with
     * DBG_FRESH_BYTE; add the block to the live table. */
    (void)size;
    (void)file;
    (void)line;
    return NULL;
}

void *dbg_calloc_at(size_t count, size_t size, const char *file, int line)
{
    /* TODO: reject a product that overflows size_t, then allocate and zero. */
    (void)count;
    (void)size;
    (void)file;
    (void)line;
    return NULL;
}

void *dbg_realloc_at(void *ptr, size_t size, const char *file, int line)
{
    /* TODO: handle NULL and size 0; look ptr up before touching it; allocate
     * a new block at this site, copy, and free the old one into quarantine. */
    (void)ptr;
    (void)size;
    (void)file;
    (void)line;
    return NULL;
}

void dbg_free_at(void *ptr, const char *file, int line)
{
    /* TODO: look ptr up in the live table first; report a double or invalid
     * free if it is not there; otherwise check its guards, poison it and put
     * it in quarantine. */
    (void)ptr;
    (void)file;
    (void)line;
}

size_t dbg_check_all_at(const char *file, int line)
{
    /* TODO: check every live block's guards and every quarantined block's
     * poison; report and repair what changed; return how many errors. */
    (void)file;
    (void)line;
    return 0;
}

size_t dbg_leak_report(FILE *out)
{
    /* TODO: group the live blocks by site, sort the groups, write the report. */
    (void)out;
    return 0;
}

void dbg_set_report_stream(FILE *out)
{
    /* TODO: remember where reports go (NULL means stderr). */
    (void)out;
}

size_t dbg_error_count(enum dbg_error kind)
{
    /* TODO: return how many errors of this kind were reported. */
    (void)kind;
    return 0;
}

size_t dbg_live_blocks(void)
{
    /* TODO: return the number of live blocks. */
    return 0;
}

size_t dbg_current_bytes(void)
{
    /* TODO: return the bytes the live blocks hold. */
    return 0;
}

size_t dbg_peak_bytes(void)
{
    /* TODO: return the largest current byte count seen. */
    return 0;
}

void dbg_reset(void)
{
    /* TODO: free every block and all bookkeeping; zero every count. */
}
