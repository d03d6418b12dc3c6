/*
 * netif/ethernet.h - the Ethernet layer (net/ethernet.c), lwIP 2.x's API.
 *
 * ethernet_input is what tcpip_thread calls for every frame an Ethernet
 * netif received: it checks the destination MAC, takes the header off and
 * hands the rest to ARP or IPv4 by EtherType. ethernet_output puts a header
 * in front of a packet and gives the frame to netif->linkoutput.
 */
#ifndef LWIP_HDR_NETIF_ETHERNET_H
#define LWIP_HDR_NETIF_ETHERNET_H

#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/netif.h"
#include "lwip/prot/ethernet.h"

/* ff:ff:ff:ff:ff:ff and 00:00:00:00:00:00. */
extern const struct eth_addr ethbroadcast, ethzero;

/* Takes the frame p (header included) received on netif; always consumes
 * it (delivered, or dropped with a reason) and returns ERR_OK. */
err_t ethernet_input(struct pbuf *p, struct netif *netif);

/* Prepends the Ethernet header (src, dst, eth_type in host order) to p and
 * passes the frame to netif->linkoutput. The caller keeps p: it frees it
 * afterwards, as with every lwIP output function. */
err_t ethernet_output(struct netif *netif, struct pbuf *p, const struct eth_addr *src,
                      const struct eth_addr *dst, u16_t eth_type);

#endif
