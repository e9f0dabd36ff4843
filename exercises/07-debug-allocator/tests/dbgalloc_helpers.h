/*
 * Helpers shared by the public and hidden tests of exercise 07: the debug
 * allocator's error counters, summed. Nothing here allocates.
 */
#ifndef MC_DBGALLOC_HELPERS_H
#define MC_DBGALLOC_HELPERS_H

#include "dbgalloc.h"

#include <stddef.h>

static inline size_t total_errors(void)
{
    size_t sum = 0;
    for (int k = 0; k < DBG_ERROR_KINDS; k++)
        sum += dbg_error_count((enum dbg_error)k);
    return sum;
}

#endif /* MC_DBGALLOC_HELPERS_H */
