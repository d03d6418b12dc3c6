/*
 * tests/unit/test_dns.c - the DNS client (net/dns.c, RFC 1035) on the fake
 * Ethernet interface with virtual time, the test playing two servers
 * (10.0.2.3 and 10.0.2.4) byte by byte.
 *
 * Covers: a query's exact bytes (id, RD, one question, QTYPE A, QCLASS IN)
 * from a random port; an answer with a CNAME and compression pointers;
 * the cache (hits, TTL expiry, TTL capped at an hour, least recently used
 * replaced, queries in flight never replaced); two lookups of one name
 * sharing one query; retries once a second, DNS_MAX_RETRIES per server,
 * failover to the second server, then found(name, NULL); NXDOMAIN;
 * answers with another id, port, server or question dropped as
 * DNS_UNMATCHED, truncated ones and pointer loops as DNS_MALFORMED, the
 * query still waiting after each; dotted quads, "localhost" and bad names
 * answered at once; the DNS_RESULT records; the timer only while a query
 * is in flight. Every test ends with every pool and the heap empty.
 */
#include <string.h>

#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netdb.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"
#include "fake_netif.h"
#include "net_time.h"
#include "ng_net_test.h"
#include "ref_wire.h"
#include "trace_capture.h"
#include "udp_frame.h"

static const u8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8_t srv_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x03 };
static const u8_t our_ip[4] = { 10, 0, 2, 15 };
static const u8_t dns1[4] = { 10, 0, 2, 3 };
static const u8_t dns2[4] = { 10, 0, 2, 4 };

static struct fake_netif fk;
static int base_timeouts;

/* What the found callbacks saw. */
#define FOUND_MAX 8
static struct {
    char name[80];
    int ok;
    ip4_addr_t addr;
    void *arg;
} found[FOUND_MAX];
static int nfound;

static void on_found(const char *name, const ip_addr_t *addr, void *arg)
{
    ck_assert_int_lt(nfound, FOUND_MAX);
    strncpy(found[nfound].name, name, sizeof found[nfound].name - 1);
    found[nfound].ok = addr != NULL;
    if (addr)
        found[nfound].addr = *addr;
    found[nfound].arg = arg;
    nfound++;
}

static void set_server(u8_t i, const u8_t *ip)
{
    ip_addr_t a;
    memcpy(&a.addr, ip, 4);
    dns_setserver(i, &a);
    struct eth_addr mac;
    memcpy(mac.addr, srv_mac, 6);
    mac.addr[5] = ip[3];
    ck_assert_int_eq(etharp_add_static_entry(&a, &mac), ERR_OK);
}

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    udp_init();
    dns_init();
    sys_timeouts_init();
    fake_netif_add(&fk, "10.0.2.15", "255.255.255.0", "10.0.2.2", NULL);
    netif_set_up(&fk.netif);
    netif_set_default(&fk.netif);
    set_server(0, dns1);
    set_server(1, dns2);
    fake_netif_clear(&fk);
    nfound = 0;
    base_timeouts = ng_timeouts_listed();
}

static void teardown(void)
{
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 0);        /* no query left in flight */
    ck_assert_int_eq(ng_timeouts_listed(), base_timeouts);
    netif_set_down(&fk.netif);
    netif_remove(&fk.netif);
    ng_timeouts_clear();
    ng_assert_net_clean();
}

static u32_t drops(unsigned reason)
{
    return ng_drop_count[reason];
}

/* ---- queries, as sent -------------------------------------------------------------- */

struct query {
    const u8_t *ip, *d;
    u16_t dlen, sport, id;
};

static struct query query_at(unsigned i)
{
    const struct fake_frame *f = fake_netif_frame(&fk, i);
    ck_assert_uint_eq(be16(f->data + 12), 0x0800);
    struct query q = { .ip = f->data + 14 };
    ck_assert_uint_eq(q.ip[9], 17);
    ck_assert_uint_eq(ref_chksum(q.ip, 20), 0);
    ck_assert_mem_eq(q.ip + 12, our_ip, 4);
    const u8_t *u = q.ip + 20;
    ck_assert_uint_eq(be16(u + 2), 53);
    q.sport = be16(u);
    ck_assert_uint_eq(ng_udp_chksum(q.ip), 0);
    q.d = u + 8;
    q.dlen = (u16_t)(be16(u + 4) - 8);
    q.id = be16(q.d);
    return q;
}

static struct query last_query(void)
{
    ck_assert_uint_gt(fk.nframes, 0);
    return query_at(fk.nframes - 1);
}

/* ---- answers ----------------------------------------------------------------------- */

struct msg {
    u8_t b[600];
    u16_t n;
};

/* A reply to q: its header (QR, RD, RA, rcode) and its question copied. */
static void answer_begin(struct msg *m, const struct query *q, u8_t rcode, u16_t ancount)
{
    memcpy(m->b, q->d, q->dlen);
    m->n = q->dlen;
    m->b[2] = 0x81;
    m->b[3] = (u8_t)(0x80 | rcode);
    put16(m->b + 6, ancount);
}

/* A resource record: name bytes, type, class, ttl, rdata. */
static void answer_rr(struct msg *m, const void *name, u16_t nlen, u16_t type, u32_t ttl,
                      const void *rdata, u16_t rdlen)
{
    memcpy(m->b + m->n, name, nlen);
    m->n = (u16_t)(m->n + nlen);
    put16(m->b + m->n, type);
    put16(m->b + m->n + 2, 1);
    put32(m->b + m->n + 4, ttl);
    put16(m->b + m->n + 8, rdlen);
    memcpy(m->b + m->n + 10, rdata, rdlen);
    m->n = (u16_t)(m->n + 10 + rdlen);
}

static const u8_t ptr_q[2] = { 0xc0, 0x0c };    /* the question's name */

/* Inject len bytes as UDP from src:sport to us:dport. */
static void inject_udp(const u8_t *src, u16_t sport, u16_t dport, const u8_t *data, u16_t len)
{
    static u8_t f[800];
    u16_t n = ng_udp_frame(f, our_mac, srv_mac, src, our_ip, sport, dport, data, len);
    ck_assert_int_eq(fake_netif_inject(&fk, f, n), ERR_OK);
}

static void reply(const struct query *q, const struct msg *m)
{
    inject_udp(q->ip + 16, 53, q->sport, m->b, m->n);
}

/* The usual answer: one A record by pointer, ttl seconds. */
static void answer_a(const struct query *q, const u8_t addr[4], u32_t ttl)
{
    struct msg m;
    answer_begin(&m, q, 0, 1);
    answer_rr(&m, ptr_q, 2, 1, ttl, addr, 4);
    reply(q, &m);
}

static err_t lookup(const char *name, ip_addr_t *addr)
{
    return dns_gethostbyname(name, addr, on_found, (void *)name);
}

static void assert_addr(const ip4_addr_t *a, const char *dotted)
{
    ip4_addr_t want;
    ck_assert(ip4addr_aton(dotted, &want));
    ck_assert_msg(a->addr == want.addr, "address %s, expected %s", ip4addr_ntoa(a), dotted);
}

static const u8_t addr1[4] = { 93, 184, 216, 34 };

/* ---- tests ------------------------------------------------------------------------- */

START_TEST(query_exact_bytes)
{
    ip_addr_t a;
    ck_assert_int_eq(lookup("www.Example.com", &a), ERR_INPROGRESS);
    ck_assert_uint_eq(fk.nframes, 1);
    struct query q = last_query();
    ck_assert_mem_eq(q.ip + 16, dns1, 4);
    ck_assert_uint_ge(q.sport, 49152);
    u8_t want[] = {
        0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,       /* id, RD, QDCOUNT 1 */
        3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
        0, 1, 0, 1,                                     /* A, IN */
    };
    put16(want, q.id);
    ck_assert_uint_eq(q.dlen, sizeof want);
    ck_assert_mem_eq(q.d, want, sizeof want);
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 1);
    ck_assert_uint_eq(dns_stats.queries, 1);

    /* a second name: its own port and id (RFC 5452 9.2, 4) */
    ck_assert_int_eq(lookup("b.example.com.", &a), ERR_INPROGRESS);
    struct query q2 = last_query();
    ck_assert(q2.sport != q.sport || q2.id != q.id);
    ck_assert_uint_eq(q2.dlen, 12 + 15 + 4);            /* the trailing dot adds nothing */
    answer_a(&q, addr1, 60);
    answer_a(&q2, addr1, 60);
    ck_assert_int_eq(nfound, 2);
}
END_TEST

/* A CNAME whose target is compressed against the question, then the A
 * record of the target, named by a pointer to the CNAME's data. */
START_TEST(answer_with_compression)
{
    tc_start(NG_TRACE_CLASS_BIT(DNS_RESULT));
    ip_addr_t a;
    ck_assert_int_eq(lookup("www.example.com", &a), ERR_INPROGRESS);
    struct query q = last_query();
    struct msg m;
    answer_begin(&m, &q, 0, 2);
    u16_t cname_data = (u16_t)(m.n + 12);               /* where its rdata will sit */
    static const u8_t target[] = { 3, 'c', 'd', 'n', 0xc0, 0x10 };  /* cdn + example.com */
    answer_rr(&m, ptr_q, 2, 5, 300, target, sizeof target);
    u8_t ptr_t[2] = { (u8_t)(0xc0 | cname_data >> 8), (u8_t)cname_data };
    answer_rr(&m, ptr_t, 2, 1, 300, addr1, 4);
    reply(&q, &m);
    ck_assert_int_eq(nfound, 1);
    ck_assert_str_eq(found[0].name, "www.example.com");
    ck_assert(found[0].ok);
    assert_addr(&found[0].addr, "93.184.216.34");
    ck_assert_ptr_eq(found[0].arg, "www.example.com");
    ck_assert_uint_eq(dns_stats.answers, 1);
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 0);    /* the query's PCB is gone */
    ng_run_ms(1100);                                       /* the timer stops */
    ck_assert_int_eq(ng_timeouts_listed(), base_timeouts);

    ck_assert_int_eq(lookup("WWW.example.COM", &a), ERR_OK);  /* names ignore case */
    assert_addr(&a, "93.184.216.34");
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    int n = 0;
    for (u32_t i = 0; i < tc_nrecs; i++) {
        if (tc_recs[i].id != NG_EV_DNS_RESULT)
            continue;
        ck_assert_uint_eq(tc_recs[i].a, n == 0 ? NG_dns_result_ANSWER : NG_dns_result_CACHED);
        ck_assert_uint_eq(tc_recs[i].w[0], found[0].addr.addr);
        n++;
    }
    ck_assert_int_eq(n, 2);
}
END_TEST

START_TEST(cache_hit_then_ttl_expiry)
{
    ip_addr_t a;
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    struct query q = last_query();
    answer_a(&q, addr1, 5);
    ck_assert_int_eq(nfound, 1);
    unsigned n = fk.nframes;
    ng_run_ms(4900);
    ip_addr_set_zero(&a);
    ck_assert_int_eq(lookup("example.com", &a), ERR_OK);
    assert_addr(&a, "93.184.216.34");
    ck_assert_uint_eq(fk.nframes, n);
    ck_assert_uint_eq(dns_stats.cache_hits, 1);
    ck_assert_int_eq(nfound, 1);                            /* no callback for a hit */
    ng_run_ms(200);                                            /* 5.1 s: expired */
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    ck_assert_uint_eq(fk.nframes, n + 1);
    q = last_query();
    answer_a(&q, addr1, 5);
}
END_TEST

START_TEST(ttl_is_capped_at_an_hour)
{
    ip_addr_t a;
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    struct query q = last_query();
    answer_a(&q, addr1, 86400);
    ng_host_advance(3599000);
    ck_assert_int_eq(lookup("example.com", &a), ERR_OK);
    ng_host_advance(1000);
    unsigned n = fk.nframes;
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    ck_assert_uint_eq(fk.nframes, n + 1);
    q = last_query();
    answer_a(&q, addr1, 10);
}
END_TEST

/* No answer: 4 queries a second apart to the first server, 4 to the
 * second, then found(name, NULL). */
START_TEST(retries_then_the_second_server_then_failure)
{
    tc_start(NG_TRACE_CLASS_BIT(DNS_RESULT));
    ip_addr_t a;
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    u32_t start = sys_now();
    for (int i = 1; i < 2 * DNS_MAX_RETRIES; i++) {
        ng_run_ms(1000);
        ck_assert_uint_eq(fk.nframes, (unsigned)i + 1);
        struct query q = last_query();
        ck_assert_mem_eq(q.ip + 16, i < DNS_MAX_RETRIES ? dns1 : dns2, 4);
        ck_assert_int_eq(nfound, 0);
    }
    ng_run_ms(1000);
    ck_assert_uint_eq(fk.nframes, 2 * DNS_MAX_RETRIES);
    ck_assert_int_eq(nfound, 1);
    ck_assert(!found[0].ok);
    ck_assert_uint_eq(sys_now() - start, 8000);
    ck_assert_uint_eq(dns_stats.retries, 2 * DNS_MAX_RETRIES - 1);
    ck_assert_uint_eq(dns_stats.failures, 1);
    ng_run_ms(2000);
    ck_assert_uint_eq(fk.nframes, 2 * DNS_MAX_RETRIES);     /* and then quiet */
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    int n = 0;
    for (u32_t i = 0; i < tc_nrecs; i++) {
        if (tc_recs[i].id == NG_EV_DNS_RESULT) {
            ck_assert_uint_eq(tc_recs[i].a, NG_dns_result_TIMEOUT);
            n++;
        }
    }
    ck_assert_int_eq(n, 1);
    /* not cached: asking again sends again */
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    struct query q = last_query();
    answer_a(&q, addr1, 5);
}
END_TEST

START_TEST(answer_from_the_second_server)
{
    ip_addr_t a;
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    ng_run_ms(DNS_MAX_RETRIES * 1000);
    struct query q = last_query();
    ck_assert_mem_eq(q.ip + 16, dns2, 4);
    answer_a(&q, addr1, 60);
    ck_assert_int_eq(nfound, 1);
    ck_assert(found[0].ok);
}
END_TEST

START_TEST(nxdomain_at_once)
{
    ip_addr_t a;
    ck_assert_int_eq(lookup("nosuch.example", &a), ERR_INPROGRESS);
    struct query q = last_query();
    struct msg m;
    answer_begin(&m, &q, 3, 0);
    reply(&q, &m);
    ck_assert_int_eq(nfound, 1);
    ck_assert(!found[0].ok);
    ck_assert_str_eq(found[0].name, "nosuch.example");
    ck_assert_uint_eq(dns_stats.failures, 1);
    ck_assert_uint_eq(fk.nframes, 1);
}
END_TEST

/* Answers that are not to our question (RFC 5452 9.1) are dropped and the
 * query keeps waiting. */
START_TEST(unmatched_answers_are_dropped)
{
    ip_addr_t a;
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    struct query q = last_query();
    struct msg m;
    answer_begin(&m, &q, 0, 1);
    answer_rr(&m, ptr_q, 2, 1, 60, addr1, 4);

    struct msg bad = m;                                     /* another id */
    put16(bad.b, (u16_t)(q.id + 1));
    reply(&q, &bad);
    inject_udp(dns1, 5353, q.sport, m.b, m.n);              /* another source port */
    inject_udp(dns2, 53, q.sport, m.b, m.n);                /* a server not asked */
    bad = m;
    bad.b[12 + 1] = 'X';                                    /* another name */
    reply(&q, &bad);
    bad = m;
    bad.b[12 + 13 + 1] = 28;                                /* QTYPE AAAA */
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_UNMATCHED), 5);
    ck_assert_uint_eq(dns_stats.dropped, 5);
    ck_assert_int_eq(nfound, 0);

    reply(&q, &m);                                          /* and the real one */
    ck_assert_int_eq(nfound, 1);
    ck_assert(found[0].ok);
    reply(&q, &m);                                          /* again: its port is closed */
    ck_assert_uint_eq(drops(NG_drop_DNS_UNMATCHED), 5);
    ck_assert_uint_eq(drops(NG_drop_UDP_NO_PCB), 1);
}
END_TEST

START_TEST(malformed_answers_are_dropped)
{
    ip_addr_t a;
    ck_assert_int_eq(lookup("example.com", &a), ERR_INPROGRESS);
    struct query q = last_query();
    struct msg m, bad;
    answer_begin(&m, &q, 0, 1);
    answer_rr(&m, ptr_q, 2, 1, 60, addr1, 4);
    u32_t n = 0;

    reply(&q, &(struct msg){ .n = 0 });                     /* empty */
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    bad = m;
    bad.n = 11;                                             /* a short header */
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    bad = m;
    bad.n = 20;                                             /* cut in the question */
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    bad = m;
    bad.n = (u16_t)(m.n - 2);                               /* cut in the address */
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    bad = m;
    bad.b[2] &= 0x7f;                                       /* a query, not a reply */
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    bad = m;
    put16(bad.b + 4, 2);                                    /* two questions */
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);

    /* a record named by a pointer to itself */
    answer_begin(&bad, &q, 0, 1);
    u8_t self[2] = { (u8_t)(0xc0 | bad.n >> 8), (u8_t)bad.n };
    answer_rr(&bad, self, 2, 1, 60, addr1, 4);
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    /* a two-step loop: a label, then a pointer back to it */
    answer_begin(&bad, &q, 0, 1);
    u16_t at = bad.n;
    u8_t loop[4] = { 1, 'a', (u8_t)(0xc0 | at >> 8), (u8_t)at };
    answer_rr(&bad, loop, 4, 1, 60, addr1, 4);
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    /* a pointer past the end */
    answer_begin(&bad, &q, 0, 1);
    answer_rr(&bad, "\xc1\xff", 2, 1, 60, addr1, 4);
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    /* a reserved label type (01) */
    answer_begin(&bad, &q, 0, 1);
    answer_rr(&bad, "\x41\x00", 2, 1, 60, addr1, 4);
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    /* rdlength past the end */
    bad = m;
    put16(bad.b + bad.n - 6, 40);
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);
    /* ANCOUNT says more records than there are */
    bad = m;
    put16(bad.b + 6, 2);
    put16(bad.b + bad.n - 14, 5);                           /* the first is a CNAME-ish type */
    reply(&q, &bad);
    ck_assert_uint_eq(drops(NG_drop_DNS_MALFORMED), ++n);

    ck_assert_uint_eq(dns_stats.dropped, n);
    ck_assert_int_eq(nfound, 0);
    reply(&q, &m);
    ck_assert_int_eq(nfound, 1);
    ck_assert(found[0].ok);
}
END_TEST

START_TEST(answered_at_once_and_bad_names)
{
    ip_addr_t a;
    ck_assert_int_eq(lookup("10.1.2.3", &a), ERR_OK);
    assert_addr(&a, "10.1.2.3");
    ck_assert_int_eq(lookup("localhost", &a), ERR_OK);
    assert_addr(&a, "127.0.0.1");
    ck_assert_int_eq(dns_gethostbyname("localhost", &a, NULL, NULL), ERR_OK);
    ck_assert_uint_eq(fk.nframes, 0);
    ck_assert_int_eq(dns_gethostbyname(NULL, &a, on_found, NULL), ERR_ARG);
    ck_assert_int_eq(dns_gethostbyname("x.com", NULL, on_found, NULL), ERR_ARG);
    ck_assert_int_eq(dns_gethostbyname("", &a, on_found, NULL), ERR_ARG);
    ck_assert_int_eq(lookup("a..b", &a), ERR_ARG);
    ck_assert_int_eq(lookup(".a", &a), ERR_ARG);
    char name[DNS_MAX_NAME_LENGTH + 8];
    memset(name, 'a', 64);                                  /* a label of 64 */
    strcpy(name + 64, ".c");
    ck_assert_int_eq(lookup(name, &a), ERR_ARG);
    memset(name, 'a', sizeof name);
    for (int i = 10; i < DNS_MAX_NAME_LENGTH + 1; i += 10)
        name[i] = '.';
    name[DNS_MAX_NAME_LENGTH + 1] = '\0';                   /* one byte too long */
    ck_assert_int_eq(lookup(name, &a), ERR_ARG);
    name[DNS_MAX_NAME_LENGTH] = '\0';                       /* the longest */
    ck_assert_int_eq(lookup(name, &a), ERR_INPROGRESS);
    struct query q = last_query();
    answer_a(&q, addr1, 0);                                 /* TTL 0: answered, not kept */
    ck_assert_int_eq(nfound, 1);
    ck_assert(found[0].ok);
    ck_assert_int_eq(lookup(name, &a), ERR_INPROGRESS);
    q = last_query();
    answer_a(&q, addr1, 0);
    ck_assert_int_eq(dns_gethostbyname_addrtype("x.com", &a, on_found, NULL,
                                                LWIP_DNS_ADDRTYPE_IPV6), ERR_VAL);
    dns_setserver(0, NULL);
    dns_setserver(1, NULL);
    ck_assert_int_eq(lookup("example.com", &a), ERR_VAL);   /* no server */
    ck_assert(ip_addr_isany(dns_getserver(0)));
    ck_assert(ip_addr_isany(dns_getserver(DNS_MAX_SERVERS)));
}
END_TEST

/* Two lookups of one name while it is asked: one query, two answers. */
START_TEST(lookups_share_a_query)
{
    ip_addr_t a;
    ck_assert_int_eq(dns_gethostbyname("example.com", &a, on_found, (void *)1), ERR_INPROGRESS);
    ck_assert_int_eq(dns_gethostbyname("EXAMPLE.com", &a, on_found, (void *)2), ERR_INPROGRESS);
    ck_assert_uint_eq(fk.nframes, 1);
    ck_assert_uint_eq(memp_in_use(MEMP_UDP_PCB), 1);
    struct query q = last_query();
    answer_a(&q, addr1, 60);
    ck_assert_int_eq(nfound, 2);
    ck_assert_ptr_eq(found[0].arg, (void *)1);
    ck_assert_ptr_eq(found[1].arg, (void *)2);
    ck_assert(found[0].ok && found[1].ok);
}
END_TEST

/* DNS_TABLE_SIZE names cached; a new one replaces the least recently used;
 * a table of queries in flight takes no more. */
START_TEST(lru_replacement_and_full_table)
{
    static const char *names[] = { "n0.com", "n1.com", "n2.com", "n3.com", "n4.com" };
    ip_addr_t a;
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        ck_assert_int_eq(lookup(names[i], &a), ERR_INPROGRESS);
        struct query q = last_query();
        answer_a(&q, addr1, 600);
        ng_host_advance(10);
    }
    ck_assert_int_eq(lookup(names[0], &a), ERR_OK);        /* n0 used again: n1 is oldest */
    ck_assert_int_eq(lookup(names[4], &a), ERR_INPROGRESS);
    struct query q = last_query();
    answer_a(&q, addr1, 600);
    ck_assert_int_eq(lookup(names[0], &a), ERR_OK);
    ck_assert_int_eq(lookup(names[2], &a), ERR_OK);
    ck_assert_int_eq(lookup(names[3], &a), ERR_OK);
    ck_assert_int_eq(lookup(names[4], &a), ERR_OK);
    unsigned n = fk.nframes;
    ck_assert_int_eq(lookup(names[1], &a), ERR_INPROGRESS); /* gone */
    ck_assert_uint_eq(fk.nframes, n + 1);
    ck_assert_uint_eq(dns_stats.cache_hits, 5);
    q = last_query();
    answer_a(&q, addr1, 600);

    /* every entry in flight */
    dns_init();
    set_server(0, dns1);
    static const char *more[] = { "m0.com", "m1.com", "m2.com", "m3.com" };
    struct query qs[DNS_TABLE_SIZE];
    for (int i = 0; i < DNS_TABLE_SIZE; i++) {
        ck_assert_int_eq(lookup(more[i], &a), ERR_INPROGRESS);
        qs[i] = last_query();
    }
    ck_assert_int_eq(lookup("full.com", &a), ERR_MEM);
    nfound = 0;
    for (int i = 0; i < DNS_TABLE_SIZE; i++)
        answer_a(&qs[i], addr1, 60);
    ck_assert_int_eq(nfound, DNS_TABLE_SIZE);
}
END_TEST

/* api/netdb.c's own parts: numeric names need no crossing to tcpip_thread
 * (names through netconn_gethostbyname are covered by the socket tests). */
START_TEST(netdb_numeric_and_arguments)
{
    struct addrinfo *ai = NULL;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    ck_assert_int_eq(lwip_getaddrinfo("10.0.2.2", "8080", &hints, &ai), 0);
    ck_assert_ptr_nonnull(ai);
    const struct sockaddr_in *sa = (const struct sockaddr_in *)ai->ai_addr;
    ck_assert_int_eq(ai->ai_family, AF_INET);
    ck_assert_int_eq(ai->ai_socktype, SOCK_STREAM);
    ck_assert_uint_eq(ai->ai_addrlen, sizeof *sa);
    ck_assert_uint_eq(sa->sin_family, AF_INET);
    ck_assert_uint_eq(lwip_ntohs(sa->sin_port), 8080);
    ck_assert_uint_eq(sa->sin_addr.s_addr, PP_HTONL(LWIP_MAKEU32(10, 0, 2, 2)));
    ck_assert_ptr_null(ai->ai_next);
    lwip_freeaddrinfo(ai);

    hints.ai_flags = AI_PASSIVE;
    ck_assert_int_eq(lwip_getaddrinfo(NULL, "80", &hints, &ai), 0);
    ck_assert_uint_eq(((const struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr, 0);
    lwip_freeaddrinfo(ai);
    hints.ai_flags = 0;
    ck_assert_int_eq(lwip_getaddrinfo(NULL, "80", &hints, &ai), 0);
    ck_assert_uint_eq(((const struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr,
                      PP_HTONL(0x7f000001UL));
    lwip_freeaddrinfo(ai);
    hints.ai_flags = AI_CANONNAME;
    ck_assert_int_eq(lwip_getaddrinfo("10.0.2.3", NULL, &hints, &ai), 0);
    ck_assert_str_eq(ai->ai_canonname, "10.0.2.3");
    lwip_freeaddrinfo(ai);

    hints.ai_flags = AI_NUMERICHOST;
    ck_assert_int_eq(lwip_getaddrinfo("example.com", NULL, &hints, &ai), EAI_NONAME);
    hints.ai_flags = 0;
    ck_assert_int_eq(lwip_getaddrinfo("10.0.2.2", "http", &hints, &ai), EAI_SERVICE);
    ck_assert_int_eq(lwip_getaddrinfo("10.0.2.2", "65536", &hints, &ai), EAI_SERVICE);
    ck_assert_int_eq(lwip_getaddrinfo(NULL, NULL, &hints, &ai), EAI_NONAME);
    ck_assert_int_eq(lwip_getaddrinfo("10.0.2.2", NULL, &hints, NULL), EAI_FAIL);
    hints.ai_family = 10;                                   /* AF_INET6 */
    ck_assert_int_eq(lwip_getaddrinfo("10.0.2.2", NULL, &hints, &ai), EAI_FAMILY);
    ck_assert_ptr_null(ai);

    struct hostent he, *res;
    int herr = 0;
    union { char b[128]; void *align; } buf;
    ck_assert_int_eq(lwip_gethostbyname_r("10.1.2.3", &he, buf.b, sizeof buf.b, &res, &herr), 0);
    ck_assert_ptr_eq(res, &he);
    ck_assert_str_eq(he.h_name, "10.1.2.3");
    ck_assert_int_eq(he.h_addrtype, AF_INET);
    ck_assert_int_eq(he.h_length, 4);
    ck_assert_uint_eq(((const ip4_addr_t *)he.h_addr_list[0])->addr,
                      PP_HTONL(LWIP_MAKEU32(10, 1, 2, 3)));
    ck_assert_ptr_null(he.h_addr_list[1]);
    ck_assert_ptr_null(he.h_aliases[0]);
    ck_assert_int_eq(lwip_gethostbyname_r("10.1.2.3", &he, buf.b, 8, &res, &herr), -1);
    ck_assert_int_eq(herr, ERANGE);
    ck_assert_ptr_null(res);
    struct hostent *h = lwip_gethostbyname("10.9.8.7");
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(((const ip4_addr_t *)h->h_addr)->addr, PP_HTONL(LWIP_MAKEU32(10, 9, 8, 7)));
    ck_assert_uint_eq(fk.nframes, 0);                      /* nothing asked */
    ck_assert_uint_eq(mem_used(), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dns");
    TCase *tc = ng_tcase(s, "query");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, query_exact_bytes);
    tcase_add_test(tc, answer_with_compression);
    tcase_add_test(tc, nxdomain_at_once);
    tcase_add_test(tc, answered_at_once_and_bad_names);

    tc = ng_tcase(s, "cache");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, cache_hit_then_ttl_expiry);
    tcase_add_test(tc, ttl_is_capped_at_an_hour);
    tcase_add_test(tc, lookups_share_a_query);
    tcase_add_test(tc, lru_replacement_and_full_table);

    tc = ng_tcase(s, "retries");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, retries_then_the_second_server_then_failure);
    tcase_add_test(tc, answer_from_the_second_server);

    tc = ng_tcase(s, "checks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unmatched_answers_are_dropped);
    tcase_add_test(tc, malformed_answers_are_dropped);

    tc = ng_tcase(s, "netdb");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, netdb_numeric_and_arguments);
    return ng_test_run(s) != 0;
}
