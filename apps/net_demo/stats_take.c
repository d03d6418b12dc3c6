/*
 * apps/net_demo/stats_take.c - fills a snapshot of the stack (stats_snap.h)
 * where the stack's state may be read: in tcpip_thread, through
 * tcpip_api_call (with LWIP_TCPIP_CORE_LOCKING = 1 that call takes the core
 * lock and runs the function in the caller's thread instead).
 *
 * The PCB lists, the pools and lwip_stats belong to tcpip_thread, so they
 * are read freely here. The netconns are found by walking the NETCONN
 * pool's in-use bits. A netconn is half the application's: one just taken
 * from the pool by netconn_alloc (in an application thread that
 * tcpip_thread may have preempted) can still hold garbage. So of a netconn
 * only plain numbers are read (type, socket, its mailboxes' counts, which
 * live inside the struct); no pointer of it is followed. A PCB is tied to
 * its netconn the other way round: a TCP or UDP PCB whose callback_arg
 * (recv_arg) is the address of a netconn in use belongs to that netconn.
 */
#include <string.h>

#include "net_demo.h"
#include "stats_take.h"
#include "lwip/api.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"

/* The distance between two elements of a pool (as net/memp.c lays them out:
 * each element, aligned, then its overflow guard). */
#define POOL_STRIDE(d) ((size_t)(d)->size + (MEMP_OVERFLOW_CHECK ? MEM_ALIGNMENT : 0))

static u32_t snapshots;

/* The netconn at element i of the NETCONN pool, or NULL if not in use. */
static const struct netconn *netconn_slot(int i)
{
    const struct memp_desc *d = memp_pools[MEMP_NETCONN];
    if (!((d->in_use[i / 8] >> (i % 8)) & 1))
        return NULL;
    return (const struct netconn *)(const void *)(d->base + (size_t)i * POOL_STRIDE(d));
}

/* Is p the address of a netconn in use? Then its socket (or -1) in *sock. */
static int is_netconn(const void *p, s8_t *sock)
{
    const struct memp_desc *d = memp_pools[MEMP_NETCONN];
    for (int i = 0; i < d->num; i++) {
        const struct netconn *c = netconn_slot(i);
        if (c != NULL && (const void *)c == p) {
            *sock = (s8_t)(c->socket >= 0 && c->socket < 127 ? c->socket : -1);
            return 1;
        }
    }
    *sock = -1;
    return 0;
}

static void add_tcp(struct net_snapshot *s, const struct tcp_pcb *pcb, int listening)
{
    s->tcp_total++;
    if (s->tcp_count >= SNAP_TCP_MAX)
        return;
    struct snap_tcp *t = &s->tcp[s->tcp_count++];
    memset(t, 0, sizeof *t);
    t->local_ip = ip4_addr_get_u32(&pcb->local_ip);
    t->local_port = pcb->local_port;
    t->state = (u8_t)pcb->state;
    t->has_netconn = (u8_t)is_netconn(pcb->callback_arg, &t->socket);
    if (listening)
        return;             /* a struct tcp_pcb_listen ends here */
    t->remote_ip = ip4_addr_get_u32(&pcb->remote_ip);
    t->remote_port = pcb->remote_port;
    t->snd_queuelen = pcb->snd_queuelen;
    t->snd_buf = pcb->snd_buf;
    t->rcv_wnd = pcb->rcv_wnd;
    t->snd_wnd = pcb->snd_wnd;
}

static void take_tcp(struct net_snapshot *s)
{
    for (const struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
        add_tcp(s, (const struct tcp_pcb *)(const void *)l, 1);
    for (const struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
        add_tcp(s, p, 0);
    for (const struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
        add_tcp(s, p, 0);
    for (const struct tcp_pcb *p = tcp_bound_pcbs; p; p = p->next)
        add_tcp(s, p, 0);
}

static void take_udp(struct net_snapshot *s)
{
    for (const struct udp_pcb *p = udp_pcbs; p; p = p->next) {
        s->udp_total++;
        if (s->udp_count >= SNAP_UDP_MAX)
            continue;
        struct snap_udp *u = &s->udp[s->udp_count++];
        s8_t sock;
        u->local_ip = ip4_addr_get_u32(&p->local_ip);
        u->local_port = p->local_port;
        u->remote_port = p->remote_port;
        u->has_netconn = (u8_t)is_netconn(p->recv_arg, &sock);
    }
}

static void take_netconns(struct net_snapshot *s)
{
    const struct memp_desc *d = memp_pools[MEMP_NETCONN];
    for (int i = 0; i < d->num; i++) {
        const struct netconn *c = netconn_slot(i);
        if (c == NULL)
            continue;
        s->netconn_total++;
        if (s->netconn_count >= SNAP_NETCONN_MAX)
            continue;
        struct snap_netconn *n = &s->netconn[s->netconn_count++];
        memset(n, 0, sizeof *n);
        n->type = (u8_t)c->type;
        n->socket = (s8_t)(c->socket >= 0 && c->socket < 127 ? c->socket : -1);
        if (c->recvmbox.valid) {
            n->recv_count = c->recvmbox.mbox.count;
            n->recv_size = c->recvmbox.mbox.size;
            n->recv_high = c->recvmbox.mbox.high_water;
        }
        if (c->acceptmbox.valid) {
            n->accept_count = c->acceptmbox.mbox.count;
            n->accept_size = c->acceptmbox.mbox.size;
        }
    }
}

static void take_memory(struct net_snapshot *s)
{
    for (int t = 0; t < MEMP_MAX && s->pool_count < SNAP_POOL_MAX; t++) {
        const struct memp_desc *d = memp_pools[t];
        struct snap_pool *p = &s->pool[s->pool_count++];
        p->name = d->desc;
        p->used = (u16_t)d->stats->used;
        p->max = (u16_t)d->stats->max;
        p->avail = d->num;
        p->err = d->stats->err;
    }
    s->heap_used = lwip_stats.mem.used;
    s->heap_max = lwip_stats.mem.max;
    s->heap_avail = lwip_stats.mem.avail;
    s->heap_err = lwip_stats.mem.err;
}

static void add_proto(struct net_snapshot *s, const char *name, const struct stats_proto *p)
{
    struct snap_proto *q = &s->proto[s->proto_count++];
    q->name = name;
    q->xmit = p->xmit;
    q->recv = p->recv;
    q->drop = p->drop;
    q->chkerr = p->chkerr;
    q->memerr = p->memerr;
    q->proterr = p->proterr;
}

static void take_netif(struct net_snapshot *s, const struct netif *n)
{
    s->ifname[0] = n->name[0];
    s->ifname[1] = n->name[1];
    s->ifname[2] = (char)('0' + n->num % 10);
    s->ifname[3] = '\0';
    memcpy(s->hwaddr, n->hwaddr, sizeof s->hwaddr);
    s->ip = ip4_addr_get_u32(&n->ip_addr);
    s->mask = ip4_addr_get_u32(&n->netmask);
    s->gw = ip4_addr_get_u32(&n->gw);
    s->dhcp_bound = dhcp_supplied_address(n);
    const ip_addr_t *dns = dns_getserver(0);
    s->dns = dns ? ip4_addr_get_u32(dns) : 0;
    s->rx_frames = n->rx_frames;
    s->rx_bytes = n->rx_bytes;
    s->rx_drops = n->rx_drops;
    s->tx_frames = n->tx_frames;
    s->tx_bytes = n->tx_bytes;
    s->tx_drops = n->tx_drops;
}

struct take_call {
    struct tcpip_api_call_data call;    /* first: tcpip_api_call hands this back */
    struct net_snapshot *snap;
};

/* In tcpip_thread (or under the core lock). */
static err_t stats_take_fn(struct tcpip_api_call_data *call)
{
    struct net_snapshot *s = ((struct take_call *)(void *)call)->snap;
    memset(s, 0, sizeof *s);
    s->now_ms = sys_now();
    s->seq = ++snapshots;
    take_netif(s, &net_demo_netif);
    take_tcp(s);
    take_udp(s);
    take_netconns(s);
    s->tcpip_count = tcpip_mbox.mbox.count;
    s->tcpip_size = tcpip_mbox.mbox.size;
    s->tcpip_high = tcpip_mbox.mbox.high_water;
    s->tcpip_posts = tcpip_mbox.mbox.posts;
    s->tcpip_fulls = tcpip_mbox.mbox.fulls;
    take_memory(s);
    add_proto(s, "link", &lwip_stats.link);
    add_proto(s, "etharp", &lwip_stats.etharp);
    add_proto(s, "ip_frag", &lwip_stats.ip_frag);
    add_proto(s, "ip", &lwip_stats.ip);
    add_proto(s, "icmp", &lwip_stats.icmp);
    add_proto(s, "udp", &lwip_stats.udp);
    add_proto(s, "tcp", &lwip_stats.tcp);
    s->drops_total = ng_drops_total();
    s->app = net_demo_stats;
    return ERR_OK;
}

err_t stats_take(struct net_snapshot *snap)
{
    struct take_call c;
    memset(&c, 0, sizeof c);
    c.snap = snap;
    return tcpip_api_call(stats_take_fn, &c.call);
}
