/*
 * lwip/prot/icmp.h - ICMP for IPv4 on the wire (RFC 792): the message
 * types and the 8-byte header that every message starts with. For echo
 * and echo reply its second word is the identifier and sequence number;
 * for the error messages (destination unreachable, time exceeded) it is
 * unused (zero) and the offending datagram's header + 8 bytes follow.
 * As in lwIP, the header fields are kept in network byte order.
 */
#ifndef LWIP_HDR_PROT_ICMP_H
#define LWIP_HDR_PROT_ICMP_H

#include "lwip/arch.h"

#define ICMP_ER   0     /* echo reply */
#define ICMP_DUR  3     /* destination unreachable */
#define ICMP_SQ   4     /* source quench (deprecated, RFC 6633) */
#define ICMP_RD   5     /* redirect */
#define ICMP_ECHO 8     /* echo request */
#define ICMP_TE   11    /* time exceeded */
#define ICMP_PP   12    /* parameter problem */
#define ICMP_TS   13    /* timestamp */
#define ICMP_TSR  14    /* timestamp reply */
#define ICMP_IRQ  15    /* information request (obsolete) */
#define ICMP_IR   16    /* information reply (obsolete) */
#define ICMP_AM   17    /* address mask request (RFC 950) */
#define ICMP_AMR  18    /* address mask reply */

#define ICMP_HLEN 8     /* type, code, checksum, and one more word */

struct icmp_echo_hdr {
    u8_t type;
    u8_t code;
    u16_t chksum;
    u16_t id;           /* echo: identifier, chosen by the sender */
    u16_t seqno;        /* echo: sequence number */
} __attribute__((packed));

_Static_assert(sizeof(struct icmp_echo_hdr) == ICMP_HLEN, "ICMP header is 8 bytes");

#define ICMPH_TYPE(hdr) ((hdr)->type)
#define ICMPH_CODE(hdr) ((hdr)->code)
#define ICMPH_TYPE_SET(hdr, t) ((hdr)->type = (t))
#define ICMPH_CODE_SET(hdr, c) ((hdr)->code = (c))

#endif
