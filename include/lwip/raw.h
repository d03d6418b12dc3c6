/*
 * lwip/raw.h - raw IP PCBs through lwIP 2.x's raw API (net/raw.c): an
 * application that speaks a protocol over IP itself (ping speaks ICMP)
 * opens a PCB for that protocol number, and sees every datagram of the
 * protocol that reaches us, IP header and all, before the stack's own
 * handler does; its recv callback may eat one (return 1) so the stack
 * never sees it. raw_sendto puts an IP header in front of what it is given.
 *
 * Ownership as in lwIP: the send functions never free p; a recv callback
 * that returns 1 owns p, one that returns 0 must leave p as it was.
 */
#ifndef LWIP_HDR_RAW_H
#define LWIP_HDR_RAW_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

/* Bits of raw_pcb.flags. */
#define RAW_FLAGS_CONNECTED      0x01U  /* raw_connect fixed the peer */
#define RAW_FLAGS_HDRINCL        0x02U  /* what is sent starts with its own IP header */
#define RAW_FLAGS_MULTICAST_LOOP 0x04U

struct raw_pcb;

/* A datagram of pcb's protocol from addr; p->payload is its IP header.
 * Return 1 to eat it (the callback now owns p), 0 to leave it (unchanged)
 * to the other PCBs and the stack. */
typedef u8_t (*raw_recv_fn)(void *arg, struct raw_pcb *pcb, struct pbuf *p,
                            const ip_addr_t *addr);

struct raw_pcb {
    IP_PCB;                     /* local_ip, remote_ip, netif_idx, so_options, tos, ttl */
    struct raw_pcb *next;       /* raw_pcbs */
    u8_t protocol;              /* the IP protocol number it sends and receives */
    u8_t flags;                 /* RAW_FLAGS_* */
    raw_recv_fn recv;
    void *recv_arg;
};

/* What raw_input did with a datagram (lwIP 2.1's priv/raw_priv.h). */
typedef enum raw_input_state {
    RAW_INPUT_NONE = 0,         /* no PCB matched */
    RAW_INPUT_EATEN,            /* a PCB's recv ate it: it is gone */
    RAW_INPUT_DELIVERED         /* PCBs saw it, none ate it: the caller still owns it */
} raw_input_state_t;

/* Every raw PCB, newest first (raw_new puts it here). */
extern struct raw_pcb *raw_pcbs;

/* A new PCB for IP protocol proto (NULL when MEMP_RAW_PCB is empty). */
struct raw_pcb *raw_new(u8_t proto);
struct raw_pcb *raw_new_ip_type(u8_t type, u8_t proto);
void raw_remove(struct raw_pcb *pcb);
/* Receive only datagrams to ipaddr (IP_ADDR_ANY: to any of ours). */
err_t raw_bind(struct raw_pcb *pcb, const ip_addr_t *ipaddr);
void raw_bind_netif(struct raw_pcb *pcb, const struct netif *netif);
/* Receive only from ipaddr, and raw_send to it. */
err_t raw_connect(struct raw_pcb *pcb, const ip_addr_t *ipaddr);
void raw_disconnect(struct raw_pcb *pcb);
void raw_recv(struct raw_pcb *pcb, raw_recv_fn recv, void *recv_arg);

/* Send p (its payload: the protocol's header) in an IP datagram of
 * pcb->protocol: to the connected peer; to ipaddr; through netif from
 * src_ip. ERR_RTE without a route, ERR_MEM without room for the header. */
err_t raw_send(struct raw_pcb *pcb, struct pbuf *p);
err_t raw_sendto(struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *ipaddr);
err_t raw_sendto_if_src(struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip,
                        struct netif *netif, const ip_addr_t *src_ip);

#define raw_flags(pcb) ((pcb)->flags)
#define raw_setflags(pcb, f) ((pcb)->flags = (u8_t)(f))
#define raw_set_flags(pcb, set_flags) \
    do { (pcb)->flags = (u8_t)((pcb)->flags | (set_flags)); } while (0)
#define raw_clear_flags(pcb, clr_flags) \
    do { (pcb)->flags = (u8_t)((pcb)->flags & (u8_t)(~(clr_flags) & 0xff)); } while (0)
#define raw_is_flag_set(pcb, flag) (((pcb)->flags & (flag)) != 0)

/* The IP layer's side: a received datagram, p->payload at its IP header,
 * ip_current_*() describing it. Offers it to every matching PCB. */
raw_input_state_t raw_input(struct pbuf *p, struct netif *inp);
/* Reset the module: no PCBs (lwIP 2.1 has an empty macro here). */
void raw_init(void);
void raw_netif_ip_addr_changed(const ip_addr_t *old_addr, const ip_addr_t *new_addr);

#define raw_new_ip6(proto) raw_new_ip_type(IPADDR_TYPE_V6, proto)

#endif
