/*
 * apps/net_demo/netconn_listen.c - the listening netconn of the demo's
 * netconn TCP services (echo_tcp.c, iperf_server.c): netconn_new,
 * netconn_bind to any address, netconn_listen_with_backlog; what went
 * wrong printed, and net_demo_ready told either way.
 */
#include <stdio.h>

#include "net_demo.h"
#include "lwip/api.h"

struct netconn *net_demo_netconn_listen(const char *service, u16_t port)
{
    struct netconn *listener = netconn_new(NETCONN_TCP);
    err_t err = listener ? netconn_bind(listener, IP_ADDR_ANY, port) : ERR_MEM;
    if (err == ERR_OK)
        err = netconn_listen_with_backlog(listener, 2);
    if (err != ERR_OK) {
        printf("net_demo: %s: netconn setup on port %d: %s\n", service, port, lwip_strerr(err));
        if (listener != NULL)
            netconn_delete(listener);   /* the service does not run: give its netconn back */
        listener = NULL;
    }
    net_demo_ready(service, err);
    return listener;
}
