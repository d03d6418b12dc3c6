/*
 * api/inet.c - lwip_inet_pton and lwip_inet_ntop for AF_INET (POSIX.1-2017
 * inet_ntop/inet_pton), the text form of an IPv4 address and back.
 *
 * inet_pton is stricter than inet_aton on purpose, as POSIX requires for
 * AF_INET: exactly four decimal parts ("ddd.ddd.ddd.ddd"), each 0-255, no
 * octal or hex, no shortened forms ("127.1"), nothing before or after.
 * A part is "a one to three digit decimal number" (POSIX), so "010" is
 * ten (glibc refuses leading zeros; POSIX's wording allows them).
 */
#include <stddef.h>
#include <string.h>

#include "lwip/errno.h"
#include "lwip/inet.h"
#include "lwip/sockets.h"

/* 1 and the address in network byte order at dst; 0 when src is not a
 * dotted quad; -1 and EAFNOSUPPORT for any family but AF_INET. */
int lwip_inet_pton(int af, const char *src, void *dst)
{
    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (src == NULL || dst == NULL)
        return 0;
    u8_t part[4];
    const char *c = src;
    for (int i = 0; i < 4; i++) {
        unsigned value = 0;
        int digits = 0;
        while (*c >= '0' && *c <= '9') {
            value = value * 10u + (unsigned)(*c - '0');
            if (++digits > 3 || value > 255u)
                return 0;
            c++;
        }
        if (digits == 0)
            return 0;
        part[i] = (u8_t)value;
        if (i < 3 && *c++ != '.')
            return 0;
    }
    if (*c != '\0')
        return 0;
    /* s_addr is in network order: the bytes as written, first part first. */
    u8_t *out = dst;
    for (int i = 0; i < 4; i++)
        out[i] = part[i];
    return 1;
}

/* dst, holding "a.b.c.d" and its NUL; NULL and ENOSPC when size is too
 * small for it (nothing is written then), EAFNOSUPPORT for another family.
 * The text is ip4addr_ntoa_r's (net/ip4_addr.c). */
const char *lwip_inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    if (src == NULL || dst == NULL) {
        errno = ENOSPC;
        return NULL;
    }
    ip4_addr_t addr;
    memcpy(&addr.addr, src, sizeof addr.addr);     /* src need not be aligned */
    int room = size < IP4ADDR_STRLEN_MAX ? (int)size : IP4ADDR_STRLEN_MAX;
    if (ip4addr_ntoa_r(&addr, dst, room) == NULL) {
        errno = ENOSPC;
        return NULL;
    }
    return dst;
}
