/*
 * apps/net_demo/echo_udp.c - the UDP echo service (RFC 862) on port 7,
 * written against the netconn API, in a thread of its own.
 *
 * netconn_new (UDP), netconn_bind; then netconn_recv hands over one
 * datagram at a time as a netbuf (recv_udp filled it in tcpip_thread with
 * the pbuf and the sender's address and port) and netconn_sendto sends
 * the same netbuf back to that address (do_send: udp_sendto). The netbuf
 * is ours after netconn_recv: we delete it after sending. A datagram that
 * finds the recvmbox full is dropped by recv_udp (RECVMBOX_FULL), as UDP
 * may.
 */
#include <stdio.h>

#include "net_demo.h"
#include "lwip/api.h"

static void echo_udp_thread(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    struct netconn *conn = netconn_new(NETCONN_UDP);
    err_t err = conn ? netconn_bind(conn, IP_ADDR_ANY, NET_DEMO_ECHO_PORT) : ERR_MEM;
    if (err != ERR_OK)
        printf("net_demo: echo udp: netconn setup on port %d: %s\n", NET_DEMO_ECHO_PORT,
               lwip_strerr(err));
    net_demo_ready("echo udp", err);
    if (err != ERR_OK)
        return;
    for (;;) {
        struct netbuf *buf;
        err = netconn_recv(conn, &buf);
        if (err != ERR_OK) {
            printf("net_demo: echo udp: netconn_recv: %s\n", lwip_strerr(err));
            sys_msleep(100);
            continue;
        }
        ip_addr_t from;
        ip_addr_copy(from, *netbuf_fromaddr(buf));
        u16_t port = netbuf_fromport(buf);
        u16_t len = netbuf_len(buf);
        err = netconn_sendto(conn, buf, &from, port);
        if (err == ERR_OK) {
            NET_DEMO_ADD(udp_dgrams, 1);
            NET_DEMO_ADD(udp_bytes, len);
        } else {
            NET_DEMO_ADD(udp_errors, 1);
        }
        netbuf_delete(buf);
    }
}

void echo_udp_start(void)
{
    sys_thread_new("echo_udp", echo_udp_thread, NULL, NET_DEMO_UDP_STACK, NET_DEMO_PRIO);
}
