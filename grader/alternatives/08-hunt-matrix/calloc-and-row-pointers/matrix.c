/*
 * matrix.c: dense row-major matrices (see matrix.h for the contract).
 *
 * Another fix of the shipped program: the overflow check divides by rows and
 * is a function of its own, mat_alloc takes a flag and zeroes with calloc
 * (so mat_new needs no memset and mat_identity asks for zeroed elements), and
 * the row sums walk a pointer to each row instead of indexing past it.
 */
#include "matrix.h"

#include <stdint.h>
#include <stdlib.h>

/* true when rows * cols doubles fit in a size_t's worth of bytes. */
static int fits(size_t rows, size_t cols)
{
    return rows == 0 || cols <= SIZE_MAX / sizeof(double) / rows;
}

/* A rows x cols matrix, its elements 0.0 when zero is set, else not yet set. */
static struct matrix *mat_alloc(size_t rows, size_t cols, int zero)
{
    if (!fits(rows, cols))
        return NULL;
    struct matrix *m = malloc(sizeof *m);
    if (m == NULL)
        return NULL;
    m->rows = rows;
    m->cols = cols;
    size_t count = rows * cols;
    if (count == 0)
        count = 1; /* never malloc(0) */
    m->data = zero ? calloc(count, sizeof *m->data) : malloc(count * sizeof *m->data);
    if (m->data == NULL) {
        free(m);
        return NULL;
    }
    return m;
}

struct matrix *mat_new(size_t rows, size_t cols)
{
    return mat_alloc(rows, cols, 1);
}

struct matrix *mat_identity(size_t n)
{
    struct matrix *m = mat_alloc(n, n, 1);
    if (m == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        m->data[i * n + i] = 1.0;
    return m;
}

double *mat_at(struct matrix *m, size_t r, size_t c)
{
    if (r >= m->rows || c >= m->cols)
        return NULL;
    return &m->data[r * m->cols + c];
}

/* The dot product of row r of a and column c of b. */
static double row_times_col(const struct matrix *a, const struct matrix *b, size_t r, size_t c)
{
    double sum = 0.0;
    for (size_t k = 0; k < a->cols; k++)
        sum += a->data[r * a->cols + k] * b->data[k * b->cols + c];
    return sum;
}

struct matrix *mat_mul(const struct matrix *a, const struct matrix *b)
{
    if (a->cols != b->rows)
        return NULL;
    struct matrix *out = mat_alloc(a->rows, b->cols, 0);
    if (out == NULL)
        return NULL;
    for (size_t r = 0; r < a->rows; r++)
        for (size_t c = 0; c < b->cols; c++)
            out->data[r * out->cols + c] = row_times_col(a, b, r, c);
    return out;
}

struct matrix *mat_transpose(const struct matrix *m)
{
    struct matrix *t = mat_alloc(m->cols, m->rows, 0);
    if (t == NULL)
        return NULL;
    for (size_t r = 0; r < m->rows; r++)
        for (size_t c = 0; c < m->cols; c++)
            t->data[c * t->cols + r] = m->data[r * m->cols + c];
    return t;
}

void mat_row_sums(const struct matrix *m, double *out)
{
    for (size_t r = 0; r < m->rows; r++) {
        const double *row = m->data + r * m->cols;
        double sum = 0.0;
        for (const double *p = row; p != row + m->cols; p++)
            sum += *p;
        out[r] = sum;
    }
}

void mat_free(struct matrix *m)
{
    if (m == NULL)
        return;
    free(m->data);
    free(m);
}
