/*
 * apps/net_demo/stats_take.h - taking a snapshot of the stack for the
 * statistics page (stats_take.c). Call from any application thread: the
 * figures are read in tcpip_thread (or under the core lock) and the caller
 * waits until they are in *snap.
 */
#ifndef NET_DEMO_STATS_TAKE_H
#define NET_DEMO_STATS_TAKE_H

#include "lwip/err.h"
#include "stats_snap.h"

err_t stats_take(struct net_snapshot *snap);

#endif
