/*
 * tests/unit/test_netconn.c - the netconn API (api/api_lib.c, api/api_msg.c)
 * and netbufs (api/netbuf.c) as lwIP 2.x documents them, on the host with
 * real threads and virtual time.
 *
 * Loopback (127.0.0.1, both ends ours) for most; the scripted TCP peer of
 * tcp_script.h behind tcpip_thread (api_test.h) where the peer must answer
 * late, reset, or close its window. Covers: netconn_new for each type and
 * the types that are not built; connect/listen/accept/write/recv on TCP
 * with addresses; ERR_CLSD at the peer's FIN and the half-closed direction
 * still working; ERR_RST at the peer's RST waking a blocked recv, and
 * netconn_err; ERR_RST for a connection refused; ERR_TIMEOUT of recv and
 * accept with a receive timeout; ERR_WOULDBLOCK of non-blocking recv,
 * accept and write (netconn_set_nonblocking, NETCONN_DONTBLOCK);
 * netconn_write_partly's bytes_written (blocking: all, in order; non-
 * blocking: what fits); UDP sendto/recv with the sender's address, connect
 * and send, netbufs (ref, alloc, chain, data/next/first, copy_partial);
 * ERR_USE for a port taken; the callback's events; calls for the other
 * kind of netconn (ERR_VAL, ERR_ARG, ERR_CLSD); deleting a listener with
 * connections not accepted and a connection with unread data (freed);
 * more TCP segments than the recvmbox holds (none lost); a full UDP
 * recvmbox (drops counted); a raw ICMP netconn seeing its echo and the
 * reply; netconn_gethostbyname of a dotted address. Every test ends with
 * every pool and the heap where tcpip_init left them (api_assert_clean).
 */
#include <string.h>

#include "api_test.h"
#include "lwip/api.h"
#include "lwip/netbuf.h"
#include "lwip/priv/tcp_priv.h"

static ip_addr_t lo;

static void setup(void)
{
    api_setup();
    IP_ADDR4(&lo, 127, 0, 0, 1);
}

#define ck_err(call, want) do { \
        err_t e_ = (call); \
        ck_assert_msg(e_ == (want), "%s: %d (%s), expected %d (%s)", #call, e_, lwip_strerr(e_), \
                      (want), lwip_strerr(want)); \
    } while (0)

static struct netconn *new_conn(enum netconn_type t)
{
    struct netconn *c = netconn_new(t);
    ck_assert_ptr_nonnull(c);
    return c;
}

static struct netconn *tcp_listener(u16_t port, u8_t backlog)
{
    struct netconn *l = new_conn(NETCONN_TCP);
    ck_err(netconn_bind(l, &lo, port), ERR_OK);
    ck_err(netconn_listen_with_backlog(l, backlog), ERR_OK);
    return l;
}

/* A connection over loopback, c the connecting end, s the accepted one;
 * returns its listener, for the tests that use it again. */
static struct netconn *tcp_pair_listening(u16_t port, struct netconn **c, struct netconn **s)
{
    struct netconn *l = tcp_listener(port, 2);
    *c = new_conn(NETCONN_TCP);
    ck_err(netconn_connect(*c, &lo, port), ERR_OK);
    ck_err(netconn_accept(l, s), ERR_OK);
    ck_assert_ptr_nonnull(*s);
    return l;
}

static void tcp_pair(u16_t port, struct netconn **c, struct netconn **s)
{
    ck_err(netconn_delete(tcp_pair_listening(port, c, s)), ERR_OK);
}

/* The end of most tests: each netconn given (none may be NULL) deleted,
 * ERR_OK, in order, then api_assert_clean; failures name the test's line. */
#define delete_and_assert_clean(...) \
    delete_and_assert_clean_at(__FILE__, __LINE__, (struct netconn *[]){ __VA_ARGS__, NULL })

static void delete_and_assert_clean_at(const char *file, int line, struct netconn **conns)
{
    for (int i = 0; conns[i] != NULL; i++) {
        err_t e = netconn_delete(conns[i]);
        ck_assert_msg(e == ERR_OK, "%s:%d: netconn_delete of netconn %d: %d (%s)", file, line,
                      i + 1, e, lwip_strerr(e));
    }
    api_assert_clean_at(file, line);
}

static struct netconn *udp_bound(u16_t port)
{
    struct netconn *u = new_conn(NETCONN_UDP);
    ck_err(netconn_bind(u, &lo, port), ERR_OK);
    return u;
}

/* Read exactly n bytes (TCP) into buf. */
static void recv_exactly(struct netconn *s, u8_t *buf, u32_t n)
{
    u32_t got = 0;
    while (got < n) {
        struct pbuf *p = NULL;
        ck_err(netconn_recv_tcp_pbuf(s, &p), ERR_OK);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_le(got + p->tot_len, n);
        pbuf_copy_partial(p, buf + got, p->tot_len, 0);
        got += p->tot_len;
        pbuf_free(p);
    }
}

static void wait_sem(sys_sem_t *sem, u32_t ms)
{
    ck_assert_msg(sys_arch_sem_wait(sem, ms) != SYS_ARCH_TIMEOUT, "a thread did not finish in %u ms",
                  (unsigned)ms);
}

/* ---- creating ------------------------------------------------------------------------- */

START_TEST(new_and_delete_each_type)
{
    struct netconn *t = new_conn(NETCONN_TCP);
    struct netconn *u = new_conn(NETCONN_UDP);
    struct netconn *r = netconn_new_with_proto_and_callback(NETCONN_RAW, 1 /* ICMP */, NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(netconn_type(t), NETCONN_TCP);
    ck_assert_int_eq(netconn_type(u), NETCONN_UDP);
    ck_assert_int_eq(netconn_type(r), NETCONN_RAW);
    ck_assert_ptr_nonnull(t->pcb.tcp);
    ck_assert_ptr_nonnull(u->pcb.udp);
    ck_assert_ptr_nonnull(r->pcb.raw);
    ck_assert_int_eq(t->socket, -1);
    ck_assert_ptr_null(t->callback);
    ck_err(netconn_err(t), ERR_OK);
    ck_assert(!netconn_is_nonblocking(t));
    ck_assert_uint_eq(memp_in_use(MEMP_NETCONN), api_pools_after_init[MEMP_NETCONN] + 3);
    ck_err(netconn_delete(t), ERR_OK);
    ck_err(netconn_delete(u), ERR_OK);
    ck_err(netconn_delete(r), ERR_OK);
    ck_err(netconn_delete(NULL), ERR_OK);      /* lwIP: nothing to do */
    /* Types that are not built, or none. */
    ck_assert_ptr_null(netconn_new(NETCONN_INVALID));
    ck_assert_ptr_null(netconn_new(NETCONN_UDPLITE));
    ck_assert_ptr_null(netconn_new((enum netconn_type)0x99));
    api_assert_clean();
}
END_TEST

START_TEST(bind_to_a_port_in_use_is_err_use)
{
    struct netconn *a = new_conn(NETCONN_TCP), *b = new_conn(NETCONN_TCP);
    ck_err(netconn_bind(a, &lo, 8100), ERR_OK);
    ck_err(netconn_bind(b, &lo, 8100), ERR_USE);
    struct netconn *u = udp_bound(8101), *v = new_conn(NETCONN_UDP);
    ck_err(netconn_bind(v, &lo, 8101), ERR_USE);
    delete_and_assert_clean(a, b, u, v);
}
END_TEST

/* ---- TCP ---------------------------------------------------------------------------------- */

START_TEST(tcp_connect_accept_write_recv_and_addresses)
{
    struct netconn *c, *s;
    struct netconn *l = tcp_pair_listening(8001, &c, &s);
    ck_assert_int_eq(netconn_type(s), NETCONN_TCP);

    ip_addr_t a;
    u16_t cport = 0, port = 0;
    ck_err(netconn_addr(c, &a, &cport), ERR_OK);
    ck_assert(ip_addr_eq(&a, &lo));
    ck_assert_uint_ne(cport, 0);
    ck_err(netconn_peer(c, &a, &port), ERR_OK);
    ck_assert(ip_addr_eq(&a, &lo));
    ck_assert_uint_eq(port, 8001);
    ck_err(netconn_addr(s, &a, &port), ERR_OK);
    ck_assert_uint_eq(port, 8001);
    ck_err(netconn_peer(s, &a, &port), ERR_OK);
    ck_assert(ip_addr_eq(&a, &lo));
    ck_assert_uint_eq(port, cport);
    ck_err(netconn_peer(l, &a, &port), ERR_CONN);   /* a listener has no peer */

    /* netconn_recv gives a TCP netconn's data in a netbuf too. */
    static const char msg[] = "hello netconn";
    size_t written = 0;
    ck_err(netconn_write_partly(c, msg, sizeof msg, NETCONN_COPY, &written), ERR_OK);
    ck_assert_uint_eq(written, sizeof msg);
    struct netbuf *nb = NULL;
    ck_err(netconn_recv(s, &nb), ERR_OK);
    ck_assert_ptr_nonnull(nb);
    ck_assert_uint_eq(netbuf_len(nb), sizeof msg);
    char buf[32];
    ck_assert_uint_eq(netbuf_copy(nb, buf, sizeof buf), sizeof msg);
    ck_assert_str_eq(buf, msg);
    netbuf_delete(nb);
    /* NOCOPY data (static) the other way, as a pbuf. */
    static const char back[] = "back";
    ck_err(netconn_write(s, back, 4, NETCONN_NOCOPY), ERR_OK);
    u8_t in[4];
    recv_exactly(c, in, 4);
    ck_assert(memcmp(in, back, 4) == 0);
    delete_and_assert_clean(c, s, l);
}
END_TEST

START_TEST(connect_to_a_closed_port_is_err_rst)
{
    struct netconn *c = new_conn(NETCONN_TCP);
    ck_err(netconn_connect(c, &lo, 8999), ERR_RST);
    delete_and_assert_clean(c);
}
END_TEST

START_TEST(fin_is_err_clsd_and_the_other_direction_still_works)
{
    struct netconn *c, *s;
    tcp_pair(8002, &c, &s);
    ck_err(netconn_write(c, "data", 4, NETCONN_COPY), ERR_OK);
    ck_err(netconn_shutdown(c, 0, 1), ERR_OK);      /* our FIN */
    u8_t in[4];
    recv_exactly(s, in, 4);
    ck_assert(memcmp(in, "data", 4) == 0);
    struct pbuf *p = (struct pbuf *)1;
    ck_err(netconn_recv_tcp_pbuf(s, &p), ERR_CLSD);
    ck_assert_ptr_null(p);
    /* Again: still an error, at once (the stream has ended). */
    u32_t t0 = sys_now();
    err_t again = netconn_recv_tcp_pbuf(s, &p);
    ck_assert_msg(again == ERR_CLSD || again == ERR_CONN, "second recv after FIN: %d", again);
    ck_assert_uint_eq(api_since(t0), 0);
    /* Half-closed: s may still send, c still receives. */
    ck_err(netconn_write(s, "bye", 3, NETCONN_COPY), ERR_OK);
    recv_exactly(c, in, 3);
    ck_assert(memcmp(in, "bye", 3) == 0);
    ck_err(netconn_close(s), ERR_OK);
    ck_err(netconn_recv_tcp_pbuf(c, &p), ERR_CLSD);
    delete_and_assert_clean(c, s);
}
END_TEST

START_TEST(recv_and_accept_time_out_with_err_timeout)
{
    struct netconn *c, *s;
    struct netconn *l = tcp_pair_listening(8003, &c, &s);
    netconn_set_recvtimeout(s, 200);
    ck_assert_int_eq(netconn_get_recvtimeout(s), 200);
    struct pbuf *p = NULL;
    u32_t t0 = sys_now();
    ck_err(netconn_recv_tcp_pbuf(s, &p), ERR_TIMEOUT);
    ck_assert_uint_ge(api_since(t0), 200);
    ck_assert_uint_le(api_since(t0), 210);
    ck_assert_ptr_null(p);
    /* A timeout is not fatal: data afterwards is received. */
    ck_err(netconn_err(s), ERR_OK);
    ck_err(netconn_write(c, "x", 1, NETCONN_COPY), ERR_OK);
    ck_err(netconn_recv_tcp_pbuf(s, &p), ERR_OK);
    ck_assert_uint_eq(p->tot_len, 1);
    pbuf_free(p);
    /* accept */
    netconn_set_recvtimeout(l, 150);
    struct netconn *none = (struct netconn *)1;
    t0 = sys_now();
    ck_err(netconn_accept(l, &none), ERR_TIMEOUT);
    ck_assert_uint_ge(api_since(t0), 150);
    ck_assert_uint_le(api_since(t0), 160);
    ck_assert_ptr_null(none);
    /* UDP */
    struct netconn *u = udp_bound(8004);
    netconn_set_recvtimeout(u, 90);
    struct netbuf *nb = NULL;
    t0 = sys_now();
    ck_err(netconn_recv(u, &nb), ERR_TIMEOUT);
    ck_assert_uint_ge(api_since(t0), 90);
    ck_assert_uint_le(api_since(t0), 100);
    delete_and_assert_clean(c, s, l, u);
}
END_TEST

START_TEST(nonblocking_recv_accept_are_err_wouldblock)
{
    struct netconn *c, *s;
    struct netconn *l = tcp_pair_listening(8005, &c, &s);
    u32_t t0 = sys_now();
    netconn_set_nonblocking(s, 1);
    ck_assert(netconn_is_nonblocking(s));
    struct pbuf *p = NULL;
    ck_err(netconn_recv_tcp_pbuf(s, &p), ERR_WOULDBLOCK);
    netconn_set_nonblocking(s, 0);
    ck_assert(!netconn_is_nonblocking(s));
    ck_err(netconn_recv_tcp_pbuf_flags(s, &p, NETCONN_DONTBLOCK), ERR_WOULDBLOCK);  /* this call */
    netconn_set_nonblocking(l, 1);
    struct netconn *none = NULL;
    ck_err(netconn_accept(l, &none), ERR_WOULDBLOCK);
    struct netconn *u = udp_bound(8006);
    netconn_set_nonblocking(u, 1);
    struct netbuf *nb = NULL;
    ck_err(netconn_recv(u, &nb), ERR_WOULDBLOCK);
    ck_assert_uint_eq(api_since(t0), 0);
    /* With data there, a non-blocking recv returns it. */
    ck_err(netconn_write(c, "ab", 2, NETCONN_COPY), ERR_OK);
    ck_err(netconn_recv_tcp_pbuf_flags(s, &p, NETCONN_DONTBLOCK), ERR_OK);
    ck_assert_uint_eq(p->tot_len, 2);
    pbuf_free(p);
    delete_and_assert_clean(c, s, l, u);
}
END_TEST

#define BIG 65536u
_Static_assert(BIG > TCP_SND_BUF + TCP_WND, "the big write must not fit in the buffers");
static u8_t big[BIG], in_big[BIG];

struct reader {
    struct netconn *s;
    u32_t got;
    long bad;
    err_t last;
    sys_sem_t done;
};

static void reader_thread(void *arg)
{
    struct reader *r = arg;
    for (;;) {
        struct pbuf *p = NULL;
        r->last = netconn_recv_tcp_pbuf(r->s, &p);
        if (r->last != ERR_OK)
            break;
        for (struct pbuf *q = p; q; q = q->next) {
            long off = api_check(q->payload, r->got, q->len);
            if (off >= 0 && r->bad < 0)
                r->bad = (long)r->got + off;
            r->got += q->len;
        }
        pbuf_free(p);
    }
    sys_sem_signal(&r->done);
}

START_TEST(blocking_write_of_more_than_the_send_buffer_writes_it_all)
{
    struct netconn *c, *s;
    tcp_pair(8007, &c, &s);
    static struct reader r;
    r.s = s;
    r.bad = -1;
    sys_sem_new(&r.done, 0);
    api_spawn("reader", reader_thread, &r, NG_MAIN_PRIO + 1);
    api_fill(big, 0, BIG);
    size_t written = 0;
    ck_err(netconn_write_partly(c, big, BIG, NETCONN_COPY, &written), ERR_OK);
    ck_assert_uint_eq(written, BIG);
    ck_assert_uint_ge(r.got, BIG - TCP_SND_BUF - TCP_WND);   /* it did wait for the reader */
    ck_err(netconn_close(c), ERR_OK);
    wait_sem(&r.done, 10000);
    ck_assert_uint_eq(r.got, BIG);
    ck_assert_int_eq(r.bad, -1);
    ck_err(r.last, ERR_CLSD);
    ck_err(netconn_delete(c), ERR_OK);
    ck_err(netconn_delete(s), ERR_OK);
    sys_sem_free(&r.done);
    api_assert_clean();
}
END_TEST

START_TEST(nonblocking_write_partly_reports_bytes_written)
{
    struct netconn *c, *s;
    tcp_pair(8008, &c, &s);
    api_fill(big, 0, BIG);
    u32_t total = 0;
    int calls = 0;
    err_t e;
    for (;;) {
        size_t written = 12345;
        e = netconn_write_partly(c, big + total, BIG - total, NETCONN_COPY | NETCONN_DONTBLOCK,
                                 &written);
        if (e != ERR_OK) {
            ck_assert_uint_eq(written, 0);
            break;
        }
        ck_assert_uint_gt(written, 0);
        ck_assert_uint_lt(total + written, BIG);
        total += (u32_t)written;
        ck_assert_int_lt(++calls, 1000);
    }
    ck_err(e, ERR_WOULDBLOCK);
    ck_assert_uint_ge(total, TCP_SND_BUF);
    ck_assert_uint_le(total, TCP_SND_BUF + TCP_WND);
    ck_err(netconn_err(c), ERR_OK);             /* would-block is not an error of the connection */
    /* netconn_set_nonblocking does the same for every write. */
    netconn_set_nonblocking(c, 1);
    size_t w = 7;
    ck_err(netconn_write_partly(c, big, 100, NETCONN_COPY, &w), ERR_WOULDBLOCK);
    netconn_set_nonblocking(c, 0);
    recv_exactly(s, in_big, total);
    ck_assert_int_eq(api_check(in_big, 0, total), -1);
    delete_and_assert_clean(c, s);
}
END_TEST

/* ---- UDP and netbufs --------------------------------------------------------------------- */

START_TEST(udp_sendto_and_recv_with_the_senders_address)
{
    struct netconn *a = udp_bound(9001), *b = udp_bound(9002);
    struct netbuf *out = netbuf_new();
    ck_assert_ptr_nonnull(out);
    ck_err(netbuf_ref(out, "hello", 5), ERR_OK);
    ck_err(netconn_sendto(a, out, &lo, 9002), ERR_OK);
    netbuf_delete(out);
    /* one built with netbuf_alloc */
    out = netbuf_new();
    u8_t *d = netbuf_alloc(out, 100);
    ck_assert_ptr_nonnull(d);
    api_fill(d, 0, 100);
    ck_err(netconn_sendto(a, out, &lo, 9002), ERR_OK);
    netbuf_delete(out);

    struct netbuf *nb = NULL;
    ck_err(netconn_recv(b, &nb), ERR_OK);
    ck_assert(ip_addr_eq(netbuf_fromaddr(nb), &lo));
    ck_assert_uint_eq(netbuf_fromport(nb), 9001);
    ck_assert_uint_eq(netbuf_len(nb), 5);
    void *data;
    u16_t len;
    ck_err(netbuf_data(nb, &data, &len), ERR_OK);
    ck_assert_uint_eq(len, 5);
    ck_assert(memcmp(data, "hello", 5) == 0);
    struct netbuf *nb2 = NULL;
    ck_err(netconn_recv(b, &nb2), ERR_OK);
    ck_assert_uint_eq(netbuf_len(nb2), 100);
    u8_t tmp[100];
    ck_assert_uint_eq(netbuf_copy_partial(nb2, tmp, 60, 40), 60);
    ck_assert_int_eq(api_check(tmp, 40, 60), -1);
    /* Chained: one netbuf, both datagrams' data, walked piece by piece. */
    netbuf_chain(nb, nb2);
    ck_assert_uint_eq(netbuf_len(nb), 105);
    u8_t all[105];
    u32_t n = 0;
    netbuf_first(nb);
    for (;;) {
        ck_err(netbuf_data(nb, &data, &len), ERR_OK);
        ck_assert_uint_le(n + len, sizeof all);
        memcpy(all + n, data, len);
        n += len;
        if (netbuf_next(nb) < 0)
            break;
    }
    ck_assert_uint_eq(n, 105);
    ck_assert(memcmp(all, "hello", 5) == 0);
    ck_assert_int_eq(api_check(all + 5, 0, 100), -1);
    netbuf_first(nb);
    ck_err(netbuf_data(nb, &data, &len), ERR_OK);
    ck_assert(memcmp(data, "hello", 5) == 0);
    netbuf_delete(nb);                          /* nb2's struct went with the chain */
    delete_and_assert_clean(a, b);
}
END_TEST

START_TEST(udp_large_datagram_arrives_whole)
{
    struct netconn *a = udp_bound(9011), *b = udp_bound(9012);
    struct netbuf *out = netbuf_new();
    u8_t *d = netbuf_alloc(out, 3000);
    ck_assert_ptr_nonnull(d);
    ck_err(netbuf_take(out, big, 0), ERR_OK);   /* (nothing to take: a no-op) */
    api_fill(big, 0, 3000);
    ck_err(netbuf_take(out, big, 3000), ERR_OK);
    ck_err(netconn_sendto(a, out, &lo, 9012), ERR_OK);
    netbuf_delete(out);
    struct netbuf *nb = NULL;
    ck_err(netconn_recv(b, &nb), ERR_OK);
    ck_assert_uint_eq(netbuf_len(nb), 3000);
    u32_t n = 0;
    void *data;
    u16_t len;
    do {
        ck_err(netbuf_data(nb, &data, &len), ERR_OK);
        ck_assert_int_eq(api_check(data, n, len), -1);
        n += len;
    } while (netbuf_next(nb) >= 0);
    ck_assert_uint_eq(n, 3000);
    u8_t tmp[10];
    ck_assert_uint_eq(netbuf_copy_partial(nb, tmp, 10, 2990), 10);
    ck_assert_int_eq(api_check(tmp, 2990, 10), -1);
    netbuf_delete(nb);
    delete_and_assert_clean(a, b);
}
END_TEST

START_TEST(udp_connect_send_and_disconnect)
{
    struct netconn *a = udp_bound(9021), *b = udp_bound(9022);
    ck_err(netconn_connect(a, &lo, 9022), ERR_OK);
    ip_addr_t pa;
    u16_t pp = 0;
    ck_err(netconn_peer(a, &pa, &pp), ERR_OK);
    ck_assert_uint_eq(pp, 9022);
    struct netbuf *out = netbuf_new();
    ck_err(netbuf_ref(out, "ping", 4), ERR_OK);
    ck_err(netconn_send(a, out), ERR_OK);
    struct netbuf *nb = NULL;
    ck_err(netconn_recv(b, &nb), ERR_OK);
    ck_assert_uint_eq(netbuf_fromport(nb), 9021);
    ck_assert_uint_eq(netbuf_len(nb), 4);
    netbuf_delete(nb);
    ck_err(netconn_disconnect(a), ERR_OK);
    ck_err(netconn_peer(a, &pa, &pp), ERR_CONN);
    netbuf_delete(out);
    delete_and_assert_clean(a, b);
}
END_TEST

/* The callback hears RCVPLUS for a datagram, with its length, and
 * RCVMINUS when netconn_recv takes it. */
static int ev_log[16][2];
static int ev_n;

static void events(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
    (void)conn;
    if (ev_n < 16) {
        ev_log[ev_n][0] = evt;
        ev_log[ev_n][1] = len;
    }
    ev_n++;
}

static int count_ev(enum netconn_evt evt, int len)
{
    int k = 0;
    for (int i = 0; i < ev_n && i < 16; i++)
        k += ev_log[i][0] == (int)evt && (len < 0 || ev_log[i][1] == len);
    return k;
}

START_TEST(callback_hears_rcvplus_and_rcvminus)
{
    struct netconn *a = udp_bound(9031);
    struct netconn *b = netconn_new_with_callback(NETCONN_UDP, events);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_eq(b->callback, events);
    ck_err(netconn_bind(b, &lo, 9032), ERR_OK);
    ev_n = 0;
    struct netbuf *out = netbuf_new();
    ck_err(netbuf_ref(out, "12345", 5), ERR_OK);
    ck_err(netconn_sendto(a, out, &lo, 9032), ERR_OK);
    netbuf_delete(out);
    ck_assert_int_eq(count_ev(NETCONN_EVT_RCVPLUS, 5), 1);
    ck_assert_int_eq(count_ev(NETCONN_EVT_RCVMINUS, -1), 0);
    struct netbuf *nb = NULL;
    ck_err(netconn_recv(b, &nb), ERR_OK);
    netbuf_delete(nb);
    ck_assert_int_eq(count_ev(NETCONN_EVT_RCVMINUS, -1), 1);
    delete_and_assert_clean(a, b);
}
END_TEST

/* ---- wrong use, queues, teardown ------------------------------------------------------------ */

START_TEST(calls_for_the_other_kind_of_netconn_are_refused)
{
    struct netconn *t = new_conn(NETCONN_TCP), *u = udp_bound(8200);
    ck_err(netconn_write(u, "x", 1, NETCONN_COPY), ERR_VAL);
    ck_assert_int_ne(netconn_listen(u), ERR_OK);
    struct netconn *none = NULL;
    ck_err(netconn_accept(t, &none), ERR_CLSD);     /* not listening */
    ck_assert_ptr_null(none);
    /* bind with no address: any, and port 0 picks one */
    ck_err(netconn_bind(t, NULL, 0), ERR_OK);
    ip_addr_t a;
    u16_t port = 0;
    ck_err(netconn_addr(t, &a, &port), ERR_OK);
    ck_assert(ip_addr_isany(&a));
    ck_assert_uint_ne(port, 0);
    delete_and_assert_clean(t, u);
}
END_TEST

/* lwIP documents ERR_ARG for a receive of the other kind ("ERR_ARG if conn
 * is not a TCP netconn", "... not a UDP/RAW netconn"). */
START_TEST(receive_of_the_other_kind_is_err_arg)
{
    struct netconn *t = new_conn(NETCONN_TCP), *u = udp_bound(8206);
    struct netbuf *nb = NULL;
    struct pbuf *p = NULL;
    ck_err(netconn_recv_tcp_pbuf(u, &p), ERR_ARG);
    ck_err(netconn_recv_udp_raw_netbuf(t, &nb), ERR_ARG);
    delete_and_assert_clean(t, u);
}
END_TEST

/* What lwIP 2.x answers for calls that cannot do anything (its api_lib.c
 * and api_msg.c behaviour; an error for a NULL netbuf, whichever). */
START_TEST(calls_that_cannot_work_get_lwips_errors)
{
    struct netconn *c, *s;
    tcp_pair(8207, &c, &s);
    size_t w = 99;
    ck_err(netconn_write_partly(c, "x", 0, NETCONN_COPY, &w), ERR_OK);     /* nothing to do */
    /* non-blocking needs bytes_written to say how much went */
    ck_err(netconn_write(c, "x", 1, NETCONN_COPY | NETCONN_DONTBLOCK), ERR_VAL);
    ck_err(netconn_connect(c, &lo, 8207), ERR_ISCONN);
    ck_err(netconn_disconnect(c), ERR_VAL);          /* UDP only */
    ck_err(netconn_recv(c, NULL), ERR_ARG);
    struct netconn *u = udp_bound(8208);
    ck_assert_int_ne(netconn_sendto(u, NULL, &lo, 8207), ERR_OK);   /* no netbuf */
    ck_err(netconn_close(u), ERR_CONN);             /* TCP only */
    /* listening again just updates the backlog */
    struct netconn *l = tcp_listener(8209, 1);
    ck_err(netconn_listen_with_backlog(l, 3), ERR_OK);
    delete_and_assert_clean(l, u, c, s);
}
END_TEST

/* Deleting a listener frees the connections nobody accepted yet. */
START_TEST(delete_a_listener_with_connections_not_accepted)
{
    struct netconn *l = tcp_listener(8201, 3);
    struct netconn *c1 = new_conn(NETCONN_TCP), *c2 = new_conn(NETCONN_TCP);
    ck_err(netconn_connect(c1, &lo, 8201), ERR_OK);
    ck_err(netconn_connect(c2, &lo, 8201), ERR_OK);
    ck_assert_uint_eq(memp_in_use(MEMP_NETCONN), api_pools_after_init[MEMP_NETCONN] + 5);
    ck_err(netconn_delete(l), ERR_OK);
    ck_assert_uint_eq(memp_in_use(MEMP_NETCONN), api_pools_after_init[MEMP_NETCONN] + 2);
    /* Their peers learn it: the connection is gone. */
    struct pbuf *p = NULL;
    err_t e = netconn_recv_tcp_pbuf(c1, &p);
    ck_assert_msg(e == ERR_RST || e == ERR_CLSD || e == ERR_ABRT, "c1 recv: %d", e);
    e = netconn_recv_tcp_pbuf(c2, &p);
    ck_assert_msg(e == ERR_RST || e == ERR_CLSD || e == ERR_ABRT, "c2 recv: %d", e);
    delete_and_assert_clean(c1, c2);
}
END_TEST

/* Deleting a connection with data it never read frees that data. */
START_TEST(delete_with_unread_data_frees_it)
{
    struct netconn *c, *s;
    tcp_pair(8202, &c, &s);
    for (int i = 0; i < 5; i++)
        ck_err(netconn_write(c, "unread data", 11, NETCONN_COPY), ERR_OK);
    ck_err(netconn_delete(s), ERR_OK);
    struct pbuf *p = NULL;
    err_t e = netconn_recv_tcp_pbuf(c, &p);
    ck_assert_msg(e == ERR_RST || e == ERR_CLSD, "peer's recv: %d", e);
    delete_and_assert_clean(c);
}
END_TEST

/* More segments than the receive mailbox holds (the app not reading):
 * none is lost, all arrive in order once it reads. */
START_TEST(tcp_more_segments_than_the_recvmbox_holds_all_arrive)
{
    struct netconn *c, *s;
    tcp_pair(8203, &c, &s);
    tcp_nagle_disable(c->pcb.tcp);          /* (the stack's own field: set in our thread while
                                             * tcpip_thread waits, as the tests do elsewhere) */
    enum { N = 3 * DEFAULT_TCP_RECVMBOX_SIZE, PIECE = 10 };
    for (u32_t i = 0; i < N; i++) {
        api_fill(big, i * PIECE, PIECE);
        ck_err(netconn_write(c, big, PIECE, NETCONN_COPY), ERR_OK);
    }
    recv_exactly(s, in_big, N * PIECE);
    ck_assert_int_eq(api_check(in_big, 0, N * PIECE), -1);
    delete_and_assert_clean(c, s);
}
END_TEST

/* A UDP netconn queues DEFAULT_UDP_RECVMBOX_SIZE datagrams; more are
 * dropped and counted. */
START_TEST(udp_recvmbox_full_drops_and_counts)
{
    struct netconn *a = udp_bound(8204), *b = udp_bound(8205);
    enum { N = DEFAULT_UDP_RECVMBOX_SIZE + 2 };
    for (int i = 0; i < N; i++) {
        struct netbuf *out = netbuf_new();
        ck_assert_ptr_nonnull(out);
        u8_t v = (u8_t)i;
        ck_err(netbuf_ref(out, &v, 1), ERR_OK);
        ck_err(netconn_sendto(a, out, &lo, 8205), ERR_OK);
        netbuf_delete(out);
    }
    ck_assert_uint_eq(ng_drop_count[NG_drop_RECVMBOX_FULL], 2);
    netconn_set_nonblocking(b, 1);
    for (int i = 0; i < DEFAULT_UDP_RECVMBOX_SIZE; i++) {
        struct netbuf *nb = NULL;
        ck_err(netconn_recv(b, &nb), ERR_OK);
        u8_t v = 0xff;
        ck_assert_uint_eq(netbuf_copy(nb, &v, 1), 1);
        ck_assert_uint_eq(v, i);                /* the first ones, in order */
        netbuf_delete(nb);
    }
    struct netbuf *nb = NULL;
    ck_err(netconn_recv(b, &nb), ERR_WOULDBLOCK);
    delete_and_assert_clean(a, b);
}
END_TEST

/* A raw ICMP netconn sees the echo request it sent to 127.0.0.1 (raw PCBs
 * see packets before the protocol) and then the stack's echo reply. */
START_TEST(raw_icmp_netconn_sees_the_echo_and_its_reply)
{
    struct netconn *r = netconn_new_with_proto_and_callback(NETCONN_RAW, 1 /* ICMP */, NULL);
    ck_assert_ptr_nonnull(r);
    u8_t echo[12] = { 8, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 'p', 'i', 'n', 'g' };
    u32_t sum = 0;
    for (unsigned i = 0; i < sizeof echo; i += 2)
        sum += (u32_t)(echo[i] << 8 | echo[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    echo[2] = (u8_t)(~sum >> 8);
    echo[3] = (u8_t)~sum;
    struct netbuf *out = netbuf_new();
    ck_err(netbuf_ref(out, echo, sizeof echo), ERR_OK);
    ck_err(netconn_sendto(r, out, &lo, 0), ERR_OK);
    netbuf_delete(out);
    netconn_set_recvtimeout(r, 1000);
    u8_t types[2] = { 0xff, 0xff };
    for (int i = 0; i < 2; i++) {
        struct netbuf *nb = NULL;
        ck_err(netconn_recv(r, &nb), ERR_OK);
        ck_assert(ip_addr_eq(netbuf_fromaddr(nb), &lo));
        /* lwIP's raw netconns get the IP header too */
        u8_t pkt[40];
        u16_t n = netbuf_copy(nb, pkt, sizeof pkt);
        ck_assert_uint_eq(n, 20 + sizeof echo);
        ck_assert_uint_eq(pkt[0], 0x45);
        ck_assert_uint_eq(pkt[9], 1);
        ck_assert(memcmp(pkt + 24, echo + 4, 8) == 0);
        types[i] = pkt[20];
        netbuf_delete(nb);
    }
    ck_assert_uint_eq(types[0], 8);             /* our request */
    ck_assert_uint_eq(types[1], 0);             /* the reply */
    delete_and_assert_clean(r);
}
END_TEST

START_TEST(gethostbyname_of_a_dotted_address_needs_no_dns)
{
    ip_addr_t a;
    ck_err(netconn_gethostbyname("10.1.2.3", &a), ERR_OK);
    ck_assert_uint_eq(ip4_addr_get_u32(&a), PP_HTONL(0x0a010203UL));
    api_assert_clean();
}
END_TEST

/* ---- a scripted peer ----------------------------------------------------------------------- */

static struct ts S;
static sys_sem_t t_done;

static void answer_syn_later(void *arg)
{
    struct ts *s = arg;
    sys_msleep(50);
    TS_EXPECT(s, "SYN");
    API_PEER(s, "SYN|ACK seq=30000 ack=$ISS+1 mss=1460 win=8192");
    sys_sem_signal(&t_done);
}

static struct netconn *connect_to_peer(struct ts *s)
{
    ip_addr_t peer;
    ck_assert(ip4addr_aton(TS_PEER_IP, &peer));
    struct netconn *c = new_conn(NETCONN_TCP);
    sys_sem_new(&t_done, 0);
    api_spawn("peer", answer_syn_later, s, NG_MAIN_PRIO + 1);
    ck_err(netconn_connect(c, &peer, TS_PEER_PORT), ERR_OK);
    wait_sem(&t_done, 1000);
    sys_sem_free(&t_done);
    TS_EXPECT(s, "ACK ack=30001");
    return c;
}

static void reset_later(void *arg)
{
    struct ts *s = arg;
    sys_msleep(100);
    API_PEER(s, "RST|ACK");
    sys_sem_signal(&t_done);
}

START_TEST(rst_is_err_rst_for_a_blocked_recv_and_netconn_err)
{
    struct ts *s = api_ts_setup(&S, "netconn RST");
    struct netconn *c = connect_to_peer(s);
    ck_err(netconn_err(c), ERR_OK);
    sys_sem_new(&t_done, 0);
    api_spawn("peer", reset_later, s, NG_MAIN_PRIO + 1);
    struct pbuf *p = NULL;
    u32_t t0 = sys_now();
    ck_err(netconn_recv_tcp_pbuf(c, &p), ERR_RST);
    ck_assert_uint_ge(api_since(t0), 100);
    ck_assert_uint_le(api_since(t0), 110);
    ck_assert_ptr_null(p);
    wait_sem(&t_done, 1000);
    ck_err(netconn_err(c), ERR_RST);
    err_t e = netconn_write(c, "x", 1, NETCONN_COPY);
    ck_assert_msg(e == ERR_RST || e == ERR_CLSD || e == ERR_CONN || e == ERR_ABRT,
                  "write after RST: %d", e);
    TS_EXPECT_NOTHING(s);
    ck_err(netconn_delete(c), ERR_OK);
    TS_EXPECT_NOTHING(s);
    sys_sem_free(&t_done);
    api_assert_clean();
}
END_TEST

START_TEST(zero_window_write_partly_takes_the_send_buffer_then_would_block)
{
    struct ts *s = api_ts_setup(&S, "netconn zero window");
    struct netconn *c = connect_to_peer(s);
    API_PEER(s, "ACK win=0");
    for (u32_t i = 0; i < BIG; i++)
        big[i] = ts_our_byte(i);
    size_t w = 0;
    ck_err(netconn_write_partly(c, big, BIG, NETCONN_COPY | NETCONN_DONTBLOCK, &w), ERR_OK);
    ck_assert_uint_gt(w, 0);
    ck_assert_uint_le(w, TCP_SND_BUF);
    u32_t total = (u32_t)w;
    err_t e;
    while ((e = netconn_write_partly(c, big + total, BIG - total, NETCONN_COPY | NETCONN_DONTBLOCK,
                                     &w)) == ERR_OK)
        total += (u32_t)w;
    ck_err(e, ERR_WOULDBLOCK);
    ck_assert_uint_le(total, TCP_SND_BUF);
    ck_assert_uint_eq(c->pcb.tcp->snd_buf, TCP_SND_BUF - total);
    TS_EXPECT_NOTHING(s);
    /* The window opens: all of it goes, in order (the harness checks the bytes). */
    API_PEER(s, "ACK win=8192");
    u32_t sent = 0;
    while (sent < total) {
        if (!ts_pending(s))
            API_PEER(s, "ACK win=8192");        /* cwnd: ACK what came, more follows */
        struct ts_seg g = ts_peek(s);
        ck_assert_uint_gt(g.len, 0);
        TS_EXPECT(s, "ACK seq=$ISS+1+%u len=%u", (unsigned)sent, (unsigned)g.len);
        sent += g.len;
    }
    API_PEER(s, "ACK win=8192");
    ck_err(netconn_delete(c), ERR_OK);
    TS_EXPECT(s, "FIN|ACK");
    API_PEER(s, "RST");
    api_assert_clean();
}
END_TEST

int main(void)
{
    Suite *su = suite_create(LWIP_TCPIP_CORE_LOCKING ? "netconn_corelock" : "netconn");
    TCase *tc = ng_tcase(su, "loopback");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, new_and_delete_each_type);
    tcase_add_test(tc, bind_to_a_port_in_use_is_err_use);
    tcase_add_test(tc, tcp_connect_accept_write_recv_and_addresses);
    tcase_add_test(tc, connect_to_a_closed_port_is_err_rst);
    tcase_add_test(tc, fin_is_err_clsd_and_the_other_direction_still_works);
    tcase_add_test(tc, recv_and_accept_time_out_with_err_timeout);
    tcase_add_test(tc, nonblocking_recv_accept_are_err_wouldblock);
    tcase_add_test(tc, blocking_write_of_more_than_the_send_buffer_writes_it_all);
    tcase_add_test(tc, nonblocking_write_partly_reports_bytes_written);
    tcase_add_test(tc, udp_sendto_and_recv_with_the_senders_address);
    tcase_add_test(tc, udp_large_datagram_arrives_whole);
    tcase_add_test(tc, udp_connect_send_and_disconnect);
    tcase_add_test(tc, callback_hears_rcvplus_and_rcvminus);
    tcase_add_test(tc, calls_for_the_other_kind_of_netconn_are_refused);
    tcase_add_test(tc, receive_of_the_other_kind_is_err_arg);
    tcase_add_test(tc, calls_that_cannot_work_get_lwips_errors);
    tcase_add_test(tc, delete_a_listener_with_connections_not_accepted);
    tcase_add_test(tc, delete_with_unread_data_frees_it);
    tcase_add_test(tc, tcp_more_segments_than_the_recvmbox_holds_all_arrive);
    tcase_add_test(tc, udp_recvmbox_full_drops_and_counts);
    tcase_add_test(tc, raw_icmp_netconn_sees_the_echo_and_its_reply);
    tcase_add_test(tc, gethostbyname_of_a_dotted_address_needs_no_dns);
    TCase *ts = ng_tcase(su, "scripted peer");
    tcase_add_test(ts, rst_is_err_rst_for_a_blocked_recv_and_netconn_err);
    tcase_add_test(ts, zero_window_write_partly_takes_the_send_buffer_then_would_block);
    return ng_test_run(su) ? 1 : 0;
}
