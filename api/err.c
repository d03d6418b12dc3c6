/*
 * api/err.c - lwip_strerr: a short text for each err_t, for diagnostics.
 */
#include "lwip/err.h"

static const char *const err_text[] = {
    "no error", "out of memory", "buffer problem", "timed out", "no route",
    "in progress", "bad value", "would block", "address in use", "connect already under way",
    "already connected", "not connected", "interface error", "connection aborted",
    "connection reset", "connection closed", "bad argument",
};

const char *lwip_strerr(err_t err)
{
    if (err > 0 || -err >= (int)(sizeof err_text / sizeof err_text[0]))
        return "unknown error";
    return err_text[-err];
}
