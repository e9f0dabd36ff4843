/*
 * bench/vector.c: the cost of appending to a growable array.
 *
 *   vector ours N    one operation = one vector_push() of a 4-byte int into a
 *                    vector that started empty (growth by doubling included,
 *                    amortized); the vector is freed at the end.
 *   vector glibc N   one operation = growing a plain int array by exactly one
 *                    element with realloc(p, (i + 1) * sizeof *p) and storing
 *                    the int: the "grow by one" array that chapter 5 warns
 *                    against, here with glibc's realloc doing all the work
 *                    (it can often extend a block in place, so this is the
 *                    naive array at its best, not a strawman that copies
 *                    every time). The array is freed at the end.
 *
 *   vector inline N  not the reference solution: the same pushes through a
 *                    typed int array whose push is a static inline function
 *                    (one compare, one store, one increment; growth by
 *                    doubling in an out-of-line function). It shows what the
 *                    generic, out-of-line vector_push() pays for its
 *                    run-time element size.
 *
 * All modes push the ints 0..N-1 and print nothing. Exit 0, or 2 on bad
 * arguments, or 1 if memory runs out. Build and run:
 *   gcc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -Iexercises/03-vector \
 *       bench/vector.c solutions/03-vector/vector.c -o /tmp/b && /tmp/b ours 1000000
 */
#include "vector.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Tells the compiler that p is used, so it cannot drop or merge the calls
 * that produced it. */
static inline void escape(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static int run_ours(size_t n)
{
    struct vector v;
    if (vector_init(&v, sizeof(int)) != 0)
        return 1;
    for (size_t i = 0; i < n; i++) {
        int x = (int)i;
        if (vector_push(&v, &x) != 0) {
            vector_free(&v);
            return 1;
        }
        escape(v.data);
    }
    vector_free(&v);
    return 0;
}

static int run_glibc(size_t n)
{
    int *a = NULL;
    for (size_t i = 0; i < n; i++) {
        int *grown = realloc(a, (i + 1) * sizeof *a);
        if (grown == NULL) {
            free(a);
            return 1;
        }
        a = grown;
        a[i] = (int)i;
        escape(a);
    }
    free(a);
    return 0;
}

/* A vector of ints only, for the "inline" mode. Same invariants as struct
 * vector, with elem_size fixed at sizeof(int). */
struct int_vector {
    int *data;
    size_t size;
    size_t capacity;
};

/* Doubles the capacity (from 8), checking the byte count for overflow. */
static __attribute__((noinline)) int int_vector_grow(struct int_vector *v)
{
    if (v->capacity > SIZE_MAX / 2 / sizeof *v->data)
        return -1; /* twice the capacity would not fit in a size_t of bytes */
    size_t capacity = v->capacity == 0 ? 8 : v->capacity * 2;
    int *grown = realloc(v->data, capacity * sizeof *v->data);
    if (grown == NULL)
        return -1;
    v->data = grown;
    v->capacity = capacity;
    return 0;
}

static inline int int_vector_push(struct int_vector *v, int x)
{
    if (v->size == v->capacity && int_vector_grow(v) != 0)
        return -1;
    v->data[v->size++] = x;
    return 0;
}

static int run_inline(size_t n)
{
    struct int_vector v = {NULL, 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (int_vector_push(&v, (int)i) != 0) {
            free(v.data);
            return 1;
        }
        escape(v.data);
    }
    free(v.data);
    return 0;
}

/* Parses a positive decimal count no larger than 1e9. */
static int parse_count(const char *s, size_t *out)
{
    char *end = NULL;
    unsigned long long n = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || n == 0 || n > 1000000000ULL || s[0] == '-')
        return -1;
    *out = (size_t)n;
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = 0;
    if (argc != 3 || parse_count(argv[2], &n) != 0)
        return 2;
    if (strcmp(argv[1], "ours") == 0)
        return run_ours(n);
    if (strcmp(argv[1], "glibc") == 0)
        return run_glibc(n);
    if (strcmp(argv[1], "inline") == 0)
        return run_inline(n);
    return 2;
}
