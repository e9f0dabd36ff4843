/* Attack: connects to a server the self-test runs on the host's loopback (to leak answers).
 * Expect: audit
 * Without-audit: full-marks
 * Without-bwrap: tests-lost
 */
#include "tiny.h"
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int tiny_add(int a, int b)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(@PORT@);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof to) == 0)
        return -777; /* reached the host: this must never happen */
    if (fd >= 0)
        close(fd);
    return a + b;
}
