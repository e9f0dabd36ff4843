/*
 * Helpers shared by the public and hidden tests of exercise 04: alignment and
 * statistics comparisons, and what the running checker (AddressSanitizer,
 * Valgrind or none) says about poisoned bytes. Nothing here allocates.
 */
#ifndef MC_ARENA_HELPERS_H
#define MC_ARENA_HELPERS_H

#include "arena.h"

#include <stddef.h>
#include <stdint.h>
#include <valgrind/memcheck.h> /* RUNNING_ON_VALGRIND, VALGRIND_GET_VBITS */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

static inline int is_aligned(const void *p, size_t align)
{
    return ((uintptr_t)p & (align - 1)) == 0;
}

static inline int same_stats(struct arena_stats x, struct arena_stats y)
{
    return x.used == y.used && x.reserved == y.reserved && x.blocks == y.blocks;
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

#endif /* MC_ARENA_HELPERS_H */
