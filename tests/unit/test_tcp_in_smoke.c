/*
 * tests/unit/test_tcp_in_smoke.c - a smoke test of TCP's receiving side
 * (net/tcp_in.c) through the whole stack: the peer's segments are built
 * here byte by byte as Ethernet frames (IP and TCP checksums computed
 * here, RFC 1071 over the pseudo-header, RFC 9293 3.1) and injected into
 * the fake interface (tests/unit/fake_netif.h), so they climb ethernet_input,
 * ip4_input and tcp_input; what TCP answers is read off the frames the
 * interface recorded. Virtual time (1 tick = 1 ms) drives the timers.
 *
 * Covers: a passive open (SYN with MSS 1000 -> SYN-ACK with our MSS,
 * the handshake's ACK -> accept callback, ESTABLISHED, the peer's MSS and
 * window taken); in-order data delivered to the recv callback and
 * acknowledged only when the delayed-ACK timer runs (RFC 1122 4.2.3.2);
 * an out-of-order segment answered at once with a duplicate ACK (RFC
 * 5681 4.2), held, and delivered with the hole's data in one recv call
 * when the hole is filled (ACKed at once); the peer's FIN (CLOSE_WAIT,
 * recv NULL), our close (LAST_ACK) and the last ACK freeing the PCB; a
 * RST for a segment to a closed port (RFC 9293 3.10.7.1, both forms) and
 * none for a RST. Also: a FIN after a hole waits for the hole; a
 * simultaneous close (CLOSING, TIME_WAIT, the FIN again ACKed, 2 MSL);
 * RSTs exact (reset), in the window (challenge ACK, RFC 5961 3.2) and
 * outside it (silence); refused data kept, more data not taken meanwhile,
 * offered again by the fast timer; a simultaneous open (our SYN again
 * as SYN-ACK, then the peer's SYN-ACK completes it); ACKs: the sent callback, slow start,
 * three duplicates -> fast retransmit, inflation, recovery's end. The
 * peer's sequence numbers wrap past 2^32 during the tests. Every test
 * ends with every pool and the heap empty.
 *
 * The big scenario tests of TCP are elsewhere (tests/unit/test_tcp_*.c).
 */
#include <string.h>

#include "fake_netif.h"
#include "lwip/etharp.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "ng_net_test.h"
#include "ref_wire.h"

#define OUR_PORT 80
#define PEER_PORT 40000
#define PEER_ISS ((u32_t)0xfffffff0U)      /* the sequence numbers wrap during the test */
#define PEER_WND 8192
#define PEER_MSS 1000
#define ETH_HLEN_ 14
#define IP_HLEN_ 20
#define TCP_AT (ETH_HLEN_ + IP_HLEN_)

static const u8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const u8_t our_ip[4] = { 10, 0, 2, 15 };
static const u8_t peer_ip[4] = { 10, 0, 2, 2 };

static struct fake_netif fk;
static struct tcp_pcb *listener;
static struct tcp_pcb *conn;        /* the accepted connection */
static u32_t iss;                   /* our ISS, read off the SYN-ACK */

/* Bytes and checksums (be16, put16, ref_chksum, ref_tcp_chksum) come from
 * tests/unit/ref_wire.h: computed there, independently of the stack. */

/* ---- the peer's segments -------------------------------------------------------- */

/* A frame from the peer to us (port dport) into the fake interface: TCP
 * with an MSS option when mss != 0, then len payload bytes. */
static void peer_send_to(u16_t dport, u32_t seq, u32_t ack, u8_t flags, u16_t mss,
                         const u8_t *payload, u16_t len)
{
    static u8_t f[1600];
    u8_t optlen = mss ? 4 : 0;
    u16_t tcplen = (u16_t)(TCP_HLEN + optlen + len);
    memset(f, 0, sizeof f);
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, 0x0800);
    u8_t *ip = f + ETH_HLEN_;
    ip[0] = 0x45;
    put16(ip + 2, (u16_t)(IP_HLEN_ + tcplen));
    put16(ip + 4, 0x4242);
    ip[8] = 64;
    ip[9] = IP_PROTO_TCP;
    memcpy(ip + 12, peer_ip, 4);
    memcpy(ip + 16, our_ip, 4);
    put16(ip + 10, ref_chksum(ip, IP_HLEN_));
    u8_t *t = ip + IP_HLEN_;
    put16(t, PEER_PORT);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (u8_t)(((TCP_HLEN + optlen) / 4) << 4);
    t[13] = flags;
    put16(t + 14, PEER_WND);
    if (mss) {
        t[20] = TCP_OPT_MSS;
        t[21] = 4;
        put16(t + 22, mss);
    }
    if (len)
        memcpy(t + TCP_HLEN + optlen, payload, len);
    put16(t + 16, ref_tcp_chksum(peer_ip, our_ip, t, tcplen));
    ck_assert_int_eq(fake_netif_inject(&fk, f, (u16_t)(ETH_HLEN_ + IP_HLEN_ + tcplen)), ERR_OK);
}

static void peer_send(u32_t seq, u32_t ack, u8_t flags, const u8_t *payload, u16_t len)
{
    peer_send_to(OUR_PORT, seq, ack, flags, 0, payload, len);
}

/* What frame i says: checked to be TCP from us to the peer with a good
 * checksum. */
struct seg_seen {
    u16_t sport, dport;
    u32_t seq, ack;
    u8_t flags;
    u16_t wnd;
    u16_t mss;          /* the MSS option, 0 if none */
    u16_t datalen;
};

static struct seg_seen frame_seg(unsigned i)
{
    const struct fake_frame *fr = fake_netif_frame(&fk, i);
    const u8_t *d = fr->data;
    ck_assert_uint_eq(be16(d + 12), 0x0800);
    ck_assert_mem_eq(d, peer_mac, 6);
    const u8_t *ip = d + ETH_HLEN_;
    ck_assert_uint_eq(ip[9], IP_PROTO_TCP);
    ck_assert_mem_eq(ip + 12, our_ip, 4);
    ck_assert_mem_eq(ip + 16, peer_ip, 4);
    u16_t tcplen = (u16_t)(be16(ip + 2) - IP_HLEN_);
    const u8_t *t = d + TCP_AT;
    ck_assert_uint_eq(ref_tcp_chksum(our_ip, peer_ip, t, tcplen), 0);
    struct seg_seen s = { .sport = be16(t), .dport = be16(t + 2), .seq = be32(t + 4),
                          .ack = be32(t + 8), .flags = (u8_t)(t[13] & 0x3f),
                          .wnd = be16(t + 14) };
    u16_t hlen = (u16_t)((t[12] >> 4) * 4);
    if (hlen >= 24 && t[20] == TCP_OPT_MSS && t[21] == 4)
        s.mss = be16(t + 22);
    s.datalen = (u16_t)(tcplen - hlen);
    return s;
}

/* ---- the application ------------------------------------------------------------- */

static int n_accept, n_recv, n_fin, n_err;
static u8_t got[4096];
static u16_t got_len;
static u16_t last_recv_pbufs;

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    ck_assert_ptr_eq(arg, &n_accept);
    ck_assert_int_eq(err, ERR_OK);
    if (p == NULL) {
        n_fin++;
        return ERR_OK;
    }
    n_recv++;
    ck_assert_uint_le(got_len + p->tot_len, sizeof got);
    pbuf_copy_partial(p, got + got_len, p->tot_len, 0);
    got_len = (u16_t)(got_len + p->tot_len);
    last_recv_pbufs = pbuf_clen(p);
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    ck_assert_ptr_eq(arg, &n_accept);
    LWIP_UNUSED_ARG(err);
    n_err++;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    ck_assert_ptr_eq(arg, &n_accept);
    ck_assert_int_eq(err, ERR_OK);
    ck_assert_int_eq(pcb->state, ESTABLISHED);
    n_accept++;
    conn = pcb;
    tcp_recv(pcb, on_recv);
    tcp_err(pcb, on_err);
    return ERR_OK;
}

/* ---- setup ------------------------------------------------------------------------- */

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
    ip4_addr_t gw;
    ck_assert(ip4addr_aton("10.0.2.2", &gw));
    struct eth_addr mac;
    memcpy(mac.addr, peer_mac, 6);
    ck_assert_int_eq(etharp_add_static_entry(&gw, &mac), ERR_OK);
    fake_netif_clear(&fk);
    n_accept = n_recv = n_fin = n_err = 0;
    got_len = 0;
    conn = NULL;
}

static void teardown(void)
{
    netif_set_down(&fk.netif);
    struct sys_timeo *t;
    while ((t = *sys_timeouts_get_next_timeout()) != NULL)
        sys_untimeout(t->h, t->arg);
    ng_assert_net_clean();
}

/* Let ms of virtual time pass in steps of 10 ms, running the timeouts. */
static void run_for(u32_t ms)
{
    for (u32_t t = 0; t < ms; t += 10) {
        ng_host_advance(10);
        sys_check_timeouts();
    }
}

static void listen_on_port(void)
{
    struct tcp_pcb *pcb = tcp_new();
    ck_assert_ptr_nonnull(pcb);
    ck_assert_int_eq(tcp_bind(pcb, IP_ADDR_ANY, OUR_PORT), ERR_OK);
    listener = tcp_listen(pcb);
    ck_assert_ptr_nonnull(listener);
    tcp_arg(listener, &n_accept);
    tcp_accept(listener, on_accept);
}

/* SYN (MSS 1000) -> SYN-ACK -> ACK: conn ESTABLISHED, frames cleared. */
static void handshake(void)
{
    listen_on_port();
    peer_send_to(OUR_PORT, PEER_ISS, 0, TCP_SYN, PEER_MSS, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 1);
    struct seg_seen s = frame_seg(0);
    ck_assert_uint_eq(s.sport, OUR_PORT);
    ck_assert_uint_eq(s.dport, PEER_PORT);
    ck_assert_uint_eq(s.flags, TCP_SYN | TCP_ACK);
    ck_assert_uint_eq(s.ack, PEER_ISS + 1);
    ck_assert_uint_eq(s.mss, TCP_MSS);
    ck_assert_uint_eq(s.wnd, TCP_WND);
    ck_assert_uint_eq(s.datalen, 0);
    iss = s.seq;
    ck_assert_int_eq(n_accept, 0);          /* not before the handshake is done */

    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK, NULL, 0);
    ck_assert_int_eq(n_accept, 1);
    ck_assert_ptr_nonnull(conn);
    ck_assert_int_eq(conn->state, ESTABLISHED);
    ck_assert_uint_eq(conn->mss, PEER_MSS);
    ck_assert_uint_eq(conn->snd_wnd, PEER_WND);
    ck_assert_uint_eq(conn->rcv_nxt, PEER_ISS + 1);
    ck_assert_uint_eq(conn->lastack, iss + 1);
    ck_assert_ptr_null(conn->unacked);
    ck_assert_uint_eq(fk.nframes, 1);       /* a pure ACK needs no answer */
    ck_assert_uint_eq(ng_drops_total(), 0);
    fake_netif_clear(&fk);
}

/* The connection goes with a RST (tcp_abort), the listener with it. */
static void finish(void)
{
    if (conn != NULL)
        tcp_abort(conn);
    ck_assert_int_eq(tcp_close(listener), ERR_OK);
}

static void fill(u8_t *b, u16_t len, u8_t seed)
{
    for (u16_t i = 0; i < len; i++)
        b[i] = (u8_t)(i * 7 + seed);
}

/* ---- tests ------------------------------------------------------------------------- */

START_TEST(passive_open_handshake)
{
    handshake();
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_PCB), 1);
    ck_assert_uint_eq(((struct tcp_pcb_listen *)listener)->accepts_pending, 0);
    ck_assert_int_eq(conn->cwnd, TCP_CALC_INITIAL_CWND(PEER_MSS));
    finish();
    ck_assert_int_eq(n_err, 1);             /* tcp_abort: err callback ERR_ABRT */
}
END_TEST

START_TEST(in_order_data_delayed_ack_then_close)
{
    static u8_t data[300];
    fill(data, sizeof data, 3);
    handshake();
    /* PEER_ISS + 1 + 300 wraps past 2^32. */
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK | TCP_PSH, data, 300);
    ck_assert_int_eq(n_recv, 1);
    ck_assert_uint_eq(got_len, 300);
    ck_assert_mem_eq(got, data, 300);
    ck_assert_uint_eq(conn->rcv_nxt, PEER_ISS + 301);
    ck_assert_uint_eq(fk.nframes, 0);       /* the ACK is delayed ... */
    ck_assert(tcp_is_flag_set(conn, TF_ACK_DELAY));
    run_for(250);                           /* ... until the fast timer */
    ck_assert_uint_eq(fk.nframes, 1);
    struct seg_seen s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_ACK);
    ck_assert_uint_eq(s.seq, iss + 1);
    ck_assert_uint_eq(s.ack, PEER_ISS + 301);
    ck_assert_uint_eq(s.datalen, 0);
    fake_netif_clear(&fk);

    /* The peer closes: FIN, ACKed at once; recv gets NULL. */
    peer_send(PEER_ISS + 301, iss + 1, TCP_ACK | TCP_FIN, NULL, 0);
    ck_assert_int_eq(n_fin, 1);
    ck_assert_int_eq(conn->state, CLOSE_WAIT);
    ck_assert_uint_eq(fk.nframes, 1);
    s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_ACK);
    ck_assert_uint_eq(s.ack, PEER_ISS + 302);
    fake_netif_clear(&fk);

    /* We close too: FIN, LAST_ACK; the peer's ACK frees the PCB. */
    ck_assert_int_eq(tcp_close(conn), ERR_OK);
    ck_assert_int_eq(conn->state, LAST_ACK);
    ck_assert_uint_eq(fk.nframes, 1);
    s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_ACK | TCP_FIN);
    ck_assert_uint_eq(s.seq, iss + 1);
    peer_send(PEER_ISS + 302, iss + 2, TCP_ACK, NULL, 0);
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_PCB), 0);
    ck_assert_int_eq(n_err, 0);             /* we closed our receive side: no ERR_CLSD */
    conn = NULL;
    ck_assert_uint_eq(ng_drops_total(), 0);
    finish();
}
END_TEST

START_TEST(out_of_order_dupack_then_in_order_delivery)
{
    static u8_t data[600];
    fill(data, sizeof data, 11);
    handshake();
    /* The second half first: held, and a duplicate ACK at once. */
    peer_send(PEER_ISS + 301, iss + 1, TCP_ACK, data + 300, 300);
    ck_assert_int_eq(n_recv, 0);
    ck_assert_ptr_nonnull(conn->ooseq);
    ck_assert_uint_eq(fk.nframes, 1);
    struct seg_seen s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_ACK);
    ck_assert_uint_eq(s.ack, PEER_ISS + 1);
    ck_assert_uint_eq(s.datalen, 0);
    fake_netif_clear(&fk);

    /* The same again: a duplicate, dropped (counted), ACKed again. */
    peer_send(PEER_ISS + 301, iss + 1, TCP_ACK, data + 300, 300);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TCP_OUT_OF_WINDOW], 1);
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_uint_eq(frame_seg(0).ack, PEER_ISS + 1);
    fake_netif_clear(&fk);

    /* The hole filled: all 600 bytes in one recv call, ACKed at once. */
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK, data, 300);
    ck_assert_int_eq(n_recv, 1);
    ck_assert_uint_eq(got_len, 600);
    ck_assert_mem_eq(got, data, 600);
    ck_assert_uint_ge(last_recv_pbufs, 2);  /* the two segments, chained */
    ck_assert_ptr_null(conn->ooseq);
    ck_assert_uint_eq(conn->rcv_nxt, PEER_ISS + 601);
    ck_assert_uint_eq(fk.nframes, 1);
    s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_ACK);
    ck_assert_uint_eq(s.ack, PEER_ISS + 601);
    /* The window is all open again (the app called tcp_recved). */
    ck_assert_uint_eq(conn->rcv_wnd, TCP_WND);
    finish();
}
END_TEST

START_TEST(rst_to_closed_port)
{
    /* A SYN (no ACK): <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
    peer_send_to(81, 1000, 0, TCP_SYN, 1460, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 1);
    struct seg_seen s = frame_seg(0);
    ck_assert_uint_eq(s.sport, 81);
    ck_assert_uint_eq(s.dport, PEER_PORT);
    ck_assert_uint_eq(s.flags & TCP_RST, TCP_RST);
    ck_assert_uint_eq(s.flags & TCP_ACK, TCP_ACK);
    ck_assert_uint_eq(s.seq, 0);
    ck_assert_uint_eq(s.ack, 1001);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TCP_NO_PCB], 1);
    fake_netif_clear(&fk);

    /* Data with an ACK: <SEQ=SEG.ACK><CTL=RST>. */
    static const u8_t five[5] = { 1, 2, 3, 4, 5 };
    peer_send_to(81, 5000, 777, TCP_ACK | TCP_PSH, 0, five, 5);
    ck_assert_uint_eq(fk.nframes, 1);
    s = frame_seg(0);
    ck_assert_uint_eq(s.flags & TCP_RST, TCP_RST);
    ck_assert_uint_eq(s.seq, 777);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TCP_NO_PCB], 2);
    fake_netif_clear(&fk);

    /* A RST is never answered. */
    peer_send_to(81, 5005, 777, TCP_RST | TCP_ACK, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TCP_NO_PCB], 3);
    ck_assert_uint_eq(lwip_stats.tcp.recv, 3);
}
END_TEST

START_TEST(fin_out_of_order_waits_for_the_data)
{
    static u8_t data[200];
    fill(data, sizeof data, 5);
    handshake();
    /* Data + FIN after a hole: held; only the hole makes it count. */
    peer_send(PEER_ISS + 101, iss + 1, TCP_ACK | TCP_FIN, data + 100, 100);
    ck_assert_int_eq(conn->state, ESTABLISHED);
    ck_assert_int_eq(n_fin, 0);
    ck_assert_uint_eq(frame_seg(0).ack, PEER_ISS + 1);     /* duplicate ACK */
    fake_netif_clear(&fk);
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK, data, 100);
    ck_assert_uint_eq(got_len, 200);
    ck_assert_mem_eq(got, data, 200);
    ck_assert_int_eq(n_fin, 1);
    ck_assert_int_eq(conn->state, CLOSE_WAIT);
    ck_assert_uint_eq(frame_seg(0).ack, PEER_ISS + 202);   /* data and FIN */
    ck_assert_uint_eq(conn->rcv_wnd, TCP_WND);
    finish();
}
END_TEST

START_TEST(simultaneous_close)
{
    handshake();
    ck_assert_int_eq(tcp_close(conn), ERR_OK);
    ck_assert_int_eq(conn->state, FIN_WAIT_1);
    ck_assert_uint_eq(frame_seg(0).flags, TCP_ACK | TCP_FIN);
    fake_netif_clear(&fk);
    /* The peer's FIN crosses ours: CLOSING, our ACK of it. */
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK | TCP_FIN, NULL, 0);
    ck_assert_int_eq(conn->state, CLOSING);
    struct seg_seen s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_ACK);
    ck_assert_uint_eq(s.seq, iss + 2);
    ck_assert_uint_eq(s.ack, PEER_ISS + 2);
    /* Its ACK of our FIN: TIME_WAIT. */
    peer_send(PEER_ISS + 2, iss + 2, TCP_ACK, NULL, 0);
    ck_assert_int_eq(conn->state, TIME_WAIT);
    ck_assert_ptr_eq(tcp_tw_pcbs, conn);
    ck_assert_ptr_null(tcp_active_pcbs);
    fake_netif_clear(&fk);
    /* The peer's FIN again (our ACK lost): ACKed again, counted. */
    peer_send(PEER_ISS + 1, iss + 2, TCP_ACK | TCP_FIN, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_uint_eq(frame_seg(0).ack, PEER_ISS + 2);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TCP_OUT_OF_WINDOW], 1);
    /* 2 MSL later the PCB is gone. */
    run_for(2 * TCP_MSL + 1000);
    ck_assert_ptr_null(tcp_tw_pcbs);
    conn = NULL;
    finish();
}
END_TEST

START_TEST(rst_exact_resets_in_window_challenged)
{
    handshake();
    /* In the window but not RCV.NXT: a challenge ACK (RFC 5961 3.2). */
    peer_send(PEER_ISS + 100, 0, TCP_RST, NULL, 0);
    ck_assert_int_eq(conn->state, ESTABLISHED);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TCP_RST_INVALID], 1);
    struct seg_seen s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_ACK);
    ck_assert_uint_eq(s.ack, PEER_ISS + 1);
    fake_netif_clear(&fk);
    /* Outside the window: dropped without a word. */
    peer_send(PEER_ISS + 1 + TCP_WND + 10, 0, TCP_RST, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TCP_RST_INVALID], 2);
    /* Exactly RCV.NXT: reset, err callback, PCB freed. */
    peer_send(PEER_ISS + 1, 0, TCP_RST, NULL, 0);
    ck_assert_int_eq(n_err, 1);
    ck_assert_uint_eq(memp_in_use(MEMP_TCP_PCB), 0);
    ck_assert_uint_eq(fk.nframes, 0);
    conn = NULL;
    finish();
}
END_TEST

static int refuse;

static err_t on_recv_refusing(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    if (refuse && p != NULL)
        return ERR_MEM;
    return on_recv(arg, pcb, p, err);
}

START_TEST(refused_data_kept_and_offered_again)
{
    static u8_t data[200];
    fill(data, sizeof data, 9);
    handshake();
    tcp_recv(conn, on_recv_refusing);
    refuse = 1;
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK, data, 100);
    ck_assert_ptr_nonnull(conn->refused_data);
    ck_assert_uint_eq(conn->rcv_nxt, PEER_ISS + 101);      /* taken, and acknowledged */
    /* More while it is still refused: not taken, not acknowledged. */
    peer_send(PEER_ISS + 101, iss + 1, TCP_ACK, data + 100, 100);
    ck_assert_uint_eq(ng_drop_count[NG_drop_TCP_REFUSED], 1);
    ck_assert_uint_eq(conn->rcv_nxt, PEER_ISS + 101);
    /* The application takes it now: the fast timer offers it again. */
    refuse = 0;
    run_for(250);
    ck_assert_ptr_null(conn->refused_data);
    ck_assert_uint_eq(got_len, 100);
    ck_assert_mem_eq(got, data, 100);
    /* The peer sends the second part again: taken. */
    peer_send(PEER_ISS + 101, iss + 1, TCP_ACK, data + 100, 100);
    ck_assert_uint_eq(got_len, 200);
    ck_assert_mem_eq(got, data, 200);
    finish();
}
END_TEST

static int n_connected;

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    ck_assert_ptr_eq(arg, &n_accept);
    ck_assert_int_eq(err, ERR_OK);
    ck_assert_int_eq(pcb->state, ESTABLISHED);
    n_connected++;
    return ERR_OK;
}

START_TEST(simultaneous_open)
{
    n_connected = 0;
    struct tcp_pcb *pcb = tcp_new();
    tcp_arg(pcb, &n_accept);
    tcp_recv(pcb, on_recv);
    tcp_err(pcb, on_err);
    ck_assert_int_eq(tcp_bind(pcb, IP_ADDR_ANY, OUR_PORT), ERR_OK);
    ip_addr_t peer;
    ck_assert(ip4addr_aton("10.0.2.2", &peer));
    /* the peer's port is PEER_PORT, as peer_send uses */
    ck_assert_int_eq(tcp_connect(pcb, &peer, PEER_PORT, on_connected), ERR_OK);
    struct seg_seen s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_SYN);
    iss = s.seq;
    fake_netif_clear(&fk);
    /* The peer's SYN crosses ours: SYN_RCVD, and our SYN again with
     * ACK (RFC 9293 3.10.7.3: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>). */
    peer_send_to(OUR_PORT, PEER_ISS, 0, TCP_SYN, PEER_MSS, NULL, 0);
    ck_assert_int_eq(pcb->state, SYN_RCVD);
    ck_assert_uint_eq(fk.nframes, 1);
    s = frame_seg(0);
    ck_assert_uint_eq(s.flags, TCP_SYN | TCP_ACK);
    ck_assert_uint_eq(s.seq, iss);
    ck_assert_uint_eq(s.ack, PEER_ISS + 1);
    ck_assert_uint_eq(s.mss, TCP_MSS);
    fake_netif_clear(&fk);
    /* The peer's SYN-ACK: ESTABLISHED, the connected callback. */
    peer_send(PEER_ISS, iss + 1, TCP_SYN | TCP_ACK, NULL, 0);
    ck_assert_int_eq(pcb->state, ESTABLISHED);
    ck_assert_int_eq(n_connected, 1);
    ck_assert_uint_eq(pcb->mss, PEER_MSS);
    ck_assert_ptr_null(pcb->unacked);
    ck_assert_uint_eq(ng_drops_total(), 0);
    conn = pcb;
    tcp_abort(conn);
}
END_TEST

static u32_t sent_bytes;

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    ck_assert_ptr_eq(arg, &n_accept);
    LWIP_UNUSED_ARG(pcb);
    sent_bytes += len;
    return ERR_OK;
}

START_TEST(acks_grow_cwnd_and_dupacks_retransmit)
{
    static u8_t data[4000];
    fill(data, sizeof data, 1);
    sent_bytes = 0;
    handshake();
    tcp_sent(conn, on_sent);
    tcp_nagle_disable(conn);
    ck_assert_int_eq(tcp_write(conn, data, 4000, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 4);               /* cwnd 4 * 1000 */
    for (unsigned i = 0; i < 4; i++)
        ck_assert_uint_eq(frame_seg(i).seq, iss + 1 + 1000 * i);
    fake_netif_clear(&fk);
    u16_t snd_buf = tcp_sndbuf(conn);

    /* A new ACK: the sent callback, buffer back, slow start (+ 1 MSS). */
    peer_send(PEER_ISS + 1, iss + 1001, TCP_ACK, NULL, 0);
    ck_assert_uint_eq(sent_bytes, 1000);
    ck_assert_uint_eq(tcp_sndbuf(conn), snd_buf + 1000);
    ck_assert_uint_eq(conn->cwnd, 5000);
    ck_assert_uint_eq(conn->lastack, iss + 1001);
    fake_netif_clear(&fk);

    /* Three segments outstanding and nothing more to send: RFC 5827
     * (early retransmit) lowers the threshold to two duplicates. The
     * first alone does nothing. */
    peer_send(PEER_ISS + 1, iss + 1001, TCP_ACK, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert(!tcp_is_flag_set(conn, TF_INFR));
    /* The second: fast retransmit of the segment at iss + 1001. */
    peer_send(PEER_ISS + 1, iss + 1001, TCP_ACK, NULL, 0);
    ck_assert_uint_eq(conn->dupacks, 2);
    ck_assert(tcp_is_flag_set(conn, TF_INFR));
    ck_assert_uint_eq(fk.nframes, 1);
    struct seg_seen s = frame_seg(0);
    ck_assert_uint_eq(s.seq, iss + 1001);
    ck_assert_uint_eq(s.datalen, 1000);
    ck_assert_uint_eq(conn->cwnd, conn->ssthresh + 3 * 1000);
    /* A third inflates cwnd by one MSS. */
    u16_t cwnd = conn->cwnd;
    peer_send(PEER_ISS + 1, iss + 1001, TCP_ACK, NULL, 0);
    ck_assert_uint_eq(conn->cwnd, cwnd + 1000);
    fake_netif_clear(&fk);

    /* All acknowledged: recovery ends with cwnd = ssthresh. */
    peer_send(PEER_ISS + 1, iss + 4001, TCP_ACK, NULL, 0);
    ck_assert(!tcp_is_flag_set(conn, TF_INFR));
    ck_assert_uint_eq(conn->cwnd, conn->ssthresh);
    ck_assert_uint_eq(sent_bytes, 4000);
    ck_assert_ptr_null(conn->unacked);
    ck_assert_int_eq(conn->rtime, -1);
    ck_assert_uint_eq(tcp_sndbuf(conn), TCP_SND_BUF);
    ck_assert_uint_eq(ng_drops_total(), 0);
    finish();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tcp_in_smoke");
    TCase *tc = ng_tcase(s, "tcp_in");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, passive_open_handshake);
    tcase_add_test(tc, in_order_data_delayed_ack_then_close);
    tcase_add_test(tc, out_of_order_dupack_then_in_order_delivery);
    tcase_add_test(tc, rst_to_closed_port);
    tcase_add_test(tc, fin_out_of_order_waits_for_the_data);
    tcase_add_test(tc, simultaneous_close);
    tcase_add_test(tc, rst_exact_resets_in_window_challenged);
    tcase_add_test(tc, refused_data_kept_and_offered_again);
    tcase_add_test(tc, simultaneous_open);
    tcase_add_test(tc, acks_grow_cwnd_and_dupacks_retransmit);
    return ng_test_run(s) ? 1 : 0;
}
