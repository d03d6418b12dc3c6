/*
 * apps/lwip_compat/compat.h - the ports and start functions of the lwIP
 * 2.x style applications of this folder (compat_*.c), for main.c.
 */
#ifndef NETGLASS_COMPAT_H
#define NETGLASS_COMPAT_H

#include "lwip/arch.h"

#define COMPAT_NETCONN_ECHO_PORT 7000
#define COMPAT_SOCKET_ECHO_PORT  7001
#define COMPAT_RAW_ECHO_PORT     7002

/* The block the TCP client sends (and expects back): more than one MSS. */
#define COMPAT_TCP_CLIENT_BYTES  2000

void compat_netconn_echo_init(void);    /* from any thread */
void compat_socket_echo_init(void);     /* from any thread */
void compat_raw_echo_init(void);        /* in tcpip_thread */
void compat_udp_client_init(const char *server, u16_t port);   /* from any thread */
void compat_tcp_client_init(const char *server, u16_t port);   /* from any thread */

#endif
