/*
 * tests/unit/test_tcp_rst.c - resets (RFC 9293 3.5.2, 3.10.7; RFC 5961):
 * RST accepted in each state (SYN_SENT with an acceptable ACK, SYN_RCVD
 * back to LISTEN, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT,
 * CLOSING, LAST_ACK, TIME_WAIT), invalid RSTs ignored (out of the window,
 * SYN_SENT without an acceptable ACK) or answered with a challenge ACK
 * (in the window but not exact), a SYN in a synchronized state answered
 * with a challenge ACK, an ACK of unsent data, and the resets sent for
 * segments to a closed port and to a listener (RFC 9293 3.10.7.1/2:
 * seq and ack rules), and none for a RST.
 */
#include "tcp_script.h"

static struct ts S;

/* ---- RST accepted ------------------------------------------------------------- */

START_TEST(rst_in_syn_sent_with_acceptable_ack)
{
    struct ts *s = ts_begin(&S, "RST|ACK in SYN_SENT");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN");
    /* RFC 9293 3.10.7.3: ACK acceptable and RST: "error: connection
     * reset", CLOSED */
    TS_PEER(s, "RST|ACK seq=0 ack=$ISS+1 win=0");
    TS_APP_EXPECT_ERR(s, ERR_RST);
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_syn_sent_ignored_without_ack_or_with_bad_ack)
{
    struct ts *s = ts_begin(&S, "RST in SYN_SENT without an acceptable ACK");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN");
    /* RFC 9293 3.10.7.3: no ACK: drop; unacceptable ACK with RST: drop */
    TS_PEER(s, "RST seq=0 win=0");
    TS_EXPECT_STATE(s, SYN_SENT);
    TS_PEER(s, "RST|ACK seq=0 ack=$ISS+2 win=0");
    TS_EXPECT_STATE(s, SYN_SENT);
    TS_PEER(s, "RST|ACK seq=0 ack=$ISS win=0");
    TS_EXPECT_STATE(s, SYN_SENT);
    TS_EXPECT_NOTHING(s);
    TS_APP_EXPECT_NO_ERR(s);
    TS_PEER(s, "SYN|ACK seq=5000 ack=$ISS+1");
    TS_EXPECT(s, "ACK ack=5001");
    TS_APP_EXPECT_CONNECTED(s);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_syn_rcvd_returns_to_listen)
{
    struct ts *s = ts_begin(&S, "RST in SYN_RCVD (passive): back to LISTEN");
    TS_LISTEN(s, 80);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001");
    /* RFC 9293 3.10.7.4 second: SYN-RECEIVED from a passive OPEN: return
     * to LISTEN, the user need not be informed */
    TS_PEER(s, "RST seq=1001");
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    TS_APP_EXPECT_NOT_ACCEPTED(s);
    /* the listener still listens */
    ts_new_conn(s, 40001);
    TS_PEER(s, "SYN seq=3000");
    TS_EXPECT(s, "SYN|ACK ack=3001");
    TS_PEER(s, "ACK ack=$ISS+1");
    TS_APP_EXPECT_ACCEPTED(s);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_established_exact)
{
    struct ts *s = ts_begin(&S, "RST in ESTABLISHED, SEQ = RCV.NXT");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "ACK len=100");
    TS_APP_EXPECT_RECV(s, 100);
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1101");
    /* RFC 9293 3.10.7.4 first (RFC 5961 3.2): exactly RCV.NXT: reset */
    TS_PEER(s, "RST seq=1101");
    TS_APP_EXPECT_ERR(s, ERR_RST);
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_window_not_exact_challenge_ack)
{
    struct ts *s = ts_begin(&S, "RST in the window but not exact: challenge ACK");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* RFC 9293 3.10.7.4 first / RFC 5961 3.2: in the window, not RCV.NXT:
     * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, the connection stays */
    TS_PEER(s, "RST seq=1101");
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=1001 len=0");
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_APP_EXPECT_NO_ERR(s);
    TS_CHECK(s, ng_drop_count[NG_drop_TCP_RST_INVALID] == 1, "TCP_RST_INVALID drops %u",
             ng_drop_count[NG_drop_TCP_RST_INVALID]);
    /* then the exact one resets */
    TS_PEER(s, "RST seq=1001");
    TS_APP_EXPECT_ERR(s, ERR_RST);
    ts_end(s);
}
END_TEST

START_TEST(rst_out_of_window_ignored)
{
    struct ts *s = ts_begin(&S, "RST outside the window: dropped silently");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* RFC 9293 3.10.7.4 first: not acceptable and RST: drop, no ACK */
    TS_PEER(s, "RST seq=%u", 1001 + 5840 + 100);
    TS_PEER(s, "RST seq=900");
    TS_EXPECT_NOTHING(s);
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_APP_EXPECT_NO_ERR(s);
    TS_PEER(s, "ACK seq=1001 len=10");
    TS_APP_EXPECT_RECV(s, 10);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_fin_wait_1)
{
    struct ts *s = ts_begin(&S, "RST in FIN_WAIT_1");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_SHUTDOWN(s, 0, 1);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_EXPECT_STATE(s, FIN_WAIT_1);
    /* RFC 9293 3.10.7.4 second: FIN-WAIT-1: reset, CLOSED */
    TS_PEER(s, "RST seq=1001");
    TS_APP_EXPECT_ERR(s, ERR_RST);
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_fin_wait_2)
{
    struct ts *s = ts_begin(&S, "RST in FIN_WAIT_2");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_SHUTDOWN(s, 0, 1);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_PEER(s, "ACK ack=$ISS+2");
    TS_EXPECT_STATE(s, FIN_WAIT_2);
    TS_PEER(s, "RST seq=1001");
    TS_APP_EXPECT_ERR(s, ERR_RST);
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_close_wait)
{
    struct ts *s = ts_begin(&S, "RST in CLOSE_WAIT");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "FIN|ACK");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_EXPECT_STATE(s, CLOSE_WAIT);
    TS_PEER(s, "RST seq=1002");
    TS_APP_EXPECT_ERR(s, ERR_RST);
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_closing)
{
    struct ts *s = ts_begin(&S, "RST in CLOSING");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+1");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_EXPECT_STATE(s, CLOSING);
    /* RFC 9293 3.10.7.4 second: CLOSING: CLOSED, delete the TCB */
    TS_PEER(s, "RST seq=1002");
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_last_ack)
{
    struct ts *s = ts_begin(&S, "RST in LAST_ACK");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_PEER(s, "FIN|ACK");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_EXPECT_STATE(s, LAST_ACK);
    TS_PEER(s, "RST seq=1002");
    TS_EXPECT_STATE(s, CLOSED);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(rst_in_time_wait)
{
    struct ts *s = ts_begin(&S, "RST in TIME_WAIT");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_EXPECT_STATE(s, TIME_WAIT);
    /* RFC 9293 3.10.7.4 second: TIME-WAIT: CLOSED; RFC 1337 lets the
     * stack ignore it instead (TIME-WAIT assassination). Either, and
     * never a reply. */
    TS_PEER(s, "RST seq=1002");
    TS_EXPECT_NOTHING(s);
    struct tcp_pcb *p = ts_find_pcb(s);
    TS_CHECK(s, p == NULL || p->state == TIME_WAIT, "state %s",
             p ? tcp_debug_state_str(p->state) : "CLOSED");
    ts_end(s);
}
END_TEST

/* ---- SYN and bad ACKs in synchronized states -------------------------------- */

START_TEST(syn_in_established_challenge_ack)
{
    struct ts *s = ts_begin(&S, "SYN in ESTABLISHED: challenge ACK");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* RFC 9293 3.10.7.4 fourth / RFC 5961 4.2: any SYN: challenge ACK,
     * the connection stays */
    TS_PEER(s, "SYN seq=1001");
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=1001 len=0");
    TS_PEER(s, "SYN seq=77777");
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=1001 len=0");
    TS_EXPECT_STATE(s, ESTABLISHED);
    TS_APP_EXPECT_NO_ERR(s);
    TS_PEER(s, "ACK seq=1001 len=5");
    TS_APP_EXPECT_RECV(s, 5);
    ts_end(s);
}
END_TEST

START_TEST(ack_of_unsent_data_acked_and_dropped)
{
    struct ts *s = ts_begin(&S, "ACK of unsent data in ESTABLISHED");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* RFC 9293 3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop */
    TS_PEER(s, "ACK seq=1001 ack=$ISS+1000 len=10");
    TS_EXPECT(s, "ACK seq=$ISS+1 ack=1001 len=0");
    TS_APP_EXPECT_RECV(s, 0);
    TS_EXPECT_STATE(s, ESTABLISHED);
    ts_end(s);
}
END_TEST

START_TEST(syn_rcvd_bad_ack_gets_rst)
{
    struct ts *s = ts_begin(&S, "SYN_RCVD: an unacceptable ACK gets RST");
    TS_LISTEN(s, 80);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001");
    /* RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: <SEQ=SEG.ACK><CTL=RST> */
    TS_PEER(s, "ACK seq=1001 ack=$ISS+100");
    TS_EXPECT(s, "RST seq=$ISS+100");
    TS_APP_EXPECT_NOT_ACCEPTED(s);
    TS_PEER(s, "ACK seq=1001 ack=$ISS+1");
    TS_APP_EXPECT_ACCEPTED(s);
    ts_end(s);
}
END_TEST

/* ---- resets for segments without a connection ------------------------------- */

START_TEST(closed_port_syn_gets_rst_ack)
{
    struct ts *s = ts_begin(&S, "SYN to a closed port");
    s->lport = 81;
    /* RFC 9293 3.10.7.1: ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
     * the SYN counting one */
    TS_PEER(s, "SYN seq=1000 win=8192");
    TS_EXPECT(s, "RST|ACK seq=0 ack=1001 len=0");
    TS_CHECK(s, ng_drop_count[NG_drop_TCP_NO_PCB] == 1, "TCP_NO_PCB drops %u",
             ng_drop_count[NG_drop_TCP_NO_PCB]);
    ts_end(s);
}
END_TEST

START_TEST(closed_port_ack_gets_rst_seq_seg_ack)
{
    struct ts *s = ts_begin(&S, "ACK with data to a closed port");
    s->lport = 81;
    /* RFC 9293 3.10.7.1: ACK on: <SEQ=SEG.ACK><CTL=RST> */
    TS_PEER(s, "ACK seq=500 ack=7777 len=10");
    TS_EXPECT(s, "RST seq=7777 len=0");
    ts_end(s);
}
END_TEST

START_TEST(closed_port_data_without_ack)
{
    struct ts *s = ts_begin(&S, "data without ACK, and FIN, to a closed port");
    s->lport = 81;
    TS_PEER(s, "- seq=300 len=5");
    TS_EXPECT(s, "RST|ACK seq=0 ack=305");
    TS_PEER(s, "FIN seq=400 len=5");
    TS_EXPECT(s, "RST|ACK seq=0 ack=406");
    ts_end(s);
}
END_TEST

START_TEST(closed_port_rst_gets_nothing)
{
    struct ts *s = ts_begin(&S, "RST to a closed port");
    s->lport = 81;
    /* RFC 9293 3.10.7.1: an incoming RST is discarded */
    TS_PEER(s, "RST seq=300");
    TS_PEER(s, "RST|ACK seq=300 ack=99");
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(listener_ack_gets_rst_and_rst_ignored)
{
    struct ts *s = ts_begin(&S, "ACK and RST to a listener");
    TS_LISTEN(s, 80);
    /* RFC 9293 3.10.7.2: RST ignored; ACK: <SEQ=SEG.ACK><CTL=RST> */
    TS_PEER(s, "RST seq=1000");
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK seq=1000 ack=4242");
    TS_EXPECT(s, "RST seq=4242");
    TS_APP_EXPECT_NOT_ACCEPTED(s);
    TS_PEER(s, "SYN seq=2000");
    TS_EXPECT(s, "SYN|ACK ack=2001");
    ts_end(s);
}
END_TEST

START_TEST(bad_checksum_dropped)
{
    struct ts *s = ts_begin(&S, "a segment with a bad checksum");
    TS_LISTEN(s, 80);
    /* RFC 9293 3.1: checksum wrong: the segment is discarded, no reply */
    TS_PEER(s, "SYN seq=1000 bad=chksum");
    TS_EXPECT_NOTHING(s);
    TS_CHECK(s, ng_drop_count[NG_drop_TCP_CHKSUM] == 1, "TCP_CHKSUM drops %u",
             ng_drop_count[NG_drop_TCP_CHKSUM]);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001");
    ts_end(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("tcp_rst");
    TCase *tc = ng_tcase(su, "accepted");
    tcase_add_test(tc, rst_in_syn_sent_with_acceptable_ack);
    tcase_add_test(tc, rst_in_syn_sent_ignored_without_ack_or_with_bad_ack);
    tcase_add_test(tc, rst_in_syn_rcvd_returns_to_listen);
    tcase_add_test(tc, rst_in_established_exact);
    tcase_add_test(tc, rst_in_window_not_exact_challenge_ack);
    tcase_add_test(tc, rst_out_of_window_ignored);
    tcase_add_test(tc, rst_in_fin_wait_1);
    tcase_add_test(tc, rst_in_fin_wait_2);
    tcase_add_test(tc, rst_in_close_wait);
    tcase_add_test(tc, rst_in_closing);
    tcase_add_test(tc, rst_in_last_ack);
    tcase_add_test(tc, rst_in_time_wait);
    tc = ng_tcase(su, "synchronized");
    tcase_add_test(tc, syn_in_established_challenge_ack);
    tcase_add_test(tc, ack_of_unsent_data_acked_and_dropped);
    tcase_add_test(tc, syn_rcvd_bad_ack_gets_rst);
    tc = ng_tcase(su, "no_connection");
    tcase_add_test(tc, closed_port_syn_gets_rst_ack);
    tcase_add_test(tc, closed_port_ack_gets_rst_seq_seg_ack);
    tcase_add_test(tc, closed_port_data_without_ack);
    tcase_add_test(tc, closed_port_rst_gets_nothing);
    tcase_add_test(tc, listener_ack_gets_rst_and_rst_ignored);
    tcase_add_test(tc, bad_checksum_dropped);
    return ng_test_run(su) != 0;
}
