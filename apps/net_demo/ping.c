/*
 * apps/net_demo/ping.c - a ping client (ICMP echo, RFC 792) on lwIP's raw
 * API: a raw PCB for protocol 1 sees every ICMP datagram that reaches us
 * before the stack's own ICMP code does; its recv callback eats the echo
 * replies that carry our identifier and leaves everything else (the echo
 * requests the stack answers itself, other replies) alone.
 *
 * Raw-API calls must run in tcpip_thread, so ping_run (in the client
 * thread) makes the PCB, sends each request and removes the PCB through
 * tcpip_callback; the recv callback runs there anyway. A reply wakes the
 * waiting thread through a semaphore; the request's send time and the
 * sequence number it waits for are shared under SYS_ARCH_PROTECT.
 */
#include <stdio.h>
#include <string.h>

#include "net_demo.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"

#define PING_ID 0x4e44          /* "ND": the identifier of our requests */
#define PING_DATA 32            /* data bytes per request */
#define PING_TIMEOUT_MS 1000
#define PING_INTERVAL_MS 200

static struct raw_pcb *ping_pcb;
static sys_sem_t ping_sem;      /* a reply arrived */
static sys_sem_t ping_op;       /* ping_open or ping_close is done */
static ip_addr_t ping_target;
static struct {
    u16_t seq;                  /* of the request waited for */
    u32_t sent_at;              /* sys_now() */
    u16_t replied;              /* the sequence number of the last good reply */
    u32_t rtt;
    u32_t stray;                /* ICMP echo replies eaten that were not the one waited for */
    err_t send_err;
} ping;

/* In tcpip_thread: p->payload is the IP header (raw.h). */
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    LWIP_UNUSED_ARG(arg);
    LWIP_UNUSED_ARG(pcb);
    u8_t ihl = (u8_t)((((const u8_t *)p->payload)[0] & 0x0f) * 4);
    struct icmp_echo_hdr h;
    if (pbuf_copy_partial(p, &h, sizeof h, ihl) != sizeof h || h.type != ICMP_ER ||
        lwip_ntohs(h.id) != PING_ID)
        return 0;               /* not ours: the stack sees it */
    int good = ip_addr_eq(addr, &ping_target) &&
               p->tot_len == ihl + sizeof h + PING_DATA;
    for (u16_t i = 0; good && i < PING_DATA; i++)
        good = pbuf_get_at(p, (u16_t)(ihl + sizeof h + i)) == (u8_t)('a' + i % 26);
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    int wanted = good && lwip_ntohs(h.seqno) == ping.seq;
    if (wanted) {
        ping.replied = ping.seq;
        ping.rtt = sys_now() - ping.sent_at;
    } else {
        ping.stray++;
    }
    SYS_ARCH_UNPROTECT(lev);
    pbuf_free(p);               /* eaten: ours to free */
    if (wanted)
        sys_sem_signal(&ping_sem);
    return 1;
}

static void ping_open(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    ping_pcb = raw_new(IP_PROTO_ICMP);
    if (ping_pcb != NULL)
        raw_recv(ping_pcb, ping_recv, NULL);
    sys_sem_signal(&ping_op);
}

static void ping_close(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    raw_remove(ping_pcb);
    ping_pcb = NULL;
    sys_sem_signal(&ping_op);
}

/* Echo request number seq (RFC 792: type 8, code 0, identifier, sequence
 * number, data, the checksum over the ICMP message); raw_sendto adds IP. */
static void ping_send(void *arg)
{
    u16_t seq = (u16_t)(uintptr_t)arg;
    struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + PING_DATA, PBUF_RAM);
    if (p == NULL) {
        ping.send_err = ERR_MEM;
        return;
    }
    struct icmp_echo_hdr *h = p->payload;
    h->type = ICMP_ECHO;
    h->code = 0;
    h->chksum = 0;
    h->id = lwip_htons(PING_ID);
    h->seqno = lwip_htons(seq);
    u8_t *data = (u8_t *)(h + 1);
    for (u16_t i = 0; i < PING_DATA; i++)
        data[i] = (u8_t)('a' + i % 26);
    h->chksum = inet_chksum(h, p->len);
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    ping.seq = seq;
    ping.sent_at = sys_now();
    SYS_ARCH_UNPROTECT(lev);
    ping.send_err = raw_sendto(ping_pcb, p, &ping_target);
    pbuf_free(p);               /* the send functions never free p */
}

int ping_run(const ip_addr_t *target, u32_t count)
{
    char a[IP4ADDR_STRLEN_MAX];
    ipaddr_ntoa_r(target, a, sizeof a);
    ip_addr_copy(ping_target, *target);
    if (sys_sem_new_named(&ping_sem, 0, "ping_reply") != ERR_OK ||
        sys_sem_new_named(&ping_op, 0, "ping_op") != ERR_OK)
        return 0;
    tcpip_callback(ping_open, NULL);
    sys_arch_sem_wait(&ping_op, 0);
    if (ping_pcb == NULL) {
        printf("net_demo: ping: no raw PCB\n");
        sys_sem_free(&ping_sem);
        sys_sem_free(&ping_op);
        return 0;
    }
    printf("net_demo: ping %s: %u data bytes\n", a, PING_DATA);
    int replies = 0;
    for (u32_t i = 1; i <= count; i++) {
        u16_t seq = (u16_t)i;
        if (tcpip_callback(ping_send, (void *)(uintptr_t)seq) != ERR_OK)
            continue;
        u32_t start = sys_now(), got = 0;
        while (!got) {
            u32_t spent = sys_now() - start;
            if (spent >= PING_TIMEOUT_MS ||
                sys_arch_sem_wait(&ping_sem, PING_TIMEOUT_MS - spent) == SYS_ARCH_TIMEOUT)
                break;
            SYS_ARCH_DECL_PROTECT(lev);
            SYS_ARCH_PROTECT(lev);
            got = ping.replied == seq;
            u32_t rtt = ping.rtt;
            SYS_ARCH_UNPROTECT(lev);
            if (got)
                printf("net_demo: ping: reply from %s: seq=%u time=%lu ms\n", a, seq,
                       (unsigned long)rtt);
        }
        if (got)
            replies++;
        else if (ping.send_err != ERR_OK)
            printf("net_demo: ping: seq=%u not sent: %s\n", seq, lwip_strerr(ping.send_err));
        else
            printf("net_demo: ping: no reply from %s: seq=%u (within %u ms)\n", a, seq,
                   PING_TIMEOUT_MS);
        if (i < count)
            sys_msleep(PING_INTERVAL_MS);
    }
    printf("net_demo: ping %s: %lu sent, %d replies, %lu stray\n", a, (unsigned long)count,
           replies, (unsigned long)ping.stray);
    tcpip_callback(ping_close, NULL);
    sys_arch_sem_wait(&ping_op, 0);
    sys_sem_free(&ping_sem);        /* no reply can signal it now: the PCB is gone */
    sys_sem_free(&ping_op);
    return replies;
}
