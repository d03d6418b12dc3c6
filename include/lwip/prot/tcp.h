/*
 * lwip/prot/tcp.h - TCP on the wire (RFC 9293 3.1): the 20-byte header
 * in front of every segment, options after it. As in lwIP, multi-byte
 * fields are kept in network byte order; the data offset (header length
 * in 32-bit words) and the flags share one 16-bit field, read and written
 * through the TCPH_* macros.
 */
#ifndef LWIP_HDR_PROT_TCP_H
#define LWIP_HDR_PROT_TCP_H

#include "lwip/arch.h"
#include "lwip/def.h"

#define TCP_HLEN 20             /* header without options */

/* The control bits (RFC 9293 3.1). */
#define TCP_FIN 0x01U           /* no more data from the sender */
#define TCP_SYN 0x02U           /* synchronize sequence numbers */
#define TCP_RST 0x04U           /* reset the connection */
#define TCP_PSH 0x08U           /* push */
#define TCP_ACK 0x10U           /* the acknowledgment field is significant */
#define TCP_URG 0x20U           /* the urgent pointer is significant */
#define TCP_ECE 0x40U           /* ECN echo (RFC 3168; never set here) */
#define TCP_CWR 0x80U           /* congestion window reduced (RFC 3168) */
#define TCP_FLAGS 0x3fU         /* the bits this stack looks at */

#define TCP_MAX_OPTION_BYTES 40 /* data offset 15 words - 5 */

/* Option kinds (RFC 9293 3.2). */
#define TCP_OPT_EOL 0           /* end of option list */
#define TCP_OPT_NOP 1           /* no operation (padding) */
#define TCP_OPT_MSS 2           /* maximum segment size, length 4, SYN only */

struct tcp_hdr {
    u16_t src;                  /* source port */
    u16_t dest;                 /* destination port */
    u32_t seqno;                /* sequence number of the first data byte (or of the SYN) */
    u32_t ackno;                /* next sequence number the sender expects, if ACK */
    u16_t _hdrlen_rsvd_flags;   /* data offset (4 bits), reserved (4), flags (8) */
    u16_t wnd;                  /* receive window (no window scaling: bytes) */
    u16_t chksum;               /* over the pseudo-header, header and data */
    u16_t urgp;                 /* urgent pointer (ignored, RFC 9293 3.8.5 leaves it to the app) */
} __attribute__((packed));

_Static_assert(sizeof(struct tcp_hdr) == TCP_HLEN, "TCP header is 20 bytes");

/* Header length in 32-bit words, in bytes, and the flags. */
#define TCPH_HDRLEN(phdr) ((u16_t)(lwip_ntohs((phdr)->_hdrlen_rsvd_flags) >> 12))
#define TCPH_HDRLEN_BYTES(phdr) ((u8_t)(TCPH_HDRLEN(phdr) << 2))
#define TCPH_FLAGS(phdr) ((u8_t)(lwip_ntohs((phdr)->_hdrlen_rsvd_flags) & TCP_FLAGS))

#define TCPH_HDRLEN_SET(phdr, len) ((phdr)->_hdrlen_rsvd_flags = \
    lwip_htons((u16_t)(((len) << 12) | TCPH_FLAGS(phdr))))
#define TCPH_FLAGS_SET(phdr, flags) ((phdr)->_hdrlen_rsvd_flags = \
    (u16_t)(((phdr)->_hdrlen_rsvd_flags & PP_HTONS(~TCP_FLAGS)) | lwip_htons(flags)))
#define TCPH_HDRLEN_FLAGS_SET(phdr, len, flags) ((phdr)->_hdrlen_rsvd_flags = \
    (u16_t)(lwip_htons((u16_t)(((len) << 12) | (flags)))))
#define TCPH_SET_FLAG(phdr, flags) ((phdr)->_hdrlen_rsvd_flags = \
    (u16_t)((phdr)->_hdrlen_rsvd_flags | lwip_htons(flags)))
#define TCPH_UNSET_FLAG(phdr, flags) ((phdr)->_hdrlen_rsvd_flags = \
    (u16_t)((phdr)->_hdrlen_rsvd_flags & ~lwip_htons(flags)))

#endif
