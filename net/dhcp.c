/*
 * net/dhcp.c - the DHCP client (RFC 2131; options RFC 2132) behind
 * lwIP 2.x's API (lwip/dhcp.h).
 *
 * One struct dhcp per interface (netif->dhcp) walks the states of RFC 2131
 * figure 5: INIT -> SELECTING (DISCOVER broadcast) -> REQUESTING (an OFFER
 * taken, REQUEST broadcast) -> BOUND (the ACK's address applied with
 * netif_set_addr); at T1 RENEWING (REQUEST unicast to the server), at T2
 * REBINDING (REQUEST broadcast), at the lease's end INIT again with the
 * address removed (4.4.5). A NAK sends the client to BACKING_OFF, a short
 * wait before INIT, so a confused server cannot make it loop at full speed.
 *
 * Every interface shares one UDP PCB on port 68 (SOF_BROADCAST); replies
 * come back to it before the interface has an address because net/ip4.c
 * accepts UDP to port 68 on the interface it arrived on (RFC 1542 3.1.1).
 * Requests sent before an address is bound come from 0.0.0.0 (4.1).
 *
 * Timers: dhcp_fine_tmr (retransmissions, every DHCP_FINE_TIMER_MSECS)
 * and dhcp_coarse_tmr (the lease, every DHCP_COARSE_TIMER_SECS) are on the
 * sys_timeout list only while some client holds the PCB, so an app that
 * never starts DHCP has the same timers and trace as before.
 *
 * Every reply is checked (op, htype, hlen, xid, chaddr, cookie, each
 * option's length within the packet) and what is rejected is an NG_DROP:
 * DHCP_MALFORMED (broken) or DHCP_UNMATCHED (not for this exchange).
 * Every state change is a DHCP_STATE record.
 *
 * Not done: DECLINE (no ARP probe of the offer, DHCP_DOES_ARP_CHECK 0),
 * option overload (52: the sname and file fields are not read for
 * options), the random 1..10 s wait before the first DISCOVER (4.4.1),
 * the secs field (always 0).
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/ip.h"
#include "lwip/mem.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/dhcp.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "board.h"
#include "trace.h"

#if LWIP_DHCP

#define DHCP_FINE_PER_SEC (1000 / DHCP_FINE_TIMER_MSECS)
#define DHCP_BACKOFF_FIRST_SECS 4   /* RFC 2131 4.1: 4, 8, 16, 32, then 64 s */
#define DHCP_BACKOFF_MAX_SECS 64
#define DHCP_REQUEST_TRIES 4        /* REQUESTs in REQUESTING before INIT (3.1 step 5) */
#define DHCP_REBOOT_TRIES 2         /* REQUESTs in REBOOTING before INIT */
#define DHCP_INFORM_TRIES 4
#define DHCP_NAK_WAIT_SECS 2        /* BACKING_OFF after a NAK */
#define DHCP_LEASE_WAIT_MIN_SECS 60 /* 4.4.5: retransmissions in RENEWING/REBINDING */
#define DHCP_OPTIONS_ROOM 160       /* options of one request: at most ~102 bytes */
#define DHCP_HOSTNAME_MAX 63
#define DHCP_MIN_MAX_MSG_SIZE 576   /* RFC 2132 9.10: the smallest legal value */

/* The parameters asked for in option 55: mask, router, DNS servers. */
static const u8_t dhcp_wanted[] = { DHCP_OPTION_SUBNET_MASK, DHCP_OPTION_ROUTER,
                                    DHCP_OPTION_DNS_SERVER };

static struct udp_pcb *dhcp_pcb;
static u8_t dhcp_pcb_refcount;

/* ---- small helpers ---------------------------------------------------------------- */

/* xorshift32 over the board's seed: xids and the retransmission jitter
 * only need to differ between clients and runs (RFC 2131 4.1), not to be
 * secret. */
static u32_t dhcp_rand_state;

static u32_t dhcp_rand(void)
{
    if (dhcp_rand_state == 0)
        dhcp_rand_state = ng_board_random_seed() | 1u;
    u32_t x = dhcp_rand_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    dhcp_rand_state = x;
    return x;
}

static u32_t get32(const u8_t *b)
{
    return (u32_t)b[0] << 24 | (u32_t)b[1] << 16 | (u32_t)b[2] << 8 | b[3];
}

static void put32(u8_t *b, u32_t v)
{
    b[0] = (u8_t)(v >> 24);
    b[1] = (u8_t)(v >> 16);
    b[2] = (u8_t)(v >> 8);
    b[3] = (u8_t)v;
}

static void get_addr(ip4_addr_t *a, const u8_t *b)
{
    memcpy(&a->addr, b, 4);     /* both in network order */
}

static int dhcp_has_lease(u8_t state)
{
    return state == DHCP_STATE_BOUND || state == DHCP_STATE_RENEWING ||
           state == DHCP_STATE_REBINDING;
}

static void dhcp_set_state(struct netif *netif, struct dhcp *dhcp, u8_t state)
{
    if (dhcp->state == state)
        return;
    NG_TRACE1(DHCP_STATE, state, (u32_t)dhcp->state | (u32_t)netif->trace_id << 8);
    dhcp->state = state;
    dhcp->tries = 0;
    dhcp->request_timeout = 0;
}

/* ---- the PCB and the timers -------------------------------------------------------- */

static void dhcp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                      u16_t port);

/* The timers re-arm themselves only while a client holds the PCB, so a
 * dhcp_stop inside a timer's work (a status callback) ends them too. */
static void dhcp_fine_timeout(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    dhcp_fine_tmr();
    if (dhcp_pcb_refcount)
        sys_timeout(DHCP_FINE_TIMER_MSECS, dhcp_fine_timeout, NULL);
}

static void dhcp_coarse_timeout(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    dhcp_coarse_tmr();
    if (dhcp_pcb_refcount)
        sys_timeout(DHCP_COARSE_TIMER_MSECS, dhcp_coarse_timeout, NULL);
}

static err_t dhcp_inc_pcb_refcount(void)
{
    if (dhcp_pcb_refcount == 0) {
        struct udp_pcb *pcb = udp_new();
        if (pcb == NULL)
            return ERR_MEM;
        ip_set_option(pcb, SOF_BROADCAST);
        if (udp_bind(pcb, IP4_ADDR_ANY, DHCP_CLIENT_PORT) != ERR_OK) {
            udp_remove(pcb);
            return ERR_USE;
        }
        udp_recv(pcb, dhcp_recv, NULL);
        dhcp_pcb = pcb;
        sys_timeout(DHCP_FINE_TIMER_MSECS, dhcp_fine_timeout, NULL);
        sys_timeout(DHCP_COARSE_TIMER_MSECS, dhcp_coarse_timeout, NULL);
    }
    dhcp_pcb_refcount++;
    return ERR_OK;
}

static void dhcp_dec_pcb_refcount(void)
{
    LWIP_ASSERT("dhcp: PCB reference count", dhcp_pcb_refcount > 0);
    if (--dhcp_pcb_refcount > 0)
        return;
    udp_remove(dhcp_pcb);
    dhcp_pcb = NULL;
    sys_untimeout(dhcp_fine_timeout, NULL);
    sys_untimeout(dhcp_coarse_timeout, NULL);
}

/* ---- building and sending requests -------------------------------------------------- */

struct dhcp_out {
    struct pbuf *p;
    u8_t *b;
    u16_t n;                    /* where the next option goes */
};

static void opt_byte(struct dhcp_out *o, u8_t code, u8_t v)
{
    o->b[o->n++] = code;
    o->b[o->n++] = 1;
    o->b[o->n++] = v;
}

static void opt_addr(struct dhcp_out *o, u8_t code, const ip4_addr_t *a)
{
    o->b[o->n++] = code;
    o->b[o->n++] = 4;
    memcpy(o->b + o->n, &a->addr, 4);
    o->n = (u16_t)(o->n + 4);
}

static void opt_bytes(struct dhcp_out *o, u8_t code, const void *v, u8_t len)
{
    o->b[o->n++] = code;
    o->b[o->n++] = len;
    memcpy(o->b + o->n, v, len);
    o->n = (u16_t)(o->n + len);
}

/* The fixed part (RFC 2131 figure 1, table 5), the cookie, option 53 and
 * the client identifier 61 (type 1, Ethernet, and the hardware address:
 * RFC 2132 9.14). ciaddr: ours in RENEWING, REBINDING, INFORM, RELEASE. */
static int dhcp_msg_new(struct netif *netif, struct dhcp *dhcp, u8_t type,
                        const ip4_addr_t *ciaddr, struct dhcp_out *o)
{
    o->p = pbuf_alloc(PBUF_TRANSPORT, DHCP_OPTIONS_OFS + DHCP_OPTIONS_ROOM, PBUF_RAM);
    if (o->p == NULL)
        return 0;
    o->b = o->p->payload;
    memset(o->b, 0, o->p->len);
    o->b[DHCP_OP_OFS] = DHCP_BOOTREQUEST;
    o->b[DHCP_HTYPE_OFS] = DHCP_HTYPE_ETH;
    o->b[DHCP_HLEN_OFS] = netif->hwaddr_len;
    put32(o->b + DHCP_XID_OFS, dhcp->xid);
    if (ciaddr)
        memcpy(o->b + DHCP_CIADDR_OFS, &ciaddr->addr, 4);
    memcpy(o->b + DHCP_CHADDR_OFS, netif->hwaddr, netif->hwaddr_len);
    put32(o->b + DHCP_COOKIE_OFS, DHCP_MAGIC_COOKIE);
    o->n = DHCP_OPTIONS_OFS;
    opt_byte(o, DHCP_OPTION_MESSAGE_TYPE, type);
    u8_t id[1 + NETIF_MAX_HWADDR_LEN];
    id[0] = DHCP_HTYPE_ETH;
    memcpy(id + 1, netif->hwaddr, netif->hwaddr_len);
    opt_bytes(o, DHCP_OPTION_CLIENT_ID, id, (u8_t)(1 + netif->hwaddr_len));
    return 1;
}

/* What a client that wants a configuration adds (RFC 2132 9.10, 3.14,
 * 9.8): the largest message it takes, its host name, the parameters. */
static void dhcp_opts_params(struct netif *netif, struct dhcp_out *o)
{
    u16_t max = netif->mtu < DHCP_MIN_MAX_MSG_SIZE ? DHCP_MIN_MAX_MSG_SIZE : netif->mtu;
    u8_t m[2] = { (u8_t)(max >> 8), (u8_t)max };
    opt_bytes(o, DHCP_OPTION_MAX_MSG_SIZE, m, 2);
#if LWIP_NETIF_HOSTNAME
    if (netif->hostname != NULL && netif->hostname[0] != '\0') {
        size_t len = strlen(netif->hostname);
        if (len > DHCP_HOSTNAME_MAX)
            len = DHCP_HOSTNAME_MAX;
        opt_bytes(o, DHCP_OPTION_HOSTNAME, netif->hostname, (u8_t)len);
    }
#endif
    opt_bytes(o, DHCP_OPTION_PARAMETER_REQUEST_LIST, dhcp_wanted, sizeof dhcp_wanted);
}

/* END, pad to the BOOTP minimum, send from src to dst:67 through netif,
 * free. src is 0.0.0.0 until an address is bound (RFC 2131 4.1). */
static err_t dhcp_msg_send(struct netif *netif, struct dhcp_out *o, const ip4_addr_t *src,
                           const ip4_addr_t *dst)
{
    o->b[o->n++] = DHCP_OPTION_END;
    pbuf_realloc(o->p, o->n < DHCP_MIN_REQUEST_LEN ? DHCP_MIN_REQUEST_LEN : o->n);
    err_t err = udp_sendto_if_src(dhcp_pcb, o->p, dst, DHCP_SERVER_PORT, netif, src);
    pbuf_free(o->p);
    o->p = NULL;
    return err;
}

/* RFC 2131 4.1: wait 4 s after the first try, then 8, 16, 32, 64, 64 ...,
 * each randomized by -1..+1 s (here in half-second steps). */
static void dhcp_set_backoff(struct dhcp *dhcp)
{
    u32_t secs = DHCP_BACKOFF_FIRST_SECS;
    for (u8_t i = 1; i < dhcp->tries && secs < DHCP_BACKOFF_MAX_SECS; i++)
        secs *= 2;
    if (secs > DHCP_BACKOFF_MAX_SECS)
        secs = DHCP_BACKOFF_MAX_SECS;
    s32_t jitter = (s32_t)(dhcp_rand() % (2 * DHCP_FINE_PER_SEC + 1)) - DHCP_FINE_PER_SEC;
    dhcp->request_timeout = (u16_t)((s32_t)secs * DHCP_FINE_PER_SEC + jitter);
}

/* RFC 2131 4.4.5: in RENEWING (REBINDING) wait half the time left until
 * T2 (the lease's end), at least 60 s, before sending again. `until` is
 * in coarse ticks since the lease began. */
static void dhcp_set_lease_wait(struct dhcp *dhcp, u16_t until)
{
    u32_t left = until > dhcp->lease_used
                     ? (u32_t)(until - dhcp->lease_used) * DHCP_COARSE_TIMER_SECS : 0;
    u32_t secs = left / 2;
    if (secs < DHCP_LEASE_WAIT_MIN_SECS)
        secs = DHCP_LEASE_WAIT_MIN_SECS;
    u32_t fine = secs * DHCP_FINE_PER_SEC;
    dhcp->request_timeout = (u16_t)(fine > 0xffff ? 0xffff : fine);
}

static void dhcp_discover(struct netif *netif, struct dhcp *dhcp)
{
    struct dhcp_out o;
    if (dhcp_msg_new(netif, dhcp, DHCP_DISCOVER, NULL, &o)) {
        dhcp_opts_params(netif, &o);
        dhcp_msg_send(netif, &o, IP4_ADDR_ANY, IP4_ADDR_BROADCAST);
    }
    dhcp->discovers++;
    if (dhcp->tries < 255)
        dhcp->tries++;
    dhcp_set_backoff(dhcp);
}

/* INIT, then a new exchange: a fresh xid and the first DISCOVER (3.1). */
static void dhcp_start_discovery(struct netif *netif, struct dhcp *dhcp)
{
    dhcp_set_state(netif, dhcp, DHCP_STATE_INIT);
    dhcp->xid = dhcp_rand();
    dhcp_set_state(netif, dhcp, DHCP_STATE_SELECTING);
    dhcp_discover(netif, dhcp);
}

/* The REQUEST of each state (RFC 2131 4.3.2, table 5): in REQUESTING with
 * the offer (50) and its server (54), broadcast; in REBOOTING with the old
 * address (50), broadcast; in RENEWING from and about our address
 * (ciaddr), unicast to the server; in REBINDING the same, broadcast. */
static void dhcp_request(struct netif *netif, struct dhcp *dhcp)
{
    const ip4_addr_t *ours = netif_ip4_addr(netif);
    int has_addr = dhcp->state == DHCP_STATE_RENEWING || dhcp->state == DHCP_STATE_REBINDING;
    struct dhcp_out o;
    if (dhcp_msg_new(netif, dhcp, DHCP_REQUEST, has_addr ? ours : NULL, &o)) {
        if (!has_addr)
            opt_addr(&o, DHCP_OPTION_REQUESTED_IP, &dhcp->offered_ip_addr);
        if (dhcp->state == DHCP_STATE_REQUESTING)
            opt_addr(&o, DHCP_OPTION_SERVER_ID, &dhcp->server_ip_addr);
        dhcp_opts_params(netif, &o);
        const ip4_addr_t *dst = dhcp->state == DHCP_STATE_RENEWING ? &dhcp->server_ip_addr
                                                                    : IP4_ADDR_BROADCAST;
        dhcp_msg_send(netif, &o, has_addr ? ours : IP4_ADDR_ANY, dst);
    }
    dhcp->requests++;
    if (dhcp->tries < 255)
        dhcp->tries++;
    if (dhcp->state == DHCP_STATE_RENEWING)
        dhcp_set_lease_wait(dhcp, dhcp->t2_rebind_time);
    else if (dhcp->state == DHCP_STATE_REBINDING)
        dhcp_set_lease_wait(dhcp, dhcp->t0_timeout);
    else
        dhcp_set_backoff(dhcp);
}

static void dhcp_send_inform(struct netif *netif, struct dhcp *dhcp)
{
    struct dhcp_out o;
    if (dhcp_msg_new(netif, dhcp, DHCP_INFORM, netif_ip4_addr(netif), &o)) {
        dhcp_opts_params(netif, &o);
        dhcp_msg_send(netif, &o, netif_ip4_addr(netif), IP4_ADDR_BROADCAST);
    }
    if (dhcp->tries < 255)
        dhcp->tries++;
    dhcp_set_backoff(dhcp);
}

/* Enter a state with a new transaction and send its first REQUEST. */
static void dhcp_start_request(struct netif *netif, struct dhcp *dhcp, u8_t state)
{
    dhcp_set_state(netif, dhcp, state);
    dhcp->xid = dhcp_rand();
    dhcp_request(netif, dhcp);
}

/* ---- binding ----------------------------------------------------------------------- */

/* Seconds as coarse ticks, rounded, at least 1, at most 0xffff. */
static u16_t dhcp_ticks(u32_t secs)
{
    u32_t t = secs / DHCP_COARSE_TIMER_SECS;
    if (secs % DHCP_COARSE_TIMER_SECS >= DHCP_COARSE_TIMER_SECS / 2)
        t++;
    return (u16_t)(t == 0 ? 1 : t > 0xffff ? 0xffff : t);
}

/* The class-based mask when the server sent none (RFC 2131 leaves it to
 * the client; lwIP does the same). */
static void dhcp_default_mask(const ip4_addr_t *ip, ip4_addr_t *mask)
{
    u8_t first = ip4_addr1(ip);
    if (first < 128)
        IP4_ADDR(mask, 255, 0, 0, 0);
    else if (first < 192)
        IP4_ADDR(mask, 255, 255, 0, 0);
    else
        IP4_ADDR(mask, 255, 255, 255, 0);
}

/* The ACK's lease becomes the interface's configuration (RFC 2131 4.4.1):
 * the timers of 4.4.5 in coarse ticks, then the address. The lease's end
 * is rounded down, so the address is never used past it; T1 and T2 to the
 * nearest tick. The state is BOUND before netif_set_addr, so a status
 * callback already sees dhcp_supplied_address. */
static void dhcp_bind(struct netif *netif, struct dhcp *dhcp)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_dhcp_bind, netif);
    u32_t t0 = dhcp->offered_t0_lease / DHCP_COARSE_TIMER_SECS;
    dhcp->t0_timeout = (u16_t)(t0 == 0 ? 1 : t0 > 0xffff ? 0xffff : t0);
    dhcp->t1_renew_time = dhcp_ticks(dhcp->offered_t1_renew);
    dhcp->t2_rebind_time = dhcp_ticks(dhcp->offered_t2_rebind);
    dhcp->t1_timeout = dhcp->t1_renew_time;
    dhcp->t2_timeout = dhcp->t2_rebind_time;
    dhcp->lease_used = 0;

    ip4_addr_t mask = dhcp->offered_sn_mask;
    if (!dhcp->subnet_mask_given)
        dhcp_default_mask(&dhcp->offered_ip_addr, &mask);
    dhcp_set_state(netif, dhcp, DHCP_STATE_BOUND);
    netif_set_addr(netif, &dhcp->offered_ip_addr, &mask, &dhcp->offered_gw_addr);
    NG_TRACE0(LAYER_EXIT, NG_layer_dhcp_bind);
}

/* ---- receiving --------------------------------------------------------------------- */

/* What a reply says, parsed. */
struct dhcp_reply {
    u8_t type;
    u8_t have_server, have_mask, have_router, have_lease, have_t1, have_t2;
    u8_t ndns;
    ip4_addr_t yiaddr, server, mask, router;
    ip4_addr_t dns[DNS_MAX_SERVERS];
    u32_t lease, t1, t2;
};

/* Walk the options (RFC 2132 2): PAD and END are one byte, every other
 * option a code, a length and that many bytes, all inside the packet.
 * The options used here must have their RFC 2132 lengths. No END before
 * the packet's end is accepted (RFC 2131 says it is there; if it is not,
 * nothing was read past the packet). Returns 0 when malformed. */
static int dhcp_parse_options(const u8_t *b, u16_t len, struct dhcp_reply *r)
{
    u16_t i = DHCP_OPTIONS_OFS;
    while (i < len) {
        u8_t code = b[i];
        if (code == DHCP_OPTION_PAD) {
            i++;
            continue;
        }
        if (code == DHCP_OPTION_END)
            return 1;
        if (i + 2 > len)
            return 0;
        u8_t olen = b[i + 1];
        if ((u32_t)i + 2 + olen > len)
            return 0;
        const u8_t *v = b + i + 2;
        switch (code) {
        case DHCP_OPTION_MESSAGE_TYPE:
            if (olen != 1)
                return 0;
            r->type = v[0];
            break;
        case DHCP_OPTION_SUBNET_MASK:
            if (olen != 4)
                return 0;
            get_addr(&r->mask, v);
            r->have_mask = 1;
            break;
        case DHCP_OPTION_ROUTER:
            if (olen < 4 || olen % 4)
                return 0;
            get_addr(&r->router, v);        /* the first is the preferred one */
            r->have_router = 1;
            break;
        case DHCP_OPTION_DNS_SERVER:
            if (olen < 4 || olen % 4)
                return 0;
            for (u8_t k = 0; k < olen / 4 && r->ndns < DNS_MAX_SERVERS; k++)
                get_addr(&r->dns[r->ndns++], v + 4 * k);
            break;
        case DHCP_OPTION_SERVER_ID:
        case DHCP_OPTION_LEASE_TIME:
        case DHCP_OPTION_T1:
        case DHCP_OPTION_T2:
            if (olen != 4)
                return 0;
            if (code == DHCP_OPTION_SERVER_ID) {
                get_addr(&r->server, v);
                r->have_server = 1;
            } else if (code == DHCP_OPTION_LEASE_TIME) {
                r->lease = get32(v);
                r->have_lease = 1;
            } else if (code == DHCP_OPTION_T1) {
                r->t1 = get32(v);
                r->have_t1 = 1;
            } else {
                r->t2 = get32(v);
                r->have_t2 = 1;
            }
            break;
        default:
            break;              /* not used here (52, overload, included) */
        }
        i = (u16_t)(i + 2 + olen);
    }
    return 1;
}

static void dhcp_handle_offer(struct netif *netif, struct dhcp *dhcp,
                              const struct dhcp_reply *r)
{
    ip4_addr_copy(dhcp->server_ip_addr, r->server);
    ip4_addr_copy(dhcp->offered_ip_addr, r->yiaddr);
    dhcp_set_state(netif, dhcp, DHCP_STATE_REQUESTING);
    dhcp_request(netif, dhcp);      /* same xid as the DISCOVER and OFFER (4.4.1) */
}

static void dhcp_handle_ack(struct netif *netif, struct dhcp *dhcp, const struct dhcp_reply *r)
{
    dhcp->acks++;
    if (r->have_server)
        ip4_addr_copy(dhcp->server_ip_addr, r->server);
    ip4_addr_copy(dhcp->offered_ip_addr, r->yiaddr);
    dhcp->subnet_mask_given = r->have_mask;
    ip4_addr_copy(dhcp->offered_sn_mask, r->mask);
    if (r->have_router)
        ip4_addr_copy(dhcp->offered_gw_addr, r->router);
    else
        ip4_addr_set_zero(&dhcp->offered_gw_addr);
    /* RFC 2131 4.4.5: T1 defaults to half the lease, T2 to 7/8 of it. */
    dhcp->offered_t0_lease = r->lease;
    dhcp->offered_t1_renew = r->have_t1 ? r->t1 : r->lease / 2;
    dhcp->offered_t2_rebind = r->have_t2 ? r->t2 : r->lease - r->lease / 8;
#if LWIP_DNS
    for (u8_t i = 0; i < r->ndns; i++)
        dns_setserver(i, &r->dns[i]);
#endif
    dhcp_bind(netif, dhcp);
}

/* RFC 2131 3.1 step 5, 4.4.x: the address (if any) is no longer ours. */
static void dhcp_handle_nak(struct netif *netif, struct dhcp *dhcp)
{
    dhcp->naks++;
    dhcp_set_state(netif, dhcp, DHCP_STATE_BACKING_OFF);
    netif_set_addr(netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
    dhcp->request_timeout = DHCP_NAK_WAIT_SECS * DHCP_FINE_PER_SEC;
}

/* An ACK to our INFORM (RFC 2131 3.4): only the parameters are used. */
static void dhcp_handle_inform_ack(struct dhcp *dhcp, const struct dhcp_reply *r)
{
    dhcp->acks++;
    dhcp->request_timeout = 0;
    dhcp->tries = DHCP_INFORM_TRIES;
#if LWIP_DNS
    for (u8_t i = 0; i < r->ndns; i++)
        dns_setserver(i, &r->dns[i]);
#else
    LWIP_UNUSED_ARG(r);
#endif
}

static int dhcp_waits_for_ack(u8_t state)
{
    return state == DHCP_STATE_REQUESTING || state == DHCP_STATE_REBOOTING ||
           state == DHCP_STATE_RENEWING || state == DHCP_STATE_REBINDING;
}

/* Check and act on one reply (a contiguous buffer). Returns 0, or the
 * drop reason. */
static unsigned dhcp_handle_reply(struct netif *netif, const u8_t *b, u16_t len, u16_t port)
{
    struct dhcp *dhcp = netif ? netif->dhcp : NULL;
    if (dhcp == NULL || dhcp->state == DHCP_STATE_OFF || port != DHCP_SERVER_PORT)
        return NG_drop_DHCP_UNMATCHED;
    if (len < DHCP_MIN_REPLY_LEN || b[DHCP_OP_OFS] != DHCP_BOOTREPLY ||
        b[DHCP_HTYPE_OFS] != DHCP_HTYPE_ETH || b[DHCP_HLEN_OFS] != netif->hwaddr_len ||
        get32(b + DHCP_COOKIE_OFS) != DHCP_MAGIC_COOKIE)
        return NG_drop_DHCP_MALFORMED;
    if (get32(b + DHCP_XID_OFS) != dhcp->xid ||
        memcmp(b + DHCP_CHADDR_OFS, netif->hwaddr, netif->hwaddr_len) != 0)
        return NG_drop_DHCP_UNMATCHED;
    struct dhcp_reply r;
    memset(&r, 0, sizeof r);
    if (!dhcp_parse_options(b, len, &r) || r.type == 0)
        return NG_drop_DHCP_MALFORMED;
    get_addr(&r.yiaddr, b + DHCP_YIADDR_OFS);

    switch (r.type) {
    case DHCP_OFFER:
        if (dhcp->state != DHCP_STATE_SELECTING)
            return NG_drop_DHCP_UNMATCHED;      /* e.g. a second server's offer */
        if (!r.have_server || ip4_addr_isany_val(r.yiaddr))
            return NG_drop_DHCP_MALFORMED;      /* RFC 2131 table 3: 54 is a MUST */
        dhcp_handle_offer(netif, dhcp, &r);
        return 0;
    case DHCP_ACK:
        if (dhcp->state == DHCP_STATE_INFORMING) {
            dhcp_handle_inform_ack(dhcp, &r);
            return 0;
        }
        if (!dhcp_waits_for_ack(dhcp->state))
            return NG_drop_DHCP_UNMATCHED;
        if (!r.have_lease || ip4_addr_isany_val(r.yiaddr))
            return NG_drop_DHCP_MALFORMED;      /* table 3: 51 is a MUST in this ACK */
        dhcp_handle_ack(netif, dhcp, &r);
        return 0;
    case DHCP_NAK:
        if (!dhcp_waits_for_ack(dhcp->state))
            return NG_drop_DHCP_UNMATCHED;
        dhcp_handle_nak(netif, dhcp);
        return 0;
    default:
        return NG_drop_DHCP_UNMATCHED;
    }
}

/* The PCB's recv: replies for any interface; the one it came in on says
 * whose. A reply in a pbuf chain is made contiguous first. */
static void dhcp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                      u16_t port)
{
    LWIP_UNUSED_ARG(arg);
    LWIP_UNUSED_ARG(pcb);
    LWIP_UNUSED_ARG(addr);
    NG_TRACE1(LAYER_ENTER, NG_layer_dhcp_recv, p);
    struct netif *netif = ip_current_input_netif();
    p = pbuf_coalesce(p, PBUF_RAW);
    if (p->next != NULL) {
        NG_DROP(NO_MEMORY, p);
    } else {
        unsigned reason = dhcp_handle_reply(netif, p->payload, p->len, port);
        if (reason != 0) {
            ng_drop(reason, p);
            if (reason == NG_drop_DHCP_MALFORMED && netif && netif->dhcp)
                netif->dhcp->bad++;
        }
    }
    pbuf_free(p);
    NG_TRACE0(LAYER_EXIT, NG_layer_dhcp_recv);
}

/* ---- timers ------------------------------------------------------------------------ */

/* A retransmission timeout ran out. */
static void dhcp_timeout(struct netif *netif, struct dhcp *dhcp)
{
    switch (dhcp->state) {
    case DHCP_STATE_SELECTING:
        dhcp_discover(netif, dhcp);
        break;
    case DHCP_STATE_REQUESTING:
        if (dhcp->tries < DHCP_REQUEST_TRIES)
            dhcp_request(netif, dhcp);
        else
            dhcp_start_discovery(netif, dhcp);
        break;
    case DHCP_STATE_REBOOTING:
        if (dhcp->tries < DHCP_REBOOT_TRIES) {
            dhcp_request(netif, dhcp);
        } else {
            netif_set_addr(netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
            dhcp_start_discovery(netif, dhcp);
        }
        break;
    case DHCP_STATE_RENEWING:
    case DHCP_STATE_REBINDING:
        dhcp_request(netif, dhcp);
        break;
    case DHCP_STATE_BACKING_OFF:
        dhcp_start_discovery(netif, dhcp);
        break;
    case DHCP_STATE_INFORMING:
        if (dhcp->tries < DHCP_INFORM_TRIES)
            dhcp_send_inform(netif, dhcp);
        break;
    default:
        break;
    }
}

void dhcp_fine_tmr(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_dhcp_fine_tmr, 0);
    struct netif *netif;
    NETIF_FOREACH(netif) {
        struct dhcp *dhcp = netif->dhcp;
        if (dhcp == NULL || dhcp->request_timeout == 0)
            continue;
        if (--dhcp->request_timeout == 0)
            dhcp_timeout(netif, dhcp);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_dhcp_fine_tmr);
}

/* The lease (RFC 2131 4.4.5): at its end the address goes and the client
 * starts over; at T2 rebinding, at T1 renewing. */
static void dhcp_lease_tick(struct netif *netif, struct dhcp *dhcp)
{
    dhcp->lease_used++;
    if (dhcp->lease_used >= dhcp->t0_timeout) {
        dhcp_set_state(netif, dhcp, DHCP_STATE_INIT);
        netif_set_addr(netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
        dhcp_start_discovery(netif, dhcp);
        return;
    }
    int t2_due = dhcp->t2_timeout != 0 && --dhcp->t2_timeout == 0;
    int t1_due = dhcp->t1_timeout != 0 && --dhcp->t1_timeout == 0;
    if (t2_due && dhcp->state != DHCP_STATE_REBINDING)
        dhcp_start_request(netif, dhcp, DHCP_STATE_REBINDING);
    else if (t1_due && dhcp->state == DHCP_STATE_BOUND)
        dhcp_start_request(netif, dhcp, DHCP_STATE_RENEWING);
}

void dhcp_coarse_tmr(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_dhcp_coarse_tmr, 0);
    struct netif *netif;
    NETIF_FOREACH(netif) {
        struct dhcp *dhcp = netif->dhcp;
        if (dhcp != NULL && dhcp_has_lease(dhcp->state))
            dhcp_lease_tick(netif, dhcp);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_dhcp_coarse_tmr);
}

/* ---- the API ----------------------------------------------------------------------- */

void dhcp_set_struct(struct netif *netif, struct dhcp *dhcp)
{
    LWIP_ASSERT("dhcp_set_struct: netif already has a struct dhcp", netif->dhcp == NULL);
    memset(dhcp, 0, sizeof *dhcp);
    netif->dhcp = dhcp;
}

void dhcp_cleanup(struct netif *netif)
{
    if (netif == NULL || netif->dhcp == NULL)
        return;
    dhcp_stop(netif);
    if (netif->dhcp->struct_allocated)
        mem_free(netif->dhcp);
    netif->dhcp = NULL;
}

/* netif's struct dhcp, allocated if it has none, holding the PCB. */
static struct dhcp *dhcp_get_client(struct netif *netif)
{
    struct dhcp *dhcp = netif->dhcp;
    if (dhcp == NULL) {
        dhcp = mem_malloc(sizeof *dhcp);
        if (dhcp == NULL)
            return NULL;
        memset(dhcp, 0, sizeof *dhcp);
        dhcp->struct_allocated = 1;
        netif->dhcp = dhcp;
    }
    if (!dhcp->pcb_allocated) {
        if (dhcp_inc_pcb_refcount() != ERR_OK)
            return NULL;
        dhcp->pcb_allocated = 1;
    }
    return dhcp;
}

static err_t dhcp_start_client(struct netif *netif)
{
    if (netif == NULL || netif->hwaddr_len == 0 || netif->hwaddr_len > DHCP_CHADDR_LEN)
        return ERR_ARG;
    if (netif->dhcp != NULL && netif->dhcp->state != DHCP_STATE_OFF)
        dhcp_stop(netif);           /* started again: a fresh exchange */
    struct dhcp *dhcp = dhcp_get_client(netif);
    if (dhcp == NULL)
        return ERR_MEM;
    u8_t allocated = dhcp->struct_allocated;
    memset(dhcp, 0, sizeof *dhcp);  /* counters and all: a new client */
    dhcp->struct_allocated = allocated;
    dhcp->pcb_allocated = 1;
    dhcp_start_discovery(netif, dhcp);
    return ERR_OK;
}

err_t dhcp_start(struct netif *netif)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_dhcp_start, netif);
    err_t err = dhcp_start_client(netif);
    NG_TRACE0(LAYER_EXIT, NG_layer_dhcp_start);
    return err;
}

err_t dhcp_renew(struct netif *netif)
{
    if (netif == NULL || netif->dhcp == NULL)
        return ERR_ARG;
    if (!dhcp_has_lease(netif->dhcp->state))
        return ERR_CONN;
    struct dhcp *dhcp = netif->dhcp;
    dhcp_set_state(netif, dhcp, DHCP_STATE_RENEWING);
    dhcp->tries = 0;                /* already RENEWING: a new transaction anyway */
    dhcp->xid = dhcp_rand();
    dhcp_request(netif, dhcp);
    return ERR_OK;
}

void dhcp_stop(struct netif *netif)
{
    if (netif == NULL || netif->dhcp == NULL)
        return;
    struct dhcp *dhcp = netif->dhcp;
    int had_lease = dhcp_has_lease(dhcp->state) || dhcp->state == DHCP_STATE_REBOOTING;
    dhcp_set_state(netif, dhcp, DHCP_STATE_OFF);
    if (had_lease)
        netif_set_addr(netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
    if (dhcp->pcb_allocated) {
        dhcp->pcb_allocated = 0;
        dhcp_dec_pcb_refcount();
    }
}

/* RFC 2131 4.4.6: a RELEASE, unicast to the server, from and about our
 * address (ciaddr) with the server's identifier; then the address goes. */
void dhcp_release_and_stop(struct netif *netif)
{
    if (netif == NULL || netif->dhcp == NULL)
        return;
    struct dhcp *dhcp = netif->dhcp;
    if (dhcp_has_lease(dhcp->state) && dhcp->pcb_allocated) {
        dhcp->xid = dhcp_rand();
        struct dhcp_out o;
        if (dhcp_msg_new(netif, dhcp, DHCP_RELEASE, netif_ip4_addr(netif), &o)) {
            opt_addr(&o, DHCP_OPTION_SERVER_ID, &dhcp->server_ip_addr);
            dhcp_msg_send(netif, &o, netif_ip4_addr(netif), &dhcp->server_ip_addr);
        }
    }
    dhcp_stop(netif);
}

err_t dhcp_release(struct netif *netif)
{
    if (netif == NULL || netif->dhcp == NULL)
        return ERR_ARG;
    dhcp_release_and_stop(netif);
    return ERR_OK;
}

err_t dhcp_inform(struct netif *netif)
{
    if (netif == NULL || ip4_addr_isany_val(*netif_ip4_addr(netif)) ||
        netif->hwaddr_len == 0 || netif->hwaddr_len > DHCP_CHADDR_LEN)
        return ERR_ARG;
    if (netif->dhcp != NULL && netif->dhcp->state != DHCP_STATE_OFF &&
        netif->dhcp->state != DHCP_STATE_INFORMING)
        return ERR_INPROGRESS;      /* a lease client is running: it has the parameters */
    struct dhcp *dhcp = dhcp_get_client(netif);
    if (dhcp == NULL)
        return ERR_MEM;
    dhcp_set_state(netif, dhcp, DHCP_STATE_OFF);
    dhcp_set_state(netif, dhcp, DHCP_STATE_INFORMING);
    dhcp->xid = dhcp_rand();
    dhcp_send_inform(netif, dhcp);
    return ERR_OK;
}

/* The link came back (RFC 2131 3.2): with a lease, INIT-REBOOT asks the
 * server to confirm the address; without one, discovery starts over. */
void dhcp_network_changed(struct netif *netif)
{
    if (netif == NULL || netif->dhcp == NULL)
        return;
    struct dhcp *dhcp = netif->dhcp;
    if (dhcp->state == DHCP_STATE_OFF || dhcp->state == DHCP_STATE_INFORMING)
        return;
    if (dhcp_has_lease(dhcp->state) || dhcp->state == DHCP_STATE_REBOOTING)
        dhcp_start_request(netif, dhcp, DHCP_STATE_REBOOTING);
    else
        dhcp_start_discovery(netif, dhcp);
}

u8_t dhcp_supplied_address(const struct netif *netif)
{
    return netif != NULL && netif->dhcp != NULL && dhcp_has_lease(netif->dhcp->state);
}

#endif /* LWIP_DHCP */
