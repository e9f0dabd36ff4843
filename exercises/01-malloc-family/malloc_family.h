/*
 * malloc_family.h: six small wrappers that add to the malloc family the
 * checks the bare functions leave to their callers.
 *
 * Ownership: every non-NULL pointer returned by an mf_ function is a new
 * block owned by the caller, who releases it with free() (including blocks
 * from mf_alloc_aligned). Pointer arguments are borrowed: no function keeps
 * them, and none frees them except mf_grow(), which may replace *buf.
 *
 * Sizes: a request for zero bytes allocates a 1-byte block, so that a
 * non-NULL result always means success and NULL always means failure,
 * whatever malloc(0) does on this platform.
 *
 * Invalidation: a successful mf_grow() may move the buffer; the old value of
 * *buf must not be used afterwards. A failed mf_grow() invalidates nothing.
 *
 * Failure policy: on overflow, an invalid argument or lack of memory, the
 * pointer-returning functions return NULL and mf_grow() returns -1. A failed
 * call leaves no block allocated and changes none of its arguments. A call
 * refused because of its arguments (overflow, elem_size 0, a bad alignment)
 * makes no allocation call at all: the check comes first. No function
 * prints, aborts or exits. README.md numbers each of these promises.
 */
#ifndef MALLOC_FAMILY_H
#define MALLOC_FAMILY_H

#include <stddef.h>

/* A block of exactly count * size bytes with indeterminate contents (1 byte
 * when the product is 0). NULL when count * size does not fit in a size_t
 * (without an allocation call) or when the allocation fails. */
void *mf_alloc_array(size_t count, size_t size);

/* Like mf_alloc_array(), but every byte of the block is zero. An overflowing
 * product is refused before any allocation call, calloc included. */
void *mf_alloc_zeroed(size_t count, size_t size);

/* Makes *buf hold at least min_capacity elements of elem_size bytes.
 * *capacity is the number of elements *buf holds now; *buf may be NULL when
 * *capacity is 0. The first rule that applies decides:
 * 1. elem_size == 0: returns -1 without allocating, whatever the capacities.
 * 2. *capacity >= min_capacity: nothing to do; returns 0 without allocating.
 * 3. min_capacity * elem_size overflows: returns -1 without allocating.
 * 4. otherwise: resizes the block to exactly min_capacity * elem_size bytes,
 *    keeping the first *capacity elements, stores the (possibly moved) block
 *    in *buf and min_capacity in *capacity, and returns 0; if the allocation
 *    fails, returns -1.
 * Whenever it returns -1, *buf and *capacity are unchanged and *buf is still
 * valid and owned by the caller. */
int mf_grow(void **buf, size_t *capacity, size_t min_capacity, size_t elem_size);

/* A copy of the string s (not NULL) in a block of exactly strlen(s) + 1
 * bytes. */
char *mf_strdup(const char *s);

/* The count strings in parts (none NULL) joined into one string, with sep
 * (not NULL; "" for none) between each two of them and not after the last.
 * The block holds exactly the joined length + 1 bytes; count 0 gives "". */
char *mf_join(const char *const *parts, size_t count, const char *sep);

/* A block of at least size bytes (at least 1) whose address is a multiple of
 * alignment. alignment must be a power of two (1, 2, 4, ...); anything else
 * (0, 3, 24, ...) is rejected with NULL before any allocation is attempted.
 * Also NULL, before any allocation too, when the size rounded up to a
 * multiple of alignment overflows; and NULL when the allocation fails.
 * Release the block with free(). */
void *mf_alloc_aligned(size_t alignment, size_t size);

#endif
