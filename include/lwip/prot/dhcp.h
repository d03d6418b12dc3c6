/*
 * lwip/prot/dhcp.h - DHCP messages on the wire (RFC 2131 2, figure 1;
 * options RFC 2132), as net/dhcp.c builds and parses them.
 *
 * A message is the fixed BOOTP part (236 bytes), the magic cookie
 * 99.130.83.99 (RFC 2131 3, RFC 1497) and then options, each a code, a
 * length and that many bytes, except PAD (0) and END (255) which are one
 * byte. net/dhcp.c reads and writes the fixed part by byte offset (the
 * DHCP_*_OFS values) rather than through a packed struct, so the parser
 * never depends on the alignment of a received buffer.
 */
#ifndef LWIP_HDR_PROT_DHCP_H
#define LWIP_HDR_PROT_DHCP_H

#include "lwip/arch.h"

#define DHCP_CLIENT_PORT 68
#define DHCP_SERVER_PORT 67

/* Offsets in the fixed part (RFC 2131 figure 1). */
#define DHCP_OP_OFS      0      /* 1 BOOTREQUEST, 2 BOOTREPLY */
#define DHCP_HTYPE_OFS   1      /* hardware type, 1: Ethernet */
#define DHCP_HLEN_OFS    2      /* hardware address length, 6 */
#define DHCP_HOPS_OFS    3
#define DHCP_XID_OFS     4      /* transaction id, 4 bytes */
#define DHCP_SECS_OFS    8
#define DHCP_FLAGS_OFS   10     /* bit 15: reply by broadcast */
#define DHCP_CIADDR_OFS  12     /* client's address, when it has one */
#define DHCP_YIADDR_OFS  16     /* "your" address: what the server offers */
#define DHCP_SIADDR_OFS  20
#define DHCP_GIADDR_OFS  24
#define DHCP_CHADDR_OFS  28     /* client hardware address, 16 bytes */
#define DHCP_CHADDR_LEN  16
#define DHCP_SNAME_OFS   44     /* 64 bytes */
#define DHCP_FILE_OFS    108    /* 128 bytes */
#define DHCP_COOKIE_OFS  236
#define DHCP_OPTIONS_OFS 240
#define DHCP_MIN_REPLY_LEN DHCP_OPTIONS_OFS     /* fixed part and cookie */

/* RFC 1542 2.1: some relays and servers drop BOOTP messages shorter than
 * 300 bytes, so requests are padded to at least this. */
#define DHCP_MIN_REQUEST_LEN 300

#define DHCP_BOOTREQUEST 1
#define DHCP_BOOTREPLY   2
#define DHCP_HTYPE_ETH   1
#define DHCP_MAGIC_COOKIE 0x63825363UL

/* Option codes (RFC 2132). */
#define DHCP_OPTION_PAD          0
#define DHCP_OPTION_SUBNET_MASK  1      /* 3.3 */
#define DHCP_OPTION_ROUTER       3      /* 3.5 */
#define DHCP_OPTION_DNS_SERVER   6      /* 3.8 */
#define DHCP_OPTION_HOSTNAME     12     /* 3.14 */
#define DHCP_OPTION_REQUESTED_IP 50     /* 9.1 */
#define DHCP_OPTION_LEASE_TIME   51     /* 9.2 */
#define DHCP_OPTION_OVERLOAD     52     /* 9.3: sname/file hold options (not read here) */
#define DHCP_OPTION_MESSAGE_TYPE 53     /* 9.6 */
#define DHCP_OPTION_SERVER_ID    54     /* 9.7 */
#define DHCP_OPTION_PARAMETER_REQUEST_LIST 55   /* 9.8 */
#define DHCP_OPTION_MAX_MSG_SIZE 57     /* 9.10 */
#define DHCP_OPTION_T1           58     /* 9.11: renewal time */
#define DHCP_OPTION_T2           59     /* 9.12: rebinding time */
#define DHCP_OPTION_CLIENT_ID    61     /* 9.14 */
#define DHCP_OPTION_END          255

/* Values of option 53 (RFC 2132 9.6). */
#define DHCP_DISCOVER 1
#define DHCP_OFFER    2
#define DHCP_REQUEST  3
#define DHCP_DECLINE  4
#define DHCP_ACK      5
#define DHCP_NAK      6
#define DHCP_RELEASE  7
#define DHCP_INFORM   8

#endif
