/*
 * tests/unit/test_tcp_fuzz.c - a deterministic (seeded) fuzz test of TCP
 * input on the host build, under ASan and UBSan.
 *
 * The peer (10.0.2.2) opens connections to a listener on port 80 from a
 * handful of ports, the app (10.0.2.15) also connects out to it, and then
 * thousands of segments arrive: mostly well-formed ones at the edges of
 * the connection's state (so that the connections get somewhere: data,
 * FINs, CLOSE_WAIT, FIN_WAIT, TIME_WAIT), and mutated ones - any flag
 * combination (SYN|FIN, SYN|RST, none), sequence and acknowledgment
 * numbers near and far from the window edges and across 2^32, data of
 * 0..1460 bytes, headers cut short, data offsets below 5 or past the
 * end, option bytes of every kind (lengths 0 and 1, past the end, MSS
 * with a wrong length), a wrong checksum now and then - interleaved with
 * virtual time and the app's calls (tcp_write, tcp_output, tcp_recved,
 * tcp_shutdown, tcp_close, tcp_abort, a recv callback that holds,
 * refuses or aborts). The app keeps only PCBs it owns: the err callback
 * says when one is gone, tcp_close hands it to the stack.
 *
 * After every step the stack's PCBs are checked against the contract of
 * lwip/priv/tcp_priv.h (snd_queuelen is the pbuf count of unsent +
 * unacked, snd_buf + the bytes queued is TCP_SND_BUF, lastack <= snd_nxt,
 * the queues in sequence order, the out-of-order queue after rcv_nxt,
 * inside the window and within its limits, the TCP_SEG pool holds just
 * the queued segments), every PCB the app holds is still on a list, and
 * the bytes the app receives run on without a gap or a repeat. At the
 * end everything is aborted, time drained, and every pool and the heap
 * must be empty. Every packet the stack sends is checked too (headers,
 * both checksums, at most the MTU). On a failure the last steps are
 * printed with the seed; TCP_FUZZ_SEED=n TCP_FUZZ_RUNS=k
 * (TCP_FUZZ_STEPS=m) in the environment explore other seeds.
 *
 * The fuzzed segments are built here byte by byte (checksums by RFC 1071
 * over the RFC 9293 3.1 pseudo-header) and delivered as a driver would:
 * the harness of tcp_script.h checks every step, which a fuzz cannot.
 * What the fuzz found is kept below as tcp_script.h scenarios, minimised.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "ng_net_test.h"
#include "ref_wire.h"
#include "tcp_script.h"

#define OUR_IP "10.0.2.15"
#define PEER_IP "10.0.2.2"
#define LISTEN_PORT 80
#define CONNECT_PORT 5000           /* the peer's port the app connects to */
#define PEER_PORTS 6                /* peer ports 40000.. that open connections */
#define SLOTS 16                    /* PCBs the app owns at once, at most */
#define PKT_MAX 1600
#define LOG_LINES 600
#define LOG_COLS 200

/* ---- a deterministic generator (xorshift32) ----------------------------------- */

static u32_t rng;
static u32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static u32_t below(u32_t n) { return n ? rnd() % n : 0; }
static int chance(unsigned pct) { return below(100) < pct; }

/* ---- the log of the last steps (printed when something breaks) --------------- */

static char lg[LOG_LINES][LOG_COLS];
static unsigned lg_n;
static unsigned long step_no;
static u32_t seed_now;

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    char *l = lg[lg_n++ % LOG_LINES];
    int n = snprintf(l, LOG_COLS, "#%lu t=%u ", step_no, (unsigned)sys_now());
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l + n, (size_t)(LOG_COLS - n), fmt, ap);
    va_end(ap);
}

static void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fz_fail(const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n=== tcp fuzz: seed 0x%08x, step %lu: %s ===\n", (unsigned)seed_now,
            step_no, why);
    unsigned first = lg_n > LOG_LINES ? lg_n - LOG_LINES : 0;
    for (unsigned i = first; i < lg_n; i++)
        fprintf(stderr, "    %s\n", lg[i % LOG_LINES]);
    ck_abort_msg("seed 0x%08x step %lu: %s", (unsigned)seed_now, step_no, why);
    abort();
}

#define CHECK(cond, ...) do { if (!(cond)) fz_fail(__VA_ARGS__); } while (0)

static const u8_t peer_addr[4] = { 10, 0, 2, 2 };
static const u8_t our_addr[4] = { 10, 0, 2, 15 };


/* ---- the interface: checks what the stack sends, keeps nothing ---------------- */

static struct netif nif;
static unsigned long sent_pkts;

static err_t fz_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *next_hop)
{
    LWIP_UNUSED_ARG(netif);
    LWIP_UNUSED_ARG(next_hop);
    u8_t b[PKT_MAX];
    CHECK(p->tot_len <= 1500, "the stack sent %u bytes, more than the MTU", p->tot_len);
    CHECK(p->tot_len >= 40, "the stack sent a %u-byte packet", p->tot_len);
    pbuf_copy_partial(p, b, p->tot_len, 0);
    CHECK(b[0] == 0x45 && be16(b + 2) == p->tot_len && ref_fold(ref_sum(0, b, 20)) == 0 && b[9] == 6,
          "the stack sent a bad IP header");
    CHECK(memcmp(b + 12, our_addr, 4) == 0 && memcmp(b + 16, peer_addr, 4) == 0,
          "the stack sent from/to the wrong address");
    unsigned hl = (unsigned)(b[32] >> 4) * 4u;
    CHECK(hl >= 20 && hl <= p->tot_len - 20u, "the stack sent a bad data offset %u", hl);
    CHECK(ref_tcp_chksum(our_addr, peer_addr, b + 20, p->tot_len - 20u) == 0,
          "the stack sent a bad TCP checksum");
    sent_pkts++;
    return ERR_OK;
}

static err_t fz_netif_init(struct netif *netif)
{
    netif->name[0] = 'f';
    netif->name[1] = 'z';
    netif->output = fz_output;
    netif->linkoutput = NULL;
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST;
    return ERR_OK;
}

/* ---- the application ---------------------------------------------------------------- */

struct slot {
    struct tcp_pcb *pcb;            /* NULL: free */
    u32_t held;                     /* bytes received, not yet tcp_recved */
    int hold, refuse;               /* recv: keep data / refuse it (ERR_MEM) */
    int abort_in_recv;              /* recv: tcp_abort and ERR_ABRT */
    int close_on_fin;
    int shut_tx;                    /* tcp_shutdown(tx): close when the peer's FIN comes */
    int shut_rx;
    int rx_any;                     /* a byte was received; the last one: */
    u8_t rx_last;
};

static struct slot slots[SLOTS];
static int listener_tag;            /* the listener's callback arg */
static struct tcp_pcb *listener;
static unsigned long n_accepts, n_errs, n_rx_bytes, n_fins, n_writes, n_tw_owned;

static struct slot *slot_of_arg(void *arg)
{
    struct slot *s = arg;
    if (s < slots || s >= slots + SLOTS)
        return NULL;
    return s->pcb ? s : NULL;
}

static void slot_release(struct slot *s)
{
    memset(s, 0, sizeof *s);
}

/* The app gives its PCB to the stack (tcp_close succeeded): no more
 * callbacks into this slot. */
static void slot_hand_over(struct slot *s)
{
    tcp_arg(s->pcb, NULL);
    slot_release(s);
}

static err_t app_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    LWIP_UNUSED_ARG(err);
    struct slot *s = slot_of_arg(arg);
    if (s == NULL) {
        /* closed by the app (or never adopted): consume */
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    CHECK(s->pcb == pcb, "recv callback for a PCB other than its slot's");
    if (p == NULL) {
        n_fins++;
        note("app: FIN on slot %d", (int)(s - slots));
        /* after a half-close the peer's FIN can end in TIME_WAIT, which
         * the stack frees without the err callback (see
         * timewait_frees_unclosed_pcb): close now, as lwIP apps must */
        if ((s->close_on_fin || s->shut_tx || pcb->state == TIME_WAIT) &&
            tcp_close(pcb) == ERR_OK) {
            note("app: closed slot %d on FIN", (int)(s - slots));
            slot_hand_over(s);
        }
        return ERR_OK;
    }
    /* NOT in TIME_WAIT (a FIN with this data took it there): tcp_abort
     * frees a TIME_WAIT PCB without the err callback
     * (abort_in_time_wait_calls_no_err), the slot would dangle */
    if (s->abort_in_recv && pcb->state != TIME_WAIT) {
        note("app: abort in recv, slot %d", (int)(s - slots));
        pbuf_free(p);
        tcp_abort(pcb);     /* the err callback releases the slot */
        return ERR_ABRT;
    }
    if (s->refuse > 0) {
        s->refuse--;
        return ERR_MEM;     /* the stack keeps p, offers it again */
    }
    u16_t n = p->tot_len;
    n_rx_bytes += n;
    note("app: recv %u bytes on slot %d (rcv_nxt %u, first 0x%02x)", n, (int)(s - slots),
         (unsigned)pcb->rcv_nxt, ((const u8_t *)p->payload)[0]);
    for (struct pbuf *q = p; q; q = q->next)
        for (u16_t k = 0; k < q->len; k++) {
            u8_t b = ((const u8_t *)q->payload)[k];
            CHECK(s->rx_any == 0 || b == (u8_t)(s->rx_last + 7u),
                  "slot %d: received byte 0x%02x after 0x%02x: the stream has a gap or a "
                  "repeat", (int)(s - slots), b, s->rx_last);
            s->rx_last = b;
            s->rx_any = 1;
        }
    pbuf_free(p);
    if (s->hold)
        s->held += n;
    else
        tcp_recved(pcb, n);
    return ERR_OK;
}

static err_t app_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    LWIP_UNUSED_ARG(pcb);
    LWIP_UNUSED_ARG(len);
    LWIP_UNUSED_ARG(arg);
    return ERR_OK;
}

static void app_err(void *arg, err_t err)
{
    struct slot *s = slot_of_arg(arg);
    n_errs++;
    note("app: err %d on %s %d", err, s ? "slot" : "unowned", s ? (int)(s - slots) : -1);
    if (s)
        slot_release(s);
}

static struct slot *free_slot(void)
{
    for (int i = 0; i < SLOTS; i++)
        if (!slots[i].pcb)
            return &slots[i];
    return NULL;
}

static void adopt(struct slot *s, struct tcp_pcb *pcb)
{
    memset(s, 0, sizeof *s);
    s->pcb = pcb;
    s->close_on_fin = chance(30);
    tcp_arg(pcb, s);
    tcp_recv(pcb, app_recv);
    tcp_sent(pcb, app_sent);
    tcp_err(pcb, app_err);
}

static err_t app_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    CHECK(arg == &listener_tag, "accept callback with the wrong arg");
    if (newpcb == NULL || err != ERR_OK)
        return ERR_OK;
    struct slot *s = free_slot();
    if (s == NULL || chance(3)) {
        note("app: accept refused");
        return ERR_MEM;     /* the stack aborts it */
    }
    adopt(s, newpcb);
    n_accepts++;
    note("app: accepted %u on slot %d (%p)", newpcb->remote_port, (int)(s - slots),
         (void *)newpcb);
    return ERR_OK;
}

static err_t app_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    LWIP_UNUSED_ARG(arg);
    LWIP_UNUSED_ARG(pcb);
    LWIP_UNUSED_ARG(err);
    return ERR_OK;
}

/* ---- the stack's PCBs -------------------------------------------------------------- */

static struct tcp_pcb *find_pcb(u16_t rport, u16_t lport)
{
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
        if (p->remote_port == rport && p->local_port == lport)
            return p;
    for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
        if (p->remote_port == rport && p->local_port == lport)
            return p;
    return NULL;
}

static int on_list(const struct tcp_pcb *list, const struct tcp_pcb *pcb)
{
    for (; list; list = list->next)
        if (list == pcb)
            return 1;
    return 0;
}

static u32_t seg_seq(const struct tcp_seg *g) { return lwip_ntohl(g->tcphdr->seqno); }
static u32_t seg_tcplen(const struct tcp_seg *g)
{
    return g->len + ((TCPH_FLAGS(g->tcphdr) & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
}

/* A send queue: in sequence order, no overlap; its pbufs and bytes. */
static void check_sendq(const struct tcp_pcb *pcb, const struct tcp_seg *q, const char *name,
                        u32_t *pbufs, u32_t *bytes, u32_t *segs)
{
    const struct tcp_seg *prev = NULL;
    for (; q; prev = q, q = q->next) {
        CHECK(q->p != NULL && q->tcphdr != NULL, "%s seg without pbuf", name);
        CHECK(q->p->tot_len >= q->len + TCP_HLEN, "%s seg: pbuf shorter than its data", name);
        if (prev)
            CHECK(TCP_SEQ_LEQ(seg_seq(prev) + seg_tcplen(prev), seg_seq(q)),
                  "%s out of order or overlapping: %u+%u then %u (port %u)", name,
                  (unsigned)seg_seq(prev), (unsigned)seg_tcplen(prev), (unsigned)seg_seq(q),
                  pcb->remote_port);
        *pbufs += pbuf_clen(q->p);
        *bytes += q->len;
        (*segs)++;
    }
}

static void check_pcb(const struct tcp_pcb *pcb, u32_t *segs)
{
    u32_t pbufs = 0, bytes = 0;
    check_sendq(pcb, pcb->unsent, "unsent", &pbufs, &bytes, segs);
    check_sendq(pcb, pcb->unacked, "unacked", &pbufs, &bytes, segs);
    CHECK(pcb->snd_queuelen == pbufs, "port %u %s: snd_queuelen %u, %u pbufs queued",
          pcb->remote_port, tcp_debug_state_str(pcb->state), pcb->snd_queuelen,
          (unsigned)pbufs);
    CHECK(pcb->snd_buf + bytes == TCP_SND_BUF,
          "port %u %s: snd_buf %u + %u bytes queued != TCP_SND_BUF %u", pcb->remote_port,
          tcp_debug_state_str(pcb->state), pcb->snd_buf, (unsigned)bytes,
          (unsigned)TCP_SND_BUF);
    CHECK(TCP_SEQ_LEQ(pcb->lastack, pcb->snd_nxt), "port %u %s: lastack %u > snd_nxt %u",
          pcb->remote_port, tcp_debug_state_str(pcb->state), (unsigned)pcb->lastack,
          (unsigned)pcb->snd_nxt);
    if (pcb->unacked)
        CHECK(TCP_SEQ_GT(seg_seq(pcb->unacked) + seg_tcplen(pcb->unacked), pcb->lastack),
              "port %u: an acknowledged segment still on unacked", pcb->remote_port);
    CHECK(pcb->rcv_wnd <= TCP_WND, "port %u: rcv_wnd %u > TCP_WND", pcb->remote_port,
          pcb->rcv_wnd);

    /* the out-of-order queue: after rcv_nxt, in order, no overlap, a FIN
     * only at its end, inside the window, within its limits */
    u32_t obytes = 0, opbufs = 0;
    const struct tcp_seg *prev = NULL;
    for (const struct tcp_seg *g = pcb->ooseq; g; prev = g, g = g->next) {
        u32_t s = seg_seq(g);
        CHECK(TCP_SEQ_GT(s, pcb->rcv_nxt), "port %u: ooseq seg %u not after rcv_nxt %u",
              pcb->remote_port, (unsigned)s, (unsigned)pcb->rcv_nxt);
        if (prev) {
            CHECK(TCP_SEQ_LEQ(seg_seq(prev) + seg_tcplen(prev), s),
                  "port %u: ooseq out of order/overlap: %u+%u then %u", pcb->remote_port,
                  (unsigned)seg_seq(prev), (unsigned)seg_tcplen(prev), (unsigned)s);
            CHECK(!(TCPH_FLAGS(prev->tcphdr) & TCP_FIN), "port %u: ooseq seg after a FIN",
                  pcb->remote_port);
        }
        CHECK(TCP_SEQ_LEQ(s + seg_tcplen(g), pcb->rcv_nxt + pcb->rcv_wnd),
              "port %u: ooseq seg %u+%u beyond the window %u+%u", pcb->remote_port,
              (unsigned)s, (unsigned)seg_tcplen(g), (unsigned)pcb->rcv_nxt, pcb->rcv_wnd);
        CHECK(g->p->tot_len >= g->len, "ooseq seg: pbuf shorter than its data");
        obytes += g->len;
        opbufs += pbuf_clen(g->p);
        (*segs)++;
    }
    CHECK(obytes <= TCP_OOSEQ_MAX_BYTES && opbufs <= TCP_OOSEQ_MAX_PBUFS,
          "port %u: ooseq holds %u bytes in %u pbufs", pcb->remote_port, (unsigned)obytes,
          (unsigned)opbufs);
}

static unsigned long state_seen[TIME_WAIT + 1];     /* PCB-steps in each state */
static unsigned long ooseq_seen, unacked_seen;      /* PCB-steps with those queues */

static void check_all(void)
{
    u32_t segs = 0;
    for (const struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
        state_seen[TIME_WAIT]++;
    for (const struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
        if (p->state <= TIME_WAIT)
            state_seen[p->state]++;
        ooseq_seen += p->ooseq != NULL;
        unacked_seen += p->unacked != NULL;
        CHECK(p->state > LISTEN && p->state < TIME_WAIT, "state %d on the active list",
              p->state);
        check_pcb(p, &segs);
    }
    for (const struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next) {
        CHECK(p->state == TIME_WAIT, "state %d on the TIME_WAIT list", p->state);
        CHECK(!p->unsent && !p->unacked && !p->ooseq, "segments queued in TIME_WAIT");
    }
    if (listener) {
        const struct tcp_pcb_listen *l = (const struct tcp_pcb_listen *)listener;
        u32_t pending = 0;
        for (const struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
            pending += p->listener == l && !(p->flags & TF_BACKLOGACC);
        CHECK(l->accepts_pending <= l->backlog && l->accepts_pending == pending,
              "listener: %u accepts pending (backlog %u), %u PCBs counting against it",
              l->accepts_pending, l->backlog, (unsigned)pending);
    }
    CHECK(memp_in_use(MEMP_TCP_SEG) == segs, "TCP_SEG pool: %u in use, %u on the queues",
          (unsigned)memp_in_use(MEMP_TCP_SEG), (unsigned)segs);
    /* what the app holds is still the stack's, on a list */
    for (int i = 0; i < SLOTS; i++) {
        if (!slots[i].pcb)
            continue;
        if (on_list(tcp_tw_pcbs, slots[i].pcb)) {
            /* in TIME_WAIT the app never closed (a refused FIN, say):
             * hand it over before the stack frees it behind its back */
            n_tw_owned++;
            note("slot %d in TIME_WAIT, never closed: closing it", i);
            CHECK(tcp_close(slots[i].pcb) == ERR_OK, "tcp_close in TIME_WAIT failed");
            slot_hand_over(&slots[i]);
            continue;
        }
        CHECK(on_list(tcp_active_pcbs, slots[i].pcb) || on_list(tcp_tw_pcbs, slots[i].pcb) ||
              on_list(tcp_bound_pcbs, slots[i].pcb),
              "slot %d (%p): its PCB is on no list, yet the err callback never ran", i,
              (void *)slots[i].pcb);
        CHECK(slots[i].pcb->callback_arg == &slots[i], "slot %d: the PCB's arg changed", i);
    }
}

/* ---- virtual time -------------------------------------------------------------------- */

static void advance(u32_t ms)
{
    u32_t target = sys_now() + ms;
    for (;;) {
        u32_t now = sys_now();
        u32_t sleep = sys_timeouts_sleeptime();
        u32_t left = target - now;
        if ((s32_t)left < 0)
            left = 0;
        if (sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE || sleep > left) {
            if (left)
                ng_host_advance(left);
            return;
        }
        if (sleep)
            ng_host_advance(sleep);
        sys_check_timeouts();
    }
}

/* ---- segments from the peer ---------------------------------------------------------- */

struct seg {
    u16_t sport, dport;
    u32_t seq, ack;
    u8_t flags;                     /* all eight bits (ECE and CWR too) */
    u16_t win, urp;
    u8_t opts[40];
    unsigned nopts;                 /* option bytes (header padded to 4) */
    int doff;                       /* -1: right; else the data offset field written */
    u16_t len;
    int cut;                        /* -1: none; else the IP total length written */
    int bad_sum;
};

static unsigned long n_segs, n_nopool;

/* The peer's byte at sequence number x: each byte is 7 more than the
 * one before (mod 256, so across 2^32 too), and the app checks that the
 * stream it receives runs on without a gap or a repeat (one of a
 * multiple of 256 bytes would slip through). */
static u8_t peer_byte(u32_t x) { return (u8_t)(x * 7u + 0x31u); }

static void deliver(const struct seg *g)
{
    u8_t pkt[PKT_MAX];
    u8_t *t = pkt + 20;
    unsigned optlen = (g->nopts + 3) & ~3u;
    unsigned hl = 20 + optlen;
    memset(t, 0, hl);
    put16(t, g->sport);
    put16(t + 2, g->dport);
    put32(t + 4, g->seq);
    put32(t + 8, g->ack);
    t[12] = (u8_t)((g->doff >= 0 ? (unsigned)g->doff : hl / 4) << 4);
    t[13] = g->flags;
    put16(t + 14, g->win);
    put16(t + 18, g->urp);
    memcpy(t + 20, g->opts, g->nopts);
    /* The data starts where the data offset field says (a wrong one
     * moves the boundary: option bytes become data, or data options),
     * so the pattern runs from there to the end. */
    u32_t first = g->seq + ((g->flags & TCP_SYN) ? 1u : 0u);
    unsigned ds = g->doff >= 5 ? (unsigned)g->doff * 4u : hl;
    for (unsigned i = ds; i < hl + g->len; i++)
        t[i] = peer_byte(first + (i - ds));
    unsigned tot = 20 + hl + g->len;
    if (g->cut >= 0 && (unsigned)g->cut < tot)
        tot = (unsigned)g->cut;
    u16_t c = ref_tcp_chksum(peer_addr, our_addr, t, tot - 20);
    put16(t + 16, g->bad_sum ? (u16_t)(c ^ (1u + below(0xfffe))) : c);

    static u16_t ip_id;
    memset(pkt, 0, 20);
    pkt[0] = 0x45;
    put16(pkt + 2, (u16_t)tot);
    put16(pkt + 4, ip_id++);
    put16(pkt + 6, 0x4000);
    pkt[8] = 64;
    pkt[9] = 6;
    memcpy(pkt + 12, peer_addr, 4);
    memcpy(pkt + 16, our_addr, 4);
    put16(pkt + 10, ref_fold(ref_sum(0, pkt, 20)));

    note("peer %u>%u fl=%02x seq=%u ack=%u win=%u len=%u nopts=%u doff=%d cut=%d bad=%d",
         g->sport, g->dport, g->flags, (unsigned)g->seq, (unsigned)g->ack, g->win, g->len,
         g->nopts, g->doff, g->cut, g->bad_sum);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)(tot + PBUF_LINK_HLEN), PBUF_POOL);
    if (p == NULL) {
        n_nopool++;     /* the driver would drop it too */
        return;
    }
    pbuf_remove_header(p, PBUF_LINK_HLEN);
    pbuf_take(p, pkt, (u16_t)tot);
    n_segs++;
    ip4_input(p, &nif);
}

static u16_t peer_port(int i) { return (u16_t)(40000 + i); }

/* Which PCB a peer port talks to: ports 40000.. the listener, CONNECT_PORT
 * the app's active opens. */
static struct tcp_pcb *pcb_for(u16_t sport, u16_t *lport)
{
    if (sport == CONNECT_PORT) {
        for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
            if (p->remote_port == CONNECT_PORT) {
                *lport = p->local_port;
                return p;
            }
        *lport = 49152;
        return NULL;
    }
    *lport = LISTEN_PORT;
    return find_pcb(sport, LISTEN_PORT);
}

static const u16_t mss_values[] = { 0, 1, 2, 40, 64, 88, 536, 1000, 1400, 1460, 1461, 65535 };

static u16_t pick_mss(void) { return mss_values[below(LWIP_ARRAYSIZE(mss_values))]; }

static void add_mss(struct seg *g, u16_t mss)
{
    g->opts[g->nopts++] = 2;
    g->opts[g->nopts++] = 4;
    g->opts[g->nopts++] = (u8_t)(mss >> 8);
    g->opts[g->nopts++] = (u8_t)mss;
}

/* The segment the peer would send next, following the protocol. */
static void good_segment(struct seg *g, u16_t sport)
{
    memset(g, 0, sizeof *g);
    g->doff = -1;
    g->cut = -1;
    g->sport = sport;
    u16_t lport;
    struct tcp_pcb *pcb = pcb_for(sport, &lport);
    g->dport = lport;
    g->win = chance(10) ? (u16_t)below(600) : (u16_t)(1000 + below(64536));
    if (pcb == NULL || pcb->state == TIME_WAIT) {
        /* a new connection: an ISN anywhere, near 2^32 often */
        g->flags = TCP_SYN;
        g->seq = chance(50) ? (u32_t)(0u - 1u - below(3000)) : rnd();
        if (chance(85))
            add_mss(g, chance(70) ? 1460 : pick_mss());
        if (sport == CONNECT_PORT)
            g->flags = TCP_RST | TCP_ACK;   /* nobody to talk to: noise */
        return;
    }
    g->seq = pcb->rcv_nxt;
    g->ack = pcb->snd_nxt;
    switch (pcb->state) {
    case SYN_SENT:
        g->flags = TCP_SYN | TCP_ACK;
        g->seq = chance(50) ? (u32_t)(0u - 1u - below(3000)) : rnd();
        if (chance(85))
            add_mss(g, chance(70) ? 1460 : pick_mss());
        return;
    case SYN_RCVD:
        g->flags = TCP_ACK;
        return;
    default:
        break;
    }
    g->flags = TCP_ACK;
    if (chance(30))
        g->ack = pcb->lastack + below((u32_t)(pcb->snd_nxt - pcb->lastack) + 1u);
    if (chance(50)) {
        u32_t room = pcb->rcv_wnd ? pcb->rcv_wnd : 1;
        g->len = (u16_t)(1 + below(LWIP_MIN(room, 1460u)));
        g->flags |= TCP_PSH;
        if (chance(20))     /* out of order: past a gap */
            g->seq += 1 + below(room);
    }
    if (chance(6))
        g->flags |= TCP_FIN;
}

/* Mutate a segment: the fuzz proper. */
static void mutate(struct seg *g, const struct tcp_pcb *pcb)
{
    static const u8_t flag_sets[] = {
        0, TCP_SYN | TCP_FIN, TCP_SYN | TCP_RST, TCP_SYN | TCP_ACK | TCP_FIN,
        TCP_RST, TCP_RST | TCP_ACK, TCP_FIN, TCP_FIN | TCP_ACK, TCP_SYN, TCP_SYN | TCP_ACK,
        TCP_ACK | TCP_URG, TCP_ACK | TCP_PSH, TCP_RST | TCP_FIN | TCP_ACK, 0xff, 0xc0 | TCP_ACK,
    };
    if (chance(40))
        g->flags = chance(50) ? flag_sets[below(sizeof flag_sets)] : (u8_t)rnd();
    u32_t wnd = pcb ? pcb->rcv_wnd : 5840;
    if (chance(50)) {
        const u32_t d[] = { 0, 1, (u32_t)-1, wnd, wnd - 1, wnd + 1, (u32_t)-(s32_t)g->len,
                            below(200), (u32_t)-(s32_t)below(200), 65535, 0x7fffffffu,
                            0x80000000u, 0x80000001u, rnd(), (u32_t)-(s32_t)wnd };
        g->seq += d[below(LWIP_ARRAYSIZE(d))];
    }
    if (chance(40)) {
        u32_t una = pcb ? pcb->lastack : g->ack, nxt = pcb ? pcb->snd_nxt : g->ack;
        const u32_t a[] = { una, una - 1, una + 1, nxt, nxt + 1, nxt - 1, nxt + 1000,
                            una - 65536, nxt + 0x80000000u, rnd(), 0 };
        g->ack = a[below(LWIP_ARRAYSIZE(a))];
    }
    if (chance(30))
        g->len = chance(30) ? 1460 : (u16_t)below(1461);
    if (chance(20))
        g->win = (u16_t)(chance(50) ? 0 : rnd());
    if (chance(10))
        g->urp = (u16_t)rnd();
    if (chance(25)) {
        /* options: any bytes, in shapes that probe the parser */
        g->nopts = 0;
        unsigned n = below(41);
        switch (below(7)) {
        case 0:     /* MSS with a wrong length */
            g->opts[0] = 2;
            g->opts[1] = (u8_t)below(8);
            g->opts[2] = (u8_t)rnd();
            g->opts[3] = (u8_t)rnd();
            g->nopts = 4;
            break;
        case 1:     /* a kind with length 0 or 1 */
            g->opts[0] = (u8_t)(chance(50) ? 2 : below(256));
            g->opts[1] = (u8_t)below(2);
            g->nopts = 2 + below(3);
            break;
        case 2:     /* a length past the end */
            g->opts[0] = (u8_t)(2 + below(10));
            g->opts[1] = (u8_t)(10 + below(246));
            g->nopts = 2 + below(6);
            break;
        case 3:     /* NOPs then MSS at the very end */
            while (g->nopts + 4 < n)
                g->opts[g->nopts++] = 1;
            add_mss(g, pick_mss());
            break;
        case 4:     /* MSS cut by the end of the header */
            g->nopts = 0;
            for (unsigned i = 0; i < 3; i++)
                g->opts[g->nopts++] = 1;
            g->opts[g->nopts++] = 2;
            g->opts[g->nopts++] = 4;
            break;
        default:    /* random bytes */
            for (unsigned i = 0; i < n && i < 40; i++)
                g->opts[g->nopts++] = (u8_t)rnd();
            break;
        }
        if (g->nopts > 40)
            g->nopts = 40;
    }
    if (chance(5))
        g->doff = (int)below(16);     /* below 5, or past the segment */
    if (chance(4))
        g->cut = (int)(20 + below(20 + g->nopts + 8));   /* inside the TCP header (or just past) */
    else if (chance(2))
        g->cut = (int)(40 + g->nopts + below((u32_t)g->len + 1));
    if (chance(4))
        g->bad_sum = 1;
    if (chance(3))
        g->dport = (u16_t)(chance(50) ? 81 : rnd());   /* nobody listening */
    if (chance(3))
        g->sport = (u16_t)rnd();
}

/* ---- the app's actions --------------------------------------------------------------- */

static struct slot *pick_slot(void)
{
    int n = 0;
    for (int i = 0; i < SLOTS; i++)
        n += slots[i].pcb != NULL;
    if (!n)
        return NULL;
    int k = (int)below((u32_t)n);
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].pcb && k-- == 0)
            return &slots[i];
    return NULL;
}

static u8_t wbuf[TCP_SND_BUF];

static void app_action(void)
{
    if (chance(4)) {
        int have = 0;
        for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
            have |= p->remote_port == CONNECT_PORT;
        struct slot *s = free_slot();
        if (!have && s) {
            struct tcp_pcb *pcb = tcp_new();
            if (pcb) {
                adopt(s, pcb);
                ip_addr_t peer;
                ip4addr_aton(PEER_IP, &peer);
                err_t e = tcp_connect(pcb, &peer, CONNECT_PORT, app_connected);
                note("app: connect on slot %d (%p): %d", (int)(s - slots), (void *)pcb, e);
                if (e != ERR_OK) {
                    tcp_abort(pcb);
                }
            }
        }
        return;
    }
    struct slot *s = pick_slot();
    if (!s)
        return;
    struct tcp_pcb *pcb = s->pcb;
    int i = (int)(s - slots);
    u32_t r = below(100);
    if (r < 40) {
        u16_t n = (u16_t)(chance(30) ? below(TCP_SND_BUF + 1) : below(600));
        for (u16_t k = 0; k < n; k++)
            wbuf[k] = (u8_t)rnd();
        err_t e = tcp_write(pcb, wbuf, n, (u8_t)(TCP_WRITE_FLAG_COPY |
                                                (chance(30) ? TCP_WRITE_FLAG_MORE : 0)));
        note("app: write %u on slot %d (%s): %d", n, i, tcp_debug_state_str(pcb->state), e);
        n_writes += e == ERR_OK;
        if (chance(70))
            tcp_output(pcb);        /* may abort it: the err callback says */
    } else if (r < 50) {
        note("app: output slot %d", i);
        tcp_output(pcb);
    } else if (r < 65) {
        if (s->held) {
            u16_t n = (u16_t)(1 + below(s->held));
            note("app: recved %u on slot %d", n, i);
            s->held -= n;
            tcp_recved(pcb, n);
        }
        s->hold = chance(50);
        s->refuse = chance(20) ? (int)below(3) : 0;
        s->abort_in_recv = chance(3);
    } else if (r < 75) {
        int rx = chance(50), tx = !rx || chance(50);
        if (rx && tx)
            return;
        note("app: shutdown rx=%d tx=%d slot %d", rx, tx, i);
        /* may abort (RST): the err callback says */
        if (tcp_shutdown(pcb, rx, tx) == ERR_OK && s->pcb == pcb) {
            s->shut_tx |= tx;
            s->shut_rx |= rx;
            /* Both sides shut in two calls: the stack treats TF_RXCLOSED
             * as "the app let go" (no err callback when LAST_ACK ends, a
             * silent free in TIME_WAIT: rxclosed_data_fin_in_fin_wait_2),
             * so the app lets go too. */
            if (s->shut_tx && s->shut_rx) {
                note("app: slot %d both sides shut: the stack's now", i);
                slot_hand_over(s);
            }
        }
    } else if (r < 92) {
        note("app: close slot %d (%s)", i, tcp_debug_state_str(pcb->state));
        if (s->held) {
            tcp_recved(pcb, (u16_t)s->held);
            s->held = 0;
        }
        if (tcp_close(pcb) == ERR_OK && s->pcb == pcb)
            slot_hand_over(s);
    } else {
        note("app: abort slot %d (%s)", i, tcp_debug_state_str(pcb->state));
        tcp_abort(pcb);     /* the err callback releases the slot */
        CHECK(s->pcb == NULL, "tcp_abort did not call the err callback");
    }
}

/* ---- setup and teardown -------------------------------------------------------------- */

static void fz_begin(u32_t seed)
{
    seed_now = seed;
    rng = seed ? seed : 1;
    lg_n = 0;
    step_no = 0;
    memset(slots, 0, sizeof slots);
    n_segs = n_nopool = n_accepts = n_errs = n_rx_bytes = n_fins = n_writes = sent_pkts = 0;
    n_tw_owned = 0;
    memset(state_seen, 0, sizeof state_seen);
    ooseq_seen = unacked_seen = 0;
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    tcp_init();
    ip4_addr_t a, m, gw;
    ip4addr_aton(OUR_IP, &a);
    ip4addr_aton("255.255.255.0", &m);
    ip4addr_aton("10.0.2.1", &gw);
    ck_assert_ptr_eq(netif_add(&nif, &a, &m, &gw, NULL, fz_netif_init, ip4_input), &nif);
    netif_set_up(&nif);
    netif_set_link_up(&nif);

    struct tcp_pcb *pcb = tcp_new();
    ck_assert_ptr_nonnull(pcb);
    ck_assert_int_eq(tcp_bind(pcb, IP_ADDR_ANY, LISTEN_PORT), ERR_OK);
    listener = tcp_listen_with_backlog(pcb, 4);
    ck_assert_ptr_nonnull(listener);
    tcp_arg(listener, &listener_tag);
    tcp_accept(listener, app_accept);
}

static void fz_end(void)
{
    step_no++;
    note("end: abort what the app holds");
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].pcb)
            tcp_abort(slots[i].pcb);
    for (int i = 0; i < SLOTS; i++)
        CHECK(!slots[i].pcb, "slot %d survived tcp_abort", i);
    tcp_close(listener);
    listener = NULL;
    check_all();
    u32_t start = sys_now();
    while ((tcp_active_pcbs || tcp_tw_pcbs) && sys_now() - start < 30u * 60u * 1000u) {
        advance(500);
        check_all();
    }
    CHECK(!tcp_active_pcbs && !tcp_tw_pcbs, "PCBs left after 30 minutes");
    start = sys_now();
    while (*sys_timeouts_get_next_timeout() && sys_now() - start < 5000)
        advance(250);
    CHECK(!*sys_timeouts_get_next_timeout(), "a timeout still armed with no PCB left");
    CHECK(!tcp_bound_pcbs && !tcp_listen_pcbs.pcbs, "bound or listening PCBs left");
    char why[600];
    size_t n = 0;
    why[0] = 0;
    for (int t = 0; t < MEMP_MAX; t++) {
        u16_t used = memp_in_use((memp_t)t);
        if (used && n < sizeof why - 64)
            n += (size_t)snprintf(why + n, sizeof why - n, " pool %s: %u;",
                                  memp_pools[t]->desc, (unsigned)used);
    }
    if (mem_used())
        n += (size_t)snprintf(why + n, sizeof why - n, " heap: %u bytes;",
                              (unsigned)mem_used());
    CHECK(n == 0, "not everything was freed:%s", why);
    ng_assert_net_clean();
}

/* One seeded run of `steps` steps. */
static void fuzz_run(u32_t seed, unsigned steps)
{
    fz_begin(seed);
    for (step_no = 1; step_no <= steps; step_no++) {
        u32_t r = below(100);
        if (r < 72) {
            u16_t sport = chance(12) ? CONNECT_PORT : peer_port((int)below(PEER_PORTS));
            struct seg g;
            good_segment(&g, sport);
            u16_t lport;
            struct tcp_pcb *pcb = pcb_for(sport, &lport);
            if (chance(55))
                mutate(&g, pcb);
            deliver(&g);
        } else if (r < 84) {
            u32_t ms = chance(85) ? below(600) : (chance(70) ? below(10000) : below(200000));
            note("advance %u ms", (unsigned)ms);
            advance(ms);
        } else {
            app_action();
        }
        check_all();
    }
    fprintf(stderr, "tcp fuzz seed 0x%08x: %u steps, %lu segments delivered (%lu not: pool "
            "empty), %lu sent by the stack, %lu accepts, %lu err callbacks, %lu bytes and %lu "
            "FINs received, %lu writes, %lu owned PCBs found in TIME_WAIT\n", (unsigned)seed, steps,
            n_segs, n_nopool, sent_pkts, n_accepts, n_errs, n_rx_bytes, n_fins, n_writes,
            n_tw_owned);
    fprintf(stderr, "  PCB-steps by state:");
    for (int st = SYN_SENT; st <= TIME_WAIT; st++)
        fprintf(stderr, " %s %lu", tcp_debug_state_str((enum tcp_state)st), state_seen[st]);
    fprintf(stderr, "; with ooseq %lu, with unacked %lu\n", ooseq_seen, unacked_seen);
    fz_end();
}


/* ---- what the fuzz found, minimised -------------------------------------------------- */

static struct ts S;

/* Found by seed 0x0badf00d (step 516). The app half-closes (shutdown tx:
 * FIN_WAIT_1, the peer acks the FIN: FIN_WAIT_2), then shuts its receive
 * side too (shutdown rx, a second call: the app still owns the PCB).
 * The peer's data+FIN arrives: tcp_process takes the FIN into TIME_WAIT
 * first, then tcp_input_deliver sees TF_RXCLOSED and calls tcp_abort -
 * on a TIME_WAIT PCB, which tcp_abandon_pcb frees with no RST and no err
 * callback: the app's pointer dangles. tcp.h: "shut_rx stops receiving
 * (later data is answered with RST)"; tcp_abort: "the err callback gets
 * ERR_ABRT". */
START_TEST(rxclosed_data_fin_in_fin_wait_2)
{
    struct ts *s = ts_begin(&S, "data+FIN after shutdown tx then rx, in FIN_WAIT_2");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_SHUTDOWN(s, 0, 1);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001");
    TS_PEER(s, "ACK seq=1001 ack=$ISS+2");
    TS_EXPECT_STATE(s, FIN_WAIT_2);
    TS_APP_SHUTDOWN(s, 1, 0);
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2 len=10");
    TS_APP_EXPECT_ERR(s, ERR_ABRT);     /* fails: the PCB was freed silently */
    TS_EXPECT(s, "RST|?ACK seq=$ISS+2");
    ts_end(s);
}
END_TEST

/* Found by seed 0x430 (step 442), the root of the above: a PCB the app
 * still owns reaches TIME_WAIT after a half-close (shutdown tx, then the
 * peer's FIN acking ours); tcp_abort on it (here from the app; in the
 * fuzz from the recv callback of the data that came with that FIN) is
 * freed by tcp_abandon_pcb's TIME_WAIT branch without the err callback
 * that lwip/tcp.h promises ("the err callback gets ERR_ABRT"). */
START_TEST(abort_in_time_wait_calls_no_err)
{
    struct ts *s = ts_begin(&S, "tcp_abort of a half-closed PCB in TIME_WAIT");
    TS_ESTABLISH(s, 1000, 1460, 8192);
    TS_APP_SHUTDOWN(s, 0, 1);
    TS_EXPECT(s, "FIN|ACK seq=$ISS+1 ack=1001");
    TS_PEER(s, "FIN|ACK seq=1001 ack=$ISS+2 len=10");
    TS_APP_EXPECT_RECV(s, 10);
    TS_APP_EXPECT_FIN(s);
    TS_EXPECT_STATE(s, TIME_WAIT);
    TS_APP_ABORT(s);
    TS_APP_EXPECT_ERR(s, ERR_ABRT);     /* fails: freed, the err callback never ran */
    ts_end(s);
}
END_TEST

#define FUZZ_STEPS 4000

static const u32_t seeds[] = {
    0x01234567u, 0xdeadbeefu, 0x0badf00du, 0x00000001u, 0x5eed5eedu, 0xcafebabeu,
};

/* TCP_FUZZ_SEED=n (and TCP_FUZZ_STEPS=m) in the environment: run seeds
 * n, n+1, ... instead of the fixed ones, to explore. */
START_TEST(fuzz_seeds)
{
    const char *e = getenv("TCP_FUZZ_SEED");
    const char *m = getenv("TCP_FUZZ_STEPS");
    unsigned steps = m ? (unsigned)strtoul(m, NULL, 0) : FUZZ_STEPS;
    if (e)
        fuzz_run((u32_t)strtoul(e, NULL, 0) + (u32_t)_i, steps);
    else
        fuzz_run(seeds[_i], steps);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("tcp_fuzz");
    TCase *tc = ng_tcase(su, "fuzz");
    const char *n = getenv("TCP_FUZZ_RUNS");
    int runs = getenv("TCP_FUZZ_SEED") && n ? atoi(n) : (int)LWIP_ARRAYSIZE(seeds);
    tcase_add_loop_test(tc, fuzz_seeds, 0, runs);
    tc = ng_tcase(su, "found");
    tcase_add_test(tc, rxclosed_data_fin_in_fin_wait_2);
    tcase_add_test(tc, abort_in_time_wait_calls_no_err);
    return ng_test_run(su) != 0;
}
