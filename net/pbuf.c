/*
 * net/pbuf.c - packet buffers (lwip/pbuf.h): allocation, reference
 * counts, headers and chains.
 *
 * Where each type's memory comes from:
 *   PBUF_RAM   one mem_malloc: the struct pbuf, then the header room the
 *              layer asks for, then the payload (so sending adds headers
 *              in place, with pbuf_add_header, and never copies);
 *   PBUF_POOL  a chain of MEMP_PBUF_POOL elements, each a struct pbuf and
 *              PBUF_POOL_BUFSIZE bytes; only the first has header room;
 *   PBUF_ROM, PBUF_REF  a bare struct pbuf from MEMP_PBUF pointing at
 *              the caller's data;
 *   custom     the caller's struct pbuf_custom (PBUF_FLAG_IS_CUSTOM),
 *              given back through its custom_free_function.
 * A pbuf is freed when its reference count drops to zero; pbuf_free then
 * goes on down the chain, because a pbuf's `next` pointer holds one
 * reference to the pbuf after it.
 *
 * Trace: one PBUF_ALLOC record per successful allocation (per packet, not
 * per pool element of its chain), PBUF_FREE whenever a pbuf's memory goes
 * back, PBUF_REF with the new count. Failed allocations are counted by the
 * heap and the pools (lwip_stats.mem.err, the pool's err); deciding that a
 * packet is dropped, and saying so with NG_DROP, is the caller's business.
 *
 * This file holds what every layer needs; the byte-level accessors
 * (copy, take, get_at, memcmp, ...) are in net/pbuf_data.c.
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/priv/memp_types.h"

#define SIZEOF_STRUCT_PBUF LWIP_MEM_ALIGN_SIZE(sizeof(struct pbuf))

static void trace_alloc(const struct pbuf *p, pbuf_layer l)
{
    NG_TRACE2(PBUF_ALLOC, p->type_internal, (uintptr_t)p,
              (u32_t)p->tot_len | (u32_t)l << 16);
}

static void init_pbuf(struct pbuf *p, void *payload, u16_t tot_len, u16_t len, pbuf_type type,
                      u8_t flags)
{
    p->next = NULL;
    p->payload = payload;
    p->tot_len = tot_len;
    p->len = len;
    p->type_internal = (u8_t)type;
    p->flags = flags;
    p->ref = 1;
    p->if_idx = 0;      /* NETIF_NO_INDEX */
}

/* A chain of pool pbufs for `length` bytes, the first with `offset` bytes
 * of header room. On failure the elements taken so far go straight back. */
static struct pbuf *alloc_pool_chain(u16_t offset, u16_t length)
{
    LWIP_ASSERT("pbuf_alloc: PBUF_POOL header room larger than a pool buffer",
                LWIP_MEM_ALIGN_SIZE(offset) < PBUF_POOL_BUFSIZE_ALIGNED);
    struct pbuf *head = NULL, **link = &head;
    u16_t left = length;
    u16_t room = (u16_t)LWIP_MEM_ALIGN_SIZE(offset);
    do {
        struct pbuf *q = memp_malloc(MEMP_PBUF_POOL);
        if (q == NULL) {
            while (head) {
                struct pbuf *n = head->next;
                memp_free(MEMP_PBUF_POOL, head);
                head = n;
            }
            return NULL;
        }
        u16_t qlen = (u16_t)LWIP_MIN(left, PBUF_POOL_BUFSIZE_ALIGNED - room);
        init_pbuf(q, (u8_t *)q + SIZEOF_STRUCT_PBUF + room, left, qlen, PBUF_POOL, 0);
        *link = q;
        link = &q->next;
        left = (u16_t)(left - qlen);
        room = 0;
    } while (left > 0);
    return head;
}

static struct pbuf *alloc_ram(u16_t offset, u16_t length)
{
    u32_t bytes = SIZEOF_STRUCT_PBUF + LWIP_MEM_ALIGN_SIZE((u32_t)offset) +
                  LWIP_MEM_ALIGN_SIZE((u32_t)length);
    if (bytes > 0xffffu) {
        lwip_stats.mem.err++;       /* more than the heap can ever give */
        return NULL;
    }
    struct pbuf *p = mem_malloc((mem_size_t)bytes);
    if (p == NULL)
        return NULL;
    init_pbuf(p, (u8_t *)p + SIZEOF_STRUCT_PBUF + LWIP_MEM_ALIGN_SIZE(offset), length, length,
              PBUF_RAM, 0);
    return p;
}

static struct pbuf *alloc_ref(void *payload, u16_t length, pbuf_type type)
{
    LWIP_ASSERT("pbuf_alloc_reference: type must be PBUF_REF or PBUF_ROM",
                type == PBUF_REF || type == PBUF_ROM);
    struct pbuf *p = memp_malloc(MEMP_PBUF);
    if (p == NULL)
        return NULL;
    init_pbuf(p, payload, length, length, type, 0);
    return p;
}

struct pbuf *pbuf_alloc(pbuf_layer layer, u16_t length, pbuf_type type)
{
    u16_t offset = (u16_t)layer;
    struct pbuf *p;
    switch (type) {
    case PBUF_REF:
    case PBUF_ROM:
        p = alloc_ref(NULL, length, type);
        break;
    case PBUF_POOL:
        p = alloc_pool_chain(offset, length);
        break;
    case PBUF_RAM:
        p = alloc_ram(offset, length);
        break;
    default:
        LWIP_ASSERT("pbuf_alloc: bad pbuf type", 0);
        return NULL;
    }
    if (p)
        trace_alloc(p, layer);
    return p;
}

struct pbuf *pbuf_alloc_reference(void *payload, u16_t length, pbuf_type type)
{
    struct pbuf *p = alloc_ref(payload, length, type);
    if (p)
        trace_alloc(p, PBUF_RAW);
    return p;
}

struct pbuf *pbuf_alloced_custom(pbuf_layer l, u16_t length, pbuf_type type,
                                 struct pbuf_custom *p, void *payload_mem,
                                 u16_t payload_mem_len)
{
    u16_t offset = (u16_t)LWIP_MEM_ALIGN_SIZE((u16_t)l);
    if ((u32_t)offset + length > payload_mem_len)
        return NULL;
    void *payload = payload_mem ? (u8_t *)payload_mem + offset : NULL;
    init_pbuf(&p->pbuf, payload, length, length, type, PBUF_FLAG_IS_CUSTOM);
    trace_alloc(&p->pbuf, l);
    return &p->pbuf;
}

/* Shrink the packet to new_len bytes: the pbufs past it are freed, and a
 * PBUF_RAM that ends the packet gives its unused tail back to the heap.
 * Growing is not possible; a larger new_len changes nothing. */
void pbuf_realloc(struct pbuf *p, u16_t new_len)
{
    LWIP_ASSERT("pbuf_realloc: p != NULL", p != NULL);
    if (new_len >= p->tot_len)
        return;
    u16_t shrink = (u16_t)(p->tot_len - new_len);
    u16_t left = new_len;
    struct pbuf *q = p;
    while (left > q->len) {
        left = (u16_t)(left - q->len);
        q->tot_len = (u16_t)(q->tot_len - shrink);
        q = q->next;
        LWIP_ASSERT("pbuf_realloc: chain shorter than tot_len", q != NULL);
    }
    if (left != q->len && pbuf_get_allocsrc(q) == PBUF_TYPE_ALLOC_SRC_MASK_STD_HEAP &&
        !(q->flags & PBUF_FLAG_IS_CUSTOM)) {
        struct pbuf *same = mem_trim(q, (mem_size_t)((u8_t *)q->payload - (u8_t *)q + left));
        LWIP_ASSERT("pbuf_realloc: mem_trim moved or failed", same == q);
    }
    q->len = left;
    q->tot_len = left;
    if (q->next)
        pbuf_free(q->next);
    q->next = NULL;
}

/* Move the payload pointer back by `inc` bytes (a header is prepended).
 * PBUF_RAM and PBUF_POOL may only grow into the room in front of the
 * payload that their allocation reserved; ROM and REF have no room of
 * their own, so only the _force variant moves them (onto bytes the caller
 * promises are there). Returns 0 on success, 1 when it cannot. */
static u8_t add_header(struct pbuf *p, size_t inc, int force)
{
    if (p == NULL || inc > 0xffffu)
        return 1;
    if (inc == 0)
        return 0;
    if ((u32_t)p->tot_len + inc > 0xffffu)
        return 1;
    u8_t *payload = (u8_t *)p->payload - inc;
    if (p->type_internal & PBUF_TYPE_FLAG_STRUCT_DATA_CONTIGUOUS) {
        if (payload < (u8_t *)p + SIZEOF_STRUCT_PBUF)
            return 1;
    } else if (!force) {
        return 1;
    }
    p->payload = payload;
    p->len = (u16_t)(p->len + inc);
    p->tot_len = (u16_t)(p->tot_len + inc);
    return 0;
}

u8_t pbuf_add_header(struct pbuf *p, size_t header_size_increment)
{
    return add_header(p, header_size_increment, 0);
}

u8_t pbuf_add_header_force(struct pbuf *p, size_t header_size_increment)
{
    return add_header(p, header_size_increment, 1);
}

/* Move the payload pointer forward (a header has been read); only within
 * the first pbuf. Returns 0 on success, 1 when the pbuf is shorter. */
u8_t pbuf_remove_header(struct pbuf *p, size_t header_size)
{
    if (p == NULL || header_size > p->len)
        return 1;
    p->payload = (u8_t *)p->payload + header_size;
    p->len = (u16_t)(p->len - header_size);
    p->tot_len = (u16_t)(p->tot_len - header_size);
    return 0;
}

u8_t pbuf_header(struct pbuf *p, s16_t header_size)
{
    if (header_size >= 0)
        return add_header(p, (size_t)header_size, 0);
    return pbuf_remove_header(p, (size_t)-header_size);
}

u8_t pbuf_header_force(struct pbuf *p, s16_t header_size)
{
    if (header_size >= 0)
        return add_header(p, (size_t)header_size, 1);
    return pbuf_remove_header(p, (size_t)-header_size);
}

/* Remove `size` bytes from the front of the packet, across pbufs: those
 * that become empty are freed. Returns the new first pbuf (NULL if the
 * whole packet went). */
struct pbuf *pbuf_free_header(struct pbuf *q, u16_t size)
{
    struct pbuf *p = q;
    u16_t left = size;
    while (left && p) {
        if (left >= p->len) {
            left = (u16_t)(left - p->len);
            struct pbuf *f = p;
            p = p->next;
            f->next = NULL;
            pbuf_free(f);
        } else {
            pbuf_remove_header(p, left);
            left = 0;
        }
    }
    return p;
}

static void give_back(struct pbuf *p)
{
    NG_TRACE1(PBUF_FREE, p->type_internal, (uintptr_t)p);
    if (p->flags & PBUF_FLAG_IS_CUSTOM) {
        struct pbuf_custom *pc = (struct pbuf_custom *)p;
        LWIP_ASSERT("pbuf_free: custom pbuf without custom_free_function",
                    pc->custom_free_function != NULL);
        pc->custom_free_function(p);
        return;
    }
    switch (pbuf_get_allocsrc(p)) {
    case PBUF_TYPE_ALLOC_SRC_MASK_STD_MEMP_PBUF_POOL:
        memp_free(MEMP_PBUF_POOL, p);
        break;
    case PBUF_TYPE_ALLOC_SRC_MASK_STD_MEMP_PBUF:
        memp_free(MEMP_PBUF, p);
        break;
    case PBUF_TYPE_ALLOC_SRC_MASK_STD_HEAP:
        mem_free(p);
        break;
    default:
        LWIP_ASSERT("pbuf_free: bad allocation source in type_internal", 0);
    }
}

/* Drop one reference to p; if that was the last, free it and go on with
 * the next pbuf of the chain (whose reference p's `next` held). Returns how
 * many pbufs were freed. Freeing a pbuf whose count is already 0 (a double
 * free) is an assertion. */
u8_t pbuf_free(struct pbuf *p)
{
    LWIP_ASSERT("pbuf_free: p != NULL", p != NULL);
    u8_t freed = 0;
    while (p != NULL) {
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        LWIP_ASSERT("pbuf_free: ref is already 0 (double free?)", p->ref > 0);
        LWIP_PBUF_REF_T ref = --p->ref;
        SYS_ARCH_UNPROTECT(lev);
        if (ref != 0)
            break;
        struct pbuf *next = p->next;
        give_back(p);
        freed++;
        p = next;
    }
    return freed;
}

void pbuf_ref(struct pbuf *p)
{
    if (p == NULL)
        return;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    LWIP_PBUF_REF_T ref = ++p->ref;
    SYS_ARCH_UNPROTECT(lev);
    LWIP_ASSERT("pbuf_ref: reference count overflow", ref != 0);
    NG_TRACE1(PBUF_REF, ref, (uintptr_t)p);
}

u16_t pbuf_clen(const struct pbuf *p)
{
    u16_t n = 0;
    for (; p != NULL; p = p->next)
        n++;
    return n;
}

/* Append tail to head's packet. The reference the caller held on tail now
 * belongs to the chain (head's last pbuf points at it); use pbuf_chain to
 * keep your own. */
void pbuf_cat(struct pbuf *head, struct pbuf *tail)
{
    if (head == NULL || tail == NULL)
        return;
    struct pbuf *q = head;
    for (; q->next != NULL; q = q->next)
        q->tot_len = (u16_t)(q->tot_len + tail->tot_len);
    LWIP_ASSERT("pbuf_cat: last pbuf's tot_len != len", q->tot_len == q->len);
    q->tot_len = (u16_t)(q->tot_len + tail->tot_len);
    q->next = tail;
}

/* pbuf_cat, and the caller keeps its reference to tail (free it later). */
void pbuf_chain(struct pbuf *head, struct pbuf *tail)
{
    pbuf_cat(head, tail);
    pbuf_ref(tail);
}

/* Unlink p's first pbuf from the rest, which loses the reference p held.
 * Returns the rest, or NULL if the rest was freed by that (or was none). */
struct pbuf *pbuf_dechain(struct pbuf *p)
{
    struct pbuf *q = p->next;
    u8_t gone = 0;
    if (q != NULL) {
        LWIP_ASSERT("pbuf_dechain: tot_len inconsistent", q->tot_len == p->tot_len - p->len);
        p->next = NULL;
        p->tot_len = p->len;
        gone = pbuf_free(q);
    }
    return gone ? NULL : q;
}

/* A copy of p in one new pbuf of `type` with `layer`'s header room. */
struct pbuf *pbuf_clone(pbuf_layer layer, pbuf_type type, struct pbuf *p)
{
    struct pbuf *q = pbuf_alloc(layer, p->tot_len, type);
    if (q == NULL)
        return NULL;
    err_t err = pbuf_copy(q, p);
    LWIP_ASSERT("pbuf_clone: pbuf_copy failed", err == ERR_OK);
    (void)err;
    return q;
}

/* p as one contiguous PBUF_RAM pbuf: p itself if it already is one pbuf,
 * else a copy (and p is freed). If the copy cannot be allocated, p is
 * returned unchanged: the caller must check p->next. */
struct pbuf *pbuf_coalesce(struct pbuf *p, pbuf_layer layer)
{
    if (p->next == NULL)
        return p;
    struct pbuf *q = pbuf_clone(layer, PBUF_RAM, p);
    if (q == NULL)
        return p;
    pbuf_free(p);
    return q;
}
