"""tests/qemu/test_ping.py - the ping demo against a scripted peer.

The board runs apps/ping_demo (10.0.2.15/24, gateway 10.0.2.2) in plain
QEMU (no -icount: the peer works in real time) on a `-netdev dgram` link
whose other end is tests/qemu/peer.py, playing the gateway. One run:

1. the board ARPs for the gateway and pings it three times; the peer
   answers both;
2. the peer resolves the board's MAC by ARP and checks the reply field by
   field (RFC 826);
3. more than 30 malformed or unwanted frames (bad checksums, lying length
   fields, bad IHL, version 6, bad options, overlapping, duplicate, tiny,
   oversized and incomplete fragments, bad ARP, runts, giants, other MACs,
   other EtherTypes, broadcast and multicast echoes ...), each followed by
   a ping that must still be answered (the incomplete datagram goes first,
   so that its 15 s of reassembly run out before the time limit);
4. a burst of 31 full-size echo requests back to back (what the MAC's
   FIFO holds): all answered, none dropped for want of pbufs;
5. 100 echo requests of many sizes, up to 1472 bytes of data (one full
   frame) and beyond (1473, 2000, 4000 bytes: fragmented by the peer, and
   the replies fragmented by the board and put back together here); every
   reply's IP header and every byte of its ICMP message are checked;
6. the board stops at its time limit and prints its counters: each drop
   reason exactly as many times as the frames sent for it, every pool and
   the heap back to their start-up levels, and the interface's frame
   counts equal to what the peer sent and received;
7. its trace holds one FRAME_RX per frame received and one FRAME_TX per
   frame sent, whose bytes are those on the wire.

The same run is repeated, shorter (no incomplete datagram, no burst), with
the image built for LWIP_TCPIP_CORE_LOCKING = 1 (build/lm3s6965evb-corelock/)
and with the image built with tracing compiled out (build/lm3s6965evb-notrace/).
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

from tests.qemu import qemu
from tests.qemu import peer as P

sys.path.insert(0, os.path.join(qemu.ROOT, "tracer"))
from ngtracelib import reader  # noqa: E402

BOARD_IP = "10.0.2.15"
GW_IP = "10.0.2.2"
BOARD_MAC = "52:54:00:12:34:56"
LIMIT = 24          # seconds: long enough for a held fragment to time out (15 s)


def pattern(n, seed):
    return bytes((seed * 31 + i * 7) & 0xff for i in range(n))


class Board:
    """ping_demo in QEMU on a dgram link to a Peer; always killed at the end."""

    def __init__(self, testcase, elf, args):
        self.peer = P.Peer(ip=GW_IP)
        self.dir = tempfile.mkdtemp(prefix="ngping-")
        sh = ",".join(["enable=on", "target=native", "arg=ping_demo"] +
                      ["arg=" + a for a in args])
        cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
               "-semihosting-config", sh, "-kernel", elf] + \
            self.peer.qemu_netdev_args(BOARD_MAC)
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.console = None
        testcase.addCleanup(self.close)

    def finish(self, timeout):
        """Serve the peer's side until QEMU exits; returns its status."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.peer.idle(0.2)
        self.peer.idle(0.2)         # what was on its way
        try:
            out, _ = self.proc.communicate(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate(timeout=10)
            self.console = out.decode("utf-8", "replace")
            raise AssertionError("ping_demo did not stop at its time limit:\n" + self.console)
        self.console = out.decode("utf-8", "replace").replace("\r\n", "\n")
        return self.proc.returncode

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)
        self.peer.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def board_counters(console):
    m = re.search(r"ping_demo: en\d: rx (\d+) frames (\d+) bytes (\d+) dropped, "
                  r"tx (\d+) frames (\d+) bytes (\d+) dropped", console)
    return tuple(map(int, m.groups())) if m else None


def board_drops(console):
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^stats: drop (\w+)\s+(\d+)$", console, re.M)}


class PingDemoScriptedPeer(unittest.TestCase):
    ELF_DIR = "lm3s6965evb"

    def setUp(self):
        self.elf = os.path.join(qemu.ROOT, "build", self.ELF_DIR, "ping_demo.elf")
        if not os.path.exists(self.elf):
            self.skipTest(f"{self.elf} is not built: run `make test`, which builds it")

    def boot(self, limit=LIMIT):
        self.board = Board(self, self.elf, ["limit=%d" % limit, "count=3", "interval=100",
                                            "trace=trace.bin"])
        self.peer = self.board.peer
        self.peer.sent_frames = []
        send = self.peer.send

        def send_and_keep(frame):     # every frame, for the comparison with the trace
            self.peer.sent_frames.append(frame)
            send(frame)
        self.peer.send = send_and_keep
        self.t0 = time.monotonic()

    # -- steps ---------------------------------------------------------------

    def step_board_pings_gateway(self):
        peer = self.peer
        peer.serve_until(lambda: peer.answered_echo >= 3, 10)
        peer.idle(0.2)
        self.assertEqual(peer.answered_arp, 1, "the board should ARP for its gateway once")
        self.assertEqual(peer.answered_echo, 3, "the board's three pings did not all arrive")
        self.assertEqual(peer.board_mac, P.mac_bytes(BOARD_MAC))

    def step_arp_resolves_board(self):
        r = self.peer.resolve(BOARD_IP)
        self.assertIsNotNone(r, "no ARP reply from the board")
        a = r.arp
        self.assertEqual((a["htype"], a["ptype"], a["hlen"], a["plen"], a["op"]),
                         (1, 0x0800, 6, 4, 2))
        self.assertEqual((a["sha"], a["spa"], a["tha"], a["tpa"]),
                         (P.mac_bytes(BOARD_MAC), BOARD_IP, self.peer.mac, GW_IP))
        self.assertEqual((r.dst, r.src), (self.peer.mac, P.mac_bytes(BOARD_MAC)))

    def check_reply(self, reply, seq, data, ident=0x7071):
        self.assertIsNotNone(reply, f"no reply to echo seq={seq} ({len(data)} bytes)")
        header, msg = reply
        ip = P.Ipv4(header + msg)
        self.assertTrue(ip.checksum_ok, f"seq={seq}: bad IP header checksum")
        self.assertEqual((ip.version, ip.ihl, ip.proto, ip.src, ip.dst),
                         (4, 20, 1, BOARD_IP, GW_IP))
        self.assertGreater(ip.ttl, 0)
        self.assertEqual(P.checksum(msg), 0, f"seq={seq}: bad ICMP checksum")
        self.assertEqual(msg[:2], b"\0\0", f"seq={seq}: not an echo reply")
        self.assertEqual(struct.unpack("!HH", msg[4:8]), (ident, seq))
        self.assertEqual(msg[8:], data, f"seq={seq}: the reply's data differ")

    def ping_ok(self, seq, size=56, why=""):
        data = pattern(size, seq)
        self.check_reply(self.peer.ping(BOARD_IP, seq, data), seq, data)

    def step_hundred_pings(self):
        sizes = [0, 1, 2, 3, 7, 8, 56, 63, 64, 100, 255, 256, 511, 512, 513, 1000, 1024,
                 1471, 1472, 1473, 1480, 2000, 2952, 2953, 4000]
        sizes += [(i * 389) % 1473 for i in range(100 - len(sizes) - 3)] + [4000, 4000, 1472]
        self.assertEqual(len(sizes), 100)
        for i, size in enumerate(sizes):
            self.ping_ok(1000 + i, size)

    def step_burst(self, n=31, size=1472):
        """n full-size echo requests back to back, as many as the MAC's FIFO
        holds: eth_rx, which outranks tcpip_thread, must not drop them for
        want of pbufs (it lets tcpip_thread catch up); every reply comes."""
        peer, frames, datas = self.peer, [], {}
        for i in range(n):
            seq = 4000 + i
            datas[seq] = pattern(size, seq)
            frames += peer.echo_frames(BOARD_IP, 0x7071, seq, datas[seq])
        for f in frames:
            peer.send(f)
        replies = {}

        def want(f):
            if f.datagram and f.ip.src == BOARD_IP and f.datagram[1][:1] == b"\0":
                seq = struct.unpack("!H", f.datagram[1][6:8])[0]
                if seq in datas:
                    replies[seq] = f.datagram
            return len(replies) == n
        peer.run_until(want, 5.0)
        self.assertEqual(sorted(replies), sorted(datas), "replies missing from the burst")
        for seq, reply in replies.items():
            self.check_reply(reply, seq, datas[seq])

    # -- malformed frames ------------------------------------------------------

    def frames_of(self, payload, ethertype=P.ETH_P_IP, dst=None):
        return [P.eth(dst or self.peer.board_mac, self.peer.mac, ethertype, payload)]

    def ip(self, payload, dst=BOARD_IP, src=GW_IP, proto=1, **kw):
        return P.ipv4(P.ip_bytes(src), P.ip_bytes(dst), proto, payload,
                      ident=self.peer.next_ident(), **kw)

    def echo(self, seq, n=32, **kw):
        return P.icmp_echo(0x7071, seq, pattern(n, seq), **kw)

    def malformed(self):
        """(what, frames, drop reason, drops expected, reply expected to seq)."""
        peer = self.peer
        bm, pm = peer.board_mac, peer.mac
        good = self.ip(self.echo(1))
        cases = []

        def case(what, frames, reason, count=1, reply=None):
            cases.append((what, frames, reason, count, reply))

        # IPv4 header (RFC 791 3.1, RFC 1122 3.2.1)
        bad = bytearray(good)
        bad[10] ^= 0x55
        case("bad IP header checksum", self.frames_of(bytes(bad)), "IP_CHKSUM")
        case("bad ICMP checksum", self.frames_of(self.ip(self.echo(2, chksum=0x1234))),
             "ICMP_CHKSUM")
        case("IP header cut at 12 bytes", self.frames_of(good[:12]), "IP_SHORT")
        case("IHL 4", self.frames_of(self.ip(self.echo(3), ihl=4)), "IP_HLEN")
        case("IHL 15, past the end", self.frames_of(self.ip(b"12345678", ihl=15)), "IP_HLEN")
        case("total length past the frame",
             self.frames_of(self.ip(self.echo(4), total_length=20 + 40 + 100)), "IP_LEN")
        case("total length under the header", self.frames_of(self.ip(self.echo(5),
                                                                     total_length=10)),
             "IP_LEN")
        case("version 6 in an IPv4 frame", self.frames_of(self.ip(self.echo(6), version=6)),
             "IP_VERSION")
        case("option with a bad length",
             self.frames_of(self.ip(self.echo(7), ihl=6, options=b"\x07\xff\x00\x00")),
             "IP_OPTIONS")
        case("for another address", self.frames_of(self.ip(self.echo(8), dst="10.0.2.99")),
             "IP_NOT_FOR_US")
        case("from the broadcast address",
             self.frames_of(self.ip(self.echo(9), src="10.0.2.255")), "IP_SRC")
        case("from a multicast address",
             self.frames_of(self.ip(self.echo(10), src="224.0.0.5")), "IP_SRC")
        case("unknown protocol 253", self.frames_of(self.ip(b"\0" * 20, proto=253)),
             "IP_PROTO")
        # ICMP (RFC 792, RFC 1122 3.2.2)
        case("ICMP of 4 bytes", self.frames_of(self.ip(b"\x08\x00\xf7\xff")), "ICMP_SHORT")
        case("ICMP timestamp request",
             self.frames_of(self.ip(P.icmp(13, 0, b"\0\1\0\1", b"\0" * 12))), "ICMP_TYPE")
        case("echo to the broadcast address",
             self.frames_of(self.ip(self.echo(11), dst="10.0.2.255"), dst=P.BROADCAST),
             "ICMP_BCAST")
        case("echo to 224.0.0.1",
             self.frames_of(self.ip(self.echo(12), dst="224.0.0.1"),
                            dst=P.mac_bytes("01:00:5e:00:00:01")), "ICMP_BCAST")
        # fragments (RFC 791 3.2, RFC 815)
        msg = self.echo(20, 56)
        hdr = self.ip(msg)[:20]
        case("overlapping fragments",
             [P.eth(bm, pm, P.ETH_P_IP, P.refragment(hdr, msg[0:16], 0, True)),
              P.eth(bm, pm, P.ETH_P_IP, P.refragment(hdr, msg[8:24], 8, True))],
             "REASS_BAD", 2)
        hdr = self.ip(msg)[:20]
        case("a first fragment of 12 bytes (not a multiple of 8)",
             [P.eth(bm, pm, P.ETH_P_IP, P.refragment(hdr, msg[0:12], 0, True))], "REASS_BAD")
        hdr = self.ip(msg)[:20]
        case("a fragment past 64 KiB",
             [P.eth(bm, pm, P.ETH_P_IP, P.refragment(hdr, msg[0:16], 65528, False))],
             "REASS_TOO_BIG")
        msg = self.echo(21, 56)
        hdr = self.ip(msg)[:20]
        case("a duplicate fragment (the datagram still completes)",
             [P.eth(bm, pm, P.ETH_P_IP, P.refragment(hdr, msg[0:32], 0, True)),
              P.eth(bm, pm, P.ETH_P_IP, P.refragment(hdr, msg[0:32], 0, True)),
              P.eth(bm, pm, P.ETH_P_IP, P.refragment(hdr, msg[32:], 32, False))],
             "REASS_DUP", 1, reply=(21, msg[8:]))
        msg = self.echo(22, 56)
        hdr = self.ip(msg)[:20]
        case("tiny fragments of 8 bytes (valid: answered)",
             [P.eth(bm, pm, P.ETH_P_IP, P.refragment(hdr, msg[o:o + 8], o, o + 8 < len(msg)))
              for o in range(0, len(msg), 8)], None, 0, reply=(22, msg[8:]))
        # ARP (RFC 826)
        def arp_frame(**kw):
            return P.eth(P.BROADCAST, pm, P.ETH_P_ARP,
                         P.arp(1, pm, P.ip_bytes(GW_IP), b"\0" * 6, P.ip_bytes(BOARD_IP), **kw))
        case("ARP with hlen 5", [arp_frame(hlen=5)], "ARP_BAD")
        case("ARP with plen 6", [arp_frame(plen=6)], "ARP_BAD")
        case("ARP for IEEE 802 hardware", [arp_frame(htype=6)], "ARP_BAD")
        case("ARP for IPv6", [arp_frame(ptype=0x86dd)], "ARP_BAD")
        case("ARP opcode 3", [P.eth(P.BROADCAST, pm, P.ETH_P_ARP,
                                    P.arp(3, pm, P.ip_bytes(GW_IP), b"\0" * 6,
                                          P.ip_bytes(BOARD_IP)))], "ARP_BAD")
        case("ARP cut at 20 bytes", [arp_frame()[:14 + 20]], "ARP_BAD")
        case("ARP request for another address",
             [P.eth(P.BROADCAST, pm, P.ETH_P_ARP,
                    P.arp(1, pm, P.ip_bytes(GW_IP), b"\0" * 6, P.ip_bytes("10.0.2.77")))],
             "ARP_NOT_FOR_US")
        # Ethernet and the driver
        case("runt of 1 byte", [b"\x52"], "ETH_RUNT")
        case("runt of 13 bytes", [self.frames_of(good)[0][:13]], "ETH_RUNT")
        for n in (1515, 1600, 2041):
            case(f"giant of {n} bytes", [P.eth(bm, pm, P.ETH_P_IP, self.ip(b"\0" * (n - 34)))],
                 "RX_GIANT")
        case("2100 bytes: more than the MAC's FIFO takes (overrun)",
             [P.eth(bm, pm, P.ETH_P_IP, self.ip(b"\0" * (2100 - 34)))], "RX_ERROR")
        case("unicast to another MAC",
             self.frames_of(self.ip(self.echo(30)), dst=P.mac_bytes("02:00:00:00:00:99")),
             "ETH_NOT_FOR_US")
        case("EtherType IPv6", self.frames_of(b"\x60" + b"\0" * 39, ethertype=0x86dd),
             "ETH_TYPE")
        case("a VLAN tag", self.frames_of(b"\0\1\x08\0" + good, ethertype=0x8100), "ETH_TYPE")
        return cases

    def step_incomplete_datagram(self):
        """First, so that its 15 s of reassembly are over before the limit."""
        msg = self.echo(40, 56)
        hdr = self.ip(msg)[:20]
        self.peer.send(P.eth(self.peer.board_mac, self.peer.mac, P.ETH_P_IP,
                             P.refragment(hdr, msg[0:16], 0, True)))
        self.expected["REASS_TIMEOUT"] = 1

    def step_malformed(self):
        cases = self.malformed()
        self.assertGreaterEqual(sum(len(c[1]) for c in cases), 30)
        seq = 2000
        for what, frames, reason, count, reply in cases:
            for f in frames:
                self.peer.send(f)
            if reply:
                self.check_reply(self.peer.wait_echo_reply(BOARD_IP, 0x7071, reply[0], 2.0),
                                 reply[0], reply[1])
            if reason:
                self.expected[reason] = self.expected.get(reason, 0) + count
            if reason == "RX_ERROR":
                self.fifo_overruns += 1
            seq += 1
            with self.subTest(after=what):
                self.ping_ok(seq)

    # -- the end ---------------------------------------------------------------

    def step_exit_and_counters(self, limit):
        spent = time.monotonic() - self.t0
        self.assertLess(spent, limit - 2, "the peer's work took too long for the time limit")
        status = self.board.finish(limit + 30)
        console = self.board.console
        self.assertEqual(status, 0, console)
        self.assertIn(f"time limit of {limit} s reached", console)
        self.assertIn("3 packets transmitted, 3 received, 0% packet loss", console)
        for seq in (1, 2, 3):
            self.assertRegex(console, rf"reply from {GW_IP}: seq={seq} time=\d+\.\d{{3}} ms")
        self.assertIn("every pool and the heap are back to their start-up levels", console)
        # Nothing in use but the cyclic timers lwip_init armed (its start-up level).
        for m in re.finditer(r"^stats: memp (\S+)\s+used=(\d+)", console, re.M):
            if m.group(1) != "SYS_TIMEOUT":
                self.assertEqual(int(m.group(2)), 0, f"pool {m.group(1)} in use:\n{console}")
        self.assertRegex(console, r"stats: mem  HEAP\s+used=0 ")
        drops = board_drops(console)
        self.assertEqual(drops, self.expected, console)
        self.assertIn(f"stats: drops total {sum(self.expected.values())}", console)
        c = board_counters(console)
        self.assertIsNotNone(c, console)
        rx_frames, rx_bytes, rx_dropped, tx_frames, tx_bytes, tx_dropped = c
        peer = self.peer
        self.assertEqual(rx_frames, len(peer.sent_frames) - self.fifo_overruns)
        self.assertEqual(tx_frames, len(peer.received))
        self.assertEqual(tx_dropped, 0)
        driver = {"RX_GIANT", "RX_ERROR", "NO_MEMORY", "MBOX_FULL"}
        self.assertEqual(rx_dropped, sum(v for k, v in self.expected.items() if k in driver))
        return console

    def step_trace_has_the_frames(self):
        path = os.path.join(self.board.dir, "trace.bin")
        t = reader.Trace(path)
        rx, tx = [], []
        for r in t.records():
            if r.name in ("FRAME_RX", "FRAME_TX"):
                (rx if r.name == "FRAME_RX" else tx).append(r.fields)
        self.assertTrue(t.end_seen, "the trace has no END record")
        self.assertEqual(t.lost, 0, "the trace lost records")
        sent = [f for f in self.peer.sent_frames if len(f) < 2042]     # not the overrun
        self.assertEqual(len(rx), len(sent))
        for i, (fields, frame) in enumerate(zip(rx, sent)):
            self.assertEqual(fields["orig_len"], len(frame), f"FRAME_RX #{i}")
            self.assertEqual(fields["data"][:fields["len"]], frame[:fields["len"]],
                             f"FRAME_RX #{i}: bytes")
            self.assertEqual(fields["len"], min(len(frame), 64))
        self.assertEqual(len(tx), len(self.peer.received))
        for i, (fields, f) in enumerate(zip(tx, self.peer.received)):
            n = fields["len"]
            self.assertEqual(fields["data"][:n], f.raw[:n], f"FRAME_TX #{i}: bytes")
            self.assertEqual(len(f.raw), max(fields["orig_len"], 60), f"FRAME_TX #{i}: padding")

    # -- the tests -----------------------------------------------------------------

    def test_pings_malformed_frames_and_a_clean_exit(self):
        self.expected, self.fifo_overruns = {}, 0
        self.boot()
        self.step_board_pings_gateway()
        self.step_arp_resolves_board()
        self.step_incomplete_datagram()
        self.step_malformed()
        self.step_burst()
        self.step_hundred_pings()
        self.step_exit_and_counters(LIMIT)
        self.step_trace_has_the_frames()


class PingDemoCoreLocking(PingDemoScriptedPeer):
    """The image built with LWIP_TCPIP_CORE_LOCKING = 1: the same answers,
    the same drops, the same trace of the wire (a shorter run)."""
    ELF_DIR = "lm3s6965evb-corelock"
    TRACED = True

    def test_pings_malformed_frames_and_a_clean_exit(self):
        self.expected, self.fifo_overruns = {}, 0
        self.boot(limit=8)
        self.step_board_pings_gateway()
        self.step_arp_resolves_board()
        self.step_malformed()
        for i, size in enumerate((0, 56, 1472, 1473, 4000)):
            self.ping_ok(3000 + i, size)
        self.step_exit_and_counters(8)
        if self.TRACED:
            self.step_trace_has_the_frames()


class PingDemoTraceOff(PingDemoCoreLocking):
    """The image with tracing compiled out (TRACE=0) behaves the same."""
    ELF_DIR = "lm3s6965evb-notrace"
    TRACED = False


if __name__ == "__main__":
    unittest.main()
