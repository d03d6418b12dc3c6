/*
 * lwip/errno.h - the errno values the socket layer sets. The C library's
 * <errno.h> (newlib on the board, glibc on the host) has them all; errno
 * itself is saved and restored with each thread by the scheduler, so every
 * thread sees its own.
 */
#ifndef LWIP_HDR_ERRNO_H
#define LWIP_HDR_ERRNO_H

#include <errno.h>

#ifndef EWOULDBLOCK
#define EWOULDBLOCK EAGAIN
#endif

#endif
