/*
 * tests/unit/tcp_script.h - the TCP scenario harness: step scripts run
 * through the real stack on the host build, with virtual time.
 *
 * A scenario plays the PEER by hand. The stack (us, 10.0.2.15) sits on an
 * interface that records every IP packet it sends; the peer (10.0.2.2) is
 * the harness, which builds each segment it sends byte by byte, IP and TCP
 * checksums computed here (RFC 1071 over the RFC 9293 3.1 pseudo-header),
 * independently of net/inet_chksum.c, and hands it to ip4_input as a
 * driver would. Every packet the stack sends is parsed and checked (IP
 * header, both checksums, addresses, ports) and queued; an EXPECT step
 * takes the oldest one and compares only the fields the step names.
 *
 *   static struct ts S;
 *   struct ts *s = ts_begin(&S, "passive open");
 *   TS_LISTEN(s, 80);
 *   TS_PEER(s, "SYN seq=1000 win=8192 mss=1000");
 *   TS_EXPECT(s, "SYN|ACK ack=1001 mss=1460 win=5840");   (sets $ISS)
 *   TS_PEER(s, "ACK seq=1001 ack=$ISS+1");
 *   TS_APP_EXPECT_ACCEPTED(s);
 *   TS_ADVANCE(s, 250);
 *   TS_EXPECT_NOTHING(s);
 *   TS_APP_WRITE(s, 100); TS_APP_OUTPUT(s);
 *   TS_EXPECT(s, "ACK|PSH seq=$ISS+1 len=100");
 *   ...
 *   ts_end(s);     (aborts what is left, drains TIME_WAIT, pools empty)
 *
 * Segment specs: the flags first ("SYN|ACK", "ACK", "RST|ACK", "-" for
 * none), then key=value fields: seq ack win len mss sport dport urp; for
 * an EXPECT also hl (header length with options); for the peer only
 * bad=chksum | bad=short and opts=HEX (raw option bytes after the MSS
 * option, padded with End of Option List to a multiple of 4). A value is an expression of
 * numbers and $VARIABLES with + - * ($ISS+1+2*536), or for an EXPECT a
 * range lo..hi, or @NAME to capture the field into $NAME. "nomss" expects
 * no MSS option. Specs are printf formats: TS_PEER(s, "ACK ack=%u", x).
 * Flags compare exactly, except PSH (RFC 9293 3.9.1 leaves it to the
 * sender): it is checked only when the spec names it; ?FLAG (RST|?ACK)
 * accepts the flag set or not.
 *
 * Defaults for the peer's segments: seq is the peer's next sequence
 * number (after its SYN and data), ack what the stack has sent so far
 * (highest seq + len, SYN and FIN counted), win the window the peer
 * announced last (8192 at first), ports the connection's. Data is a fixed
 * pattern of the sequence number (ts_peer_byte), so the app side checks
 * every byte it receives; the app's writes are ts_our_byte, and every data
 * segment the stack sends is checked against it.
 *
 * Timing: TS_ADVANCE runs virtual time to each due timeout in turn
 * (sys_check_timeouts), so times are exact; TS_EXPECT_IN(s, lo, hi, spec)
 * waits at most hi ms for the next packet and requires it to come at lo
 * ms or later.
 *
 * On a failing step the harness prints every step and every packet in
 * both directions so far, one line each, the failing step marked, then
 * fails the test. With TS_LOG=1 in the environment every scenario's log
 * is printed, passed or not.
 */
#ifndef NG_TCP_SCRIPT_H
#define NG_TCP_SCRIPT_H

#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "ng_net_test.h"

#define TS_OUR_IP "10.0.2.15"
#define TS_PEER_IP "10.0.2.2"
#define TS_PEER_PORT 40000          /* the peer's port unless the scenario says */

#define TS_QUEUE 64                 /* packets the stack sent not yet expected */
#define TS_PKT_MAX 1600
#define TS_LOG_LINES 600
#define TS_LOG_COLS 168
#define TS_VARS 16
#define TS_PCBS 16

struct ts_pkt {
    u32_t t;                        /* sys_now() when it was sent */
    u16_t len;
    u8_t data[TS_PKT_MAX];
};

/* One TCP segment, decoded (host order). */
struct ts_seg {
    u16_t sport, dport;
    u32_t seq, ack;
    u8_t flags;
    u16_t win, urp;
    u16_t len;                      /* data bytes */
    u16_t hlen;                     /* header length, options included */
    int mss;                        /* MSS option value, -1 if absent */
    const u8_t *data;
};

struct ts {
    const char *name;
    struct netif netif;
    u32_t t0;                       /* sys_now() at ts_begin */

    /* packets from the stack not yet taken by an EXPECT step */
    struct ts_pkt q[TS_QUEUE];
    unsigned qhead, qn, qlost;

    /* the log of steps and packets */
    char log[TS_LOG_LINES][TS_LOG_COLS];
    unsigned nlog, log_lost;
    int step;
    const char *file;
    int line;

    struct {
        char name[12];
        u32_t v;
    } vars[TS_VARS];
    int nvars;

    /* the main connection: our port, the peer's port */
    u16_t lport, rport;
    int iss_known;
    u32_t iss;
    u32_t our_nxt;                  /* highest seq + len the stack sent (main conn) */
    int our_nxt_known;
    int peer_isn_known;
    u32_t peer_isn, peer_nxt;
    u16_t peer_win;

    /* the application; each PCB's callback arg is its app[] slot */
    struct ts_app {
        struct ts *s;
        int i;
    } app[TS_PCBS];
    struct tcp_pcb *listener;
    struct tcp_pcb *pcb;            /* the main connection's PCB (NULL once gone) */
    struct tcp_pcb *pcbs[TS_PCBS];  /* every PCB accepted or connected, in order */
    u8_t pcb_gone[TS_PCBS];         /* err callback ran, or the app aborted it */
    u8_t pcb_closed[TS_PCBS];       /* the app called tcp_close (the stack owns it) */
    int npcbs;
    int hold;                       /* recv does not call tcp_recved */
    int refuse;                     /* recv refuses (ERR_MEM) this many more times */
    err_t accept_ret;               /* what the accept callback returns */
    u32_t written;                  /* bytes tcp_write took so far */
    u32_t rx_total, rx_seen, rx_held;
    int rx_bad;                     /* offset+1 of the first wrong byte received */
    int fins, fins_seen;
    int errs, errs_seen;
    err_t err;
    u32_t sent_total, sent_seen;
    int accepts, accepts_seen;
    int connects, connects_seen;
};

/* Bring the stack up (memory, interfaces, TCP) and start a scenario. */
struct ts *ts_begin(struct ts *s, const char *name);
/* Abort what the app still holds, close the listener, let the stack's
 * own PCBs finish (TIME_WAIT drained by advancing time), check that the
 * TCP timer stopped and every pool and the heap are empty. */
#define ts_end(s) ts_end_at((s), __FILE__, __LINE__)
void ts_end_at(struct ts *s, const char *file, int line);

/* Another connection from the peer (a new port): forget the peer's and
 * our sequence state; the listener and the log stay. */
void ts_new_conn(struct ts *s, u16_t peer_port);

#define TS_AT(s) ((s)->file = __FILE__, (s)->line = __LINE__, (s))

/* ---- the peer and the wire ----------------------------------------------------- */
#define TS_PEER(s, ...) ts_peer(TS_AT(s), __VA_ARGS__)
#define TS_EXPECT(s, ...) ts_expect(TS_AT(s), __VA_ARGS__)
#define TS_EXPECT_IN(s, lo, hi, ...) ts_expect_in(TS_AT(s), (lo), (hi), __VA_ARGS__)
#define TS_EXPECT_NOTHING(s) ts_expect_nothing(TS_AT(s))
/* Take the next packet if it matches the spec (1), else leave it (0). */
#define TS_EXPECT_MAYBE(s, ...) ts_expect_maybe(TS_AT(s), __VA_ARGS__)
#define TS_ADVANCE(s, ms) ts_advance(TS_AT(s), (ms))
void ts_peer(struct ts *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ts_expect(struct ts *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the ms waited. */
u32_t ts_expect_in(struct ts *s, u32_t lo, u32_t hi, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ts_expect_maybe(struct ts *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ts_expect_nothing(struct ts *s);
void ts_advance(struct ts *s, u32_t ms);
/* Advance until the stack sends something, at most max_ms; returns the
 * ms waited, or -1 if nothing came (time then advanced by max_ms). */
long ts_wait_packet(struct ts *s, u32_t max_ms);
/* Packets queued, not yet expected. */
unsigned ts_pending(const struct ts *s);
/* The next queued packet, decoded (fails if none), without taking it. */
struct ts_seg ts_peek(struct ts *s);

/* The usual start: listen on port 80; the peer's SYN (seq isn, MSS option
 * mss unless 0, window win), our SYN|ACK, the peer's ACK; accepted and
 * ESTABLISHED. The peer's data then starts at isn + 1 ($PISN + 1). */
#define TS_ESTABLISH(s, isn, mss, win) ts_establish(TS_AT(s), (isn), (mss), (win))
void ts_establish(struct ts *s, u32_t isn, u16_t mss, u16_t win);

/* ---- the application (the raw API, called in the test thread) ----------------- */
#define TS_LISTEN(s, port) ts_listen(TS_AT(s), (port), 0)
#define TS_LISTEN_BACKLOG(s, port, backlog) ts_listen(TS_AT(s), (port), (backlog))
#define TS_CONNECT(s, port) ts_connect(TS_AT(s), (port))
#define TS_APP_WRITE(s, n) ts_app_write(TS_AT(s), (n), TCP_WRITE_FLAG_COPY, ERR_OK)
#define TS_APP_WRITE_ERR(s, n, want) ts_app_write(TS_AT(s), (n), TCP_WRITE_FLAG_COPY, (want))
#define TS_APP_OUTPUT(s) ts_app_output(TS_AT(s))
#define TS_APP_CLOSE(s) ts_app_close(TS_AT(s))
#define TS_APP_SHUTDOWN(s, rx, tx) ts_app_shutdown(TS_AT(s), (rx), (tx))
#define TS_APP_ABORT(s) ts_app_abort(TS_AT(s))
#define TS_APP_RECVED(s, n) ts_app_recved(TS_AT(s), (n))
/* 1: the recv callback keeps the data (no tcp_recved); 0: consumes it. */
#define TS_APP_HOLD(s, on) ((s)->hold = (on))
void ts_listen(struct ts *s, u16_t port, u8_t backlog);
void ts_connect(struct ts *s, u16_t port);
void ts_app_write(struct ts *s, u16_t n, u8_t flags, err_t want);
void ts_app_output(struct ts *s);
void ts_app_close(struct ts *s);
void ts_app_shutdown(struct ts *s, int rx, int tx);
void ts_app_abort(struct ts *s);
void ts_app_recved(struct ts *s, u16_t n);

/* Since the last check of the same kind: n bytes received (every byte
 * checked against the peer's pattern), one FIN, one accept, one
 * connected, n bytes reported sent, the err callback with err. */
#define TS_APP_EXPECT_RECV(s, n) ts_app_expect_recv(TS_AT(s), (n))
#define TS_APP_EXPECT_FIN(s) ts_app_expect_fin(TS_AT(s), 1)
#define TS_APP_EXPECT_NO_FIN(s) ts_app_expect_fin(TS_AT(s), 0)
#define TS_APP_EXPECT_ACCEPTED(s) ts_app_expect_accepted(TS_AT(s), 1)
#define TS_APP_EXPECT_NOT_ACCEPTED(s) ts_app_expect_accepted(TS_AT(s), 0)
#define TS_APP_EXPECT_CONNECTED(s) ts_app_expect_connected(TS_AT(s))
#define TS_APP_EXPECT_SENT(s, n) ts_app_expect_sent(TS_AT(s), (n))
#define TS_APP_EXPECT_ERR(s, e) ts_app_expect_err(TS_AT(s), (e))
#define TS_APP_EXPECT_NO_ERR(s) ts_app_expect_err(TS_AT(s), ERR_OK)
/* The main connection's state, found in the stack's PCB lists by its
 * ports (CLOSED when it is in none). */
#define TS_EXPECT_STATE(s, st) ts_expect_state(TS_AT(s), (st), #st)
void ts_app_expect_recv(struct ts *s, u32_t n);
void ts_app_expect_fin(struct ts *s, int n);
void ts_app_expect_accepted(struct ts *s, int n);
void ts_app_expect_connected(struct ts *s);
void ts_app_expect_sent(struct ts *s, u32_t n);
void ts_app_expect_err(struct ts *s, err_t e);
void ts_expect_state(struct ts *s, enum tcp_state st, const char *name);

/* A check of the test's own, logged and failing like a step:
 * TS_CHECK(s, s->pcb->cwnd == 2680, "cwnd %u", s->pcb->cwnd). */
#define TS_CHECK(s, cond, ...) ts_check(TS_AT(s), (cond) ? 1 : 0, #cond, __VA_ARGS__)
void ts_check(struct ts *s, int ok, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A note in the log. */
void ts_note(struct ts *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail now, printing the log. */
void ts_fail(struct ts *s, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* $NAME (fails if never set) and setting it. */
u32_t ts_var(struct ts *s, const char *name);
void ts_set_var(struct ts *s, const char *name, u32_t v);
/* ms since ts_begin. */
u32_t ts_now(const struct ts *s);
/* The main connection's PCB in the stack's lists (NULL when none). */
struct tcp_pcb *ts_find_pcb(const struct ts *s);
/* How many PCBs are on the active and TIME_WAIT lists. */
int ts_count_active(void);
int ts_count_tw(void);

/* The data patterns: byte at stream offset off (0 = first data byte). */
static inline u8_t ts_peer_byte(u32_t off) { return (u8_t)(off * 7u + (off >> 8) + 0x31u); }
static inline u8_t ts_our_byte(u32_t off) { return (u8_t)(off * 13u + (off >> 9) + 0x5au); }

#endif
