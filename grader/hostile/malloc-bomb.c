/* Attack: allocates and touches memory without end.
 * Expect: tests-lost
 */
#include "tiny.h"
#include <stdlib.h>
#include <string.h>

int tiny_add(int a, int b)
{
    for (;;) {
        char *p = malloc(1 << 24);
        if (p != NULL)
            memset(p, 1, 1 << 24);
    }
    return a + b;
}
