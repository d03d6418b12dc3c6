"""The network stack's state: "ng pcbs", "ng netifs", "ng arp", "ng pools".

Each walks the stack's own tables by the names net/ gives them (the TCP
PCB lists of net/tcp.c, udp_pcbs, raw_pcbs, netif_list, arp_table,
memp_pools), reading memory only. A table a program does not have (a
build without TCP, the mailbox demo without a network) is reported as
absent, not as an error, so the commands work in every image.
"""

import gdb

from .common import MAX_LIST, NgCommand, NgError, U32, at, describe_ptr, lookup, out, ptr

# enum tcp_state of include/lwip/tcp.h (RFC 9293 3.3.2).
TCP_STATES = ("CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
              "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT")

# enum etharp_state of net/etharp.c, by value.
ARP_STATES = {0: "EMPTY", 1: "PENDING", 2: "STABLE", 3: "STABLE_REREQ1",
              4: "STABLE_REREQ2", 5: "STATIC"}


def _symbol(name):
    """The value of global `name`, or None when the program has none."""
    try:
        return lookup(name)
    except (NgError, gdb.error):
        return None


def _ip(v):
    """A dotted quad from an ip_addr_t / ip4_addr_t value (addr is in
    network order in memory, so the first byte is the lowest)."""
    a = int(v["addr"]) & U32
    return "%d.%d.%d.%d" % (a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, a >> 24)


def _walk(head, type_):
    """The structures of a singly linked list starting at pointer head."""
    node = ptr(head)
    seen = 0
    while node:
        seen += 1
        if seen > MAX_LIST:
            raise NgError("a list is corrupt (a loop)")
        v = at(node, type_)
        yield node, v
        node = ptr(v["next"])


def _state_name(v):
    n = int(v)
    return TCP_STATES[n] if 0 <= n < len(TCP_STATES) else "state %d" % n


def _seglen(head, type_):
    return sum(1 for _ in _walk(head, type_))


class NgPcbs(NgCommand):
    """List the protocol control blocks: TCP (active, TIME_WAIT, listening,
bound), UDP and raw.

Usage: ng pcbs

For each TCP connection: its state, local and remote address and port,
the send and receive sequence numbers (SND.UNA, SND.NXT, RCV.NXT), the
windows (peer's, ours, congestion), the RTO in slow-timer ticks, and how
many segments wait on its unsent, unacked and out-of-order queues."""

    name = "ng pcbs"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        shown = self.tcp() + self.udp() + self.raw()
        if not shown:
            out("no PCBs (this program has no TCP, UDP or raw IP)")

    def tcp(self):
        lists = [("active", "tcp_active_pcbs", "struct tcp_pcb"),
                 ("time-wait", "tcp_tw_pcbs", "struct tcp_pcb"),
                 ("listen", "tcp_listen_pcbs", "struct tcp_pcb_listen"),
                 ("bound", "tcp_bound_pcbs", "struct tcp_pcb")]
        if _symbol("tcp_active_pcbs") is None:
            return 0
        seg_t = gdb.lookup_type("struct tcp_seg")
        n = 0
        for title, sym, tname in lists:
            head = _symbol(sym)
            if head is None:
                continue
            if sym == "tcp_listen_pcbs":
                head = head["listen_pcbs"]
            rows = list(_walk(head, gdb.lookup_type(tname)))
            out("tcp %s: %d" % (title, len(rows)))
            for addr, p in rows:
                n += 1
                line = "  0x%08x %-11s %s:%d" % (addr, _state_name(p["state"]), _ip(p["local_ip"]),
                                                 int(p["local_port"]))
                if tname == "struct tcp_pcb_listen":
                    line += "  backlog %d/%d accept %s" % (
                        int(p["accepts_pending"]), int(p["backlog"]),
                        describe_ptr(ptr(p["accept"]) & ~1))
                    out(line)
                    continue
                line += " -> %s:%d" % (_ip(p["remote_ip"]), int(p["remote_port"]))
                out(line)
                out("      una %u nxt %u rcv_nxt %u  snd_wnd %d rcv_wnd %d cwnd %d ssthresh %d"
                    % (int(p["lastack"]) & U32, int(p["snd_nxt"]) & U32,
                       int(p["rcv_nxt"]) & U32, int(p["snd_wnd"]), int(p["rcv_wnd"]),
                       int(p["cwnd"]), int(p["ssthresh"])))
                out("      mss %d rto %d nrtx %d sndbuf %d  unsent %d unacked %d ooseq %d"
                    "  flags 0x%04x"
                    % (int(p["mss"]), int(p["rto"]), int(p["nrtx"]), int(p["snd_buf"]),
                       _seglen(p["unsent"], seg_t), _seglen(p["unacked"], seg_t),
                       _seglen(p["ooseq"], seg_t), int(p["flags"])))
        return n + 1

    def udp(self):
        head = _symbol("udp_pcbs")
        if head is None:
            return 0
        rows = list(_walk(head, gdb.lookup_type("struct udp_pcb")))
        out("udp: %d" % len(rows))
        for addr, p in rows:
            out("  0x%08x %s:%d -> %s:%d  recv %s" % (
                addr, _ip(p["local_ip"]), int(p["local_port"]), _ip(p["remote_ip"]),
                int(p["remote_port"]), describe_ptr(ptr(p["recv"]) & ~1)))
        return len(rows) + 1

    def raw(self):
        head = _symbol("raw_pcbs")
        if head is None:
            return 0
        rows = list(_walk(head, gdb.lookup_type("struct raw_pcb")))
        out("raw: %d" % len(rows))
        for addr, p in rows:
            out("  0x%08x protocol %d %s -> %s  recv %s" % (
                addr, int(p["protocol"]), _ip(p["local_ip"]), _ip(p["remote_ip"]),
                describe_ptr(ptr(p["recv"]) & ~1)))
        return len(rows) + 1


class NgNetifs(NgCommand):
    """List the network interfaces: name, addresses, MTU, flags, counters.

Usage: ng netifs"""

    name = "ng netifs"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        head = _symbol("netif_list")
        if head is None:
            out("no interfaces (this program has no network stack)")
            return
        default = _symbol("netif_default")
        default = ptr(default) if default is not None else 0
        for addr, n in _walk(head, gdb.lookup_type("struct netif")):
            name = "%c%c%d" % (int(n["name"][0]), int(n["name"][1]), int(n["num"]))
            hw = ":".join("%02x" % int(n["hwaddr"][i]) for i in range(int(n["hwaddr_len"])))
            out("%-6s ip %s mask %s gw %s mtu %d flags 0x%02x%s" % (
                name + ("*" if addr == default else ""), _ip(n["ip_addr"]), _ip(n["netmask"]),
                _ip(n["gw"]), int(n["mtu"]), int(n["flags"]), (" hwaddr " + hw) if hw else ""))
            out("      rx %d frames %d bytes %d drops  tx %d frames %d bytes %d drops" % (
                int(n["rx_frames"]), int(n["rx_bytes"]), int(n["rx_drops"]),
                int(n["tx_frames"]), int(n["tx_bytes"]), int(n["tx_drops"])))


class NgArp(NgCommand):
    """List the ARP table entries in use: address, MAC, state, age, queue.

Usage: ng arp"""

    name = "ng arp"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        table = _symbol("arp_table")
        if table is None:
            out("no ARP table (this program has no etharp)")
            return
        size = table.type.range()[1] + 1
        used = 0
        for i in range(size):
            e = table[i]
            state = int(e["state"])
            if state == 0:
                continue
            used += 1
            mac = ":".join("%02x" % int(e["ethaddr"]["addr"][k]) for k in range(6))
            queued = sum(1 for _ in _walk(e["q"], gdb.lookup_type("struct etharp_q_entry")))
            out("  %2d %-15s %s %-13s age %3d s  %d queued" % (
                i, _ip(e["ipaddr"]), mac, ARP_STATES.get(state, str(state)),
                int(e["ctime"]), queued))
        out("%d of %d entries in use" % (used, size))


class NgPools(NgCommand):
    """The memory pools and the heap: in use now, the most ever, failures.

Usage: ng pools"""

    name = "ng pools"

    def run(self, arg, from_tty):
        if arg:
            raise NgError("takes no arguments")
        pools = _symbol("memp_pools")
        if pools is None:
            out("no memory pools (this program has no network stack)")
            return
        out("  %-16s %5s %5s %5s %5s %5s" % ("POOL", "SIZE", "NUM", "USED", "MAX", "ERR"))
        for i in range(pools.type.range()[1] + 1):
            d = pools[i].dereference()
            s = d["stats"].dereference()
            out("  %-16s %5d %5d %5d %5d %5d" % (
                d["desc"].string(), int(d["size"]), int(d["num"]), int(s["used"]),
                int(s["max"]), int(s["err"])))
        stats = _symbol("lwip_stats")
        if stats is not None:
            m = stats["mem"]
            out("  %-16s %5s %5d %5d %5d %5d" % ("heap", "-", int(m["avail"]), int(m["used"]),
                                                 int(m["max"]), int(m["err"])))
