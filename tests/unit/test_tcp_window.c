/*
 * tests/unit/test_tcp_window.c - windows and timing of what we send: the
 * peer's zero window and the persist timer (RFC 9293 3.8.6.1: probes
 * backing off, the connection kept while probes are answered, the data
 * going once the window opens), the send window respected (3.8.6), the
 * receive window closing as the app holds data and reopening after
 * tcp_recved with receiver SWS avoidance (3.8.6.2.2), sender SWS
 * avoidance (RFC 1122 4.2.3.4), Nagle (RFC 9293 3.7.4) and
 * tcp_nagle_disable, delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2: at
 * most 250 ms here, one every second full segment, at once for out of
 * order data and for filling a gap, piggybacked on data), and the MSS
 * option honoured.
 */
#include "tcp_script.h"

static struct ts S;

#define G TCP_SLOW_INTERVAL

/* ---- the peer's window ------------------------------------------------------ */

START_TEST(zero_window_persist_probes)
{
    struct ts *s = ts_begin(&S, "zero window: persist probes back off, window reopens");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "ACK win=0");
    TS_APP_WRITE(s, 100);
    TS_APP_OUTPUT(s);
    TS_EXPECT_NOTHING(s);
    /* RFC 9293 3.8.6.1: probe after about an RTO, intervals growing
     * exponentially (SHLD-29, SHLD-30), at most TCP_RTO_MAX apart; a probe
     * is one byte of new data (or none at SND.UNA - 1). */
    u32_t iv[15];
    for (int k = 0; k < 15; k++) {
        iv[k] = TS_EXPECT_IN(s, 1, TCP_RTO_MAX + 2 * G, "ACK seq=$ISS..$ISS+1 len=0..1");
        if (k == 0)
            TS_CHECK(s, iv[0] <= 3000 + G, "first probe after %u ms",
                     iv[0]);
        else
            TS_CHECK(s, iv[k] + G >= iv[k - 1], "probe %d after %u ms, the one before %u", k,
                     iv[k], iv[k - 1]);
        /* the peer answers, window still closed */
        TS_PEER(s, "ACK ack=$ISS+1 win=0");
    }
    TS_CHECK(s, iv[4] >= 4 * iv[0], "backoff: %u ms then %u ms", iv[0], iv[4]);
    /* RFC 1122 4.2.2.17: the connection stays while probes are answered,
     * past TCP_MAXRTX */
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_APP_EXPECT_NO_ERR(s);
    /* the window opens: the data goes */
    TS_PEER(s, "ACK ack=$ISS+1 win=8192");
    TS_EXPECT(s, "ACK seq=$ISS+1 len=100");
    TS_PEER(s, "ACK ack=$ISS+101");
    TS_APP_EXPECT_SENT(s, 100);
    TS_ADVANCE(s, 5000);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(send_window_respected)
{
    struct ts *s = ts_begin(&S, "a 1000-byte peer window: never more in flight");
    TS_ESTABLISH(s, 1000, 1460, 1000);
    TS_APP_WRITE(s, 3000);
    TS_APP_OUTPUT(s);
    /* RFC 9293 3.8.6: no data beyond SND.UNA + SND.WND */
    u32_t acked = 0;
    for (int i = 0; i < 30 && acked < 3000; i++) {
        long w = ts_wait_packet(s, 10000);
        if (w < 0)
            ts_fail(s, "nothing sent for 10 s with %u bytes acked", acked);
        struct ts_seg g = ts_peek(s);
        u32_t off = g.seq - (ts_var(s, "ISS") + 1);
        TS_CHECK(s, off + g.len <= acked + 1000, "segment %u+%u beyond the window (acked %u)",
                 off, g.len, acked);
        TS_EXPECT(s, "ACK len=%u", g.len);
        if (off + g.len > acked)
            acked = off + g.len;
        TS_PEER(s, "ACK ack=$ISS+1+%lu win=1000", (unsigned long)acked);
    }
    TS_CHECK(s, acked == 3000, "%u bytes acked", acked);
    TS_APP_EXPECT_SENT(s, 3000);
    ts_end(s);
}
END_TEST

START_TEST(old_segment_does_not_update_window)
{
    struct ts *s = ts_begin(&S, "SND.WL1: an older segment does not change the window");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "ACK seq=1001 len=100 win=8192");
    TS_PEER(s, "ACK seq=1101 len=100 win=0");
    TS_CHECK(s, s->pcb->snd_wnd == 0, "snd_wnd %u", s->pcb->snd_wnd);
    /* acceptable (it brings 1201..1250) but SEG.SEQ 1051 < SND.WL1 1101:
     * RFC 9293 3.10.7.4 fifth: not a window update */
    TS_PEER(s, "ACK seq=1051 len=200 win=8192");
    TS_APP_EXPECT_RECV(s, 250);
    TS_CHECK(s, s->pcb->snd_wnd == 0, "snd_wnd %u", s->pcb->snd_wnd);
    /* a newer one is */
    TS_PEER(s, "ACK seq=1251 win=4000");
    TS_CHECK(s, s->pcb->snd_wnd == 4000, "snd_wnd %u", s->pcb->snd_wnd);
    ts_end(s);
}
END_TEST

START_TEST(sender_sws_avoidance)
{
    struct ts *s = ts_begin(&S, "sender SWS avoidance: no small segment into a small window");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "ACK win=100");
    TS_APP_WRITE(s, 1000);
    TS_APP_OUTPUT(s);
    /* RFC 1122 4.2.3.4 (MUST-38): 100 bytes is neither a full segment,
     * nor all the data, nor half the largest window seen (8192) */
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK win=8192");
    TS_EXPECT(s, "ACK seq=$ISS+1 len=1000");
    TS_PEER(s, "ACK ack=$ISS+1001");
    ts_end(s);
}
END_TEST

START_TEST(mss_536_honoured)
{
    struct ts *s = ts_begin(&S, "peer MSS 536: segments of at most 536");
    TS_ESTABLISH(s, 1000, 536, 8192);
    TS_APP_WRITE(s, 2000);
    TS_APP_OUTPUT(s);
    /* RFC 9293 3.7.1: no segment larger than the peer's MSS */
    TS_EXPECT(s, "ACK seq=$ISS+1 len=536");
    TS_EXPECT(s, "ACK seq=$ISS+537 len=536");
    TS_EXPECT(s, "ACK seq=$ISS+1073 len=536");
    /* the 392-byte tail may wait for an ACK (Nagle) */
    if (!TS_EXPECT_MAYBE(s, "ACK seq=$ISS+1609 len=392")) {
        TS_PEER(s, "ACK ack=$ISS+1609");
        TS_EXPECT(s, "ACK seq=$ISS+1609 len=392");
    }
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK ack=$ISS+2001");
    TS_APP_EXPECT_SENT(s, 2000);
    ts_end(s);
}
END_TEST

/* ---- our window ------------------------------------------------------------------ */

START_TEST(receive_window_closes_and_reopens)
{
    struct ts *s = ts_begin(&S, "the app holds data: the window closes, tcp_recved reopens it");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_HOLD(s, 1);
    TS_PEER(s, "ACK len=1460");
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK len=1460");
    /* RFC 9293 3.8.6.2.2: the window is what is left, right edge fixed */
    TS_EXPECT(s, "ACK ack=1001+2920 win=2920");
    TS_PEER(s, "ACK len=1460");
    TS_PEER(s, "ACK len=1460");
    TS_EXPECT(s, "ACK ack=1001+5840 win=0");
    TS_EXPECT_NOTHING(s);
    TS_APP_EXPECT_RECV(s, 5840);
    /* receiver SWS avoidance: 1000 bytes free is less than
     * min(RCV.BUFF / 2, MSS) = 1460: the right edge does not move (a
     * repeated zero window is all that may be sent) */
    TS_APP_RECVED(s, 1000);
    TS_EXPECT_MAYBE(s, "ACK ack=1001+5840 win=0");
    TS_EXPECT_NOTHING(s);
    /* 2000 free: the window update goes at once */
    TS_APP_RECVED(s, 1000);
    TS_EXPECT(s, "ACK ack=1001+5840 win=2000");
    TS_APP_RECVED(s, 3840);
    TS_EXPECT(s, "ACK ack=1001+5840 win=5840");
    TS_EXPECT_NOTHING(s);
    TS_APP_HOLD(s, 0);
    TS_PEER(s, "ACK len=100");
    TS_APP_EXPECT_RECV(s, 100);
    ts_end(s);
}
END_TEST

START_TEST(refused_data_offered_again)
{
    struct ts *s = ts_begin(&S, "the app refuses data: the stack keeps it, offers it again");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    s->refuse = 1;
    TS_PEER(s, "ACK len=100");
    TS_APP_EXPECT_RECV(s, 0);
    /* lwip/tcp.h: refused data is kept and offered again (the fast timer) */
    TS_ADVANCE(s, TCP_FAST_INTERVAL + 10);
    TS_APP_EXPECT_RECV(s, 100);
    while (ts_pending(s))
        TS_EXPECT(s, "ACK");
    TS_PEER(s, "ACK len=50");
    TS_APP_EXPECT_RECV(s, 50);
    ts_end(s);
}
END_TEST

/* ---- Nagle ---------------------------------------------------------------------- */

START_TEST(nagle_holds_small_segment_until_ack)
{
    struct ts *s = ts_begin(&S, "Nagle: a small write waits while data is unacknowledged");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_WRITE(s, 10);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 len=10");
    /* RFC 9293 3.7.4 (RFC 1122 4.2.3.4): unacked data in flight: buffer
     * small writes until the ACK (or a full segment) */
    TS_APP_WRITE(s, 10);
    TS_APP_OUTPUT(s);
    TS_EXPECT_NOTHING(s);
    TS_APP_WRITE(s, 10);
    TS_APP_OUTPUT(s);
    TS_ADVANCE(s, 200);
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK ack=$ISS+11");
    /* the held bytes go, as one segment or the first of two */
    if (!TS_EXPECT_MAYBE(s, "ACK seq=$ISS+11 len=20")) {
        TS_EXPECT(s, "ACK seq=$ISS+11 len=10");
        TS_EXPECT_NOTHING(s);
        TS_PEER(s, "ACK ack=$ISS+21");
        TS_EXPECT(s, "ACK seq=$ISS+21 len=10");
    }
    TS_PEER(s, "ACK ack=$ISS+31");
    /* a full segment is not held */
    TS_APP_WRITE(s, 10);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+31 len=10");
    TS_APP_WRITE(s, 1460);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+41 len=1460");
    TS_PEER(s, "ACK ack=$ISS+1501");
    TS_APP_EXPECT_SENT(s, 1500);
    ts_end(s);
}
END_TEST

START_TEST(nagle_disabled_sends_at_once)
{
    struct ts *s = ts_begin(&S, "tcp_nagle_disable: small writes go at once");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    tcp_nagle_disable(s->pcb);
    TS_CHECK(s, tcp_nagle_disabled(s->pcb), "TF_NODELAY");
    for (int i = 0; i < 3; i++) {
        TS_APP_WRITE(s, 10);
        TS_APP_OUTPUT(s);
        TS_EXPECT(s, "ACK seq=$ISS+1+%d len=10", i * 10);
    }
    TS_PEER(s, "ACK ack=$ISS+31");
    tcp_nagle_enable(s->pcb);
    TS_APP_WRITE(s, 10);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+31 len=10");
    TS_APP_WRITE(s, 10);
    TS_APP_OUTPUT(s);
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK ack=$ISS+41");
    TS_EXPECT(s, "ACK seq=$ISS+41 len=10");
    TS_PEER(s, "ACK ack=$ISS+51");
    ts_end(s);
}
END_TEST

/* ---- delayed ACK -------------------------------------------------------------- */

START_TEST(delayed_ack_timing)
{
    struct ts *s = ts_begin(&S, "delayed ACK: within 250 ms, every second full segment at once");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_HOLD(s, 1);      /* no window updates in between */
    /* RFC 1122 4.2.3.2 / RFC 9293 3.8.6.3: delayed, less than 0.5 s (the
     * fast timer: 250 ms) */
    TS_PEER(s, "ACK len=100");
    TS_EXPECT_NOTHING(s);
    TS_EXPECT_IN(s, 1, TCP_FAST_INTERVAL, "ACK ack=1101 len=0");
    TS_ADVANCE(s, 1000);
    TS_EXPECT_NOTHING(s);
    /* RFC 5681 4.2: an ACK at least every second full-sized segment */
    TS_PEER(s, "ACK len=1460");
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK len=1460");
    TS_EXPECT(s, "ACK ack=1101+2920 len=0");
    TS_APP_EXPECT_RECV(s, 3020);
    TS_APP_RECVED(s, 3020);
    TS_ADVANCE(s, 300);
    while (ts_pending(s))
        TS_EXPECT(s, "ACK ack=1101+2920 len=0");    /* window updates */
    ts_end(s);
}
END_TEST

START_TEST(immediate_ack_out_of_order_and_gap_filled)
{
    struct ts *s = ts_begin(&S, "ACK at once for out-of-order data and for filling the gap");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* RFC 5681 4.2: out of order: an immediate duplicate ACK */
    TS_PEER(s, "ACK seq=1101 len=100");
    TS_EXPECT(s, "ACK ack=1001 len=0");
    TS_PEER(s, "ACK seq=1201 len=100");
    TS_EXPECT(s, "ACK ack=1001 len=0");
    TS_APP_EXPECT_RECV(s, 0);
    /* filling the gap: an immediate ACK */
    TS_PEER(s, "ACK seq=1001 len=100");
    TS_EXPECT(s, "ACK ack=1301 len=0");
    TS_APP_EXPECT_RECV(s, 300);
    ts_end(s);
}
END_TEST

START_TEST(ack_piggybacked_on_data)
{
    struct ts *s = ts_begin(&S, "the owed ACK rides on data");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "ACK len=100");
    TS_APP_WRITE(s, 50);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=1101 len=50");
    TS_ADVANCE(s, 300);
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK ack=$ISS+51");
    TS_APP_EXPECT_RECV(s, 100);
    ts_end(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("tcp_window");
    TCase *tc = ng_tcase(su, "peer_window");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, zero_window_persist_probes);
    tcase_add_test(tc, send_window_respected);
    tcase_add_test(tc, sender_sws_avoidance);
    tcase_add_test(tc, old_segment_does_not_update_window);
    tcase_add_test(tc, mss_536_honoured);
    tc = ng_tcase(su, "our_window");
    tcase_add_test(tc, receive_window_closes_and_reopens);
    tcase_add_test(tc, refused_data_offered_again);
    tc = ng_tcase(su, "nagle");
    tcase_add_test(tc, nagle_holds_small_segment_until_ack);
    tcase_add_test(tc, nagle_disabled_sends_at_once);
    tc = ng_tcase(su, "delayed_ack");
    tcase_add_test(tc, delayed_ack_timing);
    tcase_add_test(tc, immediate_ack_out_of_order_and_gap_filled);
    tcase_add_test(tc, ack_piggybacked_on_data);
    return ng_test_run(su) != 0;
}
