/*
 * lwip/netdb.h - name resolution for sockets (api/netdb.c) over the DNS
 * client (net/dns.c): lwip_gethostbyname(_r) and lwip_getaddrinfo, lwIP 2.x
 * names; with LWIP_COMPAT_SOCKETS also gethostbyname, getaddrinfo, ...
 * IPv4 only.
 */
#ifndef LWIP_HDR_NETDB_H
#define LWIP_HDR_NETDB_H

#include <stddef.h>

#include "lwip/opt.h"
#include "lwip/sockets.h"

/* getaddrinfo's errors (and h_errno's). */
#ifndef EAI_NONAME
#define EAI_NONAME   200    /* no such name */
#define EAI_SERVICE  201    /* the service is not a number */
#define EAI_FAIL     202    /* the lookup failed (no answer, no memory) */
#define EAI_MEMORY   203
#define EAI_FAMILY   204    /* not AF_INET / AF_UNSPEC */
#define HOST_NOT_FOUND 210
#define NO_DATA        211
#define NO_RECOVERY    212
#define TRY_AGAIN      213
#endif

#define AI_PASSIVE     0x01
#define AI_CANONNAME   0x02
#define AI_NUMERICHOST 0x04
#define AI_NUMERICSERV 0x08

struct hostent {
    char *h_name;
    char **h_aliases;
    int h_addrtype;        /* AF_INET */
    int h_length;          /* 4 */
    char **h_addr_list;    /* struct in_addr pointers, NULL-terminated */
#define h_addr h_addr_list[0]
};

struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
    struct addrinfo *ai_next;
};

#ifndef NETDB_ELEM_SIZE
#define NETDB_ELEM_SIZE (sizeof(struct addrinfo) + sizeof(struct sockaddr_storage) + DNS_MAX_NAME_LENGTH + 1)
#endif

extern int h_errno;

struct hostent *lwip_gethostbyname(const char *name);   /* not reentrant */
int lwip_gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop);
void lwip_freeaddrinfo(struct addrinfo *ai);
int lwip_getaddrinfo(const char *nodename, const char *servname, const struct addrinfo *hints,
                     struct addrinfo **res);

#if LWIP_COMPAT_SOCKETS
#define gethostbyname(name) lwip_gethostbyname(name)
#define gethostbyname_r(name, ret, buf, buflen, result, h_errnop) \
    lwip_gethostbyname_r(name, ret, buf, buflen, result, h_errnop)
#define freeaddrinfo(addrinfo) lwip_freeaddrinfo(addrinfo)
#define getaddrinfo(nodname, servname, hints, res) lwip_getaddrinfo(nodname, servname, hints, res)
#endif

#endif
