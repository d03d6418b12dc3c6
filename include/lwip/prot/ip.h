/*
 * lwip/prot/ip.h - what every IP version shares on the wire: the protocol
 * numbers of the header's protocol field (RFC 790 / the IANA registry) and
 * the version nibble that starts every IP header (RFC 791 3.1).
 */
#ifndef LWIP_HDR_PROT_IP_H
#define LWIP_HDR_PROT_IP_H

#include "lwip/arch.h"

#define IP_PROTO_ICMP    1
#define IP_PROTO_IGMP    2
#define IP_PROTO_TCP     6
#define IP_PROTO_UDP     17
#define IP_PROTO_UDPLITE 136

/* The version (4 or 6) from the first byte of a header at ptr. */
#define IP_HDR_GET_VERSION(ptr) ((*(const u8_t *)(ptr)) >> 4)

#endif
