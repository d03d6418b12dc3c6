/*
 * lwip/icmp.h - ICMP for IPv4 (RFC 792, RFC 1122 3.2.2), lwIP 2.x's API
 * (net/icmp.c): the input function ip4_input hands ICMP messages to, and
 * the two error messages the stack sends itself.
 */
#ifndef LWIP_HDR_ICMP_H
#define LWIP_HDR_ICMP_H

#include "lwip/opt.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp.h"

/* Codes of destination unreachable (RFC 792, RFC 1122 3.2.2.1). */
enum icmp_dur_type {
    ICMP_DUR_NET = 0,       /* net unreachable */
    ICMP_DUR_HOST = 1,      /* host unreachable */
    ICMP_DUR_PROTO = 2,     /* protocol unreachable */
    ICMP_DUR_PORT = 3,      /* port unreachable */
    ICMP_DUR_FRAG = 4,      /* fragmentation needed and DF set */
    ICMP_DUR_SR = 5         /* source route failed */
};

/* Codes of time exceeded (RFC 792). */
enum icmp_te_type {
    ICMP_TE_TTL = 0,        /* time to live exceeded in transit */
    ICMP_TE_FRAG = 1        /* fragment reassembly time exceeded */
};

/* How much of the offending datagram's data follows its header in an
 * error message (RFC 792: "the first 64 bits of the data"). */
#define ICMP_DEST_UNREACH_DATASIZE 8

/* An ICMP message; p->payload is the ICMP header (ip4_input has hidden
 * the IP header, and ip_current_*() describe it). Takes p. */
void icmp_input(struct pbuf *p, struct netif *inp);

/* Send an error about the received datagram p, whose payload is its IP
 * header. Sends nothing where RFC 1122 3.2.2 forbids an error (about an
 * ICMP error, a broadcast or multicast, a non-first fragment, a source
 * that is not one host). p stays the caller's. */
void icmp_dest_unreach(struct pbuf *p, enum icmp_dur_type t);
void icmp_time_exceed(struct pbuf *p, enum icmp_te_type t);
#define icmp_time_exceeded(p, t) icmp_time_exceed(p, t)    /* lwIP's name */

/* netglass extension: called with every echo reply that arrives (p's
 * payload is its ICMP header, from the address that sent it) so that an
 * application can time pings before raw PCBs exist. NULL by default. The
 * hook must not free or keep p: icmp_input frees it afterwards. */
extern void (*ng_icmp_echo_reply_hook)(struct pbuf *p, const ip4_addr_t *from);

#endif
