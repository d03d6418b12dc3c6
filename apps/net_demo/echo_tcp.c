/*
 * apps/net_demo/echo_tcp.c - the TCP echo service (RFC 862) on port 7,
 * written against the netconn API, in a thread of its own.
 *
 * netconn_new (TCP), netconn_bind, netconn_listen (netconn_listen.c);
 * then, one connection after the other, netconn_accept and a loop of
 * netconn_recv (each netbuf holds what one or more segments brought) and
 * netconn_write of every piece of it (netbuf_data / netbuf_next walk the
 * pbuf chain), until netconn_recv says the peer has closed (ERR_CLSD) or
 * the connection failed. netconn_write copies (NETCONN_COPY): the netbuf
 * is deleted at once and its pool pbufs go back to the driver. The receive
 * window is reopened by netconn_recv itself (do_recv calls tcp_recved in
 * tcpip_thread), so a peer that sends faster than we echo is held back by
 * TCP, not by a drop. Connections that arrive while one is served wait in
 * the acceptmbox (the listen backlog).
 */
#include <stdio.h>

#include "net_demo.h"
#include "lwip/api.h"

static void echo_serve(struct netconn *conn)
{
    struct netbuf *buf;
    err_t err;
    while ((err = netconn_recv(conn, &buf)) == ERR_OK) {
        do {
            void *data;
            u16_t len;
            netbuf_data(buf, &data, &len);
            if (len == 0)
                continue;       /* an empty piece of the chain: nothing to write */
            err = netconn_write(conn, data, len, NETCONN_COPY);
            if (err == ERR_OK)
                NET_DEMO_ADD(echo_bytes, len);
        } while (err == ERR_OK && netbuf_next(buf) >= 0);
        netbuf_delete(buf);
        if (err != ERR_OK)
            break;
    }
    netconn_close(conn);
    netconn_delete(conn);
}

static void echo_tcp_thread(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    struct netconn *listener = net_demo_netconn_listen("echo tcp", NET_DEMO_ECHO_PORT);
    if (listener == NULL)
        return;
    for (;;) {
        struct netconn *conn;
        err_t err = netconn_accept(listener, &conn);
        if (err != ERR_OK) {
            printf("net_demo: echo tcp: netconn_accept: %s\n", lwip_strerr(err));
            sys_msleep(100);
            continue;
        }
        NET_DEMO_ADD(echo_conns, 1);
        NET_DEMO_ADD(echo_open, 1);
        echo_serve(conn);
        NET_DEMO_ADD(echo_open, -1);
    }
}

void echo_tcp_start(void)
{
    sys_thread_new("echo_tcp", echo_tcp_thread, NULL, NET_DEMO_ECHO_STACK, NET_DEMO_PRIO);
}
