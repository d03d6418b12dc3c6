/*
 * lwip/inet.h - struct in_addr and the classic address conversions
 * (inet_addr, inet_aton, inet_ntoa) over lwip/ip4_addr.h; htons and
 * friends come from lwip/def.h.
 */
#ifndef LWIP_HDR_INET_H
#define LWIP_HDR_INET_H

#include "lwip/opt.h"
#include "lwip/def.h"
#include "lwip/ip_addr.h"

#ifndef IN_ADDR_T_DEFINED
typedef u32_t in_addr_t;
#define IN_ADDR_T_DEFINED
#endif

struct in_addr {
    in_addr_t s_addr;     /* network byte order */
};

#define INADDR_NONE      IPADDR_NONE
#define INADDR_LOOPBACK  IPADDR_LOOPBACK
#define INADDR_ANY       IPADDR_ANY
#define INADDR_BROADCAST IPADDR_BROADCAST
#define INET_ADDRSTRLEN  IP4ADDR_STRLEN_MAX

/* struct in_addr and ip4_addr_t have the same layout (one u32_t). */
#define inet_addr_from_ip4addr(target_inaddr, source_ipaddr) \
    ((target_inaddr)->s_addr = ip4_addr_get_u32(source_ipaddr))
#define inet_addr_to_ip4addr(target_ipaddr, source_inaddr) \
    (ip4_addr_set_u32(target_ipaddr, (source_inaddr)->s_addr))

#define inet_addr(cp)                 ipaddr_addr(cp)
#define inet_aton(cp, addr)           ip4addr_aton(cp, (ip4_addr_t *)(addr))
#define inet_ntoa(addr)               ip4addr_ntoa((const ip4_addr_t *)&(addr))
#define inet_ntoa_r(addr, buf, buflen) ip4addr_ntoa_r((const ip4_addr_t *)&(addr), buf, buflen)

#endif
