/*
 * net/raw.c - raw IP PCBs behind lwIP 2.x's raw API (lwip/raw.h): an
 * application that speaks a protocol over IP itself (the ping client
 * speaks ICMP) receives every datagram of that protocol, IP header and
 * all, and sends datagrams of it with the header made here.
 *
 * Receive path: ip4_input calls raw_input with each datagram that is for
 * us, p->payload still at the IP header, before it hands the datagram to
 * the protocol's own input. Each PCB for the protocol whose local address
 * (and, when connected, peer) matches sees p in turn, without a copy; the
 * first whose recv returns 1 eats it, and nobody after it sees it (the
 * stack's own handler included). When all return 0 the caller keeps p.
 *
 * Send path: raw_send -> raw_sendto (routes, picks the source) ->
 * raw_sendto_if_src -> ip4_output_if with the PCB's protocol.
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/ip.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/raw.h"
#include "lwip/stats.h"
#include "trace.h"

#if LWIP_RAW

struct raw_pcb *raw_pcbs;

void raw_init(void)
{
    raw_pcbs = NULL;
}

/* ---- PCBs ---------------------------------------------------------------------- */

struct raw_pcb *raw_new(u8_t proto)
{
    struct raw_pcb *pcb = memp_malloc(MEMP_RAW_PCB);
    if (pcb == NULL)
        return NULL;
    memset(pcb, 0, sizeof *pcb);
    pcb->protocol = proto;
    pcb->ttl = RAW_TTL;
    pcb->next = raw_pcbs;       /* listening at once, as in lwIP */
    raw_pcbs = pcb;
    return pcb;
}

struct raw_pcb *raw_new_ip_type(u8_t type, u8_t proto)
{
    LWIP_UNUSED_ARG(type);      /* IPv4 only */
    return raw_new(proto);
}

void raw_remove(struct raw_pcb *pcb)
{
    if (pcb == NULL)
        return;
    for (struct raw_pcb **link = &raw_pcbs; *link != NULL; link = &(*link)->next) {
        if (*link == pcb) {
            *link = pcb->next;
            break;
        }
    }
    memp_free(MEMP_RAW_PCB, pcb);
}

err_t raw_bind(struct raw_pcb *pcb, const ip_addr_t *ipaddr)
{
    if (pcb == NULL || ipaddr == NULL)
        return ERR_VAL;
    ip_addr_set(&pcb->local_ip, ipaddr);
    return ERR_OK;
}

void raw_bind_netif(struct raw_pcb *pcb, const struct netif *netif)
{
    pcb->netif_idx = netif ? netif_get_index(netif) : NETIF_NO_INDEX;
}

err_t raw_connect(struct raw_pcb *pcb, const ip_addr_t *ipaddr)
{
    if (pcb == NULL || ipaddr == NULL)
        return ERR_VAL;
    ip_addr_set(&pcb->remote_ip, ipaddr);
    raw_set_flags(pcb, RAW_FLAGS_CONNECTED);
    return ERR_OK;
}

void raw_disconnect(struct raw_pcb *pcb)
{
    if (pcb == NULL)
        return;
    ip_addr_set_any(0, &pcb->remote_ip);
    pcb->netif_idx = NETIF_NO_INDEX;
    raw_clear_flags(pcb, RAW_FLAGS_CONNECTED);
}

void raw_recv(struct raw_pcb *pcb, raw_recv_fn recv, void *recv_arg)
{
    if (pcb == NULL)
        return;
    pcb->recv = recv;
    pcb->recv_arg = recv_arg;
}

void raw_netif_ip_addr_changed(const ip_addr_t *old_addr, const ip_addr_t *new_addr)
{
    if (ip_addr_isany(old_addr) || ip_addr_isany(new_addr))
        return;
    for (struct raw_pcb *i = raw_pcbs; i != NULL; i = i->next) {
        if (ip_addr_eq(&i->local_ip, old_addr))
            ip_addr_set(&i->local_ip, new_addr);
    }
}

/* ---- receiving ----------------------------------------------------------------- */

/* Is this datagram for pcb? Its interface, its local address (a broadcast
 * only for the wildcard, and with SOF_BROADCAST when
 * IP_SOF_BROADCAST_RECV), and when connected its peer. */
static int raw_match(const struct raw_pcb *pcb, u8_t proto, struct netif *inp, int broadcast)
{
    if (pcb->protocol != proto)
        return 0;
    if (pcb->netif_idx != NETIF_NO_INDEX && pcb->netif_idx != netif_get_index(inp))
        return 0;
    if (broadcast) {
        if (IP_SOF_BROADCAST_RECV && !ip_get_option(pcb, SOF_BROADCAST))
            return 0;
        if (!ip_addr_isany(&pcb->local_ip))
            return 0;
    } else if (!ip_addr_isany(&pcb->local_ip) &&
               !ip_addr_eq(&pcb->local_ip, ip_current_dest_addr())) {
        return 0;
    }
    return !raw_is_flag_set(pcb, RAW_FLAGS_CONNECTED) ||
           ip_addr_eq(&pcb->remote_ip, ip_current_src_addr());
}

static raw_input_state_t raw_offer(struct pbuf *p, struct netif *inp)
{
    u8_t proto = IPH_PROTO((const struct ip_hdr *)p->payload);
    struct netif *netif = ip_current_netif() ? ip_current_netif() : inp;
    int broadcast = ip_addr_isbroadcast(ip_current_dest_addr(), netif);
    raw_input_state_t state = RAW_INPUT_NONE;

    for (struct raw_pcb *pcb = raw_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->recv == NULL || !raw_match(pcb, proto, inp, broadcast))
            continue;
        state = RAW_INPUT_DELIVERED;
        void *payload = p->payload;
        if (pcb->recv(pcb->recv_arg, pcb, p, ip_current_src_addr()) != 0)
            return RAW_INPUT_EATEN;     /* p is the callback's now */
        /* Not eaten: the next PCB and the stack read p as it came. */
        LWIP_ASSERT("raw recv moved the payload of a pbuf it did not eat",
                    p->payload == payload);
    }
    return state;
}

raw_input_state_t raw_input(struct pbuf *p, struct netif *inp)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_raw_input, p);
    raw_input_state_t state = raw_offer(p, inp);
    NG_TRACE0(LAYER_EXIT, NG_layer_raw_input);
    return state;
}

/* ---- sending -------------------------------------------------------------------- */

err_t raw_sendto_if_src(struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *dst_ip,
                        struct netif *netif, const ip_addr_t *src_ip)
{
    if (pcb == NULL || p == NULL || dst_ip == NULL || netif == NULL || src_ip == NULL)
        return ERR_VAL;
    /* The application wrote the IP header itself: sent as it is. */
    if (raw_is_flag_set(pcb, RAW_FLAGS_HDRINCL)) {
        if (p->len < IP_HLEN)
            return ERR_VAL;
        return ip4_output_if(p, src_ip, LWIP_IP_HDRINCL, 0, 0, 0, netif);
    }
    if ((u16_t)(p->tot_len + IP_HLEN) < p->tot_len)
        return ERR_MEM;
    if (IP_SOF_BROADCAST && !ip_get_option(pcb, SOF_BROADCAST) &&
        ip_addr_isbroadcast(dst_ip, netif))
        return ERR_VAL;

    /* IP puts its header in front of p; when p has no room there, in
     * front of an empty pbuf chained before it. */
    struct pbuf *q = p;
    if (pbuf_add_header(p, IP_HLEN)) {
        q = pbuf_alloc(PBUF_IP, 0, PBUF_RAM);
        if (q == NULL)
            return ERR_MEM;
        if (p->tot_len != 0)
            pbuf_chain(q, p);
    } else {
        pbuf_remove_header(p, IP_HLEN);     /* there is room: IP will use it */
    }
    err_t err = ip4_output_if(q, src_ip, dst_ip, pcb->ttl, pcb->tos, pcb->protocol, netif);
    if (q != p)
        pbuf_free(q);
    return err;
}

/* Through the interface pcb is bound to, else the route to ipaddr; from
 * pcb's address, or the interface's when pcb has none. */
static err_t raw_route_and_send(struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *ipaddr)
{
    if (pcb == NULL || ipaddr == NULL)
        return ERR_VAL;
    struct netif *netif = pcb->netif_idx != NETIF_NO_INDEX
                              ? netif_get_by_index(pcb->netif_idx)
                              : ip_route(&pcb->local_ip, ipaddr);
    if (netif == NULL)
        return ERR_RTE;
    const ip_addr_t *src_ip = &pcb->local_ip;
    if (ip_addr_isany(&pcb->local_ip) || ip_addr_ismulticast(&pcb->local_ip))
        src_ip = netif_ip4_addr(netif);
    return raw_sendto_if_src(pcb, p, ipaddr, netif, src_ip);
}

err_t raw_sendto(struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *ipaddr)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_raw_sendto, p);
    err_t err = raw_route_and_send(pcb, p, ipaddr);
    NG_TRACE0(LAYER_EXIT, NG_layer_raw_sendto);
    return err;
}

err_t raw_send(struct raw_pcb *pcb, struct pbuf *p)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_raw_send, p);
    err_t err = pcb == NULL ? ERR_VAL : raw_sendto(pcb, p, &pcb->remote_ip);
    NG_TRACE0(LAYER_EXIT, NG_layer_raw_send);
    return err;
}

#endif /* LWIP_RAW */
