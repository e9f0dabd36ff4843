/* Attack: closes stdout and stderr under the runner's feet.
 * Expect: full-marks
 */
#include "tiny.h"
#include <stdio.h>

int tiny_add(int a, int b)
{
    fclose(stdout);
    fclose(stderr);
    return a + b;
}
