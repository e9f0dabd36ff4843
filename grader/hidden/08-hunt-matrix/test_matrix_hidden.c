/*
 * Hidden tests for bug hunt 08-hunt-matrix: sizes whose byte count
 * overflows, transposes, and every allocation failing in turn.
 */
#include "matrix.h"
#include "mc_test.h"

#include <stdint.h>
#include <stdlib.h>

#define READ_OVERFLOW MC_READ("2.2 Sizes that overflow")
#define READ_TEST     MC_READ("13.5 Fix minimally and pin it with a test")

enum { MAX_ALLOCS = 8 };

MC_SUITE(matrix_edges);

Test(matrix_edges, refuses_sizes_whose_byte_count_overflows)
{
    static const size_t huge[][2] = {
        {(size_t)1 << 62, 4},       /* rows * cols * 8 wraps to 0 */
        {((size_t)1 << 61) + 1, 1}, /* wraps to 8 bytes */
        {(size_t)1 << 32, (size_t)1 << 32},
        {3, SIZE_MAX / 3 + 1},
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

Test(matrix_edges, transposes_and_sums_a_wide_matrix)
{
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
            cr_assert_eq(*mat_at(t, c, r), *mat_at(m, r, c),
                         "transpose (%zu, %zu) is %g, expected %g" READ_TEST, c, r,
                         *mat_at(t, c, r), *mat_at(m, r, c));
    double sums[7];
    mat_row_sums(t, sums);
    for (size_t r = 0; r < 7; r++) {
        double want = (double)(r + (r + 7) + (r + 14));
        cr_assert_eq(sums[r], want, "row %zu of the transpose sums to %g, expected %g" READ_TEST, r,
                     sums[r], want);
    }
    cr_assert_null(mat_at(t, 7, 0), "mat_at(t, 7, 0) is out of range, expected NULL" READ_TEST);
    mat_free(t);
    mat_free(m);
}

Test(matrix_edges, frees_everything_when_memory_runs_out)
{
    struct matrix *a = mat_identity(4);
    cr_assert_not_null(a, "mat_identity(4) returned NULL" READ_TEST);
    for (size_t n = 1; n <= MAX_ALLOCS; n++) {
        struct mc_snapshot before = mc_snapshot();
        mc_fail_nth_alloc(n);
        struct matrix *p = mat_mul(a, a);
        struct matrix *t = mat_transpose(a);
        mc_fail_none();
        if (p != NULL)
            cr_assert_eq(p->data[5], 1.0, "identity squared has %g at (1, 1), expected 1" READ_TEST,
                         p->data[5]);
        mat_free(p);
        mat_free(t);
        mc_assert_no_leak_since(before, "mat_mul() or mat_transpose() with an allocation failing",
                                "13.5 Fix minimally and pin it with a test");
    }
    mat_free(a);
}
