/*
 * apps/net_demo/iperf_server.c - a TCP server that the host's iperf 2
 * client can measure (`iperf -c ADDRESS [-p 5001] [-t SECONDS]`): it
 * accepts on port 5001, reads and throws away everything the client sends
 * as fast as it can, and prints bytes, time and rate per connection.
 *
 * It uses the netconn API without copying: netconn_recv_tcp_pbuf hands
 * over the pbufs the driver filled, and they are freed at once (the
 * receive window is reopened by the receive call itself, in tcpip_thread).
 *
 * iperf 2's exchange: a TCP test is one connection on which the client
 * writes for its test time (or amount) and then closes; the client's
 * report is its own, so nothing has to come back. Its first bytes are the
 * test's "client header" (iperf 2's include/payloads.h): flags (32 bits,
 * big-endian), the number of threads, the port, the buffer length, the
 * bandwidth, and the amount (negative: a time in hundredths of a second),
 * then, when the flags say so (HEADER_EXTEND), an extension. The server
 * only has to answer when the header asks for it: a dual or tradeoff test
 * (-d, -r: the server connects back) or peer version detection (-X: the
 * client waits for the server's header). Those are not served: the header
 * is read, what it asks for is printed, and the test goes on one way.
 */
#include <stdio.h>

#include "net_demo.h"
#include "lwip/api.h"
#include "lwip/pbuf.h"

#define IPERF_HDR_LEN 24                /* flags, threads, port, buflen, winband, amount */
#define IPERF_HEADER_VERSION1 0x80000000u   /* a dual or tradeoff test (-d, -r) */
#define IPERF_HEADER_EXTEND 0x40000000u     /* an extension follows the header */
#define IPERF_HEADER_V2PEERDETECT 0x02000000u   /* -X: wants our version back */

static u32_t be32(const u8_t *b)
{
    return (u32_t)b[0] << 24 | (u32_t)b[1] << 16 | (u32_t)b[2] << 8 | b[3];
}

static void iperf_header(const u8_t *h)
{
    u32_t flags = be32(h);
    s32_t amount = (s32_t)be32(h + 20);
    if (amount < 0)
        printf("net_demo: iperf: client header: flags 0x%08lx, %ld threads, a test of %ld.%02ld s\n",
               (unsigned long)flags, (long)(s32_t)be32(h + 4), (long)(-amount / 100),
               (long)(-amount % 100));
    else
        printf("net_demo: iperf: client header: flags 0x%08lx, %ld threads, a test of %ld bytes\n",
               (unsigned long)flags, (long)(s32_t)be32(h + 4), (long)amount);
    if (flags & IPERF_HEADER_VERSION1)
        printf("net_demo: iperf: a dual/tradeoff test (-d/-r) was asked for: served one way only\n");
    if (flags & IPERF_HEADER_V2PEERDETECT)
        printf("net_demo: iperf: peer version detection (-X) was asked for: not answered\n");
}

static void iperf_serve(struct netconn *conn)
{
    u8_t hdr[IPERF_HDR_LEN];
    u16_t have = 0;
    u32_t bytes = 0, start = sys_now();
    struct pbuf *p;
    err_t err;
    while ((err = netconn_recv_tcp_pbuf(conn, &p)) == ERR_OK) {
        if (have < IPERF_HDR_LEN) {
            have = (u16_t)(have + pbuf_copy_partial(p, hdr + have, IPERF_HDR_LEN - have, 0));
            if (have == IPERF_HDR_LEN)
                iperf_header(hdr);
        }
        bytes += p->tot_len;
        pbuf_free(p);
    }
    u32_t ms = sys_now() - start;
    ip_addr_t peer;
    u16_t port = 0;
    char a[IP4ADDR_STRLEN_MAX] = "?";
    if (netconn_peer(conn, &peer, &port) == ERR_OK)
        ipaddr_ntoa_r(&peer, a, sizeof a);
    /* kbit/s = bytes * 8 / ms; in 64 bits, 4 GiB * 8 would not fit 32 */
    u32_t kbps = ms ? (u32_t)((uint64_t)bytes * 8u / ms) : 0;
    NET_DEMO_ADD(iperf_bytes, bytes);
    net_demo_stats.iperf_last_kbps = kbps;
    printf("net_demo: iperf: %s:%u: %lu bytes in %lu ms, %lu kbit/s (%s)\n", a, port,
           (unsigned long)bytes, (unsigned long)ms, (unsigned long)kbps,
           err == ERR_CLSD ? "closed by the client" : lwip_strerr(err));
    netconn_close(conn);
    netconn_delete(conn);
}

static void iperf_thread(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    struct netconn *listener = net_demo_netconn_listen("iperf", NET_DEMO_IPERF_PORT);
    if (listener == NULL)
        return;
    for (;;) {
        struct netconn *conn;
        err_t err = netconn_accept(listener, &conn);
        if (err != ERR_OK) {
            sys_msleep(100);
            continue;
        }
        NET_DEMO_ADD(iperf_conns, 1);
        NET_DEMO_ADD(iperf_open, 1);
        iperf_serve(conn);
        NET_DEMO_ADD(iperf_open, -1);
    }
}

void iperf_server_start(void)
{
    sys_thread_new("iperf", iperf_thread, NULL, NET_DEMO_IPERF_STACK, NET_DEMO_PRIO);
}
