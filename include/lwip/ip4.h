/*
 * lwip/ip4.h - the IPv4 layer's API, as lwIP 2.x declares it (net/ip4.c).
 *
 * Receiving: a link layer hands every IPv4 packet to ip4_input (through
 * ip_input), which checks it, reassembles fragments and gives it to the
 * protocol above, and always takes the pbuf (it frees it, or the protocol
 * does). Sending: ip4_output picks the interface with ip4_route and calls
 * ip4_output_if, which puts the header in front of the payload and calls
 * netif->output. The output functions never free the pbuf: the caller
 * keeps it, whatever they return.
 */
#ifndef LWIP_HDR_IP4_H
#define LWIP_HDR_IP4_H

#include "lwip/opt.h"
#include "lwip/def.h"
#include "lwip/err.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip4.h"

/* The interface to send to dest through: the first interface that is up
 * and whose subnet holds dest, else netif_default; 127/8 goes to the
 * loopback interface. NULL if there is none. */
struct netif *ip4_route(const ip4_addr_t *dest);
/* The same, for a packet from src (lwIP's source-routing hook point;
 * netglass routes by destination only). */
struct netif *ip4_route_src(const ip4_addr_t *src, const ip4_addr_t *dest);

/* A received IPv4 packet; p->payload is the IP header. Takes p; ERR_OK. */
err_t ip4_input(struct pbuf *p, struct netif *inp);

/* Send p (payload = the transport header) from src (IP_ADDR_ANY or NULL:
 * the interface's address) to dest, routed by ip4_route. ERR_RTE if there
 * is no route. ttl, tos and proto go into the header. */
err_t ip4_output(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                 u8_t ttl, u8_t tos, u8_t proto);
/* The same through a given interface. dest == LWIP_IP_HDRINCL (NULL)
 * means p already starts with a complete IP header (sent as it is). */
err_t ip4_output_if(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                    u8_t ttl, u8_t tos, u8_t proto, struct netif *netif);
/* As ip4_output_if, but src is used as given, even 0.0.0.0 (DHCP). */
err_t ip4_output_if_src(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                        u8_t ttl, u8_t tos, u8_t proto, struct netif *netif);
/* netglass extension: as ip4_output_if_src, with header flags: IP_DF sets
 * "don't fragment", and then a packet larger than the MTU is refused with
 * ERR_VAL instead of fragmented. */
err_t ip4_output_if_flags(struct pbuf *p, const ip4_addr_t *src, const ip4_addr_t *dest,
                          u8_t ttl, u8_t tos, u8_t proto, struct netif *netif, u16_t flags);

/* netglass: forward packets that are not ours (RFC 1812)? Starts as
 * IP_FORWARD; a test or a GDB session may switch it. */
extern u8_t ip4_forwarding;

#define ip4_netif_get_local_ip(netif) (((netif) != NULL) ? netif_ip_addr4(netif) : NULL)

/* lwIP prints headers with IP_DEBUG; netglass traces instead. */
#define ip4_debug_print(p) ((void)(p))

#endif
