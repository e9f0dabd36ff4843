/*
 * Public tests for exercise 02: a small-buffer string.
 *
 * Each test checks clauses of the contract in README.md (named by the
 * MC_CLAUSE line at its top) on both sides of the inline capacity: a content
 * of 15 bytes lives inside the struct, one of 16 on the heap. The tests look
 * at the fields, count your allocation calls and live blocks, and make one
 * allocation fail to see that nothing changes.
 */
#include "mc_test.h"
#include "sbuf.h"

#include <stdint.h>
#include <string.h>

#define READ_PATTERN MC_READ("4.5 The small-buffer pattern")
#define READ_STRUCT  MC_READ("4.6 Small buffers that live in a struct")
#define READ_COPY    MC_READ("3.2 Create, copy and destroy")
#define READ_REALLOC MC_READ("2.4 The safe realloc idiom")

MC_SUITE(inline_storage);
MC_SUITE(heap_storage);
MC_SUITE(copy_move);
MC_SUITE(failure);

/* 60 distinct printable bytes: text[0..k) is the content of k bytes. */
static const char text[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567";

/* Fills *b with garbage, then sbuf_init: fails unless *b is empty and inline. */
static void fresh(struct sbuf *b)
{
    memset(b, 0xA5, sizeof *b);
    sbuf_init(b);
    cr_assert(b->data == b->inline_buf && b->len == 0 && b->cap == SBUF_INLINE,
              "after sbuf_init() on a struct full of garbage: data %p, len %zu, cap %zu; expected "
              "data == inline_buf (%p), len 0, cap %d: sbuf_init sets every field" READ_PATTERN,
              (void *)b->data, b->len, b->cap, (void *)b->inline_buf, SBUF_INLINE);
    cr_assert_eq(b->data[0], '\0', "after sbuf_init, data[0] is %d, expected '\\0'" READ_STRUCT,
                 b->data[0]);
}

static void append_ok(struct sbuf *b, const char *bytes, size_t n)
{
    int rc = sbuf_append(b, bytes, n);
    cr_assert_eq(rc, 0,
                 "sbuf_append() of %zu byte(s) to a buffer of len %zu returned %d, "
                 "expected 0" READ_PATTERN,
                 n, b->len, rc);
}

/* Up to 40 bytes of p as printable text (other bytes as '.'), for a message. */
static const char *shown(const char *p, size_t n, char out[44])
{
    size_t i = 0;
    for (; i < n && i < 40; i++) {
        out[i] = p[i] >= ' ' && p[i] <= '~' ? p[i] : '.';
    }
    memcpy(out + i, n > 40 ? "..." : "", n > 40 ? 4 : 1);
    return out;
}

/* Fails unless the content is exactly the n bytes at want, followed by '\0'. */
static void expect_content(const struct sbuf *b, const char *want, size_t n, const char *after)
{
    cr_assert_not_null(b->data, "after %s, data is NULL, expected the content" READ_STRUCT, after);
    char got_text[44];
    char want_text[44];
    cr_assert(b->len == n && memcmp(b->data, want, n) == 0,
              "after %s: len %zu and content '%s'; expected len %zu and '%s'" READ_STRUCT, after,
              b->len, shown(b->data, b->len, got_text), n, shown(want, n, want_text));
    cr_assert_eq(b->data[n], '\0', "after %s, data[len] is %d, expected '\\0'" READ_STRUCT, after,
                 b->data[n]);
}

static void expect_inline(const struct sbuf *b, const char *after)
{
    cr_assert(b->data == b->inline_buf && b->cap == SBUF_INLINE,
              "after %s (len %zu): data %p and cap %zu; expected the inline array (%p) and cap %d: "
              "a content of at most %d bytes stays inside the struct" READ_PATTERN,
              after, b->len, (void *)b->data, b->cap, (void *)b->inline_buf, SBUF_INLINE,
              SBUF_INLINE);
}

static void expect_heap(const struct sbuf *b, size_t cap, const char *after)
{
    cr_assert(b->data != b->inline_buf && b->cap == cap,
              "after %s (len %zu): data %p (the inline array is %p) and cap %zu; expected a heap "
              "block with cap %zu" READ_PATTERN,
              after, b->len, (void *)b->data, (void *)b->inline_buf, b->cap, cap);
    size_t size = mc_live_size_of(b->data);
    cr_assert_eq(size, cap + 1,
                 "after %s, data is a block of %zu bytes, expected cap + 1 = %zu (the content and "
                 "its '\\0'; 0 means data is not a live heap block)" READ_STRUCT,
                 after, size, cap + 1);
}

/* ---- inline storage ---------------------------------------------------------- */

Test(inline_storage, init_makes_an_empty_inline_buffer_without_allocating)
{
    MC_CLAUSE("3.1", "1.2");
    struct sbuf b;
    fresh(&b);
    cr_assert_eq(mc_alloc_calls(), 0,
                 "sbuf_init() made %zu allocation call(s), expected none" READ_PATTERN,
                 mc_alloc_calls());
    sbuf_free(&b);
}

Test(inline_storage, short_content_stays_inline_without_any_allocation)
{
    MC_CLAUSE("1.5", "4.5", "1.4", "7.1");
    struct sbuf b;
    fresh(&b);
    append_ok(&b, "path/", 5);
    append_ok(&b, "file.c", 6);
    expect_content(&b, "path/file.c", 11, "appending 'path/' and 'file.c'");
    expect_inline(&b, "appending 'path/' and 'file.c'");
    cr_assert_eq(mc_alloc_calls(), 0,
                 "appending 11 bytes made %zu allocation call(s), expected none: the content "
                 "fits in the inline array" READ_PATTERN,
                 mc_alloc_calls());
    sbuf_free(&b);
}

Test(inline_storage, fifteen_bytes_fit_inline_and_the_sixteenth_spills)
{
    MC_CLAUSE("1.1", "4.6", "1.3");
    struct sbuf b;
    fresh(&b);
    append_ok(&b, text, SBUF_INLINE);
    expect_inline(&b, "appending 15 bytes");
    expect_content(&b, text, SBUF_INLINE, "appending 15 bytes");
    cr_assert_eq(mc_alloc_calls(), 0,
                 "appending exactly 15 bytes made %zu allocation call(s), expected none: 15 "
                 "bytes fit inline (need == capacity stays inline)" READ_PATTERN,
                 mc_alloc_calls());

    append_ok(&b, text + SBUF_INLINE, 1);
    expect_heap(&b, 2 * SBUF_INLINE, "appending the 16th byte");
    expect_content(&b, text, SBUF_INLINE + 1, "appending the 16th byte");
    sbuf_free(&b);
}

/* ---- heap storage ------------------------------------------------------------ */

Test(heap_storage, a_spill_carries_the_inline_content_to_the_heap)
{
    MC_CLAUSE("4.6", "4.5", "1.4");
    struct sbuf b;
    fresh(&b);
    append_ok(&b, "hello, ", 7);
    append_ok(&b, text, 20);
    char want[27];
    memcpy(want, "hello, ", 7);
    memcpy(want + 7, text, 20);
    expect_heap(&b, 30, "appending 7 bytes, then 20");
    expect_content(&b, want, sizeof want,
                   "appending 7 bytes, then 20 (the first 7 were inline: copy them over)");
    cr_assert_eq(mc_live_blocks(), 1,
                 "after one spill, %zu block(s) are live, expected 1" READ_PATTERN,
                 mc_live_blocks());
    sbuf_free(&b);
}

Test(heap_storage, reserve_moves_to_a_block_of_exactly_the_requested_capacity)
{
    MC_CLAUSE("4.1", "4.2", "1.3");
    struct sbuf b;
    fresh(&b);
    append_ok(&b, "abc", 3);
    cr_assert_eq(sbuf_reserve(&b, 10), 0, "sbuf_reserve(&b, 10) failed, expected 0" READ_PATTERN);
    expect_inline(&b, "sbuf_reserve(&b, 10)");
    cr_assert_eq(mc_alloc_calls(), 0,
                 "sbuf_reserve(&b, 10) made %zu allocation call(s), expected none: cap is "
                 "already 15" READ_PATTERN,
                 mc_alloc_calls());

    cr_assert_eq(sbuf_reserve(&b, 100), 0, "sbuf_reserve(&b, 100) failed, expected 0" READ_PATTERN);
    expect_heap(&b, 100, "sbuf_reserve(&b, 100)");
    expect_content(&b, "abc", 3, "sbuf_reserve(&b, 100)");

    char *block = b.data;
    cr_assert_eq(sbuf_reserve(&b, 50), 0, "sbuf_reserve(&b, 50) failed, expected 0" READ_PATTERN);
    cr_assert(b.data == block && b.cap == 100,
              "sbuf_reserve(&b, 50) with cap 100 changed data or cap (cap now %zu): reserve "
              "never shrinks" READ_PATTERN,
              b.cap);
    sbuf_free(&b);
}

Test(heap_storage, free_releases_the_heap_block_and_leaves_an_empty_inline_buffer)
{
    MC_CLAUSE("3.2", "3.4");
    struct mc_snapshot before = mc_snapshot();
    struct sbuf b;
    fresh(&b);
    append_ok(&b, text, 40);
    sbuf_free(&b);
    mc_assert_no_leak_since(before, "sbuf_free() of a 40-byte buffer", "3.6 NULL after free");
    expect_inline(&b, "sbuf_free()");
    expect_content(&b, "", 0, "sbuf_free()");

    sbuf_free(&b); /* a second free does nothing */
    append_ok(&b, "again", 5);
    expect_content(&b, "again", 5, "sbuf_free() twice, then appending 'again'");
    expect_inline(&b, "sbuf_free() twice, then appending 'again'");
    sbuf_free(&b);
    mc_assert_no_leak_since(before, "reusing a freed buffer", "3.6 NULL after free");
}

Test(heap_storage, a_truncated_heap_buffer_keeps_its_block_until_freed)
{
    MC_CLAUSE("5.1", "3.2", "7.1");
    struct mc_snapshot before = mc_snapshot();
    struct sbuf b;
    fresh(&b);
    append_ok(&b, text, 40);
    char *block = b.data;
    size_t calls = mc_alloc_calls();
    sbuf_truncate(&b, 3);
    expect_content(&b, text, 3, "sbuf_truncate(&b, 3) of a 40-byte buffer");
    cr_assert(
        b.data == block && b.cap == 40 && mc_alloc_calls() == calls && mc_live_blocks() == 1,
        "sbuf_truncate(&b, 3) changed the storage: data %p (was %p), cap %zu (was 40), "
        "%zu allocation call(s), %zu live block(s); truncate keeps the heap block" READ_PATTERN,
        (void *)b.data, (void *)block, b.cap, mc_alloc_calls() - calls, mc_live_blocks());
    sbuf_free(&b);
    mc_assert_no_leak_since(before,
                            "sbuf_free() of a heap buffer truncated to 3 bytes (free "
                            "when data is not the inline array, whatever len is)",
                            "4.5 The small-buffer pattern");
}

Test(heap_storage, shrink_to_fit_brings_short_content_back_inline)
{
    MC_CLAUSE("5.3");
    struct sbuf b;
    fresh(&b);
    append_ok(&b, text, 40);
    sbuf_truncate(&b, 5);
    size_t calls = mc_alloc_calls();
    int rc = sbuf_shrink_to_fit(&b);
    cr_assert_eq(
        rc, 0, "sbuf_shrink_to_fit() with 5 bytes on the heap returned %d, expected 0" READ_PATTERN,
        rc);
    expect_inline(&b, "sbuf_shrink_to_fit() with 5 bytes on the heap");
    expect_content(&b, text, 5, "sbuf_shrink_to_fit() with 5 bytes on the heap");
    cr_assert(mc_live_blocks() == 0 && mc_alloc_calls() == calls,
              "after moving back inline, %zu block(s) are live and %zu allocation call(s) were "
              "made; expected the heap block freed and no allocation" READ_PATTERN,
              mc_live_blocks(), mc_alloc_calls() - calls);
    sbuf_free(&b);
}

/* ---- copy and move ------------------------------------------------------------ */

Test(copy_move, a_copy_of_short_content_uses_its_own_inline_array)
{
    MC_CLAUSE("6.2", "6.4", "6.1");
    struct sbuf src;
    fresh(&src);
    append_ok(&src, "short", 5);
    struct sbuf dst;
    memset(&dst, 0xA5, sizeof dst); /* garbage: sbuf_copy must not read or free it */
    int rc = sbuf_copy(&dst, &src);
    cr_assert_eq(rc, 0, "sbuf_copy() of 'short' returned %d, expected 0" READ_COPY, rc);
    cr_assert(dst.data == dst.inline_buf,
              "the copy's data is %p, expected its own inline array %p (the source's is %p): a "
              "struct copied with = still points into the original" READ_STRUCT,
              (void *)dst.data, (void *)dst.inline_buf, (void *)src.inline_buf);
    expect_content(&dst, "short", 5, "sbuf_copy()");
    expect_inline(&dst, "sbuf_copy()");
    expect_content(&src, "short", 5, "sbuf_copy() (the source must not change)");
    cr_assert_eq(mc_alloc_calls(), 0,
                 "copying 5 bytes made %zu allocation call(s), expected none" READ_PATTERN,
                 mc_alloc_calls());

    append_ok(&src, " and now much longer", 20);
    sbuf_free(&src);
    expect_content(&dst, "short", 5, "changing and freeing the source");
    sbuf_free(&dst);
}

Test(copy_move, a_copy_of_long_content_gets_a_block_of_its_own)
{
    MC_CLAUSE("6.3", "6.4");
    struct sbuf src;
    fresh(&src);
    append_ok(&src, text, 20);
    struct sbuf dst;
    memset(&dst, 0xA5, sizeof dst);
    int rc = sbuf_copy(&dst, &src);
    cr_assert_eq(rc, 0, "sbuf_copy() of 20 bytes returned %d, expected 0" READ_COPY, rc);
    cr_assert(dst.data != src.data,
              "the copy's data is the source's block %p: a shallow copy, both frees would free "
              "it" READ_COPY,
              (void *)dst.data);
    expect_heap(&dst, 20, "sbuf_copy() of 20 bytes");
    expect_content(&dst, text, 20, "sbuf_copy() of 20 bytes");
    expect_heap(&src, 30, "sbuf_copy() (the source must not change)");
    sbuf_free(&src);
    expect_content(&dst, text, 20, "freeing the source");
    sbuf_free(&dst);
    cr_assert_eq(mc_live_blocks(), 0,
                 "after freeing both, %zu block(s) are live, expected 0" READ_COPY,
                 mc_live_blocks());
}

Test(copy_move, move_hands_the_heap_block_over_and_empties_the_source)
{
    MC_CLAUSE("6.6", "6.8");
    struct sbuf src;
    fresh(&src);
    append_ok(&src, text, 40);
    char *block = src.data;
    size_t calls = mc_alloc_calls();
    struct sbuf dst;
    memset(&dst, 0xA5, sizeof dst);
    sbuf_move(&dst, &src);
    cr_assert(dst.data == block && dst.cap == 40 && mc_alloc_calls() == calls,
              "after sbuf_move() of a heap buffer: dst.data %p, cap %zu, %zu allocation call(s); "
              "expected the source's block %p itself, cap 40, and no allocation" READ_STRUCT,
              (void *)dst.data, dst.cap, mc_alloc_calls() - calls, (void *)block);
    expect_content(&dst, text, 40, "sbuf_move()");
    expect_inline(&src, "sbuf_move() (the source is left empty)");
    expect_content(&src, "", 0, "sbuf_move() (the source is left empty)");
    sbuf_free(&src);
    cr_assert_eq(mc_live_blocks(), 1,
                 "sbuf_free() of the moved-from source left %zu live block(s), expected 1 (the "
                 "block now belongs to dst)" READ_COPY,
                 mc_live_blocks());
    sbuf_free(&dst);
}

Test(copy_move, move_of_inline_content_points_into_the_destination)
{
    MC_CLAUSE("6.7", "6.8");
    struct sbuf src;
    fresh(&src);
    append_ok(&src, "tiny", 4);
    struct sbuf dst;
    memset(&dst, 0xA5, sizeof dst);
    sbuf_move(&dst, &src);
    cr_assert(dst.data == dst.inline_buf,
              "after sbuf_move() of inline content, dst.data is %p, expected dst's own inline "
              "array %p (src's is %p): it must not point into the other struct" READ_STRUCT,
              (void *)dst.data, (void *)dst.inline_buf, (void *)src.inline_buf);
    expect_content(&dst, "tiny", 4, "sbuf_move()");
    expect_inline(&src, "sbuf_move() (the source is left empty)");
    expect_content(&src, "", 0, "sbuf_move() (the source is left empty)");
    append_ok(&src, "reused", 6);
    expect_content(&dst, "tiny", 4, "sbuf_move(), then reusing the source");
    sbuf_free(&src);
    sbuf_free(&dst);
}

/* ---- failure ----------------------------------------------------------------- */

Test(failure, a_spill_that_cannot_allocate_changes_nothing)
{
    MC_CLAUSE("4.10", "2.2", "2.1");
    struct sbuf b;
    fresh(&b);
    append_ok(&b, text, 10);
    struct mc_snapshot before = mc_snapshot();
    mc_fail_nth_alloc(1);
    int rc = sbuf_append(&b, text + 10, 10);
    cr_assert_eq(rc, -1,
                 "sbuf_append() of 10 more bytes with %s failing returned %d, "
                 "expected -1" READ_REALLOC,
                 mc_fail_note(), rc);
    expect_inline(&b, "a failed spill");
    expect_content(&b, text, 10, "a failed spill (the content must be as before)");
    mc_assert_no_leak_since(before, "a failed sbuf_append()", "2.4 The safe realloc idiom");
    mc_fail_none();
    append_ok(&b, text + 10, 10);
    expect_content(&b, text, 20, "retrying the append");
    sbuf_free(&b);
}
