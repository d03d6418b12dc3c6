/*
 * net/memp.c - the memory pools of lwip/priv/memp_std.h (lwip/memp.h).
 *
 * Each LWIP_MEMPOOL line becomes a static array of `num` slots, a free
 * list threaded through the free slots, a bitmap of the slots in use and a
 * struct stats_mem, all described by one struct memp_desc in memp_pools[]
 * (which the statistics, the tests and the debugger read). memp_malloc pops
 * the free list and memp_free pushes onto it: O(1), no fragmentation.
 *
 * Checks, each an assertion (exit status 120) naming the pool, compiled
 * out with LWIP_NOASSERT (lwIP's own pools check as little) except the
 * guard, which is MEMP_OVERFLOW_CHECK's:
 *  - memp_free of an address that is not a slot of the pool;
 *  - a double free (the slot's in-use bit is already clear);
 *  - with MEMP_OVERFLOW_CHECK, a write past the end of an element: a guard
 *    of MEMP_GUARD_SIZE pattern bytes follows every element and is checked
 *    when the element is freed and when it is handed out again (which also
 *    catches writes into a free element's neighbour's guard);
 *  - a corrupted free list (a free element overwritten after its free).
 * An empty pool is not misuse: memp_malloc returns NULL and counts `err`.
 *
 * Every memp_malloc (an empty pool too) and memp_free is a MEMP_ALLOC or
 * MEMP_FREE trace record, except for the pbuf pools, whose pbuf_alloc and
 * pbuf_free records say more.
 */
#include <string.h>

#include "lwip/memp.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "trace.h"

#define MEMP_GUARD_SIZE (MEMP_OVERFLOW_CHECK ? MEM_ALIGNMENT : 0)
#define MEMP_GUARD_BYTE 0xa5
#define MEMP_STRIDE(size) (LWIP_MEM_ALIGN_SIZE(size) + MEMP_GUARD_SIZE)

/* The storage, free list, in-use bitmap, statistics and descriptor of each pool. */
#define LWIP_MEMPOOL(pool_, num_, size_, desc_) \
    static u8_t memp_memory_##pool_[(num_) * MEMP_STRIDE(size_)] \
        __attribute__((aligned(MEM_ALIGNMENT))); \
    static u8_t memp_in_use_##pool_[((num_) + 7) / 8]; \
    static struct memp *memp_tab_##pool_; \
    static struct stats_mem memp_stats_##pool_ = { .name = (desc_), .avail = (num_) }; \
    static const struct memp_desc memp_##pool_ = { \
        .desc = (desc_), .stats = &memp_stats_##pool_, .size = LWIP_MEM_ALIGN_SIZE(size_), \
        .num = (num_), .base = memp_memory_##pool_, .tab = &memp_tab_##pool_, \
        .in_use = memp_in_use_##pool_, \
    };
#include "lwip/priv/memp_std.h"
#undef LWIP_MEMPOOL

const struct memp_desc *const memp_pools[MEMP_MAX] = {
#define LWIP_MEMPOOL(name, num, size, desc) &memp_##name,
#include "lwip/priv/memp_std.h"
#undef LWIP_MEMPOOL
};

static u8_t ready;

static u16_t stride(const struct memp_desc *d)
{
    return (u16_t)(d->size + MEMP_GUARD_SIZE);
}

static void pool_fault(const char *fn, const struct memp_desc *d, const void *mem,
                       const char *what) __attribute__((noreturn));
static void pool_fault(const char *fn, const struct memp_desc *d, const void *mem,
                       const char *what)
{
    static char msg[128];
    d->stats->illegal++;
    snprintf(msg, sizeof msg, "%s: pool %s: %p %s", fn, d->desc, mem, what);
    LWIP_PLATFORM_ASSERT(msg);
}

/* The slot number of mem in pool d, or -1 if mem is not the start of one. */
static int slot_of(const struct memp_desc *d, const void *mem)
{
    const u8_t *p = mem;
    if (p < d->base || p >= d->base + (size_t)d->num * stride(d))
        return -1;
    size_t off = (size_t)(p - d->base);
    if (off % stride(d) != 0)
        return -1;
    return (int)(off / stride(d));
}

static int bit_get(const struct memp_desc *d, int i)
{
    return (d->in_use[i / 8] >> (i % 8)) & 1;
}

static void bit_set(const struct memp_desc *d, int i, int on)
{
    u8_t mask = (u8_t)(1u << (i % 8));
    d->in_use[i / 8] = (u8_t)(on ? d->in_use[i / 8] | mask : d->in_use[i / 8] & ~mask);
}

static void guard_fill(const struct memp_desc *d, u8_t *elem)
{
    memset(elem + d->size, MEMP_GUARD_BYTE, MEMP_GUARD_SIZE);
}

static int guard_intact(const struct memp_desc *d, const u8_t *elem)
{
    const u8_t *end = elem + d->size + MEMP_GUARD_SIZE;
    for (const u8_t *g = elem + d->size; g < end; g++)
        if (*g != MEMP_GUARD_BYTE)
            return 0;
    return 1;
}

static void pool_setup(const struct memp_desc *d)
{
    *d->tab = NULL;
    memset(d->in_use, 0, ((size_t)d->num + 7) / 8);
    for (int i = d->num - 1; i >= 0; i--) {
        u8_t *elem = d->base + (size_t)i * stride(d);
        guard_fill(d, elem);
        struct memp *m = (struct memp *)(void *)elem;
        m->next = *d->tab;
        *d->tab = m;
    }
    d->stats->used = 0;
}

/* Idempotent: the first call builds every free list, later calls do
 * nothing (pools in use are never reset under their users' feet). Whoever
 * needs a pool first may call it: lwip_init, sys_timeouts_init, tests;
 * memp_malloc also calls it if nobody did. */
void memp_init(void)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    if (!ready) {
        for (int t = 0; t < MEMP_MAX; t++)
            pool_setup(memp_pools[t]);
        ready = 1;
    }
    SYS_ARCH_UNPROTECT(lev);
}

/* MEMP_ALLOC and MEMP_FREE records for every pool but the pbufs' (their
 * PBUF_ALLOC and PBUF_FREE say it, with the pbuf's type and length). */
static int pool_traced(memp_t type)
{
    return type != MEMP_PBUF && type != MEMP_PBUF_POOL;
}

void *memp_malloc(memp_t type)
{
    LWIP_ASSERT("memp_malloc: type out of range", (unsigned)type < MEMP_MAX);
    if (!ready)
        memp_init();
    const struct memp_desc *d = memp_pools[type];
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    struct memp *m = *d->tab;
    if (m == NULL) {
        d->stats->err++;
        SYS_ARCH_UNPROTECT(lev);
        if (pool_traced(type))
            NG_TRACE2(MEMP_ALLOC, 0, d, 0);     /* the pool is empty */
        return NULL;
    }
    int slot = slot_of(d, m);
    if (NG_ASSERTS_ON && (slot < 0 || bit_get(d, slot) ||
                          (m->next != NULL && slot_of(d, m->next) < 0)))
        pool_fault("memp_malloc", d, m, "on the free list is corrupt (written after free?)");
    if (MEMP_OVERFLOW_CHECK && !guard_intact(d, (u8_t *)m))
        pool_fault("memp_malloc", d, m, "had its guard overwritten while free (overflow)");
    *d->tab = m->next;
    bit_set(d, slot, 1);
    d->stats->used++;
    if (d->stats->used > d->stats->max)
        d->stats->max = d->stats->used;
    SYS_ARCH_UNPROTECT(lev);
    if (pool_traced(type))
        NG_TRACE2(MEMP_ALLOC, 0, d, m);
    return m;
}

void memp_free(memp_t type, void *mem)
{
    LWIP_ASSERT("memp_free: type out of range", (unsigned)type < MEMP_MAX);
    if (mem == NULL)
        return;
    const struct memp_desc *d = memp_pools[type];
    if (pool_traced(type))
        NG_TRACE2(MEMP_FREE, 0, d, mem);
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    int slot = slot_of(d, mem);
    if (NG_ASSERTS_ON && slot < 0)
        pool_fault("memp_free", d, mem, "is not an element of this pool");
    if (NG_ASSERTS_ON && !bit_get(d, slot))
        pool_fault("memp_free", d, mem, "is already free (double free)");
    if (MEMP_OVERFLOW_CHECK && !guard_intact(d, mem))
        pool_fault("memp_free", d, mem, "overflowed: the guard after the element is overwritten");
    bit_set(d, slot, 0);
    struct memp *m = mem;
    m->next = *d->tab;
    *d->tab = m;
    d->stats->used--;
    SYS_ARCH_UNPROTECT(lev);
}

u16_t memp_in_use(memp_t type)
{
    LWIP_ASSERT("memp_in_use: type out of range", (unsigned)type < MEMP_MAX);
    return memp_pools[type]->stats->used;
}

void memp_overflow_check_all(void)
{
    if (!ready || !MEMP_OVERFLOW_CHECK)
        return;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    for (int t = 0; t < MEMP_MAX; t++) {
        const struct memp_desc *d = memp_pools[t];
        for (int i = 0; i < d->num; i++) {
            u8_t *elem = d->base + (size_t)i * stride(d);
            if (!guard_intact(d, elem))
                pool_fault("memp_overflow_check_all", d, elem,
                           "overflowed: the guard after the element is overwritten");
        }
    }
    SYS_ARCH_UNPROTECT(lev);
}
