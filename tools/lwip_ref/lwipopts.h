/*
 * tools/lwip_ref/lwipopts.h - lwIP's options for the reference iperf
 * image: no OS, raw API only, one Ethernet interface. REF_WND (the
 * receive window in MSS) and REF_POOL (receive pbufs of one whole frame)
 * come from the tool's command line, so it can measure lwIP with
 * netglass's window (4 MSS) and with wider ones.
 */
#define NO_SYS 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NOASSERT
#define LWIP_STATS 0
#define MEM_ALIGNMENT 4
#define MEM_SIZE 16000
#define PBUF_POOL_SIZE REF_POOL
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_NUM_TCP_SEG 32
#define LWIP_ETHERNET 1
#define LWIP_ARP 1
#define LWIP_TCP 1
#define LWIP_UDP 1
#define TCP_MSS 1460
#define TCP_WND (REF_WND * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
