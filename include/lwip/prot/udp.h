/*
 * lwip/prot/udp.h - UDP on the wire (RFC 768): the 8-byte header in front
 * of every datagram. As in lwIP, the fields are kept in network byte
 * order; the length counts the header and the data, and a checksum of 0
 * means the sender computed none.
 */
#ifndef LWIP_HDR_PROT_UDP_H
#define LWIP_HDR_PROT_UDP_H

#include "lwip/arch.h"

#define UDP_HLEN 8

struct udp_hdr {
    u16_t src;          /* source port (0: "none", RFC 768) */
    u16_t dest;         /* destination port */
    u16_t len;          /* header and data, in bytes */
    u16_t chksum;       /* over the pseudo-header, header and data; 0: none */
} __attribute__((packed));

_Static_assert(sizeof(struct udp_hdr) == UDP_HLEN, "UDP header is 8 bytes");

#endif
