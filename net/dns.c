/*
 * net/dns.c - the DNS client (RFC 1035; A records only) behind lwIP 2.x's
 * API (lwip/dns.h).
 *
 * dns_table holds DNS_TABLE_SIZE names, each either a query in flight
 * (ASKING) or an answer cached for its TTL (DONE, capped at DNS_MAX_TTL).
 * A lookup for a name that is being asked joins that query (dns_requests
 * holds the callbacks); a new name takes a free entry or the cached one
 * used least recently. Queries in flight are never replaced.
 *
 * A query is one question (QTYPE A, QCLASS IN, recursion desired), sent
 * from a UDP PCB of its own on a random port with a random id (RFC 5452
 * 9.2, 4); an answer must come from the server asked, from port 53, with
 * the id and the question asked, or it is dropped as DNS_UNMATCHED, and
 * one that does not parse as DNS_MALFORMED (names may be compressed, RFC
 * 1035 4.1.4, but a pointer must point before the part of the name it is
 * in, so a loop cannot be followed). The first A record answers.
 *
 * dns_tmr (every DNS_TMR_INTERVAL) resends a query that has no answer yet,
 * DNS_MAX_RETRIES times per server, then asks the next server, then
 * reports failure (found(name, NULL)). It is on the sys_timeout list only
 * while a query is in flight: cached answers expire by the clock
 * (sys_now), checked when they are looked up, so a program that resolved
 * a name once does not get a timer record every second for an hour.
 *
 * Every lookup that ends is a DNS_RESULT record; dns_stats counts them.
 * NOTE: the random numbers come from an xorshift generator seeded by
 * ng_board_random_seed (a 32-bit seed): enough to keep an off-path
 * attacker guessing 32 bits of id and port, not a cryptographic source.
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/prot/dns.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "board.h"
#include "trace.h"

#if LWIP_DNS

#ifndef DNS_MAX_TTL
#define DNS_MAX_TTL 3600            /* seconds an answer is kept at most */
#endif
#define DNS_PORT_TRIES 8            /* random ports tried before giving up */

enum dns_entry_state { DNS_STATE_UNUSED = 0, DNS_STATE_ASKING, DNS_STATE_DONE };

struct dns_table_entry {
    u8_t state;
    u8_t server;                /* index in dns_servers of the one asked */
    u8_t sends;                 /* queries sent to it */
    u8_t tmr;                   /* dns_tmr runs until the next retry */
    u16_t txid;
    u32_t expires;              /* DONE: sys_now() when the answer goes */
    u32_t used;                 /* DONE: dns_clock when last used (LRU) */
    ip_addr_t ipaddr;
    struct udp_pcb *pcb;        /* ASKING: the query's own PCB */
    char name[DNS_MAX_NAME_LENGTH + 1];
};

/* A caller waiting for an entry's answer. */
struct dns_req {
    dns_found_callback found;
    void *arg;
    u8_t entry;
    u8_t used;
};

struct dns_stats dns_stats;

static struct dns_table_entry dns_table[DNS_TABLE_SIZE];
static struct dns_req dns_requests[DNS_TABLE_SIZE];
static ip_addr_t dns_servers[DNS_MAX_SERVERS];
static u32_t dns_clock;
static u8_t dns_tmr_armed;
static u32_t dns_rand_state;

/* ---- small helpers ----------------------------------------------------------------- */

static u32_t dns_rand(void)
{
    if (dns_rand_state == 0)
        dns_rand_state = (ng_board_random_seed() ^ 0x646e7321u) | 1u;
    u32_t x = dns_rand_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    dns_rand_state = x;
    return x;
}

static char dns_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Names compare without regard to case (RFC 1035 2.3.3), and "a.b." is
 * "a.b". */
static int dns_name_eq(const char *a, const char *b)
{
    while (*a && *b) {
        if (dns_lower(*a) != dns_lower(*b))
            return 0;
        a++;
        b++;
    }
    return (*a == '\0' || (a[0] == '.' && a[1] == '\0')) &&
           (*b == '\0' || (b[0] == '.' && b[1] == '\0'));
}

static u16_t get16(const u8_t *b)
{
    return (u16_t)(b[0] << 8 | b[1]);
}

static u32_t get32(const u8_t *b)
{
    return (u32_t)b[0] << 24 | (u32_t)b[1] << 16 | (u32_t)b[2] << 8 | b[3];
}

static void put16(u8_t *b, u16_t v)
{
    b[0] = (u8_t)(v >> 8);
    b[1] = (u8_t)v;
}

static int dns_time_before(u32_t a, u32_t b)
{
    return (s32_t)(a - b) < 0;
}

/* The length of name in a message (RFC 1035 3.1: labels of 1..63 bytes,
 * each after its length, then a 0), or 0 if it cannot be one. A single
 * trailing dot is allowed. */
static u16_t dns_name_wire_len(const char *name)
{
    size_t len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > DNS_MAX_NAME_LENGTH)
        return 0;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '.') {
            if (label == 0)
                return 0;       /* an empty label: "a..b", ".a" */
            label = 0;
        } else if (++label > DNS_LABEL_MAX) {
            return 0;
        }
    }
    if (label == 0)
        return 0;
    return (u16_t)(len + 2);
}

/* Write name as labels at b (dns_name_wire_len said it fits). */
static void dns_put_name(u8_t *b, const char *name)
{
    u8_t *len_at = b++;
    *len_at = 0;
    for (; *name; name++) {
        if (*name == '.') {
            if (name[1] == '\0')
                break;
            len_at = b++;
            *len_at = 0;
        } else {
            *b++ = (u8_t)*name;
            (*len_at)++;
        }
    }
    *b = 0;
}

/* Walk the name at off in the message b[0..len) (RFC 1035 4.1.4). Returns
 * the offset just after the name where it sits (after its pointer, if it
 * ends in one), or -1 if it runs past the end, has a label type other
 * than 00 and 11, is longer than 255 bytes, or has a pointer that does not
 * point before the labels it ends: each jump then goes lower, so loops
 * are impossible. With cmp, *match says whether the name is cmp. */
static int dns_walk_name(const u8_t *b, u16_t len, u16_t off, const char *cmp, int *match)
{
    int end = -1;
    u16_t pos = off, seg_start = off;
    u16_t total = 0;
    size_t ci = 0;
    int ok = cmp != NULL;
    for (;;) {
        if (pos >= len)
            return -1;
        u8_t c = b[pos];
        if ((c & DNS_LABEL_PTR) == DNS_LABEL_PTR) {
            if (pos + 1 >= len)
                return -1;
            u16_t target = (u16_t)((c & 0x3f) << 8 | b[pos + 1]);
            if (target >= seg_start)
                return -1;
            if (end < 0)
                end = pos + 2;
            pos = seg_start = target;
            continue;
        }
        if (c & DNS_LABEL_PTR)
            return -1;          /* 01 and 10: reserved (RFC 1035 4.1.4) */
        if (c == 0) {
            if (end < 0)
                end = pos + 1;
            break;
        }
        if ((u32_t)pos + 1 + c > len)
            return -1;
        total = (u16_t)(total + c + 1);
        if (total > DNS_NAME_WIRE_MAX)
            return -1;
        if (ok) {
            if (ci > 0 && cmp[ci++] != '.')
                ok = 0;
            for (u8_t k = 0; ok && k < c; k++, ci++) {
                if (cmp[ci] == '\0' || dns_lower(cmp[ci]) != dns_lower((char)b[pos + 1 + k]))
                    ok = 0;
            }
        }
        pos = (u16_t)(pos + 1 + c);
    }
    if (match)
        *match = ok && (cmp[ci] == '\0' || (cmp[ci] == '.' && cmp[ci + 1] == '\0'));
    return end;
}

/* ---- the table --------------------------------------------------------------------- */

static int dns_any_asking(void)
{
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        if (dns_table[i].state == DNS_STATE_ASKING)
            return 1;
    }
    return 0;
}

static void dns_timeout_cb(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    dns_tmr_armed = 0;
    dns_tmr();
    if (!dns_tmr_armed && dns_any_asking()) {
        dns_tmr_armed = 1;
        sys_timeout(DNS_TMR_INTERVAL, dns_timeout_cb, NULL);
    }
}

static void dns_arm_timer(void)
{
    if (!dns_tmr_armed) {
        dns_tmr_armed = 1;
        sys_timeout(DNS_TMR_INTERVAL, dns_timeout_cb, NULL);
    }
}

static void dns_close_pcb(struct dns_table_entry *e)
{
    if (e->pcb != NULL) {
        udp_remove(e->pcb);
        e->pcb = NULL;
    }
}

/* A cached answer for name that has not expired, or -1. */
static int dns_lookup_cache(const char *name)
{
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        struct dns_table_entry *e = &dns_table[i];
        if (e->state != DNS_STATE_DONE)
            continue;
        if (!dns_time_before(sys_now(), e->expires)) {
            e->state = DNS_STATE_UNUSED;    /* its TTL ran out (RFC 1035 3.2.1) */
            continue;
        }
        if (dns_name_eq(e->name, name))
            return i;
    }
    return -1;
}

static int dns_find_asking(const char *name)
{
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        if (dns_table[i].state == DNS_STATE_ASKING && dns_name_eq(dns_table[i].name, name))
            return i;
    }
    return -1;
}

/* A free entry, else the cached one used least recently, else -1. */
static int dns_alloc_entry(void)
{
    int lru = -1;
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        struct dns_table_entry *e = &dns_table[i];
        if (e->state == DNS_STATE_UNUSED)
            return i;
        if (e->state == DNS_STATE_DONE && (lru < 0 || dns_time_before(e->used, dns_table[lru].used)))
            lru = i;
    }
    return lru;
}

static int dns_alloc_request(void)
{
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        if (!dns_requests[i].used)
            return i;
    }
    return -1;
}

/* The first configured server from index `from`, or -1. */
static int dns_next_server_from(int from)
{
    for (int i = from; i < DNS_MAX_SERVERS; i++) {
        if (!ip_addr_isany_val(dns_servers[i]))
            return i;
    }
    return -1;
}

/* The lookup of entry idx is over: addr (NULL: failed) for ttl seconds.
 * The callbacks are taken off the list before any runs, so one that
 * starts a new lookup cannot be mistaken for a waiter of this one. */
static void dns_finish(int idx, const ip_addr_t *addr, u32_t ttl, u8_t result)
{
    struct dns_table_entry *e = &dns_table[idx];
    NG_TRACE1(DNS_RESULT, result, addr ? ip4_addr_get_u32(addr) : 0);
    if (addr != NULL)
        dns_stats.answers++;
    else
        dns_stats.failures++;
    dns_close_pcb(e);
    char name[DNS_MAX_NAME_LENGTH + 1];
    memcpy(name, e->name, sizeof name);
    ip_addr_t answer;
    ip_addr_set_zero(&answer);
    if (addr != NULL)
        ip_addr_copy(answer, *addr);
    if (addr != NULL && ttl > 0) {
        e->state = DNS_STATE_DONE;
        ip_addr_copy(e->ipaddr, answer);
        e->expires = sys_now() + ttl * 1000u;
        e->used = ++dns_clock;
    } else {
        e->state = DNS_STATE_UNUSED;
    }
    if (dns_tmr_armed && !dns_any_asking()) {
        sys_untimeout(dns_timeout_cb, NULL);    /* nothing left to retry */
        dns_tmr_armed = 0;
    }
    struct dns_req waiting[DNS_TABLE_SIZE];
    int n = 0;
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        if (dns_requests[i].used && dns_requests[i].entry == idx) {
            waiting[n++] = dns_requests[i];
            dns_requests[i].used = 0;
        }
    }
    for (int i = 0; i < n; i++)
        waiting[i].found(name, addr ? &answer : NULL, waiting[i].arg);
}

/* ---- queries ----------------------------------------------------------------------- */

/* One query for entry e to its server (RFC 1035 4.1.1, 4.1.2). */
static void dns_send(struct dns_table_entry *e)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_dns_send, e);
    u16_t nlen = dns_name_wire_len(e->name);
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)(DNS_HDR_LEN + nlen + DNS_QUESTION_FIXED_LEN),
                                PBUF_RAM);
    if (e->sends > 0)
        dns_stats.retries++;
    e->sends++;
    e->tmr = 1;
    if (p != NULL) {
        u8_t *b = p->payload;
        memset(b, 0, DNS_HDR_LEN);
        put16(b + DNS_ID_OFS, e->txid);
        b[DNS_FLAGS1_OFS] = DNS_FLAG1_RD;
        put16(b + DNS_QDCOUNT_OFS, 1);
        dns_put_name(b + DNS_HDR_LEN, e->name);
        put16(b + DNS_HDR_LEN + nlen, DNS_RRTYPE_A);
        put16(b + DNS_HDR_LEN + nlen + 2, DNS_RRCLASS_IN);
        udp_sendto(e->pcb, p, &dns_servers[e->server], DNS_SERVER_PORT);
        pbuf_free(p);       /* a failed send is retried like a lost one */
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_dns_send);
}

/* Ask the next server, with a new id, or give up. */
static void dns_try_next_server(int idx)
{
    struct dns_table_entry *e = &dns_table[idx];
    int next = dns_next_server_from(e->server + 1);
    if (next < 0) {
        dns_finish(idx, NULL, 0, NG_dns_result_TIMEOUT);
        return;
    }
    e->server = (u8_t)next;
    e->sends = 0;
    dns_stats.retries++;            /* dns_send counts only repeats to one server */
    e->txid = (u16_t)dns_rand();
    dns_send(e);
}

void dns_tmr(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_dns_tmr, 0);
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        struct dns_table_entry *e = &dns_table[i];
        if (e->state != DNS_STATE_ASKING || --e->tmr > 0)
            continue;
        if (e->sends < DNS_MAX_RETRIES)
            dns_send(e);
        else
            dns_try_next_server(i);
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_dns_tmr);
}

static void dns_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                     u16_t port);

/* A UDP PCB on a random port for entry e (RFC 5452 9.2). */
static err_t dns_open_pcb(struct dns_table_entry *e)
{
    struct udp_pcb *pcb = udp_new();
    if (pcb == NULL)
        return ERR_MEM;
    for (int i = 0; i < DNS_PORT_TRIES; i++) {
        u16_t port = (u16_t)(UDP_LOCAL_PORT_RANGE_START +
                             dns_rand() % (UDP_LOCAL_PORT_RANGE_END - UDP_LOCAL_PORT_RANGE_START + 1u));
        if (udp_bind(pcb, IP_ADDR_ANY, port) == ERR_OK) {
            udp_recv(pcb, dns_recv, e);
            e->pcb = pcb;
            return ERR_OK;
        }
    }
    udp_remove(pcb);
    return ERR_USE;
}

static err_t dns_lookup(const char *name, ip_addr_t *addr, dns_found_callback found, void *arg,
                        u8_t addrtype)
{
    if (name == NULL || addr == NULL || name[0] == '\0')
        return ERR_ARG;
    if (strnlen(name, DNS_MAX_NAME_LENGTH + 1) > DNS_MAX_NAME_LENGTH)
        return ERR_ARG;
    if (addrtype == LWIP_DNS_ADDRTYPE_IPV6)
        return ERR_VAL;         /* IPv4 only */
    if (dns_name_eq(name, "localhost")) {
        ip_addr_set_loopback(0, addr);
        return ERR_OK;
    }
    if (ipaddr_aton(name, addr))
        return ERR_OK;          /* a dotted quad needs no server */
    if (dns_name_wire_len(name) == 0)
        return ERR_ARG;

    int idx = dns_lookup_cache(name);
    if (idx >= 0) {
        struct dns_table_entry *e = &dns_table[idx];
        e->used = ++dns_clock;
        ip_addr_copy(*addr, e->ipaddr);
        dns_stats.cache_hits++;
        NG_TRACE1(DNS_RESULT, NG_dns_result_CACHED, ip4_addr_get_u32(addr));
        return ERR_OK;
    }
    if (found == NULL)
        return ERR_ARG;
    int r = dns_alloc_request();
    if (r < 0)
        return ERR_MEM;
    idx = dns_find_asking(name);
    if (idx < 0) {
        int server = dns_next_server_from(0);
        if (server < 0)
            return ERR_VAL;     /* no server configured */
        idx = dns_alloc_entry();
        if (idx < 0)
            return ERR_MEM;     /* every entry is a query in flight */
        struct dns_table_entry *e = &dns_table[idx];
        memset(e, 0, sizeof *e);
        strcpy(e->name, name);
        if (dns_open_pcb(e) != ERR_OK)
            return ERR_MEM;     /* e stays UNUSED */
        e->state = DNS_STATE_ASKING;
        e->server = (u8_t)server;
        e->txid = (u16_t)dns_rand();
        dns_stats.queries++;
        dns_send(e);
        dns_arm_timer();
    }
    dns_requests[r].found = found;
    dns_requests[r].arg = arg;
    dns_requests[r].entry = (u8_t)idx;
    dns_requests[r].used = 1;
    return ERR_INPROGRESS;
}

err_t dns_gethostbyname_addrtype(const char *hostname, ip_addr_t *addr,
                                 dns_found_callback found, void *callback_arg,
                                 u8_t dns_addrtype)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_dns_gethostbyname, hostname);
    err_t err = dns_lookup(hostname, addr, found, callback_arg, dns_addrtype);
    NG_TRACE0(LAYER_EXIT, NG_layer_dns_gethostbyname);
    return err;
}

err_t dns_gethostbyname(const char *hostname, ip_addr_t *addr, dns_found_callback found,
                        void *callback_arg)
{
    return dns_gethostbyname_addrtype(hostname, addr, found, callback_arg,
                                      LWIP_DNS_ADDRTYPE_DEFAULT);
}

/* ---- answers ----------------------------------------------------------------------- */

/* Check and act on one reply for entry idx (contiguous). Returns 0, or
 * the drop reason. */
static unsigned dns_handle_answer(int idx, const u8_t *b, u16_t len, const ip_addr_t *from,
                                  u16_t port)
{
    struct dns_table_entry *e = &dns_table[idx];
    if (e->state != DNS_STATE_ASKING || port != DNS_SERVER_PORT ||
        !ip_addr_eq(from, &dns_servers[e->server]))
        return NG_drop_DNS_UNMATCHED;       /* RFC 5452 9.1: server and port */
    if (len < DNS_HDR_LEN)
        return NG_drop_DNS_MALFORMED;
    if (get16(b + DNS_ID_OFS) != e->txid)
        return NG_drop_DNS_UNMATCHED;
    if (!(b[DNS_FLAGS1_OFS] & DNS_FLAG1_RESPONSE) || get16(b + DNS_QDCOUNT_OFS) != 1)
        return NG_drop_DNS_MALFORMED;
    int match = 0;
    int off = dns_walk_name(b, len, DNS_HDR_LEN, e->name, &match);
    if (off < 0 || off + DNS_QUESTION_FIXED_LEN > len)
        return NG_drop_DNS_MALFORMED;
    if (!match || get16(b + off) != DNS_RRTYPE_A || get16(b + off + 2) != DNS_RRCLASS_IN)
        return NG_drop_DNS_UNMATCHED;       /* RFC 5452 9.1: the question */
    off += DNS_QUESTION_FIXED_LEN;

    u8_t rcode = b[DNS_FLAGS2_OFS] & DNS_FLAG2_RCODE;
    if (rcode == DNS_RCODE_NXDOMAIN) {
        dns_finish(idx, NULL, 0, NG_dns_result_NXDOMAIN);
        return 0;
    }
    if (rcode != DNS_RCODE_OK) {
        dns_try_next_server(idx);           /* SERVFAIL, REFUSED, ...: this server cannot */
        return 0;
    }
    u16_t ancount = get16(b + DNS_ANCOUNT_OFS);
    for (u16_t i = 0; i < ancount; i++) {
        int end = dns_walk_name(b, len, (u16_t)off, NULL, NULL);
        if (end < 0 || end + DNS_RR_FIXED_LEN > len)
            return NG_drop_DNS_MALFORMED;
        u16_t type = get16(b + end), cls = get16(b + end + 2);
        u32_t ttl = get32(b + end + 4);
        u16_t rdlen = get16(b + end + 8);
        if (end + DNS_RR_FIXED_LEN + rdlen > len)
            return NG_drop_DNS_MALFORMED;
        if (type == DNS_RRTYPE_A && cls == DNS_RRCLASS_IN && rdlen == 4) {
            ip_addr_t a;
            memcpy(&a.addr, b + end + DNS_RR_FIXED_LEN, 4);
            if (ttl > 0x7fffffffu)
                ttl = 0;                    /* RFC 2181 8: the top bit set means 0 */
            if (ttl > DNS_MAX_TTL)
                ttl = DNS_MAX_TTL;
            dns_finish(idx, &a, ttl, NG_dns_result_ANSWER);
            return 0;
        }
        off = end + DNS_RR_FIXED_LEN + rdlen;   /* CNAMEs and others: skipped */
    }
    /* An answer without an A record: the name has no IPv4 address. */
    dns_finish(idx, NULL, 0, NG_dns_result_NXDOMAIN);
    return 0;
}

static void dns_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                     u16_t port)
{
    LWIP_UNUSED_ARG(pcb);
    NG_TRACE1(LAYER_ENTER, NG_layer_dns_recv, p);
    int idx = (int)((struct dns_table_entry *)arg - dns_table);
    p = pbuf_coalesce(p, PBUF_RAW);
    unsigned reason;
    if (p->next != NULL) {
        reason = NG_drop_NO_MEMORY;
    } else {
        ip_addr_t from;
        ip_addr_copy(from, *addr);  /* addr is the stack's; dns_finish may send */
        reason = dns_handle_answer(idx, p->payload, p->len, &from, port);
    }
    if (reason != 0) {
        ng_drop(reason, p);
        dns_stats.dropped++;
    }
    pbuf_free(p);
    NG_TRACE0(LAYER_EXIT, NG_layer_dns_recv);
}

/* ---- servers and start-up ------------------------------------------------------------ */

void dns_setserver(u8_t numdns, const ip_addr_t *dnsserver)
{
    if (numdns >= DNS_MAX_SERVERS)
        return;
    if (dnsserver != NULL)
        ip_addr_copy(dns_servers[numdns], *dnsserver);
    else
        ip_addr_set_zero(&dns_servers[numdns]);
}

const ip_addr_t *dns_getserver(u8_t numdns)
{
    if (numdns >= DNS_MAX_SERVERS)
        return IP_ADDR_ANY;
    return &dns_servers[numdns];
}

/* Called by lwip_init: an empty table, no servers, no timer, no PCB. */
void dns_init(void)
{
    for (int i = 0; i < DNS_TABLE_SIZE; i++)
        dns_close_pcb(&dns_table[i]);
    if (dns_tmr_armed)
        sys_untimeout(dns_timeout_cb, NULL);
    dns_tmr_armed = 0;
    memset(dns_table, 0, sizeof dns_table);
    memset(dns_requests, 0, sizeof dns_requests);
    memset(dns_servers, 0, sizeof dns_servers);
    memset(&dns_stats, 0, sizeof dns_stats);
    dns_clock = 0;
}

#endif /* LWIP_DNS */
