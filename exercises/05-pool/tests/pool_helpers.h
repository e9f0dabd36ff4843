/*
 * Helpers shared by the public and hidden tests of exercise 05: the alignment a
 * pool really uses, and what the running checker (AddressSanitizer, Valgrind or
 * none) says about poisoned bytes. Nothing here allocates.
 */
#ifndef MC_POOL_HELPERS_H
#define MC_POOL_HELPERS_H

#include "pool.h"
#include "mc_poison.h" /* checker(), is_poisoned(), count_bytes() (testkit) */

#include <stdalign.h>
#include <stddef.h>

static inline size_t effective_align(size_t align)
{
    return align < alignof(max_align_t) ? alignof(max_align_t) : align;
}

#endif /* MC_POOL_HELPERS_H */
