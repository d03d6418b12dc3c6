/*
 * apps/lwip_compat/lwipopts.h - the options of the lwIP compatibility
 * image: netglass's defaults (config/lwipopts.h, lwip/opt.h), except the
 * stack of the threads that the lwIP 2.x style applications start with
 * DEFAULT_THREAD_STACKSIZE, as an lwIP port sets it, and the receive
 * window and pool (below).
 *
 * Why: with LWIP_TCPIP_CORE_LOCKING = 1 a socket call runs its do_*
 * function on the caller's stack, and with it tcp_connect, tcp_write,
 * udp_sendto and the whole output path down to low_level_output. 1024
 * bytes, enough when every call crosses to tcpip_thread, overflow then
 * (the UDP and TCP clients: "stack overflow", exit status 121, in the
 * core-locking run of tests/qemu/test_api_trace.py); apps/net_demo's
 * measurements give about 400 bytes more for such threads (net_demo.h).
 */
#ifndef NETGLASS_LWIP_COMPAT_LWIPOPTS_H
#define NETGLASS_LWIP_COMPAT_LWIPOPTS_H

#define NO_SYS 0
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0   /* a build may say 1 (the core-locking test variant) */
#endif

#define DEFAULT_THREAD_STACKSIZE (LWIP_TCPIP_CORE_LOCKING ? 1536 : 1024)

/* Received data waits in pool pbufs until an application reads it, and the
 * select echo server serves three clients at once. With the defaults (a
 * 4 * TCP_MSS window, 16 pbufs of 512 bytes: 12 pbufs for one full window)
 * two busy connections can fill the pool; the server, blocked sending to one
 * client, then waits for ACKs that no pbuf is left to receive, and nothing
 * moves again (the same lock-up apps/echo_raw/lwipopts.h describes). So: a
 * window of two segments (6 pbufs), and a pool that holds three such
 * windows plus room for the ACKs, ARP and the UDP client's datagrams. */
#define TCP_WND (2 * TCP_MSS)
#define PBUF_POOL_SIZE (3 * 6 + 6)

#endif
