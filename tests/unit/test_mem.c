/*
 * tests/unit/test_mem.c - the heap (net/mem.c; with -DMEM_LIBC_MALLOC=1,
 * net/mem_libc.c, where the tests about the static array's layout are left
 * out).
 *
 * Covers: alignment and distinctness of blocks, the used / max / avail /
 * err statistics and mem_used(), malloc(0) and too-large requests,
 * exhaustion (NULL, err counted), first fit reusing a freed block,
 * fragmentation (enough free bytes in all but no block large enough) and
 * merging of free neighbours on either side in every order, back to one
 * block of the whole heap, mem_trim (in place, the tail reusable, merged
 * into a free neighbour, growing refused), mem_calloc (zeroed, overflow),
 * a random alloc/free/trim workload checked against a shadow copy of every
 * block's contents, and the assertions (exit 120, message naming mem_free
 * and the address) on a double free, a free of memory that is not the
 * heap's and a free of a pointer into the middle of a block.
 *
 * The MEM_LIBC_MALLOC = 1 variant is built into a separate tree with
 *   make UNIT_BUILD=build/host-libc/tests UNIT_OBJ=build/host-libc/tests/obj \
 *        UNIT_SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined \
 *                  -fno-omit-frame-pointer -DMEM_LIBC_MALLOC=1" \
 *        build/host-libc/tests/test_mem build/host-libc/tests/test_pbuf
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/mem.h"
#include "lwip/stats.h"
#include "ng_net_test.h"

static void setup(void)
{
    ng_host_boot();
    ng_net_test_init();
}

static int aligned(const void *p)
{
    return ((uintptr_t)p % MEM_ALIGNMENT) == 0;
}

/* ---- both implementations ---------------------------------------------- */

START_TEST(blocks_are_aligned_distinct_and_counted)
{
    u8_t *a = mem_malloc(1), *b = mem_malloc(13), *c = mem_malloc(100);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    ck_assert(aligned(a) && aligned(b) && aligned(c));
    memset(a, 1, 1);
    memset(b, 2, 13);
    memset(c, 3, 100);
    ck_assert_uint_eq(a[0], 1);
    ck_assert_uint_eq(b[12], 2);
    ck_assert_uint_eq(c[0], 3);
    ck_assert_uint_ge(mem_used(), 114);
    ck_assert_uint_eq(lwip_stats.mem.used, mem_used());
    mem_size_t peak = mem_used();
    mem_free(b);
    ck_assert_uint_lt(mem_used(), peak);
    ck_assert_uint_eq(lwip_stats.mem.max, peak);
    mem_free(a);
    mem_free(c);
    mem_free(NULL);                     /* allowed */
    ck_assert_uint_eq(lwip_stats.mem.max, peak);
    ng_assert_net_clean();
}
END_TEST

START_TEST(zero_and_too_large)
{
    u16_t err = lwip_stats.mem.err;
    ck_assert_ptr_null(mem_malloc(0));
    ck_assert_uint_eq(lwip_stats.mem.err, err);     /* not a failure: nothing asked */
    ck_assert_ptr_null(mem_calloc(0x100, 0x100));   /* 64 KiB: does not fit mem_size_t */
    ck_assert_uint_eq(lwip_stats.mem.err, err + 1);
    ng_assert_net_clean();
}
END_TEST

START_TEST(calloc_zeroes)
{
    u8_t *p = mem_malloc(64);
    memset(p, 0xff, 64);
    mem_free(p);
    u8_t *q = mem_calloc(8, 8);
    ck_assert_ptr_nonnull(q);
    for (int i = 0; i < 64; i++)
        ck_assert_uint_eq(q[i], 0);
    mem_free(q);
    ng_assert_net_clean();
}
END_TEST

START_TEST(trim_keeps_the_data_and_gives_bytes_back)
{
    u8_t *p = mem_malloc(1000);
    for (int i = 0; i < 1000; i++)
        p[i] = (u8_t)i;
    mem_size_t before = mem_used();
    ck_assert_ptr_eq(mem_trim(p, 1000), p);
    ck_assert_uint_eq(mem_used(), before);
    ck_assert_ptr_eq(mem_trim(p, 100), p);
    ck_assert_uint_le(mem_used(), before - (1000 - LWIP_MEM_ALIGN_SIZE(100)));
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(p[i], (u8_t)i);
    ck_assert_ptr_null(mem_trim(p, 200));           /* growing is not trimming */
    mem_free(p);
    ng_assert_net_clean();
}
END_TEST

/* Random mallocs, frees and trims; every live block holds a byte pattern
 * of its own, checked before it is freed, so overlapping blocks show. */
START_TEST(random_workload_against_a_shadow)
{
    enum { SLOTS = 48 };
    static u8_t *blk[SLOTS];
    static u16_t len[SLOTS];
    static u8_t tag[SLOTS];
    srand(12345);
    for (int step = 0; step < 20000; step++) {
        int i = rand() % SLOTS;
        if (blk[i]) {
            for (u16_t k = 0; k < len[i]; k++)
                ck_assert_msg(blk[i][k] == (u8_t)(tag[i] + k), "block %d byte %u", i, k);
            if (rand() % 4 == 0 && len[i] > 1) {
                u16_t n = (u16_t)(1 + rand() % len[i]);
                ck_assert_ptr_eq(mem_trim(blk[i], n), blk[i]);
                len[i] = n;
            } else {
                mem_free(blk[i]);
                blk[i] = NULL;
            }
        } else {
            u16_t n = (u16_t)(1 + rand() % 600);
            blk[i] = mem_malloc(n);
            if (blk[i]) {
                ck_assert(aligned(blk[i]));
                len[i] = n;
                tag[i] = (u8_t)rand();
                for (u16_t k = 0; k < n; k++)
                    blk[i][k] = (u8_t)(tag[i] + k);
            }
        }
    }
    for (int i = 0; i < SLOTS; i++)
        mem_free(blk[i]);
    ng_assert_net_clean();
}
END_TEST

static void double_free(void)
{
    void *p = mem_malloc(40);
    mem_free(p);
    printf("[%p]\n", p);
    mem_free(p);
}

START_TEST(double_free_asserts_naming_the_address)
{
    char out[1024], addr[32];
    ck_assert_int_eq(ng_capture_exit(double_free, out, sizeof out), NG_EXIT_ASSERT);
    ck_assert_msg(sscanf(out, "[%30[^]]]", addr) == 1, "got: %s", out);
    char want[80];
    snprintf(want, sizeof want, "mem_free: %s", addr);
    ck_assert_msg(strstr(out, want) != NULL, "want '%s' in: %s", want, out);
    ck_assert_msg(strstr(out, "double free") != NULL, "got: %s", out);
    ng_assert_net_clean();
}
END_TEST

static u8_t not_the_heap[64] __attribute__((aligned(16)));

START_TEST(free_of_foreign_memory_asserts)
{
    mem_free(not_the_heap + 16);
}
END_TEST

/* ---- the static heap only ------------------------------------------------ */

#define HEAP_HDR LWIP_MEM_ALIGN_SIZE(2 * sizeof(mem_size_t) + 2)

START_TEST(exhaustion_counts_and_the_whole_heap_comes_back)
{
    ck_assert_uint_eq(lwip_stats.mem.avail, LWIP_MEM_ALIGN_SIZE(MEM_SIZE));
    void *blk[MEM_SIZE / 64 + 1];
    int n = 0;
    while ((blk[n] = mem_malloc(64 - HEAP_HDR)) != NULL)
        n++;
    ck_assert_int_eq(n, LWIP_MEM_ALIGN_SIZE(MEM_SIZE) / 64);      /* not a byte wasted */
    ck_assert_uint_eq(mem_used(), LWIP_MEM_ALIGN_SIZE(MEM_SIZE));
    ck_assert_uint_eq(lwip_stats.mem.err, 1);
    ck_assert_ptr_null(mem_malloc(1));
    ck_assert_uint_eq(lwip_stats.mem.err, 2);
    /* free in an order that merges to the left, to the right, and both ways */
    for (int i = 0; i < n; i += 3)
        mem_free(blk[i]);
    for (int i = 2; i < n; i += 3)
        mem_free(blk[i]);
    for (int i = 1; i < n; i += 3)
        mem_free(blk[i]);
    ck_assert_uint_eq(mem_used(), 0);
    /* merged back into one block of the whole heap */
    void *all = mem_malloc((mem_size_t)(LWIP_MEM_ALIGN_SIZE(MEM_SIZE) - HEAP_HDR));
    ck_assert_ptr_nonnull(all);
    ck_assert_ptr_null(mem_malloc(1));
    mem_free(all);
    ng_assert_net_clean();
}
END_TEST

START_TEST(fragmentation_then_merge)
{
    enum { N = 20, SZ = 200 };
    void *blk[N];
    for (int i = 0; i < N; i++)
        ck_assert_ptr_nonnull(blk[i] = mem_malloc(SZ));
    void *rest = mem_malloc((mem_size_t)(LWIP_MEM_ALIGN_SIZE(MEM_SIZE) - mem_used() - HEAP_HDR));
    ck_assert_ptr_nonnull(rest);                    /* the heap is full */
    for (int i = 0; i < N; i += 2)
        mem_free(blk[i]);                           /* 10 holes of 200 bytes */
    ck_assert_uint_ge(LWIP_MEM_ALIGN_SIZE(MEM_SIZE) - mem_used(), 1000);
    ck_assert_ptr_null(mem_malloc(2 * SZ));         /* but none of 400 */
    mem_free(blk[3]);                               /* holes 2, 3, 4 merge: 600 + headers */
    void *big = mem_malloc(3 * SZ);
    ck_assert_ptr_eq(big, blk[2]);
    mem_free(big);
    for (int i = 1; i < N; i += 2)
        if (i != 3)
            mem_free(blk[i]);
    mem_free(rest);
    ng_assert_net_clean();
}
END_TEST

START_TEST(first_fit_reuses_the_lowest_hole)
{
    void *a = mem_malloc(100), *b = mem_malloc(100), *c = mem_malloc(100);
    void *d = mem_malloc(100);
    mem_free(c);
    mem_free(a);
    ck_assert_ptr_eq(mem_malloc(100), a);           /* the lowest hole that fits */
    ck_assert_ptr_eq(mem_malloc(50), c);            /* the next, split */
    void *e = mem_malloc(20);                       /* the rest of c's hole */
    ck_assert_uint_gt((uintptr_t)e, (uintptr_t)c);
    ck_assert_uint_lt((uintptr_t)e, (uintptr_t)d);
    mem_free(a);
    mem_free(b);
    mem_free(c);
    mem_free(d);
    mem_free(e);
    ng_assert_net_clean();
}
END_TEST

START_TEST(trim_tail_is_reused_and_merges)
{
    u8_t *a = mem_malloc(1000);
    u8_t *b = mem_malloc(100);
    u8_t *after_b = mem_malloc(100);                /* b's neighbour is in use */
    ck_assert_ptr_eq(mem_trim(a, 200), a);
    u8_t *c = mem_malloc(700);                      /* fits in the given-back tail */
    ck_assert_uint_gt((uintptr_t)c, (uintptr_t)a);
    ck_assert_uint_lt((uintptr_t)c, (uintptr_t)b);
    mem_free(c);
    /* now a's free neighbour grows when a shrinks again */
    ck_assert_ptr_eq(mem_trim(a, 40), a);
    u8_t *d = mem_malloc(900);                      /* one block: 160 + 800 merged */
    ck_assert_uint_lt((uintptr_t)d, (uintptr_t)b);
    mem_free(d);
    /* a small trim that leaves too little to split changes nothing */
    mem_size_t used = mem_used();
    ck_assert_ptr_eq(mem_trim(b, 96), b);
    ck_assert_uint_eq(mem_used(), used);
    /* next to a free neighbour even a few bytes go back */
    ck_assert_ptr_eq(mem_trim(after_b, 100 - MEM_ALIGNMENT), after_b);
    ck_assert_uint_eq(mem_used(), used - MEM_ALIGNMENT);
    mem_free(a);
    mem_free(b);
    mem_free(after_b);
    ng_assert_net_clean();
}
END_TEST

static void free_middle(void)
{
    u8_t *p = mem_malloc(100);
    printf("[%p]\n", (void *)(p + 16));
    mem_free(p + 16);
}

START_TEST(free_of_a_pointer_into_a_block_asserts)
{
    char out[1024], addr[32];
    ck_assert_int_eq(ng_capture_exit(free_middle, out, sizeof out), NG_EXIT_ASSERT);
    ck_assert_msg(sscanf(out, "[%30[^]]]", addr) == 1, "got: %s", out);
    char want[96];
    snprintf(want, sizeof want, "mem_free: %s is not the start of a heap block", addr);
    ck_assert_msg(strstr(out, want) != NULL, "want '%s' in: %s", want, out);
}
END_TEST

static void free_foreign(void)
{
    mem_free(not_the_heap + 16);
}

START_TEST(free_of_foreign_memory_names_it)
{
    char out[1024];
    ck_assert_int_eq(ng_capture_exit(free_foreign, out, sizeof out), NG_EXIT_ASSERT);
    ck_assert_msg(strstr(out, "is not in the heap") != NULL, "got: %s", out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create(MEM_LIBC_MALLOC ? "mem (MEM_LIBC_MALLOC)" : "mem");
    TCase *tc = ng_tcase(s, "api");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, blocks_are_aligned_distinct_and_counted);
    tcase_add_test(tc, zero_and_too_large);
    tcase_add_test(tc, calloc_zeroes);
    tcase_add_test(tc, trim_keeps_the_data_and_gives_bytes_back);
    tcase_add_test(tc, random_workload_against_a_shadow);
    if (!MEM_LIBC_MALLOC) {
        /* with the C library, AddressSanitizer stops these first */
        tcase_add_test(tc, double_free_asserts_naming_the_address);
        tcase_add_exit_test(tc, free_of_foreign_memory_asserts, NG_EXIT_ASSERT);

        tc = ng_tcase(s, "static heap");
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, exhaustion_counts_and_the_whole_heap_comes_back);
        tcase_add_test(tc, fragmentation_then_merge);
        tcase_add_test(tc, first_fit_reuses_the_lowest_hole);
        tcase_add_test(tc, trim_tail_is_reused_and_merges);
        tcase_add_test(tc, free_of_a_pointer_into_a_block_asserts);
        tcase_add_test(tc, free_of_foreign_memory_names_it);
    }
    return ng_test_run(s) != 0;
}
