/*
 * lwip/ip4_frag.h - IPv4 fragmentation and reassembly (RFC 791 2.3, 3.2;
 * RFC 815), lwIP 2.x's API (net/ip4_frag.c). struct ip_reassdata and
 * struct pbuf_custom_ref live in lwip/priv/memp_types.h, because their
 * pools (MEMP_REASSDATA, MEMP_FRAG_PBUF) must know their size.
 */
#ifndef LWIP_HDR_IP4_FRAG_H
#define LWIP_HDR_IP4_FRAG_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/memp_types.h"

#define IP_TMR_INTERVAL IP_REASS_TMR_INTERVAL   /* lwIP's name */

/* Every IP_REASS_TMR_INTERVAL ms (a cyclic timer of net/timeouts.c): age
 * the datagrams being reassembled, drop those older than IP_REASS_MAXAGE. */
void ip_reass_tmr(void);

/* A received fragment (p->payload is its IP header, checked by ip4_input).
 * Takes p. Returns the whole datagram (a pbuf chain that starts with the
 * header, offset and MF cleared) when p completed it, else NULL. */
struct pbuf *ip4_reass(struct pbuf *p);

/* Send p (payload = a complete IP header) through netif as fragments of
 * at most netif->mtu bytes. p stays the caller's. */
err_t ip4_frag(struct pbuf *p, struct netif *netif, const ip4_addr_t *dest);

/* netglass: for tests and the debugger. */
const struct ip_reassdata *ip_reass_get_list(void);    /* datagrams in progress */
u16_t ip_reass_get_pbufcount(void);                    /* pbufs they hold */

#endif
