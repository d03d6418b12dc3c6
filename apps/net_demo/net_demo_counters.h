/*
 * apps/net_demo/net_demo_counters.h - the services' counters of the
 * network demo, on the statistics page (stats_snap.h) and in the report.
 * A header of its own so that the page renderer, tested on the host,
 * needs nothing else of the demo.
 */
#ifndef NET_DEMO_COUNTERS_H
#define NET_DEMO_COUNTERS_H

#include "lwip/arch.h"

/* The services' counters. Written with NET_DEMO_ADD (net_demo.h: under
 * SYS_ARCH_PROTECT, since the HTTP threads share theirs) and read as whole
 * 32-bit words (atomic on the Cortex-M3): a reader may see one a moment
 * old, never a torn one. */
struct net_demo_counters {
    u32_t echo_conns, echo_open, echo_bytes;
    u32_t udp_dgrams, udp_bytes, udp_errors;
    u32_t http_conns, http_open, http_requests, http_errors, http_timeouts;
    u32_t chargen_conns, chargen_open, chargen_refused, chargen_bytes;
    u32_t iperf_conns, iperf_open, iperf_bytes, iperf_last_kbps;
    u32_t client_steps_ok, client_steps_failed;
};
#endif
