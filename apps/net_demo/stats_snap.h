/*
 * apps/net_demo/stats_snap.h - one moment of the stack's state, as the
 * statistics page shows it: the interface and its counters, every TCP PCB
 * (listening, active, TIME_WAIT) with its state and queues, every UDP PCB,
 * every netconn with the depth of its mailboxes, tcpip_mbox, the pools and
 * the heap, the protocol counters, and the services' own counters.
 *
 * stats_take (stats_take.c) fills one inside tcpip_thread (through
 * tcpip_api_call: the PCB lists and the pools belong to that thread, or to
 * the core lock's holder); stats_page.c renders one, twice if need be (to
 * learn the length for Content-Length, then to send), from the same
 * figures. A plain struct, so that renderer is tested on the host.
 */
#ifndef NET_DEMO_STATS_SNAP_H
#define NET_DEMO_STATS_SNAP_H

#include "lwip/arch.h"
#include "net_demo_counters.h"

#define SNAP_TCP_MAX 20         /* PCBs listed (more are counted, not listed) */
#define SNAP_UDP_MAX 8
#define SNAP_NETCONN_MAX 16
#define SNAP_POOL_MAX 24
#define SNAP_PROTO_MAX 7

struct snap_tcp {
    u32_t local_ip, remote_ip;  /* network order, as in ip4_addr_t */
    u16_t local_port, remote_port;
    u8_t state;                 /* enum tcp_state */
    u8_t has_netconn;           /* its callback_arg is a netconn */
    s8_t socket;                /* that netconn's socket, or -1 */
    u16_t snd_queuelen;         /* pbufs queued to send */
    u16_t snd_buf;              /* bytes tcp_write may still take */
    u16_t rcv_wnd;              /* receive window open now */
    u16_t snd_wnd;              /* the peer's window */
};

struct snap_udp {
    u32_t local_ip;
    u16_t local_port, remote_port;
    u8_t has_netconn;
};

struct snap_netconn {
    u8_t type;                  /* enum netconn_type */
    s8_t socket;                /* -1: used through the netconn API */
    u16_t recv_count, recv_size;    /* recvmbox: queued / slots (0/0: none) */
    u16_t accept_count, accept_size;
    u32_t recv_high;            /* the most the recvmbox ever held */
};

struct snap_pool {
    const char *name;           /* points at the pool's constant name */
    u16_t used, max, avail, err;
};

struct snap_proto {
    const char *name;
    u16_t xmit, recv, drop, chkerr, memerr, proterr;
};

struct net_snapshot {
    u32_t now_ms;               /* sys_now() */
    u32_t seq;                  /* snapshots taken so far (this one included) */
    /* the interface */
    char ifname[4];
    u8_t hwaddr[6];
    u32_t ip, mask, gw, dns;    /* network order */
    u8_t dhcp_bound;
    u32_t rx_frames, rx_bytes, rx_drops, tx_frames, tx_bytes, tx_drops;
    /* TCP and UDP */
    u16_t tcp_count, tcp_total;     /* listed, existing */
    struct snap_tcp tcp[SNAP_TCP_MAX];
    u16_t udp_count, udp_total;
    struct snap_udp udp[SNAP_UDP_MAX];
    /* netconns and mailboxes */
    u16_t netconn_count, netconn_total;
    struct snap_netconn netconn[SNAP_NETCONN_MAX];
    u16_t tcpip_count, tcpip_size;  /* tcpip_mbox */
    u32_t tcpip_high, tcpip_posts, tcpip_fulls;
    /* memory */
    u16_t pool_count;
    struct snap_pool pool[SNAP_POOL_MAX];
    u32_t heap_used, heap_max, heap_avail, heap_err;
    /* counters */
    u16_t proto_count;
    struct snap_proto proto[SNAP_PROTO_MAX];
    u32_t drops_total;
    struct net_demo_counters app;
};

#endif
