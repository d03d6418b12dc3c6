/*
 * tests/unit/test_tcp_pcb.c - TCP's resources and the raw API around
 * them: the PCB pool running out (tcp_new returns NULL at
 * MEMP_NUM_TCP_PCB), a TIME_WAIT PCB reused when short of PCBs
 * (tcp_alloc), the listen backlog (a SYN dropped while it is full, taken
 * again once the connection is accepted), an accept callback refusing a
 * connection, tcp_abort (RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST>, ERR_ABRT
 * to the err callback), tcp_bind conflicts, and tcp_sndbuf.
 */
#include "tcp_script.h"

static struct ts S;

START_TEST(pcb_pool_runs_out)
{
    struct ts *s = ts_begin(&S, "tcp_new until the pool is empty");
    struct tcp_pcb *pcbs[MEMP_NUM_TCP_PCB];
    for (int i = 0; i < MEMP_NUM_TCP_PCB; i++) {
        pcbs[i] = tcp_new();
        TS_CHECK(s, pcbs[i] != NULL, "tcp_new #%d", i);
    }
    /* nothing in TIME_WAIT, nothing active to sacrifice */
    TS_CHECK(s, tcp_new() == NULL, "tcp_new with MEMP_NUM_TCP_PCB in use");
    for (int i = 0; i < MEMP_NUM_TCP_PCB; i++)
        TS_CHECK(s, tcp_close(pcbs[i]) == ERR_OK, "tcp_close #%d", i);
    struct tcp_pcb *p = tcp_new();
    TS_CHECK(s, p != NULL, "tcp_new after freeing");
    tcp_close(p);
    ts_end(s);
}
END_TEST

START_TEST(time_wait_pcb_reused_when_short)
{
    struct ts *s = ts_begin(&S, "short of PCBs: the TIME_WAIT one is taken");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_EXPECT_STATE(s, TIME_WAIT);
    /* the pool: one PCB in TIME_WAIT, the rest free */
    struct tcp_pcb *pcbs[MEMP_NUM_TCP_PCB];
    int n = 0;
    while (n < MEMP_NUM_TCP_PCB - 1) {
        pcbs[n] = tcp_new();
        TS_CHECK(s, pcbs[n] != NULL, "tcp_new #%d", n);
        n++;
    }
    TS_CHECK(s, ts_count_tw() == 1, "%d in TIME_WAIT", ts_count_tw());
    /* lwip/priv/tcp_priv.h tcp_alloc: the oldest TIME_WAIT PCB goes */
    pcbs[n] = tcp_new();
    TS_CHECK(s, pcbs[n] != NULL, "tcp_new with the pool empty but one in TIME_WAIT");
    n++;
    TS_CHECK(s, ts_count_tw() == 0, "%d in TIME_WAIT", ts_count_tw());
    TS_EXPECT_STATE(s, CLOSED);
    TS_CHECK(s, tcp_new() == NULL, "and then none");
    for (int i = 0; i < n; i++)
        tcp_close(pcbs[i]);
    TS_EXPECT_NOTHING(s);
    ts_end(s);
}
END_TEST

/* Take the connection from peer port `port` (ISN 1000) to TIME_WAIT. */
static void to_time_wait(struct ts *s, u16_t port)
{
    ts_new_conn(s, port);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001");
    TS_PEER(s, "ACK ack=$ISS+1");
    TS_APP_EXPECT_ACCEPTED(s);
    TS_APP_CLOSE(s);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1");
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_IN(s, 0, 250, "ACK ack=1002");
    TS_EXPECT_STATE(s, TIME_WAIT);
}

START_TEST(oldest_time_wait_pcb_goes_first)
{
    struct ts *s = ts_begin(&S, "short of PCBs: the oldest TIME_WAIT one goes first");
    TS_LISTEN(s, 80);
    to_time_wait(s, 40000);
    TS_ADVANCE(s, 5000);
    to_time_wait(s, 40001);
    TS_CHECK(s, ts_count_tw() == 2, "%d in TIME_WAIT", ts_count_tw());
    struct tcp_pcb *pcbs[MEMP_NUM_TCP_PCB];
    int n = 0;
    while (n < MEMP_NUM_TCP_PCB - 2) {
        pcbs[n] = tcp_new();
        TS_CHECK(s, pcbs[n] != NULL, "tcp_new #%d", n);
        n++;
    }
    pcbs[n++] = tcp_new();
    TS_CHECK(s, pcbs[n - 1] != NULL, "tcp_new taking a TIME_WAIT PCB");
    TS_CHECK(s, ts_count_tw() == 1, "%d in TIME_WAIT", ts_count_tw());
    TS_EXPECT_STATE(s, TIME_WAIT);      /* 40001, the younger, stays */
    s->rport = 40000;
    TS_EXPECT_STATE(s, CLOSED);         /* 40000, the older, went */
    s->rport = 40001;
    for (int i = 0; i < n; i++)
        tcp_close(pcbs[i]);
    ts_end(s);
}
END_TEST

START_TEST(syn_without_free_pcb_dropped)
{
    struct ts *s = ts_begin(&S, "a SYN when no PCB is free: dropped");
    TS_LISTEN(s, 80);
    struct tcp_pcb *pcbs[MEMP_NUM_TCP_PCB];
    for (int i = 0; i < MEMP_NUM_TCP_PCB; i++) {
        pcbs[i] = tcp_new();
        TS_CHECK(s, pcbs[i] != NULL, "tcp_new #%d", i);
    }
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT_NOTHING(s);
    TS_CHECK(s, ng_drop_count[NG_drop_TCP_NO_MEMORY] == 1, "TCP_NO_MEMORY drops %u",
             ng_drop_count[NG_drop_TCP_NO_MEMORY]);
    tcp_close(pcbs[0]);
    /* the peer retransmits its SYN: now there is room */
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001");
    TS_PEER(s, "ACK ack=$ISS+1");
    TS_APP_EXPECT_ACCEPTED(s);
    for (int i = 1; i < MEMP_NUM_TCP_PCB; i++)
        tcp_close(pcbs[i]);
    ts_end(s);
}
END_TEST

START_TEST(listen_backlog_full_drops_syn)
{
    struct ts *s = ts_begin(&S, "listen backlog 1: a second SYN is dropped until accepted");
    TS_LISTEN_BACKLOG(s, 80, 1);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001");
    /* another peer port while the first is pending: dropped, no reply */
    TS_PEER(s, "SYN sport=40001 seq=3000");
    TS_EXPECT_NOTHING(s);
    TS_CHECK(s, ng_drop_count[NG_drop_TCP_BACKLOG_FULL] == 1, "TCP_BACKLOG_FULL drops %u",
             ng_drop_count[NG_drop_TCP_BACKLOG_FULL]);
    /* the first completes and is accepted: room again */
    TS_PEER(s, "ACK seq=1001 ack=$ISS+1");
    TS_APP_EXPECT_ACCEPTED(s);
    ts_new_conn(s, 40001);
    TS_PEER(s, "SYN seq=3000");
    TS_EXPECT(s, "SYN|ACK ack=3001");
    TS_PEER(s, "ACK seq=3001 ack=$ISS+1");
    TS_APP_EXPECT_ACCEPTED(s);
    TS_CHECK(s, s->npcbs == 2, "%d connections", s->npcbs);
    ts_end(s);
}
END_TEST

START_TEST(accept_refused_connection_reset)
{
    struct ts *s = ts_begin(&S, "the accept callback refuses: the stack aborts it");
    s->accept_ret = ERR_VAL;
    TS_LISTEN(s, 80);
    TS_PEER(s, "SYN seq=1000");
    TS_EXPECT(s, "SYN|ACK ack=1001");
    TS_PEER(s, "ACK seq=1001 ack=$ISS+1");
    /* lwip/tcp.h: anything but ERR_OK and the stack aborts it: RST */
    TS_EXPECT(s, "RST|?ACK seq=$ISS+1");
    TS_EXPECT_STATE(s, CLOSED);
    TS_APP_EXPECT_NOT_ACCEPTED(s);
    ts_end(s);
}
END_TEST

START_TEST(tcp_abort_sends_rst)
{
    struct ts *s = ts_begin(&S, "tcp_abort: RST, ERR_ABRT, freed");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_WRITE(s, 100);
    TS_APP_OUTPUT(s);
    TS_EXPECT(s, "ACK seq=$ISS+1 len=100");
    TS_APP_ABORT(s);
    /* RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST> */
    TS_EXPECT(s, "RST|?ACK seq=$ISS+101 len=0");
    TS_APP_EXPECT_ERR(s, ERR_ABRT);
    TS_EXPECT_STATE(s, CLOSED);
    TS_PEER(s, "ACK seq=1001 ack=$ISS+101");
    TS_EXPECT(s, "RST|?ACK seq=$ISS+101");      /* now a closed port */
    ts_end(s);
}
END_TEST

START_TEST(tcp_abort_in_syn_sent_sends_nothing)
{
    struct ts *s = ts_begin(&S, "tcp_abort in SYN_SENT: no RST");
    TS_CONNECT(s, 7);
    TS_EXPECT(s, "SYN");
    /* RFC 9293 3.10.5 ABORT in SYN-SENT: delete the TCB, nothing sent */
    TS_APP_ABORT(s);
    TS_EXPECT_NOTHING(s);
    TS_APP_EXPECT_ERR(s, ERR_ABRT);
    ts_end(s);
}
END_TEST

START_TEST(bind_conflicts)
{
    struct ts *s = ts_begin(&S, "tcp_bind conflicts");
    struct tcp_pcb *a = tcp_new(), *b = tcp_new(), *c = tcp_new();
    TS_CHECK(s, a && b && c, "three PCBs");
    TS_CHECK(s, tcp_bind(a, IP_ADDR_ANY, 5000) == ERR_OK, "bind a to 5000");
    TS_CHECK(s, tcp_bind(b, IP_ADDR_ANY, 5000) == ERR_USE, "bind b to 5000: ERR_USE");
    TS_CHECK(s, tcp_bind(b, IP_ADDR_ANY, 5001) == ERR_OK, "bind b to 5001");
    /* a listener holds its port too */
    struct tcp_pcb *l = tcp_listen(a);
    TS_CHECK(s, l != NULL, "listen on 5000");
    TS_CHECK(s, tcp_bind(c, IP_ADDR_ANY, 5000) == ERR_USE, "bind c to the listener's port");
    /* SOF_REUSEADDR on both */
    struct tcp_pcb *d = tcp_new(), *e = tcp_new();
    ip_set_option(d, SOF_REUSEADDR);
    ip_set_option(e, SOF_REUSEADDR);
    TS_CHECK(s, tcp_bind(d, IP_ADDR_ANY, 6000) == ERR_OK, "bind d to 6000");
    TS_CHECK(s, tcp_bind(e, IP_ADDR_ANY, 6000) == ERR_OK, "bind e to 6000 (SOF_REUSEADDR)");
    /* port 0: an ephemeral one */
    TS_CHECK(s, tcp_bind(c, IP_ADDR_ANY, 0) == ERR_OK, "bind c to port 0");
    TS_CHECK(s, c->local_port >= TCP_LOCAL_PORT_RANGE_START, "ephemeral %u", c->local_port);
    tcp_close(l);
    tcp_close(b);
    tcp_close(c);
    tcp_close(d);
    tcp_close(e);
    ts_end(s);
}
END_TEST

START_TEST(sndbuf_accounting)
{
    struct ts *s = ts_begin(&S, "tcp_sndbuf: TCP_SND_BUF, taken by writes, given back by ACKs");
    TS_ESTABLISH(s, 1000, 1460, 16384);
    struct tcp_pcb *p = s->pcb;
    TS_CHECK(s, tcp_sndbuf(p) == TCP_SND_BUF, "sndbuf %u", tcp_sndbuf(p));
    TS_APP_WRITE(s, 1000);
    TS_CHECK(s, tcp_sndbuf(p) == TCP_SND_BUF - 1000, "sndbuf %u", tcp_sndbuf(p));
    TS_APP_WRITE(s, (u16_t)(TCP_SND_BUF - 1000));
    TS_CHECK(s, tcp_sndbuf(p) == 0, "sndbuf %u", tcp_sndbuf(p));
    TS_APP_WRITE_ERR(s, 1, ERR_MEM);
    TS_APP_OUTPUT(s);
    u32_t hi = 0;
    while (ts_pending(s)) {
        struct ts_seg g = ts_peek(s);
        TS_EXPECT(s, "ACK len=%u", g.len);
        hi = g.seq + g.len - (ts_var(s, "ISS") + 1);
    }
    TS_PEER(s, "ACK ack=$ISS+1+%lu", (unsigned long)hi);
    TS_APP_EXPECT_SENT(s, hi);
    TS_CHECK(s, tcp_sndbuf(p) == hi, "sndbuf %u after %u acked", tcp_sndbuf(p), hi);
    ts_end(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("tcp_pcb");
    TCase *tc = ng_tcase(su, "pcbs");
    tcase_add_test(tc, pcb_pool_runs_out);
    tcase_add_test(tc, time_wait_pcb_reused_when_short);
    tcase_add_test(tc, oldest_time_wait_pcb_goes_first);
    tcase_add_test(tc, syn_without_free_pcb_dropped);
    tcase_add_test(tc, listen_backlog_full_drops_syn);
    tcase_add_test(tc, accept_refused_connection_reset);
    tcase_add_test(tc, tcp_abort_sends_rst);
    tcase_add_test(tc, tcp_abort_in_syn_sent_sends_nothing);
    tcase_add_test(tc, bind_conflicts);
    tcase_add_test(tc, sndbuf_accounting);
    return ng_test_run(su) != 0;
}
