/*
 * tests/unit/test_netbuf.c - netbuf, the datagram container (api/netbuf.c).
 *
 * Covers: netbuf_new (fields cleared, from the NETBUF pool, NULL when the
 * pool is empty, its LAYER span); netbuf_alloc (one PBUF_RAM pbuf with the
 * transport headers' room in front, a second alloc replacing the first,
 * NULL when the pbufs run out); netbuf_ref (a PBUF_REF pointing at the
 * caller's bytes, replacing what was held, ERR_MEM without a pbuf);
 * netbuf_free (the data goes, the netbuf stays usable); netbuf_chain
 * (the tail's data appended, the tail's netbuf freed, with empty heads and
 * tails); walking a chain with netbuf_data / netbuf_next / netbuf_first
 * (return values -1, 0, 1 as lwIP documents); netbuf_copy /
 * copy_partial / take over a chain; and every NULL or empty argument
 * answered with an error value, not an assertion.
 * Every test ends with all pools and the heap empty (ng_assert_net_clean).
 */
#include <string.h>

#include "lwip/memp.h"
#include "lwip/netbuf.h"
#include "lwip/pbuf.h"
#include "ng_net_test.h"
#include "trace_capture.h"

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
}

START_TEST(new_is_empty_and_from_the_pool)
{
    struct netbuf *buf = netbuf_new();
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(memp_in_use(MEMP_NETBUF), 1);
    ck_assert_ptr_null(buf->p);
    ck_assert_ptr_null(buf->ptr);
    ck_assert_uint_eq(ip_addr_get_ip4_u32(netbuf_fromaddr(buf)), 0);
    ck_assert_uint_eq(netbuf_fromport(buf), 0);
    void *data = (void *)1;
    u16_t len = 7;
    ck_assert_int_eq(netbuf_data(buf, &data, &len), ERR_BUF);   /* nothing to show */
    ck_assert_int_eq(netbuf_next(buf), -1);
    netbuf_delete(buf);
    ck_assert_int_eq(memp_in_use(MEMP_NETBUF), 0);
    ng_assert_net_clean();
}
END_TEST

START_TEST(new_fails_when_the_pool_is_empty)
{
    struct netbuf *all[MEMP_NUM_NETBUF];
    for (int i = 0; i < MEMP_NUM_NETBUF; i++) {
        all[i] = netbuf_new();
        ck_assert_ptr_nonnull(all[i]);
    }
    ck_assert_ptr_null(netbuf_new());
    netbuf_delete(all[0]);
    all[0] = netbuf_new();      /* one back, one out again */
    ck_assert_ptr_nonnull(all[0]);
    for (int i = 0; i < MEMP_NUM_NETBUF; i++)
        netbuf_delete(all[i]);
    ng_assert_net_clean();
}
END_TEST

START_TEST(new_has_a_layer_span)
{
    tc_start(NG_TRACE_CLASS_BIT(LAYER_ENTER));
    struct netbuf *buf = netbuf_new();
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    int e = tc_next(0, NG_EV_LAYER_ENTER);
    ck_assert_int_ge(e, 0);
    ck_assert_uint_eq(tc_recs[e].a, NG_layer_netbuf_new);
    int x = tc_next(e, NG_EV_LAYER_EXIT);
    ck_assert_int_gt(x, e);
    ck_assert_uint_eq(tc_recs[x].a, NG_layer_netbuf_new);
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

START_TEST(alloc_gives_ram_with_header_room)
{
    struct netbuf *buf = netbuf_new();
    u8_t *d = netbuf_alloc(buf, 100);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(buf->p);
    ck_assert_ptr_eq(buf->ptr, buf->p);
    ck_assert_ptr_eq(d, buf->p->payload);
    ck_assert_uint_eq(buf->p->len, 100);
    ck_assert_uint_eq(netbuf_len(buf), 100);
    ck_assert_ptr_null(buf->p->next);
    /* udp_send puts its header and IP's in front without another pbuf. */
    ck_assert_int_eq(pbuf_add_header(buf->p, PBUF_TRANSPORT), 0);
    ck_assert_int_eq(pbuf_remove_header(buf->p, PBUF_TRANSPORT), 0);
    memset(d, 0xa5, 100);
    /* A second alloc replaces the first (which goes back). */
    d = netbuf_alloc(buf, 10);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(netbuf_len(buf), 10);
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

START_TEST(alloc_fails_cleanly)
{
    struct netbuf *buf = netbuf_new();
    ck_assert_ptr_nonnull(netbuf_alloc(buf, 20));
    /* More than the heap has: NULL, and nothing left held. */
    ck_assert_ptr_null(netbuf_alloc(buf, 0xffff));
    ck_assert_ptr_null(buf->p);
    ck_assert_ptr_null(buf->ptr);
    ck_assert_ptr_null(netbuf_alloc(NULL, 10));
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

START_TEST(ref_points_at_the_callers_bytes)
{
    static const char text[] = "reference, not a copy";
    struct netbuf *buf = netbuf_new();
    ck_assert_ptr_nonnull(netbuf_alloc(buf, 8));    /* replaced by the ref */
    ck_assert_int_eq(netbuf_ref(buf, text, sizeof text), ERR_OK);
    ck_assert_ptr_nonnull(buf->p);
    ck_assert_uint_eq(buf->p->type_internal, PBUF_REF);
    ck_assert_ptr_eq(buf->p->payload, text);
    ck_assert_uint_eq(buf->p->len, sizeof text);
    ck_assert_uint_eq(buf->p->tot_len, sizeof text);
    ck_assert_ptr_eq(buf->ptr, buf->p);
    void *data;
    u16_t len;
    ck_assert_int_eq(netbuf_data(buf, &data, &len), ERR_OK);
    ck_assert_ptr_eq(data, text);
    ck_assert_uint_eq(len, sizeof text);
    ck_assert_int_eq(memp_in_use(MEMP_PBUF), 1);
    /* A zero-length reference is a datagram without payload. */
    ck_assert_int_eq(netbuf_ref(buf, NULL, 0), ERR_OK);
    ck_assert_uint_eq(netbuf_len(buf), 0);
    ck_assert_int_eq(memp_in_use(MEMP_PBUF), 1);
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

START_TEST(ref_errors)
{
    static const u8_t bytes[4] = { 1, 2, 3, 4 };
    ck_assert_int_eq(netbuf_ref(NULL, bytes, 4), ERR_ARG);
    struct netbuf *buf = netbuf_new();
    ck_assert_int_eq(netbuf_ref(buf, NULL, 4), ERR_ARG);
    /* No pbuf for the reference: ERR_MEM, nothing held. */
    struct pbuf *hog[MEMP_NUM_PBUF];
    int n = 0;
    while (n < MEMP_NUM_PBUF && (hog[n] = pbuf_alloc(PBUF_RAW, 0, PBUF_REF)) != NULL)
        n++;
    ck_assert_int_eq(netbuf_ref(buf, bytes, 4), ERR_MEM);
    ck_assert_ptr_null(buf->p);
    ck_assert_ptr_null(buf->ptr);
    while (n > 0)
        pbuf_free(hog[--n]);
    ck_assert_int_eq(netbuf_ref(buf, bytes, 4), ERR_OK);
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

START_TEST(free_keeps_the_netbuf)
{
    struct netbuf *buf = netbuf_new();
    ck_assert_ptr_nonnull(netbuf_alloc(buf, 30));
    netbuf_free(buf);
    ck_assert_ptr_null(buf->p);
    ck_assert_ptr_null(buf->ptr);
    ck_assert_int_eq(memp_in_use(MEMP_NETBUF), 1);
    netbuf_free(buf);           /* twice: nothing to free, fine */
    ck_assert_ptr_nonnull(netbuf_alloc(buf, 30));   /* reusable */
    netbuf_free(NULL);
    netbuf_delete(NULL);
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

/* A netbuf holding "abc" then, chained, "defgh" and "ij". */
static struct netbuf *three_pieces(void)
{
    static const char *const piece[] = { "abc", "defgh", "ij" };
    struct netbuf *head = NULL;
    for (int i = 0; i < 3; i++) {
        struct netbuf *b = netbuf_new();
        ck_assert_ptr_nonnull(b);
        u16_t n = (u16_t)strlen(piece[i]);
        void *d = netbuf_alloc(b, n);
        ck_assert_ptr_nonnull(d);
        memcpy(d, piece[i], n);
        if (head == NULL)
            head = b;
        else
            netbuf_chain(head, b);
    }
    return head;
}

START_TEST(chain_appends_and_frees_the_tail)
{
    struct netbuf *buf = three_pieces();
    ck_assert_int_eq(memp_in_use(MEMP_NETBUF), 1);  /* the tails went back */
    ck_assert_uint_eq(netbuf_len(buf), 10);
    ck_assert_uint_eq(pbuf_clen(buf->p), 3);
    ck_assert_ptr_eq(buf->ptr, buf->p);
    char out[16] = { 0 };
    ck_assert_uint_eq(netbuf_copy(buf, out, sizeof out), 10);
    ck_assert_str_eq(out, "abcdefghij");
    memset(out, 0, sizeof out);
    ck_assert_uint_eq(netbuf_copy_partial(buf, out, 4, 2), 4);
    ck_assert_str_eq(out, "cdef");
    ck_assert_int_eq(netbuf_take(buf, "ABCDEFGHIJ", 10), ERR_OK);
    ck_assert_uint_eq(netbuf_copy(buf, out, 10), 10);
    ck_assert_int_eq(memcmp(out, "ABCDEFGHIJ", 10), 0);
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

START_TEST(chain_with_empty_sides)
{
    struct netbuf *head = netbuf_new();
    struct netbuf *tail = netbuf_new();
    ck_assert_ptr_nonnull(netbuf_alloc(tail, 5));
    struct pbuf *p = tail->p;
    netbuf_chain(head, tail);   /* empty head takes the tail's data */
    ck_assert_ptr_eq(head->p, p);
    ck_assert_ptr_eq(head->ptr, p);
    ck_assert_int_eq(memp_in_use(MEMP_NETBUF), 1);
    struct netbuf *empty = netbuf_new();
    netbuf_chain(head, empty);  /* empty tail: only its netbuf goes */
    ck_assert_ptr_eq(head->p, p);
    ck_assert_uint_eq(netbuf_len(head), 5);
    ck_assert_int_eq(memp_in_use(MEMP_NETBUF), 1);
    netbuf_chain(NULL, head);   /* ignored */
    netbuf_chain(head, NULL);
    netbuf_chain(head, head);
    ck_assert_int_eq(memp_in_use(MEMP_NETBUF), 1);
    netbuf_delete(head);
    ng_assert_net_clean();
}
END_TEST

START_TEST(walk_with_data_next_first)
{
    struct netbuf *buf = three_pieces();
    void *data;
    u16_t len;
    ck_assert_int_eq(netbuf_data(buf, &data, &len), ERR_OK);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(memcmp(data, "abc", 3), 0);
    ck_assert_int_eq(netbuf_next(buf), 0);      /* moved, more follow */
    ck_assert_int_eq(netbuf_data(buf, &data, &len), ERR_OK);
    ck_assert_uint_eq(len, 5);
    ck_assert_int_eq(memcmp(data, "defgh", 5), 0);
    ck_assert_int_eq(netbuf_next(buf), 1);      /* moved onto the last */
    ck_assert_int_eq(netbuf_data(buf, &data, &len), ERR_OK);
    ck_assert_uint_eq(len, 2);
    ck_assert_int_eq(memcmp(data, "ij", 2), 0);
    ck_assert_int_eq(netbuf_next(buf), -1);     /* no further: stays */
    ck_assert_int_eq(netbuf_data(buf, &data, &len), ERR_OK);
    ck_assert_uint_eq(len, 2);
    netbuf_first(buf);
    ck_assert_int_eq(netbuf_data(buf, &data, &len), ERR_OK);
    ck_assert_uint_eq(len, 3);
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

START_TEST(null_arguments_are_errors)
{
    void *data = NULL;
    u16_t len = 0;
    ck_assert_int_eq(netbuf_data(NULL, &data, &len), ERR_ARG);
    struct netbuf *buf = netbuf_new();
    ck_assert_ptr_nonnull(netbuf_alloc(buf, 4));
    ck_assert_int_eq(netbuf_data(buf, NULL, &len), ERR_ARG);
    ck_assert_int_eq(netbuf_data(buf, &data, NULL), ERR_ARG);
    ck_assert_int_eq(netbuf_next(NULL), -1);
    netbuf_first(NULL);
    ck_assert_int_eq(netbuf_next(buf), -1);     /* one piece only */
    netbuf_delete(buf);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("netbuf");
    TCase *tc = ng_tcase(s, "lifetime");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, new_is_empty_and_from_the_pool);
    tcase_add_test(tc, new_fails_when_the_pool_is_empty);
    tcase_add_test(tc, new_has_a_layer_span);
    tcase_add_test(tc, free_keeps_the_netbuf);

    tc = ng_tcase(s, "data");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, alloc_gives_ram_with_header_room);
    tcase_add_test(tc, alloc_fails_cleanly);
    tcase_add_test(tc, ref_points_at_the_callers_bytes);
    tcase_add_test(tc, ref_errors);

    tc = ng_tcase(s, "chains");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, chain_appends_and_frees_the_tail);
    tcase_add_test(tc, chain_with_empty_sides);
    tcase_add_test(tc, walk_with_data_next_first);
    tcase_add_test(tc, null_arguments_are_errors);
    return ng_test_run(s) != 0;
}
