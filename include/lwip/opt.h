/*
 * lwip/opt.h - every option, with its default. An application's lwipopts.h
 * (found first on the include path; config/lwipopts.h when the app has
 * none) overrides any of them. Options are added here as the layers that
 * use them arrive.
 */
#ifndef LWIP_HDR_OPT_H
#define LWIP_HDR_OPT_H

#include "lwipopts.h"

/* 0: the stack runs in tcpip_thread and applications talk to it through
 * its mailbox; 1 would be the bare "main loop" mode, which netglass does
 * not implement (its point is the threads and mailboxes). */
#ifndef NO_SYS
#define NO_SYS 0
#endif
#if NO_SYS
#error "netglass needs NO_SYS 0: the stack runs in tcpip_thread"
#endif

/* 0: every API call crosses tcpip_mbox (the documents' flow); 1: callers
 * take the core lock and run the do_* function themselves. */
#ifndef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0
#endif

/* Protect short critical regions with sys_arch_protect. */
#ifndef SYS_LIGHTWEIGHT_PROT
#define SYS_LIGHTWEIGHT_PROT 1
#endif

/* The sys_timeout list. */
#ifndef LWIP_TIMERS
#define LWIP_TIMERS 1
#endif
#ifndef MEMP_NUM_SYS_TIMEOUT
#define MEMP_NUM_SYS_TIMEOUT 16
#endif


/* ---- Memory: alignment, the heap, the pools ------------------------------
 * Budget (lm3s6965evb, 64 KiB SRAM): kernel + network core + driver keep
 * their static RAM under 32 KiB, leaving the rest for TCP, the apps and the
 * trace ring. `make bench` prints the figures. */
#ifndef MEM_ALIGNMENT
#if __SIZEOF_POINTER__ > 4
#define MEM_ALIGNMENT 8             /* 64-bit host build: pools and the heap hold pointers */
#else
#define MEM_ALIGNMENT 4             /* Cortex-M3 word */
#endif
#endif
#ifndef MEM_LIBC_MALLOC
#define MEM_LIBC_MALLOC 0           /* 1: mem_malloc is the C library's malloc */
#endif
#ifndef MEM_SIZE
#define MEM_SIZE 8192               /* the heap: PBUF_RAM pbufs (an echo reply to a
                                       reassembled 4000-byte ping needs ~4 KiB) */
#endif
#ifndef MEMP_OVERFLOW_CHECK
#define MEMP_OVERFLOW_CHECK 1       /* guard words after each pool element, checked on free */
#endif
#ifndef MEMP_NUM_PBUF
#define MEMP_NUM_PBUF 16            /* PBUF_ROM/REF headers (also fragment references) */
#endif
#ifndef PBUF_POOL_SIZE
#define PBUF_POOL_SIZE 16           /* receive buffers */
#endif
#ifndef PBUF_POOL_BUFSIZE
#define PBUF_POOL_BUFSIZE 512       /* payload of one; a 1514-byte frame takes 3 */
#endif
#ifndef MEMP_NUM_TCPIP_MSG_API
#define MEMP_NUM_TCPIP_MSG_API 8    /* callbacks and API messages in flight */
#endif
#ifndef MEMP_NUM_TCPIP_MSG_INPKT
#define MEMP_NUM_TCPIP_MSG_INPKT 16 /* received packets waiting for tcpip_thread */
#endif
#ifndef LWIP_PBUF_REF_T
#define LWIP_PBUF_REF_T u8_t
#endif
#ifndef PBUF_LINK_HLEN
#define PBUF_LINK_HLEN 14           /* Ethernet header */
#endif
#ifndef PBUF_LINK_ENCAPSULATION_HLEN
#define PBUF_LINK_ENCAPSULATION_HLEN 0
#endif
#ifndef ETH_PAD_SIZE
#define ETH_PAD_SIZE 0
#endif
#define LWIP_MEM_ALIGN_SIZE(size) (((size) + MEM_ALIGNMENT - 1U) & ~(MEM_ALIGNMENT - 1U))
#define LWIP_MEM_ALIGN_BUFFER(size) (((size) + MEM_ALIGNMENT - 1U))
#define LWIP_MEM_ALIGN(addr) ((void *)(((mem_ptr_t)(addr) + MEM_ALIGNMENT - 1) & \
                                       ~(mem_ptr_t)(MEM_ALIGNMENT - 1)))

/* ---- tcpip_thread ---------------------------------------------------------- */
#ifndef TCPIP_MBOX_SIZE
#define TCPIP_MBOX_SIZE 16          /* tcpip_mbox slots */
#endif
#ifndef TCPIP_THREAD_STACKSIZE
#define TCPIP_THREAD_STACKSIZE 1536
#endif
#ifndef TCPIP_THREAD_PRIO
#define TCPIP_THREAD_PRIO 8         /* above the apps, below the driver's receive thread */
#endif
#ifndef TCPIP_THREAD_NAME
#define TCPIP_THREAD_NAME "tcpip_thread"
#endif

/* ---- Interfaces and link layer ---------------------------------------------- */
#ifndef LWIP_ETHERNET
#define LWIP_ETHERNET 1
#endif
#ifndef LWIP_ARP
#define LWIP_ARP 1
#endif
#ifndef LWIP_HAVE_LOOPIF
#define LWIP_HAVE_LOOPIF 1          /* netif_init adds lo, 127.0.0.1 */
#endif
#ifndef LWIP_NETIF_LOOPBACK
#define LWIP_NETIF_LOOPBACK 1       /* packets to our own address loop back too */
#endif
#ifndef LWIP_LOOPBACK_MAX_PBUFS
#define LWIP_LOOPBACK_MAX_PBUFS 8   /* queued on a loopback before drops */
#endif
#ifndef ARP_TABLE_SIZE
#define ARP_TABLE_SIZE 8            /* ARP cache entries */
#endif
#ifndef ARP_MAXAGE
#define ARP_MAXAGE 300              /* seconds a stable entry lives (etharp_tmr runs each 1 s) */
#endif
#ifndef ARP_AGE_REREQUEST_USED_UNICAST
#define ARP_AGE_REREQUEST_USED_UNICAST (ARP_MAXAGE - 30)   /* a stable entry this old that is
                                                               still used is asked for again,
                                                               unicast to the known address */
#endif
#ifndef ARP_AGE_REREQUEST_USED_BROADCAST
#define ARP_AGE_REREQUEST_USED_BROADCAST (ARP_MAXAGE - 15) /* ... and from this age, broadcast */
#endif
#ifndef ARP_MAXPENDING
#define ARP_MAXPENDING 5            /* seconds to wait for a reply (a request each second) */
#endif
#ifndef ARP_QUEUEING
#define ARP_QUEUEING 1              /* queue packets while their next hop resolves */
#endif
#ifndef ARP_QUEUE_LEN
#define ARP_QUEUE_LEN 3             /* per entry, at most */
#endif
#ifndef MEMP_NUM_ARP_QUEUE
#define MEMP_NUM_ARP_QUEUE 8        /* in all */
#endif
#ifndef ETHARP_SUPPORT_STATIC_ENTRIES
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
#endif
#ifndef ETHARP_TMR_INTERVAL
#define ETHARP_TMR_INTERVAL 1000
#endif

/* ---- IPv4 and ICMP ---------------------------------------------------------- */
#ifndef IP_DEFAULT_TTL
#define IP_DEFAULT_TTL 64
#endif
#ifndef IP_FORWARD
#define IP_FORWARD 0                /* 1: route between interfaces */
#endif
#ifndef IP_REASSEMBLY
#define IP_REASSEMBLY 1
#endif
#ifndef IP_FRAG
#define IP_FRAG 1
#endif
#ifndef IP_REASS_MAXAGE
#define IP_REASS_MAXAGE 15          /* seconds a partial datagram waits (ip_reass_tmr: 1 s) */
#endif
#ifndef IP_REASS_MAX_PBUFS
#define IP_REASS_MAX_PBUFS 12       /* pbufs all partial datagrams together may hold */
#endif
#ifndef MEMP_NUM_REASSDATA
#define MEMP_NUM_REASSDATA 4        /* datagrams reassembled at once */
#endif
#ifndef MEMP_NUM_FRAG_PBUF
#define MEMP_NUM_FRAG_PBUF 8        /* fragments being sent at once */
#endif
#ifndef IP_REASS_TMR_INTERVAL
#define IP_REASS_TMR_INTERVAL 1000
#endif
#ifndef LWIP_ICMP
#define LWIP_ICMP 1
#endif
#ifndef ICMP_TTL
#define ICMP_TTL IP_DEFAULT_TTL
#endif
#ifndef LWIP_BROADCAST_PING
#define LWIP_BROADCAST_PING 0       /* RFC 1122 3.2.2.6 allows silence: we stay silent */
#endif
#ifndef LWIP_MULTICAST_PING
#define LWIP_MULTICAST_PING 0
#endif
/* ---- UDP and raw IP ------------------------------------------------------------ */
#ifndef LWIP_RAW
#define LWIP_RAW 1                  /* raw PCBs: one protocol's datagrams, IP header and all (ping) */
#endif
#ifndef MEMP_NUM_RAW_PCB
#define MEMP_NUM_RAW_PCB 4          /* raw PCBs open at once */
#endif
#ifndef RAW_TTL
#define RAW_TTL IP_DEFAULT_TTL      /* TTL of what raw PCBs send */
#endif
#ifndef LWIP_UDP
#define LWIP_UDP 1                  /* UDP (RFC 768) */
#endif
#ifndef MEMP_NUM_UDP_PCB
#define MEMP_NUM_UDP_PCB 6          /* UDP PCBs open at once (DHCP and DNS take one each later) */
#endif
#ifndef UDP_TTL
#define UDP_TTL IP_DEFAULT_TTL      /* TTL of what UDP PCBs send */
#endif
#ifndef UDP_LOCAL_PORT_RANGE_START
#define UDP_LOCAL_PORT_RANGE_START 0xc000   /* ephemeral ports: 49152 ... (RFC 6335 6) */
#endif
#ifndef UDP_LOCAL_PORT_RANGE_END
#define UDP_LOCAL_PORT_RANGE_END 0xffff     /* ... 65535 */
#endif
#ifndef SO_REUSE
#define SO_REUSE 1                  /* SOF_REUSEADDR lets two PCBs bind one port */
#endif
#ifndef IP_SOF_BROADCAST
#define IP_SOF_BROADCAST 0          /* 1: sending to a broadcast needs SOF_BROADCAST (lwIP's 0) */
#endif
#ifndef IP_SOF_BROADCAST_RECV
#define IP_SOF_BROADCAST_RECV 1     /* 1: only PCBs with SOF_BROADCAST receive broadcasts */
#endif

/* ---- TCP (RFC 9293) ------------------------------------------------------------
 * RAM per connection: a PCB (~170 bytes) plus what its queues hold: up to
 * TCP_SND_BUF bytes queued to send and TCP_WND bytes received and not yet
 * consumed (in pool pbufs), plus TCP_OOSEQ_MAX_BYTES out of order. */
#ifndef LWIP_TCP
#define LWIP_TCP 1
#endif
#ifndef MEMP_NUM_TCP_PCB
#define MEMP_NUM_TCP_PCB 10         /* connections at once (TIME_WAIT ones included) */
#endif
#ifndef MEMP_NUM_TCP_PCB_LISTEN
#define MEMP_NUM_TCP_PCB_LISTEN 4   /* listening PCBs */
#endif
#ifndef MEMP_NUM_TCP_SEG
#define MEMP_NUM_TCP_SEG 48         /* segments queued (unsent, unacked, out of order), all PCBs */
#endif
#ifndef TCP_MSS
#define TCP_MSS 1460                /* our MSS option: Ethernet MTU - 40 (RFC 9293 3.7.1) */
#endif
#ifndef TCP_WND
#define TCP_WND (4 * TCP_MSS)       /* receive window per connection, bytes (< 65536: no scaling) */
#endif
#ifndef TCP_SND_BUF
#define TCP_SND_BUF (4 * TCP_MSS)   /* bytes tcp_write may queue per connection */
#endif
#ifndef TCP_SND_QUEUELEN
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)  /* pbufs queued per connection */
#endif
#ifndef TCP_SNDLOWAT
#define TCP_SNDLOWAT LWIP_MIN(LWIP_MAX(TCP_SND_BUF / 2, 2 * TCP_MSS + 1), TCP_SND_BUF - 1)
#endif                              /* netconn: writable again above this much free buffer */
#ifndef TCP_SNDQUEUELOWAT
#define TCP_SNDQUEUELOWAT LWIP_MAX(TCP_SND_QUEUELEN / 2, 5)
#endif
#ifndef TCP_OVERSIZE
#define TCP_OVERSIZE TCP_MSS        /* tcp_write allocates this much extra so small writes
                                       fill one segment instead of chaining pbufs */
#endif
#ifndef TCP_QUEUE_OOSEQ
#define TCP_QUEUE_OOSEQ 1           /* keep segments that arrive out of order */
#endif
#ifndef TCP_OOSEQ_MAX_BYTES
#define TCP_OOSEQ_MAX_BYTES TCP_WND /* ... at most this many bytes per connection */
#endif
#ifndef TCP_OOSEQ_MAX_PBUFS
#define TCP_OOSEQ_MAX_PBUFS 12      /* ... in at most this many pbufs per connection (a full
                                       frame takes 3 pool pbufs of 512 bytes) */
#endif
#ifndef TCP_WND_UPDATE_THRESHOLD
#define TCP_WND_UPDATE_THRESHOLD LWIP_MIN(TCP_WND / 4, TCP_MSS * 4)
#endif                              /* tcp_recved sends a window update once it grew this much */
#ifndef TCP_MAXRTX
#define TCP_MAXRTX 12               /* retransmissions of data before the connection is aborted */
#endif
#ifndef TCP_SYNMAXRTX
#define TCP_SYNMAXRTX 6             /* retransmissions of a SYN before connect fails */
#endif
#ifndef TCP_RTO_INITIAL
#define TCP_RTO_INITIAL 1000        /* ms, before any RTT sample (RFC 6298 2.1) */
#endif
#ifndef TCP_RTO_MIN
#define TCP_RTO_MIN 500             /* ms; NOTE: RFC 6298 2.4 says 1 s, Linux uses 200 ms */
#endif
#ifndef TCP_RTO_MAX
#define TCP_RTO_MAX 60000           /* ms (RFC 6298 2.5) */
#endif
#ifndef TCP_TTL
#define TCP_TTL IP_DEFAULT_TTL
#endif
#ifndef TCP_LISTEN_BACKLOG
#define TCP_LISTEN_BACKLOG 1        /* listeners limit connections not yet accepted */
#endif
#ifndef TCP_DEFAULT_LISTEN_BACKLOG
#define TCP_DEFAULT_LISTEN_BACKLOG 0xff
#endif
#ifndef TCP_CALCULATE_EFF_SEND_MSS
#define TCP_CALCULATE_EFF_SEND_MSS 1    /* send MSS limited by the outgoing netif's MTU */
#endif
#ifndef LWIP_TCP_KEEPALIVE
#define LWIP_TCP_KEEPALIVE 1        /* per-PCB keep_idle/keep_intvl/keep_cnt (SOF_KEEPALIVE) */
#endif
#ifndef TCP_LOCAL_PORT_RANGE_START
#define TCP_LOCAL_PORT_RANGE_START 0xc000   /* ephemeral ports (RFC 6335 6) */
#endif
#ifndef TCP_LOCAL_PORT_RANGE_END
#define TCP_LOCAL_PORT_RANGE_END 0xffff
#endif
#ifndef LWIP_TCP_SACK_OUT
#define LWIP_TCP_SACK_OUT 0         /* no SACK (RFC 2018) */
#endif
#ifndef LWIP_WND_SCALE
#define LWIP_WND_SCALE 0            /* no window scaling (RFC 7323) */
#endif
#ifndef LWIP_TCP_TIMESTAMPS
#define LWIP_TCP_TIMESTAMPS 0       /* no timestamps option (RFC 7323) */
#endif
#ifndef LWIP_IPV4
#define LWIP_IPV4 1
#endif
#ifndef LWIP_IPV6
#define LWIP_IPV6 0
#endif

/* ---- netconn and sockets (api/) ------------------------------------------------
 * The sequential APIs: netconn (api/api_lib.c, app side, and api/api_msg.c,
 * the do_* functions in tcpip_thread) and BSD sockets over it
 * (api/sockets.c). Each netconn owns a semaphore (op_completed) and a
 * receive mailbox; a listening one also an accept mailbox. */
#ifndef LWIP_NETCONN
#define LWIP_NETCONN 1
#endif
#ifndef LWIP_SOCKET
#define LWIP_SOCKET 1
#endif
#ifndef LWIP_COMPAT_SOCKETS
#define LWIP_COMPAT_SOCKETS 1       /* socket(), bind(), ... as macros for lwip_socket(), ... */
#endif
#ifndef LWIP_POSIX_SOCKETS_IO_NAMES
#define LWIP_POSIX_SOCKETS_IO_NAMES 1   /* read, write, close, fcntl, ioctl as well */
#endif
#ifndef MEMP_NUM_NETCONN
#define MEMP_NUM_NETCONN 8          /* netconns at once (each socket has one) */
#endif
#ifndef MEMP_NUM_NETBUF
#define MEMP_NUM_NETBUF 8           /* netbufs: UDP/raw datagrams queued or being sent */
#endif
#ifndef NUM_SOCKETS
#define NUM_SOCKETS MEMP_NUM_NETCONN
#endif
#ifndef LWIP_SOCKET_OFFSET
#define LWIP_SOCKET_OFFSET 0        /* descriptor of sockets[0] */
#endif
#ifndef DEFAULT_TCP_RECVMBOX_SIZE
#define DEFAULT_TCP_RECVMBOX_SIZE 8 /* pbufs queued to a TCP netconn not yet read */
#endif
#ifndef DEFAULT_UDP_RECVMBOX_SIZE
#define DEFAULT_UDP_RECVMBOX_SIZE 6 /* datagrams queued to a UDP netconn: a full box is a counted drop */
#endif
#ifndef DEFAULT_RAW_RECVMBOX_SIZE
#define DEFAULT_RAW_RECVMBOX_SIZE 4
#endif
#ifndef DEFAULT_ACCEPTMBOX_SIZE
#define DEFAULT_ACCEPTMBOX_SIZE 4   /* connections accepted by TCP, not yet by netconn_accept */
#endif
#ifndef LWIP_SO_SNDTIMEO
#define LWIP_SO_SNDTIMEO 1          /* SO_SNDTIMEO and netconn_set_sendtimeout */
#endif
#ifndef LWIP_SO_RCVTIMEO
#define LWIP_SO_RCVTIMEO 1          /* SO_RCVTIMEO and netconn_set_recvtimeout */
#endif
#ifndef LWIP_SO_RCVBUF
#define LWIP_SO_RCVBUF 1            /* SO_RCVBUF: a UDP netconn's queue limit in bytes */
#endif
#ifndef RECV_BUFSIZE_DEFAULT
#define RECV_BUFSIZE_DEFAULT 0x7fffffff
#endif
#ifndef LWIP_SO_LINGER
#define LWIP_SO_LINGER 0
#endif
#ifndef LWIP_TCP_KEEPALIVE
#define LWIP_TCP_KEEPALIVE 1        /* TCP_KEEPIDLE/KEEPINTVL/KEEPCNT socket options */
#endif
#ifndef LWIP_NETBUF_RECVINFO
#define LWIP_NETBUF_RECVINFO 0
#endif
#ifndef LWIP_NETCONN_FULLDUPLEX
#define LWIP_NETCONN_FULLDUPLEX 0   /* lwIP's default: one thread per netconn at a time */
#endif
#ifndef LWIP_NETCONN_SEM_PER_THREAD
#define LWIP_NETCONN_SEM_PER_THREAD 0   /* each netconn has its own op_completed */
#endif
#ifndef LWIP_MPU_COMPATIBLE
#define LWIP_MPU_COMPATIBLE 0       /* api_msg lives on the caller's stack */
#endif
#ifndef LWIP_SOCKET_SELECT
#define LWIP_SOCKET_SELECT 1
#endif
#ifndef LWIP_SOCKET_POLL
#define LWIP_SOCKET_POLL 1
#endif
#ifndef LWIP_FIONREAD_LINUXMODE
#define LWIP_FIONREAD_LINUXMODE 0
#endif

/* ---- DHCP (RFC 2131) and DNS (RFC 1035) clients -------------------------------- */
#ifndef LWIP_DHCP
#define LWIP_DHCP 1
#endif
#ifndef LWIP_NETIF_HOSTNAME
#define LWIP_NETIF_HOSTNAME 1       /* netif->hostname, sent to the DHCP server */
#endif
#ifndef DHCP_DOES_ARP_CHECK
#define DHCP_DOES_ARP_CHECK 0       /* no ARP probe of the offered address (RFC 2131 2.2 SHOULD) */
#endif
#ifndef LWIP_DNS
#define LWIP_DNS 1
#endif
#ifndef DNS_TABLE_SIZE
#define DNS_TABLE_SIZE 4            /* names cached (and queries in flight) */
#endif
#ifndef DNS_MAX_NAME_LENGTH
#define DNS_MAX_NAME_LENGTH 64
#endif
#ifndef DNS_MAX_SERVERS
#define DNS_MAX_SERVERS 2
#endif
#ifndef DNS_MAX_RETRIES
#define DNS_MAX_RETRIES 4           /* a query is sent at most this many times */
#endif
#ifndef DNS_TMR_INTERVAL
#define DNS_TMR_INTERVAL 1000       /* dns_tmr: retries and cache ageing, ms */
#endif
#ifndef LWIP_DNS_SECURE
#define LWIP_DNS_SECURE 7           /* random id, random source port, name check (RFC 5452) */
#endif

/* ---- Statistics and tracing of frames --------------------------------------- */
#ifndef LWIP_STATS
#define LWIP_STATS 1
#endif
/* stats_display and the drop reasons' names (ng_drop_name): 1 here (the
 * demos print their counters when they end), 0 in lwIP, where
 * stats_display() is then an empty macro. The counters are kept either
 * way. */
#ifndef LWIP_STATS_DISPLAY
#define LWIP_STATS_DISPLAY 1
#endif
#ifndef NG_TRACE_FRAME_BYTES
#define NG_TRACE_FRAME_BYTES 64     /* bytes of each frame kept in FRAME_RX/TX records */
#endif

/* Debug output and assertions. LWIP_NOASSERT works as in lwIP: not
 * defined (netglass's default), every LWIP_ASSERT and the stack's own
 * checks (a double free, a pool element that is not one, a corrupt free
 * list) end the run with exit status 120 and a message, and LWIP_ERROR
 * prints its message before it returns the error; defined (empty or
 * non-zero; 0 counts as not defined), all of that is compiled out and
 * LWIP_ERROR returns its error silently: lwIP's figures of code size are
 * taken so. NG_ASSERTS_ON is 1 or 0 accordingly, tested where each
 * assertion expands (arch/cc.h, lwip/debug.h): (0 - X - 1) is -1 exactly
 * when X is 0, and 1 when X is empty. */
#if !defined(LWIP_NOASSERT) || (0 - LWIP_NOASSERT - 1) == -1
#define NG_ASSERTS_ON 1
#else
#define NG_ASSERTS_ON 0
#endif
#ifndef LWIP_DEBUG
#define LWIP_DEBUG 0
#endif

/* Default stack size and priority of threads created by sys_thread_new
 * when the caller passes 0. */
#ifndef DEFAULT_THREAD_STACKSIZE
#define DEFAULT_THREAD_STACKSIZE 1024
#endif
#ifndef DEFAULT_THREAD_PRIO
#define DEFAULT_THREAD_PRIO 4
#endif

#endif
