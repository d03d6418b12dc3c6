/*
 * net/icmp.c - ICMP for IPv4 (RFC 792, host requirements RFC 1122 3.2.2):
 * answering echo requests, handing echo replies to whoever is timing
 * pings, and sending the two error messages the IP layer needs
 * (destination unreachable, time exceeded).
 *
 * icmp_input gets the message from ip4_input with the IP header hidden in
 * front of the payload and ip_current_*() describing it, and always
 * consumes the pbuf. An echo reply is built in the request's own buffer
 * when it has room in front for the headers below (a received frame
 * always has: its Ethernet and IP headers were there); otherwise in a
 * PBUF_RAM copy.
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "trace.h"

void (*ng_icmp_echo_reply_hook)(struct pbuf *p, const ip4_addr_t *from);

/* Throw a received message away: reason (NG_DROP's work, the reason
 * pasted as in net/ip4.c), lwip_stats.icmp.drop, free. */
#define ICMP_DROP(reason, p) ng_drop_pbuf(NG_drop_##reason, (p), &lwip_stats.icmp)

/* ---- echo (RFC 792 "Echo or Echo Reply Message", RFC 1122 3.2.2.6) ---- */

/* ip_current_*() are always set here: icmp_input is called by ip4_input
 * only (ip4_deliver), after it has filled in ip_data, so the netif that
 * accepted the request and its header are there to be used. */
static void icmp_echo(struct pbuf *p, struct netif *inp)
{
    const ip4_addr_t *to = ip_current_dest_addr();
    int bcast = ip4_addr_isbroadcast(to, ip_current_netif());
    int mcast = ip4_addr_ismulticast(to);

    /* 3.2.2.6: an echo to a broadcast or multicast address MAY be silently
     * discarded; netglass does, unless LWIP_BROADCAST_PING / _MULTICAST_PING. */
    if ((bcast && !LWIP_BROADCAST_PING) || (mcast && !LWIP_MULTICAST_PING)) {
        ICMP_DROP(ICMP_BCAST, p);
        return;
    }

    /* The reply in place if the request's buffer can take the IP and link
     * headers in front and holds the whole ICMP header itself. */
    struct pbuf *r = p;
    if (p->len < ICMP_HLEN || pbuf_add_header(p, PBUF_IP)) {
        r = pbuf_clone(PBUF_IP, PBUF_RAM, p);
        if (r == NULL) {
            ICMP_STATS_INC(memerr);
            ICMP_DROP(NO_MEMORY, p);
            return;
        }
    } else {
        pbuf_remove_header(p, PBUF_IP);
    }

    /* Same identifier, sequence number and data; type 0; the checksum
     * follows the one changed word (type, code). */
    struct icmp_echo_hdr *echo = r->payload;
    u16_t old = (u16_t)(ICMPH_TYPE(echo) << 8 | ICMPH_CODE(echo));
    ICMPH_TYPE_SET(echo, ICMP_ER);
    u16_t new = (u16_t)(ICMPH_TYPE(echo) << 8 | ICMPH_CODE(echo));
    echo->chksum = inet_chksum_adjust(echo->chksum, old, new);

    /* From the address the request was sent to (for a broadcast we may
     * answer: from the interface's own), back to its sender, through the
     * interface it came in on. NOTE: RFC 1122 3.2.2.6 says record-route
     * and timestamp options SHOULD be updated and echoed; the reply gets a
     * fresh header without options. */
    ip4_addr_t from, dest;
    ip4_addr_copy(from, *to);
    if (bcast || mcast)
        ip4_addr_copy(from, *netif_ip4_addr(inp));
    ip4_addr_copy(dest, *ip_current_src_addr());
    u8_t tos = IPH_TOS(ip_current_header());

    ICMP_STATS_INC(xmit);
    ip4_output_if(r, &from, &dest, ICMP_TTL, tos, IP_PROTO_ICMP, inp);
    if (r != p)
        pbuf_free(r);
    pbuf_free(p);
}

/* ---- input ---------------------------------------------------------------- */

static void icmp_receive(struct pbuf *p, struct netif *inp)
{
    ICMP_STATS_INC(recv);

    if (p->tot_len < ICMP_HLEN) {
        ICMP_STATS_INC(lenerr);
        ICMP_DROP(ICMP_SHORT, p);
        return;
    }
    /* RFC 792: the checksum covers the whole message. */
    if (inet_chksum_pbuf(p) != 0) {
        ICMP_STATS_INC(chkerr);
        ICMP_DROP(ICMP_CHKSUM, p);
        return;
    }
    switch (pbuf_get_at(p, 0)) {
    case ICMP_ECHO:
        icmp_echo(p, inp);
        return;
    case ICMP_ER:
        if (ng_icmp_echo_reply_hook) {
            ng_icmp_echo_reply_hook(p, ip_current_src_addr());
            pbuf_free(p);
            return;
        }
        break;  /* nobody is waiting for it */
    default:
        /* HOOK(udp/tcp): RFC 1122 3.2.2.1 wants destination unreachable
         * and friends passed to the transport layer; the UDP/TCP issue
         * adds that. Raw PCBs will see every type first. */
        break;
    }
    ICMP_STATS_INC(proterr);
    ICMP_DROP(ICMP_TYPE, p);
}

void icmp_input(struct pbuf *p, struct netif *inp)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_icmp_input, p);
    icmp_receive(p, inp);
    NG_TRACE0(LAYER_EXIT, NG_layer_icmp_input);
}

/* ---- errors --------------------------------------------------------------- */

/* Is the ICMP type a query (answering it with an error is allowed) rather
 * than an error (never answered with an error)? RFC 1122 3.2.2. */
static int icmp_type_is_query(u8_t type)
{
    switch (type) {
    case ICMP_ER: case ICMP_ECHO: case ICMP_TS: case ICMP_TSR:
    case ICMP_IRQ: case ICMP_IR: case ICMP_AM: case ICMP_AMR:
        return 1;
    default:
        return 0;
    }
}

static int ip4_addr_is_bcast_anywhere(const ip4_addr_t *addr)
{
    struct netif *netif;
    if (addr->addr == IPADDR_BROADCAST || addr->addr == IPADDR_ANY)
        return 1;
    NETIF_FOREACH(netif) {
        if (ip4_addr_isbroadcast(addr, netif))
            return 1;
    }
    return 0;
}

/* RFC 1122 3.2.2: "An ICMP error message MUST NOT be sent as the result of
 * receiving: an ICMP error message, a datagram destined to an IP broadcast
 * or IP multicast address, a datagram sent as a link-layer broadcast, a
 * non-initial fragment, or a datagram whose source address does not define
 * a single host" (zero, loopback, broadcast, multicast, class E). */
static int icmp_error_allowed(const struct pbuf *p)
{
    if (p->len < IP_HLEN)
        return 0;
    const struct ip_hdr *iphdr = p->payload;
    u16_t hlen = IPH_HL_BYTES(iphdr);
    ip4_addr_t src, dest;
    src.addr = iphdr->src.addr;
    dest.addr = iphdr->dest.addr;

    if (p->flags & (PBUF_FLAG_LLBCAST | PBUF_FLAG_LLMCAST))
        return 0;
    if (ip4_addr_ismulticast(&dest) || ip4_addr_is_bcast_anywhere(&dest))
        return 0;
    if (IPH_OFFSET(iphdr) & PP_HTONS(IP_OFFMASK))
        return 0;
    /* 224/4 (multicast) and 240/4 (class E) are 224/3; 0.0.0.0 is one of
     * the broadcasts ip4_addr_is_bcast_anywhere knows */
    if (ip4_addr_isloopback(&src) ||
        (src.addr & PP_HTONL(0xe0000000UL)) == PP_HTONL(0xe0000000UL) ||
        ip4_addr_is_bcast_anywhere(&src))
        return 0;
    if (IPH_PROTO(iphdr) == IP_PROTO_ICMP) {
        if (p->tot_len <= hlen)
            return 0;   /* cannot tell what it was: assume an error */
        if (!icmp_type_is_query(pbuf_get_at(p, hlen)))
            return 0;
    }
    return 1;
}

/* RFC 792: type, code, a zero word, then the offending datagram's header
 * and the first 64 bits of its data; sent back to its source from the
 * interface that leads there. */
static void icmp_send_error(struct pbuf *p, u8_t type, u8_t code)
{
    if (!icmp_error_allowed(p))
        return;
    const struct ip_hdr *iphdr = p->payload;
    u16_t quote = (u16_t)LWIP_MIN(p->tot_len, IPH_HL_BYTES(iphdr) + ICMP_DEST_UNREACH_DATASIZE);
    ip4_addr_t dest;
    dest.addr = iphdr->src.addr;

    struct pbuf *q = pbuf_alloc(PBUF_IP, (u16_t)(ICMP_HLEN + quote), PBUF_RAM);
    if (q == NULL) {
        ICMP_STATS_INC(memerr);
        return;
    }
    u8_t *msg = q->payload;
    memset(msg, 0, ICMP_HLEN);
    msg[0] = type;
    msg[1] = code;
    pbuf_copy_partial(p, msg + ICMP_HLEN, quote, 0);
    struct icmp_echo_hdr *h = q->payload;
    h->chksum = inet_chksum(msg, (u16_t)(ICMP_HLEN + quote));

    struct netif *netif = ip4_route(&dest);
    if (netif == NULL) {
        ICMP_STATS_INC(rterr);
        NG_DROP(IP_NO_ROUTE, q);
        pbuf_free(q);
        return;
    }
    ICMP_STATS_INC(xmit);
    ip4_output_if(q, IP_ADDR_ANY, &dest, ICMP_TTL, 0, IP_PROTO_ICMP, netif);
    pbuf_free(q);
}

void icmp_dest_unreach(struct pbuf *p, enum icmp_dur_type t)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_icmp_dest_unreach, p);
    icmp_send_error(p, ICMP_DUR, (u8_t)t);
    NG_TRACE0(LAYER_EXIT, NG_layer_icmp_dest_unreach);
}

void icmp_time_exceed(struct pbuf *p, enum icmp_te_type t)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_icmp_time_exceed, p);
    icmp_send_error(p, ICMP_TE, (u8_t)t);
    NG_TRACE0(LAYER_EXIT, NG_layer_icmp_time_exceed);
}
