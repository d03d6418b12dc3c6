/*
 * net/ethernet.c - the Ethernet II layer: the receive demultiplexer and the
 * header on transmit (RFC 894 for IPv4, RFC 826 for ARP).
 *
 * Receive: tcpip_thread calls ethernet_input for each frame of an Ethernet
 * netif. The emulated Stellaris MAC filters nothing (unicast frames for
 * other stations arrive too), so the destination is checked here, as the
 * MAC's address filter would do in hardware. Frames shorter than the
 * 60-byte Ethernet minimum are accepted: some emulated links do not pad,
 * and the layers above trust their own length fields, not the frame's.
 *
 * Transmit: the caller owns the packet before and after ethernet_output;
 * a driver that keeps it (e.g. queued for DMA) takes its own reference.
 */
#include <string.h>

#include "lwip/opt.h"
#include "lwip/etharp.h"
#include "lwip/ip4.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"
#include "trace.h"

const struct eth_addr ethbroadcast = ETH_ADDR(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
const struct eth_addr ethzero = ETH_ADDR(0, 0, 0, 0, 0, 0);

/* What to do with a frame for this destination: 0 if it is not ours.
 * Broadcast and multicast frames are marked so that IP knows they were not
 * addressed to this host alone (RFC 1122 3.3.6: no ICMP errors for them). */
static int accept_destination(struct pbuf *p, const struct eth_addr *dest,
                              const struct netif *netif)
{
    if (eth_addr_is_group(dest)) {
        if (eth_addr_eq(dest, &ethbroadcast))
            p->flags |= PBUF_FLAG_LLBCAST;
        else
            p->flags |= PBUF_FLAG_LLMCAST;
        return 1;
    }
    return netif->hwaddr_len == ETH_HWADDR_LEN &&
           memcmp(dest->addr, netif->hwaddr, ETH_HWADDR_LEN) == 0;
}

static void drop_input(unsigned reason, struct pbuf *p)
{
    ng_drop_pbuf(reason, p, &lwip_stats.link);
}

err_t ethernet_input(struct pbuf *p, struct netif *netif)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ethernet_input, p);

    if (p->len < SIZEOF_ETH_HDR) {
        LINK_STATS_INC(lenerr);
        drop_input(NG_drop_ETH_RUNT, p);
        NG_TRACE0(LAYER_EXIT, NG_layer_ethernet_input);
        return ERR_OK;
    }
    if (p->if_idx == NETIF_NO_INDEX)
        p->if_idx = netif_get_index(netif);

    const struct eth_hdr *eth = p->payload;
    u16_t type = lwip_ntohs(eth->type);
    if (!accept_destination(p, &eth->dest, netif)) {
        drop_input(NG_drop_ETH_NOT_FOR_US, p);
        NG_TRACE0(LAYER_EXIT, NG_layer_ethernet_input);
        return ERR_OK;
    }

    /* Both protocols we speak need ARP on this netif; anything else is an
     * EtherType we do not speak (VLAN tags and IPv6 included). */
    int arp_netif = (netif->flags & NETIF_FLAG_ETHARP) != 0;
    if (arp_netif && type == ETHTYPE_IP) {
        pbuf_remove_header(p, SIZEOF_ETH_HDR);
        ip4_input(p, netif);
    } else if (arp_netif && type == ETHTYPE_ARP) {
        pbuf_remove_header(p, SIZEOF_ETH_HDR);
        etharp_input(p, netif);
    } else {
        LINK_STATS_INC(proterr);
        drop_input(NG_drop_ETH_TYPE, p);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_ethernet_input);
    return ERR_OK;
}

err_t ethernet_output(struct netif *netif, struct pbuf *p, const struct eth_addr *src,
                      const struct eth_addr *dst, u16_t eth_type)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ethernet_output, p);

    /* The layers above reserved PBUF_LINK_HLEN in front (pbuf_alloc with
     * PBUF_IP or PBUF_LINK); a packet without that room cannot be framed. */
    if (pbuf_add_header(p, SIZEOF_ETH_HDR) != 0) {
        LINK_STATS_INC(err);
        NG_DROP(TX_ERROR, p);
        NG_TRACE0(LAYER_EXIT, NG_layer_ethernet_output);
        return ERR_BUF;
    }
    struct eth_hdr *eth = p->payload;
    memcpy(eth->dest.addr, dst->addr, ETH_HWADDR_LEN);
    memcpy(eth->src.addr, src->addr, ETH_HWADDR_LEN);
    eth->type = lwip_htons(eth_type);

    err_t err = netif->linkoutput(netif, p);
    NG_TRACE0(LAYER_EXIT, NG_layer_ethernet_output);
    return err;
}
