#ifndef AXTLS_OS_PORT_H
#define AXTLS_OS_PORT_H
/* Linux stand-in for MicroPython's port header: plain read/write on a
 * descriptor, axTLS's own SHA-256. Only for capturing the ClientHello. */
#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>
#include <sys/time.h>
#define SSL_CTX_MUTEX_INIT(mutex)
#define SSL_CTX_MUTEX_DESTROY(mutex)
#define SSL_CTX_LOCK(mutex)
#define SSL_CTX_UNLOCK(mutex)
#define SOCKET_READ(s, buf, size)       read((int)(long)(s), buf, size)
#define SOCKET_WRITE(s, buf, size)      write((int)(long)(s), buf, size)
#define SOCKET_CLOSE(A)                 UNUSED
#define SOCKET_ERRNO()                  errno
#define TTY_FLUSH()
#endif
