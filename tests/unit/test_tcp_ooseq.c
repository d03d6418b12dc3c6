/*
 * tests/unit/test_tcp_ooseq.c - what arrives out of order or out of the
 * window (RFC 9293 3.10.7.4, RFC 5681 4.2): segments queued and delivered
 * once the gap is filled; a FIN arriving before the data it follows
 * (with data, and alone); overlapping and duplicate segments; a segment
 * past the right window edge trimmed; segments entirely outside the
 * window, and any data into a zero window, answered with an ACK and
 * dropped; the out-of-order queue's limit; sequence numbers wrapping
 * past 2^32. The app checks every byte it gets against the peer's
 * pattern, so a byte delivered twice, lost or misplaced fails the test.
 */
#include "tcp_script.h"

static struct ts S;

/* Let owed ACKs go (delayed ACK timing is test_tcp_window.c's business). */
static void settle(struct ts *s)
{
    TS_ADVANCE(s, 300);
    while (ts_pending(s))
        TS_EXPECT(s, "ACK len=0");
}

START_TEST(out_of_order_delivered_when_gap_filled)
{
    struct ts *s = ts_begin(&S, "out of order: queued, delivered in order");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "ACK seq=1201 len=100");
    TS_EXPECT(s, "ACK ack=1001");
    TS_PEER(s, "ACK seq=1101 len=100");
    TS_EXPECT(s, "ACK ack=1001");
    TS_APP_EXPECT_RECV(s, 0);
    TS_PEER(s, "ACK seq=1001 len=100");
    TS_EXPECT(s, "ACK ack=1301");
    TS_APP_EXPECT_RECV(s, 300);
    TS_PEER(s, "ACK seq=1301 len=50");
    TS_APP_EXPECT_RECV(s, 50);
    ts_end(s);
}
END_TEST

START_TEST(fin_with_data_before_missing_data)
{
    struct ts *s = ts_begin(&S, "data+FIN arrives before the data in front of it");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* the FIN is queued with its segment, not acted on yet */
    TS_PEER(s, "FIN|ACK seq=1101 len=100");
    TS_EXPECT(s, "ACK ack=1001");
    TS_APP_EXPECT_NO_FIN(s);
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_PEER(s, "ACK seq=1001 len=100");
    /* RFC 9293 3.10.7.4 eighth: the FIN counts once everything before it
     * is in: ACK 1202, CLOSE_WAIT, the app told after the data */
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1202");
    TS_APP_EXPECT_RECV(s, 200);
    TS_APP_EXPECT_FIN(s);
    TS_EXPECT_STATE(s, CLOSE_WAIT);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1202");
    TS_PEER(s, "ACK seq=1202 ack=$ISS+2");
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

START_TEST(bare_fin_in_ooseq_queue)
{
    struct ts *s = ts_begin(&S, "a bare FIN arrives before the data");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "FIN|ACK seq=1101");
    TS_EXPECT(s, "ACK ack=1001");
    TS_APP_EXPECT_NO_FIN(s);
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_PEER(s, "ACK seq=1001 len=100");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1102");
    TS_APP_EXPECT_RECV(s, 100);
    TS_APP_EXPECT_FIN(s);
    TS_EXPECT_STATE(s, CLOSE_WAIT);
    ts_end(s);
}
END_TEST

START_TEST(fin_retransmitted_in_order_after_ooseq_fin)
{
    struct ts *s = ts_begin(&S, "the FIN once out of order, then data and FIN again");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "FIN|ACK seq=1201 len=50");
    TS_EXPECT(s, "ACK ack=1001");
    TS_PEER(s, "ACK seq=1001 len=100");
    TS_EXPECT(s, "ACK ack=1101");       /* still a gap: at once */
    TS_APP_EXPECT_RECV(s, 100);
    /* the rest, with the FIN retransmitted too */
    TS_PEER(s, "FIN|ACK seq=1101 len=150");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1252");
    TS_APP_EXPECT_RECV(s, 150);
    TS_APP_EXPECT_FIN(s);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(overlapping_segments)
{
    struct ts *s = ts_begin(&S, "overlapping and duplicate segments");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "ACK seq=1001 len=100");
    /* RFC 9293 3.10.7.4: the part already received is trimmed off */
    TS_PEER(s, "ACK seq=1051 len=100");
    TS_APP_EXPECT_RECV(s, 150);
    settle(s);
    /* an out-of-order segment, then one overlapping both sides of the gap */
    TS_PEER(s, "ACK seq=1201 len=100");
    TS_EXPECT(s, "ACK ack=1151");
    TS_PEER(s, "ACK seq=1131 len=100");
    TS_EXPECT(s, "ACK ack=1301");
    TS_APP_EXPECT_RECV(s, 150);
    /* out of order, overlapping each other */
    TS_PEER(s, "ACK seq=1401 len=100");
    TS_EXPECT(s, "ACK ack=1301");
    TS_PEER(s, "ACK seq=1351 len=100");
    TS_EXPECT(s, "ACK ack=1301");
    TS_PEER(s, "ACK seq=1451 len=100");
    TS_EXPECT(s, "ACK ack=1301");
    TS_PEER(s, "ACK seq=1301 len=60");
    TS_EXPECT(s, "ACK ack=1551");
    TS_APP_EXPECT_RECV(s, 250);
    /* RFC 9293 3.10.7.4 first: a duplicate: ACK at once, nothing to the app */
    TS_PEER(s, "ACK seq=1001 len=100");
    TS_EXPECT(s, "ACK ack=1551 len=0");
    TS_APP_EXPECT_RECV(s, 0);
    ts_end(s);
}
END_TEST

START_TEST(segment_past_right_edge_trimmed)
{
    struct ts *s = ts_begin(&S, "a segment past the right window edge is trimmed");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_HOLD(s, 1);
    TS_PEER(s, "ACK seq=1001 len=1460");
    TS_PEER(s, "ACK seq=2461 len=1460");
    TS_EXPECT(s, "ACK ack=3921");
    TS_PEER(s, "ACK seq=3921 len=1460");
    TS_PEER(s, "ACK seq=5381 len=1360");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=6741 win=100");
    /* RFC 9293 3.10.7.4 first: only the 100 bytes inside the window are
     * kept; the ACK says the window is full */
    TS_PEER(s, "ACK seq=6741 len=200");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=6841 win=0");
    TS_APP_EXPECT_RECV(s, 5840);
    TS_APP_RECVED(s, 5840);
    while (ts_pending(s))
        TS_EXPECT(s, "ACK ack=6841");
    /* the other 100 again */
    TS_PEER(s, "ACK seq=6841 len=100");
    TS_APP_EXPECT_RECV(s, 100);
    ts_end(s);
}
END_TEST

START_TEST(segment_beyond_window_dropped_and_acked)
{
    struct ts *s = ts_begin(&S, "window overrun: a segment wholly outside the window");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* RFC 9293 3.10.7.4 first: not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT>
     * <CTL=ACK>, dropped */
    TS_PEER(s, "ACK seq=%u len=100", 1001 + 5840);
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=1001 len=0");
    TS_PEER(s, "ACK seq=%u len=10", 1001 + 20000);
    TS_EXPECT(s, "ACK ack=1001 len=0");
    TS_APP_EXPECT_RECV(s, 0);
    TS_CHECK(s, ng_drop_count[NG_drop_TCP_OUT_OF_WINDOW] == 2, "TCP_OUT_OF_WINDOW drops %u",
             ng_drop_count[NG_drop_TCP_OUT_OF_WINDOW]);
    /* and the gap is not the stack's business: in-order data still flows */
    TS_PEER(s, "ACK seq=1001 len=100");
    TS_APP_EXPECT_RECV(s, 100);
    ts_end(s);
}
END_TEST

START_TEST(data_into_zero_window)
{
    struct ts *s = ts_begin(&S, "data into a zero window: ACKed, not accepted");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_HOLD(s, 1);
    for (int i = 0; i < 4; i++)
        TS_PEER(s, "ACK len=1460");
    while (ts_pending(s))
        TS_EXPECT(s, "ACK");
    TS_ADVANCE(s, 300);
    while (ts_pending(s))
        TS_EXPECT(s, "ACK ack=6841 win=0");
    TS_APP_EXPECT_RECV(s, 5840);
    /* RFC 9293 3.10.7.4: RCV.WND zero: no data acceptable, an ACK in reply
     * (a zero-window probe) */
    TS_PEER(s, "ACK seq=6841 len=1");
    TS_EXPECT(s, "ACK ack=6841 win=0 len=0");
    TS_APP_EXPECT_RECV(s, 0);
    /* the app reads: the window update; the probed byte comes again */
    TS_APP_RECVED(s, 5840);
    TS_EXPECT(s, "ACK ack=6841 win=5840");
    TS_APP_HOLD(s, 0);
    TS_PEER(s, "ACK seq=6841 len=1");
    TS_APP_EXPECT_RECV(s, 1);
    ts_end(s);
}
END_TEST

START_TEST(ooseq_queue_limit)
{
    struct ts *s = ts_begin(&S, "the out-of-order queue has limits");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* more separate out-of-order pieces than TCP_OOSEQ_MAX_PBUFS */
    for (int i = 0; i < TCP_OOSEQ_MAX_PBUFS + 4; i++) {
        TS_PEER(s, "ACK seq=%d len=10", 1001 + 100 + i * 20);
        if (i < TCP_OOSEQ_MAX_PBUFS)
            TS_EXPECT(s, "ACK ack=1001");
        else
            TS_EXPECT_MAYBE(s, "ACK ack=1001");     /* dropped: an ACK or not */
    }
    TS_CHECK(s, ng_drop_count[NG_drop_TCP_OOSEQ_FULL] >= 1, "TCP_OOSEQ_FULL drops %u",
             ng_drop_count[NG_drop_TCP_OOSEQ_FULL]);
    /* everything, in order, in one segment: all of it arrives once */
    TS_PEER(s, "ACK seq=1001 len=%d", 100 + (TCP_OOSEQ_MAX_PBUFS + 4) * 20);
    TS_APP_EXPECT_RECV(s, 100 + (TCP_OOSEQ_MAX_PBUFS + 4) * 20);
    ts_end(s);
}
END_TEST

START_TEST(sequence_wraparound)
{
    struct ts *s = ts_begin(&S, "the peer's sequence numbers wrap past 2^32");
    TS_ESTABLISH(s, 0xffffff00u, 1460, 8192);
    TS_PEER(s, "ACK seq=0xffffff01 len=100");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=0xffffff65");
    /* the third segment (across the wrap) out of order, then the second */
    TS_PEER(s, "ACK seq=0xffffffc9 len=100");
    TS_EXPECT(s, "ACK ack=0xffffff65");
    TS_PEER(s, "ACK seq=0xffffff65 len=100");
    TS_EXPECT(s, "ACK ack=0x2d");
    TS_APP_EXPECT_RECV(s, 300);
    /* an old segment from before the wrap is a duplicate */
    TS_PEER(s, "ACK seq=0xffffff01 len=100");
    TS_EXPECT(s, "ACK ack=0x2d len=0");
    TS_APP_EXPECT_RECV(s, 0);
    TS_PEER(s, "FIN|ACK seq=0x2d len=10");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=0x38");
    TS_APP_EXPECT_RECV(s, 10);
    TS_APP_EXPECT_FIN(s);
    ts_end(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("tcp_ooseq");
    TCase *tc = ng_tcase(su, "ooseq");
    tcase_add_test(tc, out_of_order_delivered_when_gap_filled);
    tcase_add_test(tc, fin_with_data_before_missing_data);
    tcase_add_test(tc, bare_fin_in_ooseq_queue);
    tcase_add_test(tc, fin_retransmitted_in_order_after_ooseq_fin);
    tcase_add_test(tc, overlapping_segments);
    tcase_add_test(tc, ooseq_queue_limit);
    tc = ng_tcase(su, "window");
    tcase_add_test(tc, segment_past_right_edge_trimmed);
    tcase_add_test(tc, segment_beyond_window_dropped_and_acked);
    tcase_add_test(tc, data_into_zero_window);
    tc = ng_tcase(su, "wrap");
    tcase_add_test(tc, sequence_wraparound);
    return ng_test_run(su) != 0;
}
