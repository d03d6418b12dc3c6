/*
 * tests/unit/test_tcp_stream.c - bulk transfers through the harness with
 * a lossy, reordering peer (deterministic: every n-th segment), so that
 * retransmission, fast recovery, the out-of-order queue, the send buffer
 * and the windows work together over many round trips: 64 KiB each way
 * must arrive intact and in order (the harness checks every byte against
 * the sender's pattern), the sent callback must account for every byte,
 * and the connection must close cleanly with every pool empty after.
 */
#include "tcp_script.h"

static struct ts S;

#define TOTAL 65536u

/* Keep the send buffer full: write what tcp_sndbuf allows, then output. */
static void app_fill(struct ts *s)
{
    if (!s->pcb || s->written >= TOTAL)
        return;
    u16_t room = tcp_sndbuf(s->pcb);
    u32_t left = TOTAL - s->written;
    u16_t n = (u16_t)(left < room ? left : room);
    if (n > 2000)
        n = 2000;
    if (n && tcp_sndqueuelen(s->pcb) < TCP_SND_QUEUELEN - 2) {
        TS_APP_WRITE(s, n);
        TS_APP_OUTPUT(s);
    }
}

START_TEST(bulk_send_with_losses)
{
    struct ts *s = ts_begin(&S, "64 KiB to a peer that loses every 7th data segment");
    TS_ESTABLISH(s, 1000, 1460, 16384);
    u32_t iss1 = ts_var(s, "ISS") + 1;
    u32_t rcv = 0;          /* what the peer has in order */
    unsigned n = 0;
    for (int iter = 0; iter < 5000 && rcv < TOTAL; iter++) {
        app_fill(s);
        if (!ts_pending(s) && ts_wait_packet(s, 70000) < 0)
            ts_fail(s, "nothing sent for 70 s; the peer has %u of %u", rcv, TOTAL);
        struct ts_seg g = ts_peek(s);
        TS_EXPECT(s, "ACK");
        if (!g.len)
            continue;
        u32_t off = g.seq - iss1;
        if (++n % 7 == 3) {
            ts_note(s, "peer: lost");
            continue;
        }
        if ((s32_t)(off - rcv) <= 0 && (s32_t)(off + g.len - rcv) > 0)
            rcv = off + g.len;
        TS_PEER(s, "ACK ack=$ISS+1+%lu win=16384", (unsigned long)rcv);
    }
    TS_CHECK(s, rcv == TOTAL, "the peer has %u of %u", rcv, TOTAL);
    TS_APP_EXPECT_SENT(s, TOTAL);
    TS_APP_CLOSE(s);
    /* the FIN (after any leftover retransmission) */
    for (int i = 0; i < 10; i++) {
        if (!ts_pending(s) && ts_wait_packet(s, 5000) < 0)
            break;
        struct ts_seg g = ts_peek(s);
        if (g.flags & TCP_FIN) {
            TS_EXPECT(s, "FIN|ACK seq=$ISS+1+%u len=0", TOTAL);
            break;
        }
        TS_EXPECT(s, "ACK");
    }
    TS_PEER(s, "FIN|ACK ack=$ISS+2+%u", TOTAL);
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_EXPECT_STATE(s, TIME_WAIT);
    ts_end(s);
}
END_TEST

START_TEST(bulk_receive_reordered_with_losses)
{
    struct ts *s = ts_begin(&S, "64 KiB from a peer that swaps segment pairs and loses some");
    TS_ESTABLISH(s, 1000, 1460, 16384);
    u32_t una = 0, nxt = 0, wnd = TCP_WND;
    unsigned sent = 0;
    int stalls = 0;
    for (int round = 0; round < 2000 && una < TOTAL; round++) {
        /* what the window allows, 1000-byte segments, each pair swapped */
        u32_t offs[16], lens[16];
        int k = 0;
        while (k < 16 && nxt < TOTAL && nxt < una + wnd) {
            u32_t len = TOTAL - nxt < 1000 ? TOTAL - nxt : 1000;
            if (nxt + len > una + wnd)
                len = una + wnd - nxt;
            offs[k] = nxt;
            lens[k] = len;
            nxt += len;
            k++;
        }
        for (int i = 0; i < k; i++) {
            int j = (i % 2 == 0 && i + 1 < k) ? i + 1 : (i % 2 == 1 ? i - 1 : i);
            if (++sent % 11 == 5) {
                ts_note(s, "peer: segment at %u lost", offs[j]);
                continue;
            }
            TS_PEER(s, "ACK seq=$PISN+1+%lu ack=$ISS+1 len=%lu", (unsigned long)offs[j],
                    (unsigned long)lens[j]);
        }
        /* our ACKs (delayed ones included) */
        u32_t before = una;
        int dups = 0;
        TS_ADVANCE(s, 300);
        while (ts_pending(s)) {
            struct ts_seg g = ts_peek(s);
            TS_EXPECT(s, "ACK len=0");
            u32_t a = g.ack - (ts_var(s, "PISN") + 1);
            if ((s32_t)(a - una) > 0)
                una = a;
            else
                dups++;
            wnd = g.win;
        }
        /* a loss: go back to the first unacknowledged byte */
        if (una == before || dups >= 3) {
            nxt = una;
            if (una == before && ++stalls > 50)
                ts_fail(s, "no progress at %u", una);
        }
        if ((s32_t)(nxt - una) < 0)
            nxt = una;
    }
    TS_CHECK(s, una == TOTAL, "%u of %u acknowledged", una, TOTAL);
    TS_APP_EXPECT_RECV(s, TOTAL);
    TS_PEER(s, "FIN|ACK seq=$PISN+1+%u ack=$ISS+1", TOTAL);
    TS_EXPECT_IN(s, 0, 250, "ACK ack=$PISN+2+%u", TOTAL);
    TS_APP_EXPECT_FIN(s);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_PEER(s, "ACK seq=$PISN+2+%u ack=$ISS+2", TOTAL);
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("tcp_stream");
    TCase *tc = ng_tcase(su, "bulk");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bulk_send_with_losses);
    tcase_add_test(tc, bulk_receive_reordered_with_losses);
    return ng_test_run(su) != 0;
}
