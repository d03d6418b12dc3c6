/*
 * tests/unit/test_pbuf.c - packet buffers (net/pbuf.c, net/pbuf_data.c).
 *
 * Covers: the layout of each type (header room of each layer, the pool
 * chain's lengths), header add/remove limits per type (RAM and POOL only
 * into their reserved room, ROM/REF only with _force, never past len),
 * reference counts and how many pbufs pbuf_free frees, a double free
 * (exit 120), cat/chain/dechain and who owns which reference, realloc
 * shrinking chains and trimming a RAM pbuf in the heap, pool exhaustion
 * mid-chain (NULL, nothing leaked, err counted), every byte accessor
 * (copy_partial, copy_partial_pbuf, take, take_at, get/try_get/put_at,
 * skip, get_contiguous, memcmp, memfind, strstr) at every offset of chains
 * with odd boundaries against a flat copy, clone and coalesce, free_header,
 * custom pbufs (the free function runs once, at the last reference, also
 * as part of a chain, and the MEMP_FRAG_PBUF pattern of ip4_frag), and the
 * PBUF_ALLOC / PBUF_FREE / PBUF_REF trace records.
 * Every test ends with all pools and the heap empty (ng_assert_net_clean).
 * Built with -DMEM_LIBC_MALLOC=1 (see test_mem.c), the tests that depend on
 * the static heap's size, layout or free checks are left out.
 */
#include <string.h>

#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/priv/memp_types.h"
#include "ng_net_test.h"
#include "trace_capture.h"

#define HDR LWIP_MEM_ALIGN_SIZE(sizeof(struct pbuf))
#define ROOM(layer) LWIP_MEM_ALIGN_SIZE((unsigned)(layer))

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
    tlog_reset();
}

/* The bytes 0, 1, 2, ... (mod 251, so no period of 256 hides an offset error). */
static u8_t pattern[4096];

static void fill_pattern(void)
{
    for (unsigned i = 0; i < sizeof pattern; i++)
        pattern[i] = (u8_t)(i % 251);
}

/* A packet of REF pbufs over pattern[], split after each of the given
 * lengths (which may be odd or 0). */
static struct pbuf *ref_chain(const u16_t *lens, int n)
{
    struct pbuf *head = NULL;
    u16_t at = 0;
    for (int i = 0; i < n; i++) {
        struct pbuf *q = pbuf_alloc_reference(pattern + at, lens[i], PBUF_REF);
        ck_assert_ptr_nonnull(q);
        at = (u16_t)(at + lens[i]);
        if (head)
            pbuf_cat(head, q);
        else
            head = q;
    }
    return head;
}

/* A packet of RAM pbufs of the given lengths, zeroed. */
static struct pbuf *ram_chain(const u16_t *lens, int n)
{
    struct pbuf *head = NULL;
    for (int i = 0; i < n; i++) {
        struct pbuf *q = pbuf_alloc(PBUF_RAW, lens[i], PBUF_RAM);
        ck_assert_ptr_nonnull(q);
        memset(q->payload, 0, lens[i]);
        if (head)
            pbuf_cat(head, q);
        else
            head = q;
    }
    return head;
}

/* The packet's bytes, flattened by walking the chain by hand. */
static u16_t flatten(const struct pbuf *p, u8_t *out)
{
    u16_t n = 0;
    for (; p; p = p->next) {
        memcpy(out + n, p->payload, p->len);
        n = (u16_t)(n + p->len);
    }
    return n;
}

/* tot_len of each pbuf is the sum of len from it to the end. */
static void assert_lengths_consistent(const struct pbuf *p)
{
    for (; p; p = p->next) {
        u32_t sum = 0;
        for (const struct pbuf *q = p; q; q = q->next)
            sum += q->len;
        ck_assert_uint_eq(p->tot_len, sum);
    }
}

/* ---- layout of each type ----------------------------------------------- */

START_TEST(ram_has_the_layers_header_room)
{
    static const pbuf_layer layers[] = { PBUF_TRANSPORT, PBUF_IP, PBUF_LINK, PBUF_RAW_TX,
                                         PBUF_RAW };
    for (unsigned i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        struct pbuf *p = pbuf_alloc(layers[i], 100, PBUF_RAM);
        ck_assert_ptr_nonnull(p);
        ck_assert_ptr_eq(p->payload, (u8_t *)p + HDR + ROOM(layers[i]));
        ck_assert_uint_eq(p->len, 100);
        ck_assert_uint_eq(p->tot_len, 100);
        ck_assert_uint_eq(p->ref, 1);
        ck_assert_uint_eq(p->type_internal, PBUF_RAM);
        ck_assert_uint_eq(p->flags, 0);
        ck_assert_ptr_null(p->next);
        ck_assert_uint_eq((uintptr_t)p->payload % MEM_ALIGNMENT, 0);
        ck_assert_uint_gt(mem_used(), HDR + ROOM(layers[i]) + 100 - 1);
        ck_assert_uint_eq(pbuf_free(p), 1);
    }
    ck_assert_uint_eq(PBUF_TRANSPORT, 54);      /* 14 + 20 + 20 */
    ck_assert_uint_eq(PBUF_IP, 34);
    ck_assert_uint_eq(PBUF_LINK, 14);
    ng_assert_net_clean();
}
END_TEST

START_TEST(pool_chain_lengths)
{
    const u16_t first = (u16_t)(PBUF_POOL_BUFSIZE_ALIGNED - ROOM(PBUF_LINK));
    const u16_t total = (u16_t)(first + PBUF_POOL_BUFSIZE_ALIGNED + 100);
    struct pbuf *p = pbuf_alloc(PBUF_LINK, total, PBUF_POOL);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(pbuf_clen(p), 3);
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF_POOL), 3);
    ck_assert_uint_eq(p->len, first);
    ck_assert_uint_eq(p->tot_len, total);
    ck_assert_ptr_eq(p->payload, (u8_t *)p + HDR + ROOM(PBUF_LINK));
    struct pbuf *q = p->next;
    ck_assert_uint_eq(q->len, PBUF_POOL_BUFSIZE_ALIGNED);
    ck_assert_uint_eq(q->tot_len, total - first);
    ck_assert_ptr_eq(q->payload, (u8_t *)q + HDR);     /* no header room after the first */
    ck_assert_uint_eq(q->next->len, 100);
    ck_assert_uint_eq(q->next->tot_len, 100);
    ck_assert_ptr_null(q->next->next);
    for (struct pbuf *r = p; r; r = r->next) {
        ck_assert_uint_eq(r->type_internal, PBUF_POOL);
        ck_assert_uint_eq(r->ref, 1);
    }
    ck_assert_uint_eq(pbuf_free(p), 3);
    ng_assert_net_clean();
}
END_TEST

START_TEST(pool_of_zero_length_is_one_pbuf)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 0, PBUF_POOL);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->len, 0);
    ck_assert_uint_eq(p->tot_len, 0);
    ck_assert_uint_eq(pbuf_clen(p), 1);
    ck_assert_uint_eq(pbuf_free(p), 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(pool_exhaustion_mid_chain_leaks_nothing)
{
    struct pbuf *keep[PBUF_POOL_SIZE];
    for (int i = 0; i < PBUF_POOL_SIZE - 2; i++)
        ck_assert_ptr_nonnull(keep[i] = pbuf_alloc(PBUF_RAW, 10, PBUF_POOL));
    u16_t err_before = memp_pools[MEMP_PBUF_POOL]->stats->err;
    /* needs three buffers, two are left */
    ck_assert_ptr_null(pbuf_alloc(PBUF_RAW, 2 * PBUF_POOL_BUFSIZE_ALIGNED + 1, PBUF_POOL));
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF_POOL), PBUF_POOL_SIZE - 2);
    ck_assert_uint_eq(memp_pools[MEMP_PBUF_POOL]->stats->err, err_before + 1);
    struct pbuf *two = pbuf_alloc(PBUF_RAW, 2 * PBUF_POOL_BUFSIZE_ALIGNED, PBUF_POOL);
    ck_assert_ptr_nonnull(two);                         /* exactly what is left */
    ck_assert_ptr_null(pbuf_alloc(PBUF_RAW, 1, PBUF_POOL));
    ck_assert_uint_eq(pbuf_free(two), 2);
    for (int i = 0; i < PBUF_POOL_SIZE - 2; i++)
        pbuf_free(keep[i]);
    ng_assert_net_clean();
}
END_TEST

START_TEST(ram_too_big_fails_and_counts)
{
    u16_t err_before = lwip_stats.mem.err;
    ck_assert_ptr_null(pbuf_alloc(PBUF_TRANSPORT, 0xffff, PBUF_RAM));     /* > 64 KiB in all */
    ck_assert_ptr_null(pbuf_alloc(PBUF_RAW, MEM_SIZE, PBUF_RAM));         /* > the heap */
    ck_assert_uint_eq(lwip_stats.mem.err, err_before + 2);
    ng_assert_net_clean();
}
END_TEST

START_TEST(rom_and_ref_point_at_the_callers_data)
{
    static const u8_t data[] = "constant";
    struct pbuf *rom = pbuf_alloc_reference((void *)(uintptr_t)data, 8, PBUF_ROM);
    struct pbuf *ref = pbuf_alloc(PBUF_TRANSPORT, 5, PBUF_REF);
    ck_assert_ptr_nonnull(rom);
    ck_assert_ptr_nonnull(ref);
    ck_assert_ptr_eq(rom->payload, data);
    ck_assert_ptr_null(ref->payload);                   /* the caller sets it */
    ck_assert_uint_eq(rom->type_internal, PBUF_ROM);
    ck_assert_uint_eq(ref->type_internal, PBUF_REF);
    ck_assert_uint_eq(rom->tot_len, 8);
    ck_assert_uint_eq(ref->tot_len, 5);
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF), 2);
    ck_assert_uint_eq(mem_used(), 0);
    pbuf_free(rom);
    pbuf_free(ref);
    ng_assert_net_clean();
}
END_TEST

/* ---- headers ------------------------------------------------------------- */

START_TEST(ram_header_grows_only_into_its_room)
{
    struct pbuf *p = pbuf_alloc(PBUF_IP, 10, PBUF_RAM);
    u8_t *payload0 = p->payload;
    const u16_t room = (u16_t)ROOM(PBUF_IP);
    ck_assert_uint_eq(pbuf_add_header(p, room + 1), 1);     /* into struct pbuf: no */
    ck_assert_ptr_eq(p->payload, payload0);
    ck_assert_uint_eq(p->len, 10);
    ck_assert_uint_eq(pbuf_add_header(p, 20), 0);           /* the IP header */
    ck_assert_ptr_eq(p->payload, payload0 - 20);
    ck_assert_uint_eq(p->len, 30);
    ck_assert_uint_eq(p->tot_len, 30);
    ck_assert_uint_eq(pbuf_add_header(p, room - 20), 0);    /* the rest of the room */
    ck_assert_ptr_eq(p->payload, (u8_t *)p + HDR);
    ck_assert_uint_eq(pbuf_add_header(p, 1), 1);
    ck_assert_uint_eq(pbuf_add_header_force(p, 1), 1);      /* force does not help RAM */
    ck_assert_uint_eq(pbuf_add_header(p, 0), 0);
    ck_assert_uint_eq(pbuf_remove_header(p, (u16_t)(p->len + 1)), 1);
    ck_assert_uint_eq(pbuf_remove_header(p, p->len), 0);     /* to empty: allowed */
    ck_assert_uint_eq(p->len, 0);
    ck_assert_uint_eq(p->tot_len, 0);
    ck_assert_uint_eq(pbuf_header(p, (s16_t)(room + 10)), 0);
    ck_assert_uint_eq(pbuf_header(p, -5), 0);
    ck_assert_uint_eq(p->len, room + 5);
    ck_assert_ptr_eq(p->payload, (u8_t *)p + HDR + 5);
    ck_assert_uint_eq(pbuf_add_header(NULL, 1), 1);
    ck_assert_uint_eq(pbuf_remove_header(NULL, 1), 1);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(pool_header_room_only_in_the_first)
{
    struct pbuf *p = pbuf_alloc(PBUF_LINK, PBUF_POOL_BUFSIZE_ALIGNED + 4, PBUF_POOL);
    struct pbuf *q = p->next;
    ck_assert_uint_eq(pbuf_add_header(q, 1), 1);            /* no room in the second */
    ck_assert_uint_eq(pbuf_add_header(p, ROOM(PBUF_LINK)), 0);
    ck_assert_uint_eq(pbuf_add_header(p, 1), 1);
    ck_assert_uint_eq(p->tot_len, PBUF_POOL_BUFSIZE_ALIGNED + 4 + ROOM(PBUF_LINK));
    ck_assert_uint_eq(q->tot_len, PBUF_POOL_BUFSIZE_ALIGNED + 4 - p->len + ROOM(PBUF_LINK));
    /* removing works on the first pbuf only */
    ck_assert_uint_eq(pbuf_remove_header(p, (u16_t)(p->len + 1)), 1);
    assert_lengths_consistent(p);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(rom_ref_header_only_forced)
{
    u8_t buf[32];
    struct pbuf *p = pbuf_alloc_reference(buf + 16, 8, PBUF_REF);
    ck_assert_uint_eq(pbuf_add_header(p, 4), 1);
    ck_assert_ptr_eq(p->payload, buf + 16);
    ck_assert_uint_eq(pbuf_header(p, 4), 1);
    ck_assert_uint_eq(pbuf_add_header_force(p, 4), 0);
    ck_assert_ptr_eq(p->payload, buf + 12);
    ck_assert_uint_eq(p->len, 12);
    ck_assert_uint_eq(pbuf_header_force(p, 2), 0);
    ck_assert_ptr_eq(p->payload, buf + 10);
    ck_assert_uint_eq(pbuf_remove_header(p, 6), 0);
    ck_assert_ptr_eq(p->payload, buf + 16);
    ck_assert_uint_eq(p->len, 8);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(header_cannot_overflow_tot_len)
{
    u8_t b[4];
    struct pbuf *p = pbuf_alloc_reference(b, 0xfff0, PBUF_REF);
    ck_assert_uint_eq(pbuf_add_header_force(p, 0x10), 1);     /* 0x10000 does not fit */
    ck_assert_uint_eq(pbuf_add_header_force(p, 0xf), 0);
    ck_assert_uint_eq(p->tot_len, 0xffff);
    ck_assert_uint_eq(pbuf_add_header_force(p, 1), 1);
    ck_assert_uint_eq(pbuf_add_header_force(p, 0x10000), 1);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

/* ---- reference counts ---------------------------------------------------- */

START_TEST(free_counts_what_it_frees)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 2 * PBUF_POOL_BUFSIZE_ALIGNED, PBUF_POOL);
    ck_assert_uint_eq(pbuf_clen(p), 2);
    pbuf_ref(p);
    ck_assert_uint_eq(p->ref, 2);
    ck_assert_uint_eq(pbuf_free(p), 0);         /* one reference left */
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF_POOL), 2);
    struct pbuf *second = p->next;
    pbuf_ref(second);                           /* someone holds the second */
    ck_assert_uint_eq(pbuf_free(p), 1);         /* the first goes, the walk stops */
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF_POOL), 1);
    ck_assert_uint_eq(second->ref, 1);
    ck_assert_uint_eq(pbuf_free(second), 1);
    pbuf_ref(NULL);                             /* allowed, nothing happens */
    ng_assert_net_clean();
}
END_TEST

static struct pbuf *double_freed;

START_TEST(double_free_asserts)
{
    double_freed = pbuf_alloc(PBUF_RAW, 10, PBUF_POOL);
    pbuf_free(double_freed);
    pbuf_free(double_freed);
}
END_TEST

static void free_twice(void)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, 10, PBUF_RAM);
    pbuf_free(p);
    pbuf_free(p);
}

START_TEST(double_free_message)
{
    char out[512];
    ck_assert_int_eq(ng_capture_exit(free_twice, out, sizeof out), NG_EXIT_ASSERT);
    ck_assert_msg(strstr(out, "pbuf_free: ref is already 0") != NULL, "got: %s", out);
    ng_assert_net_clean();
}
END_TEST

START_TEST(free_null_asserts)
{
    pbuf_free(NULL);
}
END_TEST

/* ---- chains -------------------------------------------------------------- */

START_TEST(cat_hands_over_the_reference)
{
    struct pbuf *h = pbuf_alloc(PBUF_RAW, 600, PBUF_POOL);     /* two pbufs */
    struct pbuf *t = pbuf_alloc(PBUF_RAW, 30, PBUF_RAM);
    pbuf_cat(h, t);
    ck_assert_uint_eq(h->tot_len, 630);
    ck_assert_uint_eq(h->next->tot_len, 630 - h->len);
    ck_assert_ptr_eq(h->next->next, t);
    ck_assert_uint_eq(t->ref, 1);
    ck_assert_uint_eq(pbuf_clen(h), 3);
    assert_lengths_consistent(h);
    pbuf_cat(NULL, t);                          /* ignored */
    pbuf_cat(h, NULL);
    ck_assert_uint_eq(pbuf_free(h), 3);
    ng_assert_net_clean();
}
END_TEST

START_TEST(chain_keeps_the_callers_reference)
{
    struct pbuf *h = pbuf_alloc(PBUF_RAW, 10, PBUF_RAM);
    struct pbuf *t = pbuf_alloc(PBUF_RAW, 20, PBUF_RAM);
    pbuf_chain(h, t);
    ck_assert_uint_eq(t->ref, 2);
    ck_assert_uint_eq(h->tot_len, 30);
    ck_assert_uint_eq(pbuf_free(h), 1);         /* h goes, t stays for its caller */
    ck_assert_uint_eq(t->ref, 1);
    ck_assert_uint_eq(t->tot_len, 20);
    ck_assert_uint_eq(pbuf_free(t), 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(dechain_returns_or_frees_the_rest)
{
    struct pbuf *h = pbuf_alloc(PBUF_RAW, 10, PBUF_RAM);
    struct pbuf *t = pbuf_alloc(PBUF_RAW, 20, PBUF_RAM);
    pbuf_chain(h, t);                           /* t: ref 2 */
    ck_assert_ptr_eq(pbuf_dechain(h), t);
    ck_assert_uint_eq(t->ref, 1);
    ck_assert_uint_eq(h->tot_len, 10);
    ck_assert_ptr_null(h->next);
    ck_assert_ptr_null(pbuf_dechain(h));        /* nothing after it */
    pbuf_cat(h, t);                             /* t: only the chain's reference */
    ck_assert_ptr_null(pbuf_dechain(h));        /* so dechaining frees it */
    ck_assert_uint_eq(h->tot_len, 10);
    pbuf_free(h);
    ng_assert_net_clean();
}
END_TEST

START_TEST(realloc_shrinks_chains)
{
    u16_t total = (u16_t)(3 * PBUF_POOL_BUFSIZE_ALIGNED);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, total, PBUF_POOL);
    ck_assert_uint_eq(pbuf_clen(p), 3);
    pbuf_realloc(p, total);                     /* same: nothing */
    pbuf_realloc(p, 0xffff);                    /* cannot grow: nothing */
    ck_assert_uint_eq(p->tot_len, total);
    pbuf_realloc(p, PBUF_POOL_BUFSIZE_ALIGNED + 7);
    ck_assert_uint_eq(pbuf_clen(p), 2);
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF_POOL), 2);
    ck_assert_uint_eq(p->tot_len, PBUF_POOL_BUFSIZE_ALIGNED + 7);
    ck_assert_uint_eq(p->next->len, 7);
    ck_assert_uint_eq(p->next->tot_len, 7);
    assert_lengths_consistent(p);
    pbuf_realloc(p, PBUF_POOL_BUFSIZE_ALIGNED);  /* exactly the first */
    ck_assert_uint_eq(pbuf_clen(p), 1);
    ck_assert_uint_eq(p->len, PBUF_POOL_BUFSIZE_ALIGNED);
    pbuf_realloc(p, 0);
    ck_assert_uint_eq(p->len, 0);
    ck_assert_uint_eq(pbuf_free(p), 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(realloc_trims_ram_in_the_heap)
{
    struct pbuf *p = pbuf_alloc(PBUF_IP, 1000, PBUF_RAM);
    mem_size_t before = mem_used();
    memset(p->payload, 0x5a, 1000);
    pbuf_realloc(p, 100);
    ck_assert_uint_eq(p->len, 100);
    ck_assert_uint_eq(p->tot_len, 100);
    ck_assert_uint_le(mem_used(), before - 896);    /* the tail went back */
    ck_assert_uint_eq(((u8_t *)p->payload)[99], 0x5a);
    /* the freed tail is usable at once, right behind p */
    struct pbuf *q = pbuf_alloc(PBUF_RAW, 800, PBUF_RAM);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_gt((uintptr_t)q, (uintptr_t)p);
    ck_assert_uint_lt((uintptr_t)q, (uintptr_t)p + HDR + ROOM(PBUF_IP) + 1000);
    pbuf_free(q);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(free_header_across_pbufs)
{
    fill_pattern();
    static const u16_t lens[] = { 5, 3, 10 };
    struct pbuf *p = ref_chain(lens, 3);
    p = pbuf_free_header(p, 2);
    ck_assert_uint_eq(pbuf_clen(p), 3);
    ck_assert_uint_eq(p->tot_len, 16);
    ck_assert_uint_eq(pbuf_get_at(p, 0), 2);
    p = pbuf_free_header(p, 6);                 /* the rest of the 1st, all the 2nd */
    ck_assert_uint_eq(pbuf_clen(p), 1);
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF), 1);
    ck_assert_uint_eq(p->tot_len, 10);
    ck_assert_uint_eq(pbuf_get_at(p, 0), 8);
    ck_assert_ptr_null(pbuf_free_header(p, 10));
    ng_assert_net_clean();
}
END_TEST

/* ---- bytes across boundaries -------------------------------------------- */

static const u16_t odd_lens[] = { 1, 7, 0, 16, 3, 2, 33, 1 };
#define ODD_N ((int)(sizeof odd_lens / sizeof odd_lens[0]))
#define ODD_TOTAL 63

START_TEST(copy_partial_every_offset_and_length)
{
    fill_pattern();
    struct pbuf *p = ref_chain(odd_lens, ODD_N);
    ck_assert_uint_eq(p->tot_len, ODD_TOTAL);
    u8_t out[ODD_TOTAL + 8];
    for (u16_t off = 0; off <= ODD_TOTAL; off++) {
        for (u16_t len = 0; off + len <= ODD_TOTAL + 3; len++) {
            memset(out, 0xee, sizeof out);
            u16_t want = (u16_t)LWIP_MIN(len, ODD_TOTAL - off);
            ck_assert_uint_eq(pbuf_copy_partial(p, out, len, off), want);
            ck_assert_msg(memcmp(out, pattern + off, want) == 0, "off %u len %u", off, len);
            ck_assert_uint_eq(out[want], 0xee);     /* not a byte more */
        }
    }
    ck_assert_uint_eq(pbuf_copy_partial(p, out, 5, ODD_TOTAL + 1), 0);
    ck_assert_uint_eq(pbuf_copy_partial(NULL, out, 5, 0), 0);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(get_put_and_skip)
{
    fill_pattern();
    struct pbuf *p = ref_chain(odd_lens, ODD_N);
    for (u16_t i = 0; i < ODD_TOTAL; i++) {
        ck_assert_uint_eq(pbuf_get_at(p, i), pattern[i]);
        ck_assert_int_eq(pbuf_try_get_at(p, i), pattern[i]);
        u16_t in = 0xffff;
        struct pbuf *q = pbuf_skip(p, i, &in);
        ck_assert_ptr_nonnull(q);
        ck_assert_uint_lt(in, q->len);
        ck_assert_uint_eq(((u8_t *)q->payload)[in], pattern[i]);
    }
    ck_assert_int_eq(pbuf_try_get_at(p, ODD_TOTAL), -1);
    ck_assert_uint_eq(pbuf_get_at(p, ODD_TOTAL), 0);
    ck_assert_ptr_null(pbuf_skip(p, ODD_TOTAL, NULL));
    pbuf_free(p);

    struct pbuf *r = ram_chain(odd_lens, ODD_N);
    for (u16_t i = 0; i < ODD_TOTAL; i++)
        pbuf_put_at(r, i, (u8_t)(200 - i));
    pbuf_put_at(r, ODD_TOTAL, 1);               /* past the end: ignored */
    u8_t flat[ODD_TOTAL];
    ck_assert_uint_eq(flatten(r, flat), ODD_TOTAL);
    for (u16_t i = 0; i < ODD_TOTAL; i++)
        ck_assert_uint_eq(flat[i], (u8_t)(200 - i));
    pbuf_free(r);
    ng_assert_net_clean();
}
END_TEST

START_TEST(take_and_take_at)
{
    fill_pattern();
    struct pbuf *r = ram_chain(odd_lens, ODD_N);
    u8_t flat[ODD_TOTAL];
    ck_assert_int_eq(pbuf_take(r, pattern, ODD_TOTAL + 1), ERR_MEM);
    ck_assert_int_eq(pbuf_take(r, pattern, ODD_TOTAL), ERR_OK);
    flatten(r, flat);
    ck_assert_int_eq(memcmp(flat, pattern, ODD_TOTAL), 0);
    ck_assert_int_eq(pbuf_take(NULL, pattern, 1), ERR_ARG);
    for (u16_t off = 0; off < ODD_TOTAL; off++) {
        for (u16_t len = 1; off + len <= ODD_TOTAL; len += 5) {
            ck_assert_int_eq(pbuf_take(r, pattern, ODD_TOTAL), ERR_OK);
            ck_assert_int_eq(pbuf_take_at(r, pattern + 1000, len, off), ERR_OK);
            flatten(r, flat);
            ck_assert_int_eq(memcmp(flat, pattern, off), 0);
            ck_assert_msg(memcmp(flat + off, pattern + 1000, len) == 0, "off %u len %u",
                          off, len);
            ck_assert_int_eq(memcmp(flat + off + len, pattern + off + len,
                                    ODD_TOTAL - off - len), 0);
        }
        ck_assert_int_eq(pbuf_take_at(r, pattern, (u16_t)(ODD_TOTAL - off + 1), off), ERR_MEM);
    }
    ck_assert_int_eq(pbuf_take_at(r, pattern, 1, ODD_TOTAL), ERR_MEM);
    pbuf_free(r);
    ng_assert_net_clean();
}
END_TEST

START_TEST(copy_partial_pbuf_into_an_offset)
{
    fill_pattern();
    static const u16_t from_lens[] = { 3, 9, 1, 20 };       /* 33 bytes */
    struct pbuf *from = ref_chain(from_lens, 4);
    for (u16_t off = 0; off + 33 <= ODD_TOTAL; off++) {
        for (u16_t len = 0; len <= 33; len += 4) {
            struct pbuf *to = ram_chain(odd_lens, ODD_N);
            ck_assert_int_eq(pbuf_copy_partial_pbuf(to, from, len, off), ERR_OK);
            u8_t flat[ODD_TOTAL], zero[ODD_TOTAL] = { 0 };
            flatten(to, flat);
            ck_assert_int_eq(memcmp(flat, zero, off), 0);
            ck_assert_msg(memcmp(flat + off, pattern, len) == 0, "off %u len %u", off, len);
            ck_assert_int_eq(memcmp(flat + off + len, zero, ODD_TOTAL - off - len), 0);
            pbuf_free(to);
        }
    }
    struct pbuf *to = ram_chain(odd_lens, ODD_N);
    ck_assert_int_eq(pbuf_copy_partial_pbuf(to, from, 34, 0), ERR_ARG);  /* source too short */
    ck_assert_int_eq(pbuf_copy_partial_pbuf(to, from, 33, ODD_TOTAL - 32), ERR_ARG);
    ck_assert_int_eq(pbuf_copy_partial_pbuf(NULL, from, 1, 0), ERR_ARG);
    ck_assert_int_eq(pbuf_copy(to, from), ERR_OK);
    ck_assert_uint_eq(pbuf_get_at(to, 32), pattern[32]);
    ck_assert_int_eq(pbuf_copy(from, to), ERR_ARG);         /* 63 bytes do not fit 33 */
    ck_assert_int_eq(pbuf_copy(to, NULL), ERR_ARG);
    pbuf_free(to);
    pbuf_free(from);
    ng_assert_net_clean();
}
END_TEST

START_TEST(get_contiguous_points_or_copies)
{
    fill_pattern();
    struct pbuf *p = ref_chain(odd_lens, ODD_N);
    u8_t buf[40];
    /* bytes 8..23 are the 16-byte pbuf: a pointer into it */
    u8_t *in = pbuf_get_contiguous(p, buf, sizeof buf, 16, 8);
    ck_assert_ptr_eq(in, pattern + 8);
    /* across pbufs: copied */
    u8_t *across = pbuf_get_contiguous(p, buf, sizeof buf, 30, 5);
    ck_assert_ptr_eq(across, buf);
    ck_assert_int_eq(memcmp(buf, pattern + 5, 30), 0);
    ck_assert_ptr_null(pbuf_get_contiguous(p, buf, 10, 30, 5));          /* buffer too small */
    ck_assert_ptr_null(pbuf_get_contiguous(p, buf, sizeof buf, 10, ODD_TOTAL - 5));
    ck_assert_ptr_null(pbuf_get_contiguous(p, buf, sizeof buf, 1, ODD_TOTAL));
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(memcmp_memfind_strstr)
{
    static char text[] = "GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n";
    const u16_t n = (u16_t)strlen(text);
    /* the text split at odd places, as REF pbufs */
    static const u16_t cuts[] = { 3, 1, 7, 2, 11 };
    struct pbuf *p = NULL;
    u16_t at = 0;
    for (int i = 0; i <= 5; i++) {
        u16_t len = i < 5 ? cuts[i] : (u16_t)(n - at);
        struct pbuf *q = pbuf_alloc_reference(text + at, len, PBUF_REF);
        at = (u16_t)(at + len);
        if (p)
            pbuf_cat(p, q);
        else
            p = q;
    }
    ck_assert_uint_eq(p->tot_len, n);
    ck_assert_uint_eq(pbuf_memcmp(p, 0, "GET /", 5), 0);
    ck_assert_uint_eq(pbuf_memcmp(p, 4, "/index.html", 11), 0);
    ck_assert_uint_eq(pbuf_memcmp(p, 4, "/indeX", 6), 6);       /* 1 + index of the difference */
    ck_assert_uint_eq(pbuf_memcmp(p, 0, "X", 1), 1);
    ck_assert_uint_eq(pbuf_memcmp(p, (u16_t)(n - 2), "\r\n\r", 3), 0xffff);  /* past the end */
    ck_assert_uint_eq(pbuf_memfind(p, "HTTP", 4, 0), 16);
    ck_assert_uint_eq(pbuf_memfind(p, "\r\n", 2, 0), 24);
    ck_assert_uint_eq(pbuf_memfind(p, "\r\n", 2, 25), 33);
    ck_assert_uint_eq(pbuf_memfind(p, "\r\n\r\n", 4, 0), 33);
    ck_assert_uint_eq(pbuf_memfind(p, "nope", 4, 0), 0xffff);
    ck_assert_uint_eq(pbuf_strstr(p, "Host:"), 26);
    ck_assert_uint_eq(pbuf_strstr(p, ""), 0xffff);
    ck_assert_uint_eq(pbuf_strstr(p, NULL), 0xffff);
    pbuf_free(p);
    ng_assert_net_clean();
}
END_TEST

START_TEST(clone_and_coalesce)
{
    fill_pattern();
    struct pbuf *p = ref_chain(odd_lens, ODD_N);
    struct pbuf *c = pbuf_clone(PBUF_LINK, PBUF_RAM, p);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(pbuf_clen(c), 1);
    ck_assert_uint_eq(c->tot_len, ODD_TOTAL);
    ck_assert_int_eq(memcmp(c->payload, pattern, ODD_TOTAL), 0);
    ck_assert_uint_eq(pbuf_add_header(c, PBUF_LINK_HLEN), 0);    /* it has the room */
    pbuf_free(c);

    struct pbuf *one = pbuf_coalesce(p, PBUF_RAW);
    ck_assert_ptr_ne(one, p);
    ck_assert_uint_eq(memp_in_use(MEMP_PBUF), 0);               /* the chain was freed */
    ck_assert_uint_eq(one->type_internal, PBUF_RAM);
    ck_assert_ptr_null(one->next);
    ck_assert_int_eq(memcmp(one->payload, pattern, ODD_TOTAL), 0);
    ck_assert_ptr_eq(pbuf_coalesce(one, PBUF_RAW), one);        /* one pbuf already */
    pbuf_free(one);
    ng_assert_net_clean();
}
END_TEST

START_TEST(coalesce_without_memory_keeps_the_chain)
{
    fill_pattern();
    void *hog = mem_malloc(MEM_SIZE - 64);
    ck_assert_ptr_nonnull(hog);
    static const u16_t lens[] = { 100, 100 };
    struct pbuf *p = ref_chain(lens, 2);
    ck_assert_ptr_eq(pbuf_coalesce(p, PBUF_RAW), p);
    ck_assert_uint_eq(pbuf_clen(p), 2);
    pbuf_free(p);
    mem_free(hog);
    ng_assert_net_clean();
}
END_TEST

/* ---- custom pbufs --------------------------------------------------------- */

static struct pbuf_custom custom;
static u8_t custom_mem[128];

static void custom_free(struct pbuf *p)
{
    ck_assert_ptr_eq(p, &custom.pbuf);
    tlog(1);
}

START_TEST(custom_free_runs_at_the_last_reference)
{
    custom.custom_free_function = custom_free;
    struct pbuf *p = pbuf_alloced_custom(PBUF_IP, 50, PBUF_REF, &custom, custom_mem,
                                         sizeof custom_mem);
    ck_assert_ptr_eq(p, &custom.pbuf);
    ck_assert_ptr_eq(p->payload, custom_mem + ROOM(PBUF_IP));
    ck_assert_uint_eq(p->flags & PBUF_FLAG_IS_CUSTOM, PBUF_FLAG_IS_CUSTOM);
    ck_assert_uint_eq(p->tot_len, 50);
    ck_assert_ptr_null(pbuf_alloced_custom(PBUF_IP, 100, PBUF_REF, &custom, custom_mem,
                                           sizeof custom_mem));   /* does not fit */
    pbuf_ref(p);
    ck_assert_uint_eq(pbuf_free(p), 0);
    ck_assert_int_eq(tlog_len(), 0);
    /* at the end of a chain: freed with it */
    struct pbuf *h = pbuf_alloc(PBUF_RAW, 10, PBUF_RAM);
    pbuf_cat(h, p);
    ck_assert_uint_eq(pbuf_free(h), 2);
    ck_assert_log(1);
    ng_assert_net_clean();
}
END_TEST

/* ip4_frag's pattern: a FRAG_PBUF element refers into the original packet
 * and gives its reference back when the fragment is freed. */
static void frag_ref_free(struct pbuf *p)
{
    struct pbuf_custom_ref *cr = (struct pbuf_custom_ref *)p;
    tlog(2);
    pbuf_free(cr->original);
    memp_free(MEMP_FRAG_PBUF, cr);
}

START_TEST(custom_ref_from_frag_pool)
{
    fill_pattern();
    struct pbuf *orig = pbuf_alloc(PBUF_RAW, 200, PBUF_RAM);
    pbuf_take(orig, pattern, 200);
    struct pbuf_custom_ref *cr = memp_malloc(MEMP_FRAG_PBUF);
    ck_assert_ptr_nonnull(cr);
    cr->pc.custom_free_function = frag_ref_free;
    cr->original = orig;
    pbuf_ref(orig);
    struct pbuf *frag = pbuf_alloced_custom(PBUF_RAW, 80, PBUF_REF, &cr->pc,
                                            (u8_t *)orig->payload + 100, 100);
    struct pbuf *hdr = pbuf_alloc(PBUF_LINK, 20, PBUF_RAM);
    pbuf_cat(hdr, frag);
    ck_assert_uint_eq(hdr->tot_len, 100);
    ck_assert_uint_eq(pbuf_get_at(hdr, 20), pattern[100]);
    ck_assert_uint_eq(pbuf_free(orig), 0);      /* the fragment still holds it */
    ck_assert_uint_eq(pbuf_free(hdr), 2);
    ck_assert_log(2);
    ng_assert_net_clean();
}
END_TEST

/* ---- trace ---------------------------------------------------------------- */

START_TEST(trace_records_alloc_free_ref)
{
    tc_start(NG_TRACE_CLASS_BIT(PBUF_ALLOC));
    struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)(PBUF_POOL_BUFSIZE_ALIGNED + 1), PBUF_POOL);
    struct pbuf *second = p->next;
    pbuf_ref(p);
    pbuf_free(p);
    pbuf_free(p);
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    ck_assert_int_eq(tc_count(NG_EV_PBUF_ALLOC), 1);    /* one per packet */
    ck_assert_int_eq(tc_count(NG_EV_PBUF_FREE), 2);     /* one per pbuf */
    ck_assert_int_eq(tc_count(NG_EV_PBUF_REF), 1);
    int a = tc_next(0, NG_EV_PBUF_ALLOC);
    ck_assert_uint_eq(tc_recs[a].a, PBUF_POOL);
    ck_assert_uint_eq(tc_recs[a].w[0], (u32_t)(uintptr_t)p);
    ck_assert_uint_eq(tc_recs[a].w[1],
                      (u32_t)(PBUF_POOL_BUFSIZE_ALIGNED + 1) | (u32_t)PBUF_IP << 16);
    int r = tc_next(a, NG_EV_PBUF_REF);
    ck_assert_uint_eq(tc_recs[r].a, 2);
    ck_assert_uint_eq(tc_recs[r].w[0], (u32_t)(uintptr_t)p);
    int f = tc_next(r, NG_EV_PBUF_FREE);
    ck_assert_uint_eq(tc_recs[f].w[0], (u32_t)(uintptr_t)p);
    ck_assert_uint_eq(tc_recs[f].a, PBUF_POOL);
    f = tc_next(f + 1, NG_EV_PBUF_FREE);
    ck_assert_uint_eq(tc_recs[f].w[0], (u32_t)(uintptr_t)second);
    ng_assert_net_clean();
}
END_TEST

START_TEST(failed_alloc_leaves_no_record)
{
    tc_start(NG_TRACE_CLASS_BIT(PBUF_ALLOC));
    ck_assert_ptr_null(pbuf_alloc(PBUF_RAW, 0xffff, PBUF_POOL));
    ng_trace_stop(0);
    ck_assert_ptr_null(tc_parse());
    ck_assert_int_eq(tc_count(NG_EV_PBUF_ALLOC), 0);
    ck_assert_int_eq(tc_count(NG_EV_PBUF_FREE), 0);
    ng_assert_net_clean();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pbuf");
    TCase *tc = ng_tcase(s, "layout");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, ram_has_the_layers_header_room);
    tcase_add_test(tc, pool_chain_lengths);
    tcase_add_test(tc, pool_of_zero_length_is_one_pbuf);
    tcase_add_test(tc, pool_exhaustion_mid_chain_leaks_nothing);
    if (!MEM_LIBC_MALLOC)   /* the static heap's limits and checks */
        tcase_add_test(tc, ram_too_big_fails_and_counts);
    tcase_add_test(tc, rom_and_ref_point_at_the_callers_data);

    tc = ng_tcase(s, "headers");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, ram_header_grows_only_into_its_room);
    tcase_add_test(tc, pool_header_room_only_in_the_first);
    tcase_add_test(tc, rom_ref_header_only_forced);
    tcase_add_test(tc, header_cannot_overflow_tot_len);

    tc = ng_tcase(s, "refs");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, free_counts_what_it_frees);
    tcase_add_exit_test(tc, double_free_asserts, NG_EXIT_ASSERT);
    if (!MEM_LIBC_MALLOC)   /* the static heap's limits and checks */
        tcase_add_test(tc, double_free_message);
    tcase_add_exit_test(tc, free_null_asserts, NG_EXIT_ASSERT);

    tc = ng_tcase(s, "chains");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, cat_hands_over_the_reference);
    tcase_add_test(tc, chain_keeps_the_callers_reference);
    tcase_add_test(tc, dechain_returns_or_frees_the_rest);
    tcase_add_test(tc, realloc_shrinks_chains);
    if (!MEM_LIBC_MALLOC)   /* the static heap's limits and checks */
        tcase_add_test(tc, realloc_trims_ram_in_the_heap);
    tcase_add_test(tc, free_header_across_pbufs);

    tc = ng_tcase(s, "bytes");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, copy_partial_every_offset_and_length);
    tcase_add_test(tc, get_put_and_skip);
    tcase_add_test(tc, take_and_take_at);
    tcase_add_test(tc, copy_partial_pbuf_into_an_offset);
    tcase_add_test(tc, get_contiguous_points_or_copies);
    tcase_add_test(tc, memcmp_memfind_strstr);
    tcase_add_test(tc, clone_and_coalesce);
    if (!MEM_LIBC_MALLOC)   /* the static heap's limits and checks */
        tcase_add_test(tc, coalesce_without_memory_keeps_the_chain);

    tc = ng_tcase(s, "custom");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, custom_free_runs_at_the_last_reference);
    tcase_add_test(tc, custom_ref_from_frag_pool);

    tc = ng_tcase(s, "trace");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, trace_records_alloc_free_ref);
    tcase_add_test(tc, failed_alloc_leaves_no_record);
    return ng_test_run(s) != 0;
}
