/*
 * apps/echo_raw/lwipopts.h - the options of the echo service: netglass's
 * defaults (lwip/opt.h), except TCP's windows and the receive pool, sized
 * so that 8 echo connections at once cannot lock the board up.
 *
 * Why: an echo holds what it has received (pool pbufs, inside the receive
 * window) until tcp_write can take it, and tcp_write needs the heap, which
 * holds the segments waiting for their ACKs. If the pool is full of such
 * data, the driver has nothing to receive the ACKs into (NO_MEMORY drops),
 * so no heap is ever freed and no data ever written: every connection
 * stops for good. It cannot happen while all receive windows together fit
 * in the pool with room to spare for the frames carrying ACKs. A full
 * 1514-byte frame takes three 512-byte pool pbufs, so a window of
 * 2 * TCP_MSS takes 6 pbufs, 8 connections 48; PBUF_POOL_SIZE 52 leaves 4
 * for ACKs, ARP and the UDP echo. (With the defaults, 4 * TCP_MSS windows
 * and 16 pbufs, 8 connections stall within a second; a run shows
 * PBUF_POOL used=15 of 16 and the heap full.) A full heap alone is no
 * trouble: tcp_write says ERR_MEM and the app goes on from the sent or
 * poll callback once ACKs have freed some.
 *
 * RAM: the 36 more pool pbufs take about 19 KiB, which leaves about 7 KiB
 * between the end of .bss and the main stack for the C library's heap
 * (the threads' stacks and the mailboxes come from there).
 */
#ifndef ECHO_RAW_LWIPOPTS_H
#define ECHO_RAW_LWIPOPTS_H

#define NO_SYS 0
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0
#endif

#define TCP_WND (2 * TCP_MSS)       /* receive window per connection: 6 pool pbufs */
#define TCP_SND_BUF (2 * TCP_MSS)   /* as much queued to send as one window echoes */
#define PBUF_POOL_SIZE 52           /* 8 connections x 6 + 4 for ACKs and the rest */

#endif
