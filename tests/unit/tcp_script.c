/*
 * tests/unit/tcp_script.c - the TCP scenario harness of tcp_script.h: the
 * recording interface, segments built and parsed here (checksums by RFC
 * 1071, independently of net/inet_chksum.c), the step parser, virtual
 * time, the application's callbacks, and the log printed when a step
 * fails.
 *
 * Linked into every unit test: it keeps no state of its own beyond a
 * pointer to the running scenario (whose storage is the test's).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/mem.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "ref_wire.h"
#include "tcp_script.h"

static struct ts *ts_cur;       /* the scenario the interface records for */

/* A dotted address as the four bytes on the wire. */
static void addr_bytes(const char *dotted, u8_t out[4])
{
    unsigned a, b, c, d;
    if (sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
        abort();
    out[0] = (u8_t)a; out[1] = (u8_t)b; out[2] = (u8_t)c; out[3] = (u8_t)d;
}

/* ---- the log -------------------------------------------------------------------- */

static void logv(struct ts *s, const char *fmt, va_list ap)
{
    if (s->nlog >= TS_LOG_LINES) {
        /* keep the first lines (how it began) and the latest ones */
        memmove(s->log[TS_LOG_LINES / 4], s->log[TS_LOG_LINES / 4 + 1],
                (size_t)(TS_LOG_LINES - TS_LOG_LINES / 4 - 1) * TS_LOG_COLS);
        s->nlog = TS_LOG_LINES - 1;
        s->log_lost++;
    }
    char *l = s->log[s->nlog++];
    u32_t t = ts_now(s);
    int n = snprintf(l, TS_LOG_COLS, "%4u.%03u ", (unsigned)(t / 1000), (unsigned)(t % 1000));
    vsnprintf(l + n, (size_t)(TS_LOG_COLS - n), fmt, ap);
}

static void logf_(struct ts *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct ts *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logv(s, fmt, ap);
    va_end(ap);
}

void ts_note(struct ts *s, const char *fmt, ...)
{
    char buf[TS_LOG_COLS];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    logf_(s, "         note: %s", buf);
}

static void print_log(struct ts *s, const char *why)
{
    if (why)
        fprintf(stderr, "\n=== TCP scenario \"%s\" failed at step %d (%s:%d) ===\n", s->name,
                s->step, s->file ? s->file : "?", s->line);
    else
        fprintf(stderr, "\n=== TCP scenario \"%s\" passed ===\n", s->name);
    for (unsigned i = 0; i < s->nlog; i++) {
        if (s->log_lost && i == TS_LOG_LINES / 4)
            fprintf(stderr, "  ... %u lines left out ...\n", s->log_lost);
        fprintf(stderr, "%s%s\n", why && i + 1 == s->nlog ? ">>> " : "    ", s->log[i]);
    }
    if (why)
        fprintf(stderr, ">>> FAILED: %s\n\n", why);
}

void ts_fail(struct ts *s, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    logf_(s, "         FAIL: %s", why);
    print_log(s, why);
    ck_abort_msg("%s: step %d (%s:%d): %s", s->name, s->step, s->file ? s->file : "?", s->line,
                 why);
    abort();    /* not reached */
}

static void step_log(struct ts *s, const char *what, const char *text)
{
    s->step++;
    const char *f = s->file ? strrchr(s->file, '/') : NULL;
    logf_(s, "step %-3d %-13s %s   (%s:%d)", s->step, what, text,
          f ? f + 1 : (s->file ? s->file : "?"), s->line);
}

/* ---- variables and expressions ------------------------------------------------ */

static int var_index(const struct ts *s, const char *name)
{
    for (int i = 0; i < s->nvars; i++)
        if (strcmp(s->vars[i].name, name) == 0)
            return i;
    return -1;
}

void ts_set_var(struct ts *s, const char *name, u32_t v)
{
    int i = var_index(s, name);
    if (i < 0) {
        if (s->nvars >= TS_VARS)
            ts_fail(s, "too many variables");
        i = s->nvars++;
        snprintf(s->vars[i].name, sizeof s->vars[i].name, "%s", name);
    }
    s->vars[i].v = v;
}

u32_t ts_var(struct ts *s, const char *name)
{
    int i = var_index(s, name);
    if (i < 0)
        ts_fail(s, "$%s used before it was set", name);
    return s->vars[i].v;
}

static int is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static u32_t parse_factor(struct ts *s, const char **pp)
{
    const char *p = *pp;
    if (*p == '$') {
        char name[12];
        int n = 0;
        p++;
        while (is_name_char(*p) && n < 11)
            name[n++] = *p++;
        name[n] = 0;
        *pp = p;
        return ts_var(s, name);
    }
    char *end;
    unsigned long v = strtoul(p, &end, 0);
    if (end == p)
        ts_fail(s, "bad number in step at \"%s\"", p);
    *pp = end;
    return (u32_t)v;
}

static u32_t parse_term(struct ts *s, const char **pp)
{
    u32_t v = parse_factor(s, pp);
    while (**pp == '*') {
        (*pp)++;
        v *= parse_factor(s, pp);
    }
    return v;
}

/* expr := term (('+' | '-') term)*, modulo 2^32. */
static u32_t parse_expr(struct ts *s, const char **pp)
{
    u32_t v = parse_term(s, pp);
    while (**pp == '+' || **pp == '-') {
        char op = *(*pp)++;
        u32_t t = parse_term(s, pp);
        v = op == '+' ? v + t : v - t;
    }
    return v;
}

/* ---- segment specs --------------------------------------------------------------- */

enum { FS_NONE, FS_EXACT, FS_RANGE, FS_CAPTURE };

struct fspec {
    int kind;
    u32_t lo, hi;
    char cap[12];
};

struct spec {
    u8_t flags;
    u8_t dontcare;                  /* ?FLAG: either way */
    int psh_named;
    struct fspec seq, ack, win, len, mss, sport, dport, urp, hl;
    u8_t opts[40];                  /* peer: raw option bytes after the MSS option */
    unsigned nopts;
    int nomss;
    int bad_chksum;
    int bad_short;
};

static const struct {
    const char *name;
    u8_t bit;
} flag_names[] = {
    { "FIN", TCP_FIN }, { "SYN", TCP_SYN }, { "RST", TCP_RST },
    { "PSH", TCP_PSH }, { "ACK", TCP_ACK }, { "URG", TCP_URG },
};

static void parse_flags(struct ts *s, const char *tok, struct spec *sp)
{
    if (strcmp(tok, "-") == 0)
        return;
    const char *p = tok;
    while (*p) {
        int optional = *p == '?';
        if (optional)
            p++;
        size_t n = strcspn(p, "|");
        size_t k;
        for (k = 0; k < LWIP_ARRAYSIZE(flag_names); k++)
            if (strlen(flag_names[k].name) == n && strncmp(p, flag_names[k].name, n) == 0)
                break;
        if (k == LWIP_ARRAYSIZE(flag_names))
            ts_fail(s, "unknown flag in \"%s\"", tok);
        if (optional)
            sp->dontcare |= flag_names[k].bit;
        else
            sp->flags |= flag_names[k].bit;
        if (flag_names[k].bit == TCP_PSH && !optional)
            sp->psh_named = 1;
        p += n;
        if (*p == '|')
            p++;
    }
}

static void parse_value(struct ts *s, const char *v, struct fspec *f, int expect)
{
    if (*v == '@') {
        if (!expect)
            ts_fail(s, "@capture only in an EXPECT step");
        f->kind = FS_CAPTURE;
        snprintf(f->cap, sizeof f->cap, "%s", v + 1);
        return;
    }
    const char *p = v;
    f->lo = parse_expr(s, &p);
    f->kind = FS_EXACT;
    if (p[0] == '.' && p[1] == '.') {
        if (!expect)
            ts_fail(s, "a range only in an EXPECT step");
        p += 2;
        f->hi = parse_expr(s, &p);
        f->kind = FS_RANGE;
    }
    if (*p)
        ts_fail(s, "junk after value: \"%s\"", p);
}

static void parse_spec(struct ts *s, const char *text, struct spec *sp, int expect)
{
    memset(sp, 0, sizeof *sp);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    char *tok = strtok_r(buf, " \t", &save);
    if (!tok)
        ts_fail(s, "empty segment spec");
    parse_flags(s, tok, sp);
    while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
        if (strcmp(tok, "nomss") == 0) {
            sp->nomss = 1;
            continue;
        }
        char *eq = strchr(tok, '=');
        if (!eq)
            ts_fail(s, "expected key=value, got \"%s\"", tok);
        *eq = 0;
        const char *k = tok, *v = eq + 1;
        struct fspec *f = NULL;
        if (!strcmp(k, "seq")) f = &sp->seq;
        else if (!strcmp(k, "ack")) f = &sp->ack;
        else if (!strcmp(k, "win")) f = &sp->win;
        else if (!strcmp(k, "len")) f = &sp->len;
        else if (!strcmp(k, "mss")) f = &sp->mss;
        else if (!strcmp(k, "sport")) f = &sp->sport;
        else if (!strcmp(k, "dport")) f = &sp->dport;
        else if (!strcmp(k, "urp")) f = &sp->urp;
        else if (!strcmp(k, "hl") && expect) f = &sp->hl;
        else if (!strcmp(k, "opts") && !expect) {
            size_t n = strlen(v);
            if (n % 2 || n / 2 > sizeof sp->opts - 4)
                ts_fail(s, "opts=%s: an even number of hex digits, at most 36 bytes", v);
            for (size_t i = 0; i < n / 2; i++) {
                unsigned b;
                if (sscanf(v + 2 * i, "%2x", &b) != 1)
                    ts_fail(s, "opts=%s: not hex", v);
                sp->opts[sp->nopts++] = (u8_t)b;
            }
            continue;
        }
        else if (!strcmp(k, "bad") && !expect) {
            if (!strcmp(v, "chksum")) sp->bad_chksum = 1;
            else if (!strcmp(v, "short")) sp->bad_short = 1;
            else ts_fail(s, "bad=%s: chksum or short", v);
            continue;
        } else
            ts_fail(s, "unknown field \"%s\"", k);
        parse_value(s, v, f, expect);
    }
}

static void flags_str(u8_t f, char *out)
{
    int n = 0;
    out[0] = 0;
    for (size_t k = 0; k < LWIP_ARRAYSIZE(flag_names); k++) {
        if (f & flag_names[k].bit)
            n += sprintf(out + n, "%s%s", n ? "|" : "", flag_names[k].name);
    }
    if (!n)
        strcpy(out, "-");
}

/* ---- decoding what the stack sends ------------------------------------------ */

static int is_main(const struct ts *s, const struct ts_seg *g, int from_us)
{
    u16_t ours = from_us ? g->sport : g->dport, theirs = from_us ? g->dport : g->sport;
    return s->lport && ours == s->lport && theirs == s->rport;
}

/* A one-line, tcpdump-like rendering of a segment. */
static void seg_str(const struct ts *s, const struct ts_seg *g, int from_us, char *out, size_t n)
{
    char fl[40], seq[32], ack[32];
    flags_str(g->flags, fl);
    int main_conn = is_main(s, g, from_us);
    if (from_us && main_conn && s->iss_known)
        snprintf(seq, sizeof seq, "$ISS+%ld", (long)(s32_t)(g->seq - s->iss));
    else
        snprintf(seq, sizeof seq, "%lu", (unsigned long)g->seq);
    if (!from_us && main_conn && s->iss_known && (g->flags & TCP_ACK))
        snprintf(ack, sizeof ack, "$ISS+%ld", (long)(s32_t)(g->ack - s->iss));
    else
        snprintf(ack, sizeof ack, "%lu", (unsigned long)g->ack);
    char mss[20] = "";
    if (g->mss >= 0)
        snprintf(mss, sizeof mss, " <mss %d>", g->mss);
    snprintf(out, n, "%s %5u > %-5u %-11s seq=%s ack=%s win=%u len=%u%s",
             from_us ? "us   -> peer" : "peer -> us  ", g->sport, g->dport, fl, seq,
             (g->flags & TCP_ACK) ? ack : "-", g->win, g->len, mss);
}

/* Parse and check an IP packet the stack sent; NULL when it is fine,
 * else what is wrong. */
static const char *decode(const u8_t *b, u16_t len, struct ts_seg *g)
{
    static char why[96];
    if (len < 40)
        return "shorter than IP + TCP headers";
    if (b[0] != 0x45)
        return "IP version/IHL is not 4/5";
    if (be16(b + 2) != len)
        return "IP total length is not the packet's length";
    if (ref_fold(ref_sum(0, b, 20)) != 0)
        return "bad IP header checksum";
    if (b[9] != 6)
        return "IP protocol is not TCP";
    u8_t us[4], peer[4];
    addr_bytes(TS_OUR_IP, us);
    addr_bytes(TS_PEER_IP, peer);
    if (memcmp(b + 12, us, 4) || memcmp(b + 16, peer, 4))
        return "not from " TS_OUR_IP " to " TS_PEER_IP;
    const u8_t *t = b + 20;
    unsigned tl = len - 20u;
    unsigned hl = (unsigned)(t[12] >> 4) * 4u;
    if (hl < 20 || hl > tl)
        return "bad TCP data offset";
    if (ref_tcp_chksum(us, peer, t, tl) != 0) {
        snprintf(why, sizeof why, "bad TCP checksum 0x%04x", be16(t + 16));
        return why;
    }
    g->sport = be16(t);
    g->dport = be16(t + 2);
    g->seq = be32(t + 4);
    g->ack = be32(t + 8);
    g->flags = t[13] & 0x3f;
    g->win = be16(t + 14);
    g->urp = be16(t + 18);
    g->len = (u16_t)(tl - hl);
    g->hlen = (u16_t)hl;
    g->data = t + hl;
    g->mss = -1;
    for (unsigned i = 20; i < hl;) {
        u8_t kind = t[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hl || t[i + 1] < 2 || i + t[i + 1] > hl)
            return "malformed TCP option";
        if (kind == 2) {
            if (t[i + 1] != 4)
                return "MSS option length is not 4";
            g->mss = be16(t + i + 2);
        }
        i += t[i + 1];
    }
    return NULL;
}

/* The interface's output: every packet IP hands it. */
static err_t ts_output(struct netif *netif, struct pbuf *p, const ip4_addr_t *next_hop)
{
    LWIP_UNUSED_ARG(netif);
    LWIP_UNUSED_ARG(next_hop);
    struct ts *s = ts_cur;
    if (!s)
        return ERR_OK;
    if (p->tot_len > TS_PKT_MAX)
        ts_fail(s, "the stack sent %u bytes, more than the MTU", p->tot_len);
    u8_t buf[TS_PKT_MAX];
    pbuf_copy_partial(p, buf, p->tot_len, 0);
    struct ts_seg g;
    const char *bad = decode(buf, p->tot_len, &g);
    if (bad)
        ts_fail(s, "the stack sent a bad packet: %s", bad);

    /* The main connection: learn our port (active open), the ISS, how
     * far we have sent; check the data against what the app wrote. */
    if (!s->lport && g.dport == s->rport && (g.flags & TCP_SYN))
        s->lport = g.sport;
    if (is_main(s, &g, 1) && !(g.flags & TCP_RST)) {
        if ((g.flags & TCP_SYN) && !s->iss_known) {
            s->iss_known = 1;
            s->iss = g.seq;
            ts_set_var(s, "ISS", g.seq);
        }
        u32_t end = g.seq + g.len + ((g.flags & TCP_SYN) ? 1u : 0u) +
                    ((g.flags & TCP_FIN) ? 1u : 0u);
        if (!s->our_nxt_known || TCP_SEQ_GT(end, s->our_nxt)) {
            s->our_nxt = end;
            s->our_nxt_known = 1;
        }
        if (s->iss_known && g.len) {
            u32_t off = g.seq + ((g.flags & TCP_SYN) ? 1u : 0u) - (s->iss + 1);
            for (u16_t i = 0; i < g.len; i++)
                if (g.data[i] != ts_our_byte(off + i))
                    ts_fail(s, "the stack sent data byte %u (stream offset %u) as 0x%02x, "
                            "the app wrote 0x%02x", i, (unsigned)(off + i), g.data[i],
                            ts_our_byte(off + i));
        }
    }
    char line[TS_LOG_COLS];
    seg_str(s, &g, 1, line, sizeof line);
    logf_(s, "         %s", line);

    if (s->qn >= TS_QUEUE) {
        s->qlost++;
        return ERR_OK;
    }
    struct ts_pkt *k = &s->q[(s->qhead + s->qn++) % TS_QUEUE];
    k->t = sys_now();
    k->len = p->tot_len;
    memcpy(k->data, buf, p->tot_len);
    return ERR_OK;
}

static err_t ts_netif_init(struct netif *netif)
{
    netif->name[0] = 't';
    netif->name[1] = 's';
    netif->output = ts_output;
    netif->linkoutput = NULL;
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST;
    return ERR_OK;
}

/* ---- the peer sends --------------------------------------------------------------- */

static u32_t field_or(const struct fspec *f, u32_t dflt)
{
    return f->kind == FS_EXACT ? f->lo : dflt;
}

static void send_segment(struct ts *s, const struct spec *sp)
{
    u8_t pkt[TS_PKT_MAX];
    u8_t *t = pkt + 20;
    u16_t sport = (u16_t)field_or(&sp->sport, s->rport);
    u16_t dport = (u16_t)field_or(&sp->dport, s->lport);
    int main_conn = sport == s->rport && dport == s->lport;
    u32_t seq = field_or(&sp->seq, main_conn && s->peer_isn_known ? s->peer_nxt : 0);
    u32_t ack = field_or(&sp->ack, (sp->flags & TCP_ACK) && main_conn ? s->our_nxt : 0);
    u16_t win = (u16_t)field_or(&sp->win, main_conn ? s->peer_win : 8192);
    u32_t len = field_or(&sp->len, 0);
    unsigned mssopt = sp->mss.kind == FS_EXACT ? 4 : 0;
    unsigned optlen = (mssopt + sp->nopts + 3) & ~3u;     /* padded with EOL */
    unsigned hl = 20 + optlen;
    if (20 + hl + len > TS_PKT_MAX)
        ts_fail(s, "segment too long for the harness");

    if ((sp->flags & TCP_SYN) && main_conn && !s->peer_isn_known) {
        s->peer_isn = seq;
        s->peer_isn_known = 1;
        s->peer_nxt = seq;
        ts_set_var(s, "PISN", seq);
    }
    if (main_conn && sp->win.kind == FS_EXACT)
        s->peer_win = win;

    memset(t, 0, hl);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (u8_t)((hl / 4) << 4);
    t[13] = sp->flags;
    put16(t + 14, win);
    put16(t + 18, (u16_t)field_or(&sp->urp, 0));
    if (mssopt) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, (u16_t)sp->mss.lo);
    }
    memcpy(t + 20 + mssopt, sp->opts, sp->nopts);
    /* Data: the peer's pattern at its stream offset (from its ISN + 1). */
    u32_t first = seq + ((sp->flags & TCP_SYN) ? 1u : 0u);
    u32_t base = s->peer_isn_known && main_conn ? s->peer_isn + 1 : 0;
    for (u32_t i = 0; i < len; i++)
        t[hl + i] = ts_peer_byte(first - base + i);

    u8_t us[4], peer[4];
    addr_bytes(TS_OUR_IP, us);
    addr_bytes(TS_PEER_IP, peer);
    u16_t c = ref_tcp_chksum(peer, us, t, hl + len);
    put16(t + 16, sp->bad_chksum ? (u16_t)(c ^ 0x5555) : c);

    static u16_t ip_id = 0x100;
    u16_t tot = (u16_t)(20 + hl + len);
    if (sp->bad_short)
        tot = 20 + 12;      /* cut inside the TCP header */
    memset(pkt, 0, 20);
    pkt[0] = 0x45;
    put16(pkt + 2, tot);
    put16(pkt + 4, ip_id++);
    put16(pkt + 6, 0x4000);
    pkt[8] = 64;
    pkt[9] = 6;
    memcpy(pkt + 12, peer, 4);
    memcpy(pkt + 16, us, 4);
    put16(pkt + 10, ref_fold(ref_sum(0, pkt, 20)));

    if (main_conn && !(sp->flags & TCP_RST)) {     /* a RST moves nothing on */
        u32_t end = first + len + ((sp->flags & TCP_FIN) ? 1u : 0u);
        if (!s->peer_isn_known) {
            s->peer_isn_known = 1;
            s->peer_isn = seq - 1;
            s->peer_nxt = end;
        } else if (TCP_SEQ_GT(end, s->peer_nxt))
            s->peer_nxt = end;
    }

    struct ts_seg g = { .sport = sport, .dport = dport, .seq = seq, .ack = ack,
                        .flags = sp->flags, .win = win, .len = (u16_t)len,
                        .mss = mssopt ? (int)sp->mss.lo : -1, .hlen = (u16_t)hl };
    char line[TS_LOG_COLS];
    seg_str(s, &g, 0, line, sizeof line);
    char opts[84] = "";
    for (unsigned i = 0; i < sp->nopts && i < 40; i++)
        snprintf(opts + strlen(opts), sizeof opts - strlen(opts), "%s%02x", i ? "" : " opts ",
                 sp->opts[i]);
    logf_(s, "         %s%s%s", line, opts, sp->bad_chksum ? " (bad checksum)" : "");

    /* As a driver delivers it: a PBUF_POOL chain, room for Ethernet in front. */
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)(tot + PBUF_LINK_HLEN), PBUF_POOL);
    if (!p)
        ts_fail(s, "PBUF_POOL empty: cannot deliver the peer's segment");
    pbuf_remove_header(p, PBUF_LINK_HLEN);
    pbuf_take(p, pkt, tot);
    ip4_input(p, &s->netif);
}

static void vformat(char *buf, size_t n, const char *fmt, va_list ap)
{
    vsnprintf(buf, n, fmt, ap);
}

void ts_peer(struct ts *s, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    step_log(s, "PEER", text);
    struct spec sp;
    parse_spec(s, text, &sp, 0);
    send_segment(s, &sp);
}

/* ---- expecting what the stack sends ---------------------------------------- */

static int fmatch(struct ts *s, const struct fspec *f, u32_t v, int seqlike, int capture)
{
    switch (f->kind) {
    case FS_EXACT:
        return v == f->lo;
    case FS_RANGE:
        return seqlike ? (u32_t)(v - f->lo) <= (u32_t)(f->hi - f->lo) : (v >= f->lo && v <= f->hi);
    case FS_CAPTURE:
        if (capture)
            ts_set_var(s, f->cap, v);
        return 1;
    default:
        return 1;
    }
}

/* Compare g with sp; NULL if it matches, else which fields differ. With
 * capture set, @NAME fields are stored. */
static const char *match(struct ts *s, const struct spec *sp, const struct ts_seg *g, int capture)
{
    static char why[300];
    int n = 0;
    why[0] = 0;
    u8_t mask = (u8_t)((TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK | TCP_URG |
                        (sp->psh_named ? TCP_PSH : 0)) & ~sp->dontcare);
    if ((g->flags & mask) != (sp->flags & mask)) {
        char a[40], b[40];
        flags_str(g->flags, a);
        flags_str(sp->flags, b);
        n += snprintf(why + n, sizeof why - (size_t)n, " flags %s, wanted %s;", a, b);
    }
#define CHECK(fld, val, seqlike) \
    if (!fmatch(s, &sp->fld, (val), (seqlike), 0)) { \
        if (sp->fld.kind == FS_RANGE) \
            n += snprintf(why + n, sizeof why - (size_t)n, " " #fld " %lu, wanted %lu..%lu;", \
                          (unsigned long)(val), (unsigned long)sp->fld.lo, \
                          (unsigned long)sp->fld.hi); \
        else \
            n += snprintf(why + n, sizeof why - (size_t)n, " " #fld " %lu, wanted %lu;", \
                          (unsigned long)(val), (unsigned long)sp->fld.lo); \
    }
    CHECK(seq, g->seq, 1);
    CHECK(ack, g->ack, 1);
    CHECK(win, g->win, 0);
    CHECK(len, g->len, 0);
    CHECK(urp, g->urp, 0);
    CHECK(hl, g->hlen, 0);
    CHECK(sport, g->sport, 0);
    CHECK(dport, g->dport, 0);
#undef CHECK
    if (sp->mss.kind != FS_NONE && g->mss < 0)
        n += snprintf(why + n, sizeof why - (size_t)n, " no MSS option, wanted one;");
    else if (g->mss >= 0 && !fmatch(s, &sp->mss, (u32_t)g->mss, 0, 0))
        n += snprintf(why + n, sizeof why - (size_t)n, " mss %d, wanted %lu;", g->mss,
                      (unsigned long)sp->mss.lo);
    if (sp->nomss && g->mss >= 0)
        n += snprintf(why + n, sizeof why - (size_t)n, " MSS option %d, wanted none;", g->mss);
    if (sp->sport.kind == FS_NONE && sp->dport.kind == FS_NONE && s->lport &&
        (g->sport != s->lport || g->dport != s->rport))
        n += snprintf(why + n, sizeof why - (size_t)n, " ports %u > %u, the connection is %u > %u;",
                      g->sport, g->dport, s->lport, s->rport);
    if (n)
        return why;
    if (capture) {
        fmatch(s, &sp->seq, g->seq, 1, 1);
        fmatch(s, &sp->ack, g->ack, 1, 1);
        fmatch(s, &sp->win, g->win, 0, 1);
        fmatch(s, &sp->len, g->len, 0, 1);
        if (g->mss >= 0)
            fmatch(s, &sp->mss, (u32_t)g->mss, 0, 1);
    }
    return NULL;
}

static struct ts_pkt *q_head(struct ts *s)
{
    return s->qn ? &s->q[s->qhead] : NULL;
}

static void q_pop(struct ts *s)
{
    s->qhead = (s->qhead + 1) % TS_QUEUE;
    s->qn--;
}

unsigned ts_pending(const struct ts *s)
{
    return s->qn;
}

struct ts_seg ts_peek(struct ts *s)
{
    struct ts_pkt *k = q_head(s);
    if (!k)
        ts_fail(s, "no packet to look at");
    struct ts_seg g;
    decode(k->data, k->len, &g);
    return g;
}

static void expect_now(struct ts *s, const char *text)
{
    struct spec sp;
    parse_spec(s, text, &sp, 1);
    struct ts_pkt *k = q_head(s);
    if (!k)
        ts_fail(s, "expected \"%s\", the stack sent nothing", text);
    struct ts_seg g;
    decode(k->data, k->len, &g);
    const char *why = match(s, &sp, &g, 1);
    if (why) {
        char line[TS_LOG_COLS];
        seg_str(s, &g, 1, line, sizeof line);
        ts_fail(s, "expected \"%s\", got [%s]:%s", text, line, why);
    }
    q_pop(s);
}

void ts_expect(struct ts *s, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    step_log(s, "EXPECT", text);
    expect_now(s, text);
}

int ts_expect_maybe(struct ts *s, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    step_log(s, "EXPECT_MAYBE", text);
    struct ts_pkt *k = q_head(s);
    if (!k) {
        logf_(s, "         (nothing sent)");
        return 0;
    }
    struct spec sp;
    parse_spec(s, text, &sp, 1);
    struct ts_seg g;
    decode(k->data, k->len, &g);
    if (match(s, &sp, &g, 1)) {
        logf_(s, "         (not that one: left queued)");
        return 0;
    }
    q_pop(s);
    return 1;
}

void ts_expect_nothing(struct ts *s)
{
    step_log(s, "EXPECT_NOTHING", "");
    if (s->qn) {
        struct ts_seg g;
        decode(q_head(s)->data, q_head(s)->len, &g);
        char line[TS_LOG_COLS];
        seg_str(s, &g, 1, line, sizeof line);
        ts_fail(s, "expected nothing, the stack sent %u packet(s), first [%s]", s->qn, line);
    }
}

/* ---- virtual time ------------------------------------------------------------------ */

u32_t ts_now(const struct ts *s)
{
    return sys_now() - s->t0;
}

/* Run virtual time to `target`, each due timeout at its own time; stop
 * early (returning 1) once a packet is queued, when asked to. */
static int run_until(struct ts *s, u32_t target, int stop_on_packet)
{
    for (;;) {
        if (stop_on_packet && s->qn)
            return 1;
        u32_t now = sys_now();
        u32_t sleep = sys_timeouts_sleeptime();
        u32_t left = target - now;
        if ((s32_t)left < 0)
            left = 0;
        if (sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE || sleep > left) {
            if (left)
                ng_host_advance(left);
            return stop_on_packet && s->qn;
        }
        if (sleep)
            ng_host_advance(sleep);
        sys_check_timeouts();
    }
}

void ts_advance(struct ts *s, u32_t ms)
{
    char text[32];
    snprintf(text, sizeof text, "%u ms", (unsigned)ms);
    step_log(s, "ADVANCE", text);
    run_until(s, sys_now() + ms, 0);
}

long ts_wait_packet(struct ts *s, u32_t max_ms)
{
    u32_t start = sys_now();
    if (run_until(s, start + max_ms, 1))
        return (long)(sys_now() - start);
    return -1;
}

u32_t ts_expect_in(struct ts *s, u32_t lo, u32_t hi, const char *fmt, ...)
{
    char text[512], head[560];
    va_list ap;
    va_start(ap, fmt);
    vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(head, sizeof head, "in %u..%u ms: %s", (unsigned)lo, (unsigned)hi, text);
    step_log(s, "EXPECT", head);
    long w = ts_wait_packet(s, hi);
    if (w < 0)
        ts_fail(s, "expected \"%s\" within %u ms, the stack sent nothing", text, (unsigned)hi);
    logf_(s, "         (after %ld ms)", w);
    if ((u32_t)w < lo)
        ts_fail(s, "expected \"%s\" no sooner than %u ms, it came after %ld ms", text,
                (unsigned)lo, w);
    expect_now(s, text);
    return (u32_t)w;
}

/* ---- the application's callbacks ------------------------------------------------ */

static int slot_of(struct ts *s, struct tcp_pcb *pcb)
{
    for (int i = 0; i < s->npcbs; i++)
        if (s->pcbs[i] == pcb && !s->pcb_gone[i])
            return i;
    return -1;
}

static err_t app_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct ts_app *a = arg;
    struct ts *s = a->s;
    LWIP_UNUSED_ARG(err);
    int main_conn = pcb == s->pcb;
    if (p == NULL) {
        logf_(s, "         app: recv FIN (pcb #%d)", a->i);
        if (main_conn)
            s->fins++;
        return ERR_OK;
    }
    u16_t n = p->tot_len;
    if (s->refuse > 0) {
        s->refuse--;
        logf_(s, "         app: recv %u bytes refused (ERR_MEM) (pcb #%d)", n, a->i);
        return ERR_MEM;     /* lwip/tcp.h: the stack keeps p and offers it again */
    }
    if (main_conn) {
        u32_t off = s->rx_total;
        for (struct pbuf *q = p; q; q = q->next)
            for (u16_t i = 0; i < q->len; i++, off++)
                if (!s->rx_bad && ((const u8_t *)q->payload)[i] != ts_peer_byte(off))
                    s->rx_bad = (int)(off + 1);
        s->rx_total += n;
    }
    logf_(s, "         app: recv %u bytes (pcb #%d)%s", n, a->i, s->hold ? ", held" : "");
    pbuf_free(p);
    if (s->hold && main_conn)
        s->rx_held += n;
    else
        tcp_recved(pcb, n);
    return ERR_OK;
}

static err_t app_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct ts_app *a = arg;
    logf_(a->s, "         app: sent callback, %u bytes acked (pcb #%d)", len, a->i);
    if (pcb == a->s->pcb)
        a->s->sent_total += len;
    return ERR_OK;
}

static void app_err(void *arg, err_t err)
{
    struct ts_app *a = arg;
    struct ts *s = a->s;
    logf_(s, "         app: err callback %s (%d) (pcb #%d)", lwip_strerr(err), err, a->i);
    s->pcb_gone[a->i] = 1;
    if (s->pcb == s->pcbs[a->i]) {
        s->pcb = NULL;
        s->errs++;
        s->err = err;
    }
}

static void adopt(struct ts *s, struct tcp_pcb *pcb)
{
    if (s->npcbs >= TS_PCBS)
        ts_fail(s, "more than %d connections", TS_PCBS);
    int i = s->npcbs++;
    s->pcbs[i] = pcb;
    s->app[i].s = s;
    s->app[i].i = i;
    tcp_arg(pcb, &s->app[i]);
    tcp_recv(pcb, app_recv);
    tcp_sent(pcb, app_sent);
    tcp_err(pcb, app_err);
}

static err_t app_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    struct ts *s = arg;
    if (newpcb == NULL || err != ERR_OK) {
        logf_(s, "         app: accept callback with error %d", err);
        return ERR_OK;
    }
    logf_(s, "         app: accepted pcb #%d (%u > %u)%s", s->npcbs, newpcb->local_port,
          newpcb->remote_port, s->accept_ret != ERR_OK ? " and refused it" : "");
    if (s->accept_ret != ERR_OK)
        return s->accept_ret;
    adopt(s, newpcb);
    if (newpcb->remote_port == s->rport)
        s->pcb = newpcb;
    s->accepts++;
    return ERR_OK;
}

static err_t app_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct ts_app *a = arg;
    logf_(a->s, "         app: connected (pcb #%d, err %d)", a->i, err);
    if (pcb == a->s->pcb)
        a->s->connects++;
    return ERR_OK;
}

/* ---- the application's calls -------------------------------------------------- */

void ts_listen(struct ts *s, u16_t port, u8_t backlog)
{
    char text[48];
    snprintf(text, sizeof text, "port %u backlog %u", port, backlog);
    step_log(s, "APP listen", text);
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb)
        ts_fail(s, "tcp_new returned NULL");
    if (tcp_bind(pcb, IP_ADDR_ANY, port) != ERR_OK)
        ts_fail(s, "tcp_bind to port %u failed", port);
    err_t err = ERR_OK;
    struct tcp_pcb *l = tcp_listen_with_backlog_and_err(
        pcb, backlog ? backlog : TCP_DEFAULT_LISTEN_BACKLOG, &err);
    if (!l)
        ts_fail(s, "tcp_listen failed: %d", err);
    tcp_arg(l, s);
    tcp_accept(l, app_accept);
    s->listener = l;
    s->lport = port;
}

void ts_connect(struct ts *s, u16_t port)
{
    char text[48];
    snprintf(text, sizeof text, "to %s port %u", TS_PEER_IP, port);
    step_log(s, "APP connect", text);
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb)
        ts_fail(s, "tcp_new returned NULL");
    adopt(s, pcb);
    s->pcb = pcb;
    s->rport = port;
    s->lport = 0;
    ip_addr_t peer;
    ip4addr_aton(TS_PEER_IP, &peer);
    err_t err = tcp_connect(pcb, &peer, port, app_connected);
    if (err != ERR_OK)
        ts_fail(s, "tcp_connect returned %d", err);
    if (!s->lport)
        s->lport = pcb->local_port;
}

void ts_app_write(struct ts *s, u16_t n, u8_t flags, err_t want)
{
    char text[48];
    snprintf(text, sizeof text, "%u bytes", n);
    step_log(s, "APP write", text);
    if (!s->pcb)
        ts_fail(s, "no connection to write to");
    u8_t *buf = malloc(n ? n : 1);
    if (!buf)
        ts_fail(s, "out of memory");
    for (u32_t i = 0; i < n; i++)
        buf[i] = ts_our_byte(s->written + i);
    err_t err = tcp_write(s->pcb, buf, n, flags);
    free(buf);      /* TCP_WRITE_FLAG_COPY: the stack has its copy */
    if (err != want)
        ts_fail(s, "tcp_write(%u) returned %d, wanted %d", n, err, want);
    if (err == ERR_OK)
        s->written += n;
}

void ts_app_output(struct ts *s)
{
    step_log(s, "APP output", "");
    if (!s->pcb)
        ts_fail(s, "no connection");
    err_t err = tcp_output(s->pcb);
    if (err != ERR_OK)
        ts_fail(s, "tcp_output returned %d", err);
}

static int main_slot(struct ts *s)
{
    int i = s->pcb ? slot_of(s, s->pcb) : -1;
    if (i < 0)
        ts_fail(s, "no connection");
    return i;
}

void ts_app_close(struct ts *s)
{
    step_log(s, "APP close", "");
    int i = main_slot(s);
    err_t err = tcp_close(s->pcb);
    if (err != ERR_OK)
        ts_fail(s, "tcp_close returned %d", err);
    s->pcb_closed[i] = 1;
    s->pcb = NULL;      /* the stack's now: looked up by its ports (ts_find_pcb) */
}

void ts_app_shutdown(struct ts *s, int rx, int tx)
{
    char text[32];
    snprintf(text, sizeof text, "rx=%d tx=%d", rx, tx);
    step_log(s, "APP shutdown", text);
    int i = main_slot(s);
    err_t err = tcp_shutdown(s->pcb, rx, tx);
    if (err != ERR_OK)
        ts_fail(s, "tcp_shutdown returned %d", err);
    if (rx && tx) {
        s->pcb_closed[i] = 1;
        s->pcb = NULL;
    }
}

void ts_app_abort(struct ts *s)
{
    step_log(s, "APP abort", "");
    main_slot(s);
    tcp_abort(s->pcb);      /* the err callback marks it gone */
    s->pcb = NULL;
}

void ts_app_recved(struct ts *s, u16_t n)
{
    char text[32];
    snprintf(text, sizeof text, "%u bytes", n);
    step_log(s, "APP recved", text);
    main_slot(s);
    tcp_recved(s->pcb, n);
}

/* ---- checks of the app's view ----------------------------------------------- */

void ts_app_expect_recv(struct ts *s, u32_t n)
{
    char text[32];
    snprintf(text, sizeof text, "%u bytes", (unsigned)n);
    step_log(s, "APP_EXPECT recv", text);
    u32_t got = s->rx_total - s->rx_seen;
    if (s->rx_bad)
        ts_fail(s, "the app received a wrong byte at stream offset %d", s->rx_bad - 1);
    if (got != n)
        ts_fail(s, "the app received %u bytes since the last check, wanted %u", (unsigned)got,
                (unsigned)n);
    s->rx_seen = s->rx_total;
}

void ts_app_expect_fin(struct ts *s, int n)
{
    step_log(s, "APP_EXPECT fin", n ? "yes" : "none");
    int got = s->fins - s->fins_seen;
    if (got != n)
        ts_fail(s, "the recv callback saw %d FIN(s) since the last check, wanted %d", got, n);
    s->fins_seen = s->fins;
}

void ts_app_expect_accepted(struct ts *s, int n)
{
    step_log(s, "APP_EXPECT accept", n ? "yes" : "none");
    int got = s->accepts - s->accepts_seen;
    if (got != n)
        ts_fail(s, "the accept callback ran %d time(s) since the last check, wanted %d", got, n);
    s->accepts_seen = s->accepts;
}

void ts_app_expect_connected(struct ts *s)
{
    step_log(s, "APP_EXPECT connected", "");
    int got = s->connects - s->connects_seen;
    if (got != 1)
        ts_fail(s, "the connected callback ran %d time(s), wanted once", got);
    s->connects_seen = s->connects;
}

void ts_app_expect_sent(struct ts *s, u32_t n)
{
    char text[32];
    snprintf(text, sizeof text, "%u bytes", (unsigned)n);
    step_log(s, "APP_EXPECT sent", text);
    u32_t got = s->sent_total - s->sent_seen;
    if (got != n)
        ts_fail(s, "the sent callback reported %u bytes since the last check, wanted %u",
                (unsigned)got, (unsigned)n);
    s->sent_seen = s->sent_total;
}

void ts_app_expect_err(struct ts *s, err_t e)
{
    char text[40];
    snprintf(text, sizeof text, "%s (%d)", e == ERR_OK ? "none" : lwip_strerr(e), e);
    step_log(s, "APP_EXPECT err", text);
    int got = s->errs - s->errs_seen;
    if (e == ERR_OK) {
        if (got)
            ts_fail(s, "the err callback ran (%d)", s->err);
        return;
    }
    if (got != 1)
        ts_fail(s, "the err callback ran %d time(s), wanted once with %d", got, e);
    if (s->err != e)
        ts_fail(s, "the err callback got %d, wanted %d", s->err, e);
    s->errs_seen = s->errs;
}

static struct tcp_pcb *find_in(struct tcp_pcb *list, const struct ts *s)
{
    for (struct tcp_pcb *p = list; p; p = p->next)
        if (p->local_port == s->lport && p->remote_port == s->rport)
            return p;
    return NULL;
}

struct tcp_pcb *ts_find_pcb(const struct ts *s)
{
    struct tcp_pcb *p = find_in(tcp_active_pcbs, s);
    return p ? p : find_in(tcp_tw_pcbs, s);
}

void ts_expect_state(struct ts *s, enum tcp_state st, const char *name)
{
    step_log(s, "EXPECT_STATE", name);
    struct tcp_pcb *p = ts_find_pcb(s);
    enum tcp_state got = p ? p->state : CLOSED;
    if (got != st)
        ts_fail(s, "the connection is in %s, wanted %s", tcp_debug_state_str(got), name);
    if (p && st == TIME_WAIT && find_in(tcp_tw_pcbs, s) != p)
        ts_fail(s, "in TIME_WAIT but not on tcp_tw_pcbs");
}

void ts_check(struct ts *s, int ok, const char *what, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    step_log(s, "CHECK", what);
    logf_(s, "         (%s)", text);
    if (!ok)
        ts_fail(s, "check failed: %s (%s)", what, text);
}

static int count(const struct tcp_pcb *p)
{
    int n = 0;
    for (; p; p = p->next)
        n++;
    return n;
}

int ts_count_active(void) { return count(tcp_active_pcbs); }
int ts_count_tw(void) { return count(tcp_tw_pcbs); }

void ts_establish(struct ts *s, u32_t isn, u16_t mss, u16_t win)
{
    const char *file = s->file;
    int line = s->line;
    ts_listen(s, 80, 0);
    if (mss)
        ts_peer(s, "SYN seq=%lu win=%u mss=%u", (unsigned long)isn, win, mss);
    else
        ts_peer(s, "SYN seq=%lu win=%u", (unsigned long)isn, win);
    s->file = file, s->line = line;
    ts_expect(s, "SYN|ACK ack=%lu", (unsigned long)(isn + 1));
    s->file = file, s->line = line;
    ts_peer(s, "ACK seq=%lu ack=$ISS+1", (unsigned long)(isn + 1));
    s->file = file, s->line = line;
    ts_app_expect_accepted(s, 1);
    s->file = file, s->line = line;
    ts_expect_state(s, ESTABLISHED, "ESTABLISHED");
}

/* ---- beginning and end --------------------------------------------------------- */

struct ts *ts_begin(struct ts *s, const char *name)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    s->rport = TS_PEER_PORT;
    s->peer_win = 8192;
    s->accept_ret = ERR_OK;
    ng_host_boot();
    ng_net_test_init();
    netif_init();
    tcp_init();
    ts_cur = s;
    s->t0 = sys_now();
    ip4_addr_t a, m, g;
    ip4addr_aton(TS_OUR_IP, &a);
    ip4addr_aton("255.255.255.0", &m);
    ip4addr_aton("10.0.2.1", &g);
    if (netif_add(&s->netif, &a, &m, &g, NULL, ts_netif_init, ip4_input) != &s->netif)
        ts_fail(s, "netif_add failed");
    netif_set_up(&s->netif);
    netif_set_link_up(&s->netif);
    logf_(s, "scenario \"%s\": us %s, peer %s", name, TS_OUR_IP, TS_PEER_IP);
    return s;
}

void ts_new_conn(struct ts *s, u16_t peer_port)
{
    ts_note(s, "a new connection from peer port %u", peer_port);
    s->rport = peer_port;
    s->iss_known = 0;
    s->our_nxt_known = 0;
    s->peer_isn_known = 0;
    s->peer_win = 8192;
    s->pcb = NULL;
    s->rx_total = s->rx_seen = 0;
    s->rx_bad = 0;
    s->written = 0;
    s->sent_total = s->sent_seen = 0;
    s->fins = s->fins_seen = 0;
}

void ts_end_at(struct ts *s, const char *file, int line)
{
    s->file = file;
    s->line = line;
    step_log(s, "END", "abort what the app holds, drain the rest");
    for (int i = 0; i < s->npcbs; i++) {
        if (s->pcb_gone[i] || s->pcb_closed[i])
            continue;
        struct tcp_pcb *p = s->pcbs[i];
        int live = 0;
        for (struct tcp_pcb *q = tcp_active_pcbs; q; q = q->next)
            live |= q == p;
        for (struct tcp_pcb *q = tcp_tw_pcbs; q; q = q->next)
            live |= q == p;
        for (struct tcp_pcb *q = tcp_bound_pcbs; q; q = q->next)
            live |= q == p;
        if (live) {
            logf_(s, "         abort pcb #%d (%s)", i, tcp_debug_state_str(p->state));
            tcp_abort(p);
        }
        s->pcb_gone[i] = 1;
    }
    s->pcb = NULL;
    if (s->listener) {
        tcp_close(s->listener);
        s->listener = NULL;
    }
    /* What the stack still holds (closed by the app: FIN_WAIT, LAST_ACK,
     * TIME_WAIT) finishes by itself: retransmission limits, 2 MSL. */
    u32_t start = sys_now();
    while ((tcp_active_pcbs || tcp_tw_pcbs) && sys_now() - start < 30u * 60u * 1000u) {
        run_until(s, sys_now() + 500, 0);
        s->qn = 0;
    }
    if (tcp_active_pcbs || tcp_tw_pcbs)
        ts_fail(s, "PCBs still active after 30 minutes: %d active, %d in TIME_WAIT",
                ts_count_active(), ts_count_tw());
    if (sys_now() != start)
        logf_(s, "         the stack's PCBs were gone after %u ms",
              (unsigned)(sys_now() - start));
    start = sys_now();
    while (*sys_timeouts_get_next_timeout() && sys_now() - start < 5000)
        run_until(s, sys_now() + 250, 0);
    if (*sys_timeouts_get_next_timeout())
        ts_fail(s, "a timeout is still armed with no PCB left (the TCP timer should stop)");
    if (tcp_bound_pcbs || tcp_listen_pcbs.pcbs)
        ts_fail(s, "bound or listening PCBs left");
    char why[600];
    why[0] = 0;
    size_t n = 0;
    for (int t = 0; t < MEMP_MAX; t++) {
        u16_t used = memp_in_use((memp_t)t);
        if (used && n < sizeof why - 64)
            n += (size_t)snprintf(why + n, sizeof why - n, " pool %s: %u in use;",
                                  memp_pools[t]->desc, (unsigned)used);
    }
    if (mem_used())
        n += (size_t)snprintf(why + n, sizeof why - n, " heap: %u bytes in use;",
                              (unsigned)mem_used());
    if (n)
        ts_fail(s, "not everything was freed:%s", why);
    ng_assert_net_clean_at(file, line);
    if (getenv("TS_LOG"))
        print_log(s, NULL);     /* TS_LOG=1: every scenario's log, passed or not */
    ts_cur = NULL;
}
