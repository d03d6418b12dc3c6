/*
 * lwip/etharp.h - ARP for IPv4 over Ethernet (net/etharp.c, RFC 826),
 * lwIP 2.x's API.
 *
 * etharp_output is an Ethernet netif's `output`: IPv4 hands it a packet and
 * the next hop's address; it finds the MAC address in the ARP cache, or asks
 * for it with a broadcast request and keeps the packet until the reply
 * comes (etharp_query). etharp_input takes received ARP packets: it learns
 * the sender's address and answers requests for ours. etharp_tmr (every
 * ETHARP_TMR_INTERVAL ms, from the cyclic timers) ages the cache.
 */
#ifndef LWIP_HDR_NETIF_ETHARP_H
#define LWIP_HDR_NETIF_ETHARP_H

#include <sys/types.h>

#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/prot/ethernet.h"
#include "lwip/prot/etharp.h"
#include "lwip/priv/memp_types.h"

#define ARP_TMR_INTERVAL ETHARP_TMR_INTERVAL

/* netglass: the states of a cache entry, for tests and the debugger
 * (etharp_entry_state). STABLE_REREQUESTING is a stable entry whose
 * refresh request is out (see ARP_AGE_REREQUEST_USED_UNICAST). */
enum etharp_state {
    ETHARP_STATE_EMPTY = 0,
    ETHARP_STATE_PENDING,           /* request sent, packets may wait */
    ETHARP_STATE_STABLE,
    ETHARP_STATE_STABLE_REREQUESTING,
    ETHARP_STATE_STATIC             /* set by hand: never ages, never replaced */
};

void etharp_tmr(void);
err_t etharp_output(struct netif *netif, struct pbuf *q, const ip4_addr_t *ipaddr);
err_t etharp_query(struct netif *netif, const ip4_addr_t *ipaddr, struct pbuf *q);
err_t etharp_request(struct netif *netif, const ip4_addr_t *ipaddr);
/* RFC 5227 2.3 "announcement": a request for our own address, so that
 * neighbours with a stale entry for it update it. */
#define etharp_gratuitous(netif) etharp_request((netif), netif_ip4_addr(netif))
void etharp_cleanup_netif(struct netif *netif);

/* Index of the STABLE or STATIC entry for ipaddr on netif (any netif when
 * NULL), with pointers to its addresses; -1 when there is none. */
ssize_t etharp_find_addr(struct netif *netif, const ip4_addr_t *ipaddr,
                         struct eth_addr **eth_ret, const ip4_addr_t **ip_ret);
/* 1 and the entry's addresses if entry i is STABLE or STATIC, else 0. */
int etharp_get_entry(size_t i, ip4_addr_t **ipaddr, struct netif **netif,
                     struct eth_addr **eth_ret);
/* netglass: the state of entry i (enum etharp_state), and how many packets
 * wait in it. */
u8_t etharp_entry_state(size_t i);
u16_t etharp_entry_queued(size_t i);

err_t etharp_add_static_entry(const ip4_addr_t *ipaddr, struct eth_addr *ethaddr);
err_t etharp_remove_static_entry(const ip4_addr_t *ipaddr);

/* Takes an ARP packet (Ethernet header already removed) received on
 * netif; always consumes it. */
void etharp_input(struct pbuf *p, struct netif *netif);

#endif
