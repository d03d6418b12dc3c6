/*
 * api/netdb.c - name resolution for socket programs (lwip/netdb.h):
 * lwip_gethostbyname, lwip_gethostbyname_r, lwip_getaddrinfo and
 * lwip_freeaddrinfo, IPv4 only, over netconn_gethostbyname (which crosses
 * to tcpip_thread and waits for the DNS client, net/dns.c).
 *
 * A numeric address ("10.0.2.2") is converted here without crossing to
 * tcpip_thread; every other name goes through netconn_gethostbyname.
 * getaddrinfo's result is one block from the heap (addrinfo, then the
 * sockaddr_in, then the canonical name), so lwip_freeaddrinfo is one
 * mem_free per element. Runs in application threads.
 */
#include <string.h>

#include "lwip/api.h"
#include "lwip/def.h"
#include "lwip/errno.h"
#include "lwip/inet.h"
#include "lwip/ip_addr.h"
#include "lwip/mem.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"

#if LWIP_DNS && LWIP_SOCKET

/* NOTE: one h_errno for every thread, as in lwIP (POSIX leaves it per
 * thread implementation-defined). */
int h_errno;

/* name's address: numeric ones here, others through the DNS client. */
static err_t netdb_resolve(const char *name, ip_addr_t *addr)
{
    if (ipaddr_aton(name, addr))
        return ERR_OK;
    return netconn_gethostbyname(name, addr);
}

/* What lwip_gethostbyname_r keeps in the caller's buffer. */
struct gethostbyname_r_helper {
    ip_addr_t addr;
    ip_addr_t *addr_list[2];
    char *aliases;
};

int lwip_gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop)
{
    int dummy;
    if (h_errnop == NULL)
        h_errnop = &dummy;
    if (result != NULL)
        *result = NULL;
    if (name == NULL || ret == NULL || buf == NULL || result == NULL) {
        *h_errnop = EINVAL;
        return -1;
    }
    size_t namelen = strnlen(name, DNS_MAX_NAME_LENGTH + 1);
    if (namelen > DNS_MAX_NAME_LENGTH) {
        *h_errnop = HOST_NOT_FOUND;
        return -1;
    }
    /* the helper at the first aligned place in buf, the name after it */
    size_t skew = (size_t)(-(uintptr_t)buf & (sizeof(void *) - 1));
    if (buflen < skew + sizeof(struct gethostbyname_r_helper) + namelen + 1) {
        *h_errnop = ERANGE;
        return -1;
    }
    struct gethostbyname_r_helper *h = (struct gethostbyname_r_helper *)(void *)(buf + skew);
    char *hostname = (char *)(h + 1);
    if (netdb_resolve(name, &h->addr) != ERR_OK) {
        *h_errnop = HOST_NOT_FOUND;
        return -1;
    }
    memcpy(hostname, name, namelen);
    hostname[namelen] = '\0';
    h->addr_list[0] = &h->addr;
    h->addr_list[1] = NULL;
    h->aliases = NULL;
    ret->h_name = hostname;
    ret->h_aliases = &h->aliases;
    ret->h_addrtype = AF_INET;
    ret->h_length = (int)sizeof(ip4_addr_t);
    ret->h_addr_list = (char **)h->addr_list;
    *result = ret;
    return 0;
}

struct hostent *lwip_gethostbyname(const char *name)
{
    static struct hostent ent;
    static union {
        char bytes[sizeof(struct gethostbyname_r_helper) + DNS_MAX_NAME_LENGTH + 1];
        void *align;
    } store;
    struct hostent *result;
    int err;
    if (lwip_gethostbyname_r(name, &ent, store.bytes, sizeof store.bytes, &result, &err) != 0) {
        h_errno = err;
        return NULL;
    }
    return result;
}

void lwip_freeaddrinfo(struct addrinfo *ai)
{
    while (ai != NULL) {
        struct addrinfo *next = ai->ai_next;
        mem_free(ai);
        ai = next;
    }
}

/* A decimal port 0..65535, or -1. */
static int netdb_port(const char *s)
{
    if (s[0] == '\0')
        return -1;
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > 0xffff)
            return -1;
    }
    return (int)v;
}

int lwip_getaddrinfo(const char *nodename, const char *servname, const struct addrinfo *hints,
                     struct addrinfo **res)
{
    if (res == NULL)
        return EAI_FAIL;
    *res = NULL;
    if (nodename == NULL && servname == NULL)
        return EAI_NONAME;
    int flags = hints ? hints->ai_flags : 0;
    if (hints != NULL && hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET)
        return EAI_FAMILY;
    int port = 0;
    if (servname != NULL) {
        port = netdb_port(servname);    /* no services database: numbers only */
        if (port < 0)
            return EAI_SERVICE;
    }

    ip_addr_t addr;
    size_t namelen = 0;
    if (nodename != NULL) {
        namelen = strnlen(nodename, DNS_MAX_NAME_LENGTH + 1);
        if (namelen > DNS_MAX_NAME_LENGTH)
            return EAI_FAIL;
        if (flags & AI_NUMERICHOST) {
            if (!ipaddr_aton(nodename, &addr))
                return EAI_NONAME;
        } else if (netdb_resolve(nodename, &addr) != ERR_OK) {
            return EAI_FAIL;
        }
    } else if (flags & AI_PASSIVE) {
        ip_addr_set_any(0, &addr);          /* to bind to */
    } else {
        ip_addr_set_loopback(0, &addr);     /* to connect to ourselves */
    }

    size_t total = sizeof(struct addrinfo) + sizeof(struct sockaddr_storage);
    int canon = nodename != NULL && (flags & AI_CANONNAME);
    if (canon)
        total += namelen + 1;
    struct addrinfo *ai = mem_malloc((mem_size_t)total);
    if (ai == NULL)
        return EAI_MEMORY;
    memset(ai, 0, total);
    struct sockaddr_in *sa = (struct sockaddr_in *)(void *)((u8_t *)ai + sizeof *ai);
    sa->sin_len = sizeof *sa;
    sa->sin_family = AF_INET;
    sa->sin_port = lwip_htons((u16_t)port);
    inet_addr_from_ip4addr(&sa->sin_addr, &addr);
    ai->ai_family = AF_INET;
    if (hints != NULL) {
        ai->ai_socktype = hints->ai_socktype;
        ai->ai_protocol = hints->ai_protocol;
    }
    ai->ai_flags = flags;
    ai->ai_addrlen = sizeof *sa;
    ai->ai_addr = (struct sockaddr *)sa;
    if (canon) {
        ai->ai_canonname = (char *)ai + sizeof *ai + sizeof(struct sockaddr_storage);
        memcpy(ai->ai_canonname, nodename, namelen);
    }
    *res = ai;
    return 0;
}

#endif /* LWIP_DNS && LWIP_SOCKET */
