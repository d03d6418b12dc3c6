/*
 * tests/unit/test_inet.c - lwip_inet_pton / lwip_inet_ntop (api/inet.c),
 * against POSIX.1-2017's inet_pton and inet_ntop for AF_INET.
 *
 * Covers: every dotted quad form POSIX accepts (four decimal parts 0-255,
 * leading zeros read as decimal) and the byte order of the result
 * (network order, first part first); every malformed text rejected with 0
 * and dst untouched (too few or many parts, empty parts, values over 255,
 * signs, spaces and any junk before, inside or after, hex and octal
 * prefixes, the shortened inet_aton forms); EAFNOSUPPORT (-1 / NULL) for
 * another family; inet_ntop's text for edge addresses, ENOSPC when dst is
 * too small by one (and nothing written), exactly enough room working;
 * and the round trip over many addresses against inet_ntoa_r.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/errno.h"
#include "lwip/inet.h"
#include "lwip/sockets.h"
#include "ng_test.h"

START_TEST(pton_accepts_dotted_quads)
{
    static const struct { const char *text; u8_t b[4]; } ok[] = {
        { "0.0.0.0", { 0, 0, 0, 0 } },
        { "255.255.255.255", { 255, 255, 255, 255 } },
        { "192.168.1.20", { 192, 168, 1, 20 } },
        { "127.0.0.1", { 127, 0, 0, 1 } },
        { "10.0.2.15", { 10, 0, 2, 15 } },
        { "1.2.3.4", { 1, 2, 3, 4 } },
        { "010.001.000.009", { 10, 1, 0, 9 } },     /* decimal, not octal */
    };
    for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct in_addr a;
        memset(&a, 0xee, sizeof a);
        ck_assert_msg(lwip_inet_pton(AF_INET, ok[i].text, &a) == 1, "%s", ok[i].text);
        ck_assert_msg(memcmp(&a.s_addr, ok[i].b, 4) == 0, "%s: wrong bytes", ok[i].text);
    }
    struct in_addr a;
    ck_assert_int_eq(inet_pton(AF_INET, "192.168.1.20", &a), 1);   /* the BSD name */
    ck_assert_uint_eq(a.s_addr, lwip_htonl(0xc0a80114u));
}
END_TEST

START_TEST(pton_rejects_malformed_text)
{
    static const char *const bad[] = {
        "", "1", "1.2", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "1.2..3",
        "256.0.0.0", "0.256.0.0", "0.0.0.256", "999.1.1.1", "1000.1.1.1", "0001.1.1.1",
        " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "1. 2.3.4", "+1.2.3.4", "-1.2.3.4", "1.2.3.-4",
        "0x1.2.3.4", "0x7f.0.0.1", "1.2.3.4x", "a.b.c.d", "127.1", "127.0.1", "4294967295",
        "1.2.3.4/24", "1,2,3,4", "::1", "1.2.3.4.",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        u8_t dst[4] = { 9, 9, 9, 9 };
        ck_assert_msg(lwip_inet_pton(AF_INET, bad[i], dst) == 0, "accepted \"%s\"", bad[i]);
        ck_assert_msg(dst[0] == 9 && dst[1] == 9 && dst[2] == 9 && dst[3] == 9,
                      "\"%s\" wrote dst", bad[i]);
    }
}
END_TEST

START_TEST(other_families_are_eafnosupport)
{
    struct in_addr a;
    char text[64];
    errno = 0;
    ck_assert_int_eq(lwip_inet_pton(AF_UNSPEC, "1.2.3.4", &a), -1);
    ck_assert_int_eq(errno, EAFNOSUPPORT);
    errno = 0;
    ck_assert_int_eq(lwip_inet_pton(10 /* AF_INET6 elsewhere */, "::1", &a), -1);
    ck_assert_int_eq(errno, EAFNOSUPPORT);
    errno = 0;
    ck_assert_ptr_null(lwip_inet_ntop(AF_UNSPEC, &a, text, sizeof text));
    ck_assert_int_eq(errno, EAFNOSUPPORT);
}
END_TEST

START_TEST(ntop_text_and_space)
{
    static const struct { u8_t b[4]; const char *text; } cases[] = {
        { { 0, 0, 0, 0 }, "0.0.0.0" },
        { { 255, 255, 255, 255 }, "255.255.255.255" },
        { { 192, 168, 1, 20 }, "192.168.1.20" },
        { { 10, 0, 100, 9 }, "10.0.100.9" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[INET_ADDRSTRLEN];
        ck_assert_ptr_eq(lwip_inet_ntop(AF_INET, cases[i].b, text, sizeof text), text);
        ck_assert_str_eq(text, cases[i].text);
        /* Exactly the room it needs (the NUL too) works ... */
        socklen_t need = (socklen_t)strlen(cases[i].text) + 1;
        char exact[INET_ADDRSTRLEN];
        ck_assert_ptr_eq(lwip_inet_ntop(AF_INET, cases[i].b, exact, need), exact);
        ck_assert_str_eq(exact, cases[i].text);
        /* ... one byte less is ENOSPC, and nothing is written. */
        char small[INET_ADDRSTRLEN];
        memset(small, 'x', sizeof small);
        errno = 0;
        ck_assert_ptr_null(lwip_inet_ntop(AF_INET, cases[i].b, small, need - 1));
        ck_assert_int_eq(errno, ENOSPC);
        for (unsigned k = 0; k < sizeof small; k++)
            ck_assert_int_eq(small[k], 'x');
    }
    char text[4];
    u8_t any[4] = { 0 };
    errno = 0;
    ck_assert_ptr_null(lwip_inet_ntop(AF_INET, any, text, 0));
    ck_assert_int_eq(errno, ENOSPC);
    ck_assert_int_eq(INET_ADDRSTRLEN, 16);  /* "255.255.255.255" and its NUL */
}
END_TEST

START_TEST(round_trip_against_ntoa)
{
    u32_t seed = 12345;
    for (int i = 0; i < 5000; i++) {
        seed = seed * 1103515245u + 12345u;
        u32_t v = seed ^ (seed >> 13);
        if (i < 256)
            v = (u32_t)i * 0x01010101u;     /* every byte value in every place */
        ip4_addr_t ip;
        ip4_addr_set_u32(&ip, v);
        char mine[INET_ADDRSTRLEN], ref[INET_ADDRSTRLEN];
        ck_assert_ptr_nonnull(lwip_inet_ntop(AF_INET, &ip, mine, sizeof mine));
        ck_assert_ptr_nonnull(ip4addr_ntoa_r(&ip, ref, sizeof ref));
        ck_assert_str_eq(mine, ref);
        struct in_addr back;
        ck_assert_int_eq(lwip_inet_pton(AF_INET, mine, &back), 1);
        ck_assert_uint_eq(back.s_addr, v);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inet");
    TCase *tc = ng_tcase(s, "pton_ntop");
    tcase_add_test(tc, pton_accepts_dotted_quads);
    tcase_add_test(tc, pton_rejects_malformed_text);
    tcase_add_test(tc, other_families_are_eafnosupport);
    tcase_add_test(tc, ntop_text_and_space);
    tcase_add_test(tc, round_trip_against_ntoa);
    return ng_test_run(s) != 0;
}
