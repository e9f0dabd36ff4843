/*
 * Helpers shared by the public and hidden tests of exercise 06: a buddy
 * allocator's statistics as a value, and what the running checker
 * (AddressSanitizer, Valgrind or none) says about poisoned bytes. Nothing here
 * allocates.
 */
#ifndef MC_BUDDY_HELPERS_H
#define MC_BUDDY_HELPERS_H

#include "buddy.h"

#include <stddef.h>
#include <string.h>
#include <valgrind/memcheck.h> /* RUNNING_ON_VALGRIND, VALGRIND_GET_VBITS */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

static inline struct buddy_stats stats_of(const struct buddy *b)
{
    struct buddy_stats s;
    memset(&s, 0xEE, sizeof s);
    buddy_stats(b, &s);
    return s;
}

/* The tool that can see poisoning in this run, or NULL in a plain run. */
static inline const char *checker(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return "AddressSanitizer";
#else
    return RUNNING_ON_VALGRIND ? "Valgrind" : NULL;
#endif
}

/* 1 if the running tool would report an access to the byte at p. */
static inline int is_poisoned(const unsigned char *p)
{
#if defined(__SANITIZE_ADDRESS__)
    return __asan_address_is_poisoned(p);
#else
    unsigned char vbits;
    return VALGRIND_GET_VBITS(p, &vbits, 1) == 3; /* 3: unaddressable, and no error reported */
#endif
}

/* Bytes of p[0, n) whose poisoning is `poisoned` (1 or 0) for the running tool, and in
 * *first the offset of the first; 0 in a plain run, where no tool can tell. */
static inline size_t count_bytes(const unsigned char *p, size_t n, int poisoned, size_t *first)
{
    size_t count = 0;
    *first = 0;
    if (checker() == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (is_poisoned(p + i) == poisoned && count++ == 0)
            *first = i;
    }
    return count;
}

#endif /* MC_BUDDY_HELPERS_H */
