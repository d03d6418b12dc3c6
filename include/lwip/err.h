/*
 * lwip/err.h - error codes, as lwIP 2.x defines them (same names, same
 * values), so application code that checks for ERR_MEM or ERR_TIMEOUT
 * compiles unchanged.
 */
#ifndef LWIP_HDR_ERR_H
#define LWIP_HDR_ERR_H

#include "lwip/arch.h"

typedef enum {
    ERR_OK = 0,           /* no error, everything is fine */
    ERR_MEM = -1,         /* out of memory */
    ERR_BUF = -2,         /* buffer error */
    ERR_TIMEOUT = -3,     /* the wait timed out */
    ERR_RTE = -4,         /* routing problem: no way to the destination */
    ERR_INPROGRESS = -5,  /* operation in progress */
    ERR_VAL = -6,         /* illegal value */
    ERR_WOULDBLOCK = -7,  /* operation would block */
    ERR_USE = -8,         /* address in use */
    ERR_ALREADY = -9,     /* already connecting */
    ERR_ISCONN = -10,     /* connection already established */
    ERR_CONN = -11,       /* not connected */
    ERR_IF = -12,         /* low-level netif error */
    ERR_ABRT = -13,       /* connection aborted */
    ERR_RST = -14,        /* connection reset */
    ERR_CLSD = -15,       /* connection closed */
    ERR_ARG = -16         /* illegal argument */
} err_enum_t;

typedef s8_t err_t;

const char *lwip_strerr(err_t err);

#endif
