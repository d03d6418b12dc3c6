/*
 * lwip/prot/dns.h - DNS messages on the wire (RFC 1035 4.1), as net/dns.c
 * builds and parses them: a 12-byte header, then the question (a name of
 * length-prefixed labels, QTYPE, QCLASS) and resource records (name, TYPE,
 * CLASS, TTL, RDLENGTH, RDATA). Names in answers may end in a compression
 * pointer (4.1.4): two bytes whose top bits are 11, the other 14 the
 * offset of the rest of the name in the message.
 */
#ifndef LWIP_HDR_PROT_DNS_H
#define LWIP_HDR_PROT_DNS_H

#include "lwip/arch.h"

#define DNS_HDR_LEN 12

/* Offsets in the header (RFC 1035 4.1.1). */
#define DNS_ID_OFS      0
#define DNS_FLAGS1_OFS  2       /* QR, Opcode, AA, TC, RD */
#define DNS_FLAGS2_OFS  3       /* RA, Z, RCODE */
#define DNS_QDCOUNT_OFS 4
#define DNS_ANCOUNT_OFS 6
#define DNS_NSCOUNT_OFS 8
#define DNS_ARCOUNT_OFS 10

#define DNS_FLAG1_RESPONSE  0x80    /* QR */
#define DNS_FLAG1_OPCODE    0x78
#define DNS_FLAG1_TRUNC     0x02    /* TC */
#define DNS_FLAG1_RD        0x01    /* recursion desired */
#define DNS_FLAG2_RCODE     0x0f
#define DNS_RCODE_OK        0
#define DNS_RCODE_NXDOMAIN  3

#define DNS_RRTYPE_A     1
#define DNS_RRTYPE_CNAME 5
#define DNS_RRCLASS_IN   1

/* Labels and names (RFC 1035 2.3.4). */
#define DNS_LABEL_MAX 63
#define DNS_NAME_WIRE_MAX 255
#define DNS_LABEL_PTR 0xc0          /* the top bits of a compression pointer */

/* A resource record after its name: TYPE, CLASS, TTL, RDLENGTH. */
#define DNS_RR_FIXED_LEN 10
/* The question after its name: QTYPE, QCLASS. */
#define DNS_QUESTION_FIXED_LEN 4

#endif
