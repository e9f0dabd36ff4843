/*
 * Public tests for bug hunt 08-hunt-matrix: the symptoms users reported.
 *
 * Passing them is not the end: one of the bugs only shows reliably under
 * Valgrind (make memcheck), another under AddressSanitizer (make asan).
 */
#include "matrix.h"
#include "mc_test.h"

#include <stdlib.h>

#define READ_FIRST MC_READ("13.3 Read the first error first")
#define READ_ZEROS MC_READ("2.3 Zeroed memory")

MC_SUITE(matrix);

/* A rows x cols matrix whose element (r, c) is r * 10 + c + 1. */
static struct matrix *numbered(size_t rows, size_t cols)
{
    struct matrix *m = mat_new(rows, cols);
    cr_assert_not_null(m, "mat_new(%zu, %zu) returned NULL, expected a matrix" READ_FIRST, rows,
                       cols);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            *mat_at(m, r, c) = (double)(r * 10 + c + 1);
    return m;
}

Test(matrix, row_sums_add_each_row_and_nothing_more)
{
    MC_CLAUSE("6.1", "3.1");
    static const size_t shapes[][2] = {{1, 1}, {2, 3}, {3, 2}, {4, 4}, {1, 5}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t rows = shapes[s][0], cols = shapes[s][1];
        struct matrix *m = numbered(rows, cols);
        double sums[4] = {0};
        mat_row_sums(m, sums);
        for (size_t r = 0; r < rows; r++) {
            double want = 0.0;
            for (size_t c = 0; c < cols; c++)
                want += (double)(r * 10 + c + 1);
            cr_assert_eq(sums[r], want,
                         "row %zu of a %zux%zu matrix sums to %g, expected %g" READ_FIRST, r, rows,
                         cols, sums[r], want);
        }
        mat_free(m);
    }
}

Test(matrix, products_and_the_identity_are_exact)
{
    MC_CLAUSE("4.1", "2.1");
    struct matrix *a = numbered(2, 3);
    struct matrix *b = numbered(3, 2);
    struct matrix *p = mat_mul(a, b);
    cr_assert_not_null(p, "mat_mul(2x3, 3x2) returned NULL, expected a 2x2 matrix" READ_ZEROS);
    static const double want[2][2] = {{1 * 1 + 2 * 11 + 3 * 21, 1 * 2 + 2 * 12 + 3 * 22},
                                      {11 * 1 + 12 * 11 + 13 * 21, 11 * 2 + 12 * 12 + 13 * 22}};
    for (size_t r = 0; r < 2; r++)
        for (size_t c = 0; c < 2; c++)
            cr_assert_eq(*mat_at(p, r, c), want[r][c],
                         "element (%zu, %zu) of the product is %g, expected %g" READ_ZEROS, r, c,
                         *mat_at(p, r, c), want[r][c]);

    /* A previous 3x3 result, freed: its memory is what malloc hands out
     * next, so whatever mat_identity() does not set reads as 1000. */
    struct matrix *old = mat_new(3, 3);
    cr_assert_not_null(old, "mat_new(3, 3) returned NULL, expected a matrix" READ_ZEROS);
    for (size_t i = 0; i < 9; i++)
        old->data[i] = 1000.0;
    mat_free(old);
    struct matrix *id = mat_identity(3);
    cr_assert_not_null(id, "mat_identity(3) returned NULL" READ_ZEROS);
    struct matrix *same = mat_mul(a, id);
    cr_assert_not_null(same, "mat_mul(a, identity) returned NULL" READ_ZEROS);
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(same->data[i], a->data[i],
                     "a times the identity differs at element %zu: %g, expected %g" READ_ZEROS, i,
                     same->data[i], a->data[i]);
    mat_free(same);
    mat_free(id);
    mat_free(p);
    mat_free(b);
    mat_free(a);
}
