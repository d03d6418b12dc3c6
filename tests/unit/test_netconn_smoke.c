/*
 * tests/unit/test_netconn_smoke.c - a smoke test of the netconn API
 * (api/api_lib.c, api/api_msg.c) over the loopback interface, on the host
 * with real threads and virtual time: both ends of every connection are
 * our stack (127.0.0.1), tcpip_thread runs the stack, the test thread (and
 * a client thread where a call must block on the other end) call netconn.
 *
 * Covers: TCP listen / accept / connect / write / recv / close with 64 KiB
 * checked byte by byte; UDP sendto / recv with the sender's address;
 * the peer's FIN -> ERR_CLSD, again on the next call, while our side can
 * still write (half-close); a recv timeout; a non-blocking accept ->
 * ERR_WOULDBLOCK and an accept timeout; deleting a connection with data
 * not read; argument checks. After every test every pool and the heap are
 * back where tcpip_init left them (after TIME_WAIT has run out).
 * tools/run_tests.py runs it again built with LWIP_TCPIP_CORE_LOCKING = 1.
 * The full semantics are tests/unit/test_netconn.c's.
 */
#include <string.h>

#include "lwip/api.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netbuf.h"
#include "lwip/tcpip.h"
#include "ng_test.h"

#define PORT 7000
#define BIG (64 * 1024)

static u16_t pools_after_init[MEMP_MAX];
static mem_size_t heap_after_init;
static ip_addr_t lo;

static void setup(void)
{
    ng_host_boot();
    tcpip_init(NULL, NULL);
    for (int t = 0; t < MEMP_MAX; t++)
        pools_after_init[t] = memp_in_use((memp_t)t);
    heap_after_init = mem_used();
    IP4_ADDR(&lo, 127, 0, 0, 1);
}

static int pools_back(void)
{
    for (int t = 0; t < MEMP_MAX; t++)
        if (memp_in_use((memp_t)t) != pools_after_init[t])
            return 0;
    return mem_used() == heap_after_init;
}

/* Wait (virtual time) for TIME_WAIT and the like to end, then check. */
static void assert_pools_back(void)
{
    for (int i = 0; i < 300 && !pools_back(); i++)
        sys_msleep(1000);
    for (int t = 0; t < MEMP_MAX; t++)
        ck_assert_msg(memp_in_use((memp_t)t) == pools_after_init[t],
                      "pool %s: %u in use, %u after tcpip_init", memp_pools[t]->desc,
                      (unsigned)memp_in_use((memp_t)t), (unsigned)pools_after_init[t]);
    ck_assert_uint_eq(mem_used(), heap_after_init);
}

static u8_t pattern(u32_t off) { return (u8_t)(off * 13u + (off >> 9) + 1u); }

/* A connected pair: listener on 127.0.0.1:PORT, a non-blocking connect
 * (finished by the time accept returns: the handshake is all in
 * tcpip_thread), then both blocking. */
static void tcp_pair(struct netconn **listener, struct netconn **client,
                     struct netconn **server)
{
    *listener = netconn_new(NETCONN_TCP);
    ck_assert_ptr_nonnull(*listener);
    ck_assert_int_eq(netconn_bind(*listener, &lo, PORT), ERR_OK);
    ck_assert_int_eq(netconn_listen(*listener), ERR_OK);
    *client = netconn_new(NETCONN_TCP);
    ck_assert_ptr_nonnull(*client);
    netconn_set_nonblocking(*client, 1);
    ck_assert_int_eq(netconn_connect(*client, &lo, PORT), ERR_INPROGRESS);
    ck_assert_int_eq(netconn_accept(*listener, server), ERR_OK);
    ck_assert_ptr_nonnull(*server);
    netconn_set_nonblocking(*client, 0);
}

/* ---- TCP: 64 KiB through, a blocking connect from another thread ----------------- */

static sys_sem_t client_done;
static err_t client_err[4];

static void big_client(void *arg)
{
    (void)arg;
    static u8_t data[BIG];
    for (u32_t i = 0; i < BIG; i++)
        data[i] = pattern(i);
    struct netconn *c = netconn_new(NETCONN_TCP);
    client_err[0] = netconn_connect(c, &lo, PORT);
    size_t written = 0;
    /* More than the send buffer: blocks until all of it is queued. */
    client_err[1] = netconn_write_partly(c, data, BIG, NETCONN_COPY, &written);
    client_err[2] = written == BIG ? ERR_OK : ERR_VAL;
    client_err[3] = netconn_close(c);
    netconn_delete(c);
    sys_sem_signal(&client_done);
}

START_TEST(tcp_64k_through_loopback)
{
    struct netconn *l = netconn_new(NETCONN_TCP);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(netconn_bind(l, &lo, PORT), ERR_OK);
    ck_assert_int_eq(netconn_listen(l), ERR_OK);
    sys_sem_new(&client_done, 0);
    ng_test_spawn("client", big_client, NULL, NG_MAIN_PRIO);

    struct netconn *s = NULL;
    ck_assert_int_eq(netconn_accept(l, &s), ERR_OK);
    ip_addr_t peer;
    u16_t peer_port = 0;
    ck_assert_int_eq(netconn_peer(s, &peer, &peer_port), ERR_OK);
    ck_assert(ip_addr_cmp(&peer, &lo));
    ck_assert_uint_ne(peer_port, 0);

    u32_t got = 0;
    int bad = 0;
    struct netbuf *nb;
    err_t err;
    while ((err = netconn_recv(s, &nb)) == ERR_OK) {
        void *data;
        u16_t len;
        do {
            netbuf_data(nb, &data, &len);
            for (u16_t i = 0; i < len; i++)
                bad += ((u8_t *)data)[i] != pattern(got + i);
            got += len;
        } while (netbuf_next(nb) >= 0);
        netbuf_delete(nb);
    }
    ck_assert_int_eq(err, ERR_CLSD);
    ck_assert_uint_eq(got, BIG);
    ck_assert_int_eq(bad, 0);
    sys_arch_sem_wait(&client_done, 0);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(client_err[i] == ERR_OK, "client step %d: %d", i, client_err[i]);
    ck_assert_int_eq(netconn_close(s), ERR_OK);
    ck_assert_int_eq(netconn_delete(s), ERR_OK);
    ck_assert_int_eq(netconn_delete(l), ERR_OK);
    sys_sem_free(&client_done);
    assert_pools_back();
}
END_TEST

/* ---- UDP --------------------------------------------------------------------------- */

START_TEST(udp_sendto_recv_over_loopback)
{
    struct netconn *a = netconn_new(NETCONN_UDP);
    struct netconn *b = netconn_new(NETCONN_UDP);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(netconn_bind(a, &lo, 5001), ERR_OK);
    ck_assert_int_eq(netconn_bind(b, &lo, 5002), ERR_OK);
    for (int i = 0; i < 3; i++) {
        struct netbuf *out = netbuf_new();
        ck_assert_ptr_nonnull(out);
        char *p = netbuf_alloc(out, (u16_t)(100 + i));
        ck_assert_ptr_nonnull(p);
        memset(p, 'a' + i, (size_t)(100 + i));
        ck_assert_int_eq(netconn_sendto(a, out, &lo, 5002), ERR_OK);
        netbuf_delete(out);
    }
    for (int i = 0; i < 3; i++) {
        struct netbuf *in = NULL;
        ck_assert_int_eq(netconn_recv(b, &in), ERR_OK);
        ck_assert_uint_eq(netbuf_len(in), 100 + i);
        ck_assert(ip_addr_cmp(netbuf_fromaddr(in), &lo));
        ck_assert_uint_eq(netbuf_fromport(in), 5001);
        char buf[128];
        ck_assert_uint_eq(netbuf_copy(in, buf, sizeof buf), 100 + i);
        for (int k = 0; k < 100 + i; k++)
            ck_assert_int_eq(buf[k], 'a' + i);
        netbuf_delete(in);
    }
    ck_assert_int_eq(b->recv_avail, 0);
    /* Nothing more: a non-blocking receive says so. */
    netconn_set_nonblocking(b, 1);
    struct netbuf *none = NULL;
    ck_assert_int_eq(netconn_recv(b, &none), ERR_WOULDBLOCK);
    ck_assert_ptr_null(none);
    ck_assert_int_eq(netconn_delete(a), ERR_OK);
    ck_assert_int_eq(netconn_delete(b), ERR_OK);
    assert_pools_back();
}
END_TEST

/* ---- FIN, timeouts, non-blocking accept --------------------------------------------- */

START_TEST(fin_is_err_clsd_and_stays_so_while_we_can_still_write)
{
    struct netconn *l, *c, *s;
    tcp_pair(&l, &c, &s);
    ck_assert_int_eq(netconn_write(c, "hi", 2, NETCONN_COPY), ERR_OK);
    ck_assert_int_eq(netconn_shutdown(c, 0, 1), ERR_OK);    /* FIN */
    struct pbuf *p = NULL;
    ck_assert_int_eq(netconn_recv_tcp_pbuf(s, &p), ERR_OK);
    ck_assert_uint_eq(p->tot_len, 2);
    pbuf_free(p);
    ck_assert_int_eq(netconn_recv_tcp_pbuf(s, &p), ERR_CLSD);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(netconn_recv_tcp_pbuf(s, &p), ERR_CLSD);  /* sticky, no wait */
    ck_assert_int_eq(netconn_err(s), ERR_OK);   /* half-closed is not an error */
    /* The other half is open: the answer goes back. */
    ck_assert_int_eq(netconn_write(s, "bye", 3, NETCONN_COPY), ERR_OK);
    ck_assert_int_eq(netconn_recv_tcp_pbuf(c, &p), ERR_OK);
    ck_assert_uint_eq(p->tot_len, 3);
    ck_assert_int_eq(memcmp(p->payload, "bye", 3), 0);
    pbuf_free(p);
    ck_assert_int_eq(netconn_close(s), ERR_OK);
    ck_assert_int_eq(netconn_recv_tcp_pbuf(c, &p), ERR_CLSD);
    ck_assert_int_eq(netconn_delete(s), ERR_OK);
    ck_assert_int_eq(netconn_delete(c), ERR_OK);
    ck_assert_int_eq(netconn_delete(l), ERR_OK);
    assert_pools_back();
}
END_TEST

START_TEST(recv_and_accept_time_out_and_nonblocking_accept_would_block)
{
    struct netconn *l, *c, *s;
    tcp_pair(&l, &c, &s);
    netconn_set_recvtimeout(s, 100);
    struct netbuf *nb = NULL;
    u32_t t0 = sys_now();
    ck_assert_int_eq(netconn_recv(s, &nb), ERR_TIMEOUT);
    ck_assert_uint_ge(sys_now() - t0, 100);
    ck_assert_ptr_null(nb);
    /* A timeout is not fatal: data still comes through afterwards. */
    ck_assert_int_eq(netconn_write(c, "x", 1, NETCONN_COPY), ERR_OK);
    ck_assert_int_eq(netconn_recv(s, &nb), ERR_OK);
    ck_assert_uint_eq(netbuf_len(nb), 1);
    netbuf_delete(nb);

    struct netconn *n = (struct netconn *)&n;
    netconn_set_nonblocking(l, 1);
    ck_assert_int_eq(netconn_accept(l, &n), ERR_WOULDBLOCK);
    ck_assert_ptr_null(n);
    netconn_set_nonblocking(l, 0);
    netconn_set_recvtimeout(l, 50);
    t0 = sys_now();
    ck_assert_int_eq(netconn_accept(l, &n), ERR_TIMEOUT);
    ck_assert_uint_ge(sys_now() - t0, 50);
    /* A closed listener reports ERR_CLSD. */
    ck_assert_int_eq(netconn_close(l), ERR_OK);
    ck_assert_int_eq(netconn_accept(l, &n), ERR_CLSD);
    ck_assert_int_eq(netconn_delete(c), ERR_OK);
    ck_assert_int_eq(netconn_delete(s), ERR_OK);
    ck_assert_int_eq(netconn_delete(l), ERR_OK);
    assert_pools_back();
}
END_TEST

/* ---- deleting with data not read ---------------------------------------------------- */

START_TEST(delete_with_unread_data_frees_everything)
{
    struct netconn *l, *c, *s;
    tcp_pair(&l, &c, &s);
    static u8_t data[3000];
    memset(data, 0x5a, sizeof data);
    ck_assert_int_eq(netconn_write(c, data, sizeof data, NETCONN_COPY), ERR_OK);
    sys_msleep(50);                             /* it is in s's recvmbox now */
    ck_assert_uint_gt(memp_in_use(MEMP_PBUF_POOL) + mem_used(),
                      pools_after_init[MEMP_PBUF_POOL] + heap_after_init);
    ck_assert_int_eq(netconn_delete(s), ERR_OK);
    /* The peer learns: a reset (data was lost) or at least the close. */
    struct pbuf *p = NULL;
    err_t err = netconn_recv_tcp_pbuf(c, &p);
    ck_assert_msg(err == ERR_RST || err == ERR_CLSD, "recv after the peer's delete: %d", err);
    ck_assert_int_eq(netconn_delete(c), ERR_OK);
    ck_assert_int_eq(netconn_delete(l), ERR_OK);
    assert_pools_back();
}
END_TEST

/* ---- arguments -------------------------------------------------------------------- */

START_TEST(bad_arguments_are_refused_not_crashed_on)
{
    struct netbuf *nb = NULL;
    struct pbuf *p = NULL;
    struct netconn *n = NULL;
    ip_addr_t a;
    u16_t port;
    ck_assert_int_eq(netconn_bind(NULL, &lo, 1), ERR_ARG);
    ck_assert_int_eq(netconn_connect(NULL, &lo, 1), ERR_ARG);
    ck_assert_int_eq(netconn_listen(NULL), ERR_ARG);
    ck_assert_int_eq(netconn_accept(NULL, &n), ERR_ARG);
    ck_assert_int_eq(netconn_recv(NULL, &nb), ERR_ARG);
    ck_assert_int_eq(netconn_write(NULL, "x", 1, NETCONN_COPY), ERR_ARG);
    ck_assert_int_eq(netconn_send(NULL, NULL), ERR_ARG);
    ck_assert_int_eq(netconn_close(NULL), ERR_ARG);
    ck_assert_int_eq(netconn_getaddr(NULL, &a, &port, 1), ERR_ARG);
    ck_assert_int_eq(netconn_gethostbyname(NULL, &a), ERR_ARG);
    ck_assert_int_eq(netconn_delete(NULL), ERR_OK);
    ck_assert_ptr_null(netconn_new(NETCONN_INVALID));
    ck_assert_ptr_null(netconn_new(NETCONN_UDPLITE));

    struct netconn *u = netconn_new(NETCONN_UDP);
    struct netconn *t = netconn_new(NETCONN_TCP);
    ck_assert_int_eq(netconn_write(u, "x", 1, NETCONN_COPY), ERR_VAL);
    ck_assert_int_eq(netconn_accept(u, &n), ERR_VAL);
    ck_assert_int_eq(netconn_recv_tcp_pbuf(u, &p), ERR_ARG);   /* lwIP documents ERR_ARG here */
    ck_assert_int_eq(netconn_recv_udp_raw_netbuf(t, &nb), ERR_ARG);
    ck_assert_int_eq(netconn_getaddr(u, NULL, &port, 1), ERR_ARG);
    struct netbuf *out = netbuf_new();
    netbuf_alloc(out, 4);
    ck_assert_int_eq(netconn_send(t, out), ERR_VAL);
    netbuf_delete(out);
    /* A non-blocking write must be able to say how much it wrote. */
    ck_assert_int_eq(netconn_write(t, "x", 1, NETCONN_DONTBLOCK), ERR_VAL);
    ck_assert_int_eq(netconn_delete(u), ERR_OK);
    ck_assert_int_eq(netconn_delete(t), ERR_OK);
    assert_pools_back();
}
END_TEST

int main(void)
{
    Suite *s = suite_create(LWIP_TCPIP_CORE_LOCKING ? "netconn_smoke_corelock" : "netconn_smoke");
    TCase *tc = ng_tcase(s, "netconn_smoke");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, tcp_64k_through_loopback);
    tcase_add_test(tc, udp_sendto_recv_over_loopback);
    tcase_add_test(tc, fin_is_err_clsd_and_stays_so_while_we_can_still_write);
    tcase_add_test(tc, recv_and_accept_time_out_and_nonblocking_accept_would_block);
    tcase_add_test(tc, delete_with_unread_data_frees_everything);
    tcase_add_test(tc, bad_arguments_are_refused_not_crashed_on);
    return ng_test_run(s) ? 1 : 0;
}
