/*
 * lwip/inet_chksum.h - the Internet checksum (RFC 1071): the 16-bit ones'
 * complement of the ones' complement sum of the data taken as 16-bit
 * words, used by IPv4 (RFC 791 3.1), ICMP (RFC 792), UDP (RFC 768) and TCP
 * (RFC 9293 3.1, with the pseudo-header). net/inet_chksum.c.
 *
 * Values are in the byte order of the data: store the result of
 * inet_chksum() into the header as a u16_t as it is (no htons), and a
 * header whose checksum is right sums to 0 (inet_chksum() == 0).
 */
#ifndef LWIP_HDR_INET_CHKSUM_H
#define LWIP_HDR_INET_CHKSUM_H

#include "lwip/opt.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"

/* Swap the two bytes of a 16-bit value; fold a 32-bit sum's carries. */
#define SWAP_BYTES_IN_WORD(w) ((((w) & 0xff) << 8) | (((w) & 0xff00) >> 8))
#define FOLD_U32T(u) ((u32_t)(((u) >> 16) + ((u) & 0x0000ffffUL)))

/* The ones' complement sum (not complemented) of len bytes at any alignment. */
u16_t lwip_standard_chksum(const void *dataptr, int len);
#define LWIP_CHKSUM lwip_standard_chksum

/* The checksum of len bytes / of a whole pbuf chain, pbuf boundaries anywhere. */
u16_t inet_chksum(const void *dataptr, u16_t len);
u16_t inet_chksum_pbuf(struct pbuf *p);

/* UDP and TCP: the checksum over the IPv4 pseudo-header (src, dest, zero,
 * proto, proto_len; RFC 768, RFC 9293 3.1) followed by the packet p. The
 * _partial form sums only the first chksum_len bytes of p (UDP-Lite). */
u16_t inet_chksum_pseudo(struct pbuf *p, u8_t proto, u16_t proto_len,
                         const ip4_addr_t *src, const ip4_addr_t *dest);
u16_t inet_chksum_pseudo_partial(struct pbuf *p, u8_t proto, u16_t proto_len,
                                 u16_t chksum_len, const ip4_addr_t *src,
                                 const ip4_addr_t *dest);

/* The protocol-independent names; IPv4 only here, so the same functions. */
#define ip_chksum_pseudo(p, proto, len, src, dest) inet_chksum_pseudo(p, proto, len, src, dest)
#define ip_chksum_pseudo_partial(p, proto, len, clen, src, dest) \
    inet_chksum_pseudo_partial(p, proto, len, clen, src, dest)

/* netglass: the checksum (as stored, network order) after one 16-bit word
 * of the data changed from old to new (host order), without summing the
 * data again: RFC 1624, equation 3. */
u16_t inet_chksum_adjust(u16_t chksum_be, u16_t old, u16_t new_value);

#endif
