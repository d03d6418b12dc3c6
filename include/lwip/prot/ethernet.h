/*
 * lwip/prot/ethernet.h - the Ethernet II header as it is on the wire
 * (IEEE 802.3 clause 3.2 with an EtherType, RFC 894 for IPv4 over it).
 *
 *     0      6      12     14
 *     +------+------+------+---------------- ... -+
 *     | dest | src  | type | payload (46..1500)    |
 *     +------+------+------+---------------- ... -+
 *
 * The preamble and the frame check sequence never reach software: the MAC
 * strips them on receive and adds them on transmit. Structures here are
 * packed so that they can be laid over received bytes at any alignment.
 */
#ifndef LWIP_HDR_PROT_ETHERNET_H
#define LWIP_HDR_PROT_ETHERNET_H

#include "lwip/arch.h"
#include "lwip/opt.h"

#include <string.h>

#define ETH_HWADDR_LEN 6

/* A MAC address: bit 0 of the first byte is the group (multicast) bit,
 * bit 1 the locally administered bit. */
struct eth_addr {
    u8_t addr[ETH_HWADDR_LEN];
} __attribute__((packed));

/* Initialiser: struct eth_addr a = ETH_ADDR(0x52, 0x54, 0, 0x12, 0x34, 0x56); */
#define ETH_ADDR(b0, b1, b2, b3, b4, b5) {{ b0, b1, b2, b3, b4, b5 }}

/* The 14-byte header (plus ETH_PAD_SIZE bytes in front when a port wants
 * the IP header that follows to be word aligned). */
struct eth_hdr {
#if ETH_PAD_SIZE
    u8_t padding[ETH_PAD_SIZE];
#endif
    struct eth_addr dest;
    struct eth_addr src;
    u16_t type;                 /* network byte order */
} __attribute__((packed));

#define SIZEOF_ETH_HDR (14 + ETH_PAD_SIZE)

/* The shortest frame on the wire is 64 bytes with the FCS, so 60 without;
 * senders pad up to it. Shorter frames still arrive from some emulated
 * links and are accepted (see net/ethernet.c). */
#define ETH_MIN_FRAME_LEN 60

/* EtherTypes (IEEE registry), host byte order. */
enum lwip_ieee_eth_type {
    ETHTYPE_IP = 0x0800U,       /* IPv4, RFC 894 */
    ETHTYPE_ARP = 0x0806U,      /* RFC 826 */
    ETHTYPE_WOL = 0x0842U,
    ETHTYPE_RARP = 0x8035U,
    ETHTYPE_VLAN = 0x8100U,     /* IEEE 802.1Q: not spoken here */
    ETHTYPE_IPV6 = 0x86DDU,     /* not spoken here (LWIP_IPV6 = 0) */
    ETHTYPE_PPPOEDISC = 0x8863U,
    ETHTYPE_PPPOE = 0x8864U,
    ETHTYPE_JUMBO = 0x8870U,
    ETHTYPE_PROFINET = 0x8892U,
    ETHTYPE_ETHERCAT = 0x88A4U,
    ETHTYPE_LLDP = 0x88CCU,
    ETHTYPE_SERCOS = 0x88CDU,
    ETHTYPE_MRP = 0x88E3U,
    ETHTYPE_PTP = 0x88F7U,
    ETHTYPE_QINQ = 0x9100U
};

/* RFC 1112 6.4: an IPv4 multicast group maps to 01:00:5e followed by the
 * low 23 bits of the group address. */
#define LL_IP4_MULTICAST_ADDR_0 0x01
#define LL_IP4_MULTICAST_ADDR_1 0x00
#define LL_IP4_MULTICAST_ADDR_2 0x5e

#define eth_addr_eq(a, b) (memcmp((a)->addr, (b)->addr, ETH_HWADDR_LEN) == 0)
#define eth_addr_cmp(a, b) eth_addr_eq(a, b)
#define eth_addr_is_group(a) (((a)->addr[0] & 0x01U) != 0)

#endif
