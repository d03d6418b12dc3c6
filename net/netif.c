/*
 * net/netif.c - the list of network interfaces and what happens to one
 * over its life: added (its driver's init function fills in the link
 * details), addressed, brought up and down administratively and by its
 * link, removed. Also the loopback interface (lo, 127.0.0.1) and the
 * loopback path that any interface uses for packets to itself.
 *
 * Up and down: an interface is usable when it is both administratively up
 * (netif_set_up) and its link is up (netif_set_link_up); whichever comes
 * last announces the address on an ARP interface with a gratuitous ARP
 * (RFC 5227 2.3), so that neighbours with a stale entry for it learn the
 * new one. Going down forgets the interface's ARP entries.
 *
 * Loopback: netif_loop_output keeps a copy of the packet on the interface
 * and asks tcpip_thread (tcpip_try_callback) to run netif_poll, which hands
 * the copies to IP. The packet therefore comes back through the mailbox,
 * like a received one, and never re-enters IP while IP is still sending it.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/opt.h"
#include "lwip/etharp.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/raw.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"
#include "kernel.h"
#include "trace.h"

struct netif *netif_list;
struct netif *netif_default;
struct netif netif_loopif;

static u8_t netif_num;          /* the number the next interface gets */

/* ---- the loopback interface ---------------------------------------------- */

static err_t loopif_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *ipaddr)
{
    (void)ipaddr;
    return netif_loop_output(netif, p);
}

static err_t loopif_init(struct netif *netif)
{
    netif->name[0] = 'l';
    netif->name[1] = 'o';
    netif->output = loopif_output;
    netif->linkoutput = NULL;   /* no link layer: IP packets only */
    netif->mtu = 0;             /* no limit: nothing is fragmented on the way to ourselves */
    return ERR_OK;
}

static void loop_poll_callback(void *ctx)
{
    netif_poll(ctx);
}

static void loop_queue_take(struct netif *netif, struct pbuf **first)
{
    sys_prot_t old = sys_arch_protect();
    *first = netif->loop_first;
    netif->loop_first = netif->loop_last = NULL;
    netif->loop_cnt_current = 0;
    sys_arch_unprotect(old);
}

/* Keep a copy of p to be received on netif (by IP, in tcpip_thread). The
 * caller keeps p, as with every output function. */
err_t netif_loop_output(struct netif *netif, struct pbuf *p)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_netif_loop_output, p);
    err_t err = ERR_OK;
    struct pbuf *r = NULL;
    if (netif->loop_cnt_current >= LWIP_LOOPBACK_MAX_PBUFS) {
        LINK_STATS_INC(drop);
        NG_DROP(LOOP_FULL, p);
        err = ERR_MEM;
    } else if ((r = pbuf_clone(PBUF_LINK, PBUF_RAM, p)) == NULL) {
        LINK_STATS_INC(memerr);
        NG_DROP(NO_MEMORY, p);
        err = ERR_MEM;
    }
    if (err != ERR_OK) {
        NG_TRACE0(LAYER_EXIT, NG_layer_netif_loop_output);
        return err;
    }

    sys_prot_t old = sys_arch_protect();
    int was_empty = netif->loop_first == NULL;
    if (was_empty)
        netif->loop_first = r;
    else
        netif->loop_last->next = r;
    netif->loop_last = r;
    netif->loop_cnt_current++;
    sys_arch_unprotect(old);
    LINK_STATS_INC(xmit);
    netif->tx_frames++;
    netif->tx_bytes += p->tot_len;

    /* One poll is asked for when the queue stops being empty; it takes
     * whatever has been queued by the time it runs. */
    if (was_empty && tcpip_try_callback(loop_poll_callback, netif) != ERR_OK) {
        struct pbuf *first;
        loop_queue_take(netif, &first);         /* only r: the queue was empty */
        LINK_STATS_INC(drop);
        NG_DROP(MBOX_FULL, p);
        pbuf_free(first);
        err = ERR_MEM;
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_netif_loop_output);
    return err;
}

/* Hand IP what was queued on netif when the poll began; packets queued
 * meanwhile (a reply to ourselves) wait for the poll that they asked for.
 * NOTE: IP gets them directly, not through netif->input: that is
 * tcpip_input on a driver's interface, which would take them for Ethernet
 * frames; and we already are in tcpip_thread. */
void netif_poll(struct netif *netif)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_netif_poll, netif);
    struct pbuf *p;
    loop_queue_take(netif, &p);
    while (p) {
        struct pbuf *next = p->next;
        p->next = NULL;
        p->if_idx = netif_get_index(netif);
        LINK_STATS_INC(recv);
        netif->rx_frames++;
        netif->rx_bytes += p->tot_len;
        ip4_input(p, netif);
        p = next;
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_netif_poll);
}

static void loop_queue_drop(struct netif *netif)
{
    struct pbuf *p;
    loop_queue_take(netif, &p);
    while (p) {
        struct pbuf *next = p->next;
        p->next = NULL;
        NG_DROP(NETIF_DOWN, p);
        pbuf_free(p);
        p = next;
    }
}

void netif_init(void)
{
    netif_list = NULL;
    netif_default = NULL;
    netif_num = 0;
    if (!LWIP_HAVE_LOOPIF)
        return;
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 127, 0, 0, 1);
    IP4_ADDR(&mask, 255, 0, 0, 0);
    IP4_ADDR(&gw, 127, 0, 0, 1);
    netif_add(&netif_loopif, &ip, &mask, &gw, NULL, loopif_init, netif_input);
    netif_set_link_up(&netif_loopif);
    netif_set_up(&netif_loopif);
}

/* ---- adding and removing --------------------------------------------------- */

/* Interface numbers are 0..254, so that netif_get_index, num + 1, fits in
 * a u8_t and is never 0: after 254 comes 0 again. */
static u8_t next_num(u8_t num)
{
    return num == 254 ? 0 : (u8_t)(num + 1);
}

/* The first number from netif_num on (wrapping round) that no interface
 * has. */
static u8_t free_num(void)
{
    u8_t num = netif_num;
    do {
        struct netif *n;
        NETIF_FOREACH(n) {
            if (n->num == num)
                break;
        }
        if (n == NULL)
            return num;         /* nobody has it */
        num = next_num(num);
    } while (num != netif_num);
    LWIP_ASSERT("netif_add: 255 interfaces already", 0);
    return 0;
}

struct netif *netif_add(struct netif *netif, const ip4_addr_t *ipaddr, const ip4_addr_t *netmask,
                        const ip4_addr_t *gw, void *state, netif_init_fn init,
                        netif_input_fn input)
{
    LWIP_ASSERT("netif_add: no netif", netif != NULL);
    LWIP_ASSERT("netif_add: no init function", init != NULL);
    ip4_addr_set_zero(&netif->ip_addr);
    ip4_addr_set_zero(&netif->netmask);
    ip4_addr_set_zero(&netif->gw);
    netif->flags = 0;
    netif->mtu = 0;
    netif->status_callback = NULL;
    netif->link_callback = NULL;
    netif->loop_first = netif->loop_last = NULL;
    netif->loop_cnt_current = 0;
    netif->rx_frames = netif->rx_bytes = netif->tx_frames = netif->tx_bytes = 0;
    netif->rx_drops = netif->tx_drops = 0;
    netif->trace_id = 0;
    netif->state = state;
    netif->input = input;
    netif->next = NULL;

    /* The addresses first, so that the driver's init sees them. */
    netif_set_addr(netif, ipaddr, netmask, gw);
    if (init(netif) != ERR_OK)
        return NULL;

    netif->num = free_num();
    netif_num = next_num(netif->num);
    netif->next = netif_list;
    netif_list = netif;

    /* Its name for trace records and the debugger: name + number, as
     * netif_find spells it. */
    snprintf(netif->trace_name, sizeof netif->trace_name, "%c%c%u", netif->name[0],
             netif->name[1], (unsigned)netif->num);
    netif->trace_id = ng_registry_add(NG_KIND_NETIF, netif, netif->trace_name);
    return netif;
}

struct netif *netif_add_noaddr(struct netif *netif, void *state, netif_init_fn init,
                               netif_input_fn input)
{
    return netif_add(netif, NULL, NULL, NULL, state, init, input);
}

void netif_remove(struct netif *netif)
{
    if (netif == NULL)
        return;
    netif_set_down(netif);
    if (netif->flags & NETIF_FLAG_ETHARP)
        etharp_cleanup_netif(netif);    /* static entries made while it was down */
    loop_queue_drop(netif);
    if (netif_default == netif)
        netif_set_default(NULL);
    for (struct netif **pp = &netif_list; *pp; pp = &(*pp)->next) {
        if (*pp == netif) {
            *pp = netif->next;
            break;
        }
    }
    netif->next = NULL;
    ng_registry_remove(netif->trace_id);
    netif->trace_id = 0;
}

/* "en1": the two letters of the name, then the number (none means 0). */
struct netif *netif_find(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[1] == '\0')
        return NULL;
    unsigned num = 0;
    for (const char *c = name + 2; *c; c++) {
        if (*c < '0' || *c > '9' || num > 254)
            return NULL;
        num = num * 10 + (unsigned)(*c - '0');
    }
    struct netif *n;
    NETIF_FOREACH(n) {
        if (n->num == num && n->name[0] == name[0] && n->name[1] == name[1])
            return n;
    }
    return NULL;
}

struct netif *netif_get_by_index(u8_t idx)
{
    if (idx == NETIF_NO_INDEX)
        return NULL;
    struct netif *n;
    NETIF_FOREACH(n) {
        if (netif_get_index(n) == idx)
            return n;
    }
    return NULL;
}

void netif_set_default(struct netif *netif)
{
    netif_default = netif;
}

/* ---- addresses --------------------------------------------------------------- */

/* Tell the link that we are here: a gratuitous ARP for our address. */
static void netif_issue_reports(struct netif *netif)
{
    if ((netif->flags & NETIF_FLAG_ETHARP) && !ip4_addr_isany_val(netif->ip_addr))
        etharp_gratuitous(netif);
}

static int netif_is_usable(const struct netif *netif)
{
    return netif_is_up(netif) && netif_is_link_up(netif);
}

void netif_set_ipaddr(struct netif *netif, const ip4_addr_t *ipaddr)
{
    ip4_addr_t new_addr;
    ip4_addr_set(&new_addr, ipaddr);            /* NULL means 0.0.0.0 */
    if (ip4_addr_eq(&new_addr, netif_ip4_addr(netif)))
        return;
    /* The PCBs bound to the old address: TCP connections on it cannot go
     * on and are aborted (their err callback hears ERR_ABRT), listeners
     * and UDP/raw PCBs move to the new one (as lwIP does). This happens
     * when a DHCP lease ends or brings another address. */
    ip_addr_t old_addr;
    ip_addr_copy(old_addr, *netif_ip_addr4(netif));
#if LWIP_TCP
    tcp_netif_ip_addr_changed(&old_addr, &new_addr);
#endif
#if LWIP_UDP
    udp_netif_ip_addr_changed(&old_addr, &new_addr);
#endif
#if LWIP_RAW
    raw_netif_ip_addr_changed(&old_addr, &new_addr);
#endif
    ip4_addr_copy(netif->ip_addr, new_addr);
    if (netif_is_usable(netif))
        netif_issue_reports(netif);
    if (netif->status_callback)
        netif->status_callback(netif);
}

void netif_set_netmask(struct netif *netif, const ip4_addr_t *netmask)
{
    ip4_addr_set(&netif->netmask, netmask);
}

void netif_set_gw(struct netif *netif, const ip4_addr_t *gw)
{
    ip4_addr_set(&netif->gw, gw);
}

/* Removing an address takes it away first; a new one comes last, when the
 * netmask and gateway that go with it are in place. */
void netif_set_addr(struct netif *netif, const ip4_addr_t *ipaddr, const ip4_addr_t *netmask,
                    const ip4_addr_t *gw)
{
    if (ip4_addr_isany(ipaddr)) {
        netif_set_ipaddr(netif, NULL);
        netif_set_netmask(netif, netmask);
        netif_set_gw(netif, gw);
    } else {
        netif_set_netmask(netif, netmask);
        netif_set_gw(netif, gw);
        netif_set_ipaddr(netif, ipaddr);
    }
}

/* ---- up and down ------------------------------------------------------------- */

void netif_set_up(struct netif *netif)
{
    if (netif_is_up(netif))
        return;
    netif->flags |= NETIF_FLAG_UP;
    if (netif->status_callback)
        netif->status_callback(netif);
    if (netif_is_link_up(netif))
        netif_issue_reports(netif);
}

void netif_set_down(struct netif *netif)
{
    if (!netif_is_up(netif))
        return;
    netif->flags &= (u8_t)~NETIF_FLAG_UP;
    if (netif->flags & NETIF_FLAG_ETHARP)
        etharp_cleanup_netif(netif);
    if (netif->status_callback)
        netif->status_callback(netif);
}

void netif_set_link_up(struct netif *netif)
{
    if (netif_is_link_up(netif))
        return;
    netif->flags |= NETIF_FLAG_LINK_UP;
    if (netif_is_up(netif))
        netif_issue_reports(netif);
    if (netif->link_callback)
        netif->link_callback(netif);
}

void netif_set_link_down(struct netif *netif)
{
    if (!netif_is_link_up(netif))
        return;
    netif->flags &= (u8_t)~NETIF_FLAG_LINK_UP;
    if (netif->link_callback)
        netif->link_callback(netif);
}

void netif_set_status_callback(struct netif *netif, netif_status_callback_fn cb)
{
    netif->status_callback = cb;
}

void netif_set_link_callback(struct netif *netif, netif_status_callback_fn cb)
{
    netif->link_callback = cb;
}

/* ---- input --------------------------------------------------------------------- */

/* What tcpip_thread runs for a received packet: Ethernet frames go to
 * ethernet_input, bare IP packets (an interface without a link layer) to
 * ip4_input. Takes p. */
err_t netif_input(struct pbuf *p, struct netif *inp)
{
    if (inp->flags & (NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET))
        return ethernet_input(p, inp);
    return ip4_input(p, inp);
}
