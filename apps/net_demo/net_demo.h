/*
 * apps/net_demo/net_demo.h - what the pieces of the network demo share:
 * its settings (from the board arguments, main.c), the interface, the
 * services' counters (shown on the statistics page and in the final
 * report), and the start function of each service.
 *
 * Each service is one file and one thread (HTTP: a few threads); each
 * start function creates its thread, which sets its socket or netconn up
 * and then calls net_demo_ready, so that main knows when every service
 * listens (the pools' start-up levels are taken after that).
 */
#ifndef NET_DEMO_H
#define NET_DEMO_H

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "net_demo_counters.h"

#define NET_DEMO_ECHO_PORT 7        /* RFC 862 */
#define NET_DEMO_CHARGEN_PORT 19    /* RFC 864 */
#define NET_DEMO_HTTP_PORT 80
#define NET_DEMO_IPERF_PORT 5001    /* iperf 2's default */

/* Thread stacks (bytes) and priorities. The services are below tcpip_thread
 * (8) and eth_rx (9), at main's level (4) or just above it. The stack
 * sizes are measured at the end of every run (report: "stack ... used").
 * With LWIP_TCPIP_CORE_LOCKING = 1 an API call runs its do_* function, and
 * so tcp_write, tcp_output, ip_output down to the driver, on the caller's
 * stack: the threads that send much get NET_DEMO_CORE_STACK more (measured:
 * http 1216 -> 1872 bytes used, chargen 720 -> 1080, iperf 728 -> 1000,
 * echo_tcp 328 -> 772, client 688 -> 1088; with the trace records inlined,
 * tracing on, echo_tcp 344 -> 1016 after a 20 KB echo, so it gets 512;
 * on 2026-12-02 the http threads under the core lock used 2,056 bytes,
 * over their 2,048, after a few shared helpers of the stack's tidy-up
 * added call frames, so they get 1,024 more: 504 bytes to spare). */
#include "lwip/opt.h"
#define NET_DEMO_CORE_STACK(n) (LWIP_TCPIP_CORE_LOCKING ? (n) : 0)
#define NET_DEMO_ECHO_STACK (1024 + NET_DEMO_CORE_STACK(512))
#define NET_DEMO_UDP_STACK 1024
#define NET_DEMO_HTTP_STACK (1536 + NET_DEMO_CORE_STACK(1024))
#define NET_DEMO_CHARGEN_STACK (1280 + NET_DEMO_CORE_STACK(256))
#define NET_DEMO_IPERF_STACK (1024 + NET_DEMO_CORE_STACK(256))
#define NET_DEMO_CLIENT_STACK (1280 + NET_DEMO_CORE_STACK(256))
#define NET_DEMO_PRIO 5

/* The board arguments, parsed by main before anything starts. */
struct net_demo_config {
    ip4_addr_t ip, mask, gw;    /* the fallback (or, with ip=, the static) address */
    u8_t static_ip;             /* ip= given: no DHCP */
    u32_t dhcp_wait_ms;         /* how long to wait for a lease before the fallback */
    ip_addr_t dns;              /* dns=: the resolver to use instead of DHCP's */
    u8_t has_dns;
    ip_addr_t peer;             /* peer=A.B.C.D:PORT: the client's TCP echo peer */
    u16_t peer_port;
    ip_addr_t udppeer;          /* udppeer=A.B.C.D:PORT: its UDP echo peer */
    u16_t udppeer_port;
    const char *lookup;         /* lookup=NAME: the name the client resolves */
    u32_t send_bytes;           /* send=BYTES: the client's TCP pattern (default 4096) */
    ip_addr_t ping_target;      /* ping=A.B.C.D (the gateway) */
    u32_t ping_count;           /* pings=N (3; 0: no ping) */
};
extern struct net_demo_config net_demo_cfg;
extern struct netif net_demo_netif;

extern struct net_demo_counters net_demo_stats;
#define NET_DEMO_ADD(field, n) do { \
        SYS_ARCH_DECL_PROTECT(lev_); \
        SYS_ARCH_PROTECT(lev_); \
        net_demo_stats.field += (u32_t)(n); \
        SYS_ARCH_UNPROTECT(lev_); \
    } while (0)

/* A service calls this once, from its thread, when it listens (err ERR_OK)
 * or has failed to (then it prints why and its thread ends). */
void net_demo_ready(const char *service, err_t err);

/* A netconn TCP service's listener on port (backlog 2), net_demo_ready
 * called; NULL if it could not be set up (netconn_listen.c). */
struct netconn;
struct netconn *net_demo_netconn_listen(const char *service, u16_t port);

/* The services (each creates its thread(s); net_demo_ready follows). */
void echo_tcp_start(void);
void echo_udp_start(void);
void http_server_start(void);
void chargen_start(void);
void iperf_server_start(void);
#define NET_DEMO_SERVICES 5

/* The client flows (client.c) and the ping (ping.c), run once by the
 * client thread after start-up; client_done is signalled at their end. */
void client_start(sys_sem_t *client_done);
int ping_run(const ip_addr_t *target, u32_t count);

/* "A.B.C.D:PORT" -> addr, port; 0 if malformed. */
int net_demo_parse_hostport(const char *text, ip_addr_t *addr, u16_t *port);

#endif
