/*
 * tests/unit/udp_frame.h - UDP over IPv4 over Ethernet, byte by byte, for
 * the tests that play a UDP peer (test_dhcp, test_dns): built and checked
 * with ref_wire.h's sums, independently of net/inet_chksum.c.
 *
 *   ng_udp_frame(f, eth_dst, eth_src, ip_src, ip_dst, sport, dport, data, len)
 *       writes into f (room for NG_UDP_FRAME_HDR + len bytes) an Ethernet
 *       frame holding an IPv4 header (20 bytes, TTL 64, no options, its
 *       checksum) and a UDP datagram with data and its checksum; returns
 *       the frame's length
 *   ng_udp_chksum(ip)
 *       the UDP checksum over the RFC 768 pseudo-header and the datagram
 *       after the 20-byte IPv4 header at ip (its length from the UDP
 *       header): 0 when the datagram's own checksum is right
 */
#ifndef NG_UDP_FRAME_H
#define NG_UDP_FRAME_H

#include "lwip/arch.h"

#define NG_UDP_FRAME_HDR (14 + 20 + 8)     /* Ethernet + IPv4 + UDP headers */

u16_t ng_udp_frame(u8_t *f, const u8_t eth_dst[6], const u8_t eth_src[6],
                   const u8_t ip_src[4], const u8_t ip_dst[4], u16_t sport, u16_t dport,
                   const u8_t *data, u16_t len);
u16_t ng_udp_chksum(const u8_t *ip);

#endif
