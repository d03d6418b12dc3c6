/*
 * lwip/ip4_addr.h - IPv4 addresses, as lwIP 2.x spells them. An address is
 * kept in network byte order in a u32_t, so 10.0.2.15 is stored as the
 * bytes 10, 0, 2, 15. Both the 2.1 names (ip4_addr_cmp) and the 2.2 names
 * (ip4_addr_eq) are provided.
 */
#ifndef LWIP_HDR_IP4_ADDR_H
#define LWIP_HDR_IP4_ADDR_H

#include "lwip/def.h"

struct ip4_addr {
    u32_t addr;
};
typedef struct ip4_addr ip4_addr_t;

struct netif;

#define IPADDR_NONE ((u32_t)0xffffffffUL)
#define IPADDR_LOOPBACK ((u32_t)0x7f000001UL)
#define IPADDR_ANY ((u32_t)0x00000000UL)
#define IPADDR_BROADCAST ((u32_t)0xffffffffUL)

extern const ip4_addr_t ip_addr_any4;
extern const ip4_addr_t ip_addr_broadcast4;
#define IP4_ADDR_ANY (&ip_addr_any4)
#define IP4_ADDR_ANY4 (&ip_addr_any4)
#define IP4_ADDR_BROADCAST (&ip_addr_broadcast4)

#define LWIP_MAKEU32(a, b, c, d) (((u32_t)((a) & 0xff) << 24) | ((u32_t)((b) & 0xff) << 16) | \
                                  ((u32_t)((c) & 0xff) << 8) | (u32_t)((d) & 0xff))
#define IP4_ADDR(ipaddr, a, b, c, d) (ipaddr)->addr = PP_HTONL(LWIP_MAKEU32(a, b, c, d))
#define ip4_addr_copy(dest, src) ((dest).addr = (src).addr)
#define ip4_addr_set(dest, src) ((dest)->addr = ((src) == NULL ? 0 : (src)->addr))
#define ip4_addr_set_zero(ipaddr) ((ipaddr)->addr = 0)
#define ip4_addr_set_any(ipaddr) ((ipaddr)->addr = IPADDR_ANY)
#define ip4_addr_set_loopback(ipaddr) ((ipaddr)->addr = PP_HTONL(IPADDR_LOOPBACK))
#define ip4_addr_set_u32(dest, src) ((dest)->addr = (src))
#define ip4_addr_get_u32(src) ((src)->addr)
#define ip4_addr_isany_val(a) ((a).addr == IPADDR_ANY)
#define ip4_addr_isany(a) ((a) == NULL || ip4_addr_isany_val(*(a)))
#define ip4_addr_isloopback(a) (((a)->addr & PP_HTONL(0xff000000UL)) == PP_HTONL(0x7f000000UL))
#define ip4_addr_ismulticast(a) (((a)->addr & PP_HTONL(0xf0000000UL)) == PP_HTONL(0xe0000000UL))
#define ip4_addr_islinklocal(a) (((a)->addr & PP_HTONL(0xffff0000UL)) == PP_HTONL(0xa9fe0000UL))
#define ip4_addr_eq(a, b) ((a)->addr == (b)->addr)
#define ip4_addr_cmp(a, b) ip4_addr_eq(a, b)
#define ip4_addr_net_eq(a, b, mask) \
    (((a)->addr & (mask)->addr) == ((b)->addr & (mask)->addr))
#define ip4_addr_netcmp(a, b, mask) ip4_addr_net_eq(a, b, mask)
#define ip4_addr_isbroadcast(ipaddr, netif) ip4_addr_isbroadcast_u32((ipaddr)->addr, (netif))
u8_t ip4_addr_isbroadcast_u32(u32_t addr, const struct netif *netif);
u8_t ip4_addr_netmask_valid(u32_t netmask);

/* The four bytes, in the order they are written: a.b.c.d */
#define ip4_addr1(a) (((const u8_t *)(&(a)->addr))[0])
#define ip4_addr2(a) (((const u8_t *)(&(a)->addr))[1])
#define ip4_addr3(a) (((const u8_t *)(&(a)->addr))[2])
#define ip4_addr4(a) (((const u8_t *)(&(a)->addr))[3])
#define ip4_addr1_16(a) ((u16_t)ip4_addr1(a))
#define ip4_addr2_16(a) ((u16_t)ip4_addr2(a))
#define ip4_addr3_16(a) ((u16_t)ip4_addr3(a))
#define ip4_addr4_16(a) ((u16_t)ip4_addr4(a))

#define IP4ADDR_STRLEN_MAX 16

u32_t ipaddr_addr(const char *cp);
int ip4addr_aton(const char *cp, ip4_addr_t *addr);
char *ip4addr_ntoa(const ip4_addr_t *addr);             /* not reentrant */
char *ip4addr_ntoa_r(const ip4_addr_t *addr, char *buf, int buflen);

#endif
