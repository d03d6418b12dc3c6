/*
 * api/sockets_select.c - select and poll over the sockets' event counters.
 *
 * event_callback (api/sockets.c) keeps, per socket, how many things wait
 * to be received (rcvevent), whether there is room to send (sendevent) and
 * whether an error happened (errevent). lwip_selscan reads them: readable
 * = rcvevent > 0 or data left over from a recv (lastdata), writable =
 * sendevent, exceptional = errevent; a pending error or the end of the
 * stream also counts as readable (and the error as writable), because a
 * recv (send) then returns at once (POSIX select). When nothing is
 * ready, the caller puts a struct lwip_select_cb (its sets and a semaphore "select_sem") on
 * select_cb_list, counts itself in each socket's select_waiting, scans
 * once more (an event may have come in between), and sleeps on the
 * semaphore until event_callback signals it or the timeout runs out;
 * then it scans again for the answer. poll is the same with a pollfd
 * array instead of three sets.
 */
#include <string.h>

#include "lwip/errno.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "trace.h"

#if LWIP_SOCKET /* the whole file: an app may leave this API out (lwipopts.h) */

#define POLL_NFDS_MAX 1024          /* OPEN_MAX for poll's EINVAL */

/* Count (or uncount) this call in select_waiting of each slot it asked
 * about, remembering which, so that the uncount matches even when a
 * socket was closed (and its slot reused) meanwhile. */
static void waiting_add(u8_t counted[NUM_SOCKETS], int s)
{
    int i = s - LWIP_SOCKET_OFFSET;
    if (i < 0 || i >= NUM_SOCKETS)
        return;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    if (sockets[i].conn != NULL) {
        sockets[i].select_waiting++;
        counted[i]++;
    }
    SYS_ARCH_UNPROTECT(lev);
}

static void waiting_remove_all(u8_t counted[NUM_SOCKETS])
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    for (int i = 0; i < NUM_SOCKETS; i++) {
        sockets[i].select_waiting = (u8_t)(sockets[i].select_waiting - counted[i]);
        counted[i] = 0;
    }
    SYS_ARCH_UNPROTECT(lev);
}

static void cb_link(struct lwip_select_cb *cb)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    cb->prev = NULL;
    cb->next = select_cb_list;
    if (select_cb_list != NULL)
        select_cb_list->prev = cb;
    select_cb_list = cb;
    SYS_ARCH_UNPROTECT(lev);
}

static void cb_unlink(struct lwip_select_cb *cb)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    if (cb->next != NULL)
        cb->next->prev = cb->prev;
    if (cb->prev != NULL)
        cb->prev->next = cb->next;
    else
        select_cb_list = cb->next;
    SYS_ARCH_UNPROTECT(lev);
}

/* Before a select or poll sleeps: a semaphore "select_sem" in cb (its
 * sets or pollfds filled in already), cb on select_cb_list so
 * event_callback can signal it, and counted empty for the waiting_add
 * calls that follow. 0, or -1 with errno ENOMEM. */
static int waiter_begin(struct lwip_select_cb *cb, u8_t counted[NUM_SOCKETS])
{
    if (sys_sem_new_named(&cb->sem, 0, "select_sem") != ERR_OK) {
        sock_set_errno(NULL, -1, ENOMEM);
        return -1;
    }
    memset(counted, 0, NUM_SOCKETS * sizeof counted[0]);
    cb_link(cb);
    return 0;
}

/* After it woke up (or timed out): undo waiter_begin and the counts. */
static void waiter_end(struct lwip_select_cb *cb, u8_t counted[NUM_SOCKETS])
{
    waiting_remove_all(counted);
    cb_unlink(cb);
    sys_sem_free(&cb->sem);
}

/* ---- select ---------------------------------------------------------------------- */

#if LWIP_SOCKET_SELECT

/* A select's three sets (read, write, except) are handled alike, by
 * index; a NULL set asks nothing. */
#define SELECT_SETS 3

static int fd_in(const fd_set *set, int s)
{
    return set != NULL && FD_ISSET(s, set);
}

static int fd_asked(fd_set *const in[SELECT_SETS], int s)
{
    for (int k = 0; k < SELECT_SETS; k++) {
        if (fd_in(in[k], s))
            return 1;
    }
    return 0;
}

/* Which of the descriptors below maxfdp1 asked about in the in-sets are
 * ready, into the out-sets; the count of bits set, or -1 if one of them
 * is not an open socket. */
static int lwip_selscan(int maxfdp1, fd_set *const in[SELECT_SETS], fd_set out[SELECT_SETS])
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_selscan, maxfdp1);
    for (int k = 0; k < SELECT_SETS; k++)
        FD_ZERO(&out[k]);
    int n = 0;
    for (int s = 0; s < maxfdp1; s++) {
        if (!fd_asked(in, s))
            continue;
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        struct lwip_sock *sock = tryget_socket(s);
        if (sock == NULL) {
            SYS_ARCH_UNPROTECT(lev);
            NG_TRACE0(LAYER_EXIT, NG_layer_lwip_selscan);
            return -1;
        }
        int ready[SELECT_SETS] = {
            sock_is_readable(sock),
            sock->sendevent != 0 || sock->errevent != 0,    /* an error: send fails at once */
            sock->errevent != 0,
        };
        SYS_ARCH_UNPROTECT(lev);
        for (int k = 0; k < SELECT_SETS; k++) {
            if (ready[k] && fd_in(in[k], s)) {
                FD_SET(s, &out[k]);
                n++;
            }
        }
    }
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_selscan);
    return n;
}

/* ms to wait for a timeval (do_select checked it: tv_sec >= 0, tv_usec
 * below 1000000): at least 1 (0 would mean forever), capped at 0x7fffffff.
 * Up to 2147483 s the sum fits in 32 bits; beyond, it is over the cap. */
static u32_t timeval_wait_ms(const struct timeval *tv)
{
    if (tv->tv_sec > 0x7fffffff / 1000)
        return 0x7fffffffu;
    u32_t ms = (u32_t)tv->tv_sec * 1000u + ((u32_t)tv->tv_usec + 999u) / 1000u;
    if (ms == 0)
        ms = 1;
    return ms > 0x7fffffffu ? 0x7fffffffu : ms;
}

static int do_select(int maxfdp1, fd_set *readset, fd_set *writeset, fd_set *exceptset,
                     struct timeval *timeout)
{
    if (maxfdp1 < 0 || maxfdp1 > LWIP_SELECT_MAXNFDS ||
        (timeout != NULL && (timeout->tv_sec < 0 || timeout->tv_usec < 0 ||
                             timeout->tv_usec >= 1000000))) {
        sock_set_errno(NULL, -1, EINVAL);
        return -1;
    }
    fd_set *const in[SELECT_SETS] = { readset, writeset, exceptset };
    fd_set found[SELECT_SETS];
    int n = lwip_selscan(maxfdp1, in, found);
    int poll_only = timeout != NULL && timeout->tv_sec == 0 && timeout->tv_usec == 0;
    if (n == 0 && !poll_only) {
        struct lwip_select_cb cb;
        memset(&cb, 0, sizeof cb);
        cb.readset = readset;
        cb.writeset = writeset;
        cb.exceptset = exceptset;
        u8_t counted[NUM_SOCKETS];
        if (waiter_begin(&cb, counted) != 0)
            return -1;
        for (int s = 0; s < maxfdp1; s++)
            if (fd_asked(in, s))
                waiting_add(counted, s);
        /* An event between the first scan and now would be lost: look again. */
        n = lwip_selscan(maxfdp1, in, found);
        if (n == 0) {
            sys_arch_sem_wait(&cb.sem, timeout ? timeval_wait_ms(timeout) : 0);
            n = lwip_selscan(maxfdp1, in, found);
        }
        waiter_end(&cb, counted);
    }
    if (n < 0) {
        sock_set_errno(NULL, -1, EBADF);
        return -1;
    }
    /* The sets say what is ready (all clear on a timeout). */
    for (int k = 0; k < SELECT_SETS; k++) {
        if (in[k] != NULL)
            *in[k] = found[k];
    }
    return n;
}

int lwip_select(int maxfdp1, fd_set *readset, fd_set *writeset, fd_set *exceptset,
                struct timeval *timeout)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_select, maxfdp1);
    int r = do_select(maxfdp1, readset, writeset, exceptset, timeout);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_select);
    return r;
}
#endif

/* ---- poll ------------------------------------------------------------------------ */

#if LWIP_SOCKET_POLL
/* revents for every entry; the count of entries with any. A negative fd
 * is skipped (POSIX), one that is not an open socket is POLLNVAL. */
static int lwip_pollscan(struct pollfd *fds, nfds_t nfds)
{
    int n = 0;
    for (nfds_t i = 0; i < nfds; i++) {
        struct pollfd *p = &fds[i];
        p->revents = 0;
        if (p->fd < 0)
            continue;
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        struct lwip_sock *sock = tryget_socket(p->fd);
        if (sock == NULL) {
            p->revents = POLLNVAL;
        } else {
            if (sock_is_readable(sock))
                p->revents |= (short)(p->events & (POLLIN | POLLRDNORM));
            if (sock->sendevent)
                p->revents |= (short)(p->events & (POLLOUT | POLLWRNORM));
            if (sock->errevent)
                p->revents |= POLLERR;      /* reported whether asked or not */
        }
        SYS_ARCH_UNPROTECT(lev);
        if (p->revents)
            n++;
    }
    return n;
}

static int do_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    if (nfds > POLL_NFDS_MAX) {
        sock_set_errno(NULL, -1, EINVAL);
        return -1;
    }
    if (fds == NULL && nfds > 0) {
        sock_set_errno(NULL, -1, EFAULT);
        return -1;
    }
    int n = lwip_pollscan(fds, nfds);
    if (n > 0 || timeout == 0)
        return n;
    struct lwip_select_cb cb;
    memset(&cb, 0, sizeof cb);
    cb.poll_fds = fds;
    cb.poll_nfds = nfds;
    u8_t counted[NUM_SOCKETS];
    if (waiter_begin(&cb, counted) != 0)
        return -1;
    for (nfds_t i = 0; i < nfds; i++)
        if (fds[i].fd >= 0)
            waiting_add(counted, fds[i].fd);
    n = lwip_pollscan(fds, nfds);
    if (n == 0) {
        sys_arch_sem_wait(&cb.sem, timeout < 0 ? 0 : (u32_t)timeout);
        n = lwip_pollscan(fds, nfds);
    }
    waiter_end(&cb, counted);
    return n;
}

int lwip_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    NG_TRACE1(LAYER_ENTER, NG_layer_lwip_poll, nfds);
    int r = do_poll(fds, nfds, timeout);
    NG_TRACE0(LAYER_EXIT, NG_layer_lwip_poll);
    return r;
}
#endif

#endif /* LWIP_SOCKET */
