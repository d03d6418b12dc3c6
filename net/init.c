/*
 * net/init.c - lwip_init(): bring every module of the stack up, once, in
 * the order of their dependencies.
 *
 * Counters first (everything after may count), then the OS layer, then
 * memory: the heap and the pools, which every later module allocates from
 * (the sys_timeout list takes its entries from a pool too, so
 * sys_timeouts_init comes after memp_init). Interfaces next: netif_init
 * adds the loopback interface, whose packets go through the pools. Then
 * the protocols that keep state of their own (TCP: its PCB lists, ports
 * and ISN secret; tcp_init takes no memory, and TCP's timer is armed only
 * once a connection needs it; the DNS client's table starts empty and it
 * takes a PCB and a timer only for a lookup). Last the timers, because sys_timeouts_init arms the protocols' cyclic timers
 * (etharp_tmr, ip_reass_tmr, ...), which must find their modules ready.
 *
 * tcpip_init() calls this before it starts tcpip_thread, as lwIP does, so
 * the stack is complete before any message can reach it.
 */
#include "lwip/init.h"
#include "lwip/dns.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

void lwip_init(void)
{
    stats_init();
    sys_init();
    mem_init();
    memp_init();
    netif_init();
#if LWIP_TCP
    tcp_init();
#endif
#if LWIP_DNS
    dns_init();     /* an empty table: it arms no timer and takes no PCB until a lookup */
#endif
    sys_timeouts_init();
}
