/*
 * tests/unit/test_tcp_open.c - TCP opening and closing (RFC 9293 3.5 and
 * 3.6, 3.10), scenario by scenario through the harness of tcp_script.h:
 * passive, active and simultaneous open; the MSS option both ways; the
 * ISN; active close through FIN_WAIT_1, FIN_WAIT_2 and TIME_WAIT (2 MSL,
 * restarted by a retransmitted FIN); passive close through CLOSE_WAIT and
 * LAST_ACK; simultaneous close through CLOSING; half-close in both
 * directions; close in SYN_SENT, SYN_RCVD and LISTEN; data after close
 * answered with RST; the FIN_WAIT_2 timeout; the TCP_STATE trace records.
 * Every expected value comes from the RFCs and lwip/opt.h, never from the
 * implementation.
 */
#include "tcp_script.h"
#include "trace_capture.h"

static struct ts S;

/* ---- opening ------------------------------------------------------------------ */

START_TEST(passive_open)
{
    struct ts *s = ts_begin(&S, "passive open");
    TS_LISTEN(s, 80);
    /* RFC 9293 3.10.7.2: a SYN to a listener gets <SEQ=ISS><ACK=RCV.NXT>
     * <CTL=SYN,ACK>, our MSS option (TCP_MSS) and window (TCP_WND). */
    TS_PEER(s, "SYN seq=1000 win=8192 mss=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001 win=5840 mss=1460 len=0");
    TS_EXPECT_NOTHING(s);
    TS_EXPECT_STATE(s, SYN_RCVD);
    TS_APP_EXPECT_NOT_ACCEPTED(s);
    TS_PEER(s, "ACK seq=1001 ack=$ISS+1");
    TS_APP_EXPECT_ACCEPTED(s);
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_EXPECT_NOTHING(s);
    /* RFC 9293 3.7.1: the send MSS is the peer's option (1000 < 1460). */
    TS_CHECK(s, tcp_mss(s->pcb) == 1000, "mss %u", tcp_mss(s->pcb));
    TS_CHECK(s, s->pcb->snd_wnd == 8192, "snd_wnd %u", s->pcb->snd_wnd);

    /* data both ways */
    TS_PEER(s, "ACK|PSH seq=1001 ack=$ISS+1 len=100");
    TS_APP_EXPECT_RECV(s, 100);
    TS_APP_WRITE(s, 100);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=1101 len=100");
    TS_PEER(s, "ACK seq=1101 ack=$ISS+101");
    TS_APP_EXPECT_SENT(s, 100);
    TS_ADVANCE(s, 1000);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(active_open)
{
    struct ts *s = ts_begin(&S, "active open");
    TS_CONNECT(s, 7);
    /* RFC 9293 3.10.1: <SEQ=ISS><CTL=SYN> with our MSS option. */
    TS_EXPECT(s, "SYN win=5840 mss=1460 len=0");
    TS_EXPECT_STATE(s, SYN_SENT);
    /* RFC 6335 6 / the contract: an ephemeral port in 0xc000..0xffff */
    TS_CHECK(s, s->lport >= TCP_LOCAL_PORT_RANGE_START, "local port %u", s->lport);
    TS_PEER(s, "SYN|ACK seq=5000 ack=$ISS+1 win=8192 mss=1460");
    /* RFC 9293 3.10.7.3: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=5001 len=0");
    TS_APP_EXPECT_CONNECTED(s);
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_CHECK(s, tcp_mss(s->pcb) == 1460, "mss %u", tcp_mss(s->pcb));
    TS_APP_WRITE(s, 10);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=5001 len=10");
    TS_PEER(s, "ACK ack=$ISS+11");
    TS_APP_EXPECT_SENT(s, 10);
    ts_end(s);
}
END_TEST

START_TEST(active_open_syn_ack_with_bad_ack_gets_rst)
{
    struct ts *s = ts_begin(&S, "active open, SYN|ACK acking something else");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN");
    /* RFC 9293 3.10.7.3: SEG.ACK =< ISS or > SND.NXT: <SEQ=SEG.ACK><CTL=RST>,
     * and the connection stays in SYN_SENT. */
    TS_PEER(s, "SYN|ACK seq=5000 ack=$ISS+77 win=8192");
    TS_EXPECT(s, "RST|?ACK seq=$ISS+77");   /* ACK bit: see test_tcp_rst.c */
    TS_EXPECT_STATE(s, SYN_SENT);
    TS_APP_EXPECT_NO_ERR(s);
    TS_PEER(s, "SYN|ACK seq=5000 ack=$ISS+1 win=8192");
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=5001");
    TS_APP_EXPECT_CONNECTED(s);
    ts_end(s);
}
END_TEST

START_TEST(simultaneous_open)
{
    struct ts *s = ts_begin(&S, "simultaneous open");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN mss=1460");
    /* RFC 9293 3.10.7.3, figure 7: a SYN without ACK in SYN_SENT: to
     * SYN_RCVD, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. */
    TS_PEER(s, "SYN seq=5000 win=8192 mss=1200");
    TS_EXPECT(s, "SYN|ACK seq=$ISS ack=5001");
    TS_EXPECT_STATE(s, SYN_RCVD);
    /* the peer's SYN|ACK (figure 7 line 6): ESTABLISHED */
    TS_PEER(s, "SYN|ACK seq=5000 ack=$ISS+1 win=8192 mss=1200");
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_APP_EXPECT_CONNECTED(s);
    /* an ACK of the duplicate SYN may follow; nothing else */
    TS_EXPECT_MAYBE(s, "ACK seq=$ISS+1 ack=5001 len=0");
    TS_EXPECT_NOTHING(s);
    TS_CHECK(s, tcp_mss(s->pcb) == 1200, "mss %u", tcp_mss(s->pcb));
    TS_PEER(s, "ACK seq=5001 ack=$ISS+1 len=20");
    TS_APP_EXPECT_RECV(s, 20);
    ts_end(s);
}
END_TEST

START_TEST(mss_default_536_without_option)
{
    struct ts *s = ts_begin(&S, "no MSS option: 536");
    /* RFC 9293 3.7.1 (MUST-15): no MSS option: a send MSS of 536. */
    TS_ESTABLISH(s, 1000, 0, 8192);
    TS_CHECK(s, tcp_mss(s->pcb) == 536, "mss %u", tcp_mss(s->pcb));
    TS_APP_WRITE(s, 1000);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 len=536");
    /* the 464-byte rest may wait for the ACK (Nagle, RFC 9293 3.7.4) */
    if (!TS_EXPECT_MAYBE(s, "ACK seq=$ISS+537 len=464")) {
        TS_PEER(s, "ACK ack=$ISS+537");
        TS_EXPECT(s, "ACK seq=$ISS+537 len=464");
    }
    TS_PEER(s, "ACK ack=$ISS+1001");
    ts_end(s);
}
END_TEST

START_TEST(mss_larger_than_mtu_clamped)
{
    struct ts *s = ts_begin(&S, "peer MSS 4000 limited by our MTU");
    /* RFC 9293 3.7.1: segments fit the peer's MSS and our interface's
     * MTU (1500 - 40 = 1460). */
    TS_ESTABLISH(s, 1000, 4000, 30000);
    TS_CHECK(s, tcp_mss(s->pcb) == 1460, "mss %u", tcp_mss(s->pcb));
    TS_APP_WRITE(s, 2920);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 len=1460");
    TS_EXPECT(s, "ACK seq=$ISS+1461 len=1460");
    TS_PEER(s, "ACK ack=$ISS+2921");
    ts_end(s);
}
END_TEST

START_TEST(options_we_do_not_implement_not_echoed)
{
    struct ts *s = ts_begin(&S, "a Linux-like SYN: SACK, timestamps, window scale ignored");
    TS_LISTEN(s, 80);
    /* MSS, SACK permitted, timestamps, NOP, window scale 7 */
    TS_PEER(s, "SYN seq=1000 win=64240 mss=1460 opts=0402080a000000010000000001030307");
    /* RFC 7323 1.3 / 3.2 and RFC 2018 2: none of them unless we do them
     * (lwip/opt.h: no SACK, no timestamps, no scaling): only our MSS */
    TS_EXPECT(s, "SYN|ACK ack=1001 mss=1460 hl=24");
    TS_PEER(s, "ACK seq=1001 ack=$ISS+1 win=64240");
    TS_APP_EXPECT_ACCEPTED(s);
    /* RFC 7323 2.2: no scaling agreed: the window is the field itself */
    TS_CHECK(s, s->pcb->snd_wnd == 64240, "snd_wnd %u", s->pcb->snd_wnd);
    TS_PEER(s, "ACK len=100");
    TS_APP_EXPECT_RECV(s, 100);
    ts_end(s);
}
END_TEST

START_TEST(malformed_options_survived)
{
    struct ts *s = ts_begin(&S, "SYNs with malformed options: no crash, no hang");
    TS_LISTEN(s, 80);
    /* RFC 9293 3.1 (MUST-7): an illegal option length must not crash the
     * stack; it may drop the segment (the contract: TCP_OPTIONS), reset,
     * or carry on */
    static const char *const bad[] = { "0200", "0201", "08ff", "0203", "020405" };
    for (unsigned i = 0; i < LWIP_ARRAYSIZE(bad); i++) {
        ts_new_conn(s, (u16_t)(41000 + i));
        TS_PEER(s, "SYN seq=1000 opts=%s", bad[i]);
        while (ts_pending(s))
            TS_EXPECT(s, "?SYN|?ACK|?RST");
    }
    TS_CHECK(s, ng_drop_count[NG_drop_TCP_OPTIONS] >= 1, "TCP_OPTIONS drops %u",
             ng_drop_count[NG_drop_TCP_OPTIONS]);
    ts_new_conn(s, 42000);
    TS_PEER(s, "SYN seq=1000 mss=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001 mss=1460");
    ts_end(s);
}
END_TEST

START_TEST(zero_mss_option_survived)
{
    struct ts *s = ts_begin(&S, "a peer MSS option of 0");
    /* nonsense, but legal on the wire: the send MSS must stay usable */
    TS_LISTEN(s, 80);
    TS_PEER(s, "SYN seq=1000 mss=0");
    TS_EXPECT(s, "SYN|ACK ack=1001");
    TS_PEER(s, "ACK ack=$ISS+1");
    TS_APP_EXPECT_ACCEPTED(s);
    TS_CHECK(s, tcp_mss(s->pcb) > 0, "mss %u", tcp_mss(s->pcb));
    TS_APP_WRITE(s, 100);
    TS_APP_OUTPUT(s);
    u32_t acked = 0;
    for (int i = 0; i < 40 && acked < 100; i++) {
        if (ts_wait_packet(s, 5000) < 0)
            ts_fail(s, "nothing sent with %u of 100 bytes acked", acked);
        struct ts_seg g = ts_peek(s);
        TS_EXPECT(s, "ACK len=1..100");
        acked = g.seq + g.len - (ts_var(s, "ISS") + 1);
        TS_PEER(s, "ACK ack=$ISS+1+%lu", (unsigned long)acked);
    }
    TS_CHECK(s, acked == 100, "%u bytes acked", acked);
    ts_end(s);
}
END_TEST

START_TEST(isn_differs_between_connections)
{
    struct ts *s = ts_begin(&S, "ISNs");
    /* RFC 9293 3.4.1 / RFC 6528: not a constant, not predictable. */
    TS_LISTEN(s, 80);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001 seq=@A");
    ts_new_conn(s, 40001);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001 seq=@B");
    ts_new_conn(s, 40002);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001 seq=@C");
    u32_t a = ts_var(s, "A"), b = ts_var(s, "B"), c = ts_var(s, "C");
    TS_CHECK(s, a != b && b != c && a != c, "ISNs %u %u %u", a, b, c);
    TS_CHECK(s, (b - a) != (c - b) || (b - a) > 1000000u, "ISN steps %u %u", b - a, c - b);
    ts_end(s);
}
END_TEST

/* ---- closing -------------------------------------------------------------------- */

START_TEST(active_close_time_wait)
{
    struct ts *s = ts_begin(&S, "active close: FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    /* RFC 9293 3.10.4: CLOSE in ESTABLISHED: a FIN, FIN_WAIT_1. */
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001 len=0");
    TS_EXPECT_STATE(s, FIN_WAIT_1);
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_STATE(s, FIN_WAIT_2);
    TS_EXPECT_NOTHING(s);
    /* RFC 9293 3.10.7.4 eighth: FIN in FIN_WAIT_2: ACK it, TIME_WAIT */
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1002 len=0");
    TS_EXPECT_STATE(s, TIME_WAIT);
    /* RFC 9293 3.3.2 / 3.10.7.4: 2 MSL (TCP_MSL 60 s), one slow tick of
     * granularity */
    TS_ADVANCE(s, 2 * TCP_MSL - 1000);
    TS_EXPECT_STATE(s, TIME_WAIT);
    TS_EXPECT_NOTHING(s);
    TS_ADVANCE(s, 2000);
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(time_wait_acks_retransmitted_fin_and_restarts)
{
    struct ts *s = ts_begin(&S, "TIME_WAIT: a retransmitted FIN is acked, 2 MSL restarts");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001");
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1002");
    TS_EXPECT_STATE(s, TIME_WAIT);
    TS_ADVANCE(s, 60000);
    /* RFC 9293 3.10.7.4 eighth, TIME-WAIT: "Remain in the TIME-WAIT state.
     * Restart the 2 MSL time-wait timeout." and acknowledge it. */
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1002 len=0");
    TS_EXPECT_STATE(s, TIME_WAIT);
    TS_ADVANCE(s, 2 * TCP_MSL - 1000);   /* 180 s after the first FIN */
    TS_EXPECT_STATE(s, TIME_WAIT);
    TS_ADVANCE(s, 2000);
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

START_TEST(passive_close_close_wait_last_ack)
{
    struct ts *s = ts_begin(&S, "passive close: CLOSE_WAIT, LAST_ACK");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+1");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+1 ack=1002 len=0");
    TS_APP_EXPECT_FIN(s);
    TS_EXPECT_STATE(s, CLOSE_WAIT);
    /* RFC 9293 3.6: the half-closed side may still send */
    TS_APP_WRITE(s, 300);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=1002 len=300");
    TS_PEER(s, "ACK seq=1002 ack=$ISS+301");
    TS_APP_EXPECT_SENT(s, 300);
    TS_APP_CLOSE(s);
    /* RFC 9293 3.10.4 CLOSE in CLOSE_WAIT: FIN, LAST_ACK */
    TS_EXPECT(s, "FIN|ACK seq=$ISS+301 ack=1002");
    TS_EXPECT_STATE(s, LAST_ACK);
    TS_PEER(s, "ACK seq=1002 ack=$ISS+302");
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(last_ack_fin_retransmitted)
{
    struct ts *s = ts_begin(&S, "LAST_ACK: the FIN is retransmitted until acked");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+1");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1002");
    /* RFC 9293 3.10.7.4 / RFC 6298: the FIN occupies sequence space and is
     * retransmitted on the RTO (1 s .. initial, at least 500 ms) */
    TS_EXPECT_IN(s, 250, 3500, "FIN|ACK seq=$ISS+1 ack=1002");
    TS_EXPECT_STATE(s, LAST_ACK);
    TS_PEER(s, "ACK seq=1002 ack=$ISS+2");
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

START_TEST(simultaneous_close_closing)
{
    struct ts *s = ts_begin(&S, "simultaneous close: CLOSING");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001");
    /* the peer's FIN crosses ours (it has not seen ours): RFC 9293 3.6
     * figure 13: FIN_WAIT_1 -> CLOSING, our ACK of its FIN */
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+1");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1002 len=0");
    TS_EXPECT_STATE(s, CLOSING);
    /* its ACK of our FIN: TIME_WAIT */
    TS_PEER(s, "ACK seq=1002 ack=$ISS+2");
    TS_EXPECT_STATE(s, TIME_WAIT);
    TS_EXPECT_NOTHING(s);
    TS_ADVANCE(s, 2 * TCP_MSL + 1000);
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

START_TEST(fin_and_ack_together_in_fin_wait_1)
{
    struct ts *s = ts_begin(&S, "FIN_WAIT_1: FIN+ACK of our FIN at once -> TIME_WAIT");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001");
    /* RFC 9293 3.10.7.4 eighth, FIN-WAIT-1: "If our FIN has been ACKed
     * ... enter TIME-WAIT" */
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1002");
    TS_EXPECT_STATE(s, TIME_WAIT);
    ts_end(s);
}
END_TEST

START_TEST(half_close_we_shut_tx_peer_keeps_sending)
{
    struct ts *s = ts_begin(&S, "half-close: we shut TX, the peer keeps sending");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_SHUTDOWN(s, 0, 1);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001");
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_STATE(s, FIN_WAIT_2);
    /* RFC 9293 3.10.4: after CLOSE the user may still receive */
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2 len=200");
    TS_APP_EXPECT_RECV(s, 200);
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1201");
    TS_PEER(s, "ACK|PSH seq=1201 ack=$ISS+2 len=300");
    TS_APP_EXPECT_RECV(s, 300);
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1501");
    TS_PEER(s, "FIN|ACK seq=1501 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1502");
    TS_APP_EXPECT_FIN(s);
    TS_EXPECT_STATE(s, TIME_WAIT);
    TS_APP_CLOSE(s);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(half_close_peer_shuts_we_keep_sending)
{
    struct ts *s = ts_begin(&S, "half-close: the peer shuts, we keep sending");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+1");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_APP_EXPECT_FIN(s);
    for (int i = 0; i < 3; i++) {
        TS_APP_WRITE(s, 1000);
        TS_APP_OUTPUT(s);
        TS_EXPECT(s, "ACK seq=$ISS+1+%d ack=1002 len=1000", i * 1000);
        TS_PEER(s, "ACK seq=1002 ack=$ISS+1+%d", (i + 1) * 1000);
        TS_APP_EXPECT_SENT(s, 1000);
        TS_EXPECT_STATE(s, CLOSE_WAIT);
    }
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+3001 ack=1002");
    TS_PEER(s, "ACK seq=1002 ack=$ISS+3002");
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

START_TEST(close_after_shutdown_tx_in_fin_wait)
{
    struct ts *s = ts_begin(&S, "tcp_close in FIN_WAIT_1 and FIN_WAIT_2 (after shutdown tx)");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_SHUTDOWN(s, 0, 1);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001");
    TS_EXPECT_STATE(s, FIN_WAIT_1);
    /* our FIN is out already: close only shuts the receive side, no
     * second FIN (RFC 9293 3.10.4: FIN-WAIT-1/2 CLOSE: "error: connection
     * closing" or nothing to do) */
    struct tcp_pcb *p = s->pcb;
    TS_CHECK(s, tcp_close(p) == ERR_OK, "tcp_close in FIN_WAIT_1");
    s->pcb_closed[0] = 1;
    s->pcb = NULL;
    TS_EXPECT_NOTHING(s);
    TS_EXPECT_STATE(s, FIN_WAIT_1);
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_STATE(s, FIN_WAIT_2);
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=1002");
    TS_EXPECT_STATE(s, TIME_WAIT);
    ts_end(s);
}
END_TEST

START_TEST(close_in_syn_sent)
{
    struct ts *s = ts_begin(&S, "close in SYN_SENT");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN");
    /* RFC 9293 3.10.4: CLOSE in SYN-SENT: delete the TCB, nothing sent */
    TS_APP_CLOSE(s);
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    TS_ADVANCE(s, 3000);
    TS_EXPECT_NOTHING(s);
    /* the peer's late SYN|ACK now finds a closed port: RFC 9293 3.10.7.1 */
    TS_PEER(s, "SYN|ACK seq=5000 ack=$ISS+1");
    TS_EXPECT(s, "RST|?ACK seq=$ISS+1");    /* ACK bit: see test_tcp_rst.c */
    ts_end(s);
}
END_TEST

START_TEST(close_in_syn_rcvd)
{
    struct ts *s = ts_begin(&S, "close in SYN_RCVD (after a simultaneous open)");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN");
    TS_PEER(s, "SYN seq=5000 win=8192");
    /* the SYN|ACK itself is simultaneous_open's business: whatever came */
    while (ts_pending(s))
        TS_EXPECT(s, "?SYN|ACK ack=5001");
    TS_EXPECT_STATE(s, SYN_RCVD);
    /* RFC 9293 3.10.4 CLOSE in SYN-RECEIVED: nothing queued: a FIN,
     * FIN_WAIT_1 (it may wait for the SYN to be acked) */
    TS_APP_CLOSE(s);
    TS_EXPECT_STATE(s, FIN_WAIT_1);
    if (!TS_EXPECT_MAYBE(s, "FIN|ACK seq=$ISS+1 ack=5001")) {
        TS_PEER(s, "ACK seq=5001 ack=$ISS+1");
        TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=5001");
    }
    TS_PEER(s, "FIN|ACK seq=5001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK seq=$ISS+2 ack=5002");
    TS_EXPECT_STATE(s, TIME_WAIT);
    ts_end(s);
}
END_TEST

START_TEST(close_listener)
{
    struct ts *s = ts_begin(&S, "close in LISTEN");
    TS_LISTEN(s, 80);
    TS_CHECK(s, tcp_close(s->listener) == ERR_OK, "tcp_close on the listener");
    s->listener = NULL;
    /* RFC 9293 3.10.4: CLOSE in LISTEN deletes the TCB: a SYN now gets RST */
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "RST|ACK seq=0 ack=1001");
    ts_end(s);
}
END_TEST

START_TEST(data_after_close_gets_rst)
{
    struct ts *s = ts_begin(&S, "data after tcp_close: RST");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001");
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_STATE(s, FIN_WAIT_2);
    /* the contract (tcp_close shuts both ways) and RFC 1122 4.2.2.13: data
     * after CLOSE SHOULD be answered with a RST */
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2 len=10");
    TS_EXPECT(s, "RST|?ACK seq=$ISS+2");
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

START_TEST(fin_wait_2_timeout_after_close)
{
    struct ts *s = ts_begin(&S, "FIN_WAIT_2 after tcp_close times out");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_STATE(s, FIN_WAIT_2);
    /* RFC 9293 leaves FIN_WAIT_2 unbounded; with the receive side shut the
     * contract gives it TCP_FIN_WAIT_TIMEOUT (20 s) */
    TS_ADVANCE(s, TCP_FIN_WAIT_TIMEOUT - 1000);
    TS_EXPECT_STATE(s, FIN_WAIT_2);
    TS_ADVANCE(s, 2000);
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_MAYBE(s, "RST|?ACK seq=$ISS+2");
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

/* ---- the trace ------------------------------------------------------------------ */

START_TEST(state_changes_traced)
{
    struct ts *s = ts_begin(&S, "TCP_STATE records: passive open, active close");
    tc_start(NG_TRACE_CLASS_BIT(TCP_STATE));
    TS_ESTABLISH(s, 1000, 1460, 8192);
    u32_t pcb = (u32_t)(uintptr_t)s->pcb;
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2");
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_ADVANCE(s, 2 * TCP_MSL + 1000);
    TS_EXPECT_STATE(s, CLOSED);
    ng_trace_stop(0);
    TS_CHECK(s, tc_parse() == NULL, "trace parses");
    static const u8_t want[] = { SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED };
    unsigned n = 0;
    u8_t prev = 0xff;
    for (int i = tc_next(0, NG_EV_TCP_STATE); i >= 0; i = tc_next(i + 1, NG_EV_TCP_STATE)) {
        const struct tc_rec *r = &tc_recs[i];
        if (r->w[0] != pcb)
            continue;
        u8_t from = (u8_t)(r->w[1] & 0xff);
        u16_t port = (u16_t)(r->w[1] >> 16);
        ts_note(s, "TCP_STATE %s -> %s port %u", tcp_debug_state_str((enum tcp_state)from),
                tcp_debug_state_str((enum tcp_state)r->a), port);
        TS_CHECK(s, n < sizeof want && r->a == want[n], "record %u: to %u", n, r->a);
        TS_CHECK(s, n == 0 ? (from == CLOSED || from == LISTEN) : from == prev,
                 "record %u: from %u", n, from);
        TS_CHECK(s, port == 80, "local port %u", port);
        prev = r->a;
        n++;
    }
    TS_CHECK(s, n == sizeof want, "%u TCP_STATE records for the connection", n);
    ts_end(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("tcp_open");
    TCase *tc = ng_tcase(su, "open");
    tcase_add_test(tc, passive_open);
    tcase_add_test(tc, active_open);
    tcase_add_test(tc, active_open_syn_ack_with_bad_ack_gets_rst);
    tcase_add_test(tc, simultaneous_open);
    tcase_add_test(tc, mss_default_536_without_option);
    tcase_add_test(tc, mss_larger_than_mtu_clamped);
    tcase_add_test(tc, isn_differs_between_connections);
    tcase_add_test(tc, options_we_do_not_implement_not_echoed);
    tcase_add_test(tc, malformed_options_survived);
    tcase_add_test(tc, zero_mss_option_survived);
    tc = ng_tcase(su, "close");
    tcase_add_test(tc, active_close_time_wait);
    tcase_add_test(tc, time_wait_acks_retransmitted_fin_and_restarts);
    tcase_add_test(tc, passive_close_close_wait_last_ack);
    tcase_add_test(tc, last_ack_fin_retransmitted);
    tcase_add_test(tc, simultaneous_close_closing);
    tcase_add_test(tc, fin_and_ack_together_in_fin_wait_1);
    tcase_add_test(tc, half_close_we_shut_tx_peer_keeps_sending);
    tcase_add_test(tc, half_close_peer_shuts_we_keep_sending);
    tcase_add_test(tc, close_after_shutdown_tx_in_fin_wait);
    tcase_add_test(tc, close_in_syn_sent);
    tcase_add_test(tc, close_in_syn_rcvd);
    tcase_add_test(tc, close_listener);
    tcase_add_test(tc, data_after_close_gets_rst);
    tcase_add_test(tc, fin_wait_2_timeout_after_close);
    tc = ng_tcase(su, "trace");
    tcase_add_test(tc, state_changes_traced);
    return ng_test_run(su) != 0;
}
