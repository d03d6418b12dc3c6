/*
 * tests/unit/test_api_review.c - regression tests for defects a review of
 * the netconn, netbuf and socket layers (api/ sources) found: each test failed
 * before its fix and says which call went wrong and why.
 *
 * Same fixtures as test_netconn.c / test_sockets.c (api_test.h): loopback
 * with real threads and virtual time, every pool and the heap back where
 * tcpip_init left them at the end. Run in both core-locking modes
 * (tools/run_tests.py CORELOCK_TESTS).
 */
#include <string.h>

#include "api_test.h"
#include "lwip/api.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/sockets.h"       /* last: its BSD-name macros (close, read, ...) */

#define SA(p) ((struct sockaddr *)(p))
#define SIN_LEN ((socklen_t)sizeof(struct sockaddr_in))

#define ck_ok(call) do { \
        errno = 0; \
        long r_ = (long)(call); \
        ck_assert_msg(r_ == 0, "%s: returned %ld, errno %d", #call, r_, errno); \
    } while (0)

static struct sockaddr_in sin_lo(u16_t port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_port = lwip_htons(port);
    a.sin_addr.s_addr = ipaddr_addr("127.0.0.1");
    return a;
}

static int new_socket(int type)
{
    errno = 0;
    int s = lwip_socket(AF_INET, type, 0);
    ck_assert_msg(s >= LWIP_SOCKET_OFFSET, "socket: %d (errno %d)", s, errno);
    return s;
}

/* A connected TCP pair on loopback: *c connected to port, *a accepted. */
static void tcp_pair(u16_t port, int *c, int *a)
{
    int l = new_socket(SOCK_STREAM);
    struct sockaddr_in to = sin_lo(port);
    ck_ok(lwip_bind(l, SA(&to), SIN_LEN));
    ck_ok(lwip_listen(l, 2));
    *c = new_socket(SOCK_STREAM);
    ck_ok(lwip_connect(*c, SA(&to), SIN_LEN));
    errno = 0;
    *a = lwip_accept(l, NULL, NULL);
    ck_assert_msg(*a >= 0, "accept: errno %d", errno);
    ck_ok(lwip_close(l));
}

static void wait_sem(sys_sem_t *sem, u32_t ms)
{
    ck_assert_msg(sys_arch_sem_wait(sem, ms) != SYS_ARCH_TIMEOUT, "a thread did not finish in %u ms",
                  (unsigned)ms);
}

static sys_sem_t t_done;
static int t_sock;
static ssize_t t_result;

/* ---- recv with MSG_WAITALL of more than the receive window ----------------------- */

/* Three windows' worth: the sender can only get it all out if the receiver
 * opens its window while it waits for the rest. */
#define WAITALL_BYTES (3u * TCP_WND + 100u)
static u8_t waitall_out[WAITALL_BYTES], waitall_in[WAITALL_BYTES];

static void send_all(void *arg)
{
    (void)arg;
    t_result = lwip_send(t_sock, waitall_out, WAITALL_BYTES, 0);
    sys_sem_signal(&t_done);
}

/* Defect: recv_tcp (api/sockets_io.c) told the stack the bytes it had
 * taken (netconn_tcp_recvd) only when the call returned, so a blocking
 * MSG_WAITALL recv of more than TCP_WND bytes closed the window and then
 * waited forever for bytes the peer could no longer send. */
START_TEST(msg_waitall_of_more_than_the_window_gets_every_byte)
{
    int c, s;
    tcp_pair(5701, &c, &s);
    api_fill(waitall_out, 0, WAITALL_BYTES);
    /* The bug shows as a partial count when the timeout ends the wait
     * (instead of hanging the test). */
    struct timeval tv = { 10, 0 };
    ck_ok(lwip_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    sys_sem_new(&t_done, 0);
    t_sock = c;
    api_spawn("sender", send_all, NULL, NG_MAIN_PRIO + 1);
    errno = 0;
    ssize_t n = lwip_recv(s, waitall_in, WAITALL_BYTES, MSG_WAITALL);
    ck_assert_msg(n == (ssize_t)WAITALL_BYTES, "recv MSG_WAITALL: %ld of %u bytes (errno %d)",
                  (long)n, (unsigned)WAITALL_BYTES, errno);
    ck_assert_int_eq(api_check(waitall_in, 0, WAITALL_BYTES), -1);
    wait_sem(&t_done, 20000);
    ck_assert_int_eq(t_result, (ssize_t)WAITALL_BYTES);
    sys_sem_free(&t_done);
    ck_ok(lwip_close(c));
    ck_ok(lwip_close(s));
    api_assert_clean();
}
END_TEST

/* ---- shutdown from another thread wakes a blocked recv ---------------------------- */

static void recv_one(void *arg)
{
    (void)arg;
    char b[8];
    t_result = lwip_recv(t_sock, b, sizeof b, 0);
    sys_sem_signal(&t_done);
}

/* Defect: shutdown(SHUT_RD or SHUT_RDWR) emptied and closed the recvmbox
 * but posted nothing to it, so a recv another thread was blocked in never
 * returned (POSIX: no more receives; Linux returns 0 to the blocked one).
 * close() from another thread already woke it (sk_close). */
START_TEST(shutdown_from_another_thread_wakes_a_blocked_recv)
{
    int c, s;
    tcp_pair(5702, &c, &s);
    sys_sem_new(&t_done, 0);
    t_sock = s;
    t_result = -2;
    api_spawn("reader", recv_one, NULL, NG_MAIN_PRIO + 1);
    sys_msleep(50);                 /* the reader is blocked in recv */
    ck_assert_int_eq(t_result, -2);
    ck_ok(lwip_shutdown(s, SHUT_RD));
    int woke = sys_arch_sem_wait(&t_done, 1000) != SYS_ARCH_TIMEOUT;
    if (!woke) {
        ck_ok(lwip_close(s));       /* close wakes it: the test can end */
        wait_sem(&t_done, 1000);
    }
    ck_assert_msg(woke, "recv still blocked 1 s after shutdown(SHUT_RD)");
    ck_assert_int_eq(t_result, 0);  /* end of file */
    sys_sem_free(&t_done);
    ck_ok(lwip_close(c));
    ck_ok(lwip_close(s));
    api_assert_clean();
}
END_TEST

int main(void)
{
    Suite *su = suite_create(LWIP_TCPIP_CORE_LOCKING ? "api_review_corelock" : "api_review");
    TCase *tc = ng_tcase(su, "loopback");
    tcase_add_checked_fixture(tc, api_setup, NULL);
    tcase_add_test(tc, msg_waitall_of_more_than_the_window_gets_every_byte);
    tcase_add_test(tc, shutdown_from_another_thread_wakes_a_blocked_recv);
    return ng_test_run(su) ? 1 : 0;
}
