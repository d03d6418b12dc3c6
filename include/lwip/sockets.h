/*
 * lwip/sockets.h - BSD sockets over netconn (api/sockets.c), lwIP 2.x names.
 *
 * A socket is an index into sockets[] (api/sockets.c) plus
 * LWIP_SOCKET_OFFSET; each holds one netconn. lwip_* are the functions;
 * with LWIP_COMPAT_SOCKETS the BSD names (socket, bind, ...) are macros for
 * them, and with LWIP_POSIX_SOCKETS_IO_NAMES also read, write, close,
 * fcntl, ioctl. Errors are reported as POSIX says: -1 and errno (see
 * lwip/errno.h; errno is kept per thread by the scheduler).
 * IPv4 only: AF_INET, struct sockaddr_in.
 */
#ifndef LWIP_HDR_SOCKETS_H
#define LWIP_HDR_SOCKETS_H

#include <stddef.h>
#include <sys/time.h>       /* struct timeval (and, with most C libraries, fd_set) */

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/errno.h"
#include "lwip/inet.h"
#include "lwip/ip_addr.h"

#ifndef SA_FAMILY_T_DEFINED
typedef u8_t sa_family_t;
#define SA_FAMILY_T_DEFINED
#endif
#ifndef IN_PORT_T_DEFINED
typedef u16_t in_port_t;
#define IN_PORT_T_DEFINED
#endif
#ifndef socklen_t
typedef u32_t socklen_t;
#endif

/* The BSD 4.4 layout: a length byte, then the family. */
struct sockaddr_in {
    u8_t sin_len;
    sa_family_t sin_family;
    in_port_t sin_port;         /* network byte order */
    struct in_addr sin_addr;    /* network byte order */
#define SIN_ZERO_LEN 8
    char sin_zero[SIN_ZERO_LEN];
};

struct sockaddr {
    u8_t sa_len;
    sa_family_t sa_family;
    char sa_data[14];
};

struct sockaddr_storage {
    u8_t s2_len;
    sa_family_t ss_family;
    char s2_data1[2];
    u32_t s2_data2[3];
};

struct iovec {
    void *iov_base;
    size_t iov_len;
};

struct msghdr {
    void *msg_name;
    socklen_t msg_namelen;
    struct iovec *msg_iov;
    int msg_iovlen;
    void *msg_control;
    socklen_t msg_controllen;
    int msg_flags;
};

/* Socket types and protocol families. */
#define SOCK_STREAM 1
#define SOCK_DGRAM  2
#define SOCK_RAW    3

#define AF_UNSPEC 0
#define AF_INET   2
#define PF_INET   AF_INET
#define PF_UNSPEC AF_UNSPEC

#define IPPROTO_IP   0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17
#define IPPROTO_UDPLITE 136
#define IPPROTO_RAW  255

/* Socket-level options (level SOL_SOCKET). */
#define SOL_SOCKET    0xfff
#define SO_DEBUG      0x0001   /* (not implemented: ENOPROTOOPT) */
#define SO_ACCEPTCONN 0x0002   /* get only: listening? */
#define SO_REUSEADDR  0x0004
#define SO_KEEPALIVE  0x0008
#define SO_DONTROUTE  0x0010   /* (not implemented) */
#define SO_BROADCAST  0x0020
#define SO_USELOOPBACK 0x0040  /* (not implemented) */
#define SO_LINGER     0x0080   /* (not implemented unless LWIP_SO_LINGER) */
#define SO_OOBINLINE  0x0100   /* (not implemented) */
#define SO_REUSEPORT  0x0200   /* (not implemented) */
#define SO_SNDBUF     0x1001   /* (not implemented: TCP_SND_BUF is fixed) */
#define SO_RCVBUF     0x1002
#define SO_SNDLOWAT   0x1003   /* (not implemented) */
#define SO_RCVLOWAT   0x1004   /* (not implemented) */
#define SO_SNDTIMEO   0x1005   /* struct timeval */
#define SO_RCVTIMEO   0x1006   /* struct timeval */
#define SO_ERROR      0x1007   /* get only: the pending error, then cleared */
#define SO_TYPE       0x1008   /* get only */
#define SO_CONTIMEO   0x1009   /* (not implemented) */
#define SO_NO_CHECK   0x100a   /* UDP: send without a checksum */
#define SO_BINDTODEVICE 0x100b

struct linger {
    int l_onoff;
    int l_linger;
};

/* Level IPPROTO_IP. */
#define IP_TOS 1
#define IP_TTL 2
/* Level IPPROTO_TCP. */
#define TCP_NODELAY   0x01     /* Nagle off */
#define TCP_KEEPALIVE 0x02     /* idle time before keepalives, ms (lwIP's) */
#define TCP_KEEPIDLE  0x03     /* the same, seconds */
#define TCP_KEEPINTVL 0x04     /* seconds between keepalives */
#define TCP_KEEPCNT   0x05     /* keepalives before the connection is dropped */

/* send/recv flags. */
#define MSG_PEEK     0x01      /* look, leave the data */
#define MSG_WAITALL  0x02      /* (TCP) wait for all the bytes asked for */
#define MSG_OOB      0x04      /* (not supported: EOPNOTSUPP) */
#define MSG_DONTWAIT 0x08      /* this call only: do not block */
#define MSG_MORE     0x10      /* more follows: no PSH */
#define MSG_NOSIGNAL 0x20      /* (there are no signals: accepted, ignored) */
#define MSG_TRUNC    0x40      /* recvmsg msg_flags: the datagram was longer than the buffers */
#define MSG_CTRUNC   0x80      /* recvmsg msg_flags: ancillary data cut (never: none is made) */

/* shutdown's how. */
#ifndef SHUT_RD
#define SHUT_RD   0
#define SHUT_WR   1
#define SHUT_RDWR 2
#endif

/* ioctl and fcntl. */
#ifndef IOCPARM_MASK
#define IOCPARM_MASK 0x7fU
#endif
#ifndef IOC_VOID
#define IOC_VOID 0x20000000UL
#define IOC_OUT  0x40000000UL
#define IOC_IN   0x80000000UL
#define IOC_INOUT (IOC_IN | IOC_OUT)
#endif
#ifndef _IO
#define _IO(x, y)     ((long)(IOC_VOID | ((x) << 8) | (y)))
#define _IOR(x, y, t) ((long)(IOC_OUT | ((sizeof(t) & IOCPARM_MASK) << 16) | ((x) << 8) | (y)))
#define _IOW(x, y, t) ((long)(IOC_IN | ((sizeof(t) & IOCPARM_MASK) << 16) | ((x) << 8) | (y)))
#endif
#ifndef FIONREAD
#define FIONREAD _IOR('f', 127, unsigned long)  /* bytes that a recv would return now */
#endif
#ifndef FIONBIO
#define FIONBIO _IOW('f', 126, unsigned long)   /* non-blocking on (nonzero) or off */
#endif
#ifndef F_GETFL
#define F_GETFL 3
#endif
#ifndef F_SETFL
#define F_SETFL 4
#endif
#ifndef O_NONBLOCK
#define O_NONBLOCK 1
#endif
#ifndef O_NDELAY
#define O_NDELAY O_NONBLOCK
#endif
#ifndef O_RDONLY
#define O_RDONLY 2
#endif
#ifndef O_WRONLY
#define O_WRONLY 4
#endif
#ifndef O_RDWR
#define O_RDWR (O_RDONLY | O_WRONLY)
#endif

/* select: the C library's fd_set when it has one (newlib and glibc do,
 * through sys/time.h), else our own; either must hold every socket. */
#ifndef FD_SET
#undef FD_SETSIZE
#define FD_SETSIZE (LWIP_SOCKET_OFFSET + NUM_SOCKETS)
#define FD_SET(n, p)   ((p)->fd_bits[(n) / 8] = (u8_t)((p)->fd_bits[(n) / 8] | (1u << ((n) & 7))))
#define FD_CLR(n, p)   ((p)->fd_bits[(n) / 8] = (u8_t)((p)->fd_bits[(n) / 8] & ~(1u << ((n) & 7))))
#define FD_ISSET(n, p) ((p)->fd_bits[(n) / 8] & (1u << ((n) & 7)))
#define FD_ZERO(p)     memset((void *)(p), 0, sizeof(*(p)))
typedef struct fd_set {
    unsigned char fd_bits[(FD_SETSIZE + 7) / 8];
} fd_set;
#elif FD_SETSIZE < (LWIP_SOCKET_OFFSET + NUM_SOCKETS)
#error "the C library's FD_SETSIZE is too small for NUM_SOCKETS"
#endif
#define LWIP_SELECT_MAXNFDS (LWIP_SOCKET_OFFSET + NUM_SOCKETS)

/* poll. */
#if LWIP_SOCKET_POLL
#define POLLIN     0x1
#define POLLOUT    0x2
#define POLLERR    0x4
#define POLLNVAL   0x8
#define POLLRDNORM 0x10
#define POLLRDBAND 0x20
#define POLLPRI    0x40
#define POLLWRNORM 0x80
#define POLLWRBAND 0x100
#define POLLHUP    0x200
typedef unsigned int nfds_t;
struct pollfd {
    int fd;
    short events;
    short revents;
};
#endif

/* ---- the calls (api/sockets.c) --------------------------------------------------- */
int lwip_socket(int domain, int type, int protocol);
int lwip_bind(int s, const struct sockaddr *name, socklen_t namelen);
int lwip_listen(int s, int backlog);
int lwip_accept(int s, struct sockaddr *addr, socklen_t *addrlen);
int lwip_connect(int s, const struct sockaddr *name, socklen_t namelen);
int lwip_shutdown(int s, int how);
int lwip_close(int s);
int lwip_getsockname(int s, struct sockaddr *name, socklen_t *namelen);
int lwip_getpeername(int s, struct sockaddr *name, socklen_t *namelen);
int lwip_getsockopt(int s, int level, int optname, void *optval, socklen_t *optlen);
int lwip_setsockopt(int s, int level, int optname, const void *optval, socklen_t optlen);
ssize_t lwip_send(int s, const void *dataptr, size_t size, int flags);
ssize_t lwip_sendto(int s, const void *dataptr, size_t size, int flags,
                    const struct sockaddr *to, socklen_t tolen);
ssize_t lwip_sendmsg(int s, const struct msghdr *message, int flags);
ssize_t lwip_recv(int s, void *mem, size_t len, int flags);
ssize_t lwip_recvfrom(int s, void *mem, size_t len, int flags,
                      struct sockaddr *from, socklen_t *fromlen);
ssize_t lwip_recvmsg(int s, struct msghdr *message, int flags);
ssize_t lwip_read(int s, void *mem, size_t len);
ssize_t lwip_readv(int s, const struct iovec *iov, int iovcnt);
ssize_t lwip_write(int s, const void *dataptr, size_t size);
ssize_t lwip_writev(int s, const struct iovec *iov, int iovcnt);
#if LWIP_SOCKET_SELECT
int lwip_select(int maxfdp1, fd_set *readset, fd_set *writeset, fd_set *exceptset,
                struct timeval *timeout);
#endif
#if LWIP_SOCKET_POLL
int lwip_poll(struct pollfd *fds, nfds_t nfds, int timeout);
#endif
int lwip_ioctl(int s, long cmd, void *argp);
int lwip_fcntl(int s, int cmd, int val);
const char *lwip_inet_ntop(int af, const void *src, char *dst, socklen_t size);
int lwip_inet_pton(int af, const char *src, void *dst);

#if LWIP_COMPAT_SOCKETS
#define accept(s, addr, addrlen)                   lwip_accept(s, addr, addrlen)
#define bind(s, name, namelen)                     lwip_bind(s, name, namelen)
#define shutdown(s, how)                           lwip_shutdown(s, how)
#define getpeername(s, name, namelen)              lwip_getpeername(s, name, namelen)
#define getsockname(s, name, namelen)              lwip_getsockname(s, name, namelen)
#define setsockopt(s, level, optname, opval, optlen) lwip_setsockopt(s, level, optname, opval, optlen)
#define getsockopt(s, level, optname, opval, optlen) lwip_getsockopt(s, level, optname, opval, optlen)
#define closesocket(s)                             lwip_close(s)
#define connect(s, name, namelen)                  lwip_connect(s, name, namelen)
#define listen(s, backlog)                         lwip_listen(s, backlog)
#define recv(s, mem, len, flags)                   lwip_recv(s, mem, len, flags)
#define recvmsg(s, message, flags)                 lwip_recvmsg(s, message, flags)
#define recvfrom(s, mem, len, flags, from, fromlen) lwip_recvfrom(s, mem, len, flags, from, fromlen)
#define send(s, dataptr, size, flags)              lwip_send(s, dataptr, size, flags)
#define sendmsg(s, message, flags)                 lwip_sendmsg(s, message, flags)
#define sendto(s, dataptr, size, flags, to, tolen) lwip_sendto(s, dataptr, size, flags, to, tolen)
#define socket(domain, type, protocol)             lwip_socket(domain, type, protocol)
#if LWIP_SOCKET_SELECT
#define select(maxfdp1, readset, writeset, exceptset, timeout) \
    lwip_select(maxfdp1, readset, writeset, exceptset, timeout)
#endif
#if LWIP_SOCKET_POLL
#define poll(fds, nfds, timeout)                   lwip_poll(fds, nfds, timeout)
#endif
#define ioctlsocket(s, cmd, argp)                  lwip_ioctl(s, cmd, argp)
#define inet_ntop(af, src, dst, size)              lwip_inet_ntop(af, src, dst, size)
#define inet_pton(af, src, dst)                    lwip_inet_pton(af, src, dst)
#if LWIP_POSIX_SOCKETS_IO_NAMES
#define read(s, mem, len)                          lwip_read(s, mem, len)
#define readv(s, iov, iovcnt)                      lwip_readv(s, iov, iovcnt)
#define write(s, dataptr, len)                     lwip_write(s, dataptr, len)
#define writev(s, iov, iovcnt)                     lwip_writev(s, iov, iovcnt)
#define close(s)                                   lwip_close(s)
#define fcntl(s, cmd, val)                         lwip_fcntl(s, cmd, val)
#define ioctl(s, cmd, argp)                        lwip_ioctl(s, cmd, argp)
#endif
#endif

/* netglass: a socket's netconn (NULL for a bad descriptor), for the
 * HTTP server's statistics page and the debugger. */
struct netconn;
struct netconn *lwip_socket_netconn(int s);

#endif
