/*
 * mc_poison.h: what the running checker says about poisoned bytes, for the tests
 * of allocators that poison what they do not hand out (exercises 04, 05, 06).
 *
 * A byte is poisoned when the checker would report an access to it: ASan's
 * shadow memory in the sanitizer build, memcheck's "unaddressable" under
 * Valgrind. A plain run has no checker, and every count below is 0 there.
 * Nothing here allocates.
 */
#ifndef MC_POISON_H
#define MC_POISON_H

#include <stddef.h>
#include <valgrind/memcheck.h> /* RUNNING_ON_VALGRIND, VALGRIND_GET_VBITS */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

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

#endif /* MC_POISON_H */
