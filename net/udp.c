/*
 * net/udp.c - UDP (RFC 768; host requirements RFC 1122 4.1) behind
 * lwIP 2.x's raw API (lwip/udp.h).
 *
 * Receive path: ip4_input hands udp_input a datagram with the IP header
 * hidden in front of the payload and ip_current_*() describing it. The
 * header is checked (lengths, then the checksum), then the destination
 * port picks the PCB: a connected PCB whose peer sent it first, else one
 * bound to the port (a specific local address before the wildcard). A
 * broadcast or multicast goes to every PCB on the port that may have it.
 * A unicast datagram nobody takes is answered with ICMP port unreachable.
 *
 * Send path: udp_send -> udp_sendto (routes) -> udp_sendto_if (picks the
 * source address) -> udp_sendto_if_src, which puts the header in front
 * of the data (in a pbuf of its own when the data has no room in front),
 * computes the checksum and calls ip4_output_if_src.
 *
 * Every datagram thrown away is an NG_DROP under its reason and counted
 * in lwip_stats.udp.drop.
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/udp.h"
#include "trace.h"

#if LWIP_UDP

struct udp_pcb *udp_pcbs;

/* The last ephemeral port handed out; the next is the one after it. */
static u16_t udp_port = UDP_LOCAL_PORT_RANGE_END;

/* Throw a received datagram away: its reason (pasted into NG_drop_ here,
 * as net/ip4.c does, so a reason is never expanded as a macro), the
 * lwIP counter, free. */
#define UDP_DROP(reason, p) ng_drop_pbuf(NG_drop_##reason, (p), &lwip_stats.udp)

void udp_init(void)
{
    udp_pcbs = NULL;
    udp_port = UDP_LOCAL_PORT_RANGE_END;
}

/* ---- PCBs ---------------------------------------------------------------------- */

struct udp_pcb *udp_new(void)
{
    struct udp_pcb *pcb = memp_malloc(MEMP_UDP_PCB);
    if (pcb == NULL)
        return NULL;
    memset(pcb, 0, sizeof *pcb);
    pcb->ttl = UDP_TTL;
    return pcb;
}

struct udp_pcb *udp_new_ip_type(u8_t type)
{
    LWIP_UNUSED_ARG(type);      /* IPv4 only: every type is served as V4 */
    return udp_new();
}

static int udp_pcb_listed(const struct udp_pcb *pcb)
{
    for (const struct udp_pcb *i = udp_pcbs; i != NULL; i = i->next) {
        if (i == pcb)
            return 1;
    }
    return 0;
}

static void udp_pcb_unlink(struct udp_pcb *pcb)
{
    for (struct udp_pcb **link = &udp_pcbs; *link != NULL; link = &(*link)->next) {
        if (*link == pcb) {
            *link = pcb->next;
            return;
        }
    }
}

void udp_remove(struct udp_pcb *pcb)
{
    if (pcb == NULL)
        return;
    udp_pcb_unlink(pcb);
    memp_free(MEMP_UDP_PCB, pcb);
}

static int udp_port_in_use(u16_t port)
{
    for (const struct udp_pcb *i = udp_pcbs; i != NULL; i = i->next) {
        if (i->local_port == port)
            return 1;
    }
    return 0;
}

/* RFC 6335 6: ephemeral ports come from 49152..65535. They are handed
 * out in turn, wrapping from the last to the first and skipping ports in
 * use, so a port just given up is not reused at once (a late datagram of
 * its old conversation would reach the new one). 0 if all are taken.
 * NOTE: RFC 6056 recommends a random start; netglass has no random
 * source yet, and a fixed order keeps traces reproducible. */
static u16_t udp_new_port(void)
{
    for (u32_t tries = 0; tries <= UDP_LOCAL_PORT_RANGE_END - UDP_LOCAL_PORT_RANGE_START;
         tries++) {
        udp_port = (u16_t)(udp_port == UDP_LOCAL_PORT_RANGE_END ? UDP_LOCAL_PORT_RANGE_START
                                                                : udp_port + 1);
        if (!udp_port_in_use(udp_port))
            return udp_port;
    }
    return 0;
}

/* Does another PCB hold port on an address that overlaps ipaddr? Two
 * PCBs that both say SOF_REUSEADDR may share (SO_REUSE). */
static int udp_port_taken(const struct udp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port)
{
    for (const struct udp_pcb *i = udp_pcbs; i != NULL; i = i->next) {
        if (i == pcb || i->local_port != port)
            continue;
        if (SO_REUSE && ip_get_option(pcb, SOF_REUSEADDR) && ip_get_option(i, SOF_REUSEADDR))
            continue;
        if (ip_addr_isany(ipaddr) || ip_addr_isany(&i->local_ip) ||
            ip_addr_eq(ipaddr, &i->local_ip))
            return 1;
    }
    return 0;
}

err_t udp_bind(struct udp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port)
{
    if (pcb == NULL)
        return ERR_VAL;
    if (ipaddr == NULL)
        ipaddr = IP_ADDR_ANY;
    if (port == 0) {
        port = udp_new_port();
        if (port == 0)
            return ERR_USE;
    } else if (udp_port_taken(pcb, ipaddr, port)) {
        return ERR_USE;
    }
    ip_addr_set(&pcb->local_ip, ipaddr);
    pcb->local_port = port;
    if (!udp_pcb_listed(pcb)) {
        pcb->next = udp_pcbs;
        udp_pcbs = pcb;
    }
    return ERR_OK;
}

void udp_bind_netif(struct udp_pcb *pcb, const struct netif *netif)
{
    pcb->netif_idx = netif ? netif_get_index(netif) : NETIF_NO_INDEX;
}

err_t udp_connect(struct udp_pcb *pcb, const ip_addr_t *ipaddr, u16_t port)
{
    if (pcb == NULL || ipaddr == NULL)
        return ERR_VAL;
    if (pcb->local_port == 0) {
        err_t err = udp_bind(pcb, &pcb->local_ip, 0);
        if (err != ERR_OK)
            return err;
    }
    ip_addr_set(&pcb->remote_ip, ipaddr);
    pcb->remote_port = port;
    udp_set_flags(pcb, UDP_FLAGS_CONNECTED);
    return ERR_OK;
}

void udp_disconnect(struct udp_pcb *pcb)
{
    if (pcb == NULL)
        return;
    ip_addr_set_any(0, &pcb->remote_ip);
    pcb->remote_port = 0;
    pcb->netif_idx = NETIF_NO_INDEX;
    udp_clear_flags(pcb, UDP_FLAGS_CONNECTED);
}

void udp_recv(struct udp_pcb *pcb, udp_recv_fn recv, void *recv_arg)
{
    if (pcb == NULL)
        return;
    pcb->recv = recv;
    pcb->recv_arg = recv_arg;
}

void udp_netif_ip_addr_changed(const ip_addr_t *old_addr, const ip_addr_t *new_addr)
{
    if (ip_addr_isany(old_addr) || ip_addr_isany(new_addr))
        return;
    for (struct udp_pcb *i = udp_pcbs; i != NULL; i = i->next) {
        if (ip_addr_eq(&i->local_ip, old_addr))
            ip_addr_set(&i->local_ip, new_addr);
    }
}

/* ---- receiving ----------------------------------------------------------------- */

/* Is pcb's local side (interface, address) one this datagram was sent
 * to? A broadcast reaches a PCB bound to the wildcard, to the broadcast's
 * subnet, or any PCB for 255.255.255.255; only with SOF_BROADCAST when
 * IP_SOF_BROADCAST_RECV (as a BSD socket wants SO_BROADCAST). */
static int udp_local_match(const struct udp_pcb *pcb, struct netif *inp, int broadcast)
{
    if (pcb->netif_idx != NETIF_NO_INDEX && pcb->netif_idx != netif_get_index(inp))
        return 0;
    const ip4_addr_t *dest = ip4_current_dest_addr();
    if (broadcast) {
        if (IP_SOF_BROADCAST_RECV && !ip_get_option(pcb, SOF_BROADCAST))
            return 0;
        return ip4_addr_isany(&pcb->local_ip) || dest->addr == IPADDR_BROADCAST ||
               ip4_addr_net_eq(&pcb->local_ip, dest, netif_ip4_netmask(inp));
    }
    return ip4_addr_isany(&pcb->local_ip) || ip4_addr_eq(&pcb->local_ip, dest);
}

/* A connected PCB takes only what its peer sends (RFC 1122 4.1.3.5 leaves
 * the filter to the application interface; this is the BSD one). */
static int udp_remote_match(const struct udp_pcb *pcb, u16_t src_port)
{
    if (!udp_is_flag_set(pcb, UDP_FLAGS_CONNECTED))
        return 1;
    return pcb->remote_port == src_port &&
           (ip_addr_isany(&pcb->remote_ip) || ip_addr_eq(&pcb->remote_ip, ip_current_src_addr()));
}

/* The PCB for a unicast datagram to dest_port from src_port: the first
 * connected PCB whose peer sent it, else the first bound PCB with this
 * exact local address, else the first with the wildcard. */
static struct udp_pcb *udp_demux(struct netif *inp, u16_t src_port, u16_t dest_port)
{
    struct udp_pcb *bound = NULL;
    for (struct udp_pcb *pcb = udp_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->local_port != dest_port || !udp_local_match(pcb, inp, 0))
            continue;
        if (udp_is_flag_set(pcb, UDP_FLAGS_CONNECTED)) {
            if (udp_remote_match(pcb, src_port))
                return pcb;
            continue;
        }
        if (bound == NULL || (ip_addr_isany(&bound->local_ip) && !ip_addr_isany(&pcb->local_ip)))
            bound = pcb;
    }
    return bound;
}

/* Give p (payload at the UDP header) to pcb's recv, the header hidden. */
static void udp_deliver(struct udp_pcb *pcb, struct pbuf *p, u16_t src_port)
{
    if (pcb->recv == NULL) {
        UDP_DROP(UDP_NO_RECV, p);
        return;
    }
    pbuf_remove_header(p, UDP_HLEN);
    pcb->recv(pcb->recv_arg, pcb, p, ip_current_src_addr(), src_port);
}

/* A broadcast or multicast: every PCB on the port that may have it gets
 * it, each but the last a copy. Returns how many got it. */
static int udp_deliver_group(struct pbuf *p, struct netif *inp, int broadcast,
                             u16_t src_port, u16_t dest_port)
{
    struct udp_pcb *prev = NULL;
    int n = 0;
    for (struct udp_pcb *pcb = udp_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->local_port != dest_port || !udp_local_match(pcb, inp, broadcast) ||
            !udp_remote_match(pcb, src_port))
            continue;
        if (prev != NULL) {
            struct pbuf *copy = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
            if (copy == NULL) {
                UDP_STATS_INC(memerr);
                NG_DROP(NO_MEMORY, p);      /* this PCB's copy is lost, not p */
                UDP_STATS_INC(drop);
            } else {
                udp_deliver(prev, copy, src_port);
            }
        }
        prev = pcb;
        n++;
    }
    if (prev != NULL)
        udp_deliver(prev, p, src_port);
    return n;
}

static void udp_receive(struct pbuf *p, struct netif *inp)
{
    UDP_STATS_INC(recv);

    /* RFC 768: an 8-byte header, read here from the first pbuf.
     * NOTE: like lwIP, a header split over two pbufs counts as short;
     * drivers and IP reassembly always keep it in one. */
    if (p->len < UDP_HLEN) {
        UDP_STATS_INC(lenerr);
        UDP_DROP(UDP_SHORT, p);
        return;
    }
    const struct udp_hdr *udphdr = p->payload;
    u16_t len = lwip_ntohs(udphdr->len);
    /* RFC 768 "Length": header and data. More than IP carried is a lie;
     * less means the rest of the IP payload is not part of the datagram. */
    if (len < UDP_HLEN || len > p->tot_len) {
        UDP_STATS_INC(lenerr);
        UDP_DROP(UDP_LEN, p);
        return;
    }
    if (len < p->tot_len)
        pbuf_realloc(p, len);
    /* RFC 768 "Checksum", RFC 1122 4.1.3.4: 0 means the sender sent none;
     * any other value must check, or the datagram is silently discarded. */
    if (udphdr->chksum != 0 &&
        inet_chksum_pseudo(p, IP_PROTO_UDP, len, ip4_current_src_addr(),
                           ip4_current_dest_addr()) != 0) {
        UDP_STATS_INC(chkerr);
        UDP_DROP(UDP_CHKSUM, p);
        return;
    }

    u16_t src_port = lwip_ntohs(udphdr->src);
    u16_t dest_port = lwip_ntohs(udphdr->dest);
    struct netif *netif = ip_current_netif() ? ip_current_netif() : inp;
    int broadcast = ip4_addr_isbroadcast(ip4_current_dest_addr(), netif);
    int multicast = ip4_addr_ismulticast(ip4_current_dest_addr());

    if (broadcast || multicast) {
        if (udp_deliver_group(p, inp, broadcast, src_port, dest_port) == 0) {
            /* RFC 1122 3.2.2: never an ICMP error about a broadcast or multicast */
            UDP_STATS_INC(proterr);
            UDP_DROP(UDP_NO_PCB, p);
        }
        return;
    }
    struct udp_pcb *pcb = udp_demux(inp, src_port, dest_port);
    if (pcb != NULL) {
        udp_deliver(pcb, p, src_port);
        return;
    }
    /* RFC 1122 4.1.3.1: nobody on the port: SHOULD send port unreachable,
     * quoting the datagram, so p gets its IP header back first. */
    pbuf_add_header_force(p, ip_current_header_tot_len());
    icmp_dest_unreach(p, ICMP_DUR_PORT);
    UDP_STATS_INC(proterr);
    UDP_DROP(UDP_NO_PCB, p);
}

void udp_input(struct pbuf *p, struct netif *inp)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_udp_input, p);
    udp_receive(p, inp);
    NG_TRACE0(LAYER_EXIT, NG_layer_udp_input);
}

/* ---- sending -------------------------------------------------------------------- */

err_t udp_sendto_if_src(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip,
                        u16_t dst_port, struct netif *netif, const ip_addr_t *src_ip)
{
    if (pcb == NULL || p == NULL || dst_ip == NULL || netif == NULL || src_ip == NULL)
        return ERR_VAL;
    if (IP_SOF_BROADCAST && !ip_get_option(pcb, SOF_BROADCAST) &&
        ip4_addr_isbroadcast(dst_ip, netif))
        return ERR_VAL;
    /* RFC 768: the source port is optional, but a reply needs one. */
    if (pcb->local_port == 0) {
        err_t err = udp_bind(pcb, &pcb->local_ip, 0);
        if (err != ERR_OK)
            return err;
    }
    if ((u16_t)(p->tot_len + UDP_HLEN) < p->tot_len)
        return ERR_MEM;     /* would not fit the 16-bit length */

    /* The header in front of the data, or in a pbuf of its own. */
    struct pbuf *q = p;
    if (pbuf_add_header(p, UDP_HLEN)) {
        q = pbuf_alloc(PBUF_IP, UDP_HLEN, PBUF_RAM);
        if (q == NULL) {
            UDP_STATS_INC(memerr);
            return ERR_MEM;
        }
        if (p->tot_len != 0)
            pbuf_chain(q, p);
    }
    struct udp_hdr *udphdr = q->payload;
    udphdr->src = lwip_htons(pcb->local_port);
    udphdr->dest = lwip_htons(dst_port);
    udphdr->len = lwip_htons(q->tot_len);
    udphdr->chksum = 0;
    /* RFC 768: a checksum that computes to 0 is sent as all ones, because
     * 0 says "none". */
    if (!udp_is_flag_set(pcb, UDP_FLAGS_NOCHKSUM)) {
        u16_t sum = inet_chksum_pseudo(q, IP_PROTO_UDP, q->tot_len, src_ip, dst_ip);
        udphdr->chksum = sum == 0 ? 0xffff : sum;
    }

    UDP_STATS_INC(xmit);
    err_t err = ip4_output_if_src(q, src_ip, dst_ip, pcb->ttl, pcb->tos, IP_PROTO_UDP, netif);
    if (q != p)
        pbuf_free(q);       /* the header pbuf; p stays the caller's */
    return err;
}

static err_t udp_send_if(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip,
                         u16_t dst_port, struct netif *netif)
{
    if (pcb == NULL || netif == NULL)
        return ERR_VAL;
    /* From the interface's address, unless pcb is bound to one address:
     * then that must be this interface's. */
    const ip_addr_t *src_ip;
    if (ip_addr_isany(&pcb->local_ip) || ip_addr_ismulticast(&pcb->local_ip)) {
        src_ip = netif_ip4_addr(netif);
    } else {
        if (!ip_addr_eq(&pcb->local_ip, netif_ip4_addr(netif))) {
            UDP_STATS_INC(rterr);
            return ERR_RTE;
        }
        src_ip = &pcb->local_ip;
    }
    return udp_sendto_if_src(pcb, p, dst_ip, dst_port, netif, src_ip);
}

err_t udp_sendto_if(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip,
                    u16_t dst_port, struct netif *netif)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_udp_sendto_if, p);
    err_t err = udp_send_if(pcb, p, dst_ip, dst_port, netif);
    NG_TRACE0(LAYER_EXIT, NG_layer_udp_sendto_if);
    return err;
}

/* The interface: the one pcb is bound to, else the route to dst_ip. */
static err_t udp_route_and_send(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip,
                                u16_t dst_port)
{
    if (pcb == NULL || dst_ip == NULL)
        return ERR_VAL;
    struct netif *netif = pcb->netif_idx != NETIF_NO_INDEX
                              ? netif_get_by_index(pcb->netif_idx)
                              : ip_route(&pcb->local_ip, dst_ip);
    if (netif == NULL) {
        UDP_STATS_INC(rterr);
        return ERR_RTE;
    }
    return udp_sendto_if(pcb, p, dst_ip, dst_port, netif);
}

err_t udp_sendto(struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip, u16_t dst_port)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_udp_sendto, p);
    err_t err = udp_route_and_send(pcb, p, dst_ip, dst_port);
    NG_TRACE0(LAYER_EXIT, NG_layer_udp_sendto);
    return err;
}

/* NOTE: as in lwIP, udp_send on a PCB that is not connected sends to
 * its remote_ip:remote_port as they are (0.0.0.0:0 unless set). */
err_t udp_send(struct udp_pcb *pcb, struct pbuf *p)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_udp_send, p);
    err_t err = pcb == NULL ? ERR_VAL : udp_sendto(pcb, p, &pcb->remote_ip, pcb->remote_port);
    NG_TRACE0(LAYER_EXIT, NG_layer_udp_send);
    return err;
}

#endif /* LWIP_UDP */
