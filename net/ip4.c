/*
 * net/ip4.c - IPv4: receiving (RFC 791 3.1, host requirements RFC 1122
 * 3.2.1), routing and sending, and forwarding when this host is a router.
 *
 * Receive path: a link layer calls ip4_input (ip_input) with the packet's
 * payload at the IP header. The header is checked field by field, each
 * failure dropped under its own reason; then the destination decides
 * whether the packet is ours (on any of our interfaces: the weak host
 * model of RFC 1122 3.3.4.2, as lwIP does), to be forwarded, or not for
 * us; fragments go to ip4_reass (net/ip4_frag.c); a whole datagram goes,
 * with its header hidden, to the protocol named in the header.
 *
 * Send path: ip4_output routes (ip4_route) and calls ip4_output_if, which
 * adds the 20-byte header in the room the pbuf has in front of its payload
 * and hands the packet to netif->output (etharp_output on Ethernet), or to
 * ip4_frag when it is larger than the interface's MTU, or back to our own
 * input through netif_loop_output when it is addressed to ourselves.
 *
 * Ownership, as in lwIP: ip4_input always consumes the pbuf; the output
 * functions never free it (the caller does, whatever they return).
 */
#include <stddef.h>
#include <string.h>

#include "lwip/def.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/ip4_frag.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/raw.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "trace.h"

struct ip_globals ip_data;

/* netglass: forwarding can be switched at run time (from GDB, or by a
 * test); IP_FORWARD is where it starts. */
u8_t ip4_forwarding = IP_FORWARD;

/* The Identification of the next datagram we send (RFC 791 3.2: unique
 * per source, destination and protocol while the datagram may be alive;
 * one counter for all of them is the simple way to get that). */
static u16_t ip_id;

/* Throw a received packet away: counted under its reason and traced
 * (what NG_DROP does; the reason is pasted here directly, because some
 * reasons, IP_HLEN for one, are also names of header macros, which must
 * not expand), counted in lwip_stats.ip.drop, freed. The caller counts the
 * more specific lwIP statistic (lenerr, chkerr, ...) where there is one. */
#define IP4_DROP(reason, p) ng_drop_pbuf(NG_drop_##reason, (p), &lwip_stats.ip)

/* The drops that lwIP also counts in a counter of its own (lenerr,
 * chkerr, ...): each fault names its reason and that counter (as an
 * offset into struct stats_proto) in one table, and ip4_drop_counted does
 * the two counts and the free, so that a site is one small call rather
 * than an increment and a call (the header checks below have six). */
enum ip4_fault {
    IP4_FAULT_NONE,
    IP4_FAULT_SHORT, IP4_FAULT_VERSION, IP4_FAULT_HLEN, IP4_FAULT_LEN,
    IP4_FAULT_CHKSUM, IP4_FAULT_OPTIONS,
    IP4_FAULT_NO_ROUTE, IP4_FAULT_PROTO,
};

static const struct {
    u8_t reason;    /* NG_drop_... */
    u8_t counter;   /* offsetof(struct stats_proto, ...) */
} ip4_fault_drop[] = {
#define IP4_FAULT(fault, reason, counter) \
    [IP4_FAULT_##fault] = { NG_drop_##reason, offsetof(struct stats_proto, counter) }
    IP4_FAULT(SHORT, IP_SHORT, lenerr),
    IP4_FAULT(VERSION, IP_VERSION, err),
    IP4_FAULT(HLEN, IP_HLEN, lenerr),
    IP4_FAULT(LEN, IP_LEN, lenerr),
    IP4_FAULT(CHKSUM, IP_CHKSUM, chkerr),
    IP4_FAULT(OPTIONS, IP_OPTIONS, opterr),
    IP4_FAULT(NO_ROUTE, IP_NO_ROUTE, rterr),
    IP4_FAULT(PROTO, IP_PROTO, proterr),
#undef IP4_FAULT
};

static void ip4_drop_counted(struct pbuf *p, enum ip4_fault fault)
{
    u16_t *counter = (u16_t *)((u8_t *)&lwip_stats.ip + ip4_fault_drop[fault].counter);
    ++*counter;
    ng_drop_pbuf(ip4_fault_drop[fault].reason, p, &lwip_stats.ip);
}

/* ---- loopback --------------------------------------------------------------
 * The loopback hooks exist only when the interface code has them; kept out
 * here so that the functions below read the same in every configuration. */
#if ENABLE_LOOPBACK
static err_t ip4_loop(struct netif *netif, struct pbuf *p)
{
    return netif_loop_output(netif, p);
}
#else
static err_t ip4_loop(struct netif *netif, struct pbuf *p)
{
    return netif->output(netif, p, netif_ip4_addr(netif));  /* no loopback: out it goes */
}
#endif

#if LWIP_HAVE_LOOPIF
static struct netif *ip4_loopif(void)
{
    return netif_is_up(&netif_loopif) ? &netif_loopif : NULL;
}
#else
static struct netif *ip4_loopif(void)
{
    return NULL;
}
#endif

static int netif_is_loopback(const struct netif *netif)
{
    return ip4_addr_isloopback(netif_ip4_addr(netif));
}

static int netif_usable(const struct netif *netif)
{
    return netif_is_up(netif) && netif_is_link_up(netif) &&
           !ip4_addr_isany_val(*netif_ip4_addr(netif));
}

/* ---- routing ---------------------------------------------------------------- */

/* RFC 1122 3.3.1: a destination on a connected subnet is reached
 * directly through that interface, anything else through the default
 * gateway (here: through netif_default, whose output sends to its gw). */
struct netif *ip4_route(const ip4_addr_t *dest)
{
    struct netif *netif;

    /* RFC 1122 3.2.1.3 (g): 127/8 never leaves the host. */
    if (ip4_addr_isloopback(dest))
        return ip4_loopif();

    NETIF_FOREACH(netif) {
        if (!netif_usable(netif) || netif_is_loopback(netif))
            continue;
        if (ip4_addr_net_eq(dest, netif_ip4_addr(netif), netif_ip4_netmask(netif)))
            return netif;
        /* a point-to-point link (no broadcast) reaches its peer, the gw */
        if (!(netif->flags & NETIF_FLAG_BROADCAST) && ip4_addr_eq(dest, netif_ip4_gw(netif)))
            return netif;
    }
    if (netif_default && netif_usable(netif_default))
        return netif_default;
    return NULL;
}

/* NOTE: lwIP leaves source-based routing to a hook; netglass routes by
 * the destination only. */
struct netif *ip4_route_src(const ip4_addr_t *src, const ip4_addr_t *dest)
{
    LWIP_UNUSED_ARG(src);
    return ip4_route(dest);
}

/* ---- sending ------------------------------------------------------------------ */

/* Put the 20-byte header in front of p (RFC 791 3.1). No options: the
 * stack never sends any. */
static int ip4_add_header(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                          u8_t ttl, u8_t tos, u8_t proto, u16_t flags)
{
    if (pbuf_add_header(p, IP_HLEN))
        return 0;
    struct ip_hdr *iphdr = p->payload;
    IPH_VHL_SET(iphdr, 4, IP_HLEN / 4);
    IPH_TOS_SET(iphdr, tos);
    IPH_LEN_SET(iphdr, lwip_htons(p->tot_len));
    IPH_ID_SET(iphdr, lwip_htons(ip_id));
    ip_id++;
    IPH_OFFSET_SET(iphdr, lwip_htons((u16_t)(flags & IP_DF)));
    IPH_TTL_SET(iphdr, ttl);
    IPH_PROTO_SET(iphdr, proto);
    iphdr->src.addr = src ? src->addr : IPADDR_ANY;
    iphdr->dest.addr = dest->addr;
    IPH_CHKSUM_SET(iphdr, 0);
    IPH_CHKSUM_SET(iphdr, inet_chksum(iphdr, IP_HLEN));
    return 1;
}

/* What every output function comes down to. */
static err_t ip4_send(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                      u8_t ttl, u8_t tos, u8_t proto, struct netif *netif, u16_t flags)
{
    ip4_addr_t to;

    if (dest != LWIP_IP_HDRINCL) {
        if (!ip4_add_header(p, src, dest, ttl, tos, proto, flags)) {
            IP_STATS_INC(err);   /* no room in front of the payload */
            ng_drop(NG_drop_IP_NO_ROOM, p);     /* counted; the caller still owns p */
            return ERR_BUF;
        }
        ip4_addr_copy(to, *dest);
    } else {
        if (p->len < IP_HLEN)
            return ERR_VAL;
        const struct ip_hdr *iphdr = p->payload;
        to.addr = iphdr->dest.addr;
        flags = lwip_ntohs(IPH_OFFSET(iphdr));
    }
    IP_STATS_INC(xmit);

    /* To our own address: back into our own input, never on the wire. */
    if (ip4_addr_eq(&to, netif_ip4_addr(netif)))
        return ip4_loop(netif, p);

    if (netif->mtu && p->tot_len > netif->mtu) {
        if ((flags & IP_DF) || !IP_FRAG) {
            IP_STATS_INC(err);
            ng_drop(NG_drop_IP_FRAG_DF, p);     /* counted; the caller still owns p */
            return ERR_VAL;
        }
        err_t err = ip4_frag(p, netif, &to);
        if (err != ERR_OK)
            ng_drop(NG_drop_IP_FRAG_FAIL, p);
        return err;
    }
    return netif->output(netif, p, &to);
}

err_t ip4_output_if_flags(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                          u8_t ttl, u8_t tos, u8_t proto, struct netif *netif, u16_t flags)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ip4_output_if, p);
    err_t err = ip4_send(p, src, dest, ttl, tos, proto, netif, flags);
    NG_TRACE0(LAYER_EXIT, NG_layer_ip4_output_if);
    return err;
}

err_t ip4_output_if_src(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                        u8_t ttl, u8_t tos, u8_t proto, struct netif *netif)
{
    return ip4_output_if_flags(p, src, dest, ttl, tos, proto, netif, 0);
}

/* ip4_output_if_src with the interface's address for a missing source; the
 * same arguments, so the call is only a jump. */
err_t ip4_output_if(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                    u8_t ttl, u8_t tos, u8_t proto, struct netif *netif)
{
    if (ip4_addr_isany(src))
        src = netif_ip4_addr(netif);
    return ip4_output_if_src(p, src, dest, ttl, tos, proto, netif);
}

err_t ip4_output(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                 u8_t ttl, u8_t tos, u8_t proto)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ip4_output, p);
    LWIP_IP_CHECK_PBUF_REF_COUNT_FOR_TX(p);
    err_t err;
    struct netif *netif = ip4_route_src(src, dest);
    if (netif == NULL) {
        IP_STATS_INC(rterr);
        ng_drop(NG_drop_IP_NO_ROUTE, p);        /* counted; the caller still owns p */
        err = ERR_RTE;
    } else {
        err = ip4_output_if(p, src, dest, ttl, tos, proto, netif);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_ip4_output);
    return err;
}

/* ---- forwarding ------------------------------------------------------------
 * Only when ip4_forwarding is on (IP_FORWARD); a host drops what is not
 * its own (RFC 1122 3.3.4.2 does not want hosts to forward by accident). */

/* RFC 1812 5.3.7 and RFC 1122 3.2.1.3: what must never be forwarded.
 * Directed broadcasts to any of our subnets are not either (RFC 2644:
 * off by default, they were a favourite amplifier of attacks). */
static int ip4_canforward(const ip4_addr_t *dest, const struct pbuf *p)
{
    struct netif *netif;

    if (p->flags & (PBUF_FLAG_LLBCAST | PBUF_FLAG_LLMCAST))
        return 0;
    /* 224/3: multicast (224/4) and class E (240/4, reserved) */
    if ((dest->addr & PP_HTONL(0xe0000000UL)) == PP_HTONL(0xe0000000UL) ||
        ip4_addr_isloopback(dest) || ip4_addr_islinklocal(dest))
        return 0;
    NETIF_FOREACH(netif) {
        if (ip4_addr_isbroadcast(dest, netif))
            return 0;
    }
    return 1;
}

/* p is not ours, and ip4_canforward said it may travel on. */
static void forward_packet(struct pbuf *p, struct netif *inp)
{
    struct ip_hdr *iphdr = p->payload;
    ip4_addr_t dest;
    dest.addr = iphdr->dest.addr;

    /* RFC 1812 5.3.1: a packet that arrives with TTL 1 (or 0) dies here. */
    if (IPH_TTL(iphdr) <= 1) {
        icmp_time_exceed(p, ICMP_TE_TTL);
        IP4_DROP(IP_TTL, p);
        return;
    }
    struct netif *out = ip4_route(&dest);
    if (out == NULL)
        icmp_dest_unreach(p, ICMP_DUR_NET);     /* RFC 1812 5.2.7.1 */
    /* NOTE: RFC 1812 allows sending a packet back out of the interface it
     * came in on (with a redirect); like lwIP, netglass refuses, so that
     * two misconfigured neighbours cannot bounce a packet until its TTL
     * runs out. */
    if (out == NULL || out == inp) {
        ip4_drop_counted(p, IP4_FAULT_NO_ROUTE);
        return;
    }
    /* RFC 1191 / RFC 1812 5.2.7.1: too big for the next link and DF set. */
    if (out->mtu && p->tot_len > out->mtu &&
        ((IPH_OFFSET(iphdr) & PP_HTONS(IP_DF)) || !IP_FRAG)) {
        icmp_dest_unreach(p, ICMP_DUR_FRAG);
        IP4_DROP(IP_FRAG_DF, p);
        return;
    }
    u16_t old = (u16_t)(IPH_TTL(iphdr) << 8 | IPH_PROTO(iphdr));
    IPH_TTL_SET(iphdr, IPH_TTL(iphdr) - 1);
    u16_t new = (u16_t)(IPH_TTL(iphdr) << 8 | IPH_PROTO(iphdr));
    IPH_CHKSUM_SET(iphdr, inet_chksum_adjust(IPH_CHKSUM(iphdr), old, new));

    IP_STATS_INC(fw);
    IP_STATS_INC(xmit);
    /* The lower layers count their own refusals (ARP, the driver); a
     * failed fragmentation is counted here. */
    if (out->mtu && p->tot_len > out->mtu) {
        if (ip4_frag(p, out, &dest) != ERR_OK)
            ng_drop(NG_drop_IP_FRAG_FAIL, p);
    } else {
        out->output(out, p, &dest);
    }
    pbuf_free(p);
}

static void ip4_forward(struct pbuf *p, struct netif *inp)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ip4_forward, p);
    forward_packet(p, inp);
    NG_TRACE0(LAYER_EXIT, NG_layer_ip4_forward);
}

/* ---- receiving ---------------------------------------------------------------- */

/* RFC 791 3.1 "Options": each option is one byte (End of Option List,
 * No Operation) or type, length (>= 2, counting both) and data, and none
 * may run past the header. The options themselves are ignored, as RFC
 * 1122 3.2.1.8 allows for those a host does not implement.
 * NOTE: RFC 1122 3.2.2.5 would answer a malformed option with a
 * parameter problem message; netglass only drops the packet. */
static int ip4_options_ok(const u8_t *opt, int len)
{
    while (len > 0) {
        if (opt[0] == 0)        /* end of the list: the rest is padding */
            return 1;
        if (opt[0] == 1) {      /* no operation */
            opt++;
            len--;
            continue;
        }
        if (len < 2 || opt[1] < 2 || opt[1] > len)
            return 0;
        len -= opt[1];
        opt += opt[1];
    }
    return 1;
}

/* 224.0.0.1, all hosts (RFC 1112 4): the one multicast group every host
 * is in. Without IGMP netglass joins no other. */
static int ip4_is_all_hosts(const ip4_addr_t *addr)
{
    return addr->addr == PP_HTONL(LWIP_MAKEU32(224, 0, 0, 1));
}

/* Which of our interfaces takes a packet for dest that arrived on inp
 * (which is up), or NULL if none does (RFC 1122 3.2.1.3, 3.3.4.2, 3.3.6). */
static struct netif *ip4_accept(const ip4_addr_t *dest, struct netif *inp)
{
    struct netif *netif;

    if (ip4_addr_ismulticast(dest))
        return ip4_is_all_hosts(dest) ? inp : NULL;
    if (!ip4_addr_isany_val(*netif_ip4_addr(inp))) {
        /* ours on this interface: its address, 255.255.255.255, its
         * subnet's broadcast, and 0.0.0.0 of the old 0-forms of RFC 1122 3.3.6
         * ({net,0} forms are not accepted: see net/ip4_addr.c) */
        if (ip4_addr_eq(dest, netif_ip4_addr(inp)) || ip4_addr_isbroadcast(dest, inp))
            return inp;
    }
    /* RFC 1122 3.2.1.3 (g): 127/8 from outside is not for anyone; and
     * 0.0.0.0 is nobody's address (an interface without one has it). */
    if (ip4_addr_isloopback(dest) || ip4_addr_isany_val(*dest))
        return NULL;
    /* the weak host model: any of our addresses, whichever interface (inp
     * itself again too: its address did not match above, so it cannot now) */
    NETIF_FOREACH(netif) {
        if (netif_is_up(netif) && ip4_addr_eq(dest, netif_ip4_addr(netif)))
            return netif;
    }
    return NULL;
}

/* While an interface has no address yet, the DHCP client's replies (UDP
 * to port 68) come to an address that is not ours yet, or to
 * 255.255.255.255 (RFC 2131 4.1, RFC 1542 3.1.1); like lwIP, UDP to port
 * 68 is taken on the interface it arrived on (net/dhcp.c checks the rest). */
static struct netif *ip4_accept_link_addressed(const struct pbuf *p, u16_t hlen,
                                               struct netif *inp)
{
    if (!LWIP_DHCP)
        return NULL;
    const struct ip_hdr *iphdr = p->payload;
    if (IPH_PROTO(iphdr) != IP_PROTO_UDP || (IPH_OFFSET(iphdr) & PP_HTONS(IP_OFFMASK)) ||
        p->tot_len < hlen + 4u)
        return NULL;        /* not UDP, or a later fragment (no ports in it) */
    u16_t dest_port;        /* network order, as it is on the wire */
    pbuf_copy_partial(p, &dest_port, 2, (u16_t)(hlen + 2));    /* tot_len checked above */
    return dest_port == PP_HTONS(68) ? inp : NULL;             /* DHCP_CLIENT_PORT */
}

/* RFC 1122 3.2.1.3: a source must be one host. 0.0.0.0 is allowed: it is
 * "this host" while it is learning its address (a DHCP request), and a
 * DHCP server must accept it. */
static int ip4_source_ok(const ip4_addr_t *src, struct netif *inp)
{
    if (ip4_addr_isany_val(*src))
        return 1;
    if (ip4_addr_ismulticast(src) || ip4_addr_isbroadcast(src, inp))
        return 0;
    if (ip4_addr_isloopback(src) && !netif_is_loopback(inp))
        return 0;   /* (g): 127/8 cannot come from outside */
    return 1;
}

/* No protocol above takes proto: RFC 1122 3.2.2.1 says answer with
 * protocol unreachable (icmp_dest_unreach sends nothing about broadcasts
 * and multicasts, and p gets its IP header back for the quote). */
static void ip4_unknown_protocol(struct pbuf *p, u16_t hlen)
{
    pbuf_add_header_force(p, hlen);
    icmp_dest_unreach(p, ICMP_DUR_PROTO);
    ip4_drop_counted(p, IP4_FAULT_PROTO);
}

/* Hand the datagram to the protocol above. As in lwIP, raw PCBs see it
 * first, IP header and all (raw_input); when one eats it, that is the
 * end of it here. Otherwise the protocol's own input gets it with the
 * header hidden. A protocol the stack has no handler for but a raw PCB
 * saw is not unreachable: the PCB took care of it.
 * NOTE: lwIP calls raw_input for every datagram; netglass only while a
 * raw PCB exists, so traces show raw_input only when it can matter. */
static void ip4_deliver(struct pbuf *p, u16_t hlen, u8_t proto, struct netif *inp)
{
    raw_input_state_t raw = RAW_INPUT_NONE;
    if (LWIP_RAW && raw_pcbs != NULL)
        raw = raw_input(p, inp);
    if (raw == RAW_INPUT_EATEN)
        return;

    pbuf_remove_header(p, hlen);
    if (proto == IP_PROTO_ICMP && LWIP_ICMP)
        icmp_input(p, inp);
    else if (proto == IP_PROTO_UDP && LWIP_UDP)
        udp_input(p, inp);
    else if (proto == IP_PROTO_TCP && LWIP_TCP)
        tcp_input(p, inp);
    else if (raw == RAW_INPUT_DELIVERED)
        pbuf_free(p);
    else
        ip4_unknown_protocol(p, hlen);
}

/* RFC 791 3.1, RFC 1122 3.2.1.1 - 3.2.1.2: the header, field by field;
 * the first fault found is the answer. */
static enum ip4_fault ip4_check_header(struct pbuf *p)
{
    if (p->tot_len < IP_HLEN)
        return IP4_FAULT_SHORT;
    u8_t v_hl = pbuf_get_at(p, 0);
    if (v_hl >> 4 != 4)
        return IP4_FAULT_VERSION;
    u16_t hlen = (u16_t)((v_hl & 0x0f) * 4);
    if (hlen < IP_HLEN || hlen > p->len)
        return IP4_FAULT_HLEN;
    struct ip_hdr *iphdr = p->payload;
    u16_t len = lwip_ntohs(IPH_LEN(iphdr));
    if (len < hlen || len > p->tot_len)
        return IP4_FAULT_LEN;
    /* More arrived than the datagram holds: Ethernet pads frames to 60
     * bytes. The padding is not part of the datagram; cut it off. */
    if (len < p->tot_len)
        pbuf_realloc(p, len);
    if (inet_chksum(iphdr, hlen) != 0)
        return IP4_FAULT_CHKSUM;
    if (!ip4_options_ok((const u8_t *)iphdr + IP_HLEN, hlen - IP_HLEN))
        return IP4_FAULT_OPTIONS;
    return IP4_FAULT_NONE;
}

static void ip4_receive(struct pbuf *p, struct netif *inp)
{
    IP_STATS_INC(recv);

    enum ip4_fault fault = ip4_check_header(p);
    if (fault != IP4_FAULT_NONE) {
        ip4_drop_counted(p, fault);
        return;
    }
    struct ip_hdr *iphdr = p->payload;
    u16_t hlen = IPH_HL_BYTES(iphdr);

    /* RFC 1122 3.2.1.3: whose is it? */
    ip4_addr_t src, dest;
    src.addr = iphdr->src.addr;
    dest.addr = iphdr->dest.addr;
    struct netif *netif = NULL;
    if (netif_is_up(inp)) {         /* an interface that is down takes nothing */
        netif = ip4_accept(&dest, inp);
        if (netif == NULL)
            netif = ip4_accept_link_addressed(p, hlen, inp);
    }
    int forward = 0;
    if (netif == NULL) {
        forward = ip4_forwarding && ip4_canforward(&dest, p);
        if (!forward) {
            IP4_DROP(IP_NOT_FOR_US, p);
            return;
        }
    }
    if (!ip4_source_ok(&src, inp)) {
        IP4_DROP(IP_SRC, p);
        return;
    }
    if (forward) {
        ip4_forward(p, inp);
        return;
    }

    /* RFC 791 3.2: a fragment waits for the rest of its datagram. */
    if (IPH_OFFSET(iphdr) & PP_HTONS(IP_OFFMASK | IP_MF)) {
        if (!IP_REASSEMBLY) {
            IP4_DROP(REASS_FULL, p);    /* no reassembly slots at all */
            return;
        }
        p = ip4_reass(p);
        if (p == NULL)
            return;                     /* kept for later, or dropped there */
        iphdr = p->payload;
        hlen = IPH_HL_BYTES(iphdr);
    }

    /* The "current packet" for the protocol above (lwIP's ip_data). */
    u8_t proto = IPH_PROTO(iphdr);
    ip_data.current_netif = netif;
    ip_data.current_input_netif = inp;
    ip_data.current_ip4_header = iphdr;
    ip_data.current_ip_header_tot_len = hlen;
    ip4_addr_copy(ip_data.current_iphdr_src, src);
    ip4_addr_copy(ip_data.current_iphdr_dest, dest);

    ip4_deliver(p, hlen, proto, inp);

    memset(&ip_data, 0, sizeof ip_data);
}

err_t ip4_input(struct pbuf *p, struct netif *inp)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_ip4_input, p);
    ip4_receive(p, inp);
    NG_TRACE0(LAYER_EXIT, NG_layer_ip4_input);
    return ERR_OK;
}
