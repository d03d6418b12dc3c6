/*
 * tests/unit/test_sockets_smoke.c - a smoke test of the socket layer
 * (api/sockets*.c) over loopback: both ends are our stack (127.0.0.1),
 * tcpip_thread runs it, real threads call the sockets, time is virtual.
 *
 * Covers: a TCP echo between two threads (socket, bind, listen, accept
 * with the peer's address, connect, non-blocking send and recv with select
 * for either, checked byte by byte over 20 KiB, shutdown, recv's 0 at the FIN, close); small reads that consume
 * one segment piece by piece (lastdata), MSG_PEEK, FIONREAD; select over
 * a listener and two UDP sockets, woken from another thread, and its
 * timeout; UDP sendto / recvfrom with the sender's address, a connected
 * UDP socket, recvmsg's MSG_TRUNC; close waking a thread blocked in recv;
 * errno kept per thread across a context switch. After every test all
 * pools and the heap are back where tcpip_init left them (api_assert_clean,
 * which lets TIME_WAIT run out). The full semantics are test_sockets.c's.
 */
#include <string.h>

#include "api_test.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/sockets.h"       /* last: its BSD-name macros */

#define SA(p) ((struct sockaddr *)(p))
#define BIG (20 * 1024)
#define IN_FLIGHT 3000

static struct sockaddr_in lo(u16_t port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_port = lwip_htons(port);
    a.sin_addr.s_addr = lwip_htonl(INADDR_LOOPBACK);
    return a;
}

static int listener(u16_t port)
{
    int l = lwip_socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(l, 0);
    struct sockaddr_in a = lo(port);
    ck_assert_int_eq(lwip_bind(l, SA(&a), sizeof a), 0);
    ck_assert_int_eq(lwip_listen(l, 2), 0);
    return l;
}

static int connected(u16_t port)
{
    int c = lwip_socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(c, 0);
    struct sockaddr_in a = lo(port);
    ck_assert_int_eq(lwip_connect(c, SA(&a), sizeof a), 0);
    return c;
}

/* ---- TCP echo ------------------------------------------------------------------------ */

static struct {
    int l;
    int accepted;
    struct sockaddr_in peer;
    socklen_t peerlen;
    long echoed;
    long last_recv;     /* what recv returned after the client's FIN */
    sys_sem_t done;
} echo;

static void echo_server(void *arg)
{
    (void)arg;
    echo.peerlen = sizeof echo.peer;
    int a = lwip_accept(echo.l, SA(&echo.peer), &echo.peerlen);
    echo.accepted = a;
    static u8_t buf[700];
    for (;;) {
        ssize_t n = lwip_recv(a, buf, sizeof buf, 0);
        echo.last_recv = (long)n;
        if (n <= 0)
            break;
        ssize_t off = 0;
        while (off < n) {
            ssize_t w = lwip_send(a, buf + off, (size_t)(n - off), 0);
            if (w <= 0)
                break;
            off += w;
        }
        echo.echoed += (long)n;
    }
    lwip_close(a);
    sys_sem_signal(&echo.done);
}

START_TEST(tcp_echo_between_threads)
{
    memset(&echo, 0, sizeof echo);
    ck_assert_int_eq(sys_sem_new(&echo.done, 0), ERR_OK);
    echo.l = listener(6000);
    api_spawn("echo", echo_server, NULL, NG_MAIN_PRIO);
    int c = connected(6000);
    static u8_t out[BIG], in[BIG];
    api_fill(out, 0, BIG);
    /* Never block in send or recv: both ends blocked in send, each
     * waiting for the other to read, would be the classic echo deadlock.
     * When neither moves, select for either. At most IN_FLIGHT bytes on
     * their way: loopback clones every segment from the heap, and with
     * both directions' buffers full the clones (and so the ACKs) fail. */
    u32_t sent = 0, got = 0;
    while (got < BIG) {
        int moved = 0;
        int may_send = sent < BIG && sent - got < IN_FLIGHT;
        if (may_send) {
            size_t chunk = BIG - sent < 1000 ? BIG - sent : 1000;
            ssize_t w = lwip_send(c, out + sent, chunk, MSG_DONTWAIT);
            if (w > 0) {
                sent += (u32_t)w;
                moved = 1;
            } else {
                ck_assert_int_eq(w, -1);
                ck_assert_int_eq(errno, EWOULDBLOCK);
            }
        }
        ssize_t n = lwip_recv(c, in + got, BIG - got, MSG_DONTWAIT);
        if (n > 0) {
            got += (u32_t)n;
            moved = 1;
        } else {
            ck_assert_int_eq(n, -1);
            ck_assert_int_eq(errno, EWOULDBLOCK);
        }
        if (!moved) {
            fd_set r, w;
            FD_ZERO(&r);
            FD_ZERO(&w);
            FD_SET(c, &r);
            FD_SET(c, &w);
            struct timeval tv = { 5, 0 };
            int k = lwip_select(c + 1, &r, may_send ? &w : NULL, NULL, &tv);
            ck_assert_int_ge(k, 1);
        }
    }
    ck_assert_int_eq(api_check(in, 0, BIG), -1);
    ck_assert_int_eq(lwip_shutdown(c, SHUT_WR), 0);
    ck_assert_int_eq(sys_arch_sem_wait(&echo.done, 10000) != SYS_ARCH_TIMEOUT, 1);
    ck_assert_int_eq(echo.echoed, BIG);
    ck_assert_int_eq(echo.last_recv, 0);            /* the FIN */
    ck_assert_int_eq(echo.peer.sin_family, AF_INET);
    ck_assert_uint_eq(echo.peer.sin_addr.s_addr, lwip_htonl(INADDR_LOOPBACK));
    ck_assert_uint_eq(echo.peerlen, sizeof(struct sockaddr_in));
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    ck_assert_int_eq(lwip_getsockname(c, SA(&me), &len), 0);
    ck_assert_uint_eq(me.sin_port, echo.peer.sin_port);
    char b;
    ck_assert_int_eq(lwip_recv(c, &b, 1, 0), 0);    /* the server closed */
    ck_assert_int_eq(lwip_close(c), 0);
    ck_assert_int_eq(lwip_close(echo.l), 0);
    errno = 0;
    ck_assert_int_eq(lwip_close(c), -1);            /* gone */
    ck_assert_int_eq(errno, EBADF);
    sys_sem_free(&echo.done);
    api_assert_clean();
}
END_TEST

/* ---- partial reads, MSG_PEEK, FIONREAD ------------------------------------------------ */

START_TEST(small_reads_take_one_segment_piece_by_piece)
{
    int l = listener(6001);
    int c = connected(6001);
    int a = lwip_accept(l, NULL, NULL);
    ck_assert_int_ge(a, 0);
    static u8_t out[100];
    api_fill(out, 0, sizeof out);
    ck_assert_int_eq(lwip_send(c, out, sizeof out, 0), 100);
    sys_msleep(10);
    int avail = -1;
    ck_assert_int_eq(lwip_ioctl(a, FIONREAD, &avail), 0);
    ck_assert_int_eq(avail, 100);
    u8_t in[100];
    ck_assert_int_eq(lwip_recv(a, in, 4, MSG_PEEK), 4);
    ck_assert_int_eq(api_check(in, 0, 4), -1);
    for (u32_t off = 0; off < 100; off += 10) {
        ck_assert_int_eq(lwip_recv(a, in, 10, 0), 10);
        ck_assert_int_eq(api_check(in, off, 10), -1);
        ck_assert_int_eq(lwip_ioctl(a, FIONREAD, &avail), 0);
        ck_assert_int_eq(avail, (int)(90 - off));
    }
    errno = 0;
    ck_assert_int_eq(lwip_recv(a, in, 10, MSG_DONTWAIT), -1);
    ck_assert_int_eq(errno, EWOULDBLOCK);
    ck_assert_ptr_null(sockets[a - LWIP_SOCKET_OFFSET].lastdata.pbuf);
    ck_assert_int_eq(lwip_close(c), 0);
    ck_assert_int_eq(lwip_recv(a, in, 10, 0), 0);
    ck_assert_int_eq(lwip_close(a), 0);
    ck_assert_int_eq(lwip_close(l), 0);
    api_assert_clean();
}
END_TEST

/* ---- select ----------------------------------------------------------------------------- */

static struct {
    int to;             /* UDP socket to send from */
    u16_t port;         /* where */
    u32_t delay;        /* ms before */
} later;

static void send_later(void *arg)
{
    (void)arg;
    sys_msleep(later.delay);
    struct sockaddr_in a = lo(later.port);
    lwip_sendto(later.to, "wake", 4, 0, SA(&a), sizeof a);
}

static int udp_on(u16_t port)
{
    int u = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(u, 0);
    struct sockaddr_in a = lo(port);
    ck_assert_int_eq(lwip_bind(u, SA(&a), sizeof a), 0);
    return u;
}

START_TEST(select_over_a_listener_and_two_udp_sockets)
{
    int l = listener(6002);
    int u1 = udp_on(6003), u2 = udp_on(6004);
    int maxfd = (l > u1 ? l : u1) > u2 ? (l > u1 ? l : u1) : u2;
    fd_set r;
    /* Nothing to read: the timeout runs out (virtual time). */
    FD_ZERO(&r);
    FD_SET(l, &r);
    FD_SET(u1, &r);
    FD_SET(u2, &r);
    struct timeval tv = { 0, 200000 };
    u32_t t0 = sys_now();
    ck_assert_int_eq(lwip_select(maxfd + 1, &r, NULL, NULL, &tv), 0);
    ck_assert_uint_ge(api_since(t0), 200);
    ck_assert(!FD_ISSET(l, &r) && !FD_ISSET(u1, &r) && !FD_ISSET(u2, &r));
    /* A datagram for u2 from another thread wakes a select with no timeout. */
    later.to = u1;
    later.port = 6004;
    later.delay = 50;
    api_spawn("later", send_later, NULL, NG_MAIN_PRIO);
    FD_ZERO(&r);
    FD_SET(l, &r);
    FD_SET(u1, &r);
    FD_SET(u2, &r);
    t0 = sys_now();
    ck_assert_int_eq(lwip_select(maxfd + 1, &r, NULL, NULL, NULL), 1);
    ck_assert_uint_ge(api_since(t0), 50);
    ck_assert(FD_ISSET(u2, &r) && !FD_ISSET(u1, &r) && !FD_ISSET(l, &r));
    char buf[8];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ck_assert_int_eq(lwip_recvfrom(u2, buf, sizeof buf, 0, SA(&from), &fl), 4);
    ck_assert_uint_eq(lwip_ntohs(from.sin_port), 6003);
    /* A connection makes the listener readable; both UDP sockets writable. */
    int c = connected(6002);
    fd_set w;
    FD_ZERO(&r);
    FD_SET(l, &r);
    FD_SET(u1, &r);
    FD_ZERO(&w);
    FD_SET(u1, &w);
    FD_SET(u2, &w);
    struct timeval zero = { 0, 0 };
    ck_assert_int_eq(lwip_select(maxfd + 1, &r, &w, NULL, &zero), 3);
    ck_assert(FD_ISSET(l, &r) && !FD_ISSET(u1, &r) && FD_ISSET(u1, &w) && FD_ISSET(u2, &w));
    int a = lwip_accept(l, NULL, NULL);
    ck_assert_int_ge(a, 0);
    /* A closed descriptor in a set: EBADF. */
    ck_assert_int_eq(lwip_close(u1), 0);
    FD_ZERO(&r);
    FD_SET(u1, &r);
    errno = 0;
    ck_assert_int_eq(lwip_select(maxfd + 1, &r, NULL, NULL, &zero), -1);
    ck_assert_int_eq(errno, EBADF);
    ck_assert_ptr_null(select_cb_list);
    for (int i = 0; i < NUM_SOCKETS; i++)
        ck_assert_uint_eq(sockets[i].select_waiting, 0);
    ck_assert_int_eq(lwip_close(a), 0);
    ck_assert_int_eq(lwip_close(c), 0);
    ck_assert_int_eq(lwip_close(u2), 0);
    ck_assert_int_eq(lwip_close(l), 0);
    api_assert_clean();
}
END_TEST

/* ---- UDP ------------------------------------------------------------------------------- */

START_TEST(udp_sendto_recvfrom_and_connected)
{
    int a = udp_on(6005), b = udp_on(6006);
    struct sockaddr_in to = lo(6006), from;
    socklen_t fl = sizeof from;
    ck_assert_int_eq(lwip_sendto(a, "hello, b", 8, 0, SA(&to), sizeof to), 8);
    char buf[16];
    ck_assert_int_eq(lwip_recvfrom(b, buf, 5, MSG_PEEK, NULL, NULL), 5);
    ck_assert_int_eq(lwip_recvfrom(b, buf, sizeof buf, 0, SA(&from), &fl), 8);
    ck_assert(memcmp(buf, "hello, b", 8) == 0);
    ck_assert_uint_eq(fl, sizeof(struct sockaddr_in));
    ck_assert_uint_eq(lwip_ntohs(from.sin_port), 6005);
    ck_assert_uint_eq(from.sin_addr.s_addr, lwip_htonl(INADDR_LOOPBACK));
    /* Unconnected send without an address: EDESTADDRREQ; then connect. */
    errno = 0;
    ck_assert_int_eq(lwip_send(a, "x", 1, 0), -1);
    ck_assert_int_eq(errno, EDESTADDRREQ);
    ck_assert_int_eq(lwip_connect(a, SA(&to), sizeof to), 0);
    ck_assert_int_eq(lwip_send(a, "0123456789", 10, 0), 10);
    /* A short buffer: the rest of the datagram is dropped, MSG_TRUNC says so. */
    struct iovec v[2] = { { buf, 3 }, { buf + 3, 3 } };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = v;
    m.msg_iovlen = 2;
    ck_assert_int_eq(lwip_recvmsg(b, &m, 0), 6);
    ck_assert(memcmp(buf, "012345", 6) == 0);
    ck_assert(m.msg_flags & MSG_TRUNC);
    errno = 0;
    ck_assert_int_eq(lwip_recv(b, buf, sizeof buf, MSG_DONTWAIT), -1);
    ck_assert_int_eq(errno, EWOULDBLOCK);
    /* Too big for one UDP datagram. */
    static u8_t huge[65508];
    errno = 0;
    ck_assert_int_eq(lwip_send(a, huge, sizeof huge, 0), -1);
    ck_assert_int_eq(errno, EMSGSIZE);
    ck_assert_int_eq(lwip_close(a), 0);
    ck_assert_int_eq(lwip_close(b), 0);
    api_assert_clean();
}
END_TEST

/* ---- close while another thread is blocked in recv -------------------------------------- */

static struct {
    int s;
    long ret;
    int err;
    sys_sem_t done;
} blocked;

static void blocked_recv(void *arg)
{
    (void)arg;
    char b[4];
    errno = 0;
    blocked.ret = (long)lwip_recv(blocked.s, b, sizeof b, 0);
    blocked.err = errno;
    sys_sem_signal(&blocked.done);
}

START_TEST(close_wakes_a_blocked_recv)
{
    int u = udp_on(6007);
    blocked.s = u;
    blocked.ret = 99;
    ck_assert_int_eq(sys_sem_new(&blocked.done, 0), ERR_OK);
    api_spawn("blocked", blocked_recv, NULL, NG_MAIN_PRIO + 1);
    sys_msleep(20);
    ck_assert_int_eq(blocked.ret, 99);              /* still waiting */
    ck_assert_int_eq(lwip_close(u), 0);
    ck_assert(sys_arch_sem_wait(&blocked.done, 1000) != SYS_ARCH_TIMEOUT);
    ck_assert_int_eq(blocked.ret, -1);
    ck_assert_int_ne(blocked.err, 0);
    errno = 0;
    ck_assert_int_eq(lwip_recv(u, NULL, 0, 0), -1); /* the descriptor is gone */
    ck_assert_int_eq(errno, EBADF);
    sys_sem_free(&blocked.done);
    api_assert_clean();
}
END_TEST

/* ---- errno per thread --------------------------------------------------------------------- */

static int other_errno;

static void fail_then_look(void *arg)
{
    (void)arg;
    lwip_close(NUM_SOCKETS + LWIP_SOCKET_OFFSET + 3);  /* EBADF */
    sys_msleep(20);                                 /* main fails meanwhile */
    other_errno = errno;
}

START_TEST(errno_is_per_thread)
{
    api_spawn("other", fail_then_look, NULL, NG_MAIN_PRIO + 1);   /* runs first */
    ck_assert_int_eq(lwip_socket(AF_INET, 99, 0), -1);             /* EPROTOTYPE */
    sys_msleep(50);
    ck_assert_int_eq(errno, EPROTOTYPE);
    ck_assert_int_eq(other_errno, EBADF);
    api_assert_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sockets_smoke");
    TCase *tc = ng_tcase(s, "loopback");
    tcase_add_checked_fixture(tc, api_setup, NULL);
    tcase_add_test(tc, tcp_echo_between_threads);
    tcase_add_test(tc, small_reads_take_one_segment_piece_by_piece);
    tcase_add_test(tc, select_over_a_listener_and_two_udp_sockets);
    tcase_add_test(tc, udp_sendto_recvfrom_and_connected);
    tcase_add_test(tc, close_wakes_a_blocked_recv);
    tcase_add_test(tc, errno_is_per_thread);
    return ng_test_run(s) != 0;
}
