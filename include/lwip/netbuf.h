/*
 * lwip/netbuf.h - netbuf, the container a UDP or raw netconn sends and
 * receives (lwIP 2.x names and shapes; api/netbuf.c).
 *
 * A netbuf is a pbuf chain (p) with the peer's address and port, plus a
 * cursor (ptr) into the chain for reading it piece by piece with
 * netbuf_data / netbuf_next / netbuf_first. It comes from the NETBUF pool.
 * On receive, recv_udp / recv_raw (api/api_msg.c) fill one per datagram
 * and post it to the netconn's recvmbox; on send, the app fills one
 * (netbuf_alloc + copy, netbuf_ref, or netbuf_take) and hands it to
 * netconn_send / netconn_sendto, and keeps it: the app deletes it.
 */
#ifndef LWIP_HDR_NETBUF_H
#define LWIP_HDR_NETBUF_H

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"

#define NETBUF_FLAG_DESTADDR 0x01   /* toaddr is valid (LWIP_NETBUF_RECVINFO) */
#define NETBUF_FLAG_CHKSUM   0x02   /* toport_chksum is a checksum to use (raw, IPv6) */

struct netbuf {
    struct pbuf *p;      /* the whole datagram */
    struct pbuf *ptr;    /* the piece netbuf_data returns */
    ip_addr_t addr;      /* received: the sender; sent by netconn_sendto: the destination */
    u16_t port;
#if LWIP_NETBUF_RECVINFO
    u8_t flags;
    u16_t toport_chksum;
    ip_addr_t toaddr;
#endif
};

struct netbuf *netbuf_new(void);
void netbuf_delete(struct netbuf *buf);
void *netbuf_alloc(struct netbuf *buf, u16_t size);
void netbuf_free(struct netbuf *buf);
err_t netbuf_ref(struct netbuf *buf, const void *dataptr, u16_t size);
void netbuf_chain(struct netbuf *head, struct netbuf *tail);

err_t netbuf_data(struct netbuf *buf, void **dataptr, u16_t *len);
s8_t netbuf_next(struct netbuf *buf);
void netbuf_first(struct netbuf *buf);

#define netbuf_copy_partial(buf, dataptr, len, offset) \
    pbuf_copy_partial((buf)->p, (dataptr), (len), (offset))
#define netbuf_copy(buf, dataptr, len) netbuf_copy_partial(buf, dataptr, len, 0)
#define netbuf_take(buf, dataptr, len) pbuf_take((buf)->p, dataptr, len)
#define netbuf_len(buf) ((buf)->p->tot_len)
#define netbuf_fromaddr(buf) (&((buf)->addr))
#define netbuf_set_fromaddr(buf, fromaddr) ip_addr_set(&((buf)->addr), fromaddr)
#define netbuf_fromport(buf) ((buf)->port)
#if LWIP_NETBUF_RECVINFO
#define netbuf_destaddr(buf) (&((buf)->toaddr))
#define netbuf_set_destaddr(buf, destaddr) ip_addr_set(&((buf)->toaddr), destaddr)
#define netbuf_destport(buf) (((buf)->flags & NETBUF_FLAG_DESTADDR) ? (buf)->toport_chksum : 0)
#endif

#endif
