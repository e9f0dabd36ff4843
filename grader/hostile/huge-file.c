/* Attack: writes a file without end.
 * Expect: tests-lost
 */
#include "tiny.h"
#include <stdio.h>

int tiny_add(int a, int b)
{
    FILE *f = fopen("huge.bin", "w");
    static const char block[4096];
    while (f != NULL)
        fwrite(block, 1, sizeof block, f);
    return a + b;
}
