/*
 * apps/lwip_compat/compat_socket_echo.c - a TCP echo server in the style
 * of an lwIP 2.x application using BSD sockets: one thread serves several
 * clients with select(). (See compat_netconn_echo.c for what these files
 * are for.)
 */
#include <string.h>

#include "lwip/opt.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

#include "compat.h"

#define MAX_CLIENTS 3

static void send_all(int s, const char *data, int len)
{
    while (len > 0) {
        int n = send(s, data, (size_t)len, 0);
        if (n <= 0)
            return;
        data += n;
        len -= n;
    }
}

static void socket_echo_thread(void *arg)
{
    int listener, clients[MAX_CLIENTS];
    struct sockaddr_in addr;
    static char buf[512];
    int i;
    LWIP_UNUSED_ARG(arg);

    listener = socket(AF_INET, SOCK_STREAM, 0);
    LWIP_ASSERT("socket_echo: no socket", listener >= 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_len = sizeof(addr);
    addr.sin_family = AF_INET;
    addr.sin_port = PP_HTONS(COMPAT_SOCKET_ECHO_PORT);
    addr.sin_addr.s_addr = PP_HTONL(INADDR_ANY);
    if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(listener, MAX_CLIENTS) < 0) {
        LWIP_PLATFORM_DIAG(("socket_echo: cannot listen, errno %d\n", errno));
        closesocket(listener);
        return;
    }
    for (i = 0; i < MAX_CLIENTS; i++)
        clients[i] = -1;

    for (;;) {
        fd_set readset;
        int maxfd = listener;

        FD_ZERO(&readset);
        FD_SET(listener, &readset);
        for (i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i] >= 0) {
                FD_SET(clients[i], &readset);
                if (clients[i] > maxfd)
                    maxfd = clients[i];
            }
        }
        if (select(maxfd + 1, &readset, NULL, NULL, NULL) <= 0)
            continue;

        if (FD_ISSET(listener, &readset)) {
            struct sockaddr_in from;
            socklen_t fromlen = sizeof(from);
            int s = accept(listener, (struct sockaddr *)&from, &fromlen);
            if (s >= 0) {
                for (i = 0; i < MAX_CLIENTS && clients[i] >= 0; i++)
                    ;
                if (i < MAX_CLIENTS)
                    clients[i] = s;
                else
                    closesocket(s);     /* full: the client sees the close */
            }
        }
        for (i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i] >= 0 && FD_ISSET(clients[i], &readset)) {
                int n = recv(clients[i], buf, sizeof(buf), 0);
                if (n <= 0) {
                    closesocket(clients[i]);
                    clients[i] = -1;
                } else {
                    send_all(clients[i], buf, n);
                }
            }
        }
    }
}

void compat_socket_echo_init(void)
{
    sys_thread_new("socket_echo", socket_echo_thread, NULL, DEFAULT_THREAD_STACKSIZE,
                   DEFAULT_THREAD_PRIO);
}
