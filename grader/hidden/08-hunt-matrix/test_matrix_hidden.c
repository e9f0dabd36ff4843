/*
 * Hidden tests for bug hunt 08-hunt-matrix: sizes whose byte count
 * overflows, empty shapes, bounds, transposes, and every allocation failing
 * in turn. Each test that judges a planted bug uses no other function a
 * planted bug lives in, so that each bug is judged alone. Every test makes
 * the same number of assertions whatever the design (the grader counts
 * them).
 */
#include "matrix.h"
#include "mc_test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define READ_OVERFLOW MC_READ("2.2 Sizes that overflow")
#define READ_ZEROS    MC_READ("2.3 Zeroed memory")
#define READ_RUNS_OUT MC_READ("2.7 When memory runs out")
#define READ_TEST     MC_READ("13.5 Fix minimally and pin it with a test")

enum { MAX_ALLOCS = 6 };

MC_SUITE(matrix_edges);

/* A rows x cols matrix whose element (r, c) is r * 10 + c + 1, set through
 * the data array (mat_at has tests of its own). */
static struct matrix *numbered_data(size_t rows, size_t cols)
{
    struct matrix *m = mat_new(rows, cols);
    cr_assert_not_null(m, "mat_new(%zu, %zu) returned NULL, expected a matrix" READ_TEST, rows,
                       cols);
    for (size_t i = 0; i < rows * cols; i++)
        m->data[i] = (double)(i / cols * 10 + i % cols + 1);
    return m;
}

/* true when m is rows x cols and holds numbered_data()'s values. */
static int is_numbered(const struct matrix *m, size_t rows, size_t cols)
{
    if (m->rows != rows || m->cols != cols)
        return 0;
    for (size_t i = 0; i < rows * cols; i++)
        if (m->data[i] != (double)(i / cols * 10 + i % cols + 1))
            return 0;
    return 1;
}

Test(matrix_edges, refuses_sizes_whose_byte_count_overflows)
{
    MC_CLAUSE("1.2", "2.2");
    static const size_t huge[][2] = {
        {(size_t)1 << 62, 4},       /* rows * cols * 8 wraps to 0 */
        {((size_t)1 << 61) + 1, 1}, /* wraps to 8 bytes */
        {(size_t)1 << 32, (size_t)1 << 32},
        {3, SIZE_MAX / 3 + 1},
        {1, ((size_t)1 << 61) + 1}, /* the count fits, the bytes do not */
    };
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        struct matrix *m = mat_new(huge[i][0], huge[i][1]);
        cr_assert_null(m,
                       "mat_new(%zu, %zu) returned a matrix, expected NULL: the byte count does "
                       "not fit in a size_t" READ_OVERFLOW,
                       huge[i][0], huge[i][1]);
    }
    static const size_t sides[] = {(size_t)1 << 31, (size_t)1 << 32, ((size_t)1 << 31) + 1};
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        struct matrix *m = mat_identity(sides[i]);
        cr_assert_null(m, "mat_identity(%zu) returned a matrix, expected NULL" READ_OVERFLOW,
                       sides[i]);
    }
    cr_assert_eq(mc_live_blocks(), 0,
                 "refused sizes left %zu block(s) live, expected 0" READ_OVERFLOW,
                 mc_live_blocks());
}

Test(matrix_edges, new_matrices_are_zero_whatever_the_heap_held_before)
{
    MC_CLAUSE("1.1");
    static const size_t shapes[][2] = {{1, 1}, {3, 3}, {2, 7}, {9, 4}, {16, 16}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t rows = shapes[s][0], cols = shapes[s][1];
        /* A freed block of the same size, full of 7s, is what malloc hands out next. */
        double *dirty = malloc(rows * cols * sizeof *dirty);
        cr_assert_not_null(dirty, "malloc() failed: the test cannot run");
        for (size_t i = 0; i < rows * cols; i++)
            dirty[i] = 7.0;
        free(dirty);
        struct matrix *m = mat_new(rows, cols);
        cr_assert_not_null(m, "mat_new(%zu, %zu) returned NULL, expected a matrix" READ_ZEROS, rows,
                           cols);
        size_t nonzero = 0;
        for (size_t i = 0; i < rows * cols; i++)
            nonzero += m->data[i] != 0.0;
        cr_assert(m->rows == rows && m->cols == cols && nonzero == 0,
                  "mat_new(%zu, %zu) gave a %zux%zu matrix with %zu nonzero element(s), expected "
                  "%zux%zu and all 0.0" READ_ZEROS,
                  rows, cols, m->rows, m->cols, nonzero, rows, cols);
        mat_free(m);
    }
}

Test(matrix_edges, empty_shapes_are_matrices_not_failures)
{
    MC_CLAUSE("1.4", "3.2", "5.1");
    static const size_t shapes[][2] = {{0, 3}, {3, 0}, {0, 0}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t rows = shapes[s][0], cols = shapes[s][1];
        struct matrix *m = mat_new(rows, cols);
        cr_assert_not_null(m, "mat_new(%zu, %zu) returned NULL, expected an empty matrix" READ_TEST,
                           rows, cols);
        cr_assert(m->rows == rows && m->cols == cols,
                  "mat_new(%zu, %zu) is %zux%zu, expected %zux%zu" READ_TEST, rows, cols, m->rows,
                  m->cols, rows, cols);
        cr_assert_null(mat_at(m, 0, 0), "mat_at(0, 0) of a %zux%zu matrix is not NULL" READ_TEST,
                       rows, cols);
        struct matrix *t = mat_transpose(m);
        cr_assert_not_null(t, "mat_transpose() of a %zux%zu matrix returned NULL" READ_TEST, rows,
                           cols);
        cr_assert(t->rows == cols && t->cols == rows,
                  "the transpose of a %zux%zu matrix is %zux%zu" READ_TEST, rows, cols, t->rows,
                  t->cols);
        mat_free(t);
        mat_free(m);
    }
    struct matrix *id = mat_identity(0);
    cr_assert(id != NULL && id->rows == 0 && id->cols == 0,
              "mat_identity(0) is not an empty 0x0 matrix" READ_TEST);
    mat_free(id);
    cr_assert_eq(mc_live_blocks(), 0, "%zu block(s) live after freeing every matrix" READ_TEST,
                 mc_live_blocks());
}

Test(matrix_edges, identities_of_every_size_start_from_zero)
{
    MC_CLAUSE("2.1");
    for (size_t n = 1; n <= 12; n++) {
        double *dirty = malloc(n * n * sizeof *dirty);
        cr_assert_not_null(dirty, "malloc() failed: the test cannot run");
        for (size_t i = 0; i < n * n; i++)
            dirty[i] = 1000.0;
        free(dirty);
        struct matrix *id = mat_identity(n);
        cr_assert_not_null(id, "mat_identity(%zu) returned NULL" READ_ZEROS, n);
        size_t wrong = 0;
        for (size_t i = 0; i < n * n; i++)
            wrong += id->data[i] != (i % (n + 1) == 0 ? 1.0 : 0.0);
        cr_assert(id->rows == n && id->cols == n && wrong == 0,
                  "mat_identity(%zu) has %zu wrong element(s): expected 1.0 on the diagonal and "
                  "0.0 elsewhere" READ_ZEROS,
                  n, wrong);
        mat_free(id);
    }
}

Test(matrix_edges, at_lends_an_element_and_refuses_every_index_out_of_range)
{
    MC_CLAUSE("3.1", "3.2");
    struct matrix *m = numbered_data(3, 5);
    double *p = mat_at(m, 2, 4);
    cr_assert_eq(p, &m->data[2 * 5 + 4],
                 "mat_at(m, 2, 4) of a 3x5 matrix is %p, expected &data[14] = %p" READ_TEST,
                 (void *)p, (void *)&m->data[14]);
    *mat_at(m, 1, 0) = -1.5;
    cr_assert_eq(m->data[5], -1.5,
                 "writing through mat_at(m, 1, 0) did not change element 5" READ_TEST);
    static const size_t bad[][2] = {{3, 0}, {0, 5}, {3, 5}, {SIZE_MAX, 0}, {0, SIZE_MAX}, {1, 15}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_null(mat_at(m, bad[i][0], bad[i][1]),
                       "mat_at(m, %zu, %zu) of a 3x5 matrix is not NULL" READ_TEST, bad[i][0],
                       bad[i][1]);
    mat_free(m);
}

Test(matrix_edges, products_of_every_shape_leave_their_operands_alone)
{
    MC_CLAUSE("4.1", "4.2");
    struct matrix *a = numbered_data(2, 3);
    struct matrix *b = numbered_data(3, 4);
    struct matrix *p = mat_mul(a, b);
    cr_assert_not_null(p, "mat_mul(2x3, 3x4) returned NULL, expected a 2x4 matrix" READ_TEST);
    cr_assert(p->rows == 2 && p->cols == 4, "mat_mul(2x3, 3x4) is %zux%zu, expected 2x4" READ_TEST,
              p->rows, p->cols);
    for (size_t r = 0; r < 2; r++)
        for (size_t c = 0; c < 4; c++) {
            double want = 0.0;
            for (size_t k = 0; k < 3; k++)
                want += (double)(r * 10 + k + 1) * (double)(k * 10 + c + 1);
            cr_assert_eq(p->data[r * 4 + c], want,
                         "element (%zu, %zu) of the product is %g, expected %g" READ_TEST, r, c,
                         p->data[r * 4 + c], want);
        }
    cr_assert(is_numbered(a, 2, 3) && is_numbered(b, 3, 4),
              "mat_mul() changed one of its operands" READ_TEST);

    struct matrix *sq = numbered_data(3, 3);
    struct matrix *sq2 = mat_mul(sq, sq);
    cr_assert_not_null(sq2, "mat_mul(m, m) returned NULL" READ_TEST);
    cr_assert(is_numbered(sq, 3, 3) && sq2->data[0] == 1.0 * 1 + 2 * 11 + 3 * 21,
              "mat_mul(m, m) changed m or computed (0, 0) = %g, expected %g" READ_TEST,
              sq2->data[0], 1.0 * 1 + 2 * 11 + 3 * 21);

    struct mc_snapshot before = mc_snapshot();
    cr_assert_null(mat_mul(b, a), "mat_mul(3x4, 2x3) returned a matrix, expected NULL" READ_TEST);
    cr_assert_null(mat_mul(a, a), "mat_mul(2x3, 2x3) returned a matrix, expected NULL" READ_TEST);
    mc_assert_no_leak_since(before, "mat_mul() of shapes that do not match",
                            "13.5 Fix minimally and pin it with a test");
    cr_assert(is_numbered(a, 2, 3) && is_numbered(b, 3, 4),
              "a refused mat_mul() changed one of its operands" READ_TEST);
    mat_free(sq2);
    mat_free(sq);
    mat_free(p);
    mat_free(b);
    mat_free(a);
}

Test(matrix_edges, transposes_a_wide_matrix)
{
    MC_CLAUSE("5.1");
    struct matrix *m = mat_new(3, 7);
    cr_assert_not_null(m, "mat_new(3, 7) returned NULL" READ_TEST);
    for (size_t i = 0; i < 21; i++)
        m->data[i] = (double)i;
    struct matrix *t = mat_transpose(m);
    cr_assert_not_null(t, "mat_transpose(3x7) returned NULL" READ_TEST);
    cr_assert(t->rows == 7 && t->cols == 3, "the transpose is %zux%zu, expected 7x3" READ_TEST,
              t->rows, t->cols);
    for (size_t r = 0; r < 3; r++)
        for (size_t c = 0; c < 7; c++)
            cr_assert_eq(t->data[c * 3 + r], m->data[r * 7 + c],
                         "transpose (%zu, %zu) is %g, expected %g" READ_TEST, c, r,
                         t->data[c * 3 + r], m->data[r * 7 + c]);
    for (size_t i = 0; i < 21; i++)
        cr_assert_eq(m->data[i], (double)i, "mat_transpose() changed its argument" READ_TEST);
    mat_free(t);
    mat_free(m);
}

Test(matrix_edges, row_sums_of_a_tall_matrix_write_one_total_per_row)
{
    MC_CLAUSE("6.1");
    struct matrix *m = mat_new(7, 3);
    cr_assert_not_null(m, "mat_new(7, 3) returned NULL" READ_TEST);
    for (size_t i = 0; i < 21; i++)
        m->data[i] = (double)i;
    double sums[8];
    sums[7] = -99.0; /* one past the rows: must stay untouched */
    mat_row_sums(m, sums);
    for (size_t r = 0; r < 7; r++) {
        double want = (double)(3 * r + (3 * r + 1) + (3 * r + 2));
        cr_assert_eq(sums[r], want, "row %zu of a 7x3 matrix sums to %g, expected %g" READ_TEST, r,
                     sums[r], want);
    }
    cr_assert_eq(sums[7], -99.0, "mat_row_sums() wrote out[7] for a 7-row matrix" READ_TEST);
    mat_free(m);
}

Test(matrix_edges, row_sums_of_single_rows_and_columns)
{
    MC_CLAUSE("6.1");
    struct matrix *row = numbered_data(1, 6);
    struct matrix *col = numbered_data(6, 1);
    double one = 0.0, six[6] = {0};
    mat_row_sums(row, &one);
    cr_assert_eq(one, 1.0 + 2 + 3 + 4 + 5 + 6, "the 1x6 matrix sums to %g, expected 21" READ_TEST,
                 one);
    mat_row_sums(col, six);
    for (size_t r = 0; r < 6; r++)
        cr_assert_eq(six[r], (double)(r * 10 + 1),
                     "row %zu of a 6x1 matrix sums to %g, expected %g" READ_TEST, r, six[r],
                     (double)(r * 10 + 1));
    mat_free(col);
    mat_free(row);
}

/* Calls make() with each allocation failing in turn, then with none failing:
 * a failed call returns NULL and leaks nothing, a call that succeeds returns
 * a correct matrix. */
#define EVERY_FAILURE(call_text, make, check)                                                      \
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {                                                     \
        struct mc_snapshot before = mc_snapshot();                                                 \
        size_t failed_before = mc_failed_allocs();                                                 \
        mc_fail_nth_alloc(n);                                                                      \
        struct matrix *got = (make);                                                               \
        mc_fail_none();                                                                            \
        cr_assert(got == NULL ? mc_failed_allocs() > failed_before : (check),                      \
                  "%s with %s failing returned %s" READ_RUNS_OUT, call_text, mc_fail_note(),       \
                  got == NULL ? "NULL though no allocation failed" : "a wrong matrix");            \
        mat_free(got);                                                                             \
        char what[1600];                                                                           \
        snprintf(what, sizeof what, "%s with %s failing", call_text, mc_fail_note());              \
        mc_assert_no_leak_since(before, what, "2.7 When memory runs out");                         \
    }

Test(matrix_edges, constructors_free_everything_when_memory_runs_out)
{
    MC_CLAUSE("1.3", "2.2");
    EVERY_FAILURE("mat_new(4, 5)", mat_new(4, 5),
                  got->rows == 4 && got->cols == 5 && got->data[19] == 0.0);
    EVERY_FAILURE("mat_identity(4)", mat_identity(4),
                  got->rows == 4 && got->data[5] == 1.0 && got->data[6] == 0.0);
}

Test(matrix_edges, products_and_transposes_free_everything_when_memory_runs_out)
{
    MC_CLAUSE("4.3", "5.2");
    struct matrix *a = numbered_data(2, 3);
    struct matrix *b = numbered_data(3, 2);
    EVERY_FAILURE("mat_mul(2x3, 3x2)", mat_mul(a, b),
                  got->rows == 2 && got->cols == 2 && got->data[3] == 11.0 * 2 + 12 * 12 + 13 * 22);
    EVERY_FAILURE("mat_transpose(2x3)", mat_transpose(a),
                  got->rows == 3 && got->cols == 2 && got->data[1] == 11.0);
    cr_assert(is_numbered(a, 2, 3) && is_numbered(b, 3, 2),
              "a failed mat_mul() or mat_transpose() changed its operands" READ_RUNS_OUT);
    mat_free(b);
    mat_free(a);
}

Test(matrix_edges, free_takes_null_and_everything_else)
{
    MC_CLAUSE("7.1");
    mat_free(NULL);
    struct matrix *m = numbered_data(4, 4);
    struct matrix *t = mat_transpose(m);
    struct matrix *p = mat_mul(m, t);
    mat_free(p);
    mat_free(t);
    mat_free(m);
    cr_assert_eq(mc_live_blocks(), 0,
                 "%zu block(s) live after mat_free() of every matrix, expected 0" READ_TEST,
                 mc_live_blocks());
}
