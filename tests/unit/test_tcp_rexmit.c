/*
 * tests/unit/test_tcp_rexmit.c - loss: the retransmission timer (RFC
 * 6298: initial RTO 1 s, RTT samples lowering it, Karn's rule, doubling
 * per timeout up to TCP_RTO_MAX), the retransmission limits (TCP_SYNMAXRTX
 * for a SYN, TCP_MAXRTX for data) aborting with ERR_ABRT, the congestion
 * window on a timeout (RFC 5681 3.1: ssthresh = max(FlightSize / 2,
 * 2 * SMSS), cwnd = 1 SMSS), slow start and congestion avoidance growth,
 * fast retransmit and fast recovery after three duplicate ACKs (RFC 5681
 * 3.2) with NewReno partial ACKs (RFC 6582).
 *
 * Timer granularity: the PCB timers count slow ticks of 500 ms
 * (TCP_SLOW_INTERVAL), so a timeout of T ms fires T - 500 .. T + 500 ms
 * after the segment went (RFC 6298 G = 500 ms); every window below is that.
 */
#include "tcp_script.h"
#include "trace_capture.h"

static struct ts S;

#define G TCP_SLOW_INTERVAL

static u32_t rto_ms(struct ts *s)
{
    struct tcp_pcb *p = ts_find_pcb(s);
    if (!p)
        ts_fail(s, "no PCB");
    return (u32_t)p->rto * TCP_SLOW_INTERVAL;
}

static u32_t lo_of(u32_t t) { return t > G ? t - G : 1; }
static u32_t min_u32(u32_t a, u32_t b) { return a < b ? a : b; }
static u32_t max_u32(u32_t a, u32_t b) { return a > b ? a : b; }

/* ---- RTO and backoff -------------------------------------------------------- */

START_TEST(syn_backoff_then_abort)
{
    struct ts *s = ts_begin(&S, "SYN retransmitted with backoff, then connect fails");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN mss=1460");
    /* RFC 6298 2.1: before any sample, RTO = 1 s (TCP_RTO_INITIAL) */
    TS_CHECK(s, rto_ms(s) == TCP_RTO_INITIAL, "rto %u ms", rto_ms(s));
    u32_t rto = TCP_RTO_INITIAL;
    for (int k = 0; k < TCP_SYNMAXRTX; k++) {
        /* RFC 6298 5.5: each timeout doubles the RTO */
        TS_EXPECT_IN(s, lo_of(rto), rto + G, "SYN seq=$ISS len=0");
        rto = min_u32(2 * rto, TCP_RTO_MAX);
    }
    /* the limit: no more SYNs, the err callback with ERR_ABRT */
    TS_ADVANCE(s, rto + G);
    TS_APP_EXPECT_ERR(s, ERR_ABRT);
    TS_EXPECT_NOTHING(s);
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

START_TEST(data_backoff_then_abort)
{
    struct ts *s = ts_begin(&S, "data retransmitted with backoff, TCP_MAXRTX, abort");
    tc_start(NG_TRACE_CLASS_BIT(TCP_STATE));
    TS_ESTABLISH(s, 1000, 1460, 8192);
    u32_t rto = rto_ms(s);
    /* RFC 6298 2.2-2.4: after the handshake's sample (if any) */
    TS_CHECK(s, rto >= TCP_RTO_MIN && rto <= TCP_RTO_INITIAL, "rto %u ms", rto);
    TS_APP_WRITE(s, 100);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 len=100");
    for (int k = 0; k < TCP_MAXRTX; k++) {
        TS_EXPECT_IN(s, lo_of(rto), rto + G, "ACK seq=$ISS+1 ack=1001 len=100");
        if (k == 0) {
            /* RFC 5681 3.1 eq. 4 and LW: ssthresh = max(100 / 2, 2 * 1460),
             * cwnd = 1 SMSS */
            struct tcp_pcb *p = s->pcb;
            TS_CHECK(s, p->ssthresh == 2920, "ssthresh %u", p->ssthresh);
            TS_CHECK(s, p->cwnd >= 1 && p->cwnd <= 1460, "cwnd %u", p->cwnd);
        }
        rto = min_u32(2 * rto, TCP_RTO_MAX);
    }
    /* RFC 1122 4.2.3.5 R2 / TCP_MAXRTX: the connection is aborted; a RST
     * (SEQ = SND.NXT) may or may not be sent */
    TS_ADVANCE(s, rto + G);
    TS_APP_EXPECT_ERR(s, ERR_ABRT);
    TS_EXPECT_MAYBE(s, "RST|?ACK seq=$ISS+101");
    TS_EXPECT_NOTHING(s);
    TS_EXPECT_STATE(s, CLOSED);
    ng_trace_stop(0);
    TS_CHECK(s, tc_parse() == NULL, "trace parses");
    int n = 0;
    for (int i = tc_next(0, NG_EV_TCP_REXMIT); i >= 0; i = tc_next(i + 1, NG_EV_TCP_REXMIT))
        if (tc_recs[i].a == NG_rexmit_RTO && tc_recs[i].w[1] == ts_var(s, "ISS") + 1)
            n++;
    TS_CHECK(s, n == TCP_MAXRTX, "%d TCP_REXMIT RTO records", n);
    ts_end(s);
}
END_TEST

/* ---- RTT estimation ------------------------------------------------------- */

/* Data exchanged with an immediate ACK: an RTT sample of about 0. */
static void exchange(struct ts *s, u16_t n)
{
    TS_APP_WRITE(s, n);
    TS_APP_OUTPUT(s);
    struct ts_seg g = ts_peek(s);
    TS_EXPECT(s, "ACK len=%u", n);
    TS_PEER(s, "ACK ack=%lu", (unsigned long)(g.seq + n));
}

START_TEST(rto_resends_first_then_slow_starts)
{
    struct ts *s = ts_begin(&S, "after an RTO: the first segment alone, then as cwnd grows");
    TS_ESTABLISH(s, 1000, 536, 8192);
    u32_t rto = rto_ms(s);
    TS_APP_WRITE(s, 3 * 536);
    TS_APP_OUTPUT(s);
    for (int i = 0; i < 3; i++)
        TS_EXPECT(s, "ACK seq=$ISS+1+%d*536 len=536", i);
    /* RFC 6298 5.4 and RFC 5681 3.1: the earliest unacknowledged segment,
     * cwnd = 1 SMSS: nothing else */
    TS_EXPECT_IN(s, lo_of(rto), rto + G, "ACK seq=$ISS+1 len=536");
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK ack=$ISS+537");
    /* cwnd grew: the next one (or two) go again */
    TS_EXPECT(s, "ACK seq=$ISS+537 len=536");
    if (!TS_EXPECT_MAYBE(s, "ACK seq=$ISS+1073 len=536")) {
        TS_PEER(s, "ACK ack=$ISS+1073");
        TS_EXPECT(s, "ACK seq=$ISS+1073 len=536");
    }
    TS_PEER(s, "ACK ack=$ISS+1609");
    TS_APP_EXPECT_SENT(s, 3 * 536);
    TS_ADVANCE(s, 3000);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

START_TEST(rtt_samples_lower_rto)
{
    struct ts *s = ts_begin(&S, "RTT samples of ~0 lower the RTO to its minimum");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN");
    TS_CHECK(s, rto_ms(s) == TCP_RTO_INITIAL, "rto %u ms before any sample", rto_ms(s));
    TS_PEER(s, "SYN|ACK seq=5000 ack=$ISS+1 mss=1460");
    TS_EXPECT(s, "ACK ack=5001");
    for (int i = 0; i < 3; i++)
        exchange(s, 100);
    /* RFC 6298 2.2/2.3: SRTT ~ 0, RTTVAR ~ 0: RTO = SRTT + max(G, 4 RTTVAR)
     * = 500 ms, not below TCP_RTO_MIN */
    TS_CHECK(s, rto_ms(s) == TCP_RTO_MIN, "rto %u ms after samples", rto_ms(s));
    TS_APP_WRITE(s, 100);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+301 len=100");
    TS_EXPECT_IN(s, 1, TCP_RTO_MIN + G, "ACK seq=$ISS+301 len=100");
    TS_PEER(s, "ACK ack=$ISS+401");
    ts_end(s);
}
END_TEST

START_TEST(karn_no_sample_from_retransmission)
{
    struct ts *s = ts_begin(&S, "Karn: the ACK of a retransmitted segment is no sample");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    for (int i = 0; i < 3; i++)
        exchange(s, 100);
    struct tcp_pcb *p = s->pcb;
    s16_t sa = p->sa, sv = p->sv;
    TS_APP_WRITE(s, 100);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+301 len=100");
    TS_EXPECT_IN(s, 1, rto_ms(s) + G, "ACK seq=$ISS+301 len=100");
    /* RFC 6298 3: no sample from a retransmitted segment; the ACK comes
     * 400 ms after the retransmission, well over a second after the
     * first transmission, which would have made a large sample */
    TS_ADVANCE(s, 400);
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK ack=$ISS+401");
    TS_CHECK(s, p->sa == sa && p->sv == sv, "sa %d sv %d, before %d %d", p->sa, p->sv, sa, sv);
    /* the next segment is timed again */
    exchange(s, 100);
    ts_end(s);
}
END_TEST

/* ---- congestion control ------------------------------------------------------ */

START_TEST(initial_window_and_slow_start)
{
    struct ts *s = ts_begin(&S, "initial window, slow start, cwnd limits the flight");
    TS_ESTABLISH(s, 1000, 536, 16384);
    struct tcp_pcb *p = s->pcb;
    /* RFC 5681 3.1 eq. 3: SMSS 536 <= 1095: IW = 4 * SMSS */
    TS_CHECK(s, p->cwnd == 4 * 536, "cwnd %u", p->cwnd);
    TS_CHECK(s, p->ssthresh > p->cwnd, "ssthresh %u (arbitrarily high)", p->ssthresh);
    TS_APP_WRITE(s, 8 * 536);
    TS_APP_OUTPUT(s);
    for (int i = 0; i < 4; i++)
        TS_EXPECT(s, "ACK seq=$ISS+1+%d*536 len=536", i);
    TS_EXPECT_NOTHING(s);      /* no more than cwnd in flight */
    /* RFC 5681 3.1 eq. 2: +min(N, SMSS) per ACK of new data; at most SMSS */
    TS_PEER(s, "ACK ack=$ISS+1+536");
    TS_CHECK(s, p->cwnd > 4 * 536 && p->cwnd <= 5 * 536, "cwnd %u", p->cwnd);
    u16_t c = p->cwnd;
    /* flight 3 segments, cwnd allows (c - 1608) / 536 more */
    int more = (c - 3 * 536) / 536;
    for (int i = 0; i < more; i++)
        TS_EXPECT(s, "ACK seq=$ISS+1+%d*536 len=536", 4 + i);
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK ack=$ISS+1+%d*536", 4 + more);
    while (ts_pending(s)) {
        struct ts_seg g = ts_peek(s);
        TS_EXPECT(s, "ACK seq=%lu len=536", (unsigned long)g.seq);
    }
    TS_PEER(s, "ACK ack=$ISS+1+8*536");
    TS_APP_EXPECT_SENT(s, 8 * 536);
    ts_end(s);
}
END_TEST

START_TEST(congestion_avoidance_after_timeout)
{
    struct ts *s = ts_begin(&S, "after an RTO: slow start to ssthresh, then congestion avoidance");
    TS_ESTABLISH(s, 1000, 536, 16384);
    struct tcp_pcb *p = s->pcb;
    TS_APP_WRITE(s, 536);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 len=536");
    TS_EXPECT_IN(s, 1, TCP_RTO_INITIAL + G, "ACK seq=$ISS+1 len=536");
    /* RFC 5681 3.1 eq. 4: max(536 / 2, 2 * 536) = 1072, cwnd 1 SMSS */
    TS_CHECK(s, p->ssthresh == 1072, "ssthresh %u", p->ssthresh);
    TS_CHECK(s, p->cwnd <= 536, "cwnd %u", p->cwnd);
    TS_PEER(s, "ACK ack=$ISS+537");
    u32_t off = 536;
    /* slow start: at most SMSS per ACK, until cwnd reaches ssthresh */
    for (int round = 0; round < 4 && p->cwnd < p->ssthresh; round++) {
        u16_t before = p->cwnd;
        TS_APP_WRITE(s, 536);
        TS_APP_OUTPUT(s);
        TS_EXPECT(s, "ACK seq=$ISS+1+%lu len=536", (unsigned long)off);
        off += 536;
        TS_PEER(s, "ACK ack=$ISS+1+%lu", (unsigned long)off);
        TS_CHECK(s, p->cwnd > before && p->cwnd <= before + 536, "slow start: cwnd %u -> %u",
                 before, p->cwnd);
    }
    TS_CHECK(s, p->cwnd >= p->ssthresh, "cwnd %u reached ssthresh %u", p->cwnd, p->ssthresh);
    /* congestion avoidance (RFC 5681 3.1): one window's worth of ACKs
     * grows cwnd by at most SMSS, and two windows do grow it */
    u16_t start = p->cwnd;
    for (int w = 0; w < 2; w++) {
        u16_t before = p->cwnd;
        int segs = before / 536;
        TS_APP_WRITE(s, (u16_t)(segs * 536));
        TS_APP_OUTPUT(s);
        for (int i = 0; i < segs; i++)
            TS_EXPECT(s, "ACK seq=$ISS+1+%lu len=536", (unsigned long)(off + (u32_t)i * 536));
        TS_EXPECT_NOTHING(s);
        for (int i = 0; i < segs; i++)
            TS_PEER(s, "ACK ack=$ISS+1+%lu", (unsigned long)(off + (u32_t)(i + 1) * 536));
        off += (u32_t)segs * 536;
        TS_CHECK(s, p->cwnd <= before + 536, "congestion avoidance: cwnd %u -> %u", before,
                 p->cwnd);
    }
    TS_CHECK(s, p->cwnd > start, "cwnd %u from %u", p->cwnd, start);
    ts_end(s);
}
END_TEST

/* New data segments (stream offset >= *hi) the stack sent: taken, *hi moved. */
static void take_new_data(struct ts *s, u32_t *hi)
{
    while (ts_pending(s)) {
        struct ts_seg g = ts_peek(s);
        u32_t off = g.seq - (ts_var(s, "ISS") + 1);
        if (!g.len || (s32_t)(off - *hi) < 0)
            return;
        TS_EXPECT(s, "ACK seq=$ISS+1+%lu len=%u", (unsigned long)off, g.len);
        *hi = off + g.len;
    }
}

START_TEST(fast_retransmit_and_recovery)
{
    struct ts *s = ts_begin(&S, "three duplicate ACKs: fast retransmit, fast recovery");
    TS_ESTABLISH(s, 1000, 536, 8192);
    struct tcp_pcb *p = s->pcb;
    tc_start(NG_TRACE_CLASS_BIT(TCP_STATE));
    TS_APP_WRITE(s, 5 * 536);
    TS_APP_OUTPUT(s);
    for (int i = 0; i < 4; i++)
        TS_EXPECT(s, "ACK seq=$ISS+1+%d*536 len=536", i);
    TS_EXPECT_NOTHING(s);
    u32_t hi = 4 * 536;
    /* segment 1 lost; 2, 3, 4 each make a duplicate ACK (RFC 5681 2). On
     * the first two, limited transmit (RFC 3042) may send new data; cwnd
     * does not change (RFC 5681 3.2 step 1). */
    TS_PEER(s, "ACK ack=$ISS+1");
    take_new_data(s, &hi);
    TS_PEER(s, "ACK ack=$ISS+1");
    take_new_data(s, &hi);
    TS_CHECK(s, p->cwnd == 4 * 536, "cwnd %u after two duplicate ACKs", p->cwnd);
    TS_EXPECT_NOTHING(s);
    u32_t flight = hi;
    TS_PEER(s, "ACK ack=$ISS+1");
    /* steps 2-3: ssthresh = max(FlightSize / 2, 2 * SMSS), retransmit,
     * cwnd = ssthresh + 3 * SMSS */
    TS_EXPECT(s, "ACK seq=$ISS+1 len=536");
    u32_t ssth = max_u32(flight / 2, 2 * 536);
    TS_CHECK(s, p->ssthresh == ssth, "ssthresh %u, flight %u", p->ssthresh, flight);
    TS_CHECK(s, p->cwnd == ssth + 3 * 536, "cwnd %u", p->cwnd);
    TS_CHECK(s, tcp_is_flag_set(p, TF_INFR), "in fast recovery");
    take_new_data(s, &hi);
    /* step 4: each further duplicate ACK inflates cwnd by SMSS */
    TS_PEER(s, "ACK ack=$ISS+1");
    TS_CHECK(s, p->cwnd == ssth + 4 * 536, "cwnd %u after the fourth", p->cwnd);
    /* step 5: new data as cwnd allows: segment 5 must be out by now */
    take_new_data(s, &hi);
    TS_CHECK(s, hi == 5 * 536, "sent up to %u", hi);
    TS_EXPECT_NOTHING(s);
    /* step 6 / RFC 6582 3.2 step 3: a full ACK ends recovery; cwnd =
     * ssthresh or min(ssthresh, max(FlightSize, SMSS) + SMSS) */
    TS_PEER(s, "ACK ack=$ISS+1+5*536");
    TS_CHECK(s, !tcp_is_flag_set(p, TF_INFR), "recovery over");
    TS_CHECK(s, p->cwnd >= min_u32(ssth, 1072) && p->cwnd <= ssth, "cwnd %u, ssthresh %u",
             p->cwnd, ssth);
    TS_APP_EXPECT_SENT(s, 5 * 536);
    TS_EXPECT_NOTHING(s);
    ng_trace_stop(0);
    TS_CHECK(s, tc_parse() == NULL, "trace parses");
    int fast = 0;
    for (int i = tc_next(0, NG_EV_TCP_REXMIT); i >= 0; i = tc_next(i + 1, NG_EV_TCP_REXMIT))
        if (tc_recs[i].a == NG_rexmit_FAST && tc_recs[i].w[1] == ts_var(s, "ISS") + 1)
            fast++;
    TS_CHECK(s, fast == 1, "%d TCP_REXMIT FAST records", fast);
    ts_end(s);
}
END_TEST

START_TEST(newreno_partial_ack)
{
    struct ts *s = ts_begin(&S, "NewReno: a partial ACK retransmits the next hole");
    TS_ESTABLISH(s, 1000, 536, 16384);
    struct tcp_pcb *p = s->pcb;
    tc_start(NG_TRACE_CLASS_BIT(TCP_STATE));
    TS_APP_WRITE(s, 8 * 536);
    TS_APP_OUTPUT(s);
    u32_t hi = 0;
    take_new_data(s, &hi);
    TS_CHECK(s, hi == 4 * 536, "initial window: %u bytes", hi);
    TS_PEER(s, "ACK ack=$ISS+1+536");
    take_new_data(s, &hi);
    /* segments 2 and 4 lost: 3, 5, 6 ... each make a duplicate ACK */
    TS_CHECK(s, hi >= 6 * 536, "sent %u bytes", hi);
    TS_PEER(s, "ACK ack=$ISS+1+536");
    take_new_data(s, &hi);
    TS_PEER(s, "ACK ack=$ISS+1+536");
    take_new_data(s, &hi);
    u32_t recover = hi;
    TS_PEER(s, "ACK ack=$ISS+1+536");
    TS_EXPECT(s, "ACK seq=$ISS+1+536 len=536");
    TS_CHECK(s, tcp_is_flag_set(p, TF_INFR), "in fast recovery");
    take_new_data(s, &hi);
    /* RFC 6582 3.2 step 5: segments 2 and 3 now in: ACK of 4 * 536 is
     * below the recovery point: retransmit segment 4 at once, deflate */
    u16_t before = p->cwnd;
    TS_PEER(s, "ACK ack=$ISS+1+3*536");
    TS_EXPECT(s, "ACK seq=$ISS+1+3*536 len=536");
    take_new_data(s, &hi);
    TS_CHECK(s, p->cwnd <= before, "cwnd %u deflated from %u", p->cwnd, before);
    TS_CHECK(s, tcp_is_flag_set(p, TF_INFR), "still in fast recovery (recover %u)", recover);
    /* the full ACK */
    TS_PEER(s, "ACK ack=$ISS+1+%lu", (unsigned long)hi);
    take_new_data(s, &hi);
    TS_CHECK(s, !tcp_is_flag_set(p, TF_INFR), "recovery over");
    TS_CHECK(s, p->cwnd <= p->ssthresh + 536, "cwnd %u ssthresh %u", p->cwnd, p->ssthresh);
    for (int i = 0; i < 10 && hi < 8 * 536; i++) {
        TS_PEER(s, "ACK ack=$ISS+1+%lu", (unsigned long)hi);
        take_new_data(s, &hi);
    }
    TS_CHECK(s, hi == 8 * 536, "all sent: %u", hi);
    TS_PEER(s, "ACK ack=$ISS+1+%lu", (unsigned long)hi);
    ng_trace_stop(0);
    TS_CHECK(s, tc_parse() == NULL, "trace parses");
    int partial = 0;
    for (int i = tc_next(0, NG_EV_TCP_REXMIT); i >= 0; i = tc_next(i + 1, NG_EV_TCP_REXMIT))
        if (tc_recs[i].a == NG_rexmit_PARTIAL && tc_recs[i].w[1] == ts_var(s, "ISS") + 1 + 3 * 536)
            partial++;
    TS_CHECK(s, partial == 1, "%d TCP_REXMIT PARTIAL records", partial);
    ts_end(s);
}
END_TEST

START_TEST(fewer_than_three_dupacks_no_fast_retransmit)
{
    struct ts *s = ts_begin(&S, "two duplicate ACKs, or ACKs with a new window, are not enough");
    TS_ESTABLISH(s, 1000, 536, 8192);
    TS_APP_WRITE(s, 4 * 536);
    TS_APP_OUTPUT(s);
    u32_t hi = 0;
    take_new_data(s, &hi);
    TS_PEER(s, "ACK ack=$ISS+1");
    TS_PEER(s, "ACK ack=$ISS+1");
    /* RFC 5681 2: an ACK that changes the window is not a duplicate */
    TS_PEER(s, "ACK ack=$ISS+1 win=9000");
    TS_EXPECT_NOTHING(s);
    /* an ACK carrying data is not one either */
    TS_PEER(s, "ACK ack=$ISS+1 len=10");
    TS_EXPECT_MAYBE(s, "ACK seq=$ISS+1+2144 len=0");
    TS_EXPECT_NOTHING(s);
    TS_PEER(s, "ACK ack=$ISS+1+2144");
    ts_end(s);
}
END_TEST

/* ---- keepalive ------------------------------------------------------------------- */

START_TEST(keepalive_off_by_default)
{
    struct ts *s = ts_begin(&S, "no keepalives unless asked for");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    /* RFC 1122 4.2.3.6 (MUST-24): keep-alives MUST default to off */
    TS_ADVANCE(s, 20 * 60 * 1000);
    TS_EXPECT_NOTHING(s);
    TS_EXPECT_STATE(s, ESTABLISHED);
    ts_end(s);
}
END_TEST

START_TEST(keepalive_probes_then_abort)
{
    struct ts *s = ts_begin(&S, "keepalive: probes after keep_idle, abort after keep_cnt");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    struct tcp_pcb *p = s->pcb;
    ip_set_option(p, SOF_KEEPALIVE);
    p->keep_idle = 3000;
    p->keep_intvl = 1000;
    p->keep_cnt = 3;
    /* RFC 1122 4.2.3.6: after keep_idle of silence, a probe with
     * SEG.SEQ = SND.NXT - 1 (no data or one garbage octet) */
    TS_EXPECT_IN(s, 3000 - G, 3000 + 2 * G, "ACK seq=$ISS ack=1001 len=0..1");
    /* answered: the connection lives, the idle time starts again */
    TS_PEER(s, "ACK ack=$ISS+1");
    TS_EXPECT_IN(s, 3000 - G, 3000 + 2 * G, "ACK seq=$ISS ack=1001 len=0..1");
    /* unanswered: keep_cnt probes keep_intvl apart, then the abort */
    for (int i = 1; i < 3; i++)
        TS_EXPECT_IN(s, 1000 - G, 1000 + 2 * G, "ACK seq=$ISS ack=1001 len=0..1");
    TS_ADVANCE(s, 1000 + 2 * G);
    TS_APP_EXPECT_ERR(s, ERR_ABRT);
    TS_EXPECT_MAYBE(s, "RST|?ACK seq=$ISS+1");
    TS_EXPECT_NOTHING(s);
    TS_EXPECT_STATE(s, CLOSED);
    ts_end(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("tcp_rexmit");
    TCase *tc = ng_tcase(su, "rto");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, syn_backoff_then_abort);
    tcase_add_test(tc, data_backoff_then_abort);
    tcase_add_test(tc, rto_resends_first_then_slow_starts);
    tcase_add_test(tc, rtt_samples_lower_rto);
    tcase_add_test(tc, karn_no_sample_from_retransmission);
    tc = ng_tcase(su, "congestion");
    tcase_add_test(tc, initial_window_and_slow_start);
    tcase_add_test(tc, congestion_avoidance_after_timeout);
    tcase_add_test(tc, fast_retransmit_and_recovery);
    tcase_add_test(tc, newreno_partial_ack);
    tcase_add_test(tc, fewer_than_three_dupacks_no_fast_retransmit);
    tc = ng_tcase(su, "keepalive");
    tcase_add_test(tc, keepalive_off_by_default);
    tcase_add_test(tc, keepalive_probes_then_abort);
    return ng_test_run(su) != 0;
}
