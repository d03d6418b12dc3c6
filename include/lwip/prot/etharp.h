/*
 * lwip/prot/etharp.h - the ARP packet as it is on the wire, for IPv4 over
 * Ethernet (RFC 826, "Packet format"):
 *
 *     0        2        4    5    6        8         14       18        24       28
 *     +--------+--------+----+----+--------+---------+--------+---------+--------+
 *     | ar$hrd | ar$pro |hln |pln | ar$op  | ar$sha  | ar$spa | ar$tha  | ar$tpa |
 *     +--------+--------+----+----+--------+---------+--------+---------+--------+
 *
 * hrd 1 (Ethernet), pro 0x0800 (IPv4), hln 6, pln 4, op 1 request / 2 reply;
 * then the sender's hardware and protocol addresses and the target's. The
 * protocol addresses sit at offsets 14 and 24, so they are only 16-bit
 * aligned: they are declared as pairs of halfwords and copied, never read
 * as u32_t in place.
 */
#ifndef LWIP_HDR_PROT_ETHARP_H
#define LWIP_HDR_PROT_ETHARP_H

#include <string.h>

#include "lwip/arch.h"
#include "lwip/ip4_addr.h"
#include "lwip/prot/ethernet.h"

/* An IPv4 address at a 16-bit aligned place of a packet. */
struct ip4_addr2 {
    u16_t addrw[2];
} __attribute__((packed));

#define IPADDR_WORDALIGNED_COPY_TO_IP4_ADDR_T(dest, src) \
    memcpy((dest), (src), sizeof(ip4_addr_t))
#define IPADDR_WORDALIGNED_COPY_FROM_IP4_ADDR_T(dest, src) \
    memcpy((dest), (src), sizeof(ip4_addr_t))

struct etharp_hdr {
    u16_t hwtype;               /* ar$hrd, network order */
    u16_t proto;                /* ar$pro, network order */
    u8_t hwlen;                 /* ar$hln */
    u8_t protolen;              /* ar$pln */
    u16_t opcode;               /* ar$op, network order */
    struct eth_addr shwaddr;    /* ar$sha */
    struct ip4_addr2 sipaddr;   /* ar$spa */
    struct eth_addr dhwaddr;    /* ar$tha */
    struct ip4_addr2 dipaddr;   /* ar$tpa */
} __attribute__((packed));

#define SIZEOF_ETHARP_HDR 28
#define SIZEOF_ETHARP_PACKET (SIZEOF_ETH_HDR + SIZEOF_ETHARP_HDR)   /* 42 */

/* ar$hrd for Ethernet (IANA "Hardware Types"; lwIP 2.x spells it so). */
#define LWIP_IANA_HWTYPE_ETHERNET 1
#define HWTYPE_ETHERNET LWIP_IANA_HWTYPE_ETHERNET

/* ar$op (RFC 826: ares_op$REQUEST, ares_op$REPLY). */
enum etharp_opcode {
    ARP_REQUEST = 1,
    ARP_REPLY = 2
};

#endif
