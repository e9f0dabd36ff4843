/*
 * Hidden tests for exercise 03 (vector): overflow, every failure path, odd
 * capacities and element sizes, and a long random run checked against a
 * plain-array model.
 */
#include "mc_test.h"
#include "vector.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

MC_SUITE(overflow);
MC_SUITE(strong);
MC_SUITE(capacity);
MC_SUITE(model);

static void init_or_fail(struct vector *v, size_t elem_size)
{
    int rc = vector_init(v, elem_size);
    cr_assert_eq(rc, 0,
                 "vector_init(&v, %zu) returned %d, expected 0" MC_READ("5.1 Size and capacity"),
                 elem_size, rc);
}

static void push_ints(struct vector *v, int count)
{
    for (int i = 0; i < count; i++) {
        int rc = vector_push(v, &i);
        cr_assert_eq(rc, 0,
                     "vector_push(&v, %d) returned %d, expected 0" MC_READ("5.1 Size and capacity"),
                     i, rc);
    }
}

/* Fails unless v holds the ints 0..count-1 except that inserted sits at index
 * `at` (or nowhere, when at == SIZE_MAX). */
static void assert_int_run(const struct vector *v, int count, size_t at, int inserted,
                           const char *after)
{
    size_t n = (size_t)count + (at != SIZE_MAX);
    cr_assert(v->size == n && v->data != NULL,
              "after %s: size %zu and data %p, expected size %zu and a buffer" MC_READ(
                  "5.5 The strong guarantee"),
              after, v->size, v->data, n);
    const int *elems = v->data;
    int next = 0;
    for (size_t i = 0; i < n; i++) {
        int want = i == at ? inserted : next++;
        cr_assert_eq(elems[i], want,
                     "after %s, element %zu is %d, expected %d" MC_READ("5.5 The strong guarantee"),
                     after, i, elems[i], want);
    }
}

/* Fails unless *v has the same buffer, size, capacity and element size as before. */
static void assert_unchanged(const struct vector *v, const struct vector *before, const char *after)
{
    cr_assert(v->data == before->data && v->size == before->size &&
                  v->capacity == before->capacity && v->elem_size == before->elem_size,
              "after %s: data %p, size %zu, capacity %zu, elem_size %zu; expected them unchanged: "
              "%p, %zu, %zu, %zu" MC_READ("5.5 The strong guarantee"),
              after, v->data, v->size, v->capacity, v->elem_size, before->data, before->size,
              before->capacity, before->elem_size);
}

Test(overflow, reserve_rejects_byte_counts_that_overflow_without_allocating)
{
    MC_CLAUSE("4.2", "2.2");
    /* Each product capacity * elem_size wraps around to a small number. */
    struct {
        size_t elem_size;
        size_t capacity;
    } cases[] = {
        {(size_t)1 << 32, (size_t)1 << 32},        {SIZE_MAX / 2 + 1, 2}, {SIZE_MAX / 8 + 1, 8},
        {sizeof(int), SIZE_MAX / sizeof(int) + 1}, {3, SIZE_MAX / 3 + 1}, {24, SIZE_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vector v;
        init_or_fail(&v, cases[i].elem_size);
        size_t calls = mc_alloc_calls();
        int rc = vector_reserve(&v, cases[i].capacity);
        cr_assert_eq(rc, -1,
                     "vector_reserve(&v, %zu) with elem_size %zu returned %d, expected -1: the "
                     "byte count overflows" MC_READ("5.4 Overflow-safe capacity arithmetic"),
                     cases[i].capacity, cases[i].elem_size, rc);
        cr_assert_eq(
            mc_alloc_calls(), calls,
            "vector_reserve(&v, %zu) with elem_size %zu made an allocation call; the overflow must "
            "be caught before it" MC_READ("5.4 Overflow-safe capacity arithmetic"),
            cases[i].capacity, cases[i].elem_size);
        cr_assert(v.data == NULL && v.capacity == 0 && v.size == 0,
                  "a rejected reserve changed the vector: data %p, capacity %zu, size %zu" MC_READ(
                      "5.5 The strong guarantee"),
                  v.data, v.capacity, v.size);
        vector_free(&v);
    }
}

Test(overflow, growth_of_huge_elements_fails_without_wrapping)
{
    MC_CLAUSE("9.2", "5.2", "7.3", "2.2");
    /* 8 elements of these sizes do not fit in a size_t: a growth that is not capped (or not
     * checked) asks realloc for a byte count that wrapped around, gets a small block, and then
     * copies the element into it. The capped count is far too big to allocate. */
    static const size_t sizes[] = {SIZE_MAX / 2 + 1, SIZE_MAX / 8 + 1};
    static const unsigned char elem[16]; /* never read: no growth can succeed */
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct vector v;
        init_or_fail(&v, sizes[i]);
        struct vector before = v;
        int rc = vector_push(&v, elem);
        cr_assert_eq(rc, -1,
                     "vector_push() on an empty vector with elem_size %zu returned %d, expected "
                     "-1: no capacity of at least one element can be allocated" MC_READ(
                         "5.4 Overflow-safe capacity arithmetic"),
                     sizes[i], rc);
        assert_unchanged(&v, &before, "a push that could not grow");
        rc = vector_insert(&v, 0, elem);
        cr_assert_eq(rc, -1,
                     "vector_insert(&v, 0, ...) on an empty vector with elem_size %zu returned "
                     "%d, expected -1" MC_READ("5.4 Overflow-safe capacity arithmetic"),
                     sizes[i], rc);
        assert_unchanged(&v, &before, "an insert that could not grow");
        cr_assert_eq(mc_live_blocks(), 0,
                     "after failed growth with elem_size %zu, %zu block(s) are live, expected "
                     "none" MC_READ("5.5 The strong guarantee"),
                     sizes[i], mc_live_blocks());
        vector_free(&v);
    }
}

Test(strong, failed_reserve_and_failed_insert_change_nothing)
{
    MC_CLAUSE("4.3", "7.3", "2.2", "1.4");
    struct vector v;
    init_or_fail(&v, sizeof(int));
    push_ints(&v, VECTOR_MIN_CAPACITY);
    struct vector before = v;
    struct mc_snapshot live = mc_snapshot();

    mc_fail_nth_alloc(1);
    int rc = vector_reserve(&v, 1000);
    mc_fail_none();
    cr_assert_eq(rc, -1,
                 "vector_reserve(&v, 1000) with %s failing returned %d, expected -1" MC_READ(
                     "5.5 The strong guarantee"),
                 mc_fail_note(), rc);
    assert_unchanged(&v, &before, "a vector_reserve() whose allocation failed");
    assert_int_run(&v, VECTOR_MIN_CAPACITY, SIZE_MAX, 0, "a failed vector_reserve()");

    int x = -5;
    size_t where[] = {0, 3, VECTOR_MIN_CAPACITY};
    for (size_t i = 0; i < 3; i++) {
        mc_fail_nth_alloc(1);
        rc = vector_insert(&v, where[i], &x);
        mc_fail_none();
        cr_assert_eq(rc, -1,
                     "vector_insert(&v, %zu, ...) on a full vector with %s failing returned %d, "
                     "expected -1" MC_READ("5.5 The strong guarantee"),
                     where[i], mc_fail_note(), rc);
        assert_unchanged(&v, &before, "a vector_insert() whose allocation failed");
        assert_int_run(&v, VECTOR_MIN_CAPACITY, SIZE_MAX, 0, "a failed vector_insert()");
    }
    mc_assert_no_leak_since(live, "failed vector_reserve() and vector_insert() calls",
                            "5.5 The strong guarantee");

    rc = vector_insert(&v, 3, &x);
    cr_assert_eq(
        rc, 0,
        "vector_insert(&v, 3, ...) once realloc works again returned %d, expected 0" MC_READ(
            "5.6 Inserting and removing in the middle"),
        rc);
    assert_int_run(&v, VECTOR_MIN_CAPACITY, 3, x, "a successful vector_insert(&v, 3, ...)");
    vector_free(&v);
}

Test(strong, failed_shrink_keeps_the_buffer_and_contents)
{
    MC_CLAUSE("8.4", "2.2", "1.4");
    struct vector v;
    init_or_fail(&v, sizeof(int));
    push_ints(&v, 10);
    struct vector before = v;
    struct mc_snapshot live = mc_snapshot();
    mc_fail_nth_alloc(1);
    int rc = vector_shrink_to_fit(&v);
    mc_fail_none();
    cr_assert_eq(rc, -1,
                 "vector_shrink_to_fit() with %s failing returned %d, expected -1" MC_READ(
                     "5.7 Shrink to fit"),
                 mc_fail_note(), rc);
    assert_unchanged(&v, &before, "a vector_shrink_to_fit() whose allocation failed");
    assert_int_run(&v, 10, SIZE_MAX, 0, "a failed vector_shrink_to_fit()");
    mc_assert_no_leak_since(live, "a failed vector_shrink_to_fit()", "5.5 The strong guarantee");
    vector_free(&v);
}

Test(strong, rejected_arguments_change_nothing_and_allocate_nothing)
{
    MC_CLAUSE("2.2", "7.2", "7.5", "6.3", "6.5", "5.4", "4.2", "1.4");
    struct vector v;
    init_or_fail(&v, sizeof(int));
    push_ints(&v, VECTOR_MIN_CAPACITY); /* full: the next insert would have to grow */
    struct vector before = v;
    struct mc_snapshot live = mc_snapshot();
    size_t calls = mc_alloc_calls();
    char after[160];
    int x = -7;
    static const size_t bad_insert[] = {VECTOR_MIN_CAPACITY + 1, VECTOR_MIN_CAPACITY + 100,
                                        SIZE_MAX};
    for (size_t i = 0; i < sizeof bad_insert / sizeof bad_insert[0]; i++) {
        int rc = vector_insert(&v, bad_insert[i], &x);
        cr_assert_eq(rc, -1,
                     "vector_insert(&v, %zu, ...) on a full vector of size %d returned %d, "
                     "expected -1" MC_READ("5.6 Inserting and removing in the middle"),
                     bad_insert[i], VECTOR_MIN_CAPACITY, rc);
        snprintf(after, sizeof after,
                 "vector_insert(&v, %zu, ...) was rejected (check the index before growing)",
                 bad_insert[i]);
        assert_unchanged(&v, &before, after);
        assert_int_run(&v, VECTOR_MIN_CAPACITY, SIZE_MAX, 0, after);
    }
    static const size_t bad_index[] = {VECTOR_MIN_CAPACITY, VECTOR_MIN_CAPACITY + 1, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad_index / sizeof bad_index[0]; i++) {
        int out = 4242;
        int rc = vector_remove(&v, bad_index[i], &out);
        cr_assert(rc == -1 && out == 4242,
                  "vector_remove(&v, %zu, &out) with size %d returned %d and out %d, expected -1 "
                  "and out left as it was" MC_READ("5.6 Inserting and removing in the middle"),
                  bad_index[i], VECTOR_MIN_CAPACITY, rc, out);
        rc = vector_get(&v, bad_index[i], &out);
        cr_assert(rc == -1 && out == 4242,
                  "vector_get(&v, %zu, &out) with size %d returned %d and out %d, expected -1 "
                  "and out left as it was" MC_READ("5.1 Size and capacity"),
                  bad_index[i], VECTOR_MIN_CAPACITY, rc, out);
        rc = vector_set(&v, bad_index[i], &x);
        cr_assert_eq(rc, -1,
                     "vector_set(&v, %zu, ...) with size %d returned %d, expected -1" MC_READ(
                         "5.1 Size and capacity"),
                     bad_index[i], VECTOR_MIN_CAPACITY, rc);
        snprintf(after, sizeof after, "remove, get and set at index %zu were rejected",
                 bad_index[i]);
        assert_unchanged(&v, &before, after);
        assert_int_run(&v, VECTOR_MIN_CAPACITY, SIZE_MAX, 0, after);
    }
    static const size_t bad_reserve[] = {SIZE_MAX, SIZE_MAX / sizeof(int) + 1};
    for (size_t i = 0; i < sizeof bad_reserve / sizeof bad_reserve[0]; i++) {
        int rc = vector_reserve(&v, bad_reserve[i]);
        cr_assert_eq(rc, -1,
                     "vector_reserve(&v, %zu) with elem_size %zu returned %d, expected -1: the "
                     "byte count overflows" MC_READ("5.4 Overflow-safe capacity arithmetic"),
                     bad_reserve[i], sizeof(int), rc);
        snprintf(after, sizeof after, "vector_reserve(&v, %zu) was rejected", bad_reserve[i]);
        assert_unchanged(&v, &before, after);
        assert_int_run(&v, VECTOR_MIN_CAPACITY, SIZE_MAX, 0, after);
    }
    cr_assert_eq(mc_alloc_calls(), calls,
                 "rejected calls made %zu allocation call(s), expected none: check the "
                 "arguments before allocating" MC_READ("5.5 The strong guarantee"),
                 mc_alloc_calls() - calls);
    mc_assert_no_leak_since(live, "rejected calls", "5.5 The strong guarantee");

    vector_clear(&v); /* empty, but with its buffer */
    before = v;
    int out = 99;
    int rc = vector_pop(&v, &out);
    cr_assert(rc == -1 && out == 99,
              "vector_pop(&v, &out) on a cleared vector returned %d and out %d, expected -1 and "
              "out left as it was" MC_READ("5.1 Size and capacity"),
              rc, out);
    assert_unchanged(&v, &before, "vector_pop() on a cleared vector was rejected");
    vector_free(&v);
}

Test(strong, running_out_of_memory_at_any_point_never_leaks_or_corrupts)
{
    MC_CLAUSE("5.2", "2.2", "9.1");
    for (size_t allowed = 0; allowed < 6; allowed++) {
        struct vector v;
        init_or_fail(&v, sizeof(int));
        mc_fail_allocs_after(allowed);
        int pushed = 0;
        while (pushed < 1000 && vector_push(&v, &pushed) == 0)
            pushed++;
        mc_fail_none();
        size_t want = allowed == 0 ? 0 : (size_t)VECTOR_MIN_CAPACITY << (allowed - 1);
        cr_assert(v.size == want && v.capacity == want,
                  "with %s failing, pushes stopped at size %zu, capacity %zu; expected %zu and "
                  "%zu" MC_READ("5.5 The strong guarantee"),
                  mc_fail_note(), v.size, v.capacity, want, want);
        const int *elems = v.data;
        int wrong = 0;
        for (size_t i = 0; i < v.size; i++)
            wrong += elems[i] != (int)i;
        cr_assert_eq(wrong, 0,
                     "with %s failing, %d element(s) were damaged by the failed growth" MC_READ(
                         "5.5 The strong guarantee"),
                     mc_fail_note(), wrong);
        vector_free(&v);
        cr_assert_eq(mc_live_blocks(), 0,
                     "with %s failing, %zu block(s) were still live after vector_free()" MC_READ(
                         "5.5 The strong guarantee"),
                     mc_fail_note(), mc_live_blocks());
    }
}

Test(capacity, growth_doubles_an_odd_capacity_left_by_reserve_or_shrink)
{
    MC_CLAUSE("9.1", "8.2", "1.3", "4.1");
    struct vector v;
    init_or_fail(&v, sizeof(int));
    int rc = vector_reserve(&v, 3);
    cr_assert(rc == 0 && v.capacity == 3,
              "vector_reserve(&v, 3) returned %d, capacity %zu; expected 0, 3" MC_READ(
                  "5.1 Size and capacity"),
              rc, v.capacity);
    push_ints(&v, 4);
    cr_assert_eq(v.capacity, 6,
                 "pushing a 4th element into capacity 3 gave capacity %zu, expected 6" MC_READ(
                     "5.2 Geometric growth and amortized O(1)"),
                 v.capacity);
    vector_remove(&v, 3, NULL);
    rc = vector_shrink_to_fit(&v);
    cr_assert(rc == 0 && v.capacity == 3,
              "vector_shrink_to_fit() with size 3 returned %d, capacity %zu; expected 0, 3" MC_READ(
                  "5.7 Shrink to fit"),
              rc, v.capacity);
    int x = 3;
    rc = vector_insert(&v, 3, &x);
    cr_assert(rc == 0 && v.capacity == 6 && mc_live_size_of(v.data) == 6 * sizeof(int),
              "vector_insert() into a full capacity of 3 returned %d, capacity %zu, buffer %zu "
              "bytes; expected 0, 6, %zu" MC_READ("5.2 Geometric growth and amortized O(1)"),
              rc, v.capacity, mc_live_size_of(v.data), 6 * sizeof(int));
    assert_int_run(&v, 4, SIZE_MAX, 0, "reserve, pushes, a remove, a shrink and an insert");
    vector_free(&v);
}

Test(capacity, clear_keeps_the_buffer_so_refilling_allocates_nothing)
{
    MC_CLAUSE("8.1");
    struct vector v;
    init_or_fail(&v, sizeof(int));
    push_ints(&v, 20);
    void *data = v.data;
    size_t capacity = v.capacity;
    size_t calls = mc_alloc_calls();
    vector_clear(&v);
    cr_assert(v.size == 0 && v.data == data && v.capacity == capacity,
              "vector_clear() left size %zu, data %p, capacity %zu; expected 0, %p, %zu" MC_READ(
                  "5.1 Size and capacity"),
              v.size, v.data, v.capacity, data, capacity);
    push_ints(&v, 20);
    cr_assert_eq(mc_alloc_calls(), calls,
                 "refilling a cleared vector made %zu allocation call(s), expected none" MC_READ(
                     "5.1 Size and capacity"),
                 mc_alloc_calls() - calls);
    assert_int_run(&v, 20, SIZE_MAX, 0, "vector_clear() and 20 pushes");
    vector_free(&v);
}

Test(capacity, calls_that_need_no_room_never_move_the_buffer_or_allocate)
{
    MC_CLAUSE("10.1", "8.2", "4.1");
    struct vector v;
    init_or_fail(&v, sizeof(int));
    push_ints(&v, VECTOR_MIN_CAPACITY); /* size == capacity */
    void *data = v.data;
    size_t calls = mc_alloc_calls();
    int *third = vector_at(&v, 2);
    cr_assert_not_null(
        third, "vector_at(&v, 2) with size %d returned NULL" MC_READ("5.1 Size and capacity"),
        VECTOR_MIN_CAPACITY);
    int rc = vector_shrink_to_fit(&v);
    cr_assert(rc == 0 && v.data == data && v.capacity == VECTOR_MIN_CAPACITY,
              "vector_shrink_to_fit() with size == capacity == %d returned %d, data %p, capacity "
              "%zu; expected 0 and the same buffer %p" MC_READ("5.7 Shrink to fit"),
              VECTOR_MIN_CAPACITY, rc, v.data, v.capacity, data);
    rc = vector_reserve(&v, VECTOR_MIN_CAPACITY);
    cr_assert(rc == 0 && v.data == data,
              "vector_reserve(&v, %d) with that capacity returned %d and moved the buffer from %p "
              "to %p" MC_READ("5.1 Size and capacity"),
              VECTOR_MIN_CAPACITY, rc, data, v.data);
    int x = 77;
    int out = 0;
    vector_set(&v, 2, &x);
    cr_assert(v.data == data && *third == 77,
              "after vector_set(&v, 2, &77), data is %p (was %p) and the pointer vector_at(&v, 2) "
              "returned reads %d; expected the same buffer and 77" MC_READ(
                  "5.8 Pointer invalidation after growth"),
              v.data, data, *third);
    vector_get(&v, 2, &out);
    vector_pop(&v, &out);
    vector_remove(&v, 0, &out);
    cr_assert(v.data == data && v.capacity == VECTOR_MIN_CAPACITY && vector_at(&v, 2) == third,
              "after get, pop and remove(0), data is %p (was %p) and capacity %zu; expected the "
              "same buffer and capacity %d, so that vector_at(&v, 2) still returns %p" MC_READ(
                  "5.8 Pointer invalidation after growth"),
              v.data, data, v.capacity, VECTOR_MIN_CAPACITY, (void *)third);
    cr_assert_eq(*third, 3,
                 "after setting element 2 to 77 and removing element 0, the element at the old "
                 "pointer is %d, expected 3 (remove shifts the later elements down)" MC_READ(
                     "5.6 Inserting and removing in the middle"),
                 *third);
    vector_clear(&v);
    cr_assert(v.data == data && v.capacity == VECTOR_MIN_CAPACITY,
              "vector_clear() moved the buffer from %p to %p or changed capacity to %zu" MC_READ(
                  "5.1 Size and capacity"),
              data, v.data, v.capacity);
    cr_assert_eq(mc_alloc_calls(), calls,
                 "shrink, reserve, set, get, pop, remove and clear on a vector with enough room "
                 "made %zu allocation call(s), expected none" MC_READ("5.1 Size and capacity"),
                 mc_alloc_calls() - calls);
    vector_free(&v);
}

Test(capacity, null_outputs_empty_vectors_and_double_free_are_safe)
{
    MC_CLAUSE("3.2", "3.3", "5.3", "7.4", "8.3");
    struct vector v;
    init_or_fail(&v, sizeof(int));
    struct vector untouched = {(void *)&v, 11, 22, 33};
    int rc = vector_init(&untouched, 0);
    cr_assert(rc == -1 && untouched.data == (void *)&v && untouched.size == 11 &&
                  untouched.capacity == 22 && untouched.elem_size == 33,
              "vector_init(&v, 0) returned %d or changed *v; expected -1 and *v untouched" MC_READ(
                  "5.1 Size and capacity"),
              rc);
    int x = 5;
    rc = vector_insert(&v, 0, &x);
    cr_assert(rc == 0 && v.size == 1 && v.capacity == VECTOR_MIN_CAPACITY,
              "vector_insert(&v, 0, ...) on an empty vector returned %d, size %zu, capacity %zu; "
              "expected 0, 1, %d" MC_READ("5.2 Geometric growth and amortized O(1)"),
              rc, v.size, v.capacity, VECTOR_MIN_CAPACITY);
    push_ints(&v, 3);
    rc = vector_remove(&v, 0, NULL);
    cr_assert(rc == 0 && v.size == 3,
              "vector_remove(&v, 0, NULL) returned %d, size %zu; expected 0, 3" MC_READ(
                  "5.6 Inserting and removing in the middle"),
              rc, v.size);
    rc = vector_pop(&v, NULL);
    cr_assert(rc == 0 && v.size == 2,
              "vector_pop(&v, NULL) returned %d, size %zu; expected 0, 2" MC_READ(
                  "5.1 Size and capacity"),
              rc, v.size);
    assert_int_run(&v, 2, SIZE_MAX, 0,
                   "inserting 5 into an empty vector, pushing 0..2, removing index 0 and popping");
    vector_free(&v);
    vector_free(&v);
    cr_assert(v.data == NULL && v.capacity == 0 && mc_live_blocks() == 0,
              "after vector_free() twice: data %p, capacity %zu, %zu live block(s); expected NULL, "
              "0, none" MC_READ("5.1 Size and capacity"),
              v.data, v.capacity, mc_live_blocks());
    rc = vector_shrink_to_fit(&v);
    cr_assert(
        rc == 0 && v.data == NULL,
        "vector_shrink_to_fit() on a freed vector returned %d, data %p; expected 0, NULL" MC_READ(
            "5.7 Shrink to fit"),
        rc, v.data);
}

/* A small deterministic generator, so every run makes the same calls. */
static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* Fills elem (elem_size bytes) with a pattern derived from seed. */
static void make_elem(unsigned char *elem, size_t elem_size, uint32_t seed)
{
    for (size_t i = 0; i < elem_size; i++)
        elem[i] = (unsigned char)(seed * 31u + (uint32_t)i * 7u);
}

enum { MODEL_MAX = 600, ELEM_MAX = 24 };

/* 1 if v breaks an invariant of the README: size <= capacity, data NULL exactly when
 * capacity is 0, and a buffer of exactly capacity * elem_size bytes. */
static int breaks_invariants(const struct vector *v)
{
    if (v->size > v->capacity || (v->data == NULL) != (v->capacity == 0))
        return 1;
    return v->data != NULL && mc_live_size_of(v->data) != v->capacity * v->elem_size;
}

/* Runs `steps` random inserts, removes, pushes, pops and sets on a vector of
 * elem_size-byte elements and on a plain array, then compares the two. */
static void run_against_model(size_t elem_size, uint32_t seed, int steps)
{
    static unsigned char model[MODEL_MAX * ELEM_MAX];
    size_t count = 0;
    struct vector v;
    init_or_fail(&v, elem_size);
    int failures = 0;
    int broken = 0; /* steps after which an invariant did not hold */
    for (int step = 0; step < steps; step++) {
        unsigned char elem[ELEM_MAX];
        unsigned char out[ELEM_MAX];
        uint32_t r = next_random(&seed);
        size_t index = count == 0 ? 0 : next_random(&seed) % (count + (r % 5 == 0));
        make_elem(elem, elem_size, r);
        switch (count >= MODEL_MAX - 1 ? 1 : r % 5) {
        case 0:
            failures += vector_insert(&v, index, elem) != 0;
            memmove(model + (index + 1) * elem_size, model + index * elem_size,
                    (count - index) * elem_size);
            memcpy(model + index * elem_size, elem, elem_size);
            count++;
            break;
        case 1:
            if (count == 0)
                break;
            index %= count;
            failures += vector_remove(&v, index, out) != 0;
            failures += memcmp(out, model + index * elem_size, elem_size) != 0;
            memmove(model + index * elem_size, model + (index + 1) * elem_size,
                    (count - index - 1) * elem_size);
            count--;
            break;
        case 2:
            failures += vector_push(&v, elem) != 0;
            memcpy(model + count * elem_size, elem, elem_size);
            count++;
            break;
        case 3:
            if (count == 0)
                break;
            failures += vector_pop(&v, out) != 0;
            count--;
            failures += memcmp(out, model + count * elem_size, elem_size) != 0;
            break;
        default:
            if (count == 0)
                break;
            index %= count;
            failures += vector_set(&v, index, elem) != 0;
            memcpy(model + index * elem_size, elem, elem_size);
            break;
        }
        broken += breaks_invariants(&v);
    }
    cr_assert_eq(broken, 0,
                 "after %d of %d random calls on %zu-byte elements, size > capacity, data and "
                 "capacity disagreed about being empty, or the buffer was not capacity * "
                 "elem_size bytes" MC_READ("5.1 Size and capacity"),
                 broken, steps, elem_size);
    cr_assert_eq(
        failures, 0,
        "%d of %d random calls on %zu-byte elements failed or returned the wrong element" MC_READ(
            "5.6 Inserting and removing in the middle"),
        failures, steps, elem_size);
    cr_assert(v.size == count && (count == 0 || v.data != NULL),
              "after %d random calls on %zu-byte elements size is %zu, expected %zu" MC_READ(
                  "5.6 Inserting and removing in the middle"),
              steps, elem_size, v.size, count);
    cr_assert(count == 0 || memcmp(v.data, model, count * elem_size) == 0,
              "after %d random calls on %zu-byte elements the contents differ from a plain array "
              "doing the same" MC_READ("5.6 Inserting and removing in the middle"),
              steps, elem_size);
    vector_free(&v);
}

Test(model, random_inserts_and_removes_match_a_plain_array)
{
    MC_CLAUSE("7.1", "7.4", "5.1", "5.3", "6.4", "1.1", "1.2", "1.3");
    size_t sizes[] = {1, 3, 8, 24};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        run_against_model(sizes[i], 12345u + (uint32_t)i, 3000);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) still live after vector_free()" MC_READ("5.1 Size and capacity"),
                 mc_live_blocks());
}
