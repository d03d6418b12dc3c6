/*
 * lwip/dns.h - the DNS client (net/dns.c, RFC 1035 4.1 messages, A records
 * only), lwIP 2.x API.
 *
 * dns_gethostbyname(name, &addr, found, arg) answers at once from a
 * dotted quad, "localhost" or the cache (ERR_OK), or sends a query and
 * returns ERR_INPROGRESS; found(name, addr or NULL, arg) is called later
 * in tcpip_thread with the answer, or NULL when every server and retry
 * (DNS_MAX_RETRIES, one per DNS_TMR_INTERVAL) has failed. The cache keeps
 * DNS_TABLE_SIZE names for their TTL (RFC 1035 3.2.1). Queries use a random
 * id and source port and the answer must match both and the name
 * (RFC 5452 4, 9.1); anything else is a counted drop. dns_tmr runs every
 * DNS_TMR_INTERVAL from the sys_timeout list. Servers come from DHCP
 * (option 6) or dns_setserver. Runs in tcpip_thread like all of the core.
 */
#ifndef LWIP_HDR_DNS_H
#define LWIP_HDR_DNS_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"

#define DNS_SERVER_PORT 53

/* dns_gethostbyname_addrtype's types (IPv4 only here). */
#define LWIP_DNS_ADDRTYPE_IPV4      0
#define LWIP_DNS_ADDRTYPE_IPV6      1
#define LWIP_DNS_ADDRTYPE_IPV4_IPV6 2
#define LWIP_DNS_ADDRTYPE_IPV6_IPV4 3
#define LWIP_DNS_ADDRTYPE_DEFAULT   LWIP_DNS_ADDRTYPE_IPV4

typedef void (*dns_found_callback)(const char *name, const ip_addr_t *ipaddr, void *callback_arg);

void dns_init(void);
void dns_tmr(void);
void dns_setserver(u8_t numdns, const ip_addr_t *dnsserver);
const ip_addr_t *dns_getserver(u8_t numdns);
err_t dns_gethostbyname(const char *hostname, ip_addr_t *addr, dns_found_callback found,
                        void *callback_arg);
err_t dns_gethostbyname_addrtype(const char *hostname, ip_addr_t *addr,
                                 dns_found_callback found, void *callback_arg,
                                 u8_t dns_addrtype);

/* netglass: counters for the statistics page and the tests. */
struct dns_stats {
    u32_t queries, answers, retries, failures, cache_hits, dropped;
};
extern struct dns_stats dns_stats;

#endif
