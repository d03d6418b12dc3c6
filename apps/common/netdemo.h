/*
 * apps/common/netdemo.h - what the network demos share: reading an
 * address argument, the interface's counters, and the leak check that
 * compares every pool and the heap with their levels after start-up.
 */
#ifndef NETGLASS_NETDEMO_H
#define NETGLASS_NETDEMO_H

#include "lwip/ip4_addr.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"

/* key=A.B.C.D from argv, else dflt; a dotted quad only, and for "netmask"
 * a contiguous mask; anything else stops the run with status 127. `app`
 * starts the message. */
void netdemo_parse_addr(const char *app, int argc, char **argv, const char *key,
                        const char *dflt, ip4_addr_t *a);

/* One line: frames, bytes and drops each way. */
void netdemo_print_netif(const char *app, const struct netif *netif);

/* The pools' and the heap's use, taken after start-up (in tcpip_thread). */
struct netdemo_levels {
    u16_t pools[MEMP_MAX];
    mem_size_t heap;
};
void netdemo_levels_take(struct netdemo_levels *boot);

/* Prints every pool and the heap now using more than at start-up (less is
 * fine: a frame may have been on its way through the stack when the levels
 * were taken), or that all are back; returns how many leaked. */
int netdemo_levels_check(const char *app, const struct netdemo_levels *boot);

#endif
