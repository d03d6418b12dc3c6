/*
 * lwip/ip_addr.h - the generic address type. netglass is IPv4 only
 * (LWIP_IPV6 = 0), so, as in lwIP built that way, ip_addr_t is ip4_addr_t
 * and the ip_addr_* names map onto the ip4_addr_* ones.
 */
#ifndef LWIP_HDR_IP_ADDR_H
#define LWIP_HDR_IP_ADDR_H

#include "lwip/ip4_addr.h"

typedef ip4_addr_t ip_addr_t;

/* The address families a PCB can be created for (udp_new_ip_type,
 * raw_new_ip_type, ...), with lwIP's values; only V4 exists here. */
enum lwip_ip_addr_type {
    IPADDR_TYPE_V4 = 0U,
    IPADDR_TYPE_V6 = 6U,
    IPADDR_TYPE_ANY = 46U
};
#define IP_GET_TYPE(ipaddr) IPADDR_TYPE_V4

#define IPADDR4_INIT(u32val) { u32val }
#define IPADDR4_INIT_BYTES(a, b, c, d) IPADDR4_INIT(PP_HTONL(LWIP_MAKEU32(a, b, c, d)))
#define IP_IS_V4(ipaddr) 1
#define IP_IS_V4_VAL(ipaddr) 1
#define IP_IS_V6(ipaddr) 0
#define IP_IS_V6_VAL(ipaddr) 0
#define IP_IS_ANY_TYPE_VAL(ipaddr) 0
#define ip_2_ip4(ipaddr) (ipaddr)
#define IP_ADDR4(ipaddr, a, b, c, d) IP4_ADDR(ipaddr, a, b, c, d)
#define ip_addr_copy(dest, src) ip4_addr_copy(dest, src)
#define ip_addr_set(dest, src) ip4_addr_set(dest, src)
#define ip_addr_set_zero(ipaddr) ip4_addr_set_zero(ipaddr)
#define ip_addr_set_any(is_ipv6, ipaddr) ip4_addr_set_any(ipaddr)
#define ip_addr_set_loopback(is_ipv6, ipaddr) ip4_addr_set_loopback(ipaddr)
#define ip_addr_get_ip4_u32(ipaddr) ip4_addr_get_u32(ipaddr)
#define ip_addr_cmp(a, b) ip4_addr_eq(a, b)
#define ip_addr_eq(a, b) ip4_addr_eq(a, b)
#define ip_addr_netcmp(a, b, mask) ip4_addr_net_eq(a, b, mask)
#define ip_addr_isany(ipaddr) ip4_addr_isany(ipaddr)
#define ip_addr_isany_val(ipaddr) ip4_addr_isany_val(ipaddr)
#define ip_addr_isbroadcast(ipaddr, netif) ip4_addr_isbroadcast(ipaddr, netif)
#define ip_addr_ismulticast(ipaddr) ip4_addr_ismulticast(ipaddr)
#define ip_addr_isloopback(ipaddr) ip4_addr_isloopback(ipaddr)
#define ip_addr_islinklocal(ipaddr) ip4_addr_islinklocal(ipaddr)
#define ipaddr_ntoa(ipaddr) ip4addr_ntoa(ipaddr)
#define ipaddr_ntoa_r(ipaddr, buf, buflen) ip4addr_ntoa_r(ipaddr, buf, buflen)
#define ipaddr_aton(cp, addr) ip4addr_aton(cp, addr)
#define IPADDR_STRLEN_MAX IP4ADDR_STRLEN_MAX

#define IP_ADDR_ANY IP4_ADDR_ANY
#define IP4_ADDR_ANY4 (&ip_addr_any4)
#define IP_ADDR_BROADCAST IP4_ADDR_BROADCAST
#define IP_ANY_TYPE IP_ADDR_ANY
#define ip_addr_any ip_addr_any4
#define ip_addr_broadcast ip_addr_broadcast4

#endif
