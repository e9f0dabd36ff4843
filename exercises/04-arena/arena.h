/*
 * arena.h: a bump allocator (an arena, or region).
 *
 * An arena hands out memory by moving an offset forward through a block; it
 * never frees one allocation on its own. Everything goes at once: back to a
 * save point, at reset, or at destroy.
 *
 * Two modes:
 *  - fixed: over a buffer the caller provides (arena_init_buffer). The arena
 *    never calls malloc; an allocation that does not fit returns NULL.
 *  - chained: over blocks from malloc (arena_init). When the current block is
 *    full the arena mallocs a new one of block_size bytes and chains it in
 *    front. A request too big for any block (size + align - 1 > block_size)
 *    gets a block of its own of size + align - 1 bytes, kept on a separate
 *    list, and the current block stays current.
 *
 * Ownership: the arena owns every block it mallocs; callers never free the
 * pointers it returns. In fixed mode the caller owns the buffer and must keep
 * it alive, and unused by anything else, until the arena is destroyed.
 *
 * Invalidation: arena_restore(mark) invalidates every pointer returned after
 * arena_save() produced mark, and every mark saved after it. arena_reset()
 * and arena_destroy() invalidate every pointer and every mark.
 *
 * Failure: every allocation function returns NULL, and leaves the arena
 * exactly as it was (same blocks, same offset, same statistics), when the
 * alignment is not a power of two between 1 and ARENA_MAX_ALIGN, when a size
 * computation would overflow, when a fixed buffer is full, or when malloc
 * fails. arena_init returns -1 when malloc fails (or the block size plus the
 * header overflows) and leaves the arena as arena_destroy does.
 *
 * Poisoning (chained mode): the bytes of a block that no caller may touch
 * (its unused tail; the whole kept block after arena_reset) are poisoned for
 * AddressSanitizer and Valgrind, so that both report a use after reset. A
 * fixed buffer is never poisoned. README.md, "Poisoning", has the details.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

/* The largest alignment an allocation may ask for. */
#define ARENA_MAX_ALIGN 4096

/* The block size arena_init uses when it is given 0. */
#define ARENA_DEFAULT_BLOCK 65536

/* One malloc'd block; defined by the implementation (arena.c). */
struct arena_block;

/*
 * Invariants:
 *   used <= cap;  base[0, used) is handed out, base[used, cap) is free.
 *   fixed mode:   block_size == 0, blocks == NULL, large == NULL,
 *                 base and cap describe the caller's buffer.
 *   chained mode: block_size > 0, blocks != NULL (from init to destroy),
 *                 base == the data of *blocks, cap == block_size.
 * Callers treat the fields as private: read them only through arena_stats().
 */
struct arena {
    unsigned char *base;        /* the current block's data, or the fixed buffer */
    size_t used;                /* bump offset in base */
    size_t cap;                 /* bytes at base */
    size_t block_size;          /* data bytes of a chained block; 0 in fixed mode */
    struct arena_block *blocks; /* current block first, then older ones */
    struct arena_block *large;  /* blocks of oversized requests, newest first */
};

/* A save point: where the arena stood when arena_save() was called. */
struct arena_mark {
    struct arena_block *block;
    struct arena_block *large;
    size_t used;
};

/* What the arena holds now. */
struct arena_stats {
    size_t used;     /* bytes handed out, alignment padding included */
    size_t reserved; /* bytes the arena can hand out: fixed buffer or block data */
    size_t blocks;   /* blocks malloc'd and not yet freed (0 in fixed mode) */
};

/* Fixed mode over buffer[0, size). Never fails, allocates nothing. */
void arena_init_buffer(struct arena *a, void *buffer, size_t size);

/* Chained mode with blocks of block_size data bytes (ARENA_DEFAULT_BLOCK if 0).
 * Mallocs the first block at once. Returns 0, or -1 if malloc fails or the
 * block size overflows; then the arena holds nothing, as after arena_destroy:
 * it needs no destroy, and a destroy is harmless. */
int arena_init(struct arena *a, size_t block_size);

/* size bytes aligned to align (a power of two, 1 to ARENA_MAX_ALIGN); the
 * contents are indeterminate. size 0 gives a valid pointer to no bytes, which
 * may equal the next allocation. NULL on failure (see the top of this file). */
void *arena_alloc(struct arena *a, size_t size, size_t align);

/* count * size bytes, like arena_alloc; NULL if the product overflows. */
void *arena_alloc_array(struct arena *a, size_t count, size_t size, size_t align);

/* Like arena_alloc_array, but every byte is zero. */
void *arena_calloc(struct arena *a, size_t count, size_t size, size_t align);

/* The current position, for a later arena_restore. Allocates nothing. */
struct arena_mark arena_save(const struct arena *a);

/* Goes back to mark: frees every block malloc'd since arena_save() returned
 * it; allocations made since then are invalid. Marks are restored last saved,
 * first restored; restoring an older mark invalidates the newer ones. */
void arena_restore(struct arena *a, struct arena_mark mark);

/* Forgets every allocation. Chained mode keeps the current block (the newest
 * normal block), to reuse without calling malloc, and frees every other block. */
void arena_reset(struct arena *a);

/* Frees every block. Afterwards the arena holds nothing: allocations return
 * NULL until it is initialized again; destroying it twice is harmless. */
void arena_destroy(struct arena *a);

/* Counts what the arena holds now. */
struct arena_stats arena_stats(const struct arena *a);

#endif
