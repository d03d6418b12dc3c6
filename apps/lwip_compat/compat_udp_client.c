/*
 * apps/lwip_compat/compat_udp_client.c - a UDP client in the style of an
 * lwIP 2.x application using BSD sockets: it sends numbered requests to a
 * server, waits for each reply with a receive timeout, and resends on
 * silence. (See compat_netconn_echo.c for what these files are for.)
 * It prints one line at the end: how many requests were answered.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/opt.h"
#include "lwip/inet.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

#include "compat.h"

#define UDP_CLIENT_REQUESTS 20
#define UDP_CLIENT_TRIES 5

static struct sockaddr_in udp_server;

static void udp_client_thread(void *arg)
{
    int s, i, answered = 0;
    struct timeval tv;
    char req[64], rep[64];
    LWIP_UNUSED_ARG(arg);

    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        printf("udp_client: socket failed, errno %d\n", errno);
        return;
    }
    tv.tv_sec = 1;
    tv.tv_usec = 0;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

    for (i = 0; i < UDP_CLIENT_REQUESTS; i++) {
        int len = snprintf(req, sizeof(req), "request %d from lwip_compat", i);
        int t;
        for (t = 0; t < UDP_CLIENT_TRIES; t++) {
            struct sockaddr_in from;
            socklen_t fromlen = sizeof(from);
            int n;
            if (sendto(s, req, (size_t)len, 0, (struct sockaddr *)&udp_server,
                       sizeof(udp_server)) != len)
                continue;
            n = recvfrom(s, rep, sizeof(rep) - 1, 0, (struct sockaddr *)&from, &fromlen);
            if (n < 0)
                continue;           /* timeout: send again */
            rep[n] = '\0';
            if (from.sin_port == udp_server.sin_port &&
                from.sin_addr.s_addr == udp_server.sin_addr.s_addr &&
                n == len + 6 && strncmp(rep, "reply ", 6) == 0 && memcmp(rep + 6, req, (size_t)len) == 0) {
                answered++;
                break;
            }
        }
    }
    closesocket(s);
    printf("udp_client: %d of %d requests answered by %s:%d\n", answered, UDP_CLIENT_REQUESTS,
           inet_ntoa(udp_server.sin_addr), lwip_ntohs(udp_server.sin_port));
}

/* server: "A.B.C.D", port in host order. */
void compat_udp_client_init(const char *server, u16_t port)
{
    memset(&udp_server, 0, sizeof(udp_server));
    udp_server.sin_len = sizeof(udp_server);
    udp_server.sin_family = AF_INET;
    udp_server.sin_port = lwip_htons(port);
    if (inet_pton(AF_INET, server, &udp_server.sin_addr) != 1) {
        printf("udp_client: bad server address %s\n", server);
        return;
    }
    sys_thread_new("udp_client", udp_client_thread, NULL, DEFAULT_THREAD_STACKSIZE,
                   DEFAULT_THREAD_PRIO);
}
