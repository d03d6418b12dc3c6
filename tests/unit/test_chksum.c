/*
 * tests/unit/test_chksum.c - the Internet checksum (net/inet_chksum.c).
 *
 * Covers: the RFC 1071 example words, a real IPv4 header (its checksum
 * bytes, and that a correct header sums to 0), odd lengths and odd start
 * addresses, the result's byte order (stored as is, it gives the wire
 * bytes), inet_chksum_pbuf over thousands of random chains (random lengths
 * including odd and empty pbufs, payloads at odd addresses), and the IPv4
 * pseudo-header sums (whole and partial), all against a reference written
 * here the plain way: copy the bytes flat, add them as big-endian 16-bit
 * words in a 64-bit integer, fold, complement.
 * Every test ends with all pools and the heap empty (ng_assert_net_clean).
 */
#include <stdlib.h>
#include <string.h>

#include "lwip/inet_chksum.h"
#include "lwip/pbuf.h"
#include "ng_net_test.h"

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
}

/* ---- the reference ------------------------------------------------------- */

static u16_t ref_sum(const u8_t *b, size_t n)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i += 2)
        acc += (uint64_t)b[i] << 8 | (i + 1 < n ? b[i + 1] : 0);
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (u16_t)acc;
}

/* The checksum as the two bytes that go on the wire, high byte first. */
static u16_t ref_wire(const u8_t *b, size_t n)
{
    return (u16_t)~ref_sum(b, n);
}

/* What a u16_t result looks like on the wire when stored as it is. */
static u16_t as_wire(u16_t stored)
{
    u8_t b[2];
    memcpy(b, &stored, 2);
    return (u16_t)(b[0] << 8 | b[1]);
}

/* ---- fixed vectors ------------------------------------------------------- */

/* ---- incremental update (RFC 1624) ------------------------------------------ */

/* Change one 16-bit word of many random 20-byte headers: the adjusted
 * checksum must equal the one summed afresh (RFC 1624 eqn. 3, which also
 * avoids RFC 1141's -0 problem: a result of 0xffff never appears for data
 * that sums to something else). */
START_TEST(adjust_matches_a_full_sum)
{
    srand(1624);
    for (int round = 0; round < 2000; round++) {
        u8_t h[20];
        for (int i = 0; i < 20; i++)
            h[i] = (u8_t)rand();
        h[10] = h[11] = 0;
        u16_t before = ref_wire(h, 20);
        int w = 2 * (rand() % 10);
        if (w == 10)
            w = 8;                          /* not the checksum field itself */
        u16_t old = (u16_t)(h[w] << 8 | h[w + 1]);
        u16_t new_value = round == 0 ? (u16_t)~old : (u16_t)rand();
        h[w] = (u8_t)(new_value >> 8);
        h[w + 1] = (u8_t)new_value;
        u16_t stored = lwip_htons(before);
        u16_t adjusted = inet_chksum_adjust(stored, old, new_value);
        ck_assert_uint_eq(as_wire(adjusted), ref_wire(h, 20));
    }
}
END_TEST

START_TEST(rfc1071_example)
{
    /* RFC 1071 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (with carries 2) */
    static const u8_t w[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    ck_assert_uint_eq(as_wire(lwip_standard_chksum(w, 8)), 0xddf2);
    ck_assert_uint_eq(as_wire(inet_chksum(w, 8)), 0x220d);
    ck_assert_uint_eq(lwip_standard_chksum(w, 0), 0);
    ng_assert_net_clean();
}
END_TEST

START_TEST(ipv4_header)
{
    /* 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, total length 0x73, DF:
     * the checksum field (bytes 10-11) is b861 */
    u8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    u16_t c = inet_chksum(h, 20);
    memcpy(&h[10], &c, 2);                  /* stored as it is, no htons */
    ck_assert_uint_eq(h[10], 0xb8);
    ck_assert_uint_eq(h[11], 0x61);
    ck_assert_uint_eq(inet_chksum(h, 20), 0);   /* a correct header sums to zero */
    h[3] ^= 1;
    ck_assert_uint_ne(inet_chksum(h, 20), 0);
    ng_assert_net_clean();
}
END_TEST

START_TEST(odd_lengths_and_addresses)
{
    u8_t buf[300];
    srand(7);
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (u8_t)rand();
    buf[0] = 0xff;
    for (int start = 0; start < 4; start++)
        for (int n = 0; n + start <= 260; n++)
            ck_assert_msg(as_wire(inet_chksum(buf + start, (u16_t)n)) == ref_wire(buf + start,
                                                                                  (size_t)n),
                          "start %d len %d", start, n);
    /* a lone odd byte is the high half of a word (RFC 1071 4.1) */
    static const u8_t one = 0x12;
    ck_assert_uint_eq(as_wire(lwip_standard_chksum(&one, 1)), 0x1200);
    ng_assert_net_clean();
}
END_TEST

START_TEST(all_ones_fold)
{
    /* many 0xffff words: the carries must fold back in, the sum stays ffff */
    static u8_t ff[4000];
    memset(ff, 0xff, sizeof ff);
    ck_assert_uint_eq(as_wire(lwip_standard_chksum(ff, sizeof ff)), 0xffff);
    ck_assert_uint_eq(inet_chksum(ff, sizeof ff), 0);
    ng_assert_net_clean();
}
END_TEST

/* ---- chains --------------------------------------------------------------- */

static u8_t data[2048 + 16];

/* A chain of REF pbufs over data + base (base odd or even), split at random;
 * some pieces are empty, some odd. Returns the chain, *total its length. */
static struct pbuf *random_chain(unsigned base, u16_t *total)
{
    u16_t n = (u16_t)(rand() % 1500);
    struct pbuf *head = NULL;
    u16_t at = 0;
    int pieces = 0;
    while (at < n || pieces == 0) {
        u16_t len = (u16_t)(rand() % 4 == 0 ? rand() % 3 : rand() % 200);
        if (at + len > n)
            len = (u16_t)(n - at);
        if (pieces == MEMP_NUM_PBUF - 1)
            len = (u16_t)(n - at);          /* the last one the pool has */
        struct pbuf *q = pbuf_alloc_reference(data + base + at, len, PBUF_REF);
        ck_assert_ptr_nonnull(q);
        if (head)
            pbuf_cat(head, q);
        else
            head = q;
        at = (u16_t)(at + len);
        pieces++;
    }
    *total = n;
    return head;
}

START_TEST(chains_match_the_reference)
{
    srand(2024);
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (u8_t)rand();
    u8_t flat[2048];
    for (int round = 0; round < 3000; round++) {
        unsigned base = (unsigned)(rand() % 8);
        u16_t n;
        struct pbuf *p = random_chain(base, &n);
        ck_assert_uint_eq(pbuf_copy_partial(p, flat, n, 0), n);
        ck_assert_msg(as_wire(inet_chksum_pbuf(p)) == ref_wire(flat, n),
                      "round %d: %u bytes in %u pbufs from offset %u", round, n, pbuf_clen(p),
                      base);
        pbuf_free(p);
    }
    ng_assert_net_clean();
}
END_TEST

START_TEST(pool_chain_with_header)
{
    /* a received frame: a PBUF_POOL chain, the Ethernet header removed so
     * the IP packet starts at an even offset of an odd-sized first pbuf */
    srand(99);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 1400, PBUF_POOL);
    ck_assert_uint_gt(pbuf_clen(p), 1);
    for (u16_t i = 0; i < 1400; i++)
        pbuf_put_at(p, i, (u8_t)rand());
    u8_t flat[1400];
    for (u16_t strip = 0; strip < 20; strip++) {
        ck_assert_uint_eq(pbuf_remove_header(p, strip ? 1 : 0), 0);
        u16_t n = pbuf_copy_partial(p, flat, p->tot_len, 0);
        ck_assert_uint_eq(as_wire(inet_chksum_pbuf(p)), ref_wire(flat, n));
    }
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

/* ---- pseudo-header ------------------------------------------------------- */

START_TEST(pseudo_header_matches_the_reference)
{
    srand(5);
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (u8_t)rand();
    ip4_addr_t src, dst;
    IP4_ADDR(&src, 10, 0, 2, 15);
    IP4_ADDR(&dst, 192, 168, 77, 201);
    u8_t flat[12 + 2048];
    for (int round = 0; round < 500; round++) {
        unsigned base = (unsigned)(rand() % 4);
        u16_t n;
        struct pbuf *p = random_chain(base, &n);
        u8_t proto = round % 2 ? 17 : 6;
        /* RFC 768 / RFC 9293 3.1: src, dst, zero, protocol, length */
        memcpy(flat, &src.addr, 4);
        memcpy(flat + 4, &dst.addr, 4);
        flat[8] = 0;
        flat[9] = proto;
        flat[10] = (u8_t)(n >> 8);
        flat[11] = (u8_t)n;
        pbuf_copy_partial(p, flat + 12, n, 0);
        ck_assert_msg(as_wire(inet_chksum_pseudo(p, proto, n, &src, &dst)) ==
                          ref_wire(flat, 12u + n), "round %d", round);
        u16_t part = n ? (u16_t)(rand() % (n + 1)) : 0;
        ck_assert_msg(as_wire(inet_chksum_pseudo_partial(p, proto, n, part, &src, &dst)) ==
                          ref_wire(flat, 12u + part), "round %d partial %u of %u", round, part, n);
        ck_assert_uint_eq(ip_chksum_pseudo(p, proto, n, &src, &dst),
                          inet_chksum_pseudo(p, proto, n, &src, &dst));
        pbuf_free(p);
    }
    ng_assert_net_clean();
}
END_TEST

START_TEST(udp_datagram_known_checksum)
{
    /* 192.0.2.1:1234 -> 192.0.2.2:80, payload "hi": a hand-computed sum.
     * pseudo: c000 0201 c000 0202 0011 000a; header: 04d2 0050 000a 0000;
     * data 6869. Sum = 0x1f1b3 -> 0xf1b4, checksum 0x0e4b. */
    u8_t udp[10] = { 0x04, 0xd2, 0x00, 0x50, 0x00, 0x0a, 0x00, 0x00, 'h', 'i' };
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, 10, PBUF_RAM);
    pbuf_take(p, udp, 10);
    ip4_addr_t s, d;
    IP4_ADDR(&s, 192, 0, 2, 1);
    IP4_ADDR(&d, 192, 0, 2, 2);
    ck_assert_uint_eq(as_wire(inet_chksum_pseudo(p, 17, 10, &s, &d)), 0x0e4b);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inet_chksum");
    TCase *tc = ng_tcase(s, "flat");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, rfc1071_example);
    tcase_add_test(tc, ipv4_header);
    tcase_add_test(tc, odd_lengths_and_addresses);
    tcase_add_test(tc, all_ones_fold);

    tc = ng_tcase(s, "chains");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, chains_match_the_reference);
    tcase_add_test(tc, pool_chain_with_header);

    tc = ng_tcase(s, "adjust");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, adjust_matches_a_full_sum);

    tc = ng_tcase(s, "pseudo");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, pseudo_header_matches_the_reference);
    tcase_add_test(tc, udp_datagram_known_checksum);
    return ng_test_run(s) != 0;
}
