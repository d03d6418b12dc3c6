/*
 * net/etharp.c - ARP for IPv4 over Ethernet (RFC 826), with the cache
 * timing of RFC 1122 2.3.2.
 *
 * The cache is a small table of ARP_TABLE_SIZE entries, searched linearly.
 * An entry is
 *   PENDING   a request went out and no reply came yet; up to ARP_QUEUE_LEN
 *             packets for that address wait in it (RFC 1122 2.3.2.2: "SHOULD
 *             save (rather than discard) at least one ... packet"); the
 *             request is repeated every second (etharp_tmr) and after
 *             ARP_MAXPENDING seconds the entry and its packets are dropped
 *             (RFC 1122 2.3.2.1 asks to limit the rate of requests: one a
 *             second per address);
 *   STABLE    the address is known; it expires ARP_MAXAGE seconds after it
 *             was learnt (RFC 1122 2.3.2.1 "timeout mechanism"), but a
 *             little before that, if the entry is still in use, a request
 *             asks again so that traffic does not stall (lwIP's idea);
 *   STATIC    set with etharp_add_static_entry: never ages, never replaced,
 *             never overwritten by what the wire says.
 * When the table is full, a new address takes the oldest stable entry;
 * pending and static entries are never taken.
 *
 * Ownership: output functions (etharp_output, etharp_query) never free the
 * packet they are given, as everywhere in lwIP: the caller frees it after
 * the call. A packet that has to wait is referenced (pbuf_ref) or copied.
 * When one is given up, the drop is recorded where it is given up.
 *
 * Trace arguments: functions that handle a packet record the pbuf; the
 * others (update_arp_entry, etharp_request, etharp_tmr) the netif.
 */
#include <string.h>

#include "lwip/opt.h"
#include "lwip/etharp.h"
#include "lwip/memp.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"
#include "trace.h"

/* Packets a pending entry holds: without ARP_QUEUEING, only the latest. */
#define QUEUE_LIMIT (ARP_QUEUEING ? ARP_QUEUE_LEN : 1)
#if ARP_QUEUEING && ARP_QUEUE_LEN < 1
#error "ARP_QUEUE_LEN must be at least 1"
#endif

/* What update_arp_entry may do. */
#define ARP_FLAG_CREATE 0x01U    /* make an entry if there is none */
#define ARP_FLAG_STATIC 0x02U    /* and make it static */

struct etharp_entry {
    struct etharp_q_entry *q;   /* packets waiting for the reply, oldest first */
    ip4_addr_t ipaddr;
    struct netif *netif;
    struct eth_addr ethaddr;
    u16_t ctime;                /* etharp_tmr runs (seconds) since it was made or learnt */
    u8_t state;                 /* enum etharp_state */
};

/* Not static, so that the debugger's ARP command can find it by name. */
struct etharp_entry arp_table[ARP_TABLE_SIZE];

static int is_stable(const struct etharp_entry *e)
{
    return e->state >= ETHARP_STATE_STABLE;     /* STABLE, REREQUESTING or STATIC */
}

/* Empty entry i; its waiting packets are dropped for `reason`. */
static void free_entry(int i, unsigned reason)
{
    struct etharp_entry *e = &arp_table[i];
    while (e->q) {
        struct etharp_q_entry *qe = e->q;
        e->q = qe->next;
        ng_drop_pbuf(reason, qe->p, &lwip_stats.etharp);
        memp_free(MEMP_ARP_QUEUE, qe);
    }
    memset(e, 0, sizeof *e);
}

/*
 * The entry for ipaddr (on netif, or any netif if NULL), or -1. With
 * `create`, a missing entry is made from an empty one or, failing that,
 * from the oldest stable one; -1 then means only pending and static
 * entries are left. A new entry comes back EMPTY with its address set.
 */
static int find_entry(const ip4_addr_t *ipaddr, int create, struct netif *netif)
{
    int empty = -1, oldest = -1;
    for (int i = 0; i < ARP_TABLE_SIZE; i++) {
        struct etharp_entry *e = &arp_table[i];
        if (e->state == ETHARP_STATE_EMPTY) {
            if (empty < 0)
                empty = i;
        } else if (ip4_addr_eq(&e->ipaddr, ipaddr) && (netif == NULL || e->netif == netif)) {
            return i;
        } else if ((e->state == ETHARP_STATE_STABLE ||
                    e->state == ETHARP_STATE_STABLE_REREQUESTING) &&
                   (oldest < 0 || e->ctime > arp_table[oldest].ctime)) {
            oldest = i;
        }
    }
    if (!create)
        return -1;
    int i = empty >= 0 ? empty : oldest;
    if (i < 0)
        return -1;
    if (i == oldest)
        free_entry(i, NG_drop_ARP_TABLE_FULL);      /* a stable entry holds no packets */
    ip4_addr_copy(arp_table[i].ipaddr, *ipaddr);
    arp_table[i].netif = netif;
    return i;
}

/* Frame p (an IPv4 packet) for the station dst and send it. */
static err_t etharp_send_ip(struct netif *netif, struct pbuf *p, const struct eth_addr *dst)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_etharp_send_ip, p);
    err_t err = ethernet_output(netif, p, (const struct eth_addr *)netif->hwaddr, dst,
                                ETHTYPE_IP);
    NG_TRACE0(LAYER_EXIT, NG_layer_etharp_send_ip);
    return err;
}

/* Build one ARP packet (RFC 826 "Packet format") and send it in a frame
 * from ethsrc to ethdst. */
static err_t etharp_raw(struct netif *netif, const struct eth_addr *ethsrc,
                        const struct eth_addr *ethdst, const struct eth_addr *hwsrc,
                        const ip4_addr_t *ipsrc, const struct eth_addr *hwdst,
                        const ip4_addr_t *ipdst, u16_t opcode)
{
    struct pbuf *p = pbuf_alloc(PBUF_LINK, SIZEOF_ETHARP_HDR, PBUF_RAM);
    if (p == NULL) {
        ETHARP_STATS_INC(memerr);
        NG_DROP(NO_MEMORY, NULL);
        return ERR_MEM;
    }
    struct etharp_hdr *hdr = p->payload;
    hdr->hwtype = PP_HTONS(LWIP_IANA_HWTYPE_ETHERNET);
    hdr->proto = PP_HTONS(ETHTYPE_IP);
    hdr->hwlen = ETH_HWADDR_LEN;
    hdr->protolen = sizeof(ip4_addr_t);
    hdr->opcode = lwip_htons(opcode);
    hdr->shwaddr = *hwsrc;
    IPADDR_WORDALIGNED_COPY_FROM_IP4_ADDR_T(&hdr->sipaddr, ipsrc);
    hdr->dhwaddr = *hwdst;
    IPADDR_WORDALIGNED_COPY_FROM_IP4_ADDR_T(&hdr->dipaddr, ipdst);

    err_t err = ethernet_output(netif, p, ethsrc, ethdst, ETHTYPE_ARP);
    ETHARP_STATS_INC(xmit);
    pbuf_free(p);
    return err;
}

/* A request for ipaddr, broadcast or (to refresh a known entry) unicast.
 * The target hardware address is zero: RFC 826 leaves it undefined and
 * RFC 5227 2.1.1 says to zero it. */
static err_t etharp_request_dst(struct netif *netif, const ip4_addr_t *ipaddr,
                                const struct eth_addr *hw_dst)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_etharp_request, netif);
    const struct eth_addr *ours = (const struct eth_addr *)netif->hwaddr;
    err_t err = etharp_raw(netif, ours, hw_dst, ours, netif_ip4_addr(netif), &ethzero,
                           ipaddr, ARP_REQUEST);
    NG_TRACE0(LAYER_EXIT, NG_layer_etharp_request);
    return err;
}

err_t etharp_request(struct netif *netif, const ip4_addr_t *ipaddr)
{
    return etharp_request_dst(netif, ipaddr, &ethbroadcast);
}

/*
 * Learn that ipaddr is at ethaddr (RFC 826, "Packet Reception": update the
 * entry if there is one, add it if we are the target) and send whatever
 * was waiting for it. Static entries keep their address.
 * NOTE: RFC 826 would overwrite any entry; a static one is the
 * administrator's word and stays.
 */
static err_t learn(struct netif *netif, const ip4_addr_t *ipaddr, const struct eth_addr *ethaddr,
                   u8_t flags)
{
    /* A sender claiming a broadcast, multicast or zero address is lying
     * or probing (RFC 5227 2.1.1); nothing to learn. */
    if (ip4_addr_isany(ipaddr) || ip4_addr_isbroadcast(ipaddr, netif) ||
        ip4_addr_ismulticast(ipaddr))
        return ERR_ARG;
    int i = find_entry(ipaddr, flags & ARP_FLAG_CREATE, netif);
    if (i < 0)
        return ERR_MEM;
    struct etharp_entry *e = &arp_table[i];
    if (flags & ARP_FLAG_STATIC)
        e->state = ETHARP_STATE_STATIC;
    else if (e->state == ETHARP_STATE_STATIC)
        return ERR_VAL;
    else
        e->state = ETHARP_STATE_STABLE;
    e->netif = netif;
    e->ethaddr = *ethaddr;
    e->ctime = 0;

    /* RFC 1122 2.3.2.2: the packets that waited go out now, in order. */
    struct etharp_q_entry *qe = e->q;
    e->q = NULL;
    while (qe) {
        struct etharp_q_entry *next = qe->next;
        etharp_send_ip(netif, qe->p, &e->ethaddr);
        pbuf_free(qe->p);
        memp_free(MEMP_ARP_QUEUE, qe);
        qe = next;
    }
    return ERR_OK;
}

/* The name the documents give this step (lwIP 1.x's function). */
static err_t update_arp_entry(struct netif *netif, const ip4_addr_t *ipaddr,
                              const struct eth_addr *ethaddr, u8_t flags)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_update_arp_entry, netif);
    err_t err = learn(netif, ipaddr, ethaddr, flags);
    NG_TRACE0(LAYER_EXIT, NG_layer_update_arp_entry);
    return err;
}

static void drop_arp(unsigned reason, struct pbuf *p)
{
    ng_drop_pbuf(reason, p, &lwip_stats.etharp);
}

/* RFC 826, "Packet Reception", step by step. */
static void arp_receive(struct pbuf *p, struct netif *netif)
{
    /* "?Do I have the hardware type in ar$hrd?" "?Do I speak the protocol
     * in ar$pro?" - and are the lengths those of Ethernet and IPv4. */
    const struct etharp_hdr *hdr = p->payload;
    if (p->len < SIZEOF_ETHARP_HDR) {
        ETHARP_STATS_INC(lenerr);
        drop_arp(NG_drop_ARP_BAD, p);
        return;
    }
    if (hdr->hwtype != PP_HTONS(LWIP_IANA_HWTYPE_ETHERNET) || hdr->hwlen != ETH_HWADDR_LEN ||
        hdr->proto != PP_HTONS(ETHTYPE_IP) || hdr->protolen != sizeof(ip4_addr_t)) {
        ETHARP_STATS_INC(proterr);
        drop_arp(NG_drop_ARP_BAD, p);
        return;
    }
    ETHARP_STATS_INC(recv);

    ip4_addr_t sip, dip;
    IPADDR_WORDALIGNED_COPY_TO_IP4_ADDR_T(&sip, &hdr->sipaddr);
    IPADDR_WORDALIGNED_COPY_TO_IP4_ADDR_T(&dip, &hdr->dipaddr);
    /* "?Am I the target protocol address?" (never, without an address) */
    int for_us = !ip4_addr_isany_val(netif->ip_addr) && ip4_addr_eq(&dip, netif_ip4_addr(netif));

    /* "If the pair <protocol type, sender protocol address> is already in
     * my translation table, update ... Merge_flag"; "If Merge_flag is false
     * [and I am the target], add the triplet". One call does both. A packet
     * whose sender claims our own address is not learnt from (that is an
     * address conflict, RFC 5227 2.4, which this stack does not defend). */
    if (!ip4_addr_eq(&sip, netif_ip4_addr(netif)))
        update_arp_entry(netif, &sip, &hdr->shwaddr, for_us ? ARP_FLAG_CREATE : 0);

    /* "?Is the opcode ares_op$REQUEST? (NOW look at the opcode!!)" */
    switch (lwip_ntohs(hdr->opcode)) {
    case ARP_REQUEST:
        if (!for_us) {
            drop_arp(NG_drop_ARP_NOT_FOR_US, p);
            return;
        }
        /* "Swap hardware and protocol fields, putting the local hardware
         * and protocol addresses in the sender fields", op REPLY, and send
         * it to the (new) target hardware address. */
        etharp_raw(netif, (const struct eth_addr *)netif->hwaddr, &hdr->shwaddr,
                   (const struct eth_addr *)netif->hwaddr, netif_ip4_addr(netif),
                   &hdr->shwaddr, &sip, ARP_REPLY);
        pbuf_free(p);
        return;
    case ARP_REPLY:
        /* Learnt from above. A reply to another host, or a neighbour
         * announcing itself, taught us at most a refresh: not for us. */
        if (for_us)
            pbuf_free(p);
        else
            drop_arp(NG_drop_ARP_NOT_FOR_US, p);
        return;
    default:
        ETHARP_STATS_INC(err);
        drop_arp(NG_drop_ARP_BAD, p);
        return;
    }
}

void etharp_input(struct pbuf *p, struct netif *netif)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_etharp_input, p);
    arp_receive(p, netif);
    NG_TRACE0(LAYER_EXIT, NG_layer_etharp_input);
}

/* A stable entry about to expire that is still used is asked for again, so
 * that its reply refreshes it before traffic has to wait (lwIP's idea; RFC
 * 1122 2.3.2.1 "unicast poll"). At most one request per etharp_tmr run. */
static void refresh_if_old(struct etharp_entry *e)
{
    if (e->state != ETHARP_STATE_STABLE)
        return;
    if (e->ctime >= ARP_AGE_REREQUEST_USED_BROADCAST) {
        etharp_request_dst(e->netif, &e->ipaddr, &ethbroadcast);
        e->state = ETHARP_STATE_STABLE_REREQUESTING;
    } else if (e->ctime >= ARP_AGE_REREQUEST_USED_UNICAST) {
        etharp_request_dst(e->netif, &e->ipaddr, &e->ethaddr);
        e->state = ETHARP_STATE_STABLE_REREQUESTING;
    }
}

/* Keep p (or a copy of it) in pending entry e until the reply comes. */
static err_t queue_packet(struct etharp_entry *e, struct pbuf *q)
{
    /* A packet whose bytes live outside its own pbufs (PBUF_REF, PBUF_ROM,
     * custom) may change or vanish once we return, and a chain may share
     * pbufs with a queue elsewhere: those are copied into one PBUF_RAM. */
    int copy = q->next != NULL;
    for (const struct pbuf *r = q; r; r = r->next)
        if (!(r->type_internal & PBUF_TYPE_FLAG_STRUCT_DATA_CONTIGUOUS))
            copy = 1;
    struct pbuf *p = q;
    if (copy) {
        p = pbuf_clone(PBUF_LINK, PBUF_RAM, q);
        if (p == NULL) {
            ETHARP_STATS_INC(memerr);
            NG_DROP(NO_MEMORY, q);
            return ERR_MEM;
        }
    } else {
        pbuf_ref(p);
    }

    /* Over the limit the oldest packet goes: the newest is the one most
     * likely still wanted (a retransmission supersedes what it repeats). */
    int n = 0;
    struct etharp_q_entry **tail = &e->q;
    for (; *tail; tail = &(*tail)->next)
        n++;
    if (n >= QUEUE_LIMIT) {
        struct etharp_q_entry *old = e->q;
        e->q = old->next;
        if (tail == &old->next)
            tail = &e->q;
        ng_drop_pbuf(NG_drop_ARP_QUEUE_FULL, old->p, &lwip_stats.etharp);
        memp_free(MEMP_ARP_QUEUE, old);
    }
    struct etharp_q_entry *qe = memp_malloc(MEMP_ARP_QUEUE);
    if (qe == NULL) {
        pbuf_free(p);
        ETHARP_STATS_INC(memerr);
        NG_DROP(NO_MEMORY, q);
        return ERR_MEM;
    }
    qe->next = NULL;
    qe->p = p;
    *tail = qe;
    return ERR_OK;
}

static err_t query(struct netif *netif, const ip4_addr_t *ipaddr, struct pbuf *q)
{
    if (ip4_addr_isany(ipaddr) || ip4_addr_isbroadcast(ipaddr, netif) ||
        ip4_addr_ismulticast(ipaddr)) {
        if (q)
            NG_DROP(IP_NO_ROUTE, q);
        return ERR_ARG;
    }
    int i = find_entry(ipaddr, 1, netif);
    if (i < 0) {
        ETHARP_STATS_INC(memerr);
        if (q)
            NG_DROP(ARP_TABLE_FULL, q);
        return ERR_MEM;
    }
    struct etharp_entry *e = &arp_table[i];
    int is_new = e->state == ETHARP_STATE_EMPTY;
    if (is_new) {
        e->state = ETHARP_STATE_PENDING;
        e->ctime = 0;
    }
    /* One request when the entry is made; the repeats come from etharp_tmr
     * (RFC 1122 2.3.2.1: at most one a second). Asked without a packet, we
     * ask the wire again. */
    err_t err = ERR_OK;
    if (is_new || q == NULL)
        err = etharp_request(netif, ipaddr);
    if (q == NULL)
        return err;
    if (is_stable(e))
        return etharp_send_ip(netif, q, &e->ethaddr);
    return queue_packet(e, q);
}

err_t etharp_query(struct netif *netif, const ip4_addr_t *ipaddr, struct pbuf *q)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_etharp_query, q);
    err_t err = query(netif, ipaddr, q);
    NG_TRACE0(LAYER_EXIT, NG_layer_etharp_query);
    return err;
}

/* RFC 1122 3.3.1.1: on our subnet the destination is the next hop,
 * elsewhere the gateway is (link-local addresses are always on the link,
 * RFC 3927 2.6.2). NULL: no gateway. */
static const ip4_addr_t *next_hop(struct netif *netif, const ip4_addr_t *ipaddr)
{
    if (ip4_addr_net_eq(ipaddr, netif_ip4_addr(netif), netif_ip4_netmask(netif)) ||
        ip4_addr_islinklocal(ipaddr))
        return ipaddr;
    if (ip4_addr_isany_val(netif->gw))
        return NULL;
    return netif_ip4_gw(netif);
}

static err_t output(struct netif *netif, struct pbuf *q, const ip4_addr_t *ipaddr)
{
    if (ip4_addr_isbroadcast(ipaddr, netif))
        return etharp_send_ip(netif, q, &ethbroadcast);
    if (ip4_addr_ismulticast(ipaddr)) {
        /* RFC 1112 6.4: 01:00:5e and the group's low 23 bits. */
        struct eth_addr mcast = ETH_ADDR(LL_IP4_MULTICAST_ADDR_0, LL_IP4_MULTICAST_ADDR_1,
                                         LL_IP4_MULTICAST_ADDR_2, ip4_addr2(ipaddr) & 0x7f,
                                         ip4_addr3(ipaddr), ip4_addr4(ipaddr));
        return etharp_send_ip(netif, q, &mcast);
    }
    const ip4_addr_t *hop = next_hop(netif, ipaddr);
    if (hop == NULL) {
        NG_DROP(IP_NO_ROUTE, q);
        return ERR_RTE;
    }
    int i = find_entry(hop, 0, netif);
    if (i >= 0 && is_stable(&arp_table[i])) {
        refresh_if_old(&arp_table[i]);
        return etharp_send_ip(netif, q, &arp_table[i].ethaddr);
    }
    return etharp_query(netif, hop, q);
}

err_t etharp_output(struct netif *netif, struct pbuf *q, const ip4_addr_t *ipaddr)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_etharp_output, q);
    err_t err = output(netif, q, ipaddr);
    NG_TRACE0(LAYER_EXIT, NG_layer_etharp_output);
    return err;
}

/* Every ETHARP_TMR_INTERVAL (1 s): age the entries (RFC 1122 2.3.2.1). */
void etharp_tmr(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_etharp_tmr, 0);
    for (int i = 0; i < ARP_TABLE_SIZE; i++) {
        struct etharp_entry *e = &arp_table[i];
        if (e->state == ETHARP_STATE_EMPTY || e->state == ETHARP_STATE_STATIC)
            continue;
        e->ctime++;
        if (e->state == ETHARP_STATE_PENDING) {
            if (e->ctime >= ARP_MAXPENDING)
                free_entry(i, NG_drop_ARP_TIMEOUT);     /* nobody answered */
            else
                etharp_request(e->netif, &e->ipaddr);   /* ask again, once a second */
        } else if (e->ctime >= ARP_MAXAGE) {
            free_entry(i, NG_drop_ARP_TIMEOUT);         /* a stable entry holds no packets */
        } else if (e->state == ETHARP_STATE_STABLE_REREQUESTING) {
            e->state = ETHARP_STATE_STABLE;             /* may ask again if still used */
        }
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_etharp_tmr);
}

void etharp_cleanup_netif(struct netif *netif)
{
    for (int i = 0; i < ARP_TABLE_SIZE; i++)
        if (arp_table[i].state != ETHARP_STATE_EMPTY && arp_table[i].netif == netif)
            free_entry(i, NG_drop_NETIF_DOWN);
}

ssize_t etharp_find_addr(struct netif *netif, const ip4_addr_t *ipaddr,
                         struct eth_addr **eth_ret, const ip4_addr_t **ip_ret)
{
    int i = find_entry(ipaddr, 0, netif);
    if (i < 0 || !is_stable(&arp_table[i]))
        return -1;
    if (eth_ret)
        *eth_ret = &arp_table[i].ethaddr;
    if (ip_ret)
        *ip_ret = &arp_table[i].ipaddr;
    return i;
}

int etharp_get_entry(size_t i, ip4_addr_t **ipaddr, struct netif **netif,
                     struct eth_addr **eth_ret)
{
    if (i >= ARP_TABLE_SIZE || !is_stable(&arp_table[i]))
        return 0;
    if (ipaddr)
        *ipaddr = &arp_table[i].ipaddr;
    if (netif)
        *netif = arp_table[i].netif;
    if (eth_ret)
        *eth_ret = &arp_table[i].ethaddr;
    return 1;
}

u8_t etharp_entry_state(size_t i)
{
    return i < ARP_TABLE_SIZE ? arp_table[i].state : (u8_t)ETHARP_STATE_EMPTY;
}

u16_t etharp_entry_queued(size_t i)
{
    u16_t n = 0;
    if (i < ARP_TABLE_SIZE)
        for (const struct etharp_q_entry *qe = arp_table[i].q; qe; qe = qe->next)
            n++;
    return n;
}

/* The interface a static entry belongs to: the ARP netif whose subnet holds
 * the address, else the default one (what ip4_route would answer for a
 * neighbour, without needing the interface to be up yet). */
static struct netif *static_entry_netif(const ip4_addr_t *ipaddr)
{
    struct netif *n;
    NETIF_FOREACH(n) {
        if ((n->flags & NETIF_FLAG_ETHARP) && !ip4_addr_isany_val(n->ip_addr) &&
            ip4_addr_net_eq(ipaddr, netif_ip4_addr(n), netif_ip4_netmask(n)))
            return n;
    }
    if (netif_default && (netif_default->flags & NETIF_FLAG_ETHARP))
        return netif_default;
    return NULL;
}

err_t etharp_add_static_entry(const ip4_addr_t *ipaddr, struct eth_addr *ethaddr)
{
    struct netif *netif = static_entry_netif(ipaddr);
    if (netif == NULL)
        return ERR_RTE;
    return update_arp_entry(netif, ipaddr, ethaddr, ARP_FLAG_CREATE | ARP_FLAG_STATIC);
}

err_t etharp_remove_static_entry(const ip4_addr_t *ipaddr)
{
    int i = find_entry(ipaddr, 0, NULL);
    if (i < 0)
        return ERR_MEM;
    if (arp_table[i].state != ETHARP_STATE_STATIC)
        return ERR_ARG;
    free_entry(i, NG_drop_NETIF_DOWN);      /* a static entry holds no packets */
    return ERR_OK;
}
