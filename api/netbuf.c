/*
 * api/netbuf.c - netbuf, the datagram container of UDP and raw netconns
 * (lwIP 2.x semantics; the shape is in lwip/netbuf.h).
 *
 * A netbuf owns at most one pbuf chain (p) and walks it with a cursor
 * (ptr). The app gets one from netbuf_new, fills it by netbuf_alloc (a
 * PBUF_RAM buffer with room for the UDP/IP/link headers in front) or
 * netbuf_ref (a PBUF_REF pbuf pointing at the app's own bytes, no copy),
 * hands it to netconn_send and deletes it itself afterwards.
 *
 * lwIP asserts on NULL arguments here; netglass returns instead (NULL,
 * ERR_ARG, -1 or nothing), so a lab's mistaken call shows up as an error
 * value it can print rather than a halted board.
 */
#include <stddef.h>

#include "lwip/memp.h"
#include "lwip/netbuf.h"
#include "lwip/pbuf.h"
#include "trace.h"

#if LWIP_NETCONN /* the whole file: an app may leave this API out (lwipopts.h) */

struct netbuf *netbuf_new(void)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_netbuf_new, 0);
    struct netbuf *buf = memp_malloc(MEMP_NETBUF);
    if (buf != NULL) {
        buf->p = NULL;
        buf->ptr = NULL;
        ip_addr_set_zero(&buf->addr);
        buf->port = 0;
#if LWIP_NETBUF_RECVINFO
        buf->flags = 0;
        buf->toport_chksum = 0;
        ip_addr_set_zero(&buf->toaddr);
#endif
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_netbuf_new);
    return buf;
}

/* The pbuf goes back too (it may be shared: pbuf_free only drops our reference). */
void netbuf_delete(struct netbuf *buf)
{
    if (buf == NULL)
        return;
    if (buf->p != NULL)
        pbuf_free(buf->p);
    buf->p = buf->ptr = NULL;
    memp_free(MEMP_NETBUF, buf);
}

/* Room for size bytes of payload in one PBUF_RAM pbuf (any pbuf held
 * before is freed). The transport layer's headers fit in front of it, so
 * udp_send adds them without another pbuf. */
void *netbuf_alloc(struct netbuf *buf, u16_t size)
{
    if (buf == NULL)
        return NULL;
    if (buf->p != NULL)
        pbuf_free(buf->p);
    buf->p = pbuf_alloc(PBUF_TRANSPORT, size, PBUF_RAM);
    buf->ptr = buf->p;
    if (buf->p == NULL)
        return NULL;
    if (buf->p->len < size) {       /* PBUF_RAM is one piece; never expected */
        pbuf_free(buf->p);
        buf->p = buf->ptr = NULL;
        return NULL;
    }
    return buf->p->payload;
}

/* Drop the data, keep the netbuf for reuse. */
void netbuf_free(struct netbuf *buf)
{
    if (buf == NULL)
        return;
    if (buf->p != NULL)
        pbuf_free(buf->p);
    buf->p = buf->ptr = NULL;
#if LWIP_NETBUF_RECVINFO
    buf->flags = 0;
#endif
}

/* Point the netbuf at dataptr without copying: a PBUF_REF pbuf whose
 * payload is the app's memory. The bytes must stay unchanged until the
 * send returns (UDP/raw copy nothing later, so then they are free again). */
err_t netbuf_ref(struct netbuf *buf, const void *dataptr, u16_t size)
{
    if (buf == NULL)
        return ERR_ARG;
    if (dataptr == NULL && size != 0)
        return ERR_ARG;
    if (buf->p != NULL)
        pbuf_free(buf->p);
    buf->p = pbuf_alloc(PBUF_TRANSPORT, 0, PBUF_REF);
    buf->ptr = buf->p;
    if (buf->p == NULL)
        return ERR_MEM;
    buf->p->payload = (void *)(uintptr_t)dataptr;
    buf->p->len = buf->p->tot_len = size;
    return ERR_OK;
}

/* Append tail's data to head's and free tail's netbuf (not its data, which
 * head now owns). The cursor goes back to the start. */
void netbuf_chain(struct netbuf *head, struct netbuf *tail)
{
    if (head == NULL || tail == NULL || head == tail)
        return;
    if (tail->p != NULL) {
        if (head->p != NULL)
            pbuf_cat(head->p, tail->p);
        else
            head->p = tail->p;
    }
    head->ptr = head->p;
    tail->p = tail->ptr = NULL;
    memp_free(MEMP_NETBUF, tail);
}

/* The piece under the cursor. ERR_BUF when the netbuf holds no data. */
err_t netbuf_data(struct netbuf *buf, void **dataptr, u16_t *len)
{
    if (buf == NULL || dataptr == NULL || len == NULL)
        return ERR_ARG;
    if (buf->ptr == NULL)
        return ERR_BUF;
    *dataptr = buf->ptr->payload;
    *len = buf->ptr->len;
    return ERR_OK;
}

/* Move the cursor on: -1 if it is on the last piece already (it stays),
 * 1 if it moved onto the last piece, 0 if more follow. */
s8_t netbuf_next(struct netbuf *buf)
{
    if (buf == NULL || buf->ptr == NULL || buf->ptr->next == NULL)
        return -1;
    buf->ptr = buf->ptr->next;
    return buf->ptr->next == NULL ? 1 : 0;
}

void netbuf_first(struct netbuf *buf)
{
    if (buf == NULL)
        return;
    buf->ptr = buf->p;
}

#endif /* LWIP_NETCONN */
