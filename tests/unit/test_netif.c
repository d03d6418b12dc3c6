/*
 * tests/unit/test_netif.c - interfaces (net/netif.c), the loopback path
 * and IPv4 addresses (net/ip4_addr.c).
 *
 * Covers: netif_init adding lo0 (127.0.0.1/8, up, registered by name);
 * netif_add numbering interfaces, naming them in the kernel registry
 * ("fk1"), finding them by name and by index, refusing one whose init
 * fails; netif_remove (list, default, registry); administrative and link
 * state with their callbacks, the gratuitous ARP sent when both are up
 * (and on a new address), the ARP cache forgotten when going down;
 * netif_input choosing Ethernet or IP; the loopback: a packet sent comes
 * back through tcpip_thread (after the sender has returned, as a copy),
 * at most LWIP_LOOPBACK_MAX_PBUFS wait (LOOP_FULL), an Ethernet
 * interface's own packets loop back to IP without Ethernet, a removed
 * interface drops what waited (NETIF_DOWN); and addresses: inet_aton's
 * forms, ntoa, broadcast per RFC 1122 3.2.1.3, netmask validity. Every
 * test ends with every pool and the heap empty.
 */
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/ip4.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "fake_netif.h"
#include "ng_net_test.h"
#include "trace_capture.h"

static struct fake_netif fk, fk2;

static ip4_addr_t ip(const char *s)
{
    ip4_addr_t a;
    ck_assert_msg(ip4addr_aton(s, &a), "bad address %s", s);
    return a;
}

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    tlog_reset();
}

static void teardown(void)
{
    if (netif_is_up(&fk.netif))
        netif_set_down(&fk.netif);
    ng_assert_net_clean();
}

/* ---- the interface list ------------------------------------------------------ */

START_TEST(netif_init_adds_the_loopback_interface)
{
    ck_assert_ptr_eq(netif_list, &netif_loopif);
    ck_assert_ptr_null(netif_loopif.next);
    ck_assert_ptr_eq(netif_find("lo0"), &netif_loopif);
    ck_assert_ptr_eq(netif_find("lo"), &netif_loopif);     /* no number: 0 */
    ip4_addr_t lo = ip("127.0.0.1"), mask = ip("255.0.0.0");
    ck_assert(ip4_addr_eq(netif_ip4_addr(&netif_loopif), &lo));
    ck_assert(ip4_addr_eq(netif_ip4_netmask(&netif_loopif), &mask));
    ck_assert(netif_is_up(&netif_loopif));
    ck_assert(netif_is_link_up(&netif_loopif));
    ck_assert_uint_eq(netif_loopif.flags & (NETIF_FLAG_ETHARP | NETIF_FLAG_BROADCAST), 0);
    ck_assert_uint_eq(netif_get_index(&netif_loopif), 1);
    ck_assert_ptr_eq(netif_get_by_index(1), &netif_loopif);
    ck_assert_ptr_null(netif_default);
    u8_t id = netif_loopif.trace_id;
    ck_assert_uint_ne(id, 0);
    ck_assert_ptr_eq(ng_registry[id].addr, &netif_loopif);
    ck_assert_str_eq(ng_registry[id].name, "lo0");
    ck_assert_uint_eq(ng_registry[id].kind, NG_KIND_NETIF);
}
END_TEST

static err_t failing_init(struct netif *netif)
{
    (void)netif;
    return ERR_IF;
}

START_TEST(netif_add_numbers_names_and_finds)
{
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    fake_netif_add(&fk2, "192.0.2.1", "255.255.255.0", NULL, NULL);
    ck_assert_uint_eq(fk.netif.num, 1);
    ck_assert_uint_eq(fk2.netif.num, 2);
    ck_assert_ptr_eq(netif_list, &fk2.netif);           /* newest first */
    ck_assert_ptr_eq(fk2.netif.next, &fk.netif);
    ck_assert_ptr_eq(netif_find("fk1"), &fk.netif);
    ck_assert_ptr_eq(netif_find("fk2"), &fk2.netif);
    ck_assert_ptr_null(netif_find("fk3"));
    ck_assert_ptr_null(netif_find("fk"));
    ck_assert_ptr_null(netif_find("lo1"));
    ck_assert_ptr_null(netif_find("fk1x"));
    ck_assert_ptr_null(netif_find("f"));
    ck_assert_ptr_null(netif_find(NULL));
    ck_assert_ptr_eq(netif_get_by_index(2), &fk.netif);
    ck_assert_ptr_eq(netif_get_by_index(3), &fk2.netif);
    ck_assert_ptr_null(netif_get_by_index(0));
    ck_assert_ptr_null(netif_get_by_index(4));
    ck_assert_str_eq(ng_registry[fk2.netif.trace_id].name, "fk2");
    ck_assert_uint_eq(fk.netif.mtu, 1500);
    ck_assert(!netif_is_up(&fk.netif));
    ip4_addr_t a = ip("10.0.2.15");
    ck_assert(ip4_addr_eq(netif_ip4_addr(&fk.netif), &a));

    static struct netif bad;
    ck_assert_ptr_null(netif_add(&bad, NULL, NULL, NULL, NULL, failing_init, netif_input));
    ck_assert_ptr_eq(netif_list, &fk2.netif);
    fake_netif_add(&fk, NULL, NULL, NULL, NULL);        /* fk again: a fresh number */
    ck_assert_uint_eq(fk.netif.num, 3);
}
END_TEST

START_TEST(netif_remove_unlinks_and_unregisters)
{
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    fake_netif_add(&fk2, "192.0.2.1", "255.255.255.0", NULL, NULL);
    netif_set_default(&fk.netif);
    ck_assert_ptr_eq(netif_default, &fk.netif);
    netif_set_up(&fk.netif);
    u8_t id = fk.netif.trace_id;
    netif_remove(&fk.netif);
    ck_assert_ptr_null(netif_default);
    ck_assert_ptr_null(netif_find("fk1"));
    ck_assert_ptr_eq(fk2.netif.next, &netif_loopif);
    ck_assert_ptr_null(ng_registry[id].addr);
    ck_assert(!netif_is_up(&fk.netif));
    netif_remove(&fk.netif);                /* twice: nothing happens */
    netif_remove(NULL);
    ck_assert_ptr_eq(netif_list, &fk2.netif);
}
END_TEST

/* ---- up, down, link -------------------------------------------------------------- */

static void status_cb(struct netif *n)
{
    tlog(100 + netif_is_up(n));
}

static void link_cb(struct netif *n)
{
    tlog(200 + netif_is_link_up(n));
}

START_TEST(admin_and_link_state_with_callbacks)
{
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    fk.netif.flags &= (u8_t)~NETIF_FLAG_LINK_UP;        /* a driver that waits for its PHY */
    netif_set_status_callback(&fk.netif, status_cb);
    netif_set_link_callback(&fk.netif, link_cb);

    netif_set_up(&fk.netif);
    ck_assert_uint_eq(fk.nframes, 0);       /* no link: nobody to tell */
    netif_set_link_up(&fk.netif);
    ck_assert_uint_eq(fk.nframes, 1);       /* now the gratuitous ARP */
    ck_assert_uint_eq(fake_netif_frame(&fk, 0)->data[21], ARP_REQUEST);
    ck_assert_mem_eq(fake_netif_frame(&fk, 0)->data + 38, "\x0a\x00\x02\x0f", 4);
    netif_set_link_up(&fk.netif);           /* no change: no callback, no frame */
    netif_set_up(&fk.netif);
    netif_set_link_down(&fk.netif);
    netif_set_link_down(&fk.netif);
    netif_set_down(&fk.netif);
    netif_set_down(&fk.netif);
    netif_set_link_up(&fk.netif);           /* link while down: no announcement */
    ck_assert_uint_eq(fk.nframes, 1);
    netif_set_up(&fk.netif);                /* link was up first: announce now */
    ck_assert_uint_eq(fk.nframes, 2);
    ck_assert_log(101, 201, 200, 100, 201, 101);
}
END_TEST

START_TEST(going_down_forgets_the_arp_cache)
{
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    static const u8_t reply[42] = {
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
        0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 10, 0, 2, 2,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
    };
    ck_assert_int_eq(fake_netif_inject(&fk, reply, sizeof reply), ERR_OK);
    ip4_addr_t gw = ip("10.0.2.2");
    ck_assert_int_ge(etharp_find_addr(&fk.netif, &gw, NULL, NULL), 0);
    netif_set_link_down(&fk.netif);         /* the cable: entries stay */
    ck_assert_int_ge(etharp_find_addr(&fk.netif, &gw, NULL, NULL), 0);
    netif_set_down(&fk.netif);              /* the administrator: they go */
    ck_assert_int_eq(etharp_find_addr(&fk.netif, &gw, NULL, NULL), -1);
}
END_TEST

START_TEST(new_address_is_announced)
{
    fake_netif_add(&fk, NULL, NULL, NULL, NULL);
    netif_set_status_callback(&fk.netif, status_cb);
    netif_set_up(&fk.netif);
    ck_assert_uint_eq(fk.nframes, 0);       /* no address: nothing to announce */
    ip4_addr_t a = ip("10.0.2.15"), m = ip("255.255.255.0"), g = ip("10.0.2.2");
    netif_set_addr(&fk.netif, &a, &m, &g);
    ck_assert_uint_eq(fk.nframes, 1);
    const struct fake_frame *fr = fake_netif_frame(&fk, 0);
    ck_assert_mem_eq(fr->data + 28, "\x0a\x00\x02\x0f", 4);    /* sender: the new address */
    ck_assert_mem_eq(fr->data + 38, "\x0a\x00\x02\x0f", 4);    /* target: the same */
    ck_assert(ip4_addr_eq(netif_ip4_netmask(&fk.netif), &m));
    ck_assert(ip4_addr_eq(netif_ip4_gw(&fk.netif), &g));
    netif_set_ipaddr(&fk.netif, &a);        /* the same again: nothing */
    ck_assert_uint_eq(fk.nframes, 1);
    netif_set_addr(&fk.netif, NULL, NULL, NULL);
    ck_assert(ip4_addr_isany_val(fk.netif.ip_addr));
    ck_assert(ip4_addr_isany_val(fk.netif.gw));
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_log(101, 101, 101);           /* up, then each address change */
}
END_TEST

/* An address change: the TCP connections on the old address cannot go on
 * and are aborted (the err callback hears ERR_ABRT), a listener and a UDP
 * PCB bound to it move to the new one (what a new DHCP lease does). */
static err_t tcp_err_seen;
static void tcp_err_record(void *arg, err_t err)
{
    (void)arg;
    tcp_err_seen = err;
}

START_TEST(address_change_moves_or_aborts_the_pcbs)
{
    tcp_init();
    ip4_addr_t a = ip("10.0.2.15"), b = ip("10.0.2.16"), g = ip("10.0.2.2");
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    struct udp_pcb *u = udp_new();
    ck_assert_int_eq(udp_bind(u, &a, 5000), ERR_OK);
    struct tcp_pcb *l = tcp_new();
    ck_assert_int_eq(tcp_bind(l, &a, 80), ERR_OK);
    l = tcp_listen(l);
    ck_assert_ptr_nonnull(l);
    struct tcp_pcb *c = tcp_new();
    ck_assert_int_eq(tcp_bind(c, &a, 0), ERR_OK);
    tcp_err(c, tcp_err_record);
    tcp_err_seen = ERR_OK;
    ck_assert_int_eq(tcp_connect(c, &g, 7, NULL), ERR_OK);     /* SYN_SENT on a */
    netif_set_ipaddr(&fk.netif, &b);
    ck_assert_int_eq(tcp_err_seen, ERR_ABRT);
    ck_assert(ip4_addr_eq(&u->local_ip, &b));
    ck_assert(ip4_addr_eq(&l->local_ip, &b));
    udp_remove(u);
    ck_assert_int_eq(tcp_close(l), ERR_OK);
    netif_set_down(&fk.netif);
    tcp_init();                 /* no PCB left: its timer goes too */
}
END_TEST

START_TEST(netif_input_chooses_the_layer)
{
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    u8_t frame[34] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02,
                       0x08, 0x00, 0x00 };
    ck_assert_int_eq(fake_netif_inject(&fk, frame, sizeof frame), ERR_OK);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 20, PBUF_POOL);
    ck_assert_ptr_nonnull(p);
    memset(p->payload, 0, 20);
    ck_assert_int_eq(netif_input(p, &netif_loopif), ERR_OK);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    int seq[8], n = 0;
    for (uint32_t i = 0; i < tc_nrecs && n < 8; i++)
        if (tc_recs[i].id == NG_EV_LAYER_ENTER &&
            (tc_recs[i].a == NG_layer_ethernet_input || tc_recs[i].a == NG_layer_ip4_input))
            seq[n++] = tc_recs[i].a;
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(seq[0], NG_layer_ethernet_input);
    ck_assert_int_eq(seq[1], NG_layer_ip4_input);
    ck_assert_int_eq(seq[2], NG_layer_ip4_input);           /* lo0: no Ethernet */
}
END_TEST

/* ---- loopback, through tcpip_thread ----------------------------------------------- */

static void stop_timers(void *arg)
{
    (void)arg;
    struct sys_timeo *t;
    while ((t = *sys_timeouts_get_next_timeout()) != NULL)
        sys_untimeout(t->h, t->arg);
}

static void setup_tcpip(void)
{
    ng_host_boot();
    tcpip_init(NULL, NULL);             /* lwip_init, then tcpip_thread (outranks main) */
    tlog_reset();
}

static void teardown_tcpip(void)
{
    ck_assert_int_eq(tcpip_callback(stop_timers, NULL), ERR_OK);
    ng_assert_net_clean();
}

/* An IPv4 packet that IP will refuse at once (version 0), tagged. */
static struct pbuf *loop_packet(u8_t tag)
{
    struct pbuf *p = pbuf_alloc(PBUF_IP, 24, PBUF_RAM);
    ck_assert_ptr_nonnull(p);
    memset(p->payload, tag, 24);
    ((u8_t *)p->payload)[0] = 0x05;
    return p;
}

static struct netif *loop_netif;
static int loop_count;
static err_t loop_results[16];
static struct pbuf *loop_sent[16];

/* In tcpip_thread: send loop_count packets to loop_netif, as IP would. */
static void send_loops(void *arg)
{
    (void)arg;
    for (int i = 0; i < loop_count; i++) {
        struct pbuf *p = loop_packet((u8_t)(0x10 + i));
        loop_sent[i] = p;
        loop_results[i] = netif_loop_output(loop_netif, p);
        pbuf_free(p);                   /* the caller's, as after any output */
    }
    tlog(loop_netif->loop_cnt_current);
}

static void run_loops(struct netif *n, int count)
{
    loop_netif = n;
    loop_count = count;
    ck_assert_int_eq(tcpip_callback(send_loops, NULL), ERR_OK);
}

START_TEST(loopback_comes_back_through_tcpip_thread)
{
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER) | NG_TRACE_CLASS_BIT(TCPIP_MSG));
    run_loops(&netif_loopif, 1);
    ng_trace_stop(0);
    ck_assert_int_eq(loop_results[0], ERR_OK);
    ck_assert_log(1);                       /* still queued when the sender returned */
    ck_assert_uint_eq(netif_loopif.tx_frames, 1);
    ck_assert_uint_eq(netif_loopif.rx_frames, 1);
    ck_assert_uint_eq(netif_loopif.loop_cnt_current, 0);
    ck_assert_uint_eq(ng_drops_total(), 1); /* IP refused it: it did arrive */

    /* the records: the sender's span closes before the poll's message,
     * whose netif_poll hands IP a copy (not the packet that was sent) */
    ck_assert_ptr_null(tc_parse());
    int out = -1, out_exit = -1, msg = -1, poll = -1, in = -1;
    int depth = 0;
    for (uint32_t i = 0; i < tc_nrecs; i++) {
        const struct tc_rec *r = &tc_recs[i];
        if (r->id == NG_EV_LAYER_ENTER) {
            if (r->a == NG_layer_netif_loop_output && out < 0)
                out = (int)i, depth = 0;
            else if (r->a == NG_layer_netif_poll && poll < 0)
                poll = (int)i;
            else if (r->a == NG_layer_ip4_input && in < 0) {
                in = (int)i;
                ck_assert_uint_ne(r->w[0], (uint32_t)(uintptr_t)loop_sent[0]);
            }
            if (out >= 0 && out_exit < 0)
                depth++;
        } else if (r->id == NG_EV_LAYER_EXIT && out >= 0 && out_exit < 0) {
            if (--depth == 0)
                out_exit = (int)i;
        } else if (r->id == NG_EV_TCPIP_MSG && out_exit >= 0 && msg < 0) {
            msg = (int)i;
            ck_assert_uint_eq(r->a, TCPIP_MSG_CALLBACK);
        }
    }
    ck_assert_int_ge(out, 0);
    ck_assert_int_gt(out_exit, out);
    ck_assert_int_gt(msg, out_exit);
    ck_assert_int_gt(poll, msg);
    ck_assert_int_gt(in, poll);
}
END_TEST

START_TEST(loopback_queue_is_bounded)
{
    ck_assert_int_le(LWIP_LOOPBACK_MAX_PBUFS + 2, 16);
    run_loops(&netif_loopif, LWIP_LOOPBACK_MAX_PBUFS + 2);
    for (int i = 0; i < LWIP_LOOPBACK_MAX_PBUFS + 2; i++)
        ck_assert_int_eq(loop_results[i], i < LWIP_LOOPBACK_MAX_PBUFS ? ERR_OK : ERR_MEM);
    ck_assert_log(LWIP_LOOPBACK_MAX_PBUFS);
    ck_assert_uint_eq(ng_drop_count[NG_drop_LOOP_FULL], 2);
    ck_assert_uint_eq(netif_loopif.rx_frames, LWIP_LOOPBACK_MAX_PBUFS);
    ck_assert_uint_eq(ng_drops_total(), LWIP_LOOPBACK_MAX_PBUFS + 2);
    /* room again once polled */
    tlog_reset();
    run_loops(&netif_loopif, 1);
    ck_assert_int_eq(loop_results[0], ERR_OK);
    ck_assert_uint_eq(netif_loopif.rx_frames, LWIP_LOOPBACK_MAX_PBUFS + 1);
}
END_TEST

/* On an Ethernet interface: a packet to ourselves goes to IP, not through
 * Ethernet and ARP (netif->input would take it for a frame). */
static void add_fake(void *arg)
{
    (void)arg;
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    fk.netif.input = tcpip_input;
}

static void remove_fake(void *arg)
{
    (void)arg;
    netif_remove(&fk.netif);
}

START_TEST(own_packets_loop_back_to_ip_on_ethernet)
{
    ck_assert_int_eq(tcpip_callback(add_fake, NULL), ERR_OK);
    fake_netif_clear(&fk);
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    run_loops(&fk.netif, 2);
    ng_trace_stop(0);
    ck_assert_uint_eq(fk.nframes, 0);       /* nothing on the wire */
    ck_assert_uint_eq(fk.netif.rx_frames, 2);
    ck_assert_ptr_null(tc_parse());
    int ip_in = 0, eth_in = 0;
    for (uint32_t i = 0; i < tc_nrecs; i++) {
        if (tc_recs[i].id != NG_EV_LAYER_ENTER)
            continue;
        ip_in += tc_recs[i].a == NG_layer_ip4_input;
        eth_in += tc_recs[i].a == NG_layer_ethernet_input;
    }
    ck_assert_int_eq(ip_in, 2);
    ck_assert_int_eq(eth_in, 0);
    ck_assert_int_eq(tcpip_callback(remove_fake, NULL), ERR_OK);
}
END_TEST

/* Queue two on fk, then remove fk before the poll runs. */
static void loop_then_remove(void *arg)
{
    (void)arg;
    send_loops(NULL);
    netif_remove(&fk.netif);
}

START_TEST(removed_interface_drops_what_waits)
{
    ck_assert_int_eq(tcpip_callback(add_fake, NULL), ERR_OK);
    loop_netif = &fk.netif;
    loop_count = 2;
    ck_assert_int_eq(tcpip_callback(loop_then_remove, NULL), ERR_OK);
    ck_assert_uint_eq(ng_drop_count[NG_drop_NETIF_DOWN], 2);
    ck_assert_uint_eq(fk.netif.rx_frames, 0);   /* the poll found nothing */
}
END_TEST

/* ---- addresses ---------------------------------------------------------------------- */

START_TEST(aton_accepts_the_inet_aton_forms)
{
    static const struct { const char *s; u32_t host_order; } ok[] = {
        { "10.0.2.15", 0x0a00020f }, { "255.255.255.255", 0xffffffff }, { "0.0.0.0", 0 },
        { "127.1", 0x7f000001 }, { "10.0.515", 0x0a000203 }, { "167772687", 0x0a00020f },
        { "0x0a.0.2.017", 0x0a00020f }, { "0XA.0.2.15", 0x0a00020f }, { "1.2.3.4 ", 0x01020304 },
        { "1.2.3.4\n", 0x01020304 }, { "0", 0 }, { "0xffffffff", 0xffffffff },
    };
    for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ip4_addr_t a;
        ck_assert_msg(ip4addr_aton(ok[i].s, &a), "'%s' refused", ok[i].s);
        ck_assert_uint_eq(lwip_ntohl(a.addr), ok[i].host_order);
        ck_assert_uint_eq(ipaddr_addr(ok[i].s), lwip_htonl(ok[i].host_order));
    }
    static const char *const bad[] = {
        "", " 1.2.3.4", "1.2.3.4.5", "1.2.3.256", "256.1.1.1", "1.2.65536", "1.16777216",
        "4294967296", "1..2.3", "1.2.3.", ".1.2.3", "08.1.1.1", "0x", "0x1g", "1.2.3.4x", "-1",
        "+1", "a.b.c.d",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ip4_addr_t a = { 0x12345678 };
        ck_assert_msg(!ip4addr_aton(bad[i], &a), "'%s' accepted", bad[i]);
        ck_assert_uint_eq(a.addr, 0x12345678);
    }
    ck_assert_uint_eq(ipaddr_addr("1.2.3.256"), IPADDR_NONE);
    ck_assert(ip4addr_aton("1.2.3.4", NULL));       /* only checks */
}
END_TEST

START_TEST(ntoa_writes_dotted_decimal)
{
    ip4_addr_t a;
    IP4_ADDR(&a, 10, 0, 2, 15);
    ck_assert_str_eq(ip4addr_ntoa(&a), "10.0.2.15");
    IP4_ADDR(&a, 255, 255, 255, 255);
    char buf[16];
    ck_assert_ptr_eq(ip4addr_ntoa_r(&a, buf, sizeof buf), buf);
    ck_assert_str_eq(buf, "255.255.255.255");
    ck_assert_ptr_null(ip4addr_ntoa_r(&a, buf, 15));    /* no room for the NUL */
    IP4_ADDR(&a, 0, 100, 9, 10);
    ck_assert_ptr_null(ip4addr_ntoa_r(&a, buf, 10));
    ck_assert_ptr_eq(ip4addr_ntoa_r(&a, buf, 11), buf);
    ck_assert_str_eq(buf, "0.100.9.10");
}
END_TEST

START_TEST(broadcast_addresses_rfc1122)
{
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    ck_assert(ip4_addr_isbroadcast_u32(ip("255.255.255.255").addr, &fk.netif));
    ck_assert(ip4_addr_isbroadcast_u32(ip("0.0.0.0").addr, &fk.netif));
    ck_assert(ip4_addr_isbroadcast_u32(ip("10.0.2.255").addr, &fk.netif));
    ck_assert(!ip4_addr_isbroadcast_u32(ip("10.0.2.15").addr, &fk.netif));
    ck_assert(!ip4_addr_isbroadcast_u32(ip("10.0.2.2").addr, &fk.netif));
    ck_assert(!ip4_addr_isbroadcast_u32(ip("10.0.3.255").addr, &fk.netif));   /* another net */
    ck_assert(!ip4_addr_isbroadcast_u32(ip("10.0.2.0").addr, &fk.netif));     /* 3.3.6: no */
    ck_assert(ip4_addr_isbroadcast_u32(ip("255.255.255.255").addr, NULL));
    /* no broadcast on this interface: only the limited broadcast counts */
    fk.netif.flags &= (u8_t)~NETIF_FLAG_BROADCAST;
    ck_assert(!ip4_addr_isbroadcast_u32(ip("10.0.2.255").addr, &fk.netif));
    ck_assert(ip4_addr_isbroadcast_u32(ip("255.255.255.255").addr, &fk.netif));
    fk.netif.flags |= NETIF_FLAG_BROADCAST;
    /* a /32 has no broadcast of its own: its one address is the host */
    ip4_addr_t m = ip("255.255.255.255");
    netif_set_netmask(&fk.netif, &m);
    ck_assert(!ip4_addr_isbroadcast_u32(ip("10.0.2.15").addr, &fk.netif));
    ip4_addr_t b = ip("10.0.2.255");
    ck_assert(ip_addr_isbroadcast(&b, &fk.netif) == 0);
}
END_TEST

START_TEST(netmask_validity)
{
    static const char *const good[] = { "255.255.255.0", "255.255.255.255", "0.0.0.0",
                                        "255.0.0.0", "255.255.254.0", "128.0.0.0",
                                        "255.255.255.252" };
    static const char *const bad[] = { "255.0.255.0", "0.255.255.255", "255.255.255.253",
                                       "254.255.255.0", "255.255.0.1" };
    for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(ip4_addr_netmask_valid(ip(good[i]).addr), "%s refused", good[i]);
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!ip4_addr_netmask_valid(ip(bad[i]).addr), "%s accepted", bad[i]);
    ck_assert_uint_eq(ip_addr_any4.addr, 0);
    ck_assert_uint_eq(ip_addr_broadcast4.addr, 0xffffffffu);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("netif");
    TCase *tc = ng_tcase(s, "list");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, netif_init_adds_the_loopback_interface);
    tcase_add_test(tc, netif_add_numbers_names_and_finds);
    tcase_add_test(tc, netif_remove_unlinks_and_unregisters);

    tc = ng_tcase(s, "state");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, admin_and_link_state_with_callbacks);
    tcase_add_test(tc, going_down_forgets_the_arp_cache);
    tcase_add_test(tc, new_address_is_announced);
    tcase_add_test(tc, address_change_moves_or_aborts_the_pcbs);
    tcase_add_test(tc, netif_input_chooses_the_layer);

    tc = ng_tcase(s, "loopback");
    tcase_add_checked_fixture(tc, setup_tcpip, teardown_tcpip);
    tcase_add_test(tc, loopback_comes_back_through_tcpip_thread);
    tcase_add_test(tc, loopback_queue_is_bounded);
    tcase_add_test(tc, own_packets_loop_back_to_ip_on_ethernet);
    tcase_add_test(tc, removed_interface_drops_what_waits);

    tc = ng_tcase(s, "addresses");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, aton_accepts_the_inet_aton_forms);
    tcase_add_test(tc, ntoa_writes_dotted_decimal);
    tcase_add_test(tc, broadcast_addresses_rfc1122);
    tcase_add_test(tc, netmask_validity);

    return ng_test_run(s) != 0;
}
