/*
 * lwip/prot/ip4.h - the IPv4 header as it is on the wire (RFC 791 3.1),
 * with lwIP 2.x's accessor macros.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-------+-------+---------------+-------------------------------+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   +-------+-------+---------------+-----+-------------------------+
 *   |         Identification        |Flags|      Fragment Offset    |
 *   +---------------+---------------+-----+-------------------------+
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   +---------------+---------------+-------------------------------+
 *   |                       Source Address                          |
 *   +---------------------------------------------------------------+
 *   |                    Destination Address                        |
 *   +---------------------------------------------------------------+
 *   |                    Options (IHL > 5)                          |
 *
 * The 16-bit fields are kept in network byte order: IPH_LEN(hdr) is the
 * raw field, lwip_ntohs(IPH_LEN(hdr)) the number, and the *_SET macros
 * take values already in network order (as in lwIP). The struct is packed
 * because a header sits wherever the frame put it: after a 14-byte
 * Ethernet header it is only 2-byte aligned.
 */
#ifndef LWIP_HDR_PROT_IP4_H
#define LWIP_HDR_PROT_IP4_H

#include "lwip/arch.h"
#include "lwip/def.h"
#include "lwip/ip4_addr.h"
#include "lwip/prot/ip.h"

/* An IPv4 address inside a packed header (same layout as ip4_addr_t). */
struct ip4_addr_packed {
    u32_t addr;
} __attribute__((packed));
typedef struct ip4_addr_packed ip4_addr_p_t;

#define IP_HLEN 20          /* the header without options */
#define IP_HLEN_MAX 60      /* IHL is 4 bits of 32-bit words */

struct ip_hdr {
    u8_t _v_hl;             /* version (high nibble), IHL in words (low nibble) */
    u8_t _tos;
    u16_t _len;             /* total length: header and data */
    u16_t _id;
    u16_t _offset;          /* flags (3 bits) and fragment offset (8-byte units) */
    u8_t _ttl;
    u8_t _proto;
    u16_t _chksum;
    ip4_addr_p_t src;
    ip4_addr_p_t dest;
} __attribute__((packed));

_Static_assert(sizeof(struct ip_hdr) == IP_HLEN, "struct ip_hdr is the 20-byte header");

/* The flags and offset of _offset, host order (RFC 791 3.1). */
#define IP_RF 0x8000U       /* reserved, must be zero */
#define IP_DF 0x4000U       /* don't fragment */
#define IP_MF 0x2000U       /* more fragments follow */
#define IP_OFFMASK 0x1fffU  /* fragment offset, in 8-byte units */

#define IPH_V(hdr) ((u8_t)((hdr)->_v_hl >> 4))
#define IPH_HL(hdr) ((u8_t)((hdr)->_v_hl & 0x0f))
#define IPH_HL_BYTES(hdr) ((u8_t)(IPH_HL(hdr) * 4))
#define IPH_TOS(hdr) ((hdr)->_tos)
#define IPH_LEN(hdr) ((hdr)->_len)
#define IPH_ID(hdr) ((hdr)->_id)
#define IPH_OFFSET(hdr) ((hdr)->_offset)
#define IPH_OFFSET_BYTES(hdr) ((u16_t)((lwip_ntohs(IPH_OFFSET(hdr)) & IP_OFFMASK) * 8U))
#define IPH_TTL(hdr) ((hdr)->_ttl)
#define IPH_PROTO(hdr) ((hdr)->_proto)
#define IPH_CHKSUM(hdr) ((hdr)->_chksum)

#define IPH_VHL_SET(hdr, v, hl) ((hdr)->_v_hl = (u8_t)(((v) << 4) | (hl)))
#define IPH_TOS_SET(hdr, tos) ((hdr)->_tos = (tos))
#define IPH_LEN_SET(hdr, len) ((hdr)->_len = (len))
#define IPH_ID_SET(hdr, id) ((hdr)->_id = (id))
#define IPH_OFFSET_SET(hdr, off) ((hdr)->_offset = (off))
#define IPH_TTL_SET(hdr, ttl) ((hdr)->_ttl = (u8_t)(ttl))
#define IPH_PROTO_SET(hdr, proto) ((hdr)->_proto = (u8_t)(proto))
#define IPH_CHKSUM_SET(hdr, chksum) ((hdr)->_chksum = (chksum))

#endif
