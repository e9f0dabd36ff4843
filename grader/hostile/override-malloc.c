/* Attack: its own malloc and free over a static array, so leaks are invisible to Valgrind.
 * Expect: audit
 */
#include "tiny.h"
#include <stddef.h>

static char heap[1 << 16];
static size_t used;

void *malloc(size_t size)
{
    void *p = heap + used;
    used += (size + 15) & ~(size_t)15;
    return used <= sizeof heap ? p : NULL;
}

void free(void *p)
{
    (void)p;
}

int tiny_add(int a, int b)
{
    return a + b;
}
