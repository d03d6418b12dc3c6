/*
 * net/mem.c - the heap (lwip/mem.h): variable-sized allocations carved from
 * one static array of MEM_SIZE bytes.
 *
 * The array is a list of blocks, each starting with a small header that
 * links it to its neighbours by offset (so the list can be walked both ways
 * and a freed block can be merged with a free neighbour at once). A block
 * sentinel marked used sits at the very end, so walking never runs off the
 * array. Allocation is first fit, starting at the lowest free block
 * (`lowest_free`), splitting a block when the rest is big enough to be
 * useful; freeing merges the block with free neighbours, so two free blocks
 * are never adjacent. mem_trim shrinks a block in place (pbuf_realloc uses
 * it); it never moves data.
 *
 * Misuse ends the run (exit status 120) with the address in the message:
 * freeing something that is not a block of this heap, or freeing it twice.
 *
 * Every entry point runs under sys_arch_protect, because tcpip_thread and
 * the driver's receive thread both allocate. With MEM_LIBC_MALLOC = 1 this
 * file is empty and net/mem_libc.c provides the same functions.
 */
#include "lwip/opt.h"

#if !MEM_LIBC_MALLOC

#include <string.h>

#include "lwip/mem.h"
#include "lwip/stats.h"
#include "lwip/sys.h"

struct mem {
    mem_size_t next;    /* offset of the next block's header */
    mem_size_t prev;    /* offset of the previous block's header */
    u8_t used;          /* 1: allocated (or the end sentinel) */
    u8_t magic;         /* MEM_MAGIC: a cheap check that this is a header */
};

#define MEM_MAGIC 0xa7
#define MEM_SIZE_ALIGNED LWIP_MEM_ALIGN_SIZE(MEM_SIZE)
#define HDR_SIZE LWIP_MEM_ALIGN_SIZE(sizeof(struct mem))
#define MIN_SIZE LWIP_MEM_ALIGN_SIZE(12)   /* smaller leftovers are not split off */

_Static_assert(MEM_SIZE_ALIGNED + HDR_SIZE <= 0xffffu,
               "MEM_SIZE must fit the 16-bit offsets of mem_size_t");

/* The blocks, then the end sentinel's header. */
static u8_t ram_heap[MEM_SIZE_ALIGNED + HDR_SIZE] __attribute__((aligned(MEM_ALIGNMENT)));
static struct mem *lowest_free;
static u8_t ready;

#define END_OFFSET ((mem_size_t)MEM_SIZE_ALIGNED)

static struct mem *at(mem_size_t offset)
{
    return (struct mem *)(void *)&ram_heap[offset];
}

static mem_size_t offset_of(const struct mem *m)
{
    return (mem_size_t)((const u8_t *)m - ram_heap);
}

/* Bytes the block spans, header included. */
static mem_size_t block_size(const struct mem *m)
{
    return (mem_size_t)(m->next - offset_of(m));
}

static void heap_setup(void)
{
    struct mem *first = at(0);
    first->next = END_OFFSET;
    first->prev = 0;
    first->used = 0;
    first->magic = MEM_MAGIC;
    struct mem *end = at(END_OFFSET);
    end->next = END_OFFSET;
    end->prev = END_OFFSET;
    end->used = 1;
    end->magic = MEM_MAGIC;
    lowest_free = first;
    lwip_stats.mem.name = "HEAP";
    lwip_stats.mem.avail = MEM_SIZE_ALIGNED;
    lwip_stats.mem.used = 0;
    ready = 1;
}

/* Idempotent: the first call sets the heap up, later calls do nothing, so
 * start-up code and tests may all call it without knowing who was first. */
void mem_init(void)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    if (!ready)
        heap_setup();
    SYS_ARCH_UNPROTECT(lev);
}

static void account_used(mem_size_t add, mem_size_t sub)
{
    lwip_stats.mem.used = (mem_size_t)(lwip_stats.mem.used + add - sub);
    if (lwip_stats.mem.used > lwip_stats.mem.max)
        lwip_stats.mem.max = lwip_stats.mem.used;
}

static void bad_free(const char *fn, const void *rmem, const char *why)
    __attribute__((noreturn));
static void bad_free(const char *fn, const void *rmem, const char *why)
{
    static char msg[96];
    lwip_stats.mem.illegal++;
    snprintf(msg, sizeof msg, "%s: %p %s", fn, rmem, why);
    LWIP_PLATFORM_ASSERT(msg);
}

/* The header of the block whose payload is rmem, after checking that it
 * is one (called under protection). With LWIP_NOASSERT the checks are
 * compiled out and a bad pointer is the caller's undefined behaviour. */
static struct mem *checked_block(const void *rmem, const char *fn)
{
    const u8_t *p = rmem;
    if (NG_ASSERTS_ON && (p < ram_heap + HDR_SIZE || p >= ram_heap + MEM_SIZE_ALIGNED ||
        ((mem_ptr_t)p % MEM_ALIGNMENT) != 0))
        bad_free(fn, rmem, "is not in the heap");
    struct mem *m = (struct mem *)(void *)(p - HDR_SIZE);
    mem_size_t off = offset_of(m);
    if (NG_ASSERTS_ON &&
        (m->magic != MEM_MAGIC || m->next > END_OFFSET || m->next <= off || m->prev > off ||
         at(m->next)->prev != off || (off != 0 && at(m->prev)->next != off)))
        bad_free(fn, rmem, "is not the start of a heap block");
    if (NG_ASSERTS_ON && !m->used)
        bad_free(fn, rmem, "is already free (double free)");
    return m;
}

/* Merge m with its free neighbours, so no two free blocks are adjacent. */
static void merge_neighbours(struct mem *m)
{
    struct mem *n = at(m->next);
    if (!n->used && m->next != END_OFFSET) {
        if (lowest_free == n)
            lowest_free = m;
        m->next = n->next;
        at(n->next)->prev = offset_of(m);
        n->magic = 0;
    }
    if (offset_of(m) != 0) {
        struct mem *pv = at(m->prev);
        if (!pv->used) {
            if (lowest_free == m)
                lowest_free = pv;
            pv->next = m->next;
            at(m->next)->prev = offset_of(pv);
            m->magic = 0;
        }
    }
}

/* Make a free block of the bytes from `off` to m's end, m's tail. */
static void split_after(struct mem *m, mem_size_t off)
{
    struct mem *rest = at(off);
    rest->used = 0;
    rest->magic = MEM_MAGIC;
    rest->next = m->next;
    rest->prev = offset_of(m);
    m->next = off;
    at(rest->next)->prev = off;
    merge_neighbours(rest);
}

static mem_size_t payload_size(mem_size_t size)
{
    size = (mem_size_t)LWIP_MEM_ALIGN_SIZE(size);
    return size < MIN_SIZE ? (mem_size_t)MIN_SIZE : size;
}

void *mem_malloc(mem_size_t size_in)
{
    if (size_in == 0)
        return NULL;
    if (size_in > MEM_SIZE_ALIGNED) {
        lwip_stats.mem.err++;
        return NULL;
    }
    mem_size_t size = payload_size(size_in);
    void *result = NULL;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    if (!ready)
        heap_setup();
    for (struct mem *m = lowest_free; offset_of(m) != END_OFFSET; m = at(m->next)) {
        if (m->used || block_size(m) < HDR_SIZE + size)
            continue;
        if (block_size(m) >= HDR_SIZE + size + HDR_SIZE + MIN_SIZE) {
            /* split: the tail becomes a free block of its own */
            mem_size_t tail = (mem_size_t)(offset_of(m) + HDR_SIZE + size);
            struct mem *rest = at(tail);
            rest->used = 0;
            rest->magic = MEM_MAGIC;
            rest->next = m->next;
            rest->prev = offset_of(m);
            at(m->next)->prev = tail;
            m->next = tail;
        }
        m->used = 1;
        account_used(block_size(m), 0);
        if (m == lowest_free) {
            while (lowest_free->used && offset_of(lowest_free) != END_OFFSET)
                lowest_free = at(lowest_free->next);
        }
        result = (u8_t *)m + HDR_SIZE;
        break;
    }
    if (!result)
        lwip_stats.mem.err++;
    SYS_ARCH_UNPROTECT(lev);
    return result;
}


void mem_free(void *rmem)
{
    if (rmem == NULL)
        return;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    struct mem *m = checked_block(rmem, "mem_free");
    m->used = 0;
    account_used(0, block_size(m));
    if (m < lowest_free)
        lowest_free = m;
    merge_neighbours(m);
    SYS_ARCH_UNPROTECT(lev);
}

/* Shrink the block of rmem to new_size bytes in place. Returns rmem, or
 * NULL when asked to grow (lwIP's contract: trimming never moves data). */
void *mem_trim(void *rmem, mem_size_t new_size)
{
    mem_size_t size = payload_size(new_size);
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    struct mem *m = checked_block(rmem, "mem_trim");
    mem_size_t have = (mem_size_t)(block_size(m) - HDR_SIZE);
    if (size > have) {
        SYS_ARCH_UNPROTECT(lev);
        return NULL;
    }
    mem_size_t tail = (mem_size_t)(offset_of(m) + HDR_SIZE + size);
    struct mem *n = at(m->next);
    mem_size_t before = block_size(m);
    if (!n->used && m->next != END_OFFSET) {
        /* the free neighbour's header moves down over the bytes given back
         * (read it first: old and new header may overlap) */
        if (tail != m->next) {
            mem_size_t n_next = n->next;
            int was_lowest = (n == lowest_free);
            n->magic = 0;
            struct mem *moved = at(tail);
            moved->next = n_next;
            moved->prev = offset_of(m);
            moved->used = 0;
            moved->magic = MEM_MAGIC;
            at(n_next)->prev = tail;
            m->next = tail;
            if (was_lowest)
                lowest_free = moved;
        }
    } else if ((u32_t)(have - size) >= HDR_SIZE + MIN_SIZE) {
        split_after(m, tail);
    }
    account_used(0, (mem_size_t)(before - block_size(m)));
    if (at(m->next) < lowest_free && !at(m->next)->used)
        lowest_free = at(m->next);
    SYS_ARCH_UNPROTECT(lev);
    return rmem;
}

mem_size_t mem_used(void)
{
    return lwip_stats.mem.used;
}

#else
typedef int mem_heap_unused;    /* ISO C wants something in every file */
#endif /* !MEM_LIBC_MALLOC */
