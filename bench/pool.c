/*
 * bench/pool.c: random alloc/free churn of one object size, pool vs glibc.
 *
 * Usage: pool ours N | pool glibc N
 *
 * The program keeps a table of 1024 live 64-byte objects. It fills the table,
 * then performs N operations, and finally frees what is left. ONE OPERATION
 * is: pick a table entry with a seeded linear congruential PRNG, free the object in it,
 * and allocate a replacement into it. In mode "ours" that is one pool_free()
 * and one pool_alloc() on a growable, unchecked pool (chunks of 1024 slots);
 * in mode "glibc" it is one free() and one malloc(64). Both modes make the
 * same sequence of choices. The fill and the final frees cost the same for
 * any N, so (instructions(2N) - instructions(N)) / N is the cost of one
 * alloc+free pair plus the PRNG step.
 *
 * Prints nothing; exits 0, or 2 on bad arguments (1 if memory runs out).
 */
#include "pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { TABLE = 1024, OBJECT_SIZE = 64 };

/* Keeps p alive in the compiler's eyes, so no call can be merged or deleted. */
static inline void escape(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* A 32-bit linear congruential generator: cheap, so the harness costs little. */
static size_t next_index(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 22; /* the top 10 bits: 0 to TABLE - 1 */
}

static int churn_pool(unsigned long n)
{
    static void *table[TABLE];
    struct pool *pool = pool_create(OBJECT_SIZE, 0, TABLE, POOL_GROWABLE);
    if (pool == NULL)
        return 1;
    for (size_t i = 0; i < TABLE; i++) {
        table[i] = pool_alloc(pool);
        escape(table[i]);
    }
    uint32_t rng = 12345;
    for (unsigned long op = 0; op < n; op++) {
        size_t i = next_index(&rng);
        pool_free(pool, table[i]);
        table[i] = pool_alloc(pool);
        escape(table[i]);
    }
    for (size_t i = 0; i < TABLE; i++)
        pool_free(pool, table[i]);
    pool_destroy(pool);
    return 0;
}

static int churn_glibc(unsigned long n)
{
    static void *table[TABLE];
    for (size_t i = 0; i < TABLE; i++) {
        table[i] = malloc(OBJECT_SIZE);
        escape(table[i]);
    }
    uint32_t rng = 12345;
    for (unsigned long op = 0; op < n; op++) {
        size_t i = next_index(&rng);
        free(table[i]);
        table[i] = malloc(OBJECT_SIZE);
        escape(table[i]);
    }
    for (size_t i = 0; i < TABLE; i++)
        free(table[i]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char *end = NULL;
    unsigned long n = strtoul(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || argv[2][0] == '-')
        return 2;
    if (strcmp(argv[1], "ours") == 0)
        return churn_pool(n);
    if (strcmp(argv[1], "glibc") == 0)
        return churn_glibc(n);
    return 2;
}
