/*
 * lwip/err.h - error codes, as lwIP 2.x defines them (same names, same
 * values), so application code that checks for ERR_MEM or ERR_TIMEOUT
 * compiles unchanged.
 */
#ifndef LWIP_HDR_ERR_H
#define LWIP_HDR_ERR_H

#include "lwip/arch.h"

typedef enum {
    ERR_OK = 0,           /* it worked */
    ERR_MEM = -1,         /* a pool or the heap had nothing left */
    ERR_BUF = -2,         /* a pbuf was too small or of the wrong kind */
    ERR_TIMEOUT = -3,     /* gave up waiting */
    ERR_RTE = -4,         /* no interface leads to the destination */
    ERR_INPROGRESS = -5,  /* started; the result comes later */
    ERR_VAL = -6,         /* an argument has a value that makes no sense here */
    ERR_WOULDBLOCK = -7,  /* non-blocking, and it would have had to wait */
    ERR_USE = -8,         /* the address or port is taken */
    ERR_ALREADY = -9,     /* a connect is under way already */
    ERR_ISCONN = -10,     /* the connection is up already */
    ERR_CONN = -11,       /* needs a connection, and there is none */
    ERR_IF = -12,         /* the interface (driver) refused */
    ERR_ABRT = -13,       /* the connection was aborted here */
    ERR_RST = -14,        /* the peer reset the connection */
    ERR_CLSD = -15,       /* the connection is closed */
    ERR_ARG = -16         /* a bad argument (NULL, wrong kind of object) */
} err_enum_t;

typedef s8_t err_t;

const char *lwip_strerr(err_t err);

/* The errno value (lwip/errno.h) the socket layer reports for err; 0 for
 * ERR_OK, EIO for a value that is not an err_t. */
int err_to_errno(err_t err);

#endif
