/* Attack: floods stdout and stderr.
 * Expect: tests-lost
 */
#include "tiny.h"
#include <stdio.h>

int tiny_add(int a, int b)
{
    for (;;) {
        fputs("flood flood flood flood flood flood flood flood flood flood\n", stdout);
        fputs("FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD\n", stderr);
    }
    return a + b;
}
