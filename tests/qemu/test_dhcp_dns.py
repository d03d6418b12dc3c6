"""tests/qemu/test_dhcp_dns.py - the DHCP and DNS clients (net/dhcp.c,
net/dns.c, through api/netdb.c) against real peers on the real board model
(issue 5: "DHCP from slirp, DNS against a scripted resolver").

The board runs apps/dhcp_demo: its interface comes up with no address,
dhcp_start runs in tcpip_thread, the lease is printed, then each name of
resolve= is looked up with lwip_getaddrinfo, the first one twice, and the
counters are printed.

1. SlirpTest: QEMU's own DHCP server (-netdev user). The lease must be
   10.0.2.15/24 via 10.0.2.2 with DNS server 10.0.2.3. A filter-dump pcap,
   read here, must hold exactly DISCOVER, OFFER, REQUEST, ACK, all with one
   xid, the REQUEST with options 53, 50 and 54. Then the host reaches the
   board at its leased address through a hostfwd (the demo's UDP echo), and
   the names that need no server (a dotted quad, "localhost") resolve.
   slirp's DNS forwards to the host's resolver, which may have no Internet:
   nothing here depends on it.
2. ScriptedPeerTest: tests/qemu/dhcp_dns_peer.py over -netdev dgram plays
   the DHCP server (and gateway) 192.0.2.1 and two DNS servers, 192.0.2.53
   and 192.0.2.54, on one link.
   - test_full_exchange: each DHCP message is checked field by field;
     OFFERs with the wrong xid or another client's chaddr, and with a wrong
     cookie, op BOOTREQUEST or an option running past the end, come first
     and must be counted as drops (DHCP_UNMATCHED, DHCP_MALFORMED); the
     lease 192.0.2.77/24 and both DNS servers must be on the console. Then
     DNS: every query's bytes (id, RD, QTYPE A, QCLASS IN, the name's
     labels, source port random and not 53, UDP checksum); an answer whose
     records use compression pointers (a CNAME, then the A record); a second
     lookup answered by the cache (no second query on the wire); NXDOMAIN
     reported as an error at once; a name the first server ignores, retried
     DNS_MAX_RETRIES times a second apart and then answered by the second;
     six malformed answers (a pointer loop, a forward pointer, RDLENGTH past
     the end, a reserved label type, QR clear, a short header: DNS_MALFORMED)
     and four that are not the query's (id, source port, server, question:
     DNS_UNMATCHED) before the right one; SERVFAIL moving to the second
     server at once; an answer in another letter case matching; a TTL of 0
     not cached. Every pool and the heap must be back afterwards.
   - test_nak_then_lease: the first REQUEST is answered with a NAK; the
     client backs off, starts over with a new xid, and gets the lease.
   - test_renew_at_t1: a 120 s lease with T1 = 60 s, under -icount
     shift=0,sleep=off (an idle board's virtual time runs ahead): at T1 the
     client unicasts a REQUEST to the server from its address (ciaddr set,
     no options 50 and 54), which is ACKed.
   - test_rebind_then_expiry: a 180 s lease, T1 60 s, T2 120 s, and a
     server that goes silent: renewing (unicast), rebinding (broadcast from
     the leased address), then at the lease's end the address goes and
     DISCOVERs start from 0.0.0.0 with a new xid.
Nothing waits a fixed time for the board: every step waits for a frame or
a console line, with generous limits.

    python3 -m unittest tests.qemu.test_dhcp_dns -v
"""
import os
import re
import shutil
import socket
import struct
import tempfile
import time
import unittest

from tests.qemu import qemu
from tests.qemu import peer as P
from tests.qemu import dhcp_dns_peer as D

APP = "dhcp_demo"
BOARD_MAC = "52:54:00:12:34:56"
SERVER = "192.0.2.1"            # DHCP server and gateway
DNS1, DNS2 = "192.0.2.53", "192.0.2.54"
OFFERED = "192.0.2.77"
MASK = "255.255.255.0"
HOSTNAME = "ngtest"
DNS_MAX_RETRIES = 4             # lwip/opt.h: queries to one server before the next
WAIT = 30.0                     # generous: the machine is shared


class Board(qemu.LiveBoard):
    """dhcp_demo in QEMU, its console read line by line as it comes."""

    def __init__(self, testcase, args, netdev, icount=False):
        self.elf = qemu.require_elf(testcase, APP)
        sh = ",".join(["enable=on", "target=native", "arg=" + APP] +
                      ["arg=" + a.replace(",", ",,") for a in args])
        cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
               "-semihosting-config", sh, "-kernel", self.elf] + list(netdev)
        if icount:
            cmd[1:1] = ["-icount", "shift=0,sleep=off"]
        super().__init__(cmd, prefix="ngdhcp-")
        testcase.addCleanup(self.close)

    def wait_line(self, pattern, timeout=WAIT):
        return super().wait_line(pattern, timeout)

    def wait_exit(self, timeout, serve=None):
        """QEMU's exit status (serve() is called meanwhile, e.g. a peer's
        idle); fails the test when it does not stop."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if serve:
                serve()
            else:
                time.sleep(0.1)
        if self.proc.poll() is None:
            raise AssertionError("dhcp_demo did not stop:\n" + self.console())
        self.reader.join(timeout=10)
        return self.proc.returncode


def board_drops(console):
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^dhcp_demo: drop (\w+) (\d+)$", console, re.M)}


def dhcp_counters(console):
    m = re.search(r"dhcp_demo: dhcp: state (\w+), discovers (\d+), requests (\d+), acks (\d+), "
                  r"naks (\d+), bad (\d+)", console)
    if not m:
        return None
    return dict(state=m.group(1), **{k: int(v) for k, v in zip(
        ("discovers", "requests", "acks", "naks", "bad"), m.groups()[1:])})


def dns_counters(console):
    m = re.search(r"dhcp_demo: dns: queries (\d+), answers (\d+), retries (\d+), failures (\d+), "
                  r"cache hits (\d+), dropped (\d+)", console)
    if not m:
        return None
    return dict(zip(("queries", "answers", "retries", "failures", "cache_hits", "dropped"),
                    map(int, m.groups())))


def lookup_line(console, name, second=False):
    """(address or None, error or None, ms) of the board's line for name."""
    tail = r" \(second lookup\)" if second else r"$"
    m = re.search(r"^dhcp_demo: %s -> (?:(\d+\.\d+\.\d+\.\d+)|error (-?\d+)) in (\d+) ms%s" %
                  (re.escape(name), tail), console, re.M)
    if not m:
        return None
    return m.group(1), (int(m.group(2)) if m.group(2) else None), int(m.group(3))


class DhcpChecks:
    """Field-by-field checks of the board's DHCP messages (RFC 2131 figure
    1 and table 5, RFC 2132), shared by the tests."""

    def check_client_message(self, u, d, msg_type, xid=None):
        board = P.mac_bytes(BOARD_MAC)
        self.assertEqual((u.sport, u.dport), (68, 67))
        self.assertTrue(u.checksum_ok, "bad UDP checksum on the board's %r" % d)
        self.assertEqual(d.type, msg_type, d)
        self.assertEqual((d.op, d.htype, d.hlen, d.hops), (1, 1, 6, 0), d)
        if xid is not None:
            self.assertEqual(d.xid, xid, "the xid changed within one exchange")
        self.assertEqual(d.secs, 0)
        self.assertEqual(d.flags, 0, "the broadcast bit is not set (the client takes unicast)")
        self.assertEqual(d.chaddr, board + b"\0" * 10)
        self.assertEqual(d.yiaddr, "0.0.0.0")
        self.assertEqual((d.siaddr, d.giaddr), ("0.0.0.0", "0.0.0.0"))
        self.assertEqual((d.sname, d.file), (b"\0" * 64, b"\0" * 128))
        self.assertEqual(d.cookie, D.DHCP_COOKIE)
        self.assertTrue(d.has_end, "no END option")
        self.assertGreaterEqual(d.length, 300, "shorter than the BOOTP minimum")
        self.assertEqual(d.option_list[0], (D.OPT_TYPE, bytes([msg_type])),
                         "option 53 should come first")
        self.assertEqual(d.options.get(D.OPT_CLIENT_ID), b"\x01" + board)
        self.assertEqual(len(d.option_list), len(d.options), "an option appears twice")

    def check_asks_parameters(self, d):
        self.assertGreaterEqual(struct.unpack("!H", d.options[D.OPT_MAX_SIZE])[0], 576)
        self.assertTrue({D.OPT_MASK, D.OPT_ROUTER, D.OPT_DNS} <= set(d.options[D.OPT_PARAMS]),
                        d.options.get(D.OPT_PARAMS))

    def check_broadcast_from_nowhere(self, f):
        self.assertEqual((f.dst, f.src), (P.BROADCAST, P.mac_bytes(BOARD_MAC)))
        self.assertEqual((f.ip.src, f.ip.dst), ("0.0.0.0", "255.255.255.255"))
        self.assertTrue(f.ip.checksum_ok)


# ---- 1. slirp ------------------------------------------------------------------

class SlirpTest(unittest.TestCase, DhcpChecks):

    def test_lease_from_slirp(self):
        host_port = P.free_udp_port()
        limit = 15                  # seconds of the board's: then it reports and exits
        workdir = tempfile.mkdtemp(prefix="ngdhcp-pcap-")
        self.addCleanup(shutil.rmtree, workdir, True)
        pcap = os.path.join(workdir, "dhcp.pcap")
        netdev = ["-netdev", "user,id=n0,hostfwd=udp:127.0.0.1:%d-:7" % host_port,
                  "-net", "nic,netdev=n0,model=stellaris,macaddr=" + BOARD_MAC,
                  "-object", "filter-dump,id=f0,netdev=n0,file=" + pcap]
        board = Board(self, ["resolve=10.1.2.3,localhost", "echo=7", "limit=%d" % limit,
                             "timeout=20"], netdev)
        m = board.wait_line(r"^dhcp_demo: (bound .*|no lease .*)$")
        self.assertIsNotNone(m, "no lease line:\n" + board.console())
        self.assertRegex(m.group(1), r"^bound 10\.0\.2\.15 mask 255\.255\.255\.0 gw 10\.0\.2\.2 "
                                     r"dns 10\.0\.2\.3 \(lease \d+ s, \d+ ms after dhcp_start\)$")
        self.assertIsNotNone(board.wait_line(r"^dhcp_demo: echo: udp port 7$"), board.console())

        # The host reaches the leased address through slirp's forward.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(s.close)
        s.settimeout(0.5)
        payload = b"dhcp_demo echo %d" % os.getpid()
        reply = None
        deadline = time.monotonic() + WAIT
        while reply is None and time.monotonic() < deadline and board.proc.poll() is None:
            s.sendto(payload, ("127.0.0.1", host_port))
            try:
                reply = s.recv(2048)
            except socket.timeout:
                continue
        self.assertEqual(reply, payload, "no echo from the board through the hostfwd:\n" +
                         board.console())

        self.assertEqual(board.wait_exit(limit + WAIT), 0, board.console())
        console = board.console()
        # Names that need no server; the second lookup is the first name again.
        self.assertEqual(lookup_line(console, "10.1.2.3")[:2], ("10.1.2.3", None), console)
        self.assertEqual(lookup_line(console, "localhost")[:2], ("127.0.0.1", None), console)
        self.assertEqual(lookup_line(console, "10.1.2.3", second=True)[:2], ("10.1.2.3", None))
        self.assertEqual(dhcp_counters(console),
                         dict(state="BOUND", discovers=1, requests=1, acks=1, naks=0, bad=0))
        self.assertEqual(dns_counters(console)["queries"], 0, "these names need no server")
        self.assertIn("dhcp_demo: every pool and the heap are back to their start-up levels",
                      console)

        frames = []
        for _t, raw in D.read_pcap(pcap):
            f = P.Frame(raw)
            f.datagram = (f.ip.header, f.ip.payload) if f.ip else None
            frames.append(f)
        msgs = []
        for f in frames:
            got = D.dhcp_of(f, None, None)
            if got and {got[0].sport, got[0].dport} == {67, 68}:
                msgs.append((f,) + got)
        self.assertEqual([d.type for _f, _u, d in msgs], [D.DISCOVER, D.OFFER, D.REQUEST, D.ACK],
                         msgs)
        (fd, ud, disc), (_fo, _uo, offer), (fr, ur, req), (_fa, _ua, ack) = msgs
        self.assertEqual(len({disc.xid, offer.xid, req.xid, ack.xid}), 1, "xids differ")
        self.check_client_message(ud, disc, D.DISCOVER)
        self.check_client_message(ur, req, D.REQUEST, disc.xid)
        self.check_broadcast_from_nowhere(fd)
        self.check_broadcast_from_nowhere(fr)
        self.check_asks_parameters(req)
        self.assertEqual(disc.options.get(D.OPT_HOSTNAME), b"netglass")
        self.assertEqual(req.options.get(D.OPT_TYPE), bytes([D.REQUEST]))
        self.assertEqual(req.addr_option(D.OPT_REQUESTED_IP), "10.0.2.15")
        self.assertIsNotNone(offer.addr_option(D.OPT_SERVER_ID))
        self.assertEqual(req.addr_option(D.OPT_SERVER_ID), offer.addr_option(D.OPT_SERVER_ID))
        self.assertEqual((offer.yiaddr, ack.yiaddr), ("10.0.2.15", "10.0.2.15"))
        # The echo's reply left from the leased address.
        echoes = [u for u in (D.udp_of(f, sport=7) for f in frames) if u is not None]
        self.assertTrue(any(u.src == "10.0.2.15" and u.payload == payload for u in echoes),
                        "no echo from 10.0.2.15 in the pcap")


# ---- 2. the scripted peer ------------------------------------------------------------

class ScriptedPeerTest(unittest.TestCase, DhcpChecks):

    def boot(self, args, icount=False):
        self.peer = D.ServerPeer(addrs=(SERVER, DNS1, DNS2))
        self.addCleanup(self.peer.close)
        self.board = Board(self, args, self.peer.qemu_netdev_args(BOARD_MAC), icount=icount)

    def next_dhcp(self, msg_type, timeout=WAIT):
        f = self.peer.run_until(lambda fr: (lambda g: g is not None and g[1].type == msg_type)(
            D.dhcp_of(fr)), timeout)
        self.assertIsNotNone(f, "no DHCP %s from the board:\n%s" %
                             (D.TYPE_NAMES[msg_type], self.board.console()))
        return (f,) + D.dhcp_of(f)

    def reply(self, msg_type, xid, yiaddr, options=(), broadcast=False, **kw):
        """A server reply from SERVER:67: by broadcast, or unicast to the
        offered address at the client's MAC (RFC 2131 4.1, broadcast bit
        clear)."""
        board = P.mac_bytes(BOARD_MAC)
        msg = D.dhcp_reply(msg_type, xid, board, yiaddr, server=SERVER, options=options, **kw)
        if broadcast:
            self.peer.send_udp(SERVER, "255.255.255.255", 67, 68, msg, dst_mac=P.BROADCAST)
        else:
            self.peer.send_udp(SERVER, yiaddr, 67, 68, msg, dst_mac=board)

    @staticmethod
    def lease_options(lease=3600, t1=None, t2=None):
        o = [D.opt(D.OPT_LEASE, struct.pack("!I", lease)),
             D.opt(D.OPT_MASK, P.ip_bytes(MASK)),
             D.opt(D.OPT_ROUTER, P.ip_bytes(SERVER)),
             D.opt(D.OPT_DNS, P.ip_bytes(DNS1) + P.ip_bytes(DNS2))]
        if t1 is not None:
            o.append(D.opt(D.OPT_T1, struct.pack("!I", t1)))
        if t2 is not None:
            o.append(D.opt(D.OPT_T2, struct.pack("!I", t2)))
        return o

    def lease(self, lease=3600, t1=None, t2=None, first_offer_hook=None):
        """DISCOVER -> OFFER -> REQUEST -> ACK with every message checked;
        returns the DISCOVER's xid."""
        f, u, disc = self.next_dhcp(D.DISCOVER)
        self.check_client_message(u, disc, D.DISCOVER)
        self.check_broadcast_from_nowhere(f)
        self.check_asks_parameters(disc)
        self.assertNotIn(D.OPT_REQUESTED_IP, disc.options)
        self.assertNotIn(D.OPT_SERVER_ID, disc.options)
        if first_offer_hook:
            first_offer_hook(disc)
        self.reply(D.OFFER, disc.xid, OFFERED, self.lease_options(lease, t1, t2))
        f, u, req = self.next_dhcp(D.REQUEST)
        self.check_client_message(u, req, D.REQUEST, disc.xid)
        self.check_broadcast_from_nowhere(f)
        self.check_asks_parameters(req)
        self.assertEqual(req.ciaddr, "0.0.0.0")
        self.assertEqual(req.addr_option(D.OPT_REQUESTED_IP), OFFERED)
        self.assertEqual(req.addr_option(D.OPT_SERVER_ID), SERVER)
        self.reply(D.ACK, req.xid, OFFERED, self.lease_options(lease, t1, t2), broadcast=True)
        return disc.xid

    def expect_bound(self):
        m = self.board.wait_line(r"^dhcp_demo: (bound .*|no lease .*)$")
        self.assertIsNotNone(m, "no lease line:\n" + self.board.console())
        self.assertRegex(m.group(1), r"^bound %s mask %s gw %s dns %s %s \(lease \d+ s, "
                         r"(\d+) ms after dhcp_start\)$" %
                         tuple(map(re.escape, (OFFERED, MASK, SERVER, DNS1, DNS2))))

    def next_query(self, name, timeout=WAIT):
        f = self.peer.run_until(lambda fr: (lambda g: g is not None and g[1].name == name)(
            D.dns_of(fr)), timeout)
        self.assertIsNotNone(f, "no DNS query for %s:\n%s" % (name, self.board.console()))
        return (f,) + D.dns_of(f)

    def check_query(self, f, u, q, name, server):
        self.assertEqual((f.dst, f.src), (self.peer.mac, P.mac_bytes(BOARD_MAC)))
        self.assertEqual((u.src, u.dst), (OFFERED, server))
        self.assertTrue(f.ip.checksum_ok)
        self.assertTrue(u.checksum_ok, "bad UDP checksum on the query for " + name)
        self.assertEqual(u.dport, 53)
        self.assertNotEqual(u.sport, 53)
        self.assertTrue(49152 <= u.sport <= 65535, "source port %d is not ephemeral" % u.sport)
        self.assertEqual((q.qr, q.opcode, q.rd), (0, 0, 1), "flags %#06x" % q.flags)
        self.assertEqual(q.flags & ~0x0100, 0, "only RD may be set: %#06x" % q.flags)
        self.assertEqual((q.qdcount, q.ancount, q.nscount, q.arcount), (1, 0, 0, 0))
        self.assertEqual(q.name_bytes, D.encode_name(name))
        self.assertEqual((q.qtype, q.qclass), (D.DNS_TYPE_A, D.DNS_CLASS_IN))
        self.assertEqual(q.length, 12 + len(q.name_bytes) + 4, "bytes after the question")

    def answer(self, u, payload, server=None):
        self.peer.send_udp(server or u.dst, OFFERED, 53, u.sport, payload)

    def finish(self, timeout=WAIT):
        status = self.board.wait_exit(timeout, serve=lambda: self.peer.idle(0.2))
        self.peer.idle(0.1)
        return status

    # -- the tests ---------------------------------------------------------------

    def test_full_exchange(self):
        # (the table holds DNS_TABLE_SIZE = 4 names, cached or being asked: a
        # lookup with all four cached evicts the one used least recently,
        # host.example, so only three of these are cached: the last three
        # answers have a TTL of 0)
        names = ["host.example", "nx.example", "slow.example", "bad.example",
                 "servfail.example", "Zero.Example", "zero.example"]
        self.boot(["resolve=" + ",".join(names), "timeout=60", "hostname=" + HOSTNAME])
        board = P.mac_bytes(BOARD_MAC)

        def bad_offers(disc):
            self.assertEqual(disc.options.get(D.OPT_HOSTNAME), HOSTNAME.encode())
            opts = self.lease_options()
            # Replies that must change nothing, each a counted drop:
            # not this exchange (xid; another client's chaddr) ...
            self.reply(D.OFFER, disc.xid ^ 0x01010101, OFFERED, opts)
            other = D.dhcp_reply(D.OFFER, disc.xid, P.mac_bytes("02:00:00:00:00:99"), OFFERED,
                                 server=SERVER, options=opts)
            self.peer.send_udp(SERVER, OFFERED, 67, 68, other, dst_mac=board)
            # ... and broken: a wrong cookie, op BOOTREQUEST, an option past the end
            self.reply(D.OFFER, disc.xid, OFFERED, opts, cookie=0x63825364)
            self.reply(D.OFFER, disc.xid, OFFERED, opts, op=1)
            self.reply(D.OFFER, disc.xid, OFFERED, opts + [b"\x06\x08" + P.ip_bytes(DNS1)])

        t0 = time.monotonic()
        self.lease(first_offer_hook=bad_offers)
        self.expect_bound()
        t_lease = time.monotonic() - t0

        ids, ports = [], []

        # 1. an answer in two records, both named by compression pointers:
        # host.example CNAME real.example (pointer into the question), then
        # real.example (pointer to the CNAME's data) A 198.51.100.7.
        f, u, q = self.next_query("host.example")
        self.check_query(f, u, q, "host.example", DNS1)
        ids.append(q.id)
        ports.append(u.sport)
        qlen = len(q.question)
        cname_data = b"\x04real" + D.pointer(12 + len("\x04host"))    # -> "example", question
        rr1 = D.rr(D.pointer(12), D.DNS_TYPE_CNAME, 300, cname_data)
        rr2 = D.rr(D.pointer(12 + qlen + 12), D.DNS_TYPE_A, 300, P.ip_bytes("198.51.100.7"))
        self.answer(u, D.dns_answer(q, [rr1, rr2]))

        # 2. NXDOMAIN
        f, u, q = self.next_query("nx.example")
        self.check_query(f, u, q, "nx.example", DNS1)
        ids.append(q.id)
        ports.append(u.sport)
        self.answer(u, D.dns_answer(q, rcode=D.RCODE_NXDOMAIN))

        # 3. the first server says nothing: DNS_MAX_RETRIES queries, then the second
        first = []
        while True:
            f, u, q = self.next_query("slow.example")
            if u.dst == DNS2:
                break
            self.check_query(f, u, q, "slow.example", DNS1)
            first.append((u.sport, q.id, time.monotonic()))
        self.check_query(f, u, q, "slow.example", DNS2)
        self.assertEqual(len(first), DNS_MAX_RETRIES, first)
        self.assertEqual(len({(p, i) for p, i, _t in first}), 1,
                         "a retransmission changed the port or the id")
        gaps = [b[2] - a[2] for a, b in zip(first, first[1:])]
        self.assertTrue(all(g > 0.5 for g in gaps), "retries too fast: %s" % gaps)
        self.assertEqual(u.sport, first[0][0], "the query's PCB keeps its port")
        ids += [first[0][1], q.id]
        ports.append(u.sport)
        self.answer(u, D.dns_answer(q, [D.rr(D.pointer(12), D.DNS_TYPE_A, 60,
                                             P.ip_bytes("198.51.100.9"))]))

        # 4. malformed answers, each a DNS_MALFORMED drop: a record's name
        # that points at itself (a loop), one that points forward, RDLENGTH
        # past the end, a reserved label type (01), the QR bit clear, a
        # message shorter than a header; then answers that are not this
        # query's, each a DNS_UNMATCHED drop: the wrong id, the wrong source
        # port, the other server, another question (RFC 5452 9.1); then the
        # right one.
        f, u, q = self.next_query("bad.example")
        self.check_query(f, u, q, "bad.example", DNS1)
        ids.append(q.id)
        ports.append(u.sport)
        at = 12 + len(q.question)
        a_rr = D.rr(D.pointer(12), D.DNS_TYPE_A, 60, P.ip_bytes("203.0.113.67"))
        malformed = [
            D.dns_answer(q, [D.rr(D.pointer(at), D.DNS_TYPE_A, 60, P.ip_bytes("203.0.113.66"))]),
            D.dns_answer(q, [D.rr(D.pointer(at + 2), D.DNS_TYPE_A, 60,
                                  P.ip_bytes("203.0.113.66"))]),
            D.dns_answer(q, [a_rr[:-2]]),      # RDLENGTH 4, two bytes of data
            D.dns_answer(q, [b"\x41" + a_rr[2:]]),
            D.dns_answer(q, [a_rr], qr=0),
            D.dns_answer(q, [a_rr])[:11],
        ]
        for m in malformed:
            self.answer(u, m)
        self.answer(u, D.dns_answer(q, [a_rr], txid=q.id ^ 0x8001))
        self.peer.send_udp(DNS1, OFFERED, 5353, u.sport, D.dns_answer(q, [a_rr]))
        self.answer(u, D.dns_answer(q, [a_rr]), server=DNS2)
        self.answer(u, D.dns_answer(q, [a_rr], question=D.encode_name("bae.example") +
                                    q.question[-4:]))
        self.answer(u, D.dns_answer(q, [D.rr(D.pointer(12), D.DNS_TYPE_A, 60,
                                             P.ip_bytes("198.51.100.11"))]))

        # 5. SERVFAIL from the first server: the second one is asked at once
        f, u, q = self.next_query("servfail.example")
        self.check_query(f, u, q, "servfail.example", DNS1)
        ids.append(q.id)
        ports.append(u.sport)
        self.answer(u, D.dns_answer(q, rcode=2))
        f, u, q = self.next_query("servfail.example")
        self.check_query(f, u, q, "servfail.example", DNS2)
        self.answer(u, D.dns_answer(q, [D.rr(D.pointer(12), D.DNS_TYPE_A, 0,
                                             P.ip_bytes("198.51.100.13"))]))

        # 6. names compare without regard to case (RFC 1035 2.3.3): the query
        # keeps the caller's case, an answer in lower case matches; a TTL of
        # 0 is not cached, so the same name in lower case is asked again.
        for name in ("Zero.Example", "zero.example"):
            f, u, q = self.next_query(name)
            self.check_query(f, u, q, name, DNS1)
            ids.append(q.id)
            ports.append(u.sport)
            lower = D.encode_name(name.lower()) + q.question[-4:]
            self.answer(u, D.dns_answer(q, [D.rr(D.pointer(12), D.DNS_TYPE_A, 0,
                                                 P.ip_bytes("198.51.100.15"))], question=lower))

        self.assertEqual(self.finish(), 0, self.board.console())
        console = self.board.console()

        # the board's side of it
        self.assertEqual(lookup_line(console, "host.example")[:2], ("198.51.100.7", None), console)
        nx = lookup_line(console, "nx.example")
        self.assertEqual(nx[0], None, console)
        self.assertIsNotNone(nx[1], console)
        self.assertLess(nx[2], 1000, "NXDOMAIN should end the lookup at once, not by timeout")
        slow = lookup_line(console, "slow.example")
        self.assertEqual(slow[:2], ("198.51.100.9", None), console)
        self.assertGreaterEqual(slow[2], (DNS_MAX_RETRIES - 1) * 1000 - 100)
        self.assertEqual(lookup_line(console, "bad.example")[:2], ("198.51.100.11", None), console)
        servfail = lookup_line(console, "servfail.example")
        self.assertEqual(servfail[:2], ("198.51.100.13", None), console)
        self.assertLess(servfail[2], 1000, "SERVFAIL should move to the next server at once")
        for name in ("Zero.Example", "zero.example"):
            self.assertEqual(lookup_line(console, name)[:2], ("198.51.100.15", None), console)
        again = lookup_line(console, "host.example", second=True)
        self.assertEqual(again[:2], ("198.51.100.7", None), console)
        self.assertRegex(console, r"host\.example -> 198\.51\.100\.7 in \d+ ms \(second lookup\), "
                                  r"cache hits 0 -> 1")

        # the wire's side: no second query for host.example; random ids and ports
        queries = [D.dns_of(fr) for fr in self.peer.received]
        queries = [g for g in queries if g is not None]
        self.assertEqual(sum(1 for _u, q in queries if q.name == "host.example"), 1,
                         "the second lookup went to the wire")
        self.assertEqual([q.name for _u, q in queries],
                         ["host.example", "nx.example"] + ["slow.example"] * (DNS_MAX_RETRIES + 1) +
                         ["bad.example"] + ["servfail.example"] * 2 +
                         ["Zero.Example", "zero.example"])
        self.assertGreaterEqual(len(set(ids)), len(ids) - 1, "ids repeat: %s" % ids)
        self.assertGreaterEqual(len(set(ports)), len(ports) - 1, "ports repeat: %s" % ports)
        self.assertEqual(set(self.peer.arp_asked), {DNS1, DNS2}, self.peer.arp_asked)

        self.assertEqual(dhcp_counters(console),
                         dict(state="BOUND", discovers=1, requests=1, acks=1, naks=0, bad=3))
        self.assertEqual(dns_counters(console),
                         dict(queries=7, answers=6, retries=DNS_MAX_RETRIES + 1, failures=1,
                              cache_hits=1, dropped=10))
        self.assertEqual(board_drops(console),
                         {"DHCP_UNMATCHED": 2, "DHCP_MALFORMED": 3, "DNS_MALFORMED": 6,
                          "DNS_UNMATCHED": 4}, console)
        self.assertIn("dhcp_demo: every pool and the heap are back to their start-up levels",
                      console)
        print("\n    lease after %.0f ms (peer's clock); board: %s" %
              (t_lease * 1000, re.search(r"\(lease .*\)", console).group(0)))

    def test_nak_then_lease(self):
        self.boot(["timeout=60"])
        f, u, disc = self.next_dhcp(D.DISCOVER)
        self.check_client_message(u, disc, D.DISCOVER)
        self.reply(D.OFFER, disc.xid, OFFERED, self.lease_options())
        f, u, req = self.next_dhcp(D.REQUEST)
        self.check_client_message(u, req, D.REQUEST, disc.xid)
        # RFC 2131 4.3.2: a NAK carries no address and no lease
        self.reply(D.NAK, req.xid, "0.0.0.0", broadcast=True)
        t_nak = time.monotonic()
        xid2 = self.lease()
        backoff = time.monotonic() - t_nak
        self.assertNotEqual(xid2, disc.xid, "a new exchange needs a new xid")
        self.assertGreater(backoff, 1.0, "the client should back off after a NAK")
        self.expect_bound()
        self.assertEqual(self.finish(), 0, self.board.console())
        console = self.board.console()
        self.assertEqual(dhcp_counters(console),
                         dict(state="BOUND", discovers=2, requests=2, acks=1, naks=1, bad=0))
        self.assertEqual(board_drops(console), {}, console)
        # between the NAK and the ACK nothing came from an address
        sent = [D.dhcp_of(fr) for fr in self.peer.received]
        self.assertEqual([g[1].type for g in sent if g],
                         [D.DISCOVER, D.REQUEST, D.DISCOVER, D.REQUEST])
        print("\n    NAK -> new DISCOVER after %.1f s" % backoff)

    def test_renew_at_t1(self):
        # 120 s lease, T1 60 s, T2 105 s; the board stays up 100 s of its
        # (virtual) time: the coarse timer (60 s) finds T1 due and renews.
        # Virtual time runs ~15 times faster than the peer's while the board
        # idles, so the board may resend a DISCOVER or REQUEST (same xid)
        # before the peer's answer is in: its counters are compared with
        # what the peer saw, and the renewal is told apart by its ciaddr.
        self.boot(["timeout=60", "limit=100"], icount=True)
        self.lease(lease=120, t1=60, t2=105)
        self.expect_bound()
        # The board answers ARP at its leased address (and so learns the
        # server's MAC: the renewal needs no ARP of its own).
        r = self.peer.resolve(OFFERED, timeout=WAIT)
        self.assertIsNotNone(r, "the board does not answer ARP for its leased address")
        self.assertEqual((r.arp["sha"], r.arp["spa"], r.arp["tpa"]),
                         (P.mac_bytes(BOARD_MAC), OFFERED, SERVER))

        def renewal(fr):
            g = D.dhcp_of(fr)
            return g is not None and g[1].type == D.REQUEST and g[1].ciaddr != "0.0.0.0"
        f = self.peer.run_until(renewal, 120)
        self.assertIsNotNone(f, "no renewing REQUEST:\n" + self.board.console())
        f, u, req = (f,) + D.dhcp_of(f)
        self.check_client_message(u, req, D.REQUEST)
        # RFC 2131 4.3.2 RENEWING: unicast to the server, from and about our
        # address (ciaddr), no requested address, no server identifier
        self.assertEqual((f.dst, f.src), (self.peer.mac, P.mac_bytes(BOARD_MAC)))
        self.assertEqual((u.src, u.dst), (OFFERED, SERVER))
        self.assertEqual(req.ciaddr, OFFERED)
        self.assertNotIn(D.OPT_REQUESTED_IP, req.options)
        self.assertNotIn(D.OPT_SERVER_ID, req.options)
        first = [g[1] for g in map(D.dhcp_of, self.peer.received) if g]
        self.assertNotEqual(req.xid, first[0].xid, "a renewal is a new transaction")
        board = P.mac_bytes(BOARD_MAC)
        msg = D.dhcp_reply(D.ACK, req.xid, board, OFFERED, server=SERVER,
                           options=self.lease_options(120, 60, 105))
        self.peer.send_udp(SERVER, OFFERED, 67, 68, msg, dst_mac=board)
        self.assertEqual(self.finish(timeout=120), 0, self.board.console())
        console = self.board.console()
        self.assertIn("dhcp_demo: time limit of 100 s reached", console)
        sent = [g[1].type for g in map(D.dhcp_of, self.peer.received) if g]
        self.assertEqual(dhcp_counters(console),
                         dict(state="BOUND", discovers=sent.count(D.DISCOVER),
                              requests=sent.count(D.REQUEST), acks=2, naks=0, bad=0))
        self.assertEqual(sent[-1], D.REQUEST)
        self.assertEqual(sum(1 for g in map(D.dhcp_of, self.peer.received)
                             if g and g[1].ciaddr != "0.0.0.0"), 1, "more than one renewal")
        self.assertEqual(board_drops(console), {}, console)

    def test_rebind_then_expiry(self):
        # 180 s lease, T1 60 s, T2 120 s, and a server that answers nothing
        # after the first ACK: RENEWING (unicast) at 60 s, REBINDING
        # (broadcast, still from the leased address) at 120 s, and at 180 s
        # the address is gone and discovery starts over from 0.0.0.0
        # (RFC 2131 4.4.5). Under -icount, like test_renew_at_t1.
        self.boot(["timeout=60", "limit=200"], icount=True)
        xid = self.lease(lease=180, t1=60, t2=120)
        self.expect_bound()
        self.assertIsNotNone(self.peer.resolve(OFFERED, timeout=WAIT))

        def request_with_ciaddr(broadcast):
            def want(fr):
                g = D.dhcp_of(fr)
                return g is not None and g[1].type == D.REQUEST and \
                    g[1].ciaddr == OFFERED and (fr.dst == P.BROADCAST) == broadcast
            f = self.peer.run_until(want, 120)
            self.assertIsNotNone(f, "no %s REQUEST:\n%s" %
                                 ("rebinding" if broadcast else "renewing", self.board.console()))
            return (f,) + D.dhcp_of(f)

        f, u, renew = request_with_ciaddr(broadcast=False)
        self.assertEqual((u.src, u.dst), (OFFERED, SERVER))
        f, u, rebind = request_with_ciaddr(broadcast=True)
        self.check_client_message(u, rebind, D.REQUEST)
        self.assertEqual((u.src, u.dst), (OFFERED, "255.255.255.255"))
        self.assertNotIn(D.OPT_REQUESTED_IP, rebind.options)
        self.assertNotIn(D.OPT_SERVER_ID, rebind.options)
        self.assertNotEqual(rebind.xid, renew.xid, "rebinding is a new transaction")
        f, u, disc = self.next_dhcp(D.DISCOVER, timeout=120)
        self.check_client_message(u, disc, D.DISCOVER)
        self.check_broadcast_from_nowhere(f)
        self.assertNotEqual(disc.xid, xid)
        self.assertEqual(self.finish(timeout=120), 0, self.board.console())
        console = self.board.console()
        self.assertIn("dhcp_demo: address now 0.0.0.0 (dhcp INIT)", console)
        sent = [g[1] for g in map(D.dhcp_of, self.peer.received) if g]
        # after the ACK: renewals, rebinds, then only DISCOVERs
        after = [m for m in sent if m.ciaddr == OFFERED or m.xid not in (xid,)]
        kinds = ["renew" if m.type == D.REQUEST and m.xid == renew.xid else
                 "rebind" if m.type == D.REQUEST and m.xid == rebind.xid else
                 "discover" if m.type == D.DISCOVER else repr(m) for m in after]
        self.assertEqual(kinds, sorted(kinds, key=["renew", "rebind", "discover"].index), kinds)
        self.assertEqual(dhcp_counters(console),
                         dict(state="SELECTING",
                              discovers=sum(m.type == D.DISCOVER for m in sent),
                              requests=sum(m.type == D.REQUEST for m in sent),
                              acks=1, naks=0, bad=0))
        self.assertEqual(board_drops(console), {}, console)

if __name__ == "__main__":
    unittest.main()
