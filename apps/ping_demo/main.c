/*
 * apps/ping_demo/main.c - the board on the network: it answers ARP and
 * ping, pings its gateway, and reports what its stack did.
 *
 * Start-up is the lwIP 2.x one: tcpip_init starts tcpip_thread, whose
 * done callback adds the Stellaris Ethernet interface (ethernetif_init,
 * input tcpip_input) with a static address and brings it up. From then on
 * the stack answers ARP requests (RFC 826) and echo requests (RFC 792) by
 * itself, in tcpip_thread, on whatever QEMU connects the MAC to: slirp,
 * a scripted peer on a UDP socket, or a TAP device.
 *
 * Then the demo pings: it builds each ICMP echo request itself in a
 * tcpip_callback (so in tcpip_thread, where stack code must run) and sends
 * it with ip4_output; the replies come back through the echo-reply hook of
 * net/icmp.c (there are no raw PCBs yet), which checks every byte. Like
 * ping(8) it prints one line per reply and a summary. A ping that gets no
 * answer (slirp may not answer ICMP, depending on the host) is reported and
 * the demo goes on.
 *
 * Last it serves until its time limit and prints the interface's counters,
 * the stack's statistics (stats_display), each thread's stack use, and
 * whether every memory pool and the heap are back where they were after
 * start-up: a leak shows here.
 *
 * Arguments (each one more arg= of -semihosting-config):
 *   ip=A.B.C.D netmask=A.B.C.D gw=A.B.C.D  address (10.0.2.15/24, gateway 10.0.2.2;
 *                    "mask=" is the board's trace mask)
 *   target=A.B.C.D   whom to ping (the gateway)
 *   count=N          echo requests to send (3; 0: none)
 *   size=S           bytes of data in each (56; above 1472 they are fragmented)
 *   interval=MS      between requests (1000)
 *   timeout=MS       how long to wait for each reply (1000)
 *   limit=SECONDS    stop serving after this long (0: serve until QEMU stops)
 * Any other argument stops the run with status 127. The exit status is 0,
 * or 1 if a pool or the heap did not come back to its start-up level.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "ethernetif.h"
#include "netdemo.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "port.h"

#define PING_ID 0x4e47          /* "NG": the identifier of our echo requests */
#define PING_SIZE_MAX 8000      /* the heap must hold one request (lwip/opt.h MEM_SIZE) */

static struct netif en;
static ip4_addr_t arg_ip, arg_mask, arg_gw, arg_target;
static u32_t ping_size;
static sys_sem_t ready_sem, reply_sem, report_sem;

/* Boot levels of every pool and of the heap, taken once the interface is up. */
static struct netdemo_levels boot_levels;

/* The ping in flight. Written in tcpip_thread (send_echo, the hook) and
 * read by main after reply_sem; under protection since they are two. */
static struct {
    u16_t seq;                  /* of the request in flight */
    uint64_t sent_at;              /* cycles */
    u16_t replied_seq;          /* of the last good reply */
    uint64_t replied_at;
    err_t send_err;
    u32_t bad_replies;          /* wrong length or wrong bytes */
    u32_t stray_replies;        /* not ours, or for an earlier request */
} ping;

static u8_t ping_byte(u32_t i, u16_t seq)
{
    return (u8_t)(i + seq);
}

/* ---- in tcpip_thread -------------------------------------------------------- */

/* The echo-reply hook (net/icmp.c): p's payload is the ICMP header. Checks
 * identifier, sequence number, length and every data byte. */
static void on_echo_reply(struct pbuf *p, const ip4_addr_t *from)
{
    struct icmp_echo_hdr h;
    uint64_t now = ng_arch_cycles64();
    if (pbuf_copy_partial(p, &h, sizeof h, 0) != sizeof h || lwip_ntohs(h.id) != PING_ID ||
        !ip4_addr_eq(from, &arg_target) || lwip_ntohs(h.seqno) != ping.seq) {
        ping.stray_replies++;
        return;
    }
    u16_t seq = lwip_ntohs(h.seqno);
    int good = p->tot_len == sizeof h + ping_size;
    for (u32_t i = 0; good && i < ping_size; i++)
        good = pbuf_get_at(p, (u16_t)(sizeof h + i)) == ping_byte(i, seq);
    if (!good) {
        ping.bad_replies++;
        return;
    }
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    ping.replied_seq = seq;
    ping.replied_at = now;
    SYS_ARCH_UNPROTECT(lev);
    sys_sem_signal(&reply_sem);
}

/* Build echo request number seq (RFC 792: type 8, code 0, identifier,
 * sequence number, data; the checksum over the ICMP message) and send it. */
static void send_echo(void *arg)
{
    u16_t seq = (u16_t)(uintptr_t)arg;
    u16_t len = (u16_t)(sizeof(struct icmp_echo_hdr) + ping_size);
    struct pbuf *p = pbuf_alloc(PBUF_IP, len, PBUF_RAM);
    if (p == NULL) {
        ping.send_err = ERR_MEM;
        return;
    }
    struct icmp_echo_hdr *h = p->payload;    /* PBUF_RAM: one piece */
    h->type = ICMP_ECHO;
    h->code = 0;
    h->chksum = 0;
    h->id = lwip_htons(PING_ID);
    h->seqno = lwip_htons(seq);
    u8_t *data = (u8_t *)(h + 1);
    for (u32_t i = 0; i < ping_size; i++)
        data[i] = ping_byte(i, seq);
    h->chksum = inet_chksum(h, len);
    ping.seq = seq;
    ping.sent_at = ng_arch_cycles64();
    ping.send_err = ip4_output(p, NULL, &arg_target, ICMP_TTL, 0, IP_PROTO_ICMP);
    pbuf_free(p);
}

/* tcpip_init's done callback: the interface, then the boot levels. */
static void stack_ready(void *arg)
{
    (void)arg;
    netif_add(&en, &arg_ip, &arg_mask, &arg_gw, NULL, ethernetif_init, tcpip_input);
    netif_set_default(&en);
    netif_set_up(&en);
    ng_icmp_echo_reply_hook = on_echo_reply;
    netdemo_levels_take(&boot_levels);
    sys_sem_signal(&ready_sem);
}

/* Sent as an API message (tcpip_send_msg_wait_sem: the message is on the
 * caller's stack, no pool is touched), so the figures are taken inside
 * tcpip_thread, or under the core lock, while nothing else runs. */
static void report(void *arg)
{
    int *leaks = arg;
    netdemo_print_netif("ping_demo", &en);
    stats_display();
    for (struct ng_thread *t = ng_all_threads; t != NULL; t = t->all_next)
        printf("ping_demo: thread %-12s stack %5lu bytes, %5lu used\n", t->name,
               (unsigned long)t->stack_size, (unsigned long)ng_thread_stack_used(t));
    *leaks = netdemo_levels_check("ping_demo", &boot_levels);
    if (!LWIP_TCPIP_CORE_LOCKING)
        sys_sem_signal(&report_sem);    /* under the core lock the caller does not wait */
}

/* ---- in main ------------------------------------------------------------------- */

static u32_t cycles_to_us(uint64_t c)
{
    return (u32_t)(c * 1000000u / NG_CPU_HZ);
}

/* Wait for the reply to seq until the timeout; stale signals (a reply to
 * an earlier request that came after its time was up) are skipped. */
static int wait_reply(u16_t seq, u32_t timeout_ms, u32_t *rtt_us)
{
    u32_t start = sys_now();
    for (;;) {
        u32_t spent = sys_now() - start;
        if (spent >= timeout_ms || sys_arch_sem_wait(&reply_sem, timeout_ms - spent) ==
                                       SYS_ARCH_TIMEOUT)
            return 0;
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        int ours = ping.replied_seq == seq;
        uint64_t rtt = ping.replied_at - ping.sent_at;
        SYS_ARCH_UNPROTECT(lev);
        if (ours) {
            *rtt_us = cycles_to_us(rtt);
            return 1;
        }
    }
}

static void ping_target(u32_t count, u32_t interval_ms, u32_t timeout_ms)
{
    char target[IP4ADDR_STRLEN_MAX];
    ip4addr_ntoa_r(&arg_target, target, sizeof target);
    printf("PING %s: %lu data bytes\n", target, (unsigned long)ping_size);
    u32_t received = 0, min = 0xffffffffu, max = 0;
    uint64_t sum = 0;
    for (u32_t i = 1; i <= count; i++) {
        u16_t seq = (u16_t)i;
        u32_t rtt;
        if (tcpip_callback(send_echo, (void *)(uintptr_t)seq) != ERR_OK) {
            printf("ping_demo: no message for tcpip_thread (seq=%u)\n", seq);
            continue;
        }
        if (wait_reply(seq, timeout_ms, &rtt)) {
            received++;
            sum += rtt;
            min = rtt < min ? rtt : min;
            max = rtt > max ? rtt : max;
            printf("reply from %s: seq=%u time=%lu.%03lu ms\n", target, seq,
                   (unsigned long)(rtt / 1000), (unsigned long)(rtt % 1000));
        } else if (ping.send_err != ERR_OK) {
            printf("ping_demo: seq=%u not sent: %s\n", seq, lwip_strerr(ping.send_err));
        } else {
            printf("no reply from %s: seq=%u (within %lu ms)\n", target, seq,
                   (unsigned long)timeout_ms);
        }
        if (i < count)
            sys_msleep(interval_ms);
    }
    printf("--- %s ping statistics ---\n", target);
    printf("%lu packets transmitted, %lu received, %lu%% packet loss\n", (unsigned long)count,
           (unsigned long)received,
           (unsigned long)(count ? (count - received) * 100u / count : 0));
    if (received) {
        u32_t avg = (u32_t)(sum / received);
        printf("rtt min/avg/max = %lu.%03lu/%lu.%03lu/%lu.%03lu ms\n",
               (unsigned long)(min / 1000), (unsigned long)(min % 1000),
               (unsigned long)(avg / 1000), (unsigned long)(avg % 1000),
               (unsigned long)(max / 1000), (unsigned long)(max % 1000));
    }
    if (ping.bad_replies || ping.stray_replies)
        printf("ping_demo: %lu bad replies, %lu stray replies\n",
               (unsigned long)ping.bad_replies, (unsigned long)ping.stray_replies);
}

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "ip", "netmask", "gw", "target", "count", "size",
                                        "interval", "timeout", "limit", NULL };
    ng_args_check(argc, argv, keys);
    netdemo_parse_addr("ping_demo", argc, argv, "ip", "10.0.2.15", &arg_ip);
    netdemo_parse_addr("ping_demo", argc, argv, "netmask", "255.255.255.0", &arg_mask);
    netdemo_parse_addr("ping_demo", argc, argv, "gw", "10.0.2.2", &arg_gw);
    char gw_text[IP4ADDR_STRLEN_MAX];
    netdemo_parse_addr("ping_demo", argc, argv, "target", ip4addr_ntoa_r(&arg_gw, gw_text, sizeof gw_text),
               &arg_target);
    u32_t count = ng_arg_u32(argc, argv, "count", 3);
    ping_size = ng_arg_u32(argc, argv, "size", 56);
    u32_t interval = ng_arg_u32(argc, argv, "interval", 1000);
    u32_t timeout = ng_arg_u32(argc, argv, "timeout", 1000);
    u32_t limit = ng_arg_seconds(argc, argv, "limit", 0);
    if (ping_size > PING_SIZE_MAX) {
        printf("ping_demo: size=%lu is more than %u\n", (unsigned long)ping_size, PING_SIZE_MAX);
        return NG_EXIT_BAD_ARGS;
    }
    u32_t start = sys_now();

    if (sys_sem_new_named(&ready_sem, 0, "ping_ready") != ERR_OK ||
        sys_sem_new_named(&reply_sem, 0, "ping_reply") != ERR_OK ||
        sys_sem_new_named(&report_sem, 0, "ping_report") != ERR_OK)
        return 1;
    tcpip_init(stack_ready, NULL);
    sys_arch_sem_wait(&ready_sem, 0);
    char ip[IP4ADDR_STRLEN_MAX], mask[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX];
    printf("ping_demo: %c%c%u up, hwaddr %02x:%02x:%02x:%02x:%02x:%02x, ip %s mask %s gw %s\n",
           en.name[0], en.name[1], en.num, en.hwaddr[0], en.hwaddr[1], en.hwaddr[2],
           en.hwaddr[3], en.hwaddr[4], en.hwaddr[5], ip4addr_ntoa_r(&arg_ip, ip, sizeof ip),
           ip4addr_ntoa_r(&arg_mask, mask, sizeof mask), ip4addr_ntoa_r(&arg_gw, gw, sizeof gw));

    if (count)
        ping_target(count, interval, timeout);

    if (limit == 0) {
        printf("ping_demo: answering ARP and ping until QEMU is stopped\n");
        for (;;)
            sys_msleep(1000);
    }
    u32_t spent = sys_now() - start;
    if (spent < limit * 1000u) {
        printf("ping_demo: answering ARP and ping for %lu s\n", (unsigned long)limit);
        sys_msleep(limit * 1000u - spent);
    }
    printf("ping_demo: time limit of %lu s reached\n", (unsigned long)limit);
    int leaks;
    tcpip_send_msg_wait_sem(report, &leaks, &report_sem);
    printf("ping_demo: done%s\n", leaks ? " (with leaks)" : "");
    return leaks ? 1 : 0;   /* a leak fails the run, for scripts that only see the status */
}
