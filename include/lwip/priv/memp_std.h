/*
 * lwip/priv/memp_std.h - every memory pool, one line each:
 *     LWIP_MEMPOOL(NAME, NUMBER, SIZE_OF_ONE, "description")
 * Included as an X-macro by lwip/memp.h (the memp_t enum) and net/memp.c
 * (the pools themselves). The numbers are options in lwip/opt.h. Pools are
 * added here as the layers that use them arrive.
 */
#ifndef LWIP_MEMPOOL
#error "define LWIP_MEMPOOL before including memp_std.h"
#endif

/* struct pbuf alone, for PBUF_ROM and PBUF_REF (the payload is elsewhere). */
LWIP_MEMPOOL(PBUF, MEMP_NUM_PBUF, sizeof(struct pbuf), "PBUF_REF/ROM")
/* struct pbuf with PBUF_POOL_BUFSIZE bytes of payload: what drivers receive into. */
LWIP_MEMPOOL(PBUF_POOL, PBUF_POOL_SIZE,
             LWIP_MEM_ALIGN_SIZE(sizeof(struct pbuf)) + PBUF_POOL_BUFSIZE_ALIGNED, "PBUF_POOL")
/* Messages to tcpip_thread: API calls, received packets, callbacks, timeouts. */
LWIP_MEMPOOL(TCPIP_MSG_API, MEMP_NUM_TCPIP_MSG_API, sizeof(struct tcpip_msg), "TCPIP_MSG_API")
LWIP_MEMPOOL(TCPIP_MSG_INPKT, MEMP_NUM_TCPIP_MSG_INPKT, sizeof(struct tcpip_msg),
             "TCPIP_MSG_INPKT")
/* Entries of the sys_timeout list. */
LWIP_MEMPOOL(SYS_TIMEOUT, MEMP_NUM_SYS_TIMEOUT, sizeof(struct sys_timeo), "SYS_TIMEOUT")
/* Packets waiting for an ARP reply. */
LWIP_MEMPOOL(ARP_QUEUE, MEMP_NUM_ARP_QUEUE, sizeof(struct etharp_q_entry), "ARP_QUEUE")
/* IPv4 reassembly: one per datagram being put together. */
LWIP_MEMPOOL(REASSDATA, MEMP_NUM_REASSDATA, sizeof(struct ip_reassdata), "REASSDATA")
/* IPv4 fragmentation: a reference to a piece of the original packet. */
LWIP_MEMPOOL(FRAG_PBUF, MEMP_NUM_FRAG_PBUF, sizeof(struct pbuf_custom_ref), "FRAG_PBUF")
/* UDP and raw IP PCBs (udp_new, raw_new). */
#if LWIP_UDP
LWIP_MEMPOOL(UDP_PCB, MEMP_NUM_UDP_PCB, sizeof(struct udp_pcb), "UDP_PCB")
#endif
#if LWIP_RAW
LWIP_MEMPOOL(RAW_PCB, MEMP_NUM_RAW_PCB, sizeof(struct raw_pcb), "RAW_PCB")
#endif
/* TCP: connections, listeners, queued segments (net/tcp*.c). */
#if LWIP_TCP
LWIP_MEMPOOL(TCP_PCB, MEMP_NUM_TCP_PCB, sizeof(struct tcp_pcb), "TCP_PCB")
LWIP_MEMPOOL(TCP_PCB_LISTEN, MEMP_NUM_TCP_PCB_LISTEN, sizeof(struct tcp_pcb_listen),
             "TCP_PCB_LISTEN")
LWIP_MEMPOOL(TCP_SEG, MEMP_NUM_TCP_SEG, sizeof(struct tcp_seg), "TCP_SEG")
#endif
/* netconn (api/api_lib.c, api/api_msg.c) and netbuf (api/netbuf.c). */
#if LWIP_NETCONN || LWIP_SOCKET
LWIP_MEMPOOL(NETCONN, MEMP_NUM_NETCONN, sizeof(struct netconn), "NETCONN")
LWIP_MEMPOOL(NETBUF, MEMP_NUM_NETBUF, sizeof(struct netbuf), "NETBUF")
#endif
