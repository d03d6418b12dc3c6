/*
 * lwip/memp.h - memory pools: fixed-size objects (pbufs, PCBs, messages),
 * each kind in a pool of its own declared in lwip/priv/memp_std.h, so that
 * allocation is O(1), never fragments, and each pool's use can be counted
 * (used / max / err in lwip_stats) and checked (net/memp.c: a double free
 * or a write past an element is an assertion with the pool's name).
 */
#ifndef LWIP_HDR_MEMP_H
#define LWIP_HDR_MEMP_H

#include "lwip/opt.h"
#include "lwip/stats.h"

/* The types that pools hold, so memp_std.h can take their sizes. */
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "lwip/priv/memp_types.h"

typedef enum {
#define LWIP_MEMPOOL(name, num, size, desc) MEMP_##name,
#include "lwip/priv/memp_std.h"
#undef LWIP_MEMPOOL
    MEMP_MAX
} memp_t;

/* One pool: what the debugger and the statistics read. */
struct memp {
    struct memp *next;
};
struct memp_desc {
    const char *desc;           /* its name, for messages */
    struct stats_mem *stats;    /* used, max, err */
    u16_t size;                 /* bytes of one element (aligned) */
    u16_t num;                  /* elements */
    u8_t *base;                 /* the storage */
    struct memp **tab;          /* the free list */
    u8_t *in_use;               /* netglass: one bit per element, set while allocated */
};
extern const struct memp_desc *const memp_pools[MEMP_MAX];

/* Sets up every pool the first time it is called; later calls do nothing
 * (so lwip_init, sys_timeouts_init and tests may all call it). */
void memp_init(void);
void *memp_malloc(memp_t type);
void memp_free(memp_t type, void *mem);

/* netglass: elements of pool `type` in use now (tests check 0 after each). */
u16_t memp_in_use(memp_t type);

/* netglass: check the guard after every element of every pool (in use or
 * free) now, rather than when it is next freed; asserts naming the pool. */
void memp_overflow_check_all(void);

#endif
