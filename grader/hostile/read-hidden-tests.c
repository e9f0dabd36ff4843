/* Attack: reads the hidden tests at run time, and answers wrong when it can.
 * Expect: full-marks
 */
#include "tiny.h"
#include <stdio.h>

int tiny_add(int a, int b)
{
    FILE *f = fopen("@HIDDEN@", "r");
    if (f != NULL) {
        fclose(f);
        return -12345; /* it could read them: this must never happen */
    }
    return a + b;
}
