/*
 * lwip/udp.h - UDP (RFC 768, host requirements RFC 1122 4.1) through
 * lwIP 2.x's raw API (net/udp.c).
 *
 * An application makes a PCB with udp_new, gives it a local port with
 * udp_bind (port 0: an ephemeral one), maybe fixes the peer with
 * udp_connect, registers a recv callback, and sends with udp_send or
 * udp_sendto. Ports are in host byte order everywhere in this API.
 *
 * Ownership, as in lwIP: the send functions never free p (the caller
 * does, and p's payload may have moved in front of the headers that were
 * added); the recv callback owns the p it is given and must free it.
 * All of it runs in tcpip_thread (or under the core lock).
 */
#ifndef LWIP_HDR_UDP_H
#define LWIP_HDR_UDP_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/udp.h"

/* Bits of udp_pcb.flags. */
#define UDP_FLAGS_NOCHKSUM       0x01U  /* send with checksum 0 (RFC 768 allows it) */
#define UDP_FLAGS_UDPLITE        0x02U  /* UDP-Lite (RFC 3828): not supported here */
#define UDP_FLAGS_CONNECTED      0x04U  /* udp_connect fixed the peer */
#define UDP_FLAGS_MULTICAST_LOOP 0x08U  /* multicasts sent are looped back (no IGMP here) */

struct udp_pcb;

/* A datagram arrived for pcb: p's payload is the data (the UDP header is
 * hidden in front of it), from addr:port (port in host order). The
 * callback owns p. addr points into the stack's current-packet state:
 * copy it to keep it. */
typedef void (*udp_recv_fn)(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                            const ip_addr_t *addr, u16_t port);

struct udp_pcb {
    IP_PCB;                     /* local_ip, remote_ip, netif_idx, so_options, tos, ttl */
    struct udp_pcb *next;       /* udp_pcbs, the bound PCBs */
    u8_t flags;                 /* UDP_FLAGS_* */
    u16_t local_port, remote_port;  /* host order; 0: none */
    udp_recv_fn recv;
    void *recv_arg;
};

/* Every PCB that has a local port (bound or connected), newest first. */
extern struct udp_pcb *udp_pcbs;

/* A new PCB from MEMP_UDP_PCB, not bound (NULL when the pool is empty). */
struct udp_pcb *udp_new(void);
struct udp_pcb *udp_new_ip_type(u8_t type);
/* Unbind and free pcb. */
void udp_remove(struct udp_pcb *pcb);
/* Take local port `port` (0: an ephemeral port, 49152..65535) on ipaddr
 * (NULL or IP_ADDR_ANY: every address). ERR_USE if another PCB has the
 * port on an overlapping address, unless both have SOF_REUSEADDR. */
err_t udp_bind(struct udp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port);
/* Receive only what arrives on netif, and send only through it (NULL: any). */
void udp_bind_netif(struct udp_pcb *pcb, const struct netif *netif);
/* Fix the peer: udp_send goes there, and only its datagrams come in.
 * Binds an ephemeral port first when pcb has none. */
err_t udp_connect(struct udp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port);
/* Forget the peer (and the interface binding). */
void udp_disconnect(struct udp_pcb *pcb);
void udp_recv(struct udp_pcb *pcb, udp_recv_fn recv, void *recv_arg);

/* Send p as one datagram: to the connected peer; to dst_ip:dst_port; the
 * same through netif; and through netif from src_ip. ERR_RTE without a
 * route, ERR_MEM without memory for the header; whatever IP returns. */
err_t udp_send(struct udp_pcb *pcb, struct pbuf *p);
err_t udp_sendto(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip, u16_t dst_port);
err_t udp_sendto_if(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip,
                    u16_t dst_port, struct netif *netif);
err_t udp_sendto_if_src(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip,
                        u16_t dst_port, struct netif *netif, const ip_addr_t *src_ip);

#define udp_flags(pcb) ((pcb)->flags)
#define udp_setflags(pcb, f) ((pcb)->flags = (u8_t)(f))
#define udp_set_flags(pcb, set_flags) \
    do { (pcb)->flags = (u8_t)((pcb)->flags | (set_flags)); } while (0)
#define udp_clear_flags(pcb, clr_flags) \
    do { (pcb)->flags = (u8_t)((pcb)->flags & (u8_t)(~(clr_flags) & 0xff)); } while (0)
#define udp_is_flag_set(pcb, flag) (((pcb)->flags & (flag)) != 0)

/* The IP layer's side: a datagram for us, payload at its UDP header, with
 * ip_current_*() describing the IP header. Takes p. */
void udp_input(struct pbuf *p, struct netif *inp);
/* Reset the module: no PCBs, the ephemeral ports start again at 49152. */
void udp_init(void);
/* An interface's address changed from old_addr to new_addr: PCBs bound
 * to the old one follow it. */
void udp_netif_ip_addr_changed(const ip_addr_t *old_addr, const ip_addr_t *new_addr);

#define udp_new_ip6() udp_new_ip_type(IPADDR_TYPE_V6)

#endif
