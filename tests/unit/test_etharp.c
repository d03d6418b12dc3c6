/*
 * tests/unit/test_etharp.c - ARP (net/etharp.c, RFC 826) on the fake
 * Ethernet interface, with virtual time (1 tick = 1 ms; etharp_tmr runs
 * from the cyclic timers every second).
 *
 * Covers, with the exact bytes on the wire: the gratuitous ARP of
 * netif_set_up; a request for our address answered (and its sender
 * learnt), a request for another address not answered (ARP_NOT_FOR_US)
 * but refreshing a known sender (RFC 826's merge), replies; output to an
 * unknown neighbour: one request, the packets queued in order and sent on
 * the reply, at most ARP_QUEUE_LEN of them (the oldest dropped,
 * ARP_QUEUE_FULL), PBUF_REF and chained packets copied before queueing;
 * a pending entry re-requested each second and dropped with its packets
 * after ARP_MAXPENDING (ARP_TIMEOUT); stable entries expiring after
 * ARP_MAXAGE and asked for again (unicast, then broadcast) shortly before
 * when in use; the table-full policy (the oldest stable entry is reused,
 * pending and static ones never; ARP_TABLE_FULL); static entries (no
 * ageing, no overwriting, removal); broadcast, multicast and off-subnet
 * (gateway) destinations; malformed packets (ARP_BAD); netif_set_down
 * dropping waiting packets (NETIF_DOWN); and the layer records of the
 * flows. Every test ends with every pool and the heap empty.
 */
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "fake_netif.h"
#include "ng_net_test.h"
#include "trace_capture.h"

static const u8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const u8_t other_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x03 };
static const u8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const u8_t zero6[6] = { 0 };
static const u8_t our_ip[4] = { 10, 0, 2, 15 };
static const u8_t gw_ip[4] = { 10, 0, 2, 2 };
static const u8_t other_ip[4] = { 10, 0, 2, 3 };

static struct fake_netif fk;

static ip4_addr_t ip(const char *s)
{
    ip4_addr_t a;
    ck_assert(ip4addr_aton(s, &a));
    return a;
}

static void setup(void)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    sys_timeouts_init();            /* arms etharp_tmr, due at 1000 */
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    fake_netif_clear(&fk);          /* the gratuitous ARP: see its own test */
}

/* Every test: nothing left in a pool or the heap (the timers' entries are
 * taken back first; they are not the test's). */
static void teardown(void)
{
    netif_set_down(&fk.netif);      /* lets go of packets a test left waiting */
    struct sys_timeo *t;
    while ((t = *sys_timeouts_get_next_timeout()) != NULL)
        sys_untimeout(t->h, t->arg);
    ng_assert_net_clean();
}

/* One ARP packet in an Ethernet frame (RFC 826 layout); 42 bytes. */
static u16_t arp_frame(u8_t *f, const u8_t *eth_dst, const u8_t *eth_src, u16_t op,
                       const u8_t *sha, const u8_t *spa, const u8_t *tha, const u8_t *tpa)
{
    memcpy(f, eth_dst, 6);
    memcpy(f + 6, eth_src, 6);
    static const u8_t fixed[8] = { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04 };
    memcpy(f + 12, fixed, 8);
    f[20] = (u8_t)(op >> 8);
    f[21] = (u8_t)op;
    memcpy(f + 22, sha, 6);
    memcpy(f + 28, spa, 4);
    memcpy(f + 32, tha, 6);
    memcpy(f + 38, tpa, 4);
    return 42;
}

static void inject_arp(const u8_t *eth_dst, const u8_t *eth_src, u16_t op, const u8_t *sha,
                       const u8_t *spa, const u8_t *tha, const u8_t *tpa)
{
    u8_t f[42];
    u16_t n = arp_frame(f, eth_dst, eth_src, op, sha, spa, tha, tpa);
    ck_assert_int_eq(fake_netif_inject(&fk, f, n), ERR_OK);
}

/* The gateway answers our request for it. */
static void gw_replies(void)
{
    inject_arp(our_mac, gw_mac, ARP_REPLY, gw_mac, gw_ip, our_mac, our_ip);
}

/* Frame i must be our broadcast request for tpa. */
static void expect_request(unsigned i, const u8_t *tpa)
{
    u8_t f[42];
    arp_frame(f, bcast, our_mac, ARP_REQUEST, our_mac, our_ip, zero6, tpa);
    fake_frame_eq(fake_netif_frame(&fk, i), f, sizeof f);
}

/* An IPv4 packet of len bytes (tag, tag+1, ...), with room for the
 * Ethernet header in front, as IP hands it to etharp_output. */
static struct pbuf *packet(u8_t tag, u16_t len)
{
    struct pbuf *p = pbuf_alloc(PBUF_LINK, len, PBUF_RAM);
    ck_assert_ptr_nonnull(p);
    for (u16_t i = 0; i < len; i++)
        ((u8_t *)p->payload)[i] = (u8_t)(tag + i);
    return p;
}

/* Frame i must be that packet, framed for dst. */
static void expect_packet(unsigned i, const u8_t *dst, u8_t tag, u16_t len)
{
    u8_t f[FAKE_NETIF_FRAME_MAX];
    memcpy(f, dst, 6);
    memcpy(f + 6, our_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (u16_t k = 0; k < len; k++)
        f[14 + k] = (u8_t)(tag + k);
    fake_frame_eq(fake_netif_frame(&fk, i), f, 14u + len);
}

/* etharp_output as IP calls it: the caller frees the packet afterwards. */
static err_t send_to(const char *dest, u8_t tag, u16_t len)
{
    struct pbuf *p = packet(tag, len);
    ip4_addr_t d = ip(dest);
    err_t err = fk.netif.output(&fk.netif, p, &d);
    pbuf_free(p);
    return err;
}

/* The MAC the cache holds for addr (stable or static), or fail. */
static const u8_t *mac_of(const char *addr)
{
    ip4_addr_t a = ip(addr);
    struct eth_addr *mac = NULL;
    const ip4_addr_t *ipp = NULL;
    ssize_t i = etharp_find_addr(&fk.netif, &a, &mac, &ipp);
    ck_assert_msg(i >= 0, "%s is not in the ARP cache", addr);
    ck_assert(ip4_addr_eq(ipp, &a));
    return mac->addr;
}

static int cached(const char *addr)
{
    ip4_addr_t a = ip(addr);
    return etharp_find_addr(&fk.netif, &a, NULL, NULL) >= 0;
}

static int count_state(u8_t state)
{
    int n = 0;
    for (int i = 0; i < ARP_TABLE_SIZE; i++)
        n += etharp_entry_state((size_t)i) == state;
    return n;
}

static u32_t drops(unsigned reason)
{
    return ng_drop_count[reason];
}

/* Virtual time: n more seconds, running the timers at each. */
static void seconds(int n)
{
    for (int i = 0; i < n; i++) {
        ng_host_advance(1000);
        sys_check_timeouts();
    }
}

/* ---- the bytes of the three kinds of ARP packet we send --------------------- */

START_TEST(gratuitous_arp_on_set_up)
{
    static const u8_t expected[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 2, 15,
    };
    netif_set_down(&fk.netif);
    ck_assert_uint_eq(fk.nframes, 0);
    netif_set_up(&fk.netif);
    ck_assert_uint_eq(fk.nframes, 1);
    fake_frame_eq(fake_netif_frame(&fk, 0), expected, sizeof expected);
    ck_assert_uint_eq(fake_netif_frame(&fk, 0)->pbufs, 1);
    netif_set_up(&fk.netif);                /* already up: nothing new */
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_uint_eq(ng_drops_total(), 0);
}
END_TEST

START_TEST(request_for_us_is_answered_and_sender_learnt)
{
    static const u8_t reply[42] = {
        0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
        0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 10, 0, 2, 2,
    };
    ck_assert(!cached("10.0.2.2"));
    u16_t xmit = lwip_stats.etharp.xmit;    /* the gratuitous ARP of setup */
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, gw_ip, zero6, our_ip);
    ck_assert_uint_eq(fk.nframes, 1);
    fake_frame_eq(fake_netif_frame(&fk, 0), reply, sizeof reply);
    ck_assert_mem_eq(mac_of("10.0.2.2"), gw_mac, 6);
    ck_assert_int_eq(count_state(ETHARP_STATE_STABLE), 1);
    ck_assert_uint_eq(ng_drops_total(), 0);
    ck_assert_uint_eq(lwip_stats.etharp.recv, 1);
    ck_assert_uint_eq(lwip_stats.etharp.xmit, xmit + 1);
}
END_TEST

START_TEST(request_answered_to_its_sender_hardware_address)
{
    /* RFC 826: the reply goes to ar$sha, even if the frame came from
     * another source address (a proxy or a bridge). */
    inject_arp(bcast, other_mac, ARP_REQUEST, gw_mac, gw_ip, zero6, our_ip);
    const struct fake_frame *fr = fake_netif_frame(&fk, 0);
    ck_assert_mem_eq(fr->data, gw_mac, 6);          /* Ethernet destination */
    ck_assert_mem_eq(fr->data + 32, gw_mac, 6);     /* ar$tha */
}
END_TEST

START_TEST(output_to_unknown_neighbour_sends_one_request)
{
    static const u8_t request[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 2, 3,
    };
    ck_assert_int_eq(send_to("10.0.2.3", 1, 40), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    fake_frame_eq(fake_netif_frame(&fk, 0), request, sizeof request);
    ck_assert_int_eq(count_state(ETHARP_STATE_PENDING), 1);
    ck_assert_int_eq(send_to("10.0.2.3", 2, 40), ERR_OK);  /* pending: no second request */
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert(!cached("10.0.2.3"));
    /* what waits is referenced, not copied: one RAM pbuf each */
    ck_assert_uint_eq(memp_in_use(MEMP_ARP_QUEUE), 2);
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF), 0);
}
END_TEST

/* ---- learning: RFC 826 "Packet Reception" -------------------------------------- */

START_TEST(request_for_another_host_is_not_answered_nor_learnt)
{
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, gw_ip, zero6, other_ip);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_uint_eq(drops(NG_drop_ARP_NOT_FOR_US), 1);
    ck_assert_uint_eq(ng_drops_total(), 1);
    ck_assert(!cached("10.0.2.2"));         /* not the target: no new entry */
    ck_assert_int_eq(count_state(ETHARP_STATE_EMPTY), ARP_TABLE_SIZE);
}
END_TEST

START_TEST(known_sender_is_refreshed_by_any_arp)
{
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, gw_ip, zero6, our_ip);
    ck_assert_mem_eq(mac_of("10.0.2.2"), gw_mac, 6);
    seconds(10);
    /* the gateway moved to another card and asks for a third host: the
     * merge step of RFC 826 updates our entry all the same */
    inject_arp(bcast, other_mac, ARP_REQUEST, other_mac, gw_ip, zero6, other_ip);
    ck_assert_mem_eq(mac_of("10.0.2.2"), other_mac, 6);
    ck_assert_uint_eq(drops(NG_drop_ARP_NOT_FOR_US), 1);
    /* ... and its age starts again: ARP_MAXAGE - 1 seconds later it is there */
    seconds(ARP_MAXAGE - 1);
    ck_assert(cached("10.0.2.2"));
    seconds(1);
    ck_assert(!cached("10.0.2.2"));
    ck_assert_uint_eq(fk.nframes, 1);       /* only the first reply */
}
END_TEST

START_TEST(reply_for_us_is_learnt_reply_for_others_is_not)
{
    inject_arp(our_mac, gw_mac, ARP_REPLY, gw_mac, gw_ip, our_mac, our_ip);
    ck_assert_mem_eq(mac_of("10.0.2.2"), gw_mac, 6);
    ck_assert_uint_eq(ng_drops_total(), 0);
    /* a reply to someone else: we learn nothing new from it */
    inject_arp(bcast, other_mac, ARP_REPLY, other_mac, other_ip, gw_mac, gw_ip);
    ck_assert(!cached("10.0.2.3"));
    ck_assert_uint_eq(drops(NG_drop_ARP_NOT_FOR_US), 1);
    ck_assert_uint_eq(fk.nframes, 0);       /* replies are never answered */
}
END_TEST

START_TEST(senders_that_cannot_be_neighbours_are_not_learnt)
{
    static const u8_t bcast_ip[4] = { 10, 0, 2, 255 };
    static const u8_t any_ip[4] = { 0, 0, 0, 0 };
    static const u8_t mcast_ip[4] = { 224, 0, 0, 1 };
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, bcast_ip, zero6, our_ip);
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, any_ip, zero6, our_ip);   /* a probe */
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, mcast_ip, zero6, our_ip);
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, our_ip, zero6, our_ip);   /* a conflict */
    ck_assert_int_eq(count_state(ETHARP_STATE_EMPTY), ARP_TABLE_SIZE);
}
END_TEST

START_TEST(malformed_arp_is_dropped)
{
    u8_t f[42];
    arp_frame(f, bcast, gw_mac, ARP_REQUEST, gw_mac, gw_ip, zero6, our_ip);
    static const struct { int at; u8_t value; } bad[] = {
        { 15, 6 },          /* ar$hrd 6 (IEEE 802) */
        { 16, 0x86 },       /* ar$pro 0x86dd */
        { 18, 8 },          /* ar$hln 8 */
        { 19, 16 },         /* ar$pln 16 */
        { 21, 3 },          /* ar$op 3 (RARP request) */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        u8_t g[42];
        memcpy(g, f, sizeof g);
        g[bad[i].at] = bad[i].value;
        ck_assert_int_eq(fake_netif_inject(&fk, g, sizeof g), ERR_OK);
        ck_assert_uint_eq(drops(NG_drop_ARP_BAD), i + 1);
        /* RFC 826 checks ar$hrd and ar$pro (and we the lengths) before
         * learning, but looks at the opcode only after: the packet with
         * the unknown opcode taught us the sender all the same. */
        ck_assert_int_eq(cached("10.0.2.2"), i == 4);
    }
    ck_assert_int_eq(fake_netif_inject(&fk, f, 41), ERR_OK);   /* one byte short */
    ck_assert_uint_eq(drops(NG_drop_ARP_BAD), 6);
    ck_assert_uint_eq(ng_drops_total(), 6);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_uint_eq(lwip_stats.etharp.err, 1);
    ck_assert_uint_eq(lwip_stats.etharp.proterr, 4);
    ck_assert_uint_eq(lwip_stats.etharp.lenerr, 1);
}
END_TEST

/* ---- waiting for a reply ------------------------------------------------------ */

START_TEST(queued_packets_go_out_in_order_on_the_reply)
{
    ck_assert_int_eq(send_to("10.0.2.2", 10, 40), ERR_OK);
    ck_assert_int_eq(send_to("10.0.2.2", 20, 60), ERR_OK);
    ck_assert_int_eq(send_to("10.0.2.2", 30, 1480), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    expect_request(0, gw_ip);
    ck_assert_uint_eq(memp_in_use(MEMP_ARP_QUEUE), 3);

    gw_replies();
    ck_assert_uint_eq(fk.nframes, 4);
    expect_packet(1, gw_mac, 10, 40);
    expect_packet(2, gw_mac, 20, 60);
    expect_packet(3, gw_mac, 30, 1480);
    ck_assert_uint_eq(memp_in_use(MEMP_ARP_QUEUE), 0);

    /* known now: straight out */
    ck_assert_int_eq(send_to("10.0.2.2", 40, 20), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 5);
    expect_packet(4, gw_mac, 40, 20);
    ck_assert_uint_eq(ng_drops_total(), 0);
}
END_TEST

START_TEST(queue_keeps_the_newest_arp_queue_len)
{
    ck_assert_int_eq(ARP_QUEUE_LEN, 3);
    for (u8_t k = 1; k <= 5; k++)
        ck_assert_int_eq(send_to("10.0.2.2", (u8_t)(k * 10), 30), ERR_OK);
    ck_assert_uint_eq(drops(NG_drop_ARP_QUEUE_FULL), 2);   /* packets 10 and 20 */
    ck_assert_uint_eq(memp_in_use(MEMP_ARP_QUEUE), 3);
    gw_replies();
    ck_assert_uint_eq(fk.nframes, 4);
    expect_packet(1, gw_mac, 30, 30);
    expect_packet(2, gw_mac, 40, 30);
    expect_packet(3, gw_mac, 50, 30);
}
END_TEST

START_TEST(ref_and_chained_packets_are_copied_before_waiting)
{
    /* A PBUF_REF packet: its bytes are the caller's, who may reuse them. */
    static u8_t data[100];
    for (int i = 0; i < 100; i++)
        data[i] = (u8_t)(0x40 + i);
    struct pbuf *hdr = pbuf_alloc(PBUF_LINK, 20, PBUF_RAM);
    ck_assert_ptr_nonnull(hdr);
    for (int i = 0; i < 20; i++)
        ((u8_t *)hdr->payload)[i] = (u8_t)(0x2c + i);     /* continues 0x40.. */
    struct pbuf *ref = pbuf_alloc_reference(data, sizeof data, PBUF_REF);
    ck_assert_ptr_nonnull(ref);
    pbuf_cat(hdr, ref);                     /* a chain: RAM header + REF payload */
    ip4_addr_t gw = ip("10.0.2.2");
    ck_assert_int_eq(etharp_output(&fk.netif, hdr, &gw), ERR_OK);
    pbuf_free(hdr);
    memset(data, 0xee, sizeof data);        /* the caller reuses its buffer */
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF), 0);      /* nothing of the REF is kept */

    struct pbuf *rom = pbuf_alloc_reference((void *)"ROM-packet-bytes", 16, PBUF_ROM);
    ck_assert_ptr_nonnull(rom);
    ck_assert_int_eq(etharp_output(&fk.netif, rom, &gw), ERR_OK);
    pbuf_free(rom);
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF), 0);

    gw_replies();
    ck_assert_uint_eq(fk.nframes, 3);
    expect_packet(1, gw_mac, 0x2c, 120);
    ck_assert_uint_eq(fake_netif_frame(&fk, 1)->pbufs, 1);    /* one PBUF_RAM copy */
    ck_assert_mem_eq(fake_netif_frame(&fk, 2)->data + 14, "ROM-packet-bytes", 16);
}
END_TEST

START_TEST(pending_entry_asks_each_second_then_gives_up)
{
    ng_host_advance(500);                   /* half-way between two etharp_tmr runs */
    ck_assert_int_eq(send_to("10.0.2.3", 1, 40), ERR_OK);
    ck_assert_int_eq(send_to("10.0.2.3", 2, 40), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    for (int s = 1; s < ARP_MAXPENDING; s++) {
        seconds(1);                         /* t = s * 1000 + 500 ... the run at s * 1000 */
        ck_assert_uint_eq(fk.nframes, (unsigned)s + 1);
        expect_request((unsigned)s, other_ip);
        ck_assert_int_eq(count_state(ETHARP_STATE_PENDING), 1);
        ck_assert_uint_eq(drops(NG_drop_ARP_TIMEOUT), 0);
    }
    seconds(1);                             /* the ARP_MAXPENDING-th run: no more asking */
    ck_assert_uint_eq(fk.nframes, ARP_MAXPENDING);
    ck_assert_int_eq(count_state(ETHARP_STATE_PENDING), 0);
    ck_assert_uint_eq(drops(NG_drop_ARP_TIMEOUT), 2);
    ck_assert_uint_eq(memp_in_use(MEMP_ARP_QUEUE), 0);
    seconds(3);
    ck_assert_uint_eq(fk.nframes, ARP_MAXPENDING);
    /* a late reply is still welcome, from a host we asked... */
    inject_arp(our_mac, other_mac, ARP_REPLY, other_mac, other_ip, our_mac, our_ip);
    ck_assert(cached("10.0.2.3"));
}
END_TEST

START_TEST(netif_down_drops_the_waiting_packets)
{
    ck_assert_int_eq(send_to("10.0.2.2", 1, 40), ERR_OK);
    ck_assert_int_eq(send_to("10.0.2.3", 2, 40), ERR_OK);
    ck_assert_int_eq(send_to("10.0.2.3", 3, 40), ERR_OK);
    netif_set_down(&fk.netif);
    ck_assert_uint_eq(drops(NG_drop_NETIF_DOWN), 3);
    ck_assert_int_eq(count_state(ETHARP_STATE_EMPTY), ARP_TABLE_SIZE);
}
END_TEST

/* ---- ageing ------------------------------------------------------------------- */

START_TEST(stable_entry_expires_after_arp_maxage)
{
    gw_replies();                           /* learnt at t = 0 */
    seconds(ARP_MAXAGE - 1);
    ck_assert(cached("10.0.2.2"));
    seconds(1);
    ck_assert(!cached("10.0.2.2"));
    ck_assert_int_eq(count_state(ETHARP_STATE_EMPTY), ARP_TABLE_SIZE);
    ck_assert_uint_eq(fk.nframes, 0);       /* unused entries expire in silence */
    ck_assert_int_eq(send_to("10.0.2.2", 1, 20), ERR_OK);
    expect_request(0, gw_ip);               /* and must be asked for again */
}
END_TEST

START_TEST(used_entry_is_asked_for_before_it_expires)
{
    u8_t unicast_req[42];
    arp_frame(unicast_req, gw_mac, our_mac, ARP_REQUEST, our_mac, our_ip, zero6, gw_ip);

    gw_replies();
    seconds(ARP_AGE_REREQUEST_USED_UNICAST - 1);
    ck_assert_int_eq(send_to("10.0.2.2", 1, 20), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);       /* young enough: just the packet */
    seconds(1);
    ck_assert_int_eq(send_to("10.0.2.2", 2, 20), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 3);       /* unicast request, then the packet */
    fake_frame_eq(fake_netif_frame(&fk, 1), unicast_req, sizeof unicast_req);
    expect_packet(2, gw_mac, 2, 20);
    ck_assert_int_eq(send_to("10.0.2.2", 3, 20), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 4);       /* one request per second at most */

    /* no answer; nearer the end the request is broadcast */
    seconds(ARP_AGE_REREQUEST_USED_BROADCAST - ARP_AGE_REREQUEST_USED_UNICAST);
    fake_netif_clear(&fk);
    ck_assert_int_eq(send_to("10.0.2.2", 4, 20), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 2);
    expect_request(0, gw_ip);
    expect_packet(1, gw_mac, 4, 20);

    /* the reply refreshes the entry: a full ARP_MAXAGE from now */
    gw_replies();
    seconds(ARP_MAXAGE - 1);
    ck_assert(cached("10.0.2.2"));
    seconds(1);
    ck_assert(!cached("10.0.2.2"));
}
END_TEST

/* ---- a full table -------------------------------------------------------------- */

/* Learn 10.0.2.(first..first+n-1), one a second, oldest first. */
static void learn_hosts(int first, int n)
{
    for (int k = 0; k < n; k++) {
        u8_t mac[6] = { 0x02, 0, 0, 0, 0, (u8_t)(first + k) };
        u8_t sip[4] = { 10, 0, 2, (u8_t)(first + k) };
        inject_arp(bcast, mac, ARP_REQUEST, mac, sip, zero6, our_ip);
        seconds(1);
    }
}

START_TEST(full_table_reuses_the_oldest_stable_entry)
{
    learn_hosts(100, ARP_TABLE_SIZE);       /* 10.0.2.100 is the oldest */
    ck_assert_int_eq(count_state(ETHARP_STATE_STABLE), ARP_TABLE_SIZE);
    fake_netif_clear(&fk);
    ck_assert_int_eq(send_to("10.0.2.3", 1, 20), ERR_OK);
    expect_request(0, other_ip);
    ck_assert(!cached("10.0.2.100"));
    for (int k = 1; k < ARP_TABLE_SIZE; k++) {
        char a[24];
        snprintf(a, sizeof a, "10.0.2.%d", 100 + k);
        ck_assert_msg(cached(a), "%s was replaced", a);
    }
    ck_assert_int_eq(count_state(ETHARP_STATE_PENDING), 1);
    ck_assert_uint_eq(drops(NG_drop_ARP_TABLE_FULL), 0);    /* no packet was lost */
}
END_TEST

START_TEST(full_table_of_pending_and_static_entries_refuses)
{
    struct eth_addr m = { { 0x02, 0, 0, 0, 0, 0x50 } };
    ip4_addr_t s = ip("10.0.2.50");
    ck_assert_int_eq(etharp_add_static_entry(&s, &m), ERR_OK);
    for (int k = 0; k < ARP_TABLE_SIZE - 1; k++) {
        char a[24];
        snprintf(a, sizeof a, "10.0.2.%d", 60 + k);
        ck_assert_int_eq(send_to(a, (u8_t)k, 20), ERR_OK);
    }
    ck_assert_int_eq(count_state(ETHARP_STATE_PENDING), ARP_TABLE_SIZE - 1);
    unsigned sent = fk.nframes;
    ck_assert_int_eq(send_to("10.0.2.99", 1, 20), ERR_MEM);
    ck_assert_uint_eq(drops(NG_drop_ARP_TABLE_FULL), 1);
    ck_assert_uint_eq(fk.nframes, sent);    /* no request for it either */
    ck_assert_mem_eq(mac_of("10.0.2.50"), m.addr, 6);
    /* a request for us from a new host cannot be learnt, but is answered */
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, gw_ip, zero6, our_ip);
    ck_assert_uint_eq(fk.nframes, sent + 1);
    ck_assert(!cached("10.0.2.2"));
}
END_TEST

/* ---- static entries ------------------------------------------------------------- */

START_TEST(static_entry_neither_ages_nor_yields)
{
    struct eth_addr m = { { 0x02, 0, 0, 0, 0, 0x09 } };
    ip4_addr_t s = ip("10.0.2.9");
    ck_assert_int_eq(etharp_add_static_entry(&s, &m), ERR_OK);
    ck_assert_int_eq(count_state(ETHARP_STATE_STATIC), 1);
    ck_assert_int_eq(send_to("10.0.2.9", 1, 20), ERR_OK);      /* no request needed */
    ck_assert_uint_eq(fk.nframes, 1);
    expect_packet(0, m.addr, 1, 20);

    /* the wire cannot change it */
    u8_t nine[4] = { 10, 0, 2, 9 };
    inject_arp(our_mac, gw_mac, ARP_REPLY, gw_mac, nine, our_mac, our_ip);
    ck_assert_mem_eq(mac_of("10.0.2.9"), m.addr, 6);
    /* time cannot either */
    seconds(ARP_MAXAGE + 5);
    ck_assert_mem_eq(mac_of("10.0.2.9"), m.addr, 6);
    /* nor a full table */
    learn_hosts(100, ARP_TABLE_SIZE);
    ck_assert_mem_eq(mac_of("10.0.2.9"), m.addr, 6);
    ck_assert_int_eq(count_state(ETHARP_STATE_STABLE), ARP_TABLE_SIZE - 1);

    /* only removing it does; a learnt entry is not removable that way */
    ip4_addr_t learnt = ip("10.0.2.107");
    ck_assert_int_eq(etharp_remove_static_entry(&learnt), ERR_ARG);
    ck_assert_int_eq(etharp_remove_static_entry(&s), ERR_OK);
    ck_assert(!cached("10.0.2.9"));
    ck_assert_int_eq(etharp_remove_static_entry(&s), ERR_MEM);
    ip4_addr_t far = ip("192.0.2.1");
    netif_set_default(NULL);
    ck_assert_int_eq(etharp_add_static_entry(&far, &m), ERR_RTE);    /* on no subnet */
}
END_TEST

/* ---- where a packet goes ---------------------------------------------------------- */

START_TEST(broadcast_and_multicast_need_no_arp)
{
    static const u8_t mdns[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
    static const u8_t m239[6] = { 0x01, 0x00, 0x5e, 0x01, 0x01, 0x02 };
    ck_assert_int_eq(send_to("10.0.2.255", 1, 20), ERR_OK);
    ck_assert_int_eq(send_to("255.255.255.255", 2, 20), ERR_OK);
    ck_assert_int_eq(send_to("224.0.0.251", 3, 20), ERR_OK);
    ck_assert_int_eq(send_to("239.129.1.2", 4, 20), ERR_OK);   /* bit 23 is not mapped */
    ck_assert_uint_eq(fk.nframes, 4);
    expect_packet(0, bcast, 1, 20);
    expect_packet(1, bcast, 2, 20);
    expect_packet(2, mdns, 3, 20);
    expect_packet(3, m239, 4, 20);
    ck_assert_int_eq(count_state(ETHARP_STATE_EMPTY), ARP_TABLE_SIZE);
}
END_TEST

START_TEST(off_subnet_goes_through_the_gateway)
{
    ck_assert_int_eq(send_to("192.0.2.7", 1, 20), ERR_OK);
    expect_request(0, gw_ip);               /* we ask for the gateway, not 192.0.2.7 */
    gw_replies();
    ck_assert_int_eq(send_to("198.51.100.1", 2, 20), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 3);
    expect_packet(1, gw_mac, 1, 20);
    expect_packet(2, gw_mac, 2, 20);
    ck_assert_int_eq(count_state(ETHARP_STATE_STABLE), 1);

    ip4_addr_t none = ip("0.0.0.0");
    netif_set_gw(&fk.netif, &none);
    ck_assert_int_eq(send_to("192.0.2.7", 3, 20), ERR_RTE);
    ck_assert_uint_eq(drops(NG_drop_IP_NO_ROUTE), 1);
    ck_assert_uint_eq(fk.nframes, 3);
}
END_TEST

START_TEST(query_and_find_from_the_api)
{
    ip4_addr_t gw = ip("10.0.2.2");
    ck_assert_int_eq(etharp_query(&fk.netif, &gw, NULL), ERR_OK);  /* just ask */
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_int_eq(etharp_query(&fk.netif, &gw, NULL), ERR_OK);  /* ask again */
    ck_assert_uint_eq(fk.nframes, 2);
    ck_assert_int_eq(etharp_find_addr(&fk.netif, &gw, NULL, NULL), -1);    /* pending */
    gw_replies();
    struct eth_addr *mac;
    const ip4_addr_t *ipp;
    ssize_t i = etharp_find_addr(NULL, &gw, &mac, &ipp);
    ck_assert_int_ge(i, 0);
    ck_assert_mem_eq(mac->addr, gw_mac, 6);
    ip4_addr_t *ip2;
    struct netif *n;
    struct eth_addr *mac2;
    ck_assert_int_eq(etharp_get_entry((size_t)i, &ip2, &n, &mac2), 1);
    ck_assert_ptr_eq(n, &fk.netif);
    ck_assert(ip4_addr_eq(ip2, &gw));
    ck_assert_int_eq(etharp_get_entry(ARP_TABLE_SIZE, &ip2, &n, &mac2), 0);
    ip4_addr_t b = ip("255.255.255.255");
    struct pbuf *p = packet(1, 20);
    ck_assert_int_eq(etharp_query(&fk.netif, &b, p), ERR_ARG);
    pbuf_free(p);
}
END_TEST

/* ---- the flows, as the trace shows them -------------------------------------------- */

/* The link layer's own functions (other layers' timers may run too). */
static int is_link_layer(int fn)
{
    static const int ours[] = {
        NG_layer_ethernet_input, NG_layer_etharp_input, NG_layer_update_arp_entry,
        NG_layer_etharp_output, NG_layer_etharp_query, NG_layer_etharp_send_ip,
        NG_layer_etharp_request, NG_layer_ethernet_output, NG_layer_etharp_tmr,
    };
    for (unsigned i = 0; i < sizeof ours / sizeof ours[0]; i++)
        if (fn == ours[i])
            return 1;
    return 0;
}

/* The link layer functions entered, in order, between tc_start and
 * ng_trace_stop; and every entry (of any layer) is matched by an exit,
 * properly nested. */
static int layers(int *fn, int max)
{
    ck_assert_ptr_null(tc_parse());
    int n = 0, depth = 0;
    for (uint32_t i = 0; i < tc_nrecs; i++) {
        if (tc_recs[i].id == NG_EV_LAYER_ENTER) {
            if (is_link_layer(tc_recs[i].a)) {
                ck_assert_int_lt(n, max);
                fn[n++] = tc_recs[i].a;
            }
            depth++;
        } else if (tc_recs[i].id == NG_EV_LAYER_EXIT) {
            depth--;
            ck_assert_int_ge(depth, 0);
        }
    }
    ck_assert_int_eq(depth, 0);
    return n;
}

#define ck_assert_layers(...) do { \
        static const int want_[] = { __VA_ARGS__ }; \
        int got_[64]; \
        int n_ = layers(got_, 64); \
        ck_assert_int_eq(n_, (int)(sizeof want_ / sizeof want_[0])); \
        for (int k_ = 0; k_ < n_; k_++) \
            ck_assert_msg(got_[k_] == want_[k_], "layer %d: got %d, expected %d", k_, \
                          got_[k_], want_[k_]); \
    } while (0)

START_TEST(trace_of_a_request_answered)
{
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    inject_arp(bcast, gw_mac, ARP_REQUEST, gw_mac, gw_ip, zero6, our_ip);
    ng_trace_stop(0);
    ck_assert_layers(NG_layer_ethernet_input, NG_layer_etharp_input, NG_layer_update_arp_entry,
                     NG_layer_ethernet_output);
}
END_TEST

START_TEST(trace_of_output_resolving_then_sending)
{
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    ck_assert_int_eq(send_to("10.0.2.2", 1, 20), ERR_OK);  /* ask and queue */
    gw_replies();                                           /* learn and flush */
    ck_assert_int_eq(send_to("10.0.2.2", 2, 20), ERR_OK);  /* known */
    seconds(1);                                             /* the timer */
    ng_trace_stop(0);
    ck_assert_layers(NG_layer_etharp_output, NG_layer_etharp_query, NG_layer_etharp_request,
                     NG_layer_ethernet_output,
                     NG_layer_ethernet_input, NG_layer_etharp_input, NG_layer_update_arp_entry,
                     NG_layer_etharp_send_ip, NG_layer_ethernet_output,
                     NG_layer_etharp_output, NG_layer_etharp_send_ip, NG_layer_ethernet_output,
                     NG_layer_etharp_tmr);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("etharp");
    TCase *tc = ng_tcase(s, "wire");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, gratuitous_arp_on_set_up);
    tcase_add_test(tc, request_for_us_is_answered_and_sender_learnt);
    tcase_add_test(tc, request_answered_to_its_sender_hardware_address);
    tcase_add_test(tc, output_to_unknown_neighbour_sends_one_request);

    tc = ng_tcase(s, "learning");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, request_for_another_host_is_not_answered_nor_learnt);
    tcase_add_test(tc, known_sender_is_refreshed_by_any_arp);
    tcase_add_test(tc, reply_for_us_is_learnt_reply_for_others_is_not);
    tcase_add_test(tc, senders_that_cannot_be_neighbours_are_not_learnt);
    tcase_add_test(tc, malformed_arp_is_dropped);

    tc = ng_tcase(s, "queue");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, queued_packets_go_out_in_order_on_the_reply);
    tcase_add_test(tc, queue_keeps_the_newest_arp_queue_len);
    tcase_add_test(tc, ref_and_chained_packets_are_copied_before_waiting);
    tcase_add_test(tc, pending_entry_asks_each_second_then_gives_up);
    tcase_add_test(tc, netif_down_drops_the_waiting_packets);

    tc = ng_tcase(s, "ageing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, stable_entry_expires_after_arp_maxage);
    tcase_add_test(tc, used_entry_is_asked_for_before_it_expires);

    tc = ng_tcase(s, "table");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, full_table_reuses_the_oldest_stable_entry);
    tcase_add_test(tc, full_table_of_pending_and_static_entries_refuses);
    tcase_add_test(tc, static_entry_neither_ages_nor_yields);

    tc = ng_tcase(s, "routing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, broadcast_and_multicast_need_no_arp);
    tcase_add_test(tc, off_subnet_goes_through_the_gateway);
    tcase_add_test(tc, query_and_find_from_the_api);

    tc = ng_tcase(s, "trace");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, trace_of_a_request_answered);
    tcase_add_test(tc, trace_of_output_resolving_then_sending);

    return ng_test_run(s) != 0;
}
