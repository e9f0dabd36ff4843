/*
 * Hidden tests for exercise 03 (vector): overflow, every failure path, odd
 * capacities and element sizes, and a long random run checked against a
 * plain-array model.
 */
#include "mc_test.h"
#include "vector.h"

#include <stdint.h>
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

/* Fails unless *v has the same buffer, size and capacity as before. */
static void assert_unchanged(const struct vector *v, const struct vector *before, const char *after)
{
    cr_assert(
        v->data == before->data && v->size == before->size && v->capacity == before->capacity,
        "after %s: data %p, size %zu, capacity %zu; expected them unchanged: %p, %zu, %zu" MC_READ(
            "5.5 The strong guarantee"),
        after, v->data, v->size, v->capacity, before->data, before->size, before->capacity);
}

Test(overflow, reserve_rejects_byte_counts_that_overflow_without_allocating)
{
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

Test(strong, failed_reserve_and_failed_insert_change_nothing)
{
    struct vector v;
    init_or_fail(&v, sizeof(int));
    push_ints(&v, VECTOR_MIN_CAPACITY);
    struct vector before = v;
    struct mc_snapshot live = mc_snapshot();

    mc_fail_nth_alloc(1);
    int rc = vector_reserve(&v, 1000);
    mc_fail_none();
    cr_assert_eq(rc, -1,
                 "vector_reserve(&v, 1000) with realloc failing returned %d, expected -1" MC_READ(
                     "5.5 The strong guarantee"),
                 rc);
    assert_unchanged(&v, &before, "a failed vector_reserve()");
    assert_int_run(&v, VECTOR_MIN_CAPACITY, SIZE_MAX, 0, "a failed vector_reserve()");

    int x = -5;
    size_t where[] = {0, 3, VECTOR_MIN_CAPACITY};
    for (size_t i = 0; i < 3; i++) {
        mc_fail_nth_alloc(1);
        rc = vector_insert(&v, where[i], &x);
        mc_fail_none();
        cr_assert_eq(rc, -1,
                     "vector_insert(&v, %zu, ...) on a full vector with realloc failing returned "
                     "%d, expected -1" MC_READ("5.5 The strong guarantee"),
                     where[i], rc);
        assert_unchanged(&v, &before, "a failed vector_insert()");
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
    struct vector v;
    init_or_fail(&v, sizeof(int));
    push_ints(&v, 10);
    struct vector before = v;
    struct mc_snapshot live = mc_snapshot();
    mc_fail_nth_alloc(1);
    int rc = vector_shrink_to_fit(&v);
    mc_fail_none();
    cr_assert_eq(rc, -1,
                 "vector_shrink_to_fit() with realloc failing returned %d, expected -1" MC_READ(
                     "5.7 Shrink to fit"),
                 rc);
    assert_unchanged(&v, &before, "a failed vector_shrink_to_fit()");
    assert_int_run(&v, 10, SIZE_MAX, 0, "a failed vector_shrink_to_fit()");
    mc_assert_no_leak_since(live, "a failed vector_shrink_to_fit()", "5.5 The strong guarantee");
    vector_free(&v);
}

Test(strong, running_out_of_memory_at_any_point_never_leaks_or_corrupts)
{
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
                  "with %zu allocation(s) allowed, pushes stopped at size %zu, capacity %zu; "
                  "expected %zu and %zu" MC_READ("5.5 The strong guarantee"),
                  allowed, v.size, v.capacity, want, want);
        const int *elems = v.data;
        int wrong = 0;
        for (size_t i = 0; i < v.size; i++)
            wrong += elems[i] != (int)i;
        cr_assert_eq(wrong, 0,
                     "with %zu allocation(s) allowed, %d element(s) were damaged by the failed "
                     "growth" MC_READ("5.5 The strong guarantee"),
                     allowed, wrong);
        vector_free(&v);
        cr_assert_eq(mc_live_blocks(), 0,
                     "with %zu allocation(s) allowed, %zu block(s) were still live after "
                     "vector_free()" MC_READ("5.5 The strong guarantee"),
                     allowed, mc_live_blocks());
    }
}

Test(capacity, growth_doubles_an_odd_capacity_left_by_reserve_or_shrink)
{
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

Test(capacity, null_outputs_empty_vectors_and_double_free_are_safe)
{
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

/* Runs `steps` random inserts, removes, pushes, pops and sets on a vector of
 * elem_size-byte elements and on a plain array, then compares the two. */
static void run_against_model(size_t elem_size, uint32_t seed, int steps)
{
    static unsigned char model[MODEL_MAX * ELEM_MAX];
    size_t count = 0;
    struct vector v;
    init_or_fail(&v, elem_size);
    int failures = 0;
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
    }
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
    size_t sizes[] = {1, 3, 8, 24};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        run_against_model(sizes[i], 12345u + (uint32_t)i, 3000);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) still live after vector_free()" MC_READ("5.1 Size and capacity"),
                 mc_live_blocks());
}
