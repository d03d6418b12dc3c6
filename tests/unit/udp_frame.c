/*
 * tests/unit/udp_frame.c - building and checking UDP frames for the
 * protocol tests (see udp_frame.h).
 */
#include <string.h>

#include "ref_wire.h"
#include "udp_frame.h"

/* RFC 768: the sum covers a pseudo-header (source, destination, zero,
 * protocol 17, UDP length) before the datagram. */
u16_t ng_udp_chksum(const u8_t *ip)
{
    const u8_t *u = ip + 20;
    u8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = 17;
    put16(ph + 10, be16(u + 4));
    return ref_fold(ref_sum(ref_sum(0, ph, 12), u, be16(u + 4)));
}

u16_t ng_udp_frame(u8_t *f, const u8_t eth_dst[6], const u8_t eth_src[6],
                   const u8_t ip_src[4], const u8_t ip_dst[4], u16_t sport, u16_t dport,
                   const u8_t *data, u16_t len)
{
    memcpy(f, eth_dst, 6);
    memcpy(f + 6, eth_src, 6);
    put16(f + 12, 0x0800);
    u8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (u16_t)(20 + 8 + len));
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, ip_src, 4);
    memcpy(ip + 16, ip_dst, 4);
    put16(ip + 10, ref_chksum(ip, 20));
    u8_t *u = ip + 20;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (u16_t)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, data, len);
    u16_t c = ng_udp_chksum(ip);
    put16(u + 6, c == 0 ? 0xffff : c);      /* RFC 768: a sum of 0 is sent as all ones */
    return (u16_t)(NG_UDP_FRAME_HDR + len);
}
