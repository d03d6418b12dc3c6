/*
 * net/ip4_addr.c - IPv4 addresses: the dotted-decimal conversions and the
 * questions IPv4 asks about an address (is it a broadcast on this netif, is
 * this a netmask). Addresses are u32_t in network byte order throughout.
 */
#include <string.h>

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"

const ip4_addr_t ip_addr_any4 = IPADDR4_INIT(IPADDR_ANY);
const ip4_addr_t ip_addr_broadcast4 = IPADDR4_INIT(IPADDR_BROADCAST);

/*
 * RFC 1122 3.2.1.3 lists the broadcast forms: {-1, -1} (limited broadcast,
 * 255.255.255.255) and {<Network-number>, -1} (directed broadcast to this
 * subnet). As lwIP does, 0.0.0.0 also counts, because an IP layer must never
 * treat it as a unicast address of a peer. A subnet broadcast is only one
 * on a netif that can broadcast at all.
 * NOTE: RFC 1122 3.3.6 asks hosts to also accept the old 4.2BSD forms with
 * 0 in place of -1 ({<net>, 0}); like lwIP we do not.
 */
u8_t ip4_addr_isbroadcast_u32(u32_t addr, const struct netif *netif)
{
    if (addr == IPADDR_BROADCAST || addr == IPADDR_ANY)
        return 1;
    if (netif == NULL || !(netif->flags & NETIF_FLAG_BROADCAST))
        return 0;
    u32_t ours = ip4_addr_get_u32(netif_ip4_addr(netif));
    u32_t mask = ip4_addr_get_u32(netif_ip4_netmask(netif));
    if (addr == ours)
        return 0;               /* a /32 or /31 host address is not a broadcast */
    return (addr & mask) == (ours & mask) && (addr & ~mask) == (IPADDR_BROADCAST & ~mask);
}

/* A netmask is ones followed by zeros (RFC 950 allowed others; RFC 1812
 * 5.2.4.2 no longer does), so in host order ~mask + 1 is a power of two. */
u8_t ip4_addr_netmask_valid(u32_t netmask)
{
    u32_t host_bits = ~lwip_ntohl(netmask);
    return (host_bits & (host_bits + 1)) == 0;
}

/* c's value as a digit of a number in base 8, 10 or 16; 16 if it is not
 * a digit in any of them. */
static unsigned digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    c = (char)(c | 0x20);       /* 'A'..'F' to 'a'..'f' (no other character lands there) */
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    return 16;
}

/* One number as inet_aton(3) reads it: 0x.. hex, 0.. octal, else decimal.
 * Returns the character after it, or NULL on a bad or too large number. */
static const char *parse_part(const char *cp, u32_t *out)
{
    unsigned base = 10, digit;
    if (digit_value(*cp) >= 10)
        return NULL;
    if (cp[0] == '0') {
        base = 8;
        cp++;
        if ((*cp | 0x20) == 'x') {
            base = 16;
            cp++;
            if (digit_value(*cp) >= 16)
                return NULL;
        }
    }
    u32_t v = 0;
    while ((digit = digit_value(*cp)) < base) {
        if (v > (0xffffffffUL - digit) / base)
            return NULL;
        v = v * base + digit;
        cp++;
    }
    if (digit < 10)
        return NULL;            /* an 8 or 9 in an octal number */
    *out = v;
    return cp;
}

/*
 * The forms inet_aton(3) accepts: a.b.c.d, a.b.c (c fills 16 bits), a.b
 * (b fills 24 bits) and a (32 bits), each part decimal, octal or hex, and
 * the string may end in white space. Returns 1 and stores the address (if
 * addr is not NULL), or 0.
 */
int ip4addr_aton(const char *cp, ip4_addr_t *addr)
{
    u32_t parts[4];
    int n = 0;
    for (;;) {
        cp = parse_part(cp, &parts[n]);
        if (cp == NULL)
            return 0;
        n++;
        if (*cp != '.')
            break;
        if (n == 4)
            return 0;
        cp++;
    }
    /* the end, or white space: ' ', or '\t' '\n' '\v' '\f' '\r', which are
     * consecutive in ASCII */
    if (*cp != '\0' && *cp != ' ' && (unsigned)(*cp - '\t') > (unsigned)('\r' - '\t'))
        return 0;

    /* the last part fills the 32 - 8 * (n - 1) bits the others leave */
    u32_t value = parts[n - 1];
    if (value > 0xffffffffUL >> (8 * (n - 1)))
        return 0;
    for (int i = 0; i < n - 1; i++) {
        if (parts[i] > 0xff)
            return 0;
        value |= parts[i] << (24 - 8 * i);
    }
    if (addr)
        ip4_addr_set_u32(addr, lwip_htonl(value));
    return 1;
}

u32_t ipaddr_addr(const char *cp)
{
    ip4_addr_t a;
    if (ip4addr_aton(cp, &a))
        return ip4_addr_get_u32(&a);
    return IPADDR_NONE;
}

char *ip4addr_ntoa_r(const ip4_addr_t *addr, char *buf, int buflen)
{
    char tmp[IP4ADDR_STRLEN_MAX];
    int len = 0;
    for (int i = 0; i < 4; i++) {
        unsigned b = ((const u8_t *)&addr->addr)[i];
        if (i)
            tmp[len++] = '.';
        /* the hundreds, tens and ones digits, without leading zeros */
        for (unsigned d = 100; d > 0; d /= 10) {
            if (b >= d || d == 1)
                tmp[len++] = (char)('0' + b / d % 10);
        }
    }
    if (len >= buflen)
        return NULL;
    memcpy(buf, tmp, (size_t)len);
    buf[len] = '\0';
    return buf;
}

/* Not reentrant: one static buffer, as in lwIP. */
char *ip4addr_ntoa(const ip4_addr_t *addr)
{
    static char str[IP4ADDR_STRLEN_MAX];
    return ip4addr_ntoa_r(addr, str, sizeof str);
}
