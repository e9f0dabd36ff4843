/*
 * Helpers shared by the public and hidden tests of exercise 04: alignment and
 * statistics comparisons, and what the running checker (AddressSanitizer,
 * Valgrind or none) says about poisoned bytes. Nothing here allocates.
 */
#ifndef MC_ARENA_HELPERS_H
#define MC_ARENA_HELPERS_H

#include "arena.h"
#include "mc_poison.h" /* checker(), is_poisoned(), count_bytes() (testkit) */

#include <stddef.h>
#include <stdint.h>

static inline int is_aligned(const void *p, size_t align)
{
    return ((uintptr_t)p & (align - 1)) == 0;
}

static inline int same_stats(struct arena_stats x, struct arena_stats y)
{
    return x.used == y.used && x.reserved == y.reserved && x.blocks == y.blocks;
}

#endif /* MC_ARENA_HELPERS_H */
