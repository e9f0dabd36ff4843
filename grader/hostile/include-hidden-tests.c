/* Attack: #includes the hidden tests at compile time, to read them in the diagnostics.
 * Expect: compile-error
 */
#include "tiny.h"
#include "@HIDDEN@"

int tiny_add(int a, int b)
{
    return a + b;
}
