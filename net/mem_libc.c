/*
 * net/mem_libc.c - lwip/mem.h on the C library's malloc (MEM_LIBC_MALLOC = 1).
 *
 * Each allocation carries a small header in front of what the caller gets,
 * holding its size (so lwip_stats.mem.used, max and mem_used() stay exact,
 * as with the static heap of net/mem.c) and a magic word cleared on free
 * (so a double free is caught with the same message as there). mem_trim
 * only records the smaller size: the C library keeps the block as it is,
 * which lwIP's contract (trimming never moves data) allows.
 * With MEM_LIBC_MALLOC = 0 this file is empty.
 */
#include "lwip/opt.h"

#if MEM_LIBC_MALLOC

#include <stdlib.h>
#include <string.h>

#include "lwip/mem.h"
#include "lwip/stats.h"
#include "lwip/sys.h"

struct mem_libc_hdr {
    u32_t magic;
    mem_size_t size;
};

#define MEM_LIBC_MAGIC 0x6d656d21u          /* "mem!" */
#define HDR_SIZE LWIP_MEM_ALIGN_SIZE(sizeof(struct mem_libc_hdr))

void mem_init(void)
{
    lwip_stats.mem.name = "HEAP(libc)";
    lwip_stats.mem.avail = 0xffffu;         /* as much as the C library has */
}

static void account(mem_size_t add, mem_size_t sub)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    lwip_stats.mem.used = (mem_size_t)(lwip_stats.mem.used + add - sub);
    if (lwip_stats.mem.used > lwip_stats.mem.max)
        lwip_stats.mem.max = lwip_stats.mem.used;
    SYS_ARCH_UNPROTECT(lev);
}

static struct mem_libc_hdr *checked_hdr(void *rmem, const char *fn)
{
    struct mem_libc_hdr *h = (struct mem_libc_hdr *)(void *)((u8_t *)rmem - HDR_SIZE);
    if (h->magic != MEM_LIBC_MAGIC) {
        static char msg[96];
        lwip_stats.mem.illegal++;
        snprintf(msg, sizeof msg, "%s: %p is not an allocated block (double free?)", fn, rmem);
        LWIP_PLATFORM_ASSERT(msg);
    }
    return h;
}

void *mem_malloc(mem_size_t size)
{
    if (size == 0)
        return NULL;
    struct mem_libc_hdr *h = malloc(HDR_SIZE + (size_t)size);
    if (!h) {
        lwip_stats.mem.err++;
        return NULL;
    }
    h->magic = MEM_LIBC_MAGIC;
    h->size = size;
    account(size, 0);
    return (u8_t *)h + HDR_SIZE;
}


void mem_free(void *rmem)
{
    if (rmem == NULL)
        return;
    struct mem_libc_hdr *h = checked_hdr(rmem, "mem_free");
    h->magic = 0;
    account(0, h->size);
    free(h);
}

void *mem_trim(void *rmem, mem_size_t new_size)
{
    struct mem_libc_hdr *h = checked_hdr(rmem, "mem_trim");
    if (new_size > h->size)
        return NULL;
    account(0, (mem_size_t)(h->size - new_size));
    h->size = new_size;
    return rmem;
}

mem_size_t mem_used(void)
{
    return lwip_stats.mem.used;
}

#else
typedef int mem_libc_unused;    /* ISO C wants something in every file */
#endif /* MEM_LIBC_MALLOC */
