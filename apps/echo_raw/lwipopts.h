/*
 * apps/echo_raw/lwipopts.h - the options of the echo service: netglass's
 * defaults (lwip/opt.h), except TCP's windows and the receive pool, sized
 * so that 8 echo connections at once cannot lock the board up, pool
 * buffers of one whole frame each, a heap that holds the send buffers of 4
 * connections at full window, and no netconn, socket or DNS code (a
 * raw-API app: their RAM goes to the heap).
 *
 * Why: an echo holds what it has received (pool pbufs, inside the receive
 * window) until tcp_write can take it, and tcp_write needs the heap, which
 * holds the segments waiting for their ACKs. If the pool is full of such
 * data, the driver has nothing to receive the ACKs into (NO_MEMORY drops),
 * so no heap is ever freed and no data ever written: every connection
 * stops for good. It cannot happen while all receive windows together fit
 * in the pool with room to spare for the frames carrying ACKs. A pool
 * buffer holds one whole 1514-byte frame, so a window of 2 * TCP_MSS takes
 * 2 pbufs, 8 connections 16; PBUF_POOL_SIZE 18 leaves 2 whole frames for
 * ACKs, ARP and the UDP echo (those are freed as soon as they are
 * processed; the driver waits for a free one rather than drop). (With the
 * defaults, 4 * TCP_MSS windows and 16 pbufs of 512 bytes, 8 connections
 * stall within a second; a run shows PBUF_POOL used=15 of 16 and the heap
 * full.) A full heap alone is no trouble: tcp_write says ERR_MEM and the
 * app goes on from the sent or poll callback once ACKs have freed some.
 *
 * Why MEM_SIZE 12800: the heap holds what is sent until it is ACKed, one
 * PBUF_RAM pbuf per segment (1460 bytes, the room for the headers, the
 * pbuf and heap block headers: 1,538 bytes), so 4 connections at full
 * send buffer (2 segments each) need 12,304 bytes. With the default
 * 8,192 only 5 such segments fit and a 4-connection echo met tcp_write
 * ERR_MEM some 4,000 times per 4 MiB, each a retry from a callback. The
 * 4,608 more bytes come from leaving out the APIs this app does not use
 * (LWIP_NETCONN, LWIP_SOCKET, LWIP_DNS 0: the NETCONN and NETBUF pools and
 * the DNS table, 1,936 bytes) and from the C library's heap, which keeps
 * 2,856 bytes for the thread stacks and mailboxes (tools/bench_tcp.py
 * prints the balance).
 *
 * Why whole frames (PBUF_POOL_BUFSIZE 1516, the 1514 bytes rounded up to
 * the alignment): the default 512-byte buffers cut a full frame into a
 * chain of three, and every layer pays for the chain on every frame: three
 * pool allocations and frees, the driver's copy in three pieces, the
 * receive checksum over three, and the echo's tcp_write once per piece.
 * One buffer per frame took the echo from about 10,950 to 9,740 guest
 * instructions per KiB (docs/performance.md). The RAM is the same: the
 * pool is 18 x 1536 = 27,648 bytes against 52 x 532 = 27,664 (each slot
 * the buffer, the pbuf header and the pool's own word); small
 * frames (a bare ACK) now take a whole buffer each, but they are freed at
 * once. So what is left between the end of .bss and the main stack for
 * the C library's heap (the threads' stacks and the mailboxes come from
 * there) is what it was with the 52 small buffers.
 */
#ifndef ECHO_RAW_LWIPOPTS_H
#define ECHO_RAW_LWIPOPTS_H

#define NO_SYS 0
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0
#endif

#ifndef TCP_WND
#define TCP_WND (2 * TCP_MSS)       /* receive window per connection: 2 pool pbufs */
#endif
#ifndef TCP_SND_BUF
#define TCP_SND_BUF (2 * TCP_MSS)   /* as much queued to send as one window echoes */
#endif
#ifndef PBUF_POOL_BUFSIZE
#define PBUF_POOL_BUFSIZE 1516      /* one whole Ethernet frame (1514 bytes) per pbuf */
#endif
#ifndef PBUF_POOL_SIZE
#define PBUF_POOL_SIZE 18           /* 8 connections x 2 + 2 for ACKs and the rest */
#endif
#ifndef MEM_SIZE
#define MEM_SIZE 12800              /* 4 connections' full send buffers (4 x 2 segments) */
#endif

/* A raw-API app: no netconn, no sockets, no name lookups, so none of
 * their RAM (the NETCONN and NETBUF pools, the DNS table). */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_DNS 0

#endif
