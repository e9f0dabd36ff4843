/* Attack: recursion deep enough to overflow the stack.
 * Expect: tests-lost
 */
#include "tiny.h"

static int down(volatile int n)
{
    volatile char frame[4096];
    frame[0] = (char)n;
    if (n < 0) /* never true: it only keeps the compiler quiet */
        return 0;
    return down(n + 1) + frame[0];
}

int tiny_add(int a, int b)
{
    return a + b + down(0);
}
