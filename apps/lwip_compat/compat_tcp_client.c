/*
 * apps/lwip_compat/compat_tcp_client.c - a TCP client in the style of an
 * lwIP 2.x application using BSD sockets: it connects to a server, sends
 * one known block, reads the server's reply until the server closes, and
 * closes its own end. (See compat_netconn_echo.c for what these files are
 * for.) The server is expected to send the block back unchanged; the one
 * line printed at the end says whether it did.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/opt.h"
#include "lwip/inet.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

#include "compat.h"

static struct sockaddr_in tcp_server;
static char tcp_block[COMPAT_TCP_CLIENT_BYTES];
static char tcp_reply[COMPAT_TCP_CLIENT_BYTES + 1];    /* one more: a longer reply shows */

/* Byte i of the block: a pattern the server (and a test) can recompute. */
static char block_byte(int i)
{
    return (char)((i * 7 + (i >> 8) * 13 + 1) & 0xff);
}

static void tcp_client_thread(void *arg)
{
    int s, i, sent = 0, got = 0, n = 0;
    LWIP_UNUSED_ARG(arg);

    for (i = 0; i < COMPAT_TCP_CLIENT_BYTES; i++)
        tcp_block[i] = block_byte(i);
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        printf("tcp_client: socket failed, errno %d\n", errno);
        return;
    }
    if (connect(s, (struct sockaddr *)&tcp_server, sizeof(tcp_server)) < 0) {
        printf("tcp_client: connect to %s:%d failed, errno %d\n", inet_ntoa(tcp_server.sin_addr),
               lwip_ntohs(tcp_server.sin_port), errno);
        closesocket(s);
        return;
    }
    /* one send: a blocking send queues all of it (or fails) */
    n = send(s, tcp_block, sizeof(tcp_block), 0);
    if (n > 0)
        sent = n;
    /* the reply, until the server closes (recv returns 0) or fails */
    while (n > 0 && got < (int)sizeof(tcp_reply)) {
        n = recv(s, tcp_reply + got, sizeof(tcp_reply) - (size_t)got, 0);
        if (n > 0)
            got += n;
    }
    closesocket(s);
    printf("tcp_client: sent %d of %d bytes to %s:%d, got %d back, %s\n", sent,
           COMPAT_TCP_CLIENT_BYTES, inet_ntoa(tcp_server.sin_addr), lwip_ntohs(tcp_server.sin_port),
           got, got == sent && sent == COMPAT_TCP_CLIENT_BYTES &&
           memcmp(tcp_reply, tcp_block, sizeof(tcp_block)) == 0 ? "intact" : "NOT the block");
}

/* server: "A.B.C.D", port in host order. */
void compat_tcp_client_init(const char *server, u16_t port)
{
    memset(&tcp_server, 0, sizeof(tcp_server));
    tcp_server.sin_len = sizeof(tcp_server);
    tcp_server.sin_family = AF_INET;
    tcp_server.sin_port = lwip_htons(port);
    if (inet_pton(AF_INET, server, &tcp_server.sin_addr) != 1) {
        printf("tcp_client: bad server address %s\n", server);
        return;
    }
    sys_thread_new("tcp_client", tcp_client_thread, NULL, DEFAULT_THREAD_STACKSIZE,
                   DEFAULT_THREAD_PRIO);
}
