/*
 * apps/dhcp_demo/main.c - the board configures itself: DHCP (RFC 2131)
 * for its address, then DNS (RFC 1035) for names, the way an lwIP 2.x
 * application does it.
 *
 * tcpip_init's done callback adds the Stellaris interface with no address
 * (0.0.0.0) and brings it up; then main asks tcpip_thread to run
 * dhcp_start (tcpip_callback: the client's code runs only there) and waits
 * for the netif status callback to report that dhcp_supplied_address is
 * true (or for the timeout= to run out). It prints the lease:
 *   dhcp_demo: bound A mask M gw G dns D1 [D2] (lease L s, T ms after dhcp_start)
 * or "dhcp_demo: no lease after N s".
 *
 * Then it resolves each name of resolve= in turn with lwip_getaddrinfo
 * (lwip/netdb.h), which crosses to tcpip_thread through
 * netconn_gethostbyname -> do_gethostbyname -> dns_gethostbyname and waits
 * for the answer, and prints
 *   dhcp_demo: NAME -> A.B.C.D in T ms        or
 *   dhcp_demo: NAME -> error E in T ms
 * The first name is looked up a second time, which the cache answers
 * (the line says how dns_stats.cache_hits moved).
 *
 * With echo=PORT a thread echoes UDP datagrams on that port (RFC 862),
 * from the leased address, with the socket API; with limit=SECONDS the
 * board stays up that long after start (serving the echo, renewing its
 * lease at T1) before the report; a later change of the address (the lease
 * ended, a new one) prints "dhcp_demo: address now A (dhcp STATE)". The
 * report: the DHCP client's state and counters, dns_stats, every drop
 * counter that is not zero ("dhcp_demo: drop NAME N"), and whether every
 * pool and the heap are back to their levels once the lease was there and
 * the echo socket open.
 *
 * Arguments (each one more arg= of -semihosting-config; a comma inside a
 * value is written ",," there):
 *   timeout=SECONDS   how long to wait for the lease (30)
 *   resolve=N1,N2,... names to resolve once bound (none)
 *   hostname=NAME     netif->hostname, sent in DHCP option 12 ("netglass")
 *   echo=PORT         also serve a UDP echo on PORT
 *   limit=SECONDS     stay up until this long after start (0: report at once)
 * Any other argument stops the run with status 127. Exit status: 0; 1 if a
 * pool or the heap did not come back; 2 if no lease came.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "ethernetif.h"
#include "netdemo.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/inet.h"
#include "lwip/netdb.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#define APP "dhcp_demo"
#define NAMES_MAX 8
#define NAMES_TEXT_MAX 256
#define ECHO_BUF 512

static struct netif en;
static sys_sem_t ready_sem, lease_sem, report_sem, echo_sem;
static const char *hostname = "netglass";
static u32_t t_dhcp_start;

/* What the status callback saw when the lease came (in tcpip_thread). */
static struct {
    u8_t bound;
    ip4_addr_t ip, mask, gw;
    ip_addr_t dns[DNS_MAX_SERVERS];
    u32_t lease_secs;
    u32_t ms;                   /* after dhcp_start */
} lease;

static struct netdemo_levels levels;

/* ---- in tcpip_thread ------------------------------------------------------------ */

static const char *const dhcp_state_names[] = {
    "OFF", "REQUESTING", "INIT", "REBOOTING", "REBINDING", "RENEWING", "SELECTING",
    "INFORMING", "CHECKING", "PERMANENT", "BOUND", "RELEASING", "BACKING_OFF"
};

static const char *dhcp_state_name(const struct netif *netif)
{
    const struct dhcp *d = netif_dhcp_data(netif);
    if (d == NULL)
        return "none";
    return d->state < LWIP_ARRAYSIZE(dhcp_state_names) ? dhcp_state_names[d->state] : "?";
}

/* netif_set_addr calls this on every change of the address; the first one
 * that comes with a lease wakes main, later ones (a lease that ended, a
 * new one) are printed. */
static void status_changed(struct netif *netif)
{
    if (lease.bound) {
        char a[IP4ADDR_STRLEN_MAX];
        printf(APP ": address now %s (dhcp %s)\n",
               ip4addr_ntoa_r(netif_ip4_addr(netif), a, sizeof a), dhcp_state_name(netif));
        return;
    }
    if (!dhcp_supplied_address(netif))
        return;
    lease.bound = 1;
    lease.ms = sys_now() - t_dhcp_start;
    ip4_addr_copy(lease.ip, *netif_ip4_addr(netif));
    ip4_addr_copy(lease.mask, *netif_ip4_netmask(netif));
    ip4_addr_copy(lease.gw, *netif_ip4_gw(netif));
    for (u8_t i = 0; i < DNS_MAX_SERVERS; i++)
        ip_addr_copy(lease.dns[i], *dns_getserver(i));
    lease.lease_secs = netif_dhcp_data(netif)->offered_t0_lease;
    sys_sem_signal(&lease_sem);
}

static void stack_ready(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    netif_add(&en, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, ethernetif_init,
              tcpip_input);
    netif_set_hostname(&en, hostname);
    netif_set_status_callback(&en, status_changed);
    netif_set_default(&en);
    netif_set_up(&en);
    sys_sem_signal(&ready_sem);
}

static err_t dhcp_start_err;

/* Sent with tcpip_callback: the DHCP client runs in tcpip_thread. */
static void start_dhcp(void *arg)
{
    struct netif *netif = arg;
    t_dhcp_start = sys_now();
    dhcp_start_err = dhcp_start(netif);
    sys_sem_signal(&report_sem);
}

static void take_levels(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    netdemo_levels_take(&levels);
    if (!LWIP_TCPIP_CORE_LOCKING)
        sys_sem_signal(&report_sem);    /* under the core lock the caller does not wait */
}

/* The counters, read where they are written. */
static void report(void *arg)
{
    int *leaks = arg;
    const struct dhcp *d = netif_dhcp_data(&en);
    if (d != NULL) {
        printf(APP ": dhcp: state %s, discovers %u, requests %u, acks %u, naks %u, bad %u\n",
               dhcp_state_name(&en), d->discovers, d->requests, d->acks, d->naks, d->bad);
    }
    printf(APP ": dns: queries %lu, answers %lu, retries %lu, failures %lu, cache hits %lu, "
           "dropped %lu\n",
           (unsigned long)dns_stats.queries, (unsigned long)dns_stats.answers,
           (unsigned long)dns_stats.retries, (unsigned long)dns_stats.failures,
           (unsigned long)dns_stats.cache_hits, (unsigned long)dns_stats.dropped);
    for (unsigned i = 0; i < NG_DROP_REASONS; i++) {
        if (ng_drop_count[i])
            printf(APP ": drop %s %lu\n", ng_drop_name[i] ? ng_drop_name[i] : "?",
                   (unsigned long)ng_drop_count[i]);
    }
    netdemo_print_netif(APP, &en);
    *leaks = lease.bound ? netdemo_levels_check(APP, &levels) : 0;
    if (!LWIP_TCPIP_CORE_LOCKING)
        sys_sem_signal(&report_sem);
}

/* ---- the echo thread -------------------------------------------------------------- */

static u16_t echo_port;

/* RFC 862 over UDP: each datagram goes back to its sender. */
static void echo_thread(void *arg)
{
    LWIP_UNUSED_ARG(arg);
    int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_len = sizeof sa;
    sa.sin_family = AF_INET;
    sa.sin_port = lwip_htons(echo_port);
    sa.sin_addr.s_addr = PP_HTONL(INADDR_ANY);
    if (s < 0 || lwip_bind(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        printf(APP ": echo: no socket on udp port %u (errno %d)\n", echo_port, errno);
        sys_sem_signal(&echo_sem);
        return;
    }
    printf(APP ": echo: udp port %u\n", echo_port);
    sys_sem_signal(&echo_sem);
    static char buf[ECHO_BUF];
    for (;;) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = lwip_recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0)
            continue;
        lwip_sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
    }
}

/* ---- in main --------------------------------------------------------------------- */

static const char *arg_text(int argc, char **argv, const char *key)
{
    size_t klen = strlen(key);
    const char *v = NULL;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], key, klen) == 0 && argv[i][klen] == '=')
            v = argv[i] + klen + 1;
    }
    return v;
}

/* resolve=a,b,c into names[] (pointers into text); returns how many. */
static int split_names(const char *arg, char *text, size_t size, char *names[])
{
    if (arg == NULL)
        return 0;
    if (strlen(arg) >= size) {
        printf(APP ": resolve= is longer than %u characters\n", (unsigned)size - 1);
        ng_exit(NG_EXIT_BAD_ARGS);
    }
    strcpy(text, arg);
    int n = 0;
    for (char *p = text; *p != '\0';) {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        if (*p == '\0' || n == NAMES_MAX) {
            printf(APP ": bad resolve=%s (at most %d names, none empty)\n", arg, NAMES_MAX);
            ng_exit(NG_EXIT_BAD_ARGS);
        }
        names[n++] = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return n;
}

static void print_dns(const ip_addr_t *a)
{
    char t[IP4ADDR_STRLEN_MAX];
    printf(" %s", ipaddr_ntoa_r(a, t, sizeof t));
}

static void resolve(const char *name, const char *note)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    u32_t hits = dns_stats.cache_hits;
    u32_t t0 = sys_now();
    int err = lwip_getaddrinfo(name, NULL, &hints, &res);
    u32_t ms = sys_now() - t0;
    if (err != 0) {
        printf(APP ": %s -> error %d in %lu ms%s\n", name, err, (unsigned long)ms, note);
        return;
    }
    const struct sockaddr_in *sa = (const struct sockaddr_in *)(void *)res->ai_addr;
    char t[INET_ADDRSTRLEN];
    printf(APP ": %s -> %s in %lu ms%s", name,
           lwip_inet_ntop(AF_INET, &sa->sin_addr, t, sizeof t), (unsigned long)ms, note);
    if (*note)
        printf(", cache hits %lu -> %lu", (unsigned long)hits, (unsigned long)dns_stats.cache_hits);
    printf("\n");
    lwip_freeaddrinfo(res);
}

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "timeout", "resolve", "hostname", "echo", "limit", NULL };
    static char names_text[NAMES_TEXT_MAX];
    char *names[NAMES_MAX];
    ng_args_check(argc, argv, keys);
    u32_t timeout = ng_arg_seconds(argc, argv, "timeout", 30);
    u32_t limit = ng_arg_seconds(argc, argv, "limit", 0);
    u32_t port = ng_arg_u32(argc, argv, "echo", 0);
    if (port > 0xffff) {
        printf(APP ": bad echo=%lu (a UDP port)\n", (unsigned long)port);
        ng_exit(NG_EXIT_BAD_ARGS);
    }
    echo_port = (u16_t)port;
    if (arg_text(argc, argv, "hostname") != NULL)
        hostname = arg_text(argc, argv, "hostname");
    int nnames = split_names(arg_text(argc, argv, "resolve"), names_text, sizeof names_text, names);
    u32_t start = sys_now();

    if (sys_sem_new_named(&ready_sem, 0, "demo_ready") != ERR_OK ||
        sys_sem_new_named(&lease_sem, 0, "lease") != ERR_OK ||
        sys_sem_new_named(&report_sem, 0, "demo_report") != ERR_OK ||
        sys_sem_new_named(&echo_sem, 0, "echo_ready") != ERR_OK)
        return 1;
    tcpip_init(stack_ready, NULL);
    sys_arch_sem_wait(&ready_sem, 0);
    printf(APP ": %c%c%u up, hwaddr %02x:%02x:%02x:%02x:%02x:%02x, hostname %s, "
           "no address: starting DHCP\n", en.name[0], en.name[1], en.num, en.hwaddr[0],
           en.hwaddr[1], en.hwaddr[2], en.hwaddr[3], en.hwaddr[4], en.hwaddr[5], hostname);
    if (tcpip_callback(start_dhcp, &en) != ERR_OK)
        return 1;
    sys_arch_sem_wait(&report_sem, 0);
    if (dhcp_start_err != ERR_OK) {
        printf(APP ": dhcp_start: %s\n", lwip_strerr(dhcp_start_err));
        return 1;
    }

    if (sys_arch_sem_wait(&lease_sem, timeout * 1000u) == SYS_ARCH_TIMEOUT) {
        printf(APP ": no lease after %lu s\n", (unsigned long)timeout);
    } else {
        char a[IP4ADDR_STRLEN_MAX], m[IP4ADDR_STRLEN_MAX], g[IP4ADDR_STRLEN_MAX];
        printf(APP ": bound %s mask %s gw %s", ip4addr_ntoa_r(&lease.ip, a, sizeof a),
               ip4addr_ntoa_r(&lease.mask, m, sizeof m), ip4addr_ntoa_r(&lease.gw, g, sizeof g));
        printf(" dns");
        for (int i = 0; i < DNS_MAX_SERVERS; i++) {
            if (!ip_addr_isany_val(lease.dns[i]))
                print_dns(&lease.dns[i]);
        }
        printf(" (lease %lu s, %lu ms after dhcp_start)\n", (unsigned long)lease.lease_secs,
               (unsigned long)lease.ms);
    }

    if (lease.bound) {
        if (echo_port != 0) {
            sys_thread_new("echo", echo_thread, NULL, 0, 0);
            sys_arch_sem_wait(&echo_sem, 0);
        }
        tcpip_send_msg_wait_sem(take_levels, NULL, &report_sem);
        for (int i = 0; i < nnames; i++)
            resolve(names[i], "");
        if (nnames > 0)
            resolve(names[0], " (second lookup)");
    }

    u32_t spent = sys_now() - start;
    if (limit > 0 && spent < limit * 1000u) {
        sys_msleep(limit * 1000u - spent);
        printf(APP ": time limit of %lu s reached\n", (unsigned long)limit);
    }
    int leaks;
    tcpip_send_msg_wait_sem(report, &leaks, &report_sem);
    printf(APP ": done\n");
    if (!lease.bound)
        return 2;
    return leaks ? 1 : 0;
}
