/*
 * net/pbuf_data.c - reading and writing the bytes of a packet that may be
 * spread over a chain of pbufs (lwip/pbuf.h): copy in and out at any
 * offset, byte access, search and compare.
 *
 * Offsets count from the first byte of the packet (the payload of its
 * first pbuf), whatever pbuf boundaries lie in between; pbuf_skip finds
 * the pbuf and the offset inside it where a given byte lives. Nothing here
 * allocates, frees or changes lengths (net/pbuf.c does that).
 */
#include <string.h>

#include "lwip/def.h"
#include "lwip/pbuf.h"

/* The pbuf holding byte `offset` of the packet, and that byte's offset
 * within it; NULL if the packet is shorter. */
static const struct pbuf *skip_const(const struct pbuf *p, u16_t offset, u16_t *out_offset)
{
    u16_t left = offset;
    while (p != NULL && left >= p->len) {
        left = (u16_t)(left - p->len);
        p = p->next;
    }
    if (out_offset)
        *out_offset = left;
    return p;
}

struct pbuf *pbuf_skip(struct pbuf *in, u16_t in_offset, u16_t *out_offset)
{
    return (struct pbuf *)(uintptr_t)skip_const(in, in_offset, out_offset);
}

/* Copy `len` bytes starting at packet offset `offset` out to dataptr;
 * returns how many were copied (fewer if the packet is shorter). */
u16_t pbuf_copy_partial(const struct pbuf *buf, void *dataptr, u16_t len, u16_t offset)
{
    if (buf == NULL || dataptr == NULL)
        return 0;
    u16_t done = 0, in = 0;
    const struct pbuf *q = skip_const(buf, offset, &in);
    for (; q != NULL && done < len; q = q->next, in = 0) {
        u16_t n = (u16_t)LWIP_MIN(q->len - in, len - done);
        memcpy((u8_t *)dataptr + done, (const u8_t *)q->payload + in, n);
        done = (u16_t)(done + n);
    }
    return done;
}

/* Copy the first copy_len bytes of p_from into p_to at p_to's offset
 * `offset`, across the pbuf boundaries of both. ERR_ARG if p_from is
 * shorter than copy_len or p_to cannot hold offset + copy_len. */
err_t pbuf_copy_partial_pbuf(struct pbuf *p_to, const struct pbuf *p_from, u16_t copy_len,
                             u16_t offset)
{
    if (p_from == NULL || p_to == NULL || p_from->tot_len < copy_len ||
        (u32_t)p_to->tot_len < (u32_t)offset + copy_len)
        return ERR_ARG;
    u16_t to_off = 0, from_off = 0;
    struct pbuf *to = pbuf_skip(p_to, offset, &to_off);
    const struct pbuf *from = p_from;
    while (copy_len > 0) {
        while (from_off >= from->len) {     /* also steps over empty pbufs */
            from = from->next;
            from_off = 0;
        }
        while (to_off >= to->len) {
            to = to->next;
            to_off = 0;
        }
        u16_t n = (u16_t)LWIP_MIN(LWIP_MIN(to->len - to_off, from->len - from_off), copy_len);
        memcpy((u8_t *)to->payload + to_off, (const u8_t *)from->payload + from_off, n);
        to_off = (u16_t)(to_off + n);
        from_off = (u16_t)(from_off + n);
        copy_len = (u16_t)(copy_len - n);
    }
    return ERR_OK;
}

/* Copy all of p_from into the start of p_to, which must be at least as long. */
err_t pbuf_copy(struct pbuf *p_to, const struct pbuf *p_from)
{
    if (p_from == NULL)
        return ERR_ARG;
    return pbuf_copy_partial_pbuf(p_to, p_from, p_from->tot_len, 0);
}

/* `len` bytes at packet offset `offset` as one run: a pointer into the
 * pbuf if they lie in one, else copied into buffer (of bufsize bytes).
 * NULL if the packet is too short or the buffer too small. */
void *pbuf_get_contiguous(const struct pbuf *p, void *buffer, size_t bufsize, u16_t len,
                          u16_t offset)
{
    if (p == NULL || buffer == NULL || bufsize < len)
        return NULL;
    u16_t in = 0;
    const struct pbuf *q = skip_const(p, offset, &in);
    if (q == NULL)
        return NULL;
    if ((u32_t)q->len >= (u32_t)in + len)
        return (u8_t *)q->payload + in;
    if (pbuf_copy_partial(q, buffer, len, in) != len)
        return NULL;
    return buffer;
}

/* Copy len bytes from dataptr into the packet from its start. ERR_MEM if
 * the packet is shorter than len. */
err_t pbuf_take(struct pbuf *buf, const void *dataptr, u16_t len)
{
    if (buf == NULL || dataptr == NULL)
        return ERR_ARG;
    if (buf->tot_len < len)
        return ERR_MEM;
    u16_t done = 0;
    for (struct pbuf *q = buf; q != NULL && done < len; q = q->next) {
        u16_t n = (u16_t)LWIP_MIN(q->len, len - done);
        memcpy(q->payload, (const u8_t *)dataptr + done, n);
        done = (u16_t)(done + n);
    }
    return ERR_OK;
}

/* pbuf_take, starting at packet offset `offset`. */
err_t pbuf_take_at(struct pbuf *buf, const void *dataptr, u16_t len, u16_t offset)
{
    if (buf == NULL || dataptr == NULL)
        return ERR_ARG;
    u16_t in = 0;
    struct pbuf *q = pbuf_skip(buf, offset, &in);
    if (q == NULL || (u32_t)q->tot_len < (u32_t)in + len)
        return ERR_MEM;
    u16_t first = (u16_t)LWIP_MIN(q->len - in, len);
    memcpy((u8_t *)q->payload + in, dataptr, first);
    if (len > first)
        return pbuf_take(q->next, (const u8_t *)dataptr + first, (u16_t)(len - first));
    return ERR_OK;
}

/* The byte at packet offset `offset`, or -1 past the end. */
int pbuf_try_get_at(const struct pbuf *p, u16_t offset)
{
    u16_t in = 0;
    const struct pbuf *q = skip_const(p, offset, &in);
    if (q == NULL || in >= q->len)
        return -1;
    return ((const u8_t *)q->payload)[in];
}

/* The byte at packet offset `offset`, or 0 past the end. */
u8_t pbuf_get_at(const struct pbuf *p, u16_t offset)
{
    int b = pbuf_try_get_at(p, offset);
    return b < 0 ? 0 : (u8_t)b;
}

/* Set the byte at packet offset `offset`; nothing past the end. */
void pbuf_put_at(struct pbuf *p, u16_t offset, u8_t data)
{
    u16_t in = 0;
    struct pbuf *q = pbuf_skip(p, offset, &in);
    if (q != NULL && in < q->len)
        ((u8_t *)q->payload)[in] = data;
}

/* Compare n bytes of the packet at `offset` with s2: 0 if equal, else
 * 1 + the index of the first difference (0xffff if that does not fit or
 * the packet is too short), as lwIP's pbuf_memcmp. */
u16_t pbuf_memcmp(const struct pbuf *p, u16_t offset, const void *s2, u16_t n)
{
    if (p == NULL || (u32_t)p->tot_len < (u32_t)offset + n)
        return 0xffff;
    u16_t in = 0;
    const struct pbuf *q = skip_const(p, offset, &in);
    const u8_t *b = s2;
    for (u16_t i = 0; i < n; i++, in++) {
        while (in >= q->len) {
            q = q->next;
            in = 0;
        }
        if (((const u8_t *)q->payload)[in] != b[i])
            return (u16_t)LWIP_MIN((u32_t)i + 1, 0xffffu);
    }
    return 0;
}

/* The first packet offset >= start_offset where mem occurs, or 0xffff. */
u16_t pbuf_memfind(const struct pbuf *p, const void *mem, u16_t mem_len, u16_t start_offset)
{
    if (p == NULL || (u32_t)p->tot_len < (u32_t)mem_len + start_offset)
        return 0xffff;
    u16_t last = (u16_t)(p->tot_len - mem_len);
    for (u32_t i = start_offset; i <= last; i++)
        if (pbuf_memcmp(p, (u16_t)i, mem, mem_len) == 0)
            return (u16_t)i;
    return 0xffff;
}

/* The first offset of the string substr (without its NUL), or 0xffff. */
u16_t pbuf_strstr(const struct pbuf *p, const char *substr)
{
    if (substr == NULL || substr[0] == 0 || p == NULL || p->tot_len == 0xffff)
        return 0xffff;
    size_t n = strlen(substr);
    if (n >= 0xffff)
        return 0xffff;
    return pbuf_memfind(p, substr, (u16_t)n, 0);
}
