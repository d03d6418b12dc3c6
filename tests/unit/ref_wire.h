/*
 * tests/unit/ref_wire.h - bytes on the wire and the Internet checksum,
 * computed by the tests themselves, independently of net/inet_chksum.c
 * and lwip/def.h, so that a mistake there cannot hide in the expected
 * values: big-endian field access at any alignment, the RFC 1071 sum, and
 * the TCP checksum over the RFC 9293 3.1 pseudo-header.
 *
 * Header-only (static inline): included by the tests that build or check
 * packets byte by byte.
 */
#ifndef NG_REF_WIRE_H
#define NG_REF_WIRE_H

#include <string.h>

#include "lwip/arch.h"

static inline u16_t be16(const u8_t *b) { return (u16_t)(b[0] << 8 | b[1]); }
static inline u32_t be32(const u8_t *b)
{
    return (u32_t)b[0] << 24 | (u32_t)b[1] << 16 | (u32_t)b[2] << 8 | b[3];
}
static inline void put16(u8_t *b, u16_t v) { b[0] = (u8_t)(v >> 8); b[1] = (u8_t)v; }
static inline void put32(u8_t *b, u32_t v) { put16(b, (u16_t)(v >> 16)); put16(b + 2, (u16_t)v); }

/* RFC 1071: add len bytes to a running sum of big-endian 16-bit words (an
 * odd last byte padded with zero); not folded yet. */
static inline u32_t ref_sum(u32_t sum, const u8_t *b, unsigned len)
{
    for (unsigned i = 0; i + 1 < len; i += 2)
        sum += (u32_t)(b[i] << 8 | b[i + 1]);
    if (len & 1)
        sum += (u32_t)b[len - 1] << 8;
    return sum;
}

/* The checksum of a running sum: folded (end-around carry), complemented. */
static inline u16_t ref_fold(u32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (u16_t)~sum;
}

/* The checksum of len bytes (0 over data that holds its right checksum). */
static inline u16_t ref_chksum(const u8_t *b, unsigned len)
{
    return ref_fold(ref_sum(0, b, len));
}

/* The TCP checksum of seg (len bytes) from src to dst (4 address bytes
 * each, as on the wire): the pseudo-header of RFC 9293 3.1 (source,
 * destination, zero, protocol 6, TCP length), then the segment. With the
 * segment's own checksum field in place, 0 when that field is right. */
static inline u16_t ref_tcp_chksum(const u8_t src[4], const u8_t dst[4], const u8_t *seg,
                                   unsigned len)
{
    u8_t ph[12];
    memcpy(ph, src, 4);
    memcpy(ph + 4, dst, 4);
    ph[8] = 0;
    ph[9] = 6;
    put16(ph + 10, (u16_t)len);
    return ref_fold(ref_sum(ref_sum(0, ph, 12), seg, len));
}

#endif
