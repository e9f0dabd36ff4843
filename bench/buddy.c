/*
 * bench/buddy.c: the buddy allocator against glibc malloc, mixed sizes.
 *
 * Usage: buddy ours N | buddy glibc N
 *
 * Workload: 64 slots, filled once before the measured loop. One operation
 * picks a slot and a size from a seeded xorshift64 generator (the same
 * sequence in both modes), frees the block in that slot and allocates a new
 * one of that size into it. Sizes are mixed from 16 B to 4 KiB: a power of
 * two 2^e with e uniform in 4..12, then a size uniform in [16, 2^e].
 *   ours:  one operation = buddy_free() + buddy_alloc() on a 1 MiB region
 *          with 16-byte minimum blocks (at most 64 * 4 KiB is ever live).
 *   glibc: one operation = free() + malloc().
 * Every returned pointer escapes through an empty asm so that the compiler
 * can neither delete nor merge the calls. Prints nothing; exits 0, or 2 on
 * bad arguments (or 1 if an allocation fails, which it must not).
 */
#include "buddy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS = 64 };
#define REGION_SIZE ((size_t)1 << 20)

static _Alignas(4096) unsigned char region[REGION_SIZE];

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

static size_t next_size(uint64_t *state)
{
    uint64_t r = next_random(state);
    size_t cap = (size_t)1 << (4 + r % 9);
    return 16 + (size_t)((r >> 8) % (cap - 15));
}

static void escape(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static int run_ours(long n)
{
    struct buddy *b = buddy_create(region, REGION_SIZE, 16);
    if (b == NULL)
        return 1;
    void *slot[SLOTS];
    uint64_t rng = 0x2545F4914F6CDD1Du;
    for (size_t i = 0; i < SLOTS; i++) {
        slot[i] = buddy_alloc(b, next_size(&rng));
        escape(slot[i]);
    }
    for (long op = 0; op < n; op++) {
        size_t i = (size_t)(next_random(&rng) % SLOTS);
        buddy_free(b, slot[i]);
        slot[i] = buddy_alloc(b, next_size(&rng));
        if (slot[i] == NULL)
            return 1;
        escape(slot[i]);
    }
    for (size_t i = 0; i < SLOTS; i++)
        buddy_free(b, slot[i]);
    buddy_destroy(b);
    return 0;
}

static int run_glibc(long n)
{
    void *slot[SLOTS];
    uint64_t rng = 0x2545F4914F6CDD1Du;
    for (size_t i = 0; i < SLOTS; i++) {
        slot[i] = malloc(next_size(&rng));
        escape(slot[i]);
    }
    for (long op = 0; op < n; op++) {
        size_t i = (size_t)(next_random(&rng) % SLOTS);
        free(slot[i]);
        slot[i] = malloc(next_size(&rng));
        if (slot[i] == NULL)
            return 1;
        escape(slot[i]);
    }
    for (size_t i = 0; i < SLOTS; i++)
        free(slot[i]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char *end = NULL;
    long n = strtol(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0' || n < 0)
        return 2;
    if (strcmp(argv[1], "ours") == 0)
        return run_ours(n);
    if (strcmp(argv[1], "glibc") == 0)
        return run_glibc(n);
    return 2;
}
