/*
 * api/err.c - lwip_strerr, a short text for each err_t for diagnostics,
 * and err_to_errno, the errno a socket call reports for an err_t
 * (the same choices as lwIP 2.x, so ported code sees the same errno).
 */
#include "lwip/err.h"
#include "lwip/errno.h"
#include "lwip/opt.h"

/* The texts are diagnostics, like assertion messages: with LWIP_NOASSERT
 * (and no LWIP_DEBUG) they are left out and lwip_strerr gives "", which is
 * what lwIP gives without LWIP_DEBUG. */
#define ERR_TEXTS (NG_ASSERTS_ON || LWIP_DEBUG)
#if ERR_TEXTS
static const char *const err_text[] = {
    "no error", "out of memory", "buffer problem", "timed out", "no route",
    "in progress", "bad value", "would block", "address in use", "connect already under way",
    "already connected", "not connected", "interface error", "connection aborted",
    "connection reset", "connection closed", "bad argument",
};
#endif

/* Indexed by -err. ERR_TIMEOUT is EWOULDBLOCK: a receive or send timeout
 * (SO_RCVTIMEO / SO_SNDTIMEO) reports EAGAIN/EWOULDBLOCK, as POSIX says.
 * A byte each: the errno values of both C libraries are below 256. */
static const u8_t err_errno[] = {
    0,              /* ERR_OK */
    ENOMEM,         /* ERR_MEM */
    ENOBUFS,        /* ERR_BUF */
    EWOULDBLOCK,    /* ERR_TIMEOUT */
    EHOSTUNREACH,   /* ERR_RTE */
    EINPROGRESS,    /* ERR_INPROGRESS */
    EINVAL,         /* ERR_VAL */
    EWOULDBLOCK,    /* ERR_WOULDBLOCK */
    EADDRINUSE,     /* ERR_USE */
    EALREADY,       /* ERR_ALREADY */
    EISCONN,        /* ERR_ISCONN */
    ENOTCONN,       /* ERR_CONN */
    EIO,            /* ERR_IF */
    ECONNABORTED,   /* ERR_ABRT */
    ECONNRESET,     /* ERR_RST */
    ENOTCONN,       /* ERR_CLSD */
    EIO,            /* ERR_ARG */
};

_Static_assert(ENOMEM < 256 && ENOBUFS < 256 && EWOULDBLOCK < 256 && EHOSTUNREACH < 256 &&
               EINPROGRESS < 256 && EINVAL < 256 && EADDRINUSE < 256 && EALREADY < 256 &&
               EISCONN < 256 && ENOTCONN < 256 && EIO < 256 && ECONNABORTED < 256 &&
               ECONNRESET < 256, "err_errno's values fit in a byte");
#if ERR_TEXTS
_Static_assert(sizeof err_text / sizeof err_text[0] == sizeof err_errno / sizeof err_errno[0],
               "err_text and err_errno must cover the same err_t values");
#endif

const char *lwip_strerr(err_t err)
{
#if ERR_TEXTS
    if (err > 0 || -err >= (int)(sizeof err_text / sizeof err_text[0]))
        return "unknown error";
    return err_text[-err];
#else
    (void)err;
    return "";
#endif
}

int err_to_errno(err_t err)
{
    if (err > 0 || -err >= (int)(sizeof err_errno / sizeof err_errno[0]))
        return EIO;
    return err_errno[-err];
}
