/*
 * matrix.h: dense matrices of doubles, stored row by row.
 *
 * Ownership: mat_new(), mat_identity(), mat_mul() and mat_transpose() return
 * a matrix the caller owns and frees once with mat_free(). mat_at() lends a
 * pointer to one element, valid until that matrix is freed. mat_row_sums()
 * writes into an array the caller owns, of at least m->rows doubles.
 * Arguments are borrowed only during the call.
 * Invalidation: mat_free() invalidates the matrix and every pointer mat_at()
 * lent into it.
 * Failure: the constructors return NULL when rows * cols elements do not fit
 * in memory (or in a size_t), or when malloc fails, having freed everything
 * they allocated. mat_mul() also returns NULL when a->cols != b->rows.
 */
#ifndef MATRIX_H
#define MATRIX_H

#include <stddef.h>

/* Invariant: data holds rows * cols doubles; element (r, c) is
 * data[r * cols + c]; rows * cols * sizeof(double) fits in a size_t. */
struct matrix {
    size_t rows;
    size_t cols;
    double *data;
};

/* A rows x cols matrix with every element 0.0. */
struct matrix *mat_new(size_t rows, size_t cols);

/* The n x n identity matrix. */
struct matrix *mat_identity(size_t n);

/* The element at (r, c), or NULL when r >= rows or c >= cols. */
double *mat_at(struct matrix *m, size_t r, size_t c);

/* The product a * b, a new matrix; NULL when a->cols != b->rows. */
struct matrix *mat_mul(const struct matrix *a, const struct matrix *b);

/* The transpose of m, a new matrix. */
struct matrix *mat_transpose(const struct matrix *m);

/* out[r] = the sum of row r, for every row of m. */
void mat_row_sums(const struct matrix *m, double *out);

/* Frees the matrix and its elements; NULL is ignored. */
void mat_free(struct matrix *m);

#endif
