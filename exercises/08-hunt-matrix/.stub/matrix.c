/*
 * matrix.c: dense row-major matrices (see matrix.h for the contract).
 */
#include "matrix.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A rows x cols matrix whose elements are not yet set. */
static struct matrix *mat_alloc(size_t rows, size_t cols)
{
    struct matrix *m = malloc(sizeof *m);
    if (m == NULL)
        return NULL;
    m->rows = rows;
    m->cols = cols;
    size_t count = rows * cols;
    m->data = malloc((count != 0 ? count : 1) * sizeof *m->data); /* never malloc(0) */
    if (m->data == NULL) {
        free(m);
        return NULL;
    }
    return m;
}

struct matrix *mat_new(size_t rows, size_t cols)
{
    struct matrix *m = mat_alloc(rows, cols);
    if (m != NULL)
        memset(m->data, 0, rows * cols * sizeof *m->data);
    return m;
}

struct matrix *mat_identity(size_t n)
{
    struct matrix *m = mat_alloc(n, n);
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
    struct matrix *out = mat_alloc(a->rows, b->cols);
    if (out == NULL)
        return NULL;
    for (size_t r = 0; r < a->rows; r++)
        for (size_t c = 0; c < b->cols; c++)
            out->data[r * out->cols + c] = row_times_col(a, b, r, c);
    return out;
}

struct matrix *mat_transpose(const struct matrix *m)
{
    struct matrix *t = mat_alloc(m->cols, m->rows);
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
        double sum = 0.0;
        for (size_t c = 0; c <= m->cols; c++)
            sum += m->data[r * m->cols + c];
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
