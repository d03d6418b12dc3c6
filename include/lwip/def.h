/*
 * lwip/def.h - small helpers every layer uses: min/max, array size, and
 * byte order (network order is big-endian; both netglass targets are
 * little-endian). Names as in lwIP 2.x.
 */
#ifndef LWIP_HDR_DEF_H
#define LWIP_HDR_DEF_H

#include "lwip/arch.h"
#include "lwip/opt.h"

#define LWIP_MAX(x, y) (((x) > (y)) ? (x) : (y))
#define LWIP_MIN(x, y) (((x) < (y)) ? (x) : (y))
#define LWIP_ARRAYSIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Constant forms, usable in case labels and initialisers. */
#define PP_HTONS(x) ((u16_t)((((x) & 0x00ffUL) << 8) | (((x) & 0xff00UL) >> 8)))
#define PP_NTOHS(x) PP_HTONS(x)
#define PP_HTONL(x) ((((x) & 0x000000ffUL) << 24) | (((x) & 0x0000ff00UL) << 8) | \
                     (((x) & 0x00ff0000UL) >> 8) | (((x) & 0xff000000UL) >> 24))
#define PP_NTOHL(x) PP_HTONL(x)

static inline u16_t lwip_htons(u16_t x) { return (u16_t)__builtin_bswap16(x); }
static inline u32_t lwip_htonl(u32_t x) { return __builtin_bswap32(x); }
#define lwip_ntohs(x) lwip_htons(x)
#define lwip_ntohl(x) lwip_htonl(x)

#ifndef LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS
#ifndef htons
#define htons(x) lwip_htons(x)
#define ntohs(x) lwip_ntohs(x)
#define htonl(x) lwip_htonl(x)
#define ntohl(x) lwip_ntohl(x)
#endif
#endif

/* Read and write big-endian fields at any alignment (wire formats). */
static inline u16_t ng_get_be16(const void *p)
{
    const u8_t *b = p;
    return (u16_t)(b[0] << 8 | b[1]);
}
static inline void ng_put_be16(void *p, u16_t v)
{
    u8_t *b = p;
    b[0] = (u8_t)(v >> 8);
    b[1] = (u8_t)v;
}

#endif
