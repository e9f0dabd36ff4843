/*
 * bench/arena.c: many small allocations, then everything released at once.
 *
 * Usage: arena ours N | arena glibc N   (exit 2 on bad arguments)
 *
 * One operation, in each mode:
 *   ours:  one arena_alloc(&a, size, 8) from a chained arena with the default
 *          block size, plus 1/BATCH of an arena_reset() (one reset after every
 *          BATCH allocations). All BATCH allocations fit in the kept block, so
 *          after the first batch every allocation is the fast path.
 *   glibc: one malloc(size), plus one free() of that block when its batch of
 *          BATCH allocations is released.
 * size cycles through SIZES (16 to 64 bytes). Every pointer escapes through
 * an empty asm so the compiler cannot drop or merge the calls.
 */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 1000

static const size_t SIZES[8] = {16, 24, 32, 48, 64, 16, 40, 24};

static void escape(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static int run_ours(unsigned long n)
{
    struct arena a;
    if (arena_init(&a, 0) != 0)
        return 1;
    for (unsigned long done = 0; done < n; done += BATCH) {
        unsigned long batch = n - done < BATCH ? n - done : BATCH;
        for (unsigned long j = 0; j < batch; j++) {
            void *p = arena_alloc(&a, SIZES[j & 7], 8);
            if (p == NULL)
                return 1;
            escape(p);
        }
        arena_reset(&a);
    }
    arena_destroy(&a);
    return 0;
}

static int run_glibc(unsigned long n)
{
    static void *live[BATCH];
    for (unsigned long done = 0; done < n; done += BATCH) {
        unsigned long batch = n - done < BATCH ? n - done : BATCH;
        for (unsigned long j = 0; j < batch; j++) {
            void *p = malloc(SIZES[j & 7]);
            if (p == NULL)
                return 1;
            escape(p);
            live[j] = p;
        }
        for (unsigned long j = 0; j < batch; j++)
            free(live[j]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char *end;
    unsigned long n = strtoul(argv[2], &end, 10);
    if (*argv[2] == '\0' || *argv[2] == '-' || *end != '\0')
        return 2;
    if (strcmp(argv[1], "ours") == 0)
        return run_ours(n);
    if (strcmp(argv[1], "glibc") == 0)
        return run_glibc(n);
    return 2;
}
