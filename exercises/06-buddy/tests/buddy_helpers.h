/*
 * Helpers shared by the public and hidden tests of exercise 06: a buddy
 * allocator's statistics as a value, and what the running checker
 * (AddressSanitizer, Valgrind or none) says about poisoned bytes. Nothing here
 * allocates.
 */
#ifndef MC_BUDDY_HELPERS_H
#define MC_BUDDY_HELPERS_H

#include "buddy.h"
#include "mc_poison.h" /* checker(), is_poisoned(), count_bytes() (testkit) */

#include <stddef.h>
#include <string.h>

static inline struct buddy_stats stats_of(const struct buddy *b)
{
    struct buddy_stats s;
    memset(&s, 0xEE, sizeof s);
    buddy_stats(b, &s);
    return s;
}

#endif /* MC_BUDDY_HELPERS_H */
