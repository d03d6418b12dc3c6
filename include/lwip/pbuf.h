/*
 * lwip/pbuf.h - packet buffers, lwIP 2.x's API.
 *
 * A packet is a chain of pbufs linked by `next`; `tot_len` of each pbuf is
 * the length of it and everything after it in the chain, `len` its own.
 * Four types:
 *   PBUF_RAM   header and payload in one allocation from the heap (mem.c);
 *              what protocols use to send;
 *   PBUF_POOL  fixed-size buffers from MEMP_PBUF_POOL, chained to fit;
 *              what drivers use to receive;
 *   PBUF_ROM   the payload is constant data elsewhere, never copied;
 *   PBUF_REF   the payload is data elsewhere that may change (copy before
 *              queuing it).
 * The `layer` given to pbuf_alloc reserves room in front of the payload for
 * the headers the layers below will add (pbuf_add_header), so sending
 * needs no copy. Reference counts (`ref`) let a pbuf sit in two queues.
 */
#ifndef LWIP_HDR_PBUF_H
#define LWIP_HDR_PBUF_H

#include "lwip/opt.h"
#include "lwip/err.h"

/* Header space to reserve in front of the payload. */
#define PBUF_TRANSPORT_HLEN 20
#define PBUF_IP_HLEN 20
typedef enum {
    PBUF_TRANSPORT = PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN + PBUF_IP_HLEN +
                     PBUF_TRANSPORT_HLEN,
    PBUF_IP = PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN + PBUF_IP_HLEN,
    PBUF_LINK = PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN,
    PBUF_RAW_TX = PBUF_LINK_ENCAPSULATION_HLEN,
    PBUF_RAW = 0
} pbuf_layer;

/* Type bits, as lwIP 2.x encodes them in type_internal. */
#define PBUF_TYPE_FLAG_STRUCT_DATA_CONTIGUOUS 0x80
#define PBUF_TYPE_FLAG_DATA_VOLATILE 0x40
#define PBUF_TYPE_ALLOC_SRC_MASK 0x0F
#define PBUF_TYPE_ALLOC_SRC_MASK_STD_HEAP 0x00
#define PBUF_TYPE_ALLOC_SRC_MASK_STD_MEMP_PBUF 0x01
#define PBUF_TYPE_ALLOC_SRC_MASK_STD_MEMP_PBUF_POOL 0x02

typedef enum {
    PBUF_RAM = (PBUF_TYPE_FLAG_STRUCT_DATA_CONTIGUOUS | PBUF_TYPE_ALLOC_SRC_MASK_STD_HEAP),
    PBUF_ROM = PBUF_TYPE_ALLOC_SRC_MASK_STD_MEMP_PBUF,
    PBUF_REF = (PBUF_TYPE_FLAG_DATA_VOLATILE | PBUF_TYPE_ALLOC_SRC_MASK_STD_MEMP_PBUF),
    PBUF_POOL = (PBUF_TYPE_FLAG_STRUCT_DATA_CONTIGUOUS | PBUF_TYPE_ALLOC_SRC_MASK_STD_MEMP_PBUF_POOL)
} pbuf_type;

/* flags */
#define PBUF_FLAG_PUSH 0x01U        /* TCP: deliver to the application now */
#define PBUF_FLAG_IS_CUSTOM 0x02U
#define PBUF_FLAG_MCASTLOOP 0x04U
#define PBUF_FLAG_LLBCAST 0x08U     /* received as link-level broadcast */
#define PBUF_FLAG_LLMCAST 0x10U     /* received as link-level multicast */
#define PBUF_FLAG_TCP_FIN 0x20U

struct pbuf {
    struct pbuf *next;      /* next pbuf of this packet (or of the queue) */
    void *payload;          /* the data */
    u16_t tot_len;          /* len of this pbuf and all that follow it */
    u16_t len;              /* len of this pbuf */
    u8_t type_internal;     /* pbuf_type, with the bits above */
    u8_t flags;             /* PBUF_FLAG_* */
    LWIP_PBUF_REF_T ref;    /* how many pointers to this pbuf exist */
    u8_t if_idx;            /* the netif it arrived on (netif_get_index) */
};

#define PBUF_POOL_BUFSIZE_ALIGNED LWIP_MEM_ALIGN_SIZE(PBUF_POOL_BUFSIZE)

struct pbuf *pbuf_alloc(pbuf_layer l, u16_t length, pbuf_type type);
struct pbuf *pbuf_alloc_reference(void *payload, u16_t length, pbuf_type type);
/* A pbuf in the caller's struct pbuf_custom (lwip/priv/memp_types.h), its
 * payload at payload_mem + the layer's header room; pbuf_free hands it back
 * through p->custom_free_function. NULL if payload_mem_len is too small. */
struct pbuf_custom;
struct pbuf *pbuf_alloced_custom(pbuf_layer l, u16_t length, pbuf_type type,
                                 struct pbuf_custom *p, void *payload_mem,
                                 u16_t payload_mem_len);
void pbuf_realloc(struct pbuf *p, u16_t size);
#define pbuf_get_allocsrc(p) ((p)->type_internal & PBUF_TYPE_ALLOC_SRC_MASK)
#define pbuf_match_allocsrc(p, type) (pbuf_get_allocsrc(p) == ((type) & PBUF_TYPE_ALLOC_SRC_MASK))
#define pbuf_match_type(p, type) pbuf_match_allocsrc(p, type)
u8_t pbuf_header(struct pbuf *p, s16_t header_size);
u8_t pbuf_header_force(struct pbuf *p, s16_t header_size);
u8_t pbuf_add_header(struct pbuf *p, size_t header_size_increment);
u8_t pbuf_add_header_force(struct pbuf *p, size_t header_size_increment);
u8_t pbuf_remove_header(struct pbuf *p, size_t header_size);
struct pbuf *pbuf_free_header(struct pbuf *q, u16_t size);
void pbuf_ref(struct pbuf *p);
u8_t pbuf_free(struct pbuf *p);
u16_t pbuf_clen(const struct pbuf *p);
void pbuf_cat(struct pbuf *head, struct pbuf *tail);
void pbuf_chain(struct pbuf *head, struct pbuf *tail);
struct pbuf *pbuf_dechain(struct pbuf *p);
err_t pbuf_copy(struct pbuf *p_to, const struct pbuf *p_from);
err_t pbuf_copy_partial_pbuf(struct pbuf *p_to, const struct pbuf *p_from, u16_t copy_len,
                             u16_t offset);
u16_t pbuf_copy_partial(const struct pbuf *p, void *dataptr, u16_t len, u16_t offset);
void *pbuf_get_contiguous(const struct pbuf *p, void *buffer, size_t bufsize, u16_t len,
                          u16_t offset);
err_t pbuf_take(struct pbuf *buf, const void *dataptr, u16_t len);
err_t pbuf_take_at(struct pbuf *buf, const void *dataptr, u16_t len, u16_t offset);
struct pbuf *pbuf_skip(struct pbuf *in, u16_t in_offset, u16_t *out_offset);
struct pbuf *pbuf_coalesce(struct pbuf *p, pbuf_layer layer);
struct pbuf *pbuf_clone(pbuf_layer l, pbuf_type type, struct pbuf *p);
u8_t pbuf_get_at(const struct pbuf *p, u16_t offset);
int pbuf_try_get_at(const struct pbuf *p, u16_t offset);
void pbuf_put_at(struct pbuf *p, u16_t offset, u8_t data);
u16_t pbuf_memcmp(const struct pbuf *p, u16_t offset, const void *s2, u16_t n);
u16_t pbuf_memfind(const struct pbuf *p, const void *mem, u16_t mem_len, u16_t start_offset);
u16_t pbuf_strstr(const struct pbuf *p, const char *substr);

#endif
