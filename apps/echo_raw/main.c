/*
 * apps/echo_raw/main.c - the echo service (RFC 862) written against
 * lwIP's raw API only: every datagram that reaches UDP port 7 goes back
 * to its sender unchanged.
 *
 * The TCP echo on port 7 is not here yet: it arrives with TCP (issue 4),
 * beside this UDP one, in this same app.
 *
 * Start-up is the one of apps/ping_demo: tcpip_init starts tcpip_thread,
 * whose done callback adds the Stellaris Ethernet interface with a static
 * address, brings it up, and makes the UDP PCB. The recv callback runs in
 * tcpip_thread, as every raw-API callback does, so it may call udp_sendto
 * directly; it owns the pbuf and frees it once sent. The stack answers
 * ARP (RFC 826) and ping (RFC 792) by itself.
 *
 * At its time limit the app prints what it echoed, the stack's statistics
 * (stats_display), and whether every pool and the heap are back to their
 * levels after start-up: a leak shows there, and in the exit status.
 *
 * Arguments (each one more arg= of -semihosting-config):
 *   ip=A.B.C.D netmask=A.B.C.D gw=A.B.C.D  address (10.0.2.15/24, gateway 10.0.2.2)
 *   limit=SECONDS    stop after this long (0: serve until QEMU stops)
 * Any other argument stops the run with status 127. The exit status is 0,
 * or 1 if a pool or the heap did not come back to its start-up level.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "ethernetif.h"
#include "netdemo.h"
#include "lwip/ip4_addr.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#define ECHO_PORT 7             /* RFC 862 */

static struct netif en;
static ip4_addr_t arg_ip, arg_mask, arg_gw;
static sys_sem_t ready_sem, report_sem;
static struct udp_pcb *echo_pcb;
static err_t echo_setup_err;

/* Start-up levels of every pool and of the heap, taken in tcpip_thread. */
static struct netdemo_levels boot_levels;

/* Written and read only in tcpip_thread (the callback and report). */
static struct {
    u32_t datagrams, bytes;     /* received on port 7 */
    u32_t echoed, echoed_bytes; /* sent back (udp_sendto said ERR_OK) */
    u32_t send_errors;
    err_t last_err;
} echo;

/* ---- in tcpip_thread -------------------------------------------------------- */

/* RFC 862 (UDP based echo service): send the data back to where it came
 * from. p's payload is the data; udp_sendto puts the headers in front of
 * it again, in the space the received ones left. */
static void echo_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                      u16_t port)
{
    (void)arg;
    ip_addr_t peer;
    ip_addr_copy(peer, *addr);  /* addr points into the stack's current-packet state */
    u16_t len = p->tot_len;
    echo.datagrams++;
    echo.bytes += len;
    err_t err = udp_sendto(pcb, p, &peer, port);
    if (err == ERR_OK) {
        echo.echoed++;
        echo.echoed_bytes += len;
    } else {
        echo.send_errors++;
        echo.last_err = err;
    }
    pbuf_free(p);               /* the send functions never free p */
}

/* tcpip_init's done callback: the interface, the PCB, then the levels. */
static void stack_ready(void *arg)
{
    (void)arg;
    netif_add(&en, &arg_ip, &arg_mask, &arg_gw, NULL, ethernetif_init, tcpip_input);
    netif_set_default(&en);
    netif_set_up(&en);
    echo_pcb = udp_new();
    if (echo_pcb == NULL) {
        echo_setup_err = ERR_MEM;
    } else {
        echo_setup_err = udp_bind(echo_pcb, IP_ADDR_ANY, ECHO_PORT);
        if (echo_setup_err == ERR_OK)
            udp_recv(echo_pcb, echo_recv, NULL);
    }
    netdemo_levels_take(&boot_levels);
    sys_sem_signal(&ready_sem);
}

/* Sent as an API message (tcpip_send_msg_wait_sem), so the figures are
 * taken in tcpip_thread while no datagram is being echoed. */
static void report(void *arg)
{
    int *leaks = arg;
    printf("echo_raw: udp port %u: %lu datagrams %lu bytes received, "
           "%lu datagrams %lu bytes echoed, %lu send errors\n",
           ECHO_PORT, (unsigned long)echo.datagrams, (unsigned long)echo.bytes,
           (unsigned long)echo.echoed, (unsigned long)echo.echoed_bytes,
           (unsigned long)echo.send_errors);
    if (echo.send_errors)
        printf("echo_raw: last send error: %s\n", lwip_strerr(echo.last_err));
    netdemo_print_netif("echo_raw", &en);
    stats_display();
    *leaks = netdemo_levels_check("echo_raw", &boot_levels);
    if (!LWIP_TCPIP_CORE_LOCKING)
        sys_sem_signal(&report_sem);    /* under the core lock the caller does not wait */
}

/* ---- in main ------------------------------------------------------------------- */

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "ip", "netmask", "gw", "limit", NULL };
    ng_args_check(argc, argv, keys);
    netdemo_parse_addr("echo_raw", argc, argv, "ip", "10.0.2.15", &arg_ip);
    netdemo_parse_addr("echo_raw", argc, argv, "netmask", "255.255.255.0", &arg_mask);
    netdemo_parse_addr("echo_raw", argc, argv, "gw", "10.0.2.2", &arg_gw);
    u32_t limit = ng_arg_seconds(argc, argv, "limit", 0);
    u32_t start = sys_now();

    if (sys_sem_new_named(&ready_sem, 0, "echo_ready") != ERR_OK ||
        sys_sem_new_named(&report_sem, 0, "echo_report") != ERR_OK)
        return 1;
    tcpip_init(stack_ready, NULL);
    sys_arch_sem_wait(&ready_sem, 0);
    if (echo_setup_err != ERR_OK) {
        printf("echo_raw: no UDP PCB on port %u: %s\n", ECHO_PORT, lwip_strerr(echo_setup_err));
        return 1;
    }
    char ip[IP4ADDR_STRLEN_MAX], mask[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX];
    printf("echo_raw: %c%c%u up, hwaddr %02x:%02x:%02x:%02x:%02x:%02x, ip %s mask %s gw %s\n",
           en.name[0], en.name[1], en.num, en.hwaddr[0], en.hwaddr[1], en.hwaddr[2],
           en.hwaddr[3], en.hwaddr[4], en.hwaddr[5], ip4addr_ntoa_r(&arg_ip, ip, sizeof ip),
           ip4addr_ntoa_r(&arg_mask, mask, sizeof mask), ip4addr_ntoa_r(&arg_gw, gw, sizeof gw));

    if (limit == 0) {
        printf("echo_raw: echoing on udp port %u until QEMU is stopped\n", ECHO_PORT);
        for (;;)
            sys_msleep(1000);
    }
    printf("echo_raw: echoing on udp port %u for %lu s\n", ECHO_PORT, (unsigned long)limit);
    u32_t spent = sys_now() - start;
    if (spent < limit * 1000u)
        sys_msleep(limit * 1000u - spent);
    printf("echo_raw: time limit of %lu s reached\n", (unsigned long)limit);
    int leaks;
    tcpip_send_msg_wait_sem(report, &leaks, &report_sem);
    printf("echo_raw: done%s\n", leaks ? " (with leaks)" : "");
    return leaks ? 1 : 0;   /* a leak fails the run, for scripts that only see the status */
}
