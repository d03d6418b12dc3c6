/*
 * tests/unit/test_tcp_smoke.c - a smoke test of net/tcp.c (PCBs, bind,
 * listen, connect, close, abort, the timers) through the real stack on
 * the fake Ethernet interface (tests/unit/fake_netif.h), with virtual
 * time (1 tick = 1 ms). The scenario tests of the whole TCP are
 * tests/unit/test_tcp_*.c; this one checks the PCB side on its own.
 *
 * Covers: tcp_new/bind/listen/close give every PCB back; bind conflicts
 * and SOF_REUSEADDR (bind may share, listen may not); ephemeral ports in
 * turn, skipping ports in use; tcp_connect sends a SYN with the MSS
 * option, retransmits it with the RTO doubling (never early), and after
 * TCP_SYNMAXRTX retransmissions gives up: err callback ERR_ABRT, pools
 * empty, the TCP timer no longer armed; tcp_abort in SYN_SENT sends no
 * RST (RFC 9293 3.10.5); a PCB of lower priority is sacrificed when the
 * pool runs out (tcp_alloc); ISNs differ per 4-tuple and per call; the
 * TCP_STATE records and the layer records of tcp_new/tcp_connect.
 * End to end with segments injected from the peer: the handshake, a
 * delayed ACK sent by the fast timer, the window update tcp_recved sends,
 * an active close through FIN_WAIT_1 to TIME_WAIT and the PCB freed after
 * 2 MSL; tcp_close with unread data answered by a RST (RFC 1122
 * 4.2.2.13).
 */
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "ref_wire.h"
#include "fake_netif.h"
#include "ng_net_test.h"
#include "trace_capture.h"

static struct fake_netif fk;
static struct eth_addr gw_mac = { { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 } };
static ip4_addr_t gw;

static void setup(void)
{
    ck_assert_uint_eq(NG_TICK_HZ, 1000);
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    sys_timeouts_init();
    tcp_init();
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    ck_assert(ip4addr_aton("10.0.2.2", &gw));
    /* A static ARP entry: every segment leaves at once (no ARP queue). */
    ck_assert_int_eq(etharp_add_static_entry(&gw, &gw_mac), ERR_OK);
    fake_netif_clear(&fk);
}

static int timeouts_armed(void)
{
    int n = 0;
    for (struct sys_timeo *t = *sys_timeouts_get_next_timeout(); t != NULL; t = t->next)
        n++;
    return n;
}

static void teardown(void)
{
    netif_set_down(&fk.netif);
    struct sys_timeo *t;
    while ((t = *sys_timeouts_get_next_timeout()) != NULL)
        sys_untimeout(t->h, t->arg);
    ng_assert_net_clean();
}

/* Let ms of virtual time pass in steps of step ms, running the timeouts. */
static void run_for(u32_t ms, u32_t step)
{
    for (u32_t t = 0; t < ms; t += step) {
        ng_host_advance(step);
        sys_check_timeouts();
    }
}

/* ---- what a frame says ---------------------------------------------------------- */

#define ETH_IP 14
#define IP_TCP (ETH_IP + 20)

static u16_t get16(const u8_t *p)
{
    return (u16_t)(p[0] << 8 | p[1]);
}

static u32_t get32(const u8_t *p)
{
    return (u32_t)p[0] << 24 | (u32_t)p[1] << 16 | (u32_t)p[2] << 8 | p[3];
}

/* Frame i must be a TCP SYN (no ACK) from sport to dport with the MSS
 * option mss; returns its sequence number. */
static u32_t expect_syn(unsigned i, u16_t sport, u16_t dport, u16_t mss)
{
    const struct fake_frame *f = fake_netif_frame(&fk, i);
    const u8_t *d = f->data;
    ck_assert_uint_eq(get16(d + 12), 0x0800);
    ck_assert_uint_eq(d[ETH_IP + 9], 6);                /* protocol TCP */
    ck_assert_uint_eq(get16(d + IP_TCP), sport);
    ck_assert_uint_eq(get16(d + IP_TCP + 2), dport);
    ck_assert_uint_eq(d[IP_TCP + 12] >> 4, 6);          /* header + 4 bytes of options */
    ck_assert_uint_eq(d[IP_TCP + 13] & 0x3f, TCP_SYN);
    ck_assert_uint_eq(d[IP_TCP + 20], TCP_OPT_MSS);
    ck_assert_uint_eq(d[IP_TCP + 21], 4);
    ck_assert_uint_eq(get16(d + IP_TCP + 22), mss);
    ck_assert_uint_eq(f->len, IP_TCP + 24);
    return get32(d + IP_TCP + 4);
}

/* ---- callbacks -------------------------------------------------------------------- */

static int n_err;
static err_t last_err;

static void on_err(void *arg, err_t err)
{
    ck_assert_ptr_eq(arg, &n_err);
    n_err++;
    last_err = err;
}

/* ---- PCBs, bind, listen, close ------------------------------------------------- */

START_TEST(new_bind_listen_close_gives_everything_back)
{
    struct tcp_pcb *pcb = tcp_new();
    ck_assert_ptr_nonnull(pcb);
    ck_assert_int_eq(pcb->state, CLOSED);
    ck_assert_uint_eq(pcb->mss, 536);
    ck_assert_uint_eq(pcb->rcv_wnd, TCP_WND);
    ck_assert_uint_eq(pcb->snd_buf, TCP_SND_BUF);
    ck_assert_int_eq(pcb->rtime, -1);
    ck_assert_int_eq(pcb->rto, TCP_RTO_INITIAL / TCP_SLOW_INTERVAL);
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_PCB), 1);
    ck_assert_int_eq(tcp_bind(pcb, IP_ADDR_ANY, 80), ERR_OK);

    err_t err = ERR_VAL;
    struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(pcb, 2, &err);
    ck_assert_int_eq(err, ERR_OK);
    ck_assert_ptr_nonnull(lpcb);
    ck_assert_int_eq(lpcb->state, LISTEN);
    ck_assert_uint_eq(lpcb->local_port, 80);
    ck_assert_uint_eq(((struct tcp_pcb_listen *)lpcb)->backlog, 2);
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_PCB), 0);        /* the original is freed */
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_PCB_LISTEN), 1);
    ck_assert_ptr_eq(tcp_listen_pcbs.pcbs, lpcb);
    ck_assert_ptr_null(tcp_bound_pcbs);
    ck_assert_int_eq(timeouts_armed(), lwip_num_cyclic_timers);    /* a listener needs no timer */

    /* The port is taken now. */
    struct tcp_pcb *other = tcp_new();
    ck_assert_int_eq(tcp_bind(other, IP_ADDR_ANY, 80), ERR_USE);
    ck_assert_int_eq(tcp_close(other), ERR_OK);

    ck_assert_int_eq(tcp_close(lpcb), ERR_OK);
    ck_assert_ptr_null(tcp_listen_pcbs.pcbs);

    /* A PCB bound and closed without ever listening or connecting. */
    pcb = tcp_new();
    ck_assert_int_eq(tcp_bind(pcb, NULL, 7), ERR_OK);
    ck_assert_ptr_eq(tcp_bound_pcbs, pcb);
    ck_assert_int_eq(tcp_close(pcb), ERR_OK);
    ck_assert_ptr_null(tcp_bound_pcbs);
}
END_TEST

START_TEST(reuseaddr_shares_bind_but_not_listen)
{
    struct tcp_pcb *a = tcp_new(), *b = tcp_new();
    ip_set_option(a, SOF_REUSEADDR);
    ip_set_option(b, SOF_REUSEADDR);
    ck_assert_int_eq(tcp_bind(a, IP_ADDR_ANY, 8080), ERR_OK);
    ck_assert_int_eq(tcp_bind(b, IP_ADDR_ANY, 8080), ERR_OK);
    struct tcp_pcb *la = tcp_listen(a);
    ck_assert_ptr_nonnull(la);
    err_t err = ERR_OK;
    ck_assert_ptr_null(tcp_listen_with_backlog_and_err(b, 1, &err));
    ck_assert_int_eq(err, ERR_USE);
    ck_assert_int_eq(b->state, CLOSED);     /* still b, still the caller's */
    ck_assert_int_eq(tcp_close(b), ERR_OK);
    ck_assert_int_eq(tcp_close(la), ERR_OK);
}
END_TEST

START_TEST(ephemeral_ports_in_turn_skipping_used)
{
    struct tcp_pcb *p[4];
    for (int i = 0; i < 4; i++)
        p[i] = tcp_new();
    ck_assert_int_eq(tcp_bind(p[0], NULL, 0), ERR_OK);
    ck_assert_uint_eq(p[0]->local_port, TCP_LOCAL_PORT_RANGE_START);
    ck_assert_int_eq(tcp_bind(p[1], NULL, TCP_LOCAL_PORT_RANGE_START + 1), ERR_OK);
    ck_assert_int_eq(tcp_bind(p[2], NULL, 0), ERR_OK);
    ck_assert_uint_eq(p[2]->local_port, TCP_LOCAL_PORT_RANGE_START + 2);    /* +1 is taken */
    ck_assert_int_eq(tcp_close(p[0]), ERR_OK);
    ck_assert_int_eq(tcp_bind(p[3], NULL, 0), ERR_OK);
    ck_assert_uint_eq(p[3]->local_port, TCP_LOCAL_PORT_RANGE_START + 3);    /* in turn, not reused */
    for (int i = 1; i < 4; i++)
        ck_assert_int_eq(tcp_close(p[i]), ERR_OK);
}
END_TEST

/* ---- connect, SYN retransmission, giving up -------------------------------------- */

START_TEST(connect_sends_syn_with_mss)
{
    struct tcp_pcb *pcb = tcp_new();
    ck_assert_int_eq(tcp_connect(pcb, &gw, 80, NULL), ERR_OK);
    ck_assert_int_eq(pcb->state, SYN_SENT);
    ck_assert_ptr_eq(tcp_active_pcbs, pcb);
    ck_assert_uint_eq(pcb->local_port, TCP_LOCAL_PORT_RANGE_START);
    ck_assert_uint_eq(ip4_addr_get_u32(&pcb->local_ip), ip4_addr_get_u32(netif_ip4_addr(&fk.netif)));
    ck_assert_uint_eq(fk.nframes, 1);
    u32_t iss = expect_syn(0, TCP_LOCAL_PORT_RANGE_START, 80, TCP_MSS);
    ck_assert_uint_eq(pcb->lastack, iss);
    ck_assert_uint_eq(pcb->snd_nxt, iss + 1);
    ck_assert_uint_eq(pcb->snd_lbb, iss + 1);
    ck_assert_int_eq(pcb->rtime, 0);        /* the retransmission timer runs */
    ck_assert_int_eq(timeouts_armed(), lwip_num_cyclic_timers + 1);    /* and TCP's */
    ck_assert_int_eq(tcp_connect(pcb, &gw, 80, NULL), ERR_ISCONN);

    /* RFC 9293 3.10.4: closing in SYN-SENT deletes the TCB, nothing sent. */
    ck_assert_int_eq(tcp_close(pcb), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_ptr_null(tcp_active_pcbs);
    run_for(500, 250);                      /* the timer runs once more, then stops */
    ck_assert_int_eq(timeouts_armed(), lwip_num_cyclic_timers);
}
END_TEST

START_TEST(syn_retransmitted_with_backoff_then_abort)
{
    n_err = 0;
    struct tcp_pcb *pcb = tcp_new();
    tcp_arg(pcb, &n_err);
    tcp_err(pcb, on_err);
    ck_assert_int_eq(tcp_connect(pcb, &gw, 80, NULL), ERR_OK);
    u32_t iss = expect_syn(0, TCP_LOCAL_PORT_RANGE_START, 80, TCP_MSS);

    u32_t sent_at[1 + TCP_SYNMAXRTX + 1];
    unsigned nsyn = 1;
    u32_t aborted_at = 0;
    sent_at[0] = sys_now();
    for (int step = 0; step < 4 * 200 && n_err == 0; step++) {
        run_for(250, 250);
        if (fk.nframes > nsyn) {
            ck_assert_uint_lt(nsyn, LWIP_ARRAYSIZE(sent_at));
            ck_assert_uint_eq(fk.nframes, nsyn + 1);
            ck_assert_uint_eq(expect_syn(nsyn, TCP_LOCAL_PORT_RANGE_START, 80, TCP_MSS), iss);
            sent_at[nsyn++] = sys_now();
        }
        if (n_err)
            aborted_at = sys_now();
    }
    ck_assert_int_eq(n_err, 1);
    ck_assert_int_eq(last_err, ERR_ABRT);
    ck_assert_uint_eq(nsyn, 1 + TCP_SYNMAXRTX);     /* RST not sent: SYN-SENT */
    /* RFC 6298 2.1, 5.5: the first RTO is TCP_RTO_INITIAL, each next one
     * twice the last, up to TCP_RTO_MAX; never early, at most one slow
     * tick (plus the phase of the timer) late. */
    for (unsigned i = 1; i <= nsyn; i++) {
        u32_t gap = (i < nsyn ? sent_at[i] : aborted_at) - sent_at[i - 1];
        u32_t rto = LWIP_MIN((u32_t)TCP_RTO_INITIAL << (i - 1), (u32_t)TCP_RTO_MAX);
        ck_assert_msg(gap >= rto && gap <= rto + 2 * TCP_SLOW_INTERVAL,
                      "wait %u after SYN %u is %u ms, RTO %u", i, i, (unsigned)gap,
                      (unsigned)rto);
    }
    ck_assert_ptr_null(tcp_active_pcbs);
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_PCB), 0);
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_SEG), 0);
    run_for(500, 250);
    ck_assert_int_eq(timeouts_armed(), lwip_num_cyclic_timers);
}
END_TEST

START_TEST(abort_in_syn_sent_sends_no_rst)
{
    n_err = 0;
    struct tcp_pcb *pcb = tcp_new();
    tcp_arg(pcb, &n_err);
    tcp_err(pcb, on_err);
    ck_assert_int_eq(tcp_connect(pcb, &gw, 80, NULL), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    tcp_abort(pcb);
    ck_assert_uint_eq(fk.nframes, 1);       /* RFC 9293 3.10.5: SYN-SENT, no RST */
    ck_assert_int_eq(n_err, 1);
    ck_assert_int_eq(last_err, ERR_ABRT);
}
END_TEST

START_TEST(connect_without_route_fails)
{
    ip4_addr_t far;
    ck_assert(ip4addr_aton("192.0.2.1", &far));
    netif_set_default(NULL);
    struct tcp_pcb *pcb = tcp_new();
    ck_assert_int_eq(tcp_connect(pcb, &far, 80, NULL), ERR_RTE);
    ck_assert_int_eq(pcb->state, CLOSED);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_int_eq(tcp_close(pcb), ERR_OK);
}
END_TEST

/* ---- running out of PCBs ----------------------------------------------------------- */

START_TEST(lower_priority_pcb_sacrificed)
{
    n_err = 0;
    struct tcp_pcb *p[MEMP_NUM_TCP_PCB];
    for (int i = 0; i < MEMP_NUM_TCP_PCB; i++) {
        p[i] = tcp_new();
        ck_assert_ptr_nonnull(p[i]);
    }
    /* Nobody is of lower priority, nobody active: no PCB. */
    ck_assert_ptr_null(tcp_new());
    tcp_setprio(p[3], TCP_PRIO_MIN);
    tcp_arg(p[3], &n_err);
    tcp_err(p[3], on_err);
    ck_assert_int_eq(tcp_connect(p[3], &gw, 80, NULL), ERR_OK);
    struct tcp_pcb *fresh = tcp_new();
    ck_assert_ptr_nonnull(fresh);           /* p[3]'s memory, reused */
    ck_assert_int_eq(n_err, 1);
    ck_assert_int_eq(last_err, ERR_ABRT);
    ck_assert_ptr_null(tcp_active_pcbs);
    p[3] = fresh;
    for (int i = 0; i < MEMP_NUM_TCP_PCB; i++)
        ck_assert_int_eq(tcp_close(p[i]), ERR_OK);
}
END_TEST

/* ---- ISNs ------------------------------------------------------------------------- */

START_TEST(isn_differs_per_tuple_and_per_call)
{
    struct tcp_pcb *a = tcp_new(), *b = tcp_new();
    ip4_addr_set_u32(&a->local_ip, ip4_addr_get_u32(netif_ip4_addr(&fk.netif)));
    a->remote_ip = gw;
    a->local_port = 50000;
    a->remote_port = 80;
    *b = *a;
    b->local_port = 50001;
    u32_t a1 = tcp_next_iss(a), b1 = tcp_next_iss(b), a2 = tcp_next_iss(a);
    ck_assert_uint_ne(a1, b1);
    ck_assert_uint_ne(a1, a2);              /* the same millisecond, the same tuple */
    /* RFC 6528: the hash scatters neighbouring tuples, not just offsets them. */
    ck_assert_uint_gt(b1 - a1 > 0x80000000u ? a1 - b1 : b1 - a1, 1000);
    a->local_port = b->local_port = 0;
    ck_assert_int_eq(tcp_close(a), ERR_OK);
    ck_assert_int_eq(tcp_close(b), ERR_OK);
}
END_TEST

/* ---- segments from the peer (10.0.2.2:80) --------------------------------------- */

static const u8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* Inject a segment 10.0.2.2:80 -> 10.0.2.15:dport; with_mss adds the MSS
 * option 1460 (for a SYN). */
static void inject_seg(u16_t dport, u32_t seq, u32_t ack, u8_t flags, u16_t wnd,
                       const u8_t *data, u16_t len, int with_mss)
{
    static u8_t f[1600];
    u16_t optlen = with_mss ? 4 : 0;
    u16_t tcplen = (u16_t)(20 + optlen + len);
    memset(f, 0, sizeof f);
    memcpy(f, our_mac, 6);
    memcpy(f + 6, gw_mac.addr, 6);
    put16(f + 12, 0x0800);
    u8_t *ip = f + ETH_IP, *tcp = f + IP_TCP;
    ip[0] = 0x45;
    put16(ip + 2, (u16_t)(20 + tcplen));
    put16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = 6;
    static const u8_t src[4] = { 10, 0, 2, 2 }, dst[4] = { 10, 0, 2, 15 };
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    put16(ip + 10, ref_chksum(ip, 20));
    put16(tcp, 80);
    put16(tcp + 2, dport);
    put32(tcp + 4, seq);
    put32(tcp + 8, ack);
    tcp[12] = (u8_t)((5 + optlen / 4) << 4);
    tcp[13] = flags;
    put16(tcp + 14, wnd);
    if (with_mss) {
        tcp[20] = TCP_OPT_MSS;
        tcp[21] = 4;
        put16(tcp + 22, 1460);
    }
    if (len)
        memcpy(tcp + 20 + optlen, data, len);
    put16(tcp + 16, ref_tcp_chksum(src, dst, tcp, tcplen));
    ck_assert_int_eq(fake_netif_inject(&fk, f, (u16_t)(IP_TCP + tcplen)), ERR_OK);
}

struct tcp_frame {
    u32_t seq, ack;
    u8_t flags;
    u16_t wnd, len;
};

static struct tcp_frame tcp_frame_at(unsigned i)
{
    const struct fake_frame *fr = fake_netif_frame(&fk, i);
    const u8_t *t = fr->data + IP_TCP;
    struct tcp_frame r = {
        .seq = get32(t + 4), .ack = get32(t + 8), .flags = (u8_t)(t[13] & 0x3f),
        .wnd = get16(t + 14),
        .len = (u16_t)(get16(fr->data + ETH_IP + 2) - 20 - (t[12] >> 4) * 4),
    };
    return r;
}

static struct pbuf *kept;
static int n_connected, n_fin;

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    LWIP_UNUSED_ARG(pcb);
    ck_assert_int_eq(err, ERR_OK);
    n_connected++;
    return ERR_OK;
}

/* Keeps the data unread (no tcp_recved): the test decides when. */
static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    LWIP_UNUSED_ARG(pcb);
    ck_assert_int_eq(err, ERR_OK);
    if (p == NULL) {
        n_fin++;
        return ERR_OK;
    }
    ck_assert_ptr_null(kept);
    kept = p;
    return ERR_OK;
}

#define PEER_ISS 1000u

/* connect, SYN-ACK from the peer, our ACK: ESTABLISHED. Returns our ISS. */
static u32_t open_connection(struct tcp_pcb *pcb)
{
    n_connected = n_fin = 0;
    kept = NULL;
    tcp_recv(pcb, on_recv);
    ck_assert_int_eq(tcp_connect(pcb, &gw, 80, on_connected), ERR_OK);
    u32_t iss = expect_syn(0, pcb->local_port, 80, TCP_MSS);
    inject_seg(pcb->local_port, PEER_ISS, iss + 1, TCP_SYN | TCP_ACK, 8192, NULL, 0, 1);
    ck_assert_int_eq(n_connected, 1);
    ck_assert_int_eq(pcb->state, ESTABLISHED);
    ck_assert_uint_eq(fk.nframes, 2);
    struct tcp_frame a = tcp_frame_at(1);
    ck_assert_uint_eq(a.flags, TCP_ACK);
    ck_assert_uint_eq(a.seq, iss + 1);
    ck_assert_uint_eq(a.ack, PEER_ISS + 1);
    ck_assert_uint_eq(a.wnd, TCP_WND);
    return iss;
}

START_TEST(active_open_recved_close_time_wait)
{
    static u8_t data[TCP_MSS];
    memset(data, 0x5a, sizeof data);
    struct tcp_pcb *pcb = tcp_new();
    u32_t iss = open_connection(pcb);
    u16_t port = pcb->local_port;

    /* One segment of data: held for a delayed ACK (RFC 1122 4.2.3.2),
     * which the fast timer sends within 250 ms. */
    inject_seg(port, PEER_ISS + 1, iss + 1, TCP_ACK | TCP_PSH, 8192, data, TCP_MSS, 0);
    ck_assert_ptr_nonnull(kept);
    ck_assert_uint_eq(fk.nframes, 2);
    run_for(250, 250);
    ck_assert_uint_eq(fk.nframes, 3);
    struct tcp_frame a = tcp_frame_at(2);
    ck_assert_uint_eq(a.flags, TCP_ACK);
    ck_assert_uint_eq(a.ack, PEER_ISS + 1 + TCP_MSS);
    ck_assert_uint_eq(a.wnd, TCP_WND - TCP_MSS);    /* the data is not read yet */

    /* Read: the right edge can move by a whole MSS, worth an update. */
    tc_start(NG_TRACE_CLASS_BIT(TCP_WINDOW));
    tcp_recved(pcb, kept->tot_len);
    ng_trace_stop(0);
    pbuf_free(kept);
    kept = NULL;
    ck_assert_uint_eq(fk.nframes, 4);
    a = tcp_frame_at(3);
    ck_assert_uint_eq(a.flags, TCP_ACK);
    ck_assert_uint_eq(a.wnd, TCP_WND);
    ck_assert_ptr_null(tc_parse());
    int w = tc_next(0, NG_EV_TCP_WINDOW);
    ck_assert_int_ge(w, 0);
    ck_assert_uint_eq(tc_recs[w].a, NG_wnd_ANNOUNCE);
    ck_assert_uint_eq(tc_recs[w].w[1], TCP_WND);

    /* RFC 9293 3.10.4: CLOSE in ESTABLISHED: FIN, FIN-WAIT-1. */
    ck_assert_int_eq(tcp_close(pcb), ERR_OK);
    ck_assert_int_eq(pcb->state, FIN_WAIT_1);
    ck_assert_uint_eq(fk.nframes, 5);
    a = tcp_frame_at(4);
    ck_assert_uint_eq(a.flags, TCP_FIN | TCP_ACK);
    ck_assert_uint_eq(a.seq, iss + 1);

    /* The peer's FIN with the ACK of ours: TIME-WAIT, for 2 MSL. */
    inject_seg(port, PEER_ISS + 1 + TCP_MSS, iss + 2, TCP_FIN | TCP_ACK, 8192, NULL, 0, 0);
    ck_assert_int_eq(n_fin, 1);
    ck_assert_int_eq(pcb->state, TIME_WAIT);
    ck_assert_ptr_eq(tcp_tw_pcbs, pcb);
    ck_assert_ptr_null(tcp_active_pcbs);
    ck_assert_uint_eq(fk.nframes, 6);
    a = tcp_frame_at(5);
    ck_assert_uint_eq(a.flags, TCP_ACK);
    ck_assert_uint_eq(a.ack, PEER_ISS + 2 + TCP_MSS);

    run_for(2 * TCP_MSL - 1000, 250);
    ck_assert_ptr_eq(tcp_tw_pcbs, pcb);             /* not before 2 MSL */
    run_for(2000, 250);
    ck_assert_ptr_null(tcp_tw_pcbs);
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_PCB), 0);
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_SEG), 0);
    run_for(500, 250);
    ck_assert_int_eq(timeouts_armed(), lwip_num_cyclic_timers);
}
END_TEST

START_TEST(close_with_unread_data_sends_rst)
{
    static const u8_t data[100] = { 1, 2, 3 };
    struct tcp_pcb *pcb = tcp_new();
    u32_t iss = open_connection(pcb);
    inject_seg(pcb->local_port, PEER_ISS + 1, iss + 1, TCP_ACK | TCP_PSH, 8192, data,
               sizeof data, 0);
    ck_assert_ptr_nonnull(kept);
    unsigned before = fk.nframes;
    ck_assert_int_eq(tcp_close(pcb), ERR_OK);       /* 100 bytes never read */
    ck_assert_uint_eq(fk.nframes, before + 1);
    struct tcp_frame r = tcp_frame_at(before);
    ck_assert_uint_eq(r.flags & TCP_RST, TCP_RST);
    ck_assert_uint_eq(r.seq, iss + 1);
    ck_assert_ptr_null(tcp_active_pcbs);
    ck_assert_ptr_null(tcp_tw_pcbs);
    pbuf_free(kept);
    kept = NULL;
}
END_TEST

/* ---- the trace -------------------------------------------------------------------- */

START_TEST(state_and_layer_records)
{
    tc_start(NG_TRACE_CLASS_BIT(TCP_STATE) | NG_TRACE_CLASS_BIT(LAYER_ENTER));
    struct tcp_pcb *pcb = tcp_new();
    ck_assert_int_eq(tcp_connect(pcb, &gw, 80, NULL), ERR_OK);
    tcp_abort(pcb);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());

    int i = tc_next(0, NG_EV_TCP_STATE);
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(tc_recs[i].a, SYN_SENT);
    ck_assert_uint_eq(tc_recs[i].w[0], (u32_t)(uintptr_t)pcb);
    ck_assert_uint_eq(tc_recs[i].w[1] & 0xff, CLOSED);
    ck_assert_uint_eq(tc_recs[i].w[1] >> 16, TCP_LOCAL_PORT_RANGE_START);
    i = tc_next(i + 1, NG_EV_TCP_STATE);
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(tc_recs[i].a, CLOSED);
    ck_assert_uint_eq(tc_recs[i].w[1] & 0xff, SYN_SENT);

    /* tcp_new -> tcp_alloc, tcp_connect, tcp_abandon among the layers. */
    int seen_new = 0, seen_alloc = 0, seen_connect = 0, seen_abandon = 0;
    for (u32_t k = 0; k < tc_nrecs; k++) {
        if (tc_recs[k].id != NG_EV_LAYER_ENTER)
            continue;
        seen_new += tc_recs[k].a == NG_layer_tcp_new;
        seen_alloc += tc_recs[k].a == NG_layer_tcp_alloc;
        seen_connect += tc_recs[k].a == NG_layer_tcp_connect;
        seen_abandon += tc_recs[k].a == NG_layer_tcp_abandon;
    }
    ck_assert_int_eq(seen_new, 1);
    ck_assert_int_eq(seen_alloc, 1);
    ck_assert_int_eq(seen_connect, 1);
    ck_assert_int_eq(seen_abandon, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tcp_smoke");
    TCase *tc = ng_tcase(s, "pcbs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, new_bind_listen_close_gives_everything_back);
    tcase_add_test(tc, reuseaddr_shares_bind_but_not_listen);
    tcase_add_test(tc, ephemeral_ports_in_turn_skipping_used);
    tcase_add_test(tc, lower_priority_pcb_sacrificed);
    tcase_add_test(tc, isn_differs_per_tuple_and_per_call);

    tc = ng_tcase(s, "connect");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, connect_sends_syn_with_mss);
    tcase_add_test(tc, syn_retransmitted_with_backoff_then_abort);
    tcase_add_test(tc, abort_in_syn_sent_sends_no_rst);
    tcase_add_test(tc, connect_without_route_fails);

    tc = ng_tcase(s, "lifecycle");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, active_open_recved_close_time_wait);
    tcase_add_test(tc, close_with_unread_data_sends_rst);

    tc = ng_tcase(s, "trace");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, state_and_layer_records);

    return ng_test_run(s) != 0;
}
