/*
 * tests/unit/test_dhcp.c - the DHCP client (net/dhcp.c, RFC 2131) on the
 * fake Ethernet interface, with virtual time (1 tick = 1 ms), the test
 * playing the server (10.0.2.2) byte by byte.
 *
 * Covers: the DISCOVER's exact bytes (from 0.0.0.0 to 255.255.255.255,
 * every option) and its Ethernet, IP and UDP headers with checksums
 * computed here; a whole exchange to BOUND (OFFER broadcast, REQUEST with
 * the same xid and options 50/54, ACK unicast to the address not yet
 * ours) with address, mask, gateway and DNS servers applied; the
 * retransmissions of 4.1 (4, 8, 16, 32, 64, 64 s, +-1 s) and REQUESTING
 * giving up after four; RENEWING at T1 (unicast from our address,
 * ciaddr, no 50/54), its 4.4.5 retransmission, REBINDING at T2
 * (broadcast), an ACK there; the lease's end (address removed, a new
 * DISCOVER); NAKs in REQUESTING and RENEWING (BACKING_OFF, then a new
 * DISCOVER); malformed and unmatched replies, each counted under its
 * reason and answered with nothing; option overload and padding parsed
 * through; RELEASE (unicast, ciaddr, server id) and the address removed;
 * INFORM; the timers on the list only while a client runs; the
 * DHCP_STATE records. Every test ends with every pool and the heap empty.
 */
#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/dhcp.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"
#include "fake_netif.h"
#include "net_time.h"
#include "ng_net_test.h"
#include "ref_wire.h"
#include "trace_capture.h"
#include "udp_frame.h"

static const u8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8_t srv_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const u8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const u8_t srv_ip[4] = { 10, 0, 2, 2 };
static const u8_t our_ip[4] = { 10, 0, 2, 15 };
static const u8_t any_ip[4] = { 0, 0, 0, 0 };
static const u8_t bcast_ip[4] = { 255, 255, 255, 255 };

static struct fake_netif fk;
static struct netif *nif;

static void setup(void)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    udp_init();
    dns_init();
    sys_timeouts_init();
    nif = fake_netif_add(&fk, NULL, NULL, NULL, NULL);
    netif_set_up(nif);
    fake_netif_clear(&fk);
}

static void teardown(void)
{
    dhcp_cleanup(nif);
    ck_assert_ptr_null(nif->dhcp);
    netif_set_down(nif);
    ng_timeouts_clear();
    ng_assert_net_clean();
}

static u32_t drops(unsigned reason)
{
    return ng_drop_count[reason];
}

/* ---- what the client sent ---------------------------------------------------------- */

struct sent {
    unsigned frame;
    const u8_t *eth, *ip, *d;   /* the frame, its IP header, the DHCP message */
    u16_t dlen;
    u8_t type;                  /* option 53 */
    u32_t xid;
    u32_t at;                   /* sys_now() when it was seen */
};

static int is_dhcp_request(const struct fake_frame *f)
{
    return f->len >= 42 + 240 && be16(f->data + 12) == 0x0800 && f->data[14 + 9] == 17 &&
           be16(f->data + 34) == 68 && be16(f->data + 36) == 67;
}

/* The option `code` of message d, or NULL; *len its length. */
static const u8_t *opt_find(const u8_t *d, u16_t dlen, u8_t code, u8_t *len)
{
    u16_t i = 240;
    while (i < dlen && d[i] != 255) {
        if (d[i] == 0) {
            i++;
            continue;
        }
        if (d[i] == code) {
            *len = d[i + 1];
            return d + i + 2;
        }
        i = (u16_t)(i + 2 + d[i + 1]);
    }
    return NULL;
}

/* Check the headers of DHCP frame f (IP and UDP checksums computed here)
 * and describe it. */
static struct sent decode(unsigned i)
{
    const struct fake_frame *f = fake_netif_frame(&fk, i);
    ck_assert_msg(is_dhcp_request(f), "frame %u is not a DHCP request", i);
    struct sent s = { .frame = i, .eth = f->data, .ip = f->data + 14 };
    ck_assert_uint_eq(s.ip[0], 0x45);
    ck_assert_uint_eq(ref_chksum(s.ip, 20), 0);
    ck_assert_uint_eq(s.ip[8], 64);                            /* TTL */
    u16_t iplen = be16(s.ip + 2);
    ck_assert_uint_eq(iplen + 14u, f->len);
    const u8_t *u = s.ip + 20;
    ck_assert_uint_eq(be16(u + 4), iplen - 20u);
    ck_assert_uint_eq(ng_udp_chksum(s.ip), 0);
    s.d = u + 8;
    s.dlen = (u16_t)(be16(u + 4) - 8);
    ck_assert_uint_ge(s.dlen, 300);                             /* RFC 1542 2.1 */
    ck_assert_uint_eq(s.d[0], 1);
    ck_assert_uint_eq(be32(s.d + 236), 0x63825363);
    s.xid = be32(s.d + 4);
    u8_t l;
    const u8_t *t = opt_find(s.d, s.dlen, 53, &l);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(l, 1);
    s.type = t[0];
    s.at = sys_now();
    return s;
}

/* The next DHCP frame at or after *next (others, like ARP, skipped), or
 * 0 if none; *next moves past it. */
static int next_sent(unsigned *next, struct sent *s)
{
    while (*next < fk.nframes) {
        unsigned i = (*next)++;
        if (is_dhcp_request(fake_netif_frame(&fk, i))) {
            *s = decode(i);
            return 1;
        }
    }
    return 0;
}

/* Run until the client sends a DHCP frame (at most max_ms). */
static struct sent wait_sent(unsigned *next, u32_t max_ms)
{
    struct sent s;
    for (u32_t t = 0; t <= max_ms; t += 100) {
        if (next_sent(next, &s))
            return s;
        ng_run_ms(100);
    }
    ck_abort_msg("no DHCP frame within %u ms", (unsigned)max_ms);
    return s;
}

static void assert_addrs(const struct sent *s, const u8_t *eth_dst, const u8_t *src,
                         const u8_t *dst)
{
    ck_assert_mem_eq(s->eth, eth_dst, 6);
    ck_assert_mem_eq(s->eth + 6, our_mac, 6);
    ck_assert_mem_eq(s->ip + 12, src, 4);
    ck_assert_mem_eq(s->ip + 16, dst, 4);
}

/* ---- the server's side ------------------------------------------------------------- */

struct reply {
    u8_t b[700];
    u16_t n;
};

static void reply_begin(struct reply *r, u8_t type, u32_t xid, const u8_t *yiaddr)
{
    memset(r, 0, sizeof *r);
    r->b[0] = 2;
    r->b[1] = 1;
    r->b[2] = 6;
    put32(r->b + 4, xid);
    if (yiaddr)
        memcpy(r->b + 16, yiaddr, 4);
    memcpy(r->b + 28, our_mac, 6);
    put32(r->b + 236, 0x63825363);
    r->n = 240;
    if (type) {
        r->b[r->n++] = 53;
        r->b[r->n++] = 1;
        r->b[r->n++] = type;
    }
}

static void reply_opt(struct reply *r, u8_t code, u8_t len, const void *v)
{
    r->b[r->n++] = code;
    r->b[r->n++] = len;
    memcpy(r->b + r->n, v, len);
    r->n = (u16_t)(r->n + len);
}

static void reply_opt32(struct reply *r, u8_t code, u32_t v)
{
    u8_t b[4];
    put32(b, v);
    reply_opt(r, code, 4, b);
}

/* The usual lease options: server id, lease, mask, router, two DNS servers. */
static void reply_lease(struct reply *r, u32_t lease)
{
    static const u8_t mask[4] = { 255, 255, 255, 0 };
    static const u8_t dns[8] = { 10, 0, 2, 3, 10, 0, 2, 4 };
    reply_opt(r, 54, 4, srv_ip);
    reply_opt32(r, 51, lease);
    reply_opt(r, 1, 4, mask);
    reply_opt(r, 3, 4, srv_ip);
    reply_opt(r, 6, 8, dns);
}

/* Wrap len bytes of r in UDP sport->68, IP from 10.0.2.2 to dst and
 * Ethernet, and inject it. */
static void inject_raw(const u8_t *msg, u16_t len, const u8_t *eth_dst, const u8_t *dst,
                       u16_t sport)
{
    static u8_t f[800];
    u16_t n = ng_udp_frame(f, eth_dst, srv_mac, srv_ip, dst, sport, 68, msg, len);
    ck_assert_int_eq(fake_netif_inject(&fk, f, n), ERR_OK);
}

static void inject_reply(struct reply *r)
{
    r->b[r->n++] = 255;
    if (r->n < 300)
        r->n = 300;
    inject_raw(r->b, r->n, bcast_mac, bcast_ip, 67);
}

static void inject_unicast(struct reply *r, const u8_t *dst)
{
    r->b[r->n++] = 255;
    if (r->n < 300)
        r->n = 300;
    inject_raw(r->b, r->n, our_mac, dst, 67);
}

static void inject_offer(u32_t xid)
{
    struct reply r;
    reply_begin(&r, DHCP_OFFER, xid, our_ip);
    reply_lease(&r, 600);
    inject_reply(&r);
}

static void inject_ack(u32_t xid, u32_t lease)
{
    struct reply r;
    reply_begin(&r, DHCP_ACK, xid, our_ip);
    reply_lease(&r, lease);
    inject_unicast(&r, our_ip);
}

/* The server answers our ARP request for it. */
static void srv_answers_arp(void)
{
    u8_t f[42];
    memcpy(f, our_mac, 6);
    memcpy(f + 6, srv_mac, 6);
    static const u8_t fixed[8] = { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04 };
    memcpy(f + 12, fixed, 8);
    put16(f + 20, 2);
    memcpy(f + 22, srv_mac, 6);
    memcpy(f + 28, srv_ip, 4);
    memcpy(f + 32, our_mac, 6);
    memcpy(f + 38, our_ip, 4);
    ck_assert_int_eq(fake_netif_inject(&fk, f, 42), ERR_OK);
}

static void assert_addr(const ip4_addr_t *a, const char *dotted)
{
    ip4_addr_t want;
    ck_assert(ip4addr_aton(dotted, &want));
    ck_assert_msg(a->addr == want.addr, "address %s, expected %s", ip4addr_ntoa(a), dotted);
}

/* dhcp_start through to BOUND with a lease of `lease` s; *next is past
 * the REQUEST. */
static u32_t bind_with_lease(unsigned *next, u32_t lease)
{
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    struct sent d = wait_sent(next, 0);
    ck_assert_uint_eq(d.type, DHCP_DISCOVER);
    inject_offer(d.xid);
    struct sent q = wait_sent(next, 0);
    ck_assert_uint_eq(q.type, DHCP_REQUEST);
    inject_ack(q.xid, lease);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_BOUND);
    return q.xid;
}

/* ---- tests ------------------------------------------------------------------------- */

START_TEST(discover_exact_bytes)
{
    netif_set_hostname(nif, "netglass");
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_SELECTING);
    ck_assert_uint_eq(fk.nframes, 1);
    struct sent s = decode(0);
    assert_addrs(&s, bcast_mac, any_ip, bcast_ip);
    ck_assert_uint_eq(be16(s.ip + 6) & 0x3fff, 0);             /* not a fragment */

    u8_t want[300];
    memset(want, 0, sizeof want);
    want[0] = 1;                        /* BOOTREQUEST */
    want[1] = 1;                        /* Ethernet */
    want[2] = 6;
    put32(want + 4, s.xid);
    memcpy(want + 28, our_mac, 6);      /* chaddr; ciaddr, yiaddr, flags: 0 */
    put32(want + 236, 0x63825363);
    static const u8_t opts[] = {
        53, 1, 1,                                   /* DHCPDISCOVER */
        61, 7, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* client id: type 1 + MAC */
        57, 2, 0x05, 0xdc,                          /* max message size 1500 */
        12, 8, 'n', 'e', 't', 'g', 'l', 'a', 's', 's',
        55, 3, 1, 3, 6,                             /* mask, router, DNS */
        255,
    };
    memcpy(want + 240, opts, sizeof opts);
    ck_assert_uint_eq(s.dlen, 300);
    ck_assert_mem_eq(s.d, want, 300);
    ck_assert_uint_eq(nif->dhcp->discovers, 1);
}
END_TEST

START_TEST(full_exchange_to_bound)
{
    tc_start(NG_TRACE_CLASS_BIT(DHCP_STATE));
    unsigned next = 0;
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    struct sent d = wait_sent(&next, 0);
    ck_assert_uint_eq(d.type, DHCP_DISCOVER);

    inject_offer(d.xid);                        /* broadcast */
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_REQUESTING);
    struct sent q = wait_sent(&next, 0);
    ck_assert_uint_eq(q.type, DHCP_REQUEST);
    ck_assert_uint_eq(q.xid, d.xid);            /* RFC 2131 4.4.1 */
    assert_addrs(&q, bcast_mac, any_ip, bcast_ip);
    ck_assert_mem_eq(q.d + 12, any_ip, 4);      /* ciaddr 0 */
    u8_t l;
    const u8_t *v = opt_find(q.d, q.dlen, 50, &l);
    ck_assert(v && l == 4 && memcmp(v, our_ip, 4) == 0);
    v = opt_find(q.d, q.dlen, 54, &l);
    ck_assert(v && l == 4 && memcmp(v, srv_ip, 4) == 0);
    ck_assert_ptr_nonnull(opt_find(q.d, q.dlen, 61, &l));
    ck_assert(!dhcp_supplied_address(nif));
    ck_assert(ip4_addr_isany_val(*netif_ip4_addr(nif)));

    inject_ack(q.xid, 600);                     /* unicast to 10.0.2.15, not ours yet */
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_BOUND);
    ck_assert(dhcp_supplied_address(nif));
    assert_addr(netif_ip4_addr(nif), "10.0.2.15");
    assert_addr(netif_ip4_netmask(nif), "255.255.255.0");
    assert_addr(netif_ip4_gw(nif), "10.0.2.2");
    assert_addr(dns_getserver(0), "10.0.2.3");
    assert_addr(dns_getserver(1), "10.0.2.4");
    ck_assert_uint_eq(nif->dhcp->offered_t0_lease, 600);
    ck_assert_uint_eq(nif->dhcp->offered_t1_renew, 300);       /* T0 / 2 */
    ck_assert_uint_eq(nif->dhcp->offered_t2_rebind, 525);      /* T0 * 7 / 8 */
    ck_assert_uint_eq(nif->dhcp->acks, 1);
    ck_assert_uint_eq(nif->dhcp->requests, 1);
    ck_assert_uint_eq(drops(NG_drop_DHCP_MALFORMED) + drops(NG_drop_DHCP_UNMATCHED), 0);
    /* the gratuitous ARP of the new address follows */
    ck_assert_uint_eq(be16(fake_netif_frame(&fk, fk.nframes - 1)->data + 12), 0x0806);

    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    static const u8_t want[][2] = {
        { DHCP_STATE_INIT, DHCP_STATE_OFF }, { DHCP_STATE_SELECTING, DHCP_STATE_INIT },
        { DHCP_STATE_REQUESTING, DHCP_STATE_SELECTING },
        { DHCP_STATE_BOUND, DHCP_STATE_REQUESTING },
    };
    unsigned n = 0;
    for (u32_t i = 0; i < tc_nrecs; i++) {
        if (tc_recs[i].id != NG_EV_DHCP_STATE)
            continue;
        ck_assert_uint_lt(n, 4);
        ck_assert_uint_eq(tc_recs[i].a, want[n][0]);
        ck_assert_uint_eq(tc_recs[i].w[0] & 0xff, want[n][1]);
        ck_assert_uint_eq((tc_recs[i].w[0] >> 8) & 0xff, nif->trace_id);
        n++;
    }
    ck_assert_uint_eq(n, 4);
}
END_TEST

/* RFC 2131 4.1: 4, 8, 16, 32, 64, 64 s between DISCOVERs, each +-1 s. */
START_TEST(discover_retransmission_schedule)
{
    unsigned next = 0;
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    struct sent first = wait_sent(&next, 0);
    static const u32_t gaps[] = { 4, 8, 16, 32, 64, 64, 64 };
    struct sent prev = first;
    for (unsigned i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        struct sent s = wait_sent(&next, (gaps[i] + 2) * 1000);
        ck_assert_uint_eq(s.type, DHCP_DISCOVER);
        ck_assert_uint_eq(s.xid, first.xid);
        u32_t gap = s.at - prev.at;
        ck_assert_msg(gap + 1000 >= gaps[i] * 1000 && gap <= gaps[i] * 1000 + 1000,
                      "gap %u: %u ms, expected %u s +- 1 s", i, (unsigned)gap, (unsigned)gaps[i]);
        prev = s;
    }
    ck_assert_uint_eq(nif->dhcp->discovers, 8);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_SELECTING);
}
END_TEST

/* REQUESTING: four REQUESTs (4, 8, 16 s apart), then INIT and a DISCOVER
 * with a new xid (RFC 2131 3.1 step 5). */
START_TEST(requesting_gives_up_after_four_requests)
{
    unsigned next = 0;
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    struct sent d = wait_sent(&next, 0);
    inject_offer(d.xid);
    struct sent prev = wait_sent(&next, 0);
    ck_assert_uint_eq(prev.type, DHCP_REQUEST);
    static const u32_t gaps[] = { 4, 8, 16 };
    for (unsigned i = 0; i < 3; i++) {
        struct sent s = wait_sent(&next, (gaps[i] + 2) * 1000);
        ck_assert_uint_eq(s.type, DHCP_REQUEST);
        ck_assert_uint_eq(s.xid, d.xid);
        u32_t gap = s.at - prev.at;
        ck_assert(gap + 1000 >= gaps[i] * 1000 && gap <= gaps[i] * 1000 + 1000);
        prev = s;
    }
    struct sent again = wait_sent(&next, 34000);
    ck_assert_uint_eq(again.type, DHCP_DISCOVER);
    ck_assert_uint_ne(again.xid, d.xid);
    ck_assert_uint_ge(again.at - prev.at, 31000);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_SELECTING);
    ck_assert_uint_eq(nif->dhcp->requests, 4);
}
END_TEST

/* Lease 600 s: T1 300 s, T2 525 s (coarse ticks of 60 s: within a minute). */
START_TEST(renew_unicast_rebind_broadcast)
{
    unsigned next = 0;
    u32_t old_xid = bind_with_lease(&next, 600);
    u32_t bound_at = sys_now();

    /* T1: the REQUEST waits for the server's MAC; the server answers the ARP. */
    unsigned before = fk.nframes;
    while (nif->dhcp->state == DHCP_STATE_BOUND)
        ng_run_ms(100);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_RENEWING);
    u32_t t1_at = sys_now() - bound_at;
    ck_assert_uint_ge(t1_at, 240000);
    ck_assert_uint_le(t1_at, 330000);
    /* only ARP requests for the server (etharp_tmr may repeat one at once) */
    ck_assert_uint_gt(fk.nframes, before);
    for (unsigned i = before; i < fk.nframes; i++) {
        const struct fake_frame *ff = fake_netif_frame(&fk, i);
        ck_assert_uint_eq(be16(ff->data + 12), 0x0806);
        ck_assert_uint_eq(be16(ff->data + 20), 1);
        ck_assert_mem_eq(ff->data + 38, srv_ip, 4);
    }
    srv_answers_arp();
    next = before;
    struct sent r = wait_sent(&next, 0);
    ck_assert_uint_eq(r.type, DHCP_REQUEST);
    ck_assert_uint_ne(r.xid, old_xid);
    assert_addrs(&r, srv_mac, our_ip, srv_ip);
    ck_assert_mem_eq(r.d + 12, our_ip, 4);                      /* ciaddr */
    u8_t l;
    ck_assert_ptr_null(opt_find(r.d, r.dlen, 50, &l));          /* RFC 2131 4.3.2 */
    ck_assert_ptr_null(opt_find(r.d, r.dlen, 54, &l));
    ck_assert(dhcp_supplied_address(nif));

    /* 4.4.5: half the time left until T2 (here 4 min / 2), at least 60 s. */
    struct sent r2 = wait_sent(&next, 130000);
    ck_assert_uint_eq(r2.type, DHCP_REQUEST);
    assert_addrs(&r2, srv_mac, our_ip, srv_ip);
    ck_assert_uint_ge(r2.at - r.at, 110000);

    /* T2: REBINDING, broadcast from our address. */
    unsigned renews = 0;
    struct sent x;
    while (nif->dhcp->state == DHCP_STATE_RENEWING) {
        while (next_sent(&next, &x))
            renews++;               /* 4.4.5: 60 s later, the minimum, once more */
        ng_run_ms(100);
    }
    ck_assert_uint_eq(renews, 1);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_REBINDING);
    u32_t t2_at = sys_now() - bound_at;
    ck_assert_uint_ge(t2_at, 465000);
    ck_assert_uint_le(t2_at, 585000);
    struct sent b = wait_sent(&next, 0);
    ck_assert_uint_eq(b.type, DHCP_REQUEST);
    assert_addrs(&b, bcast_mac, our_ip, bcast_ip);
    ck_assert_mem_eq(b.d + 12, our_ip, 4);
    ck_assert_ptr_null(opt_find(b.d, b.dlen, 54, &l));
    ck_assert(dhcp_supplied_address(nif));

    /* Any server's ACK extends the lease. */
    inject_ack(b.xid, 600);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_BOUND);
    ck_assert_uint_eq(nif->dhcp->lease_used, 0);
    assert_addr(netif_ip4_addr(nif), "10.0.2.15");
    ck_assert_uint_eq(nif->dhcp->acks, 2);
}
END_TEST

/* Nobody answers renewing or rebinding: at the lease's end (never after
 * it) the address goes and discovery starts over (RFC 2131 4.4.5). */
START_TEST(lease_expiry_removes_the_address)
{
    unsigned next = 0;
    u32_t xid = bind_with_lease(&next, 600);
    u32_t bound_at = sys_now();
    while (dhcp_supplied_address(nif)) {
        ng_run_ms(100);
        ck_assert_uint_le(sys_now() - bound_at, 600000);
    }
    ck_assert_uint_ge(sys_now() - bound_at, 540000);
    ck_assert(ip4_addr_isany_val(*netif_ip4_addr(nif)));
    ck_assert(ip4_addr_isany_val(*netif_ip4_gw(nif)));
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_SELECTING);
    struct sent s;
    int found = 0;
    while (next_sent(&next, &s)) {
        if (s.type == DHCP_DISCOVER) {
            found = 1;
            break;
        }
    }
    ck_assert(found);
    ck_assert_uint_ne(s.xid, xid);
    assert_addrs(&s, bcast_mac, any_ip, bcast_ip);
}
END_TEST

START_TEST(nak_in_requesting_backs_off_then_discovers)
{
    unsigned next = 0;
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    struct sent d = wait_sent(&next, 0);
    inject_offer(d.xid);
    struct sent q = wait_sent(&next, 0);
    struct reply r;
    reply_begin(&r, DHCP_NAK, q.xid, NULL);
    reply_opt(&r, 54, 4, srv_ip);
    inject_reply(&r);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_BACKING_OFF);
    ck_assert_uint_eq(nif->dhcp->naks, 1);
    ck_assert(ip4_addr_isany_val(*netif_ip4_addr(nif)));
    u32_t nak_at = sys_now();
    struct sent again = wait_sent(&next, 5000);
    ck_assert_uint_eq(again.type, DHCP_DISCOVER);
    ck_assert_uint_ne(again.xid, d.xid);
    ck_assert_uint_ge(again.at - nak_at, 1500);
    ck_assert_uint_le(again.at - nak_at, 2600);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_SELECTING);
}
END_TEST

START_TEST(nak_in_renewing_removes_the_address)
{
    unsigned next = 0;
    bind_with_lease(&next, 3600);
    ck_assert_int_eq(dhcp_renew(nif), ERR_OK);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_RENEWING);
    srv_answers_arp();
    struct sent r = wait_sent(&next, 0);
    ck_assert_uint_eq(r.type, DHCP_REQUEST);
    assert_addrs(&r, srv_mac, our_ip, srv_ip);
    struct reply n;
    reply_begin(&n, DHCP_NAK, r.xid, NULL);
    inject_unicast(&n, our_ip);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_BACKING_OFF);
    ck_assert(!dhcp_supplied_address(nif));
    ck_assert(ip4_addr_isany_val(*netif_ip4_addr(nif)));
}
END_TEST

/* Every kind of bad reply, in SELECTING: dropped under its reason,
 * counted, nothing sent, the state unchanged. A good OFFER after them
 * (with padding and an overload option the client does not read) goes
 * through. */
START_TEST(malformed_and_unmatched_replies_are_counted)
{
    unsigned next = 0;
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    struct sent d = wait_sent(&next, 0);
    unsigned sent_before = fk.nframes;
    struct reply r;
    u32_t mal = 0, unm = 0;

#define EXPECT(kind) do { \
        if (NG_drop_DHCP_##kind == NG_drop_DHCP_MALFORMED) mal++; else unm++; \
        ck_assert_uint_eq(drops(NG_drop_DHCP_MALFORMED), mal); \
        ck_assert_uint_eq(drops(NG_drop_DHCP_UNMATCHED), unm); \
        ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_SELECTING); \
    } while (0)

    reply_begin(&r, DHCP_OFFER, d.xid + 1, our_ip);     /* another xid */
    reply_lease(&r, 600);
    inject_reply(&r);
    EXPECT(UNMATCHED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* another client's chaddr */
    reply_lease(&r, 600);
    r.b[33] ^= 1;
    inject_reply(&r);
    EXPECT(UNMATCHED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* op BOOTREQUEST */
    reply_lease(&r, 600);
    r.b[0] = 1;
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* htype */
    reply_lease(&r, 600);
    r.b[1] = 6;
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* hlen */
    reply_lease(&r, 600);
    r.b[2] = 16;
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* magic cookie */
    reply_lease(&r, 600);
    r.b[239] = 0x64;
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* shorter than the fixed part */
    inject_raw(r.b, 239, bcast_mac, bcast_ip, 67);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* an option past the end */
    reply_lease(&r, 600);
    r.b[r.n++] = 15;
    r.b[r.n++] = 40;
    r.b[r.n++] = 'x';
    inject_raw(r.b, r.n, bcast_mac, bcast_ip, 67);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* a code with no length byte */
    reply_lease(&r, 600);
    r.b[r.n++] = 15;
    inject_raw(r.b, r.n, bcast_mac, bcast_ip, 67);
    EXPECT(MALFORMED);

    reply_begin(&r, 0, d.xid, our_ip);                  /* no message type */
    reply_lease(&r, 600);
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, 0, d.xid, our_ip);                  /* option 53 of length 2 */
    reply_opt(&r, 53, 2, "\x02\x02");
    reply_lease(&r, 600);
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* lease time of length 3 */
    reply_opt(&r, 54, 4, srv_ip);
    reply_opt(&r, 51, 3, "\x00\x02\x58");
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* a router list of 6 bytes */
    reply_lease(&r, 600);
    reply_opt(&r, 3, 6, "\x0a\x00\x02\x02\x0a\x00");
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* an OFFER without server id */
    reply_opt32(&r, 51, 600);
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_OFFER, d.xid, NULL);           /* an OFFER of 0.0.0.0 */
    reply_lease(&r, 600);
    inject_reply(&r);
    EXPECT(MALFORMED);

    reply_begin(&r, DHCP_ACK, d.xid, our_ip);           /* an ACK while selecting */
    reply_lease(&r, 600);
    inject_reply(&r);
    EXPECT(UNMATCHED);

    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);         /* not from port 67 */
    reply_lease(&r, 600);
    r.b[r.n++] = 255;
    inject_raw(r.b, 300, bcast_mac, bcast_ip, 1067);
    EXPECT(UNMATCHED);

    ck_assert_uint_eq(nif->dhcp->bad, mal);
    ck_assert_uint_eq(fk.nframes, sent_before);         /* nothing answered */

    /* Padding, an overload option and an unknown one are walked over. */
    reply_begin(&r, DHCP_OFFER, d.xid, our_ip);
    r.b[r.n++] = 0;
    r.b[r.n++] = 0;
    reply_opt(&r, 52, 1, "\x03");
    reply_opt(&r, 200, 0, "");
    reply_lease(&r, 600);
    inject_reply(&r);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_REQUESTING);
    ck_assert_uint_eq(drops(NG_drop_DHCP_MALFORMED), mal);
    ck_assert_uint_eq(drops(NG_drop_DHCP_UNMATCHED), unm);

    /* A second server's OFFER now is not waited for. */
    inject_offer(d.xid);
    ck_assert_uint_eq(drops(NG_drop_DHCP_UNMATCHED), unm + 1);
#undef EXPECT
}
END_TEST

/* After dhcp_stop nobody listens on port 68 any more. */
START_TEST(reply_after_stop_finds_no_pcb)
{
    unsigned next = 0;
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    struct sent d = wait_sent(&next, 0);
    dhcp_stop(nif);
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_OFF);
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 0);
    /* no PCB on port 68 any more: IP takes it for DHCP, UDP has nobody */
    inject_offer(d.xid);
    ck_assert_uint_eq(drops(NG_drop_UDP_NO_PCB), 1);
    ck_assert_uint_eq(fk.nframes, 1);       /* no port unreachable for a broadcast */
}
END_TEST

START_TEST(release_is_unicast_and_removes_the_address)
{
    unsigned next = 0;
    bind_with_lease(&next, 3600);
    srv_answers_arp();                      /* the server's MAC is known */
    int base = ng_timeouts_listed();
    ck_assert_int_eq(dhcp_release(nif), ERR_OK);
    struct sent r = wait_sent(&next, 0);
    ck_assert_uint_eq(r.type, DHCP_RELEASE);
    assert_addrs(&r, srv_mac, our_ip, srv_ip);
    ck_assert_mem_eq(r.d + 12, our_ip, 4);
    u8_t l;
    const u8_t *v = opt_find(r.d, r.dlen, 54, &l);
    ck_assert(v && l == 4 && memcmp(v, srv_ip, 4) == 0);
    ck_assert_ptr_nonnull(opt_find(r.d, r.dlen, 61, &l));
    ck_assert_ptr_null(opt_find(r.d, r.dlen, 50, &l));
    ck_assert(ip4_addr_isany_val(*netif_ip4_addr(nif)));
    ck_assert_uint_eq(nif->dhcp->state, DHCP_STATE_OFF);
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 0);
    ck_assert_int_eq(ng_timeouts_listed(), base - 2);
    ng_run_ms(120000);
    ck_assert_uint_eq(fk.nframes, r.frame + 1);     /* the client is quiet */
}
END_TEST

/* The two timers are on the list only while a client runs. */
START_TEST(timers_only_while_a_client_runs)
{
    int base = ng_timeouts_listed();
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    ck_assert_int_eq(ng_timeouts_listed(), base + 2);
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 1);
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);      /* restarting keeps one PCB */
    ck_assert_int_eq(ng_timeouts_listed(), base + 2);
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 1);
    ng_run_ms(5000);
    ck_assert_int_eq(ng_timeouts_listed(), base + 2);
    dhcp_stop(nif);
    ck_assert_int_eq(ng_timeouts_listed(), base);
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 0);
    unsigned n = fk.nframes;
    ng_run_ms(10000);
    ck_assert_uint_eq(fk.nframes, n);

    /* a struct of the caller's own: dhcp_cleanup must not free it */
    static struct dhcp mine;
    dhcp_cleanup(nif);
    dhcp_set_struct(nif, &mine);
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    ck_assert_ptr_eq(nif->dhcp, &mine);
    ck_assert_uint_eq(mine.state, DHCP_STATE_SELECTING);
    dhcp_stop(nif);
    dhcp_remove_struct(nif);
    ck_assert_uint_eq(mem_used(), 0);
}
END_TEST

START_TEST(inform_asks_for_parameters_only)
{
    ip4_addr_t a, m, g;
    ip4addr_aton("10.0.2.15", &a);
    ip4addr_aton("255.255.255.0", &m);
    ip4addr_aton("10.0.2.2", &g);
    netif_set_addr(nif, &a, &m, &g);
    fake_netif_clear(&fk);
    unsigned next = 0;
    ck_assert_int_eq(dhcp_inform(nif), ERR_OK);
    struct sent s = wait_sent(&next, 0);
    ck_assert_uint_eq(s.type, DHCP_INFORM);
    assert_addrs(&s, bcast_mac, our_ip, bcast_ip);
    ck_assert_mem_eq(s.d + 12, our_ip, 4);
    u8_t l;
    ck_assert_ptr_null(opt_find(s.d, s.dlen, 51, &l));      /* RFC 2131 4.4.3 */
    struct reply r;
    reply_begin(&r, DHCP_ACK, s.xid, NULL);
    reply_opt(&r, 54, 4, srv_ip);
    reply_opt(&r, 6, 4, "\x0a\x00\x02\x03");
    inject_unicast(&r, our_ip);
    assert_addr(dns_getserver(0), "10.0.2.3");
    assert_addr(netif_ip4_addr(nif), "10.0.2.15");
    ck_assert(!dhcp_supplied_address(nif));
    unsigned n = fk.nframes;
    ng_run_ms(30000);
    ck_assert_uint_eq(fk.nframes, n);                       /* answered: no retry */
}
END_TEST

START_TEST(bad_arguments)
{
    ck_assert_int_eq(dhcp_start(NULL), ERR_ARG);
    ck_assert_int_eq(dhcp_renew(nif), ERR_ARG);             /* no client */
    ck_assert_int_eq(dhcp_release(nif), ERR_ARG);
    ck_assert_int_eq(dhcp_inform(nif), ERR_ARG);            /* no address */
    ck_assert(!dhcp_supplied_address(nif));
    dhcp_stop(nif);
    ck_assert_int_eq(dhcp_start(nif), ERR_OK);
    ck_assert_int_eq(dhcp_renew(nif), ERR_CONN);            /* no lease yet */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dhcp");
    TCase *tc = ng_tcase(s, "exchange");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, discover_exact_bytes);
    tcase_add_test(tc, full_exchange_to_bound);
    tcase_add_test(tc, discover_retransmission_schedule);
    tcase_add_test(tc, requesting_gives_up_after_four_requests);

    tc = ng_tcase(s, "lease");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, renew_unicast_rebind_broadcast);
    tcase_add_test(tc, lease_expiry_removes_the_address);
    tcase_add_test(tc, nak_in_requesting_backs_off_then_discovers);
    tcase_add_test(tc, nak_in_renewing_removes_the_address);

    tc = ng_tcase(s, "checks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, malformed_and_unmatched_replies_are_counted);
    tcase_add_test(tc, reply_after_stop_finds_no_pcb);

    tc = ng_tcase(s, "api");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, release_is_unicast_and_removes_the_address);
    tcase_add_test(tc, timers_only_while_a_client_runs);
    tcase_add_test(tc, inform_asks_for_parameters_only);
    tcase_add_test(tc, bad_arguments);
    return ng_test_run(s) != 0;
}
