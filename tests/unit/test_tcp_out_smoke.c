/*
 * tests/unit/test_tcp_out_smoke.c - a smoke test of TCP's sending side
 * (net/tcp_out.c) through the whole stack: tcp_connect, tcp_write and
 * tcp_output go down through IP, ARP (a static entry for the peer) and
 * Ethernet into the fake interface (tests/unit/fake_netif.h), and the
 * peer's segments, built here byte by byte, come up from it.
 *
 * Every frame sent is checked field by field, and its IP and TCP
 * checksums are computed here (RFC 1071 over the pseudo-header, RFC 9293
 * 3.1), independently of net/inet_chksum.c.
 *
 * Covers: the SYN of an active open (no ACK, our MSS option, the whole
 * window); the ACK of the SYN-ACK; 5000 bytes written with copy become
 * MSS-sized segments, as many as the initial congestion window allows
 * (RFC 5681 3.1), the small last one pushed and held by Nagle until all
 * in flight is acknowledged; a
 * write without copy chains the caller's bytes; Nagle (RFC 9293 3.7.4)
 * holds a small second write (two of them, gathered into one segment)
 * until the ACK, and tcp_nagle_disable sends it at once; a write larger
 * than the send buffer, or one that fails half-way for want of queue
 * room, leaves nothing queued. Every test ends with every
 * pool and the heap empty.
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

#define OUR_PORT 4000
#define PEER_PORT 5001
#define PEER_ISS 0x7ffffff0UL       /* near a wrap of the signed difference */
#define PEER_WND 16384
#define FRAME_ETH_HLEN 14
#define FRAME_IP_HLEN 20

static const u8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const u8_t our_ip[4] = { 10, 0, 2, 15 };
static const u8_t peer_ip[4] = { 10, 0, 2, 2 };

static struct fake_netif fk;
static struct tcp_pcb *conn;
static u32_t iss;                   /* our initial sequence number, read off the SYN */
static int connected_calls;
static u8_t data[6000];

/* Bytes and checksums (be16, put16, ref_chksum, ref_tcp_chksum) come from
 * tests/unit/ref_wire.h: computed there, independently of the stack. */

/* ---- the peer's segments, built here ------------------------------------------------ */

/* An IP packet from the peer, as a frame on the wire: through the
 * driver's path (ethernet_input, ip4_input) up to tcp_input. */
static void deliver_frame(const u8_t *pkt, u16_t len)
{
    static u8_t f[1600];
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, 0x0800);
    memcpy(f + FRAME_ETH_HLEN, pkt, len);
    ck_assert_int_eq(fake_netif_inject(&fk, f, (u16_t)(FRAME_ETH_HLEN + len)), ERR_OK);
}

/* Send us a segment from the peer: IP and TCP (with an MSS option when
 * mss is not 0), checksums computed here. */
static void peer_send(u32_t seq, u32_t ack, u8_t flags, u16_t wnd, u16_t mss,
                      const u8_t *payload, u16_t len)
{
    static u8_t ip[1600];
    u8_t optlen = mss ? 4 : 0;
    u16_t tcplen = (u16_t)(20 + optlen + len);
    memset(ip, 0, sizeof ip);
    ip[0] = 0x45;
    put16(ip + 2, (u16_t)(FRAME_IP_HLEN + tcplen));
    put16(ip + 4, 0x1234);
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, peer_ip, 4);
    memcpy(ip + 16, our_ip, 4);
    put16(ip + 10, ref_chksum(ip, FRAME_IP_HLEN));
    u8_t *t = ip + FRAME_IP_HLEN;
    put16(t, PEER_PORT);
    put16(t + 2, OUR_PORT);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (u8_t)(((20 + optlen) / 4) << 4);
    t[13] = flags;
    put16(t + 14, wnd);
    if (mss) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, mss);
    }
    if (len)
        memcpy(t + 20 + optlen, payload, len);
    put16(t + 16, ref_tcp_chksum(peer_ip, our_ip, t, tcplen));
    deliver_frame(ip, (u16_t)(FRAME_IP_HLEN + tcplen));
}

/* ---- what we sent, checked here ----------------------------------------------------- */

struct seg_want {
    u32_t seq, ack;
    u8_t flags;
    u16_t wnd;
    u16_t mss;                      /* the MSS option we must carry, 0: no options */
    const u8_t *payload;
    u16_t len;
};

/* Frame i must be exactly this segment from us to the peer, with right
 * checksums. Returns the TCP header (in the recorded frame). */
static const u8_t *check_frame(unsigned i, const struct seg_want *w)
{
    const struct fake_frame *fr = fake_netif_frame(&fk, i);
    const u8_t *f = fr->data;
    u8_t optlen = w->mss ? 4 : 0;
    u16_t tcplen = (u16_t)(20 + optlen + w->len);
    ck_assert_uint_eq(fr->len, FRAME_ETH_HLEN + FRAME_IP_HLEN + tcplen);
    ck_assert_mem_eq(f, peer_mac, 6);
    ck_assert_mem_eq(f + 6, our_mac, 6);
    ck_assert_uint_eq(be16(f + 12), 0x0800);
    const u8_t *ip = f + FRAME_ETH_HLEN;
    ck_assert_uint_eq(ip[0], 0x45);
    ck_assert_uint_eq(be16(ip + 2), FRAME_IP_HLEN + tcplen);
    ck_assert_uint_eq(ip[8], TCP_TTL);
    ck_assert_uint_eq(ip[9], 6);
    ck_assert_mem_eq(ip + 12, our_ip, 4);
    ck_assert_mem_eq(ip + 16, peer_ip, 4);
    ck_assert_uint_eq(ref_chksum(ip, FRAME_IP_HLEN), 0);        /* IP header checksum */
    const u8_t *t = ip + FRAME_IP_HLEN;
    ck_assert_uint_eq(be16(t), OUR_PORT);
    ck_assert_uint_eq(be16(t + 2), PEER_PORT);
    ck_assert_uint_eq(be32(t + 4), w->seq);
    ck_assert_uint_eq(be32(t + 8), w->ack);
    ck_assert_uint_eq(t[12], ((20 + optlen) / 4) << 4);
    ck_assert_msg(t[13] == w->flags, "frame %u: flags %02x, want %02x", i, t[13], w->flags);
    ck_assert_uint_eq(be16(t + 14), w->wnd);
    ck_assert_uint_eq(be16(t + 18), 0);                       /* urgent pointer */
    if (w->mss) {
        ck_assert_uint_eq(t[20], 2);
        ck_assert_uint_eq(t[21], 4);
        ck_assert_uint_eq(be16(t + 22), w->mss);
    }
    if (w->len)
        ck_assert_mem_eq(t + 20 + optlen, w->payload, w->len);
    ck_assert_msg(ref_tcp_chksum(our_ip, peer_ip, t, tcplen) == 0,
                  "frame %u: bad TCP checksum %04x", i, be16(t + 16));
    return t;
}

/* Frame i: one data segment of ours, n bytes from data[off], seq iss + 1 + off. */
static void check_data(unsigned i, u16_t off, u16_t n, u8_t flags)
{
    struct seg_want w = { .seq = iss + 1 + off, .ack = PEER_ISS + 1, .flags = flags,
                          .wnd = TCP_WND, .payload = data + off, .len = n };
    check_frame(i, &w);
}

/* ---- set-up ------------------------------------------------------------------------- */

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    ck_assert_ptr_eq(pcb, conn);
    ck_assert_int_eq(err, ERR_OK);
    connected_calls++;
    return ERR_OK;
}

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    tcp_init();
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    ip4_addr_t a;
    IP4_ADDR(&a, 10, 0, 2, 2);
    struct eth_addr m;
    memcpy(m.addr, peer_mac, 6);
    ck_assert_int_eq(etharp_add_static_entry(&a, &m), ERR_OK);
    fake_netif_clear(&fk);
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (u8_t)(i * 7 + i / 251);
    conn = NULL;
    connected_calls = 0;
}

/* Abort what is left, let the TCP timer see that nothing needs it, and
 * check that every pool and the heap are empty. */
static void finish(void)
{
    if (conn != NULL)
        tcp_abort(conn);
    conn = NULL;
    ng_host_advance(2 * TCP_TMR_INTERVAL);
    sys_check_timeouts();
    ip4_addr_t a;
    IP4_ADDR(&a, 10, 0, 2, 2);
    etharp_remove_static_entry(&a);
    netif_remove(&fk.netif);
    ng_assert_net_clean();
}

/* tcp_connect, the SYN checked, the SYN-ACK (MSS 1460, window PEER_WND)
 * answered with an ACK: ESTABLISHED, and the frames forgotten. */
static void open_connection(void)
{
    conn = tcp_new();
    ck_assert_ptr_nonnull(conn);
    ck_assert_int_eq(tcp_bind(conn, IP_ADDR_ANY, OUR_PORT), ERR_OK);
    ip4_addr_t peer;
    IP4_ADDR(&peer, 10, 0, 2, 2);
    ck_assert_int_eq(tcp_connect(conn, &peer, PEER_PORT, on_connected), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    iss = be32(fake_netif_frame(&fk, 0)->data + FRAME_ETH_HLEN + FRAME_IP_HLEN + 4);
    /* RFC 9293 3.10.1: the first SYN has no ACK; RFC 9293 3.7.1: it
     * carries our MSS (what the 1500-byte MTU leaves), the window is all
     * of TCP_WND. */
    struct seg_want syn = { .seq = iss, .ack = 0, .flags = TCP_SYN, .wnd = TCP_WND,
                            .mss = 1460 };
    check_frame(0, &syn);
    ck_assert_uint_eq(conn->snd_nxt, iss + 1);
    ck_assert_ptr_null(conn->unsent);
    ck_assert_ptr_nonnull(conn->unacked);

    peer_send(PEER_ISS, iss + 1, TCP_SYN | TCP_ACK, PEER_WND, 1460, NULL, 0);
    ck_assert_int_eq(conn->state, ESTABLISHED);
    ck_assert_int_eq(connected_calls, 1);
    ck_assert_uint_eq(fk.nframes, 2);
    struct seg_want ack = { .seq = iss + 1, .ack = PEER_ISS + 1, .flags = TCP_ACK,
                            .wnd = TCP_WND };
    check_frame(1, &ack);
    ck_assert_uint_eq(conn->mss, 1460);
    ck_assert_ptr_null(conn->unacked);
    fake_netif_clear(&fk);
}

/* ---- tests ---------------------------------------------------------------------------- */

START_TEST(bulk_write_limited_by_initial_cwnd)
{
    open_connection();
    /* RFC 5681 3.1 equation (3): an MSS of 1460 starts with 3 segments. */
    ck_assert_uint_eq(conn->cwnd, 3 * 1460);

    ck_assert_int_eq(tcp_write(conn, data, 5000, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 0);               /* tcp_write only queues */
    ck_assert_uint_eq(tcp_sndbuf(conn), TCP_SND_BUF - 5000);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), 4);    /* 1460 + 1460 + 1460 + 620, copied */
    ck_assert_uint_eq(conn->snd_lbb, iss + 1 + 5000);

    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 3);
    check_data(0, 0, 1460, TCP_ACK);
    check_data(1, 1460, 1460, TCP_ACK);
    check_data(2, 2920, 1460, TCP_ACK);
    ck_assert_uint_eq(conn->snd_nxt, iss + 1 + 4380);
    ck_assert_ptr_nonnull(conn->unsent);
    ck_assert_uint_eq(conn->unsent->len, 620);
    ck_assert_int_ge(conn->rtime, 0);               /* RFC 6298 5.1: the timer runs */
    ck_assert_uint_eq(conn->rtseq, iss + 1);        /* the first segment is timed */

    /* Two segments acknowledged: the window has room for the last one,
     * but it is smaller than an MSS and data is in flight: Nagle holds it
     * (RFC 9293 3.7.4: the PSH bit does not matter). */
    peer_send(PEER_ISS + 1, iss + 1 + 2920, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 3);
    ck_assert_uint_gt(conn->cwnd, 3 * 1460);        /* slow start grew it */
    /* All in flight acknowledged: it goes, pushed. */
    peer_send(PEER_ISS + 1, iss + 1 + 4380, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 4);
    check_data(3, 4380, 620, TCP_ACK | TCP_PSH);
    ck_assert_ptr_null(conn->unsent);

    /* All acknowledged: the buffer is free again. */
    peer_send(PEER_ISS + 1, iss + 1 + 5000, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 4);
    ck_assert_ptr_null(conn->unacked);
    ck_assert_uint_eq(tcp_sndbuf(conn), TCP_SND_BUF);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), 0);
    finish();
}
END_TEST

START_TEST(write_without_copy_chains_the_data)
{
    open_connection();
    ck_assert_int_eq(tcp_write(conn, data, 200, 0), ERR_OK);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), 2);    /* a header pbuf and the caller's bytes */
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    check_data(0, 0, 200, TCP_ACK | TCP_PSH);
    ck_assert_uint_eq(fake_netif_frame(&fk, 0)->pbufs, 2);
    peer_send(PEER_ISS + 1, iss + 1 + 200, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), 0);
    finish();
}
END_TEST

START_TEST(nagle_holds_small_writes_until_the_ack)
{
    open_connection();
    ck_assert_int_eq(tcp_write(conn, data, 100, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);               /* nothing in flight: it goes */
    check_data(0, 0, 100, TCP_ACK | TCP_PSH);

    /* RFC 9293 3.7.4: data in flight, so small writes wait and gather. */
    ck_assert_int_eq(tcp_write(conn, data + 100, 30, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_int_eq(tcp_write(conn, data + 130, 20, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_ptr_nonnull(conn->unsent);
    ck_assert_ptr_null(conn->unsent->next);         /* one segment of 50 */
    ck_assert_uint_eq(conn->unsent->len, 50);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), 2);    /* one pbuf each, in flight and waiting */

    /* The ACK: the gathered 50 bytes go at once (and carry the ACK owed). */
    peer_send(PEER_ISS + 1, iss + 1 + 100, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 2);
    check_data(1, 100, 50, TCP_ACK | TCP_PSH);
    peer_send(PEER_ISS + 1, iss + 1 + 150, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 2);
    finish();
}
END_TEST

START_TEST(nagle_disabled_sends_at_once)
{
    open_connection();
    tcp_nagle_disable(conn);
    ck_assert_int_eq(tcp_write(conn, data, 100, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_int_eq(tcp_write(conn, data + 100, 50, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 2);
    check_data(0, 0, 100, TCP_ACK | TCP_PSH);
    check_data(1, 100, 50, TCP_ACK | TCP_PSH);
    peer_send(PEER_ISS + 1, iss + 1 + 150, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_ptr_null(conn->unacked);
    finish();
}
END_TEST

START_TEST(write_beyond_the_buffer_queues_nothing)
{
    open_connection();
    ck_assert_int_eq(tcp_write(conn, data, 1000, TCP_WRITE_FLAG_COPY | TCP_WRITE_FLAG_MORE),
                     ERR_OK);
    u16_t queued = tcp_sndqueuelen(conn);
    ck_assert_int_eq(tcp_write(conn, data, TCP_SND_BUF, TCP_WRITE_FLAG_COPY), ERR_MEM);
    ck_assert(conn->flags & TF_NAGLEMEMERR);
    ck_assert_uint_eq(tcp_sndbuf(conn), TCP_SND_BUF - 1000);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), queued);
    ck_assert_uint_eq(conn->snd_lbb, iss + 1 + 1000);
    ck_assert_uint_eq(conn->unsent->len, 1000);
    ck_assert_ptr_null(conn->unsent->next);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    check_data(0, 0, 1000, TCP_ACK);                /* TCP_WRITE_FLAG_MORE: no PSH */
    ck_assert(!(conn->flags & TF_NAGLEMEMERR));     /* cleared: nothing left unsent */
    finish();
}
END_TEST

/* Small writes without copy chain their bytes behind one header, a pbuf
 * each, until one pbuf short of the queue limit (TCP_SND_QUEUELEN); a
 * write that then fills the segment (one more pbuf) and needs a new one
 * (two more) fails after it had already chained part of itself: that
 * part is undone. */
START_TEST(failed_write_is_undone)
{
    open_connection();
    const int n = TCP_SND_QUEUELEN - 2;
    const u16_t queued = (u16_t)(10 * n);
    ck_assert_int_le(queued, 1460);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(tcp_write(conn, data + 10 * i, 10, TCP_WRITE_FLAG_MORE), ERR_OK);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), TCP_SND_QUEUELEN - 1);
    ck_assert_uint_eq(conn->unsent->len, queued);
    ck_assert_int_eq(tcp_write(conn, data + queued, (u16_t)(1460 - queued + 10), 0), ERR_MEM);
    ck_assert(conn->flags & TF_NAGLEMEMERR);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), TCP_SND_QUEUELEN - 1);
    ck_assert_uint_eq(tcp_sndbuf(conn), TCP_SND_BUF - queued);
    ck_assert_uint_eq(conn->snd_lbb, iss + 1 + queued);
    ck_assert_uint_eq(conn->unsent->len, queued);
    ck_assert_uint_eq(conn->unsent->p->tot_len, 20 + queued);
    ck_assert_ptr_null(conn->unsent->next);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    check_data(0, 0, queued, TCP_ACK);
    ck_assert_uint_eq(fake_netif_frame(&fk, 0)->pbufs, TCP_SND_QUEUELEN - 1);
    peer_send(PEER_ISS + 1, iss + 1 + queued, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), 0);
    ck_assert_uint_eq(tcp_sndbuf(conn), TCP_SND_BUF);
    finish();
}
END_TEST

/* Let virtual time pass in timer steps until frame n exists (at most
 * max_ms); returns the milliseconds it took. */
static unsigned run_until_frame(unsigned n, unsigned max_ms)
{
    unsigned ms = 0;
    while (fk.nframes <= n && ms < max_ms) {
        ng_host_advance(TCP_TMR_INTERVAL);
        sys_check_timeouts();
        ms += TCP_TMR_INTERVAL;
    }
    ck_assert_msg(fk.nframes > n, "no frame %u within %u ms", n, max_ms);
    return ms;
}

/* RFC 6298 5.4 and RFC 5681 3.1: the RTO resends the first segment only
 * (cwnd one segment), untimed; its ACK lets slow start resend the next. */
START_TEST(rto_resends_from_the_first_segment)
{
    open_connection();
    ck_assert_int_eq(tcp_write(conn, data, 2920, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 2);
    run_until_frame(2, 10000);
    ck_assert_uint_eq(fk.nframes, 3);
    check_data(2, 0, 1460, TCP_ACK);
    ck_assert_uint_eq(conn->snd_nxt, iss + 1 + 2920);   /* SND.MAX does not move back */
    ck_assert_uint_eq(conn->rttest, 0);                 /* Karn: nothing timed */
    ck_assert_uint_eq(conn->cwnd, 1460);
    ck_assert_ptr_nonnull(conn->unsent);                /* the second waits for room */
    peer_send(PEER_ISS + 1, iss + 1 + 1460, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 4);
    check_data(3, 1460, 1460, TCP_ACK | TCP_PSH);
    peer_send(PEER_ISS + 1, iss + 1 + 2920, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_ptr_null(conn->unacked);
    ck_assert_ptr_null(conn->unsent);
    finish();
}
END_TEST

/* RFC 5681 3.2: duplicate ACKs resend the first segment at once and
 * enter fast recovery with cwnd = ssthresh + 3 * SMSS. With three
 * segments in flight and nothing else to send, RFC 5827 (early
 * retransmit) needs two duplicates, not three. */
START_TEST(duplicate_acks_fast_retransmit)
{
    open_connection();
    ck_assert_int_eq(tcp_write(conn, data, 4380, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 3);
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 3);
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 4);
    check_data(3, 0, 1460, TCP_ACK);
    ck_assert(conn->flags & TF_INFR);
    ck_assert_uint_eq(conn->ssthresh, 2920);            /* max(4380 / 2, 2 * 1460) */
    ck_assert_uint_eq(conn->cwnd, 2920 + 3 * 1460);
    ck_assert_uint_eq(conn->rto_end, iss + 1 + 4380);
    peer_send(PEER_ISS + 1, iss + 1 + 4380, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert(!(conn->flags & TF_INFR));
    ck_assert_ptr_null(conn->unacked);
    finish();
}
END_TEST

/* RFC 9293 3.8.6.1: a zero window with data waiting starts the persist
 * timer; the probe is the first byte at SND.UNA (snd_nxt moves past it,
 * it was never sent); when the window opens the whole segment goes. */
START_TEST(zero_window_probed_then_opened)
{
    open_connection();
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK, 0, 0, NULL, 0);
    ck_assert_uint_eq(conn->snd_wnd, 0);
    ck_assert_int_eq(tcp_write(conn, data, 100, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_uint_eq(conn->persist_backoff, 1);
    run_until_frame(0, 10000);
    check_data(0, 0, 1, TCP_ACK);
    ck_assert_uint_eq(conn->snd_nxt, iss + 2);
    ck_assert_ptr_nonnull(conn->unsent);                /* the segment stays queued */
    /* The peer took the byte, its window still closed. */
    peer_send(PEER_ISS + 1, iss + 2, TCP_ACK, 0, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 1);
    peer_send(PEER_ISS + 1, iss + 2, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 2);
    check_data(1, 0, 100, TCP_ACK | TCP_PSH);
    ck_assert_uint_eq(conn->persist_backoff, 0);
    peer_send(PEER_ISS + 1, iss + 1 + 100, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_ptr_null(conn->unacked);
    finish();
}
END_TEST

/* RFC 1122 4.2.3.4 condition (3): a peer whose window is at most 1000
 * bytes never has room for a 1460-byte segment; what fits is at least
 * half its largest window, so the segment is cut to fit. */
START_TEST(small_peer_window_gets_what_fits)
{
    open_connection();
    peer_send(PEER_ISS + 1, iss + 1, TCP_ACK, 1000, 0, NULL, 0);
    conn->snd_wnd_max = 1000;       /* as if it had never offered more */
    ck_assert_int_eq(tcp_write(conn, data, 1460, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    check_data(0, 0, 1000, TCP_ACK);
    ck_assert_uint_eq(conn->unsent->len, 460);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), 2);
    peer_send(PEER_ISS + 1, iss + 1 + 1000, TCP_ACK, 1000, 0, NULL, 0);
    ck_assert_uint_eq(fk.nframes, 2);
    check_data(1, 1000, 460, TCP_ACK | TCP_PSH);
    peer_send(PEER_ISS + 1, iss + 1 + 1460, TCP_ACK, 1000, 0, NULL, 0);
    ck_assert_uint_eq(tcp_sndqueuelen(conn), 0);
    ck_assert_uint_eq(tcp_sndbuf(conn), TCP_SND_BUF);
    finish();
}
END_TEST

/* The peer answers an ARP request for its address (RFC 826 reply). */
static void peer_arp_reply(void)
{
    u8_t f[42];
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, 0x0806);
    put16(f + 14, 1);
    put16(f + 16, 0x0800);
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, 2);
    memcpy(f + 22, peer_mac, 6);
    memcpy(f + 28, peer_ip, 4);
    memcpy(f + 32, our_mac, 6);
    memcpy(f + 38, our_ip, 4);
    ck_assert_int_eq(fake_netif_inject(&fk, f, sizeof f), ERR_OK);
}

/* A segment waiting in the ARP queue holds a reference to its pbuf: the
 * RTO must not touch it (no second copy, no header rewritten under the
 * queue); it leaves intact when the address is known, and a later
 * retransmission of the same pbuf is intact too. */
START_TEST(segment_held_by_arp_is_not_touched)
{
    open_connection();
    ip4_addr_t a;
    IP4_ADDR(&a, 10, 0, 2, 2);
    ck_assert_int_eq(etharp_remove_static_entry(&a), ERR_OK);
    ck_assert_int_eq(tcp_write(conn, data, 100, TCP_WRITE_FLAG_COPY), ERR_OK);
    ck_assert_int_eq(tcp_output(conn), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_uint_eq(be16(fake_netif_frame(&fk, 0)->data + 12), 0x0806);   /* who-has */
    struct tcp_seg *seg = conn->unacked;
    ck_assert_ptr_nonnull(seg);
    ck_assert_uint_eq(seg->p->ref, 2);                 /* the ARP queue's reference */

    /* The RTO comes while the packet still waits: nothing is sent. */
    while (seg->nrtx == 0) {
        ng_host_advance(TCP_TMR_INTERVAL);
        sys_check_timeouts();
    }
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_ptr_eq(conn->unacked, seg);
    ck_assert_ptr_null(conn->unsent);

    peer_arp_reply();
    ck_assert_uint_eq(fk.nframes, 2);
    check_data(1, 0, 100, TCP_ACK | TCP_PSH);
    ck_assert_uint_eq(seg->p->ref, 1);

    run_until_frame(2, 30000);
    check_data(2, 0, 100, TCP_ACK | TCP_PSH);
    peer_send(PEER_ISS + 1, iss + 1 + 100, TCP_ACK, PEER_WND, 0, NULL, 0);
    ck_assert_ptr_null(conn->unacked);
    finish();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tcp_out_smoke");
    TCase *tc = ng_tcase(s, "send");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, bulk_write_limited_by_initial_cwnd);
    tcase_add_test(tc, write_without_copy_chains_the_data);
    tcase_add_test(tc, nagle_holds_small_writes_until_the_ack);
    tcase_add_test(tc, nagle_disabled_sends_at_once);
    tcase_add_test(tc, write_beyond_the_buffer_queues_nothing);
    tcase_add_test(tc, failed_write_is_undone);

    tc = ng_tcase(s, "loss_and_windows");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, rto_resends_from_the_first_segment);
    tcase_add_test(tc, duplicate_acks_fast_retransmit);
    tcase_add_test(tc, zero_window_probed_then_opened);
    tcase_add_test(tc, small_peer_window_gets_what_fits);
    tcase_add_test(tc, segment_held_by_arp_is_not_touched);
    return ng_test_run(s) != 0;
}
