/*
 * Public tests for exercise 03 (vector). Each test builds vectors of ints (or
 * of wider elements), calls the API and checks the contract in vector.h:
 * contents, size, capacity, what was allocated, and that failures change
 * nothing.
 */
#include "mc_test.h"
#include "vector.h"

#include <string.h>

MC_SUITE(basics);
MC_SUITE(growth);
MC_SUITE(middle);
MC_SUITE(failure);
MC_SUITE(shrink);

/* Initializes *v for ints, failing the test if vector_init() does. */
static void init_ints(struct vector *v)
{
    int rc = vector_init(v, sizeof(int));
    cr_assert_eq(
        rc, 0,
        "vector_init(&v, sizeof(int)) returned %d, expected 0" MC_READ("5.1 Size and capacity"),
        rc);
}

/* Pushes the ints first, first+1, ..., first+count-1. */
static void push_range(struct vector *v, int first, int count)
{
    for (int i = first; i < first + count; i++) {
        int rc = vector_push(v, &i);
        cr_assert_eq(rc, 0,
                     "vector_push(&v, %d) returned %d, expected 0" MC_READ("5.1 Size and capacity"),
                     i, rc);
    }
}

/* Checks that v holds exactly the ints in want[0..n). */
static void assert_ints(const struct vector *v, const int *want, size_t n, const char *after)
{
    cr_assert_eq(
        v->size, n,
        "after %s, size is %zu, expected %zu" MC_READ("5.6 Inserting and removing in the middle"),
        after, v->size, n);
    for (size_t i = 0; i < n; i++) {
        const int *p = vector_at(v, i);
        cr_assert_not_null(p,
                           "after %s, vector_at(&v, %zu) returned NULL with size %zu" MC_READ(
                               "5.1 Size and capacity"),
                           after, i, n);
        cr_assert_eq(*p, want[i],
                     "after %s, element %zu is %d, expected %d" MC_READ(
                         "5.6 Inserting and removing in the middle"),
                     after, i, *p, want[i]);
    }
}

Test(basics, init_makes_an_empty_vector_without_allocating)
{
    MC_CLAUSE("3.1", "3.2");
    struct vector v;
    init_ints(&v);
    cr_assert(v.data == NULL && v.size == 0 && v.capacity == 0 && v.elem_size == sizeof(int),
              "after vector_init(&v, %zu): data %p, size %zu, capacity %zu, elem_size %zu; "
              "expected NULL, 0, 0, %zu" MC_READ("5.1 Size and capacity"),
              sizeof(int), v.data, v.size, v.capacity, v.elem_size, sizeof(int));
    cr_assert_eq(
        mc_alloc_calls(), 0,
        "vector_init() made %zu allocation call(s), expected none" MC_READ("5.1 Size and capacity"),
        mc_alloc_calls());
    struct vector zero;
    int rc = vector_init(&zero, 0);
    cr_assert_eq(
        rc, -1,
        "vector_init(&v, 0) returned %d, expected -1: elements of size 0 are not allowed" MC_READ(
            "5.1 Size and capacity"),
        rc);
    vector_free(&v);
}

Test(basics, push_stores_copies_that_get_and_at_return_in_order)
{
    MC_CLAUSE("5.1", "6.1", "6.2");
    struct vector v;
    init_ints(&v);
    push_range(&v, 1000, 100);
    cr_assert_eq(v.size, 100,
                 "after 100 pushes size is %zu, expected 100" MC_READ("5.1 Size and capacity"),
                 v.size);
    for (size_t i = 0; i < 100; i++) {
        int got = -1;
        int rc = vector_get(&v, i, &got);
        cr_assert(
            rc == 0 && got == 1000 + (int)i,
            "vector_get(&v, %zu, &out) returned %d with out %d, expected 0 with out %d" MC_READ(
                "5.1 Size and capacity"),
            i, rc, got, 1000 + (int)i);
        const int *p = vector_at(&v, i);
        cr_assert(p != NULL && *p == 1000 + (int)i,
                  "vector_at(&v, %zu) does not point to %d" MC_READ("5.1 Size and capacity"), i,
                  1000 + (int)i);
    }
    vector_free(&v);
}

Test(basics, get_set_and_at_reject_indexes_past_the_size)
{
    MC_CLAUSE("6.1", "6.3", "6.4", "6.5", "2.1");
    struct vector v;
    init_ints(&v);
    push_range(&v, 0, 5);
    int seven = 7;
    int rc = vector_set(&v, 4, &seven);
    int got = 0;
    cr_assert(rc == 0 && vector_get(&v, 4, &got) == 0 && got == 7,
              "vector_set(&v, 4, &7) returned %d and element 4 is now %d, expected 0 and 7" MC_READ(
                  "5.1 Size and capacity"),
              rc, got);
    size_t bad[] = {5, 6, v.capacity, (size_t)-1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int out = 12345;
        rc = vector_get(&v, bad[i], &out);
        cr_assert(rc == -1 && out == 12345,
                  "vector_get(&v, %zu, &out) with size 5 returned %d and out %d, expected -1 and "
                  "out untouched" MC_READ("5.1 Size and capacity"),
                  bad[i], rc, out);
        rc = vector_set(&v, bad[i], &seven);
        cr_assert_eq(rc, -1,
                     "vector_set(&v, %zu, ...) with size 5 returned %d, expected -1" MC_READ(
                         "5.1 Size and capacity"),
                     bad[i], rc);
        cr_assert_null(
            vector_at(&v, bad[i]),
            "vector_at(&v, %zu) with size 5 did not return NULL" MC_READ("5.1 Size and capacity"),
            bad[i]);
    }
    cr_assert_eq(v.size, 5,
                 "failed calls changed size to %zu, expected 5" MC_READ("5.5 The strong guarantee"),
                 v.size);
    vector_free(&v);
}

Test(basics, pop_returns_elements_last_first_and_keeps_the_buffer)
{
    MC_CLAUSE("5.3", "5.4");
    struct vector v;
    init_ints(&v);
    push_range(&v, 0, 20);
    size_t capacity = v.capacity;
    for (int want = 19; want >= 0; want--) {
        int got = -1;
        int rc = vector_pop(&v, &got);
        cr_assert(rc == 0 && got == want,
                  "vector_pop() returned %d with out %d, expected 0 with out %d" MC_READ(
                      "5.1 Size and capacity"),
                  rc, got, want);
    }
    int got = 99;
    int rc = vector_pop(&v, &got);
    cr_assert(rc == -1 && got == 99 && v.size == 0,
              "vector_pop() on an empty vector returned %d, out %d, size %zu; expected -1, out "
              "untouched, size 0" MC_READ("5.1 Size and capacity"),
              rc, got, v.size);
    cr_assert_eq(v.capacity, capacity,
                 "popping changed capacity from %zu to %zu; pop must not shrink" MC_READ(
                     "5.1 Size and capacity"),
                 capacity, v.capacity);
    vector_free(&v);
}

Test(growth, capacity_starts_at_eight_and_doubles_when_full)
{
    MC_CLAUSE("9.1", "1.3");
    struct vector v;
    init_ints(&v);
    size_t want = 0;
    for (int i = 0; i < 300; i++) {
        if ((size_t)i == want)
            want = want == 0 ? VECTOR_MIN_CAPACITY : want * 2;
        push_range(&v, i, 1);
        cr_assert_eq(
            v.capacity, want,
            "after push number %d capacity is %zu, expected %zu (8, then doubling)" MC_READ(
                "5.2 Geometric growth and amortized O(1)"),
            i + 1, v.capacity, want);
        cr_assert_eq(mc_live_size_of(v.data), want * sizeof(int),
                     "after push number %d the buffer holds %zu bytes, expected capacity * "
                     "elem_size = %zu" MC_READ("5.1 Size and capacity"),
                     i + 1, mc_live_size_of(v.data), want * sizeof(int));
    }
    vector_free(&v);
}

Test(growth, a_million_pushes_need_about_twenty_allocations)
{
    MC_CLAUSE("9.1", "5.1");
    struct vector v;
    init_ints(&v);
    const int n = 1000000;
    int pushed = 0;
    while (pushed < n && vector_push(&v, &pushed) == 0)
        pushed++;
    cr_assert_eq(pushed, n,
                 "vector_push() failed on element %d of %d" MC_READ(
                     "5.2 Geometric growth and amortized O(1)"),
                 pushed, n);
    cr_assert_leq(
        mc_alloc_calls(), 20,
        "a million pushes made %zu allocation calls, expected at most 20: growing by a constant "
        "makes n pushes cost O(n^2)" MC_READ("5.2 Geometric growth and amortized O(1)"),
        mc_alloc_calls());
    cr_assert(v.size == (size_t)n && v.data != NULL,
              "after a million pushes size is %zu and data %p, expected %d and a buffer" MC_READ(
                  "5.1 Size and capacity"),
              v.size, v.data, n);
    const int *elems = v.data;
    long long sum = 0;
    for (int i = 0; i < n; i++)
        sum += elems[i];
    cr_assert_eq(
        sum, (long long)n * (n - 1) / 2,
        "after a million pushes of 0..999999 the elements add up to %lld, expected %lld" MC_READ(
            "5.2 Geometric growth and amortized O(1)"),
        sum, (long long)n * (n - 1) / 2);
    vector_free(&v);
}

Test(growth, reserve_allocates_exactly_once_and_never_shrinks)
{
    MC_CLAUSE("4.1", "1.3");
    struct vector v;
    init_ints(&v);
    int rc = vector_reserve(&v, 100);
    cr_assert(rc == 0 && v.capacity == 100 && mc_live_size_of(v.data) == 100 * sizeof(int),
              "vector_reserve(&v, 100) returned %d, capacity %zu, buffer %zu bytes; expected 0, "
              "100, %zu" MC_READ("5.1 Size and capacity"),
              rc, v.capacity, mc_live_size_of(v.data), 100 * sizeof(int));
    size_t calls = mc_alloc_calls();
    rc = vector_reserve(&v, 50);
    cr_assert(rc == 0 && v.capacity == 100,
              "vector_reserve(&v, 50) with capacity 100 returned %d and capacity %zu, expected 0 "
              "and 100" MC_READ("5.1 Size and capacity"),
              rc, v.capacity);
    push_range(&v, 0, 100);
    cr_assert_eq(mc_alloc_calls(), calls,
                 "reserve(50) and 100 pushes into a reserved capacity of 100 made %zu allocation "
                 "call(s), expected none" MC_READ("5.1 Size and capacity"),
                 mc_alloc_calls() - calls);
    vector_free(&v);
}

Test(middle, insert_shifts_later_elements_up)
{
    MC_CLAUSE("7.1", "7.2");
    struct vector v;
    init_ints(&v);
    push_range(&v, 0, 6);
    int want[] = {-1, 0, 1, 2, -2, 3, 4, 5, -3};
    struct {
        size_t index;
        int value;
    } steps[] = {{0, -1}, {4, -2}, {8, -3}};
    for (size_t i = 0; i < 3; i++) {
        int rc = vector_insert(&v, steps[i].index, &steps[i].value);
        cr_assert_eq(rc, 0,
                     "vector_insert(&v, %zu, &%d) returned %d, expected 0" MC_READ(
                         "5.6 Inserting and removing in the middle"),
                     steps[i].index, steps[i].value, rc);
    }
    assert_ints(&v, want, 9, "inserting -1 at 0, -2 at 4 and -3 at 8 (the end) into 0..5");
    int x = 42;
    int rc = vector_insert(&v, 10, &x);
    cr_assert_eq(rc, -1,
                 "vector_insert(&v, 10, ...) with size 9 returned %d, expected -1" MC_READ(
                     "5.6 Inserting and removing in the middle"),
                 rc);
    assert_ints(&v, want, 9, "a rejected insert at 10");
    vector_free(&v);
}

Test(middle, remove_shifts_later_elements_down_even_when_full)
{
    MC_CLAUSE("7.4", "7.5");
    struct vector v;
    init_ints(&v);
    push_range(&v, 0, VECTOR_MIN_CAPACITY); /* size == capacity: no slack past the end */
    int want[] = {1, 2, 4, 5, 6};
    size_t indexes[] = {0, 2, 5};
    int removed[] = {0, 3, 7};
    for (size_t i = 0; i < 3; i++) {
        int got = -1;
        int rc = vector_remove(&v, indexes[i], &got);
        cr_assert(
            rc == 0 && got == removed[i],
            "vector_remove(&v, %zu, &out) returned %d with out %d, expected 0 with out %d" MC_READ(
                "5.6 Inserting and removing in the middle"),
            indexes[i], rc, got, removed[i]);
    }
    assert_ints(&v, want, 5, "removing indexes 0, 2 and 5 from 0..7");
    int got = 77;
    int rc = vector_remove(&v, 5, &got);
    cr_assert(rc == -1 && got == 77,
              "vector_remove(&v, 5, &out) with size 5 returned %d and out %d, expected -1 and out "
              "untouched" MC_READ("5.6 Inserting and removing in the middle"),
              rc, got);
    assert_ints(&v, want, 5, "a rejected remove at 5");
    vector_free(&v);
}

Test(failure, a_push_that_cannot_grow_leaves_the_vector_unchanged)
{
    MC_CLAUSE("5.2", "2.2");
    struct vector v;
    init_ints(&v);
    push_range(&v, 0, VECTOR_MIN_CAPACITY);
    struct vector before = v;
    struct mc_snapshot live = mc_snapshot();
    int x = 8;
    mc_fail_nth_alloc(1);
    int rc = vector_push(&v, &x);
    mc_fail_none();
    cr_assert_eq(rc, -1,
                 "vector_push() on a full vector with %s failing returned %d, expected -1" MC_READ(
                     "5.5 The strong guarantee"),
                 mc_fail_note(), rc);
    cr_assert(v.data == before.data && v.size == before.size && v.capacity == before.capacity,
              "after a failed push: data %p, size %zu, capacity %zu; expected them unchanged: %p, "
              "%zu, %zu (%s failed)" MC_READ("5.5 The strong guarantee"),
              v.data, v.size, v.capacity, before.data, before.size, before.capacity,
              mc_fail_note());
    mc_assert_no_leak_since(live, "a failed vector_push()", "5.5 The strong guarantee");
    int want[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_ints(&v, want, 8, "a failed push");
    rc = vector_push(&v, &x);
    cr_assert_eq(rc, 0,
                 "vector_push() after realloc works again returned %d, expected 0" MC_READ(
                     "5.5 The strong guarantee"),
                 rc);
    assert_ints(&v, want, 9, "a failed push and a successful one");
    vector_free(&v);
}

Test(shrink, shrink_to_fit_makes_capacity_equal_size_and_frees_when_empty)
{
    MC_CLAUSE("8.1", "8.2", "8.3");
    struct vector v;
    init_ints(&v);
    push_range(&v, 0, 10);
    int rc = vector_shrink_to_fit(&v);
    cr_assert(rc == 0 && v.capacity == 10 && mc_live_size_of(v.data) == 10 * sizeof(int),
              "vector_shrink_to_fit() with size 10 returned %d, capacity %zu, buffer %zu bytes; "
              "expected 0, 10, %zu" MC_READ("5.7 Shrink to fit"),
              rc, v.capacity, mc_live_size_of(v.data), 10 * sizeof(int));
    int want[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_ints(&v, want, 10, "vector_shrink_to_fit()");
    vector_clear(&v);
    cr_assert(v.size == 0 && v.capacity == 10,
              "vector_clear() left size %zu and capacity %zu, expected 0 and 10" MC_READ(
                  "5.1 Size and capacity"),
              v.size, v.capacity);
    rc = vector_shrink_to_fit(&v);
    cr_assert(rc == 0 && v.data == NULL && v.capacity == 0 && mc_live_blocks() == 0,
              "vector_shrink_to_fit() on an empty vector returned %d, data %p, capacity %zu, %zu "
              "live block(s); "
              "expected 0, NULL, 0 and no live blocks" MC_READ("5.7 Shrink to fit"),
              rc, v.data, v.capacity, mc_live_blocks());
    vector_free(&v);
}

Test(shrink, free_releases_the_buffer_and_leaves_a_reusable_vector)
{
    MC_CLAUSE("3.3");
    struct vector v;
    init_ints(&v);
    push_range(&v, 0, 50);
    vector_free(&v);
    cr_assert(v.data == NULL && v.size == 0 && v.capacity == 0 && v.elem_size == sizeof(int),
              "after vector_free(): data %p, size %zu, capacity %zu, elem_size %zu; expected NULL, "
              "0, 0, %zu" MC_READ("5.1 Size and capacity"),
              v.data, v.size, v.capacity, v.elem_size, sizeof(int));
    cr_assert_eq(
        mc_live_blocks(), 0,
        "vector_free() left %zu block(s) live, expected none" MC_READ("5.1 Size and capacity"),
        mc_live_blocks());
    push_range(&v, 0, 3);
    int want[] = {0, 1, 2};
    assert_ints(&v, want, 3, "vector_free() and three more pushes");
    vector_free(&v);
    vector_free(&v);
    cr_assert_eq(mc_live_blocks(), 0,
                 "calling vector_free() twice left %zu block(s) live, expected none" MC_READ(
                     "5.1 Size and capacity"),
                 mc_live_blocks());
}
