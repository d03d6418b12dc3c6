/*
 * lwip/ip.h - the version-independent IP API, as lwIP 2.x defines it for
 * an IPv4-only build (LWIP_IPV6 = 0): ip_input, ip_output, ip_route ...
 * are the ip4_ functions; the "current packet" globals (ip_data) say, while
 * a received packet is handed up, which interface took it and what its
 * header and addresses are; and IP_PCB is the part every PCB starts with.
 */
#ifndef LWIP_HDR_IP_H
#define LWIP_HDR_IP_H

#include "lwip/opt.h"
#include "lwip/def.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/ip4.h"
#include "lwip/prot/ip.h"

/* Passed as dest to ip_output_if: p already holds the whole IP header
 * (a retransmission, an ICMP reply built in place, a raw packet). */
#define LWIP_IP_HDRINCL NULL

/* Packets handed to IP for sending have one owner: IP moves payload. */
#define LWIP_IP_CHECK_PBUF_REF_COUNT_FOR_TX(p) LWIP_ASSERT("p->ref == 1", (p)->ref == 1)

/* The fields every PCB (raw, udp, tcp) starts with. */
#define IP_PCB \
    ip_addr_t local_ip; \
    ip_addr_t remote_ip; \
    u8_t netif_idx;     /* bound to this interface (netif_get_index), or NETIF_NO_INDEX */ \
    u8_t so_options;    /* SOF_* */ \
    u8_t tos; \
    u8_t ttl

struct ip_pcb {
    IP_PCB;
};

/* Socket options kept in so_options (the SO_* values of sockets.h). */
#define SOF_REUSEADDR 0x04U     /* allow local address reuse */
#define SOF_KEEPALIVE 0x08U     /* TCP keepalives */
#define SOF_BROADCAST 0x20U     /* may send and receive broadcasts */
#define SOF_INHERITED (SOF_REUSEADDR | SOF_KEEPALIVE)   /* listen pcb -> connection */

#define ip_get_option(pcb, opt) ((pcb)->so_options & (opt))
#define ip_set_option(pcb, opt) ((pcb)->so_options = (u8_t)((pcb)->so_options | (opt)))
#define ip_reset_option(pcb, opt) ((pcb)->so_options = (u8_t)((pcb)->so_options & ~(opt)))

/* The packet being handed up right now (set by ip4_input around the call
 * of the protocol's input function, cleared after it). */
struct ip_globals {
    struct netif *current_netif;        /* the interface that accepted it */
    struct netif *current_input_netif;  /* the interface it arrived on */
    const struct ip_hdr *current_ip4_header;
    u16_t current_ip_header_tot_len;    /* the header's length, options included */
    ip_addr_t current_iphdr_src;
    ip_addr_t current_iphdr_dest;
};
extern struct ip_globals ip_data;

#define ip_current_netif() (ip_data.current_netif)
#define ip_current_input_netif() (ip_data.current_input_netif)
#define ip_current_header_tot_len() (ip_data.current_ip_header_tot_len)
#define ip_current_src_addr() (&ip_data.current_iphdr_src)
#define ip_current_dest_addr() (&ip_data.current_iphdr_dest)
#define ip4_current_header() (ip_data.current_ip4_header)
#define ip4_current_src_addr() (&ip_data.current_iphdr_src)
#define ip4_current_dest_addr() (&ip_data.current_iphdr_dest)
#define ip_current_header() ip4_current_header()   /* netglass: IPv4 only */
#define ip_current_is_v6() 0
#define ip_current_header_proto() IPH_PROTO(ip4_current_header())
#define ip_next_header_ptr() \
    ((const void *)((const u8_t *)ip4_current_header() + ip_current_header_tot_len()))

/* IPv4 only: the generic names are the ip4_ ones. */
#define ip_input ip4_input
#define ip_output(p, src, dest, ttl, tos, proto) ip4_output(p, src, dest, ttl, tos, proto)
#define ip_output_if(p, src, dest, ttl, tos, proto, netif) \
    ip4_output_if(p, src, dest, ttl, tos, proto, netif)
#define ip_output_if_src(p, src, dest, ttl, tos, proto, netif) \
    ip4_output_if_src(p, src, dest, ttl, tos, proto, netif)
#define ip_route(src, dest) ip4_route_src(src, dest)
#define ip_netif_get_local_ip(netif, dest) ip4_netif_get_local_ip(netif)
#define ip_route_get_local_ip(src, dest, netif, ipaddr) do { \
        (netif) = ip_route(src, dest); \
        (ipaddr) = ip_netif_get_local_ip(netif, dest); \
    } while (0)
#define ip_debug_print(is_ipv6, p) ip4_debug_print(p)

#endif
