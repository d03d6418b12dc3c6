/*
 * lwip/dhcp.h - the DHCP client (net/dhcp.c, RFC 2131 with the options of
 * RFC 2132), lwIP 2.x API.
 *
 * dhcp_start(netif) runs the client on an interface: DISCOVER, OFFER,
 * REQUEST, ACK (RFC 2131 3.1), then BOUND with the lease's T1 (renew,
 * unicast to the server) and T2 (rebind, broadcast) timers (4.4.5); a NAK
 * or an expired lease starts over (3.1 step 5, 4.4.5). The address, mask,
 * gateway and DNS servers of the ACK are applied with netif_set_addr and
 * dns_setserver. Timers: dhcp_fine_tmr every DHCP_FINE_TIMER_MSECS
 * (retransmissions, with the exponential backoff of 4.1) and
 * dhcp_coarse_tmr every DHCP_COARSE_TIMER_SECS (the lease), both from the
 * sys_timeout list (net/timeouts.c). Everything runs in tcpip_thread:
 * call dhcp_start with tcpip_callback, or under the core lock.
 * Each state change is a DHCP_STATE trace record.
 *
 * Ending it (lwIP 2.1's meanings): dhcp_release and dhcp_release_and_stop
 * send a RELEASE to the server (RFC 2131 4.4.6) and stop; dhcp_stop stops
 * without a message. Either way an address DHCP applied is removed and the
 * struct stays (dhcp_cleanup frees one that dhcp_start allocated; a struct
 * given with dhcp_set_struct stays the caller's). The timers run only
 * while some interface's client is started.
 */
#ifndef LWIP_HDR_DHCP_H
#define LWIP_HDR_DHCP_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"

#define DHCP_COARSE_TIMER_SECS 60
#define DHCP_COARSE_TIMER_MSECS (DHCP_COARSE_TIMER_SECS * 1000UL)
#define DHCP_FINE_TIMER_MSECS 500

/* The client's states (RFC 2131 figure 5; lwIP's values, which the trace's
 * dhcp_state enum in tracer/events.def repeats). */
enum dhcp_state_enum {
    DHCP_STATE_OFF         = 0,
    DHCP_STATE_REQUESTING  = 1,
    DHCP_STATE_INIT        = 2,
    DHCP_STATE_REBOOTING   = 3,
    DHCP_STATE_REBINDING   = 4,
    DHCP_STATE_RENEWING    = 5,
    DHCP_STATE_SELECTING   = 6,
    DHCP_STATE_INFORMING   = 7,
    DHCP_STATE_CHECKING    = 8,
    DHCP_STATE_PERMANENT   = 9,
    DHCP_STATE_BOUND       = 10,
    DHCP_STATE_RELEASING   = 11,
    DHCP_STATE_BACKING_OFF = 12
};

struct dhcp {
    u32_t xid;                  /* transaction id of the exchange under way */
    u8_t pcb_allocated;         /* this client holds a reference to the shared UDP PCB */
    u8_t state;                 /* enum dhcp_state_enum */
    u8_t tries;                 /* retransmissions of the current message */
    u8_t subnet_mask_given;
    u16_t request_timeout;      /* fine ticks until the next retransmission */
    u16_t t1_timeout;           /* coarse ticks until renewing */
    u16_t t2_timeout;           /* coarse ticks until rebinding */
    u16_t t1_renew_time;
    u16_t t2_rebind_time;
    u16_t lease_used;           /* coarse ticks since the lease began */
    u16_t t0_timeout;           /* coarse ticks the lease lasts */
    ip_addr_t server_ip_addr;   /* the server that offered (option 54) */
    ip4_addr_t offered_ip_addr;
    ip4_addr_t offered_sn_mask;
    ip4_addr_t offered_gw_addr;
    u32_t offered_t0_lease;     /* seconds (option 51) */
    u32_t offered_t1_renew;     /* seconds (option 58, else T0/2) */
    u32_t offered_t2_rebind;    /* seconds (option 59, else T0*7/8) */
    /* netglass: counters for the statistics page and the tests */
    u16_t discovers, requests, naks, acks, bad;  /* bad: replies dropped as malformed */
    u8_t struct_allocated;      /* netglass: dhcp_start took it from the heap; dhcp_cleanup frees it */
};

void dhcp_set_struct(struct netif *netif, struct dhcp *dhcp);
#define dhcp_remove_struct(netif) do { (netif)->dhcp = NULL; } while (0)
void dhcp_cleanup(struct netif *netif);
err_t dhcp_start(struct netif *netif);
err_t dhcp_renew(struct netif *netif);
err_t dhcp_release(struct netif *netif);
void dhcp_stop(struct netif *netif);
void dhcp_release_and_stop(struct netif *netif);
err_t dhcp_inform(struct netif *netif);
void dhcp_network_changed(struct netif *netif);
u8_t dhcp_supplied_address(const struct netif *netif);
void dhcp_coarse_tmr(void);
void dhcp_fine_tmr(void);

#define netif_dhcp_data(netif) ((netif)->dhcp)

#endif
