"""The pcapng export ("ngtrace pcapng"): block structure, interfaces,
timestamps, lengths, directions and the trace records in packet comments.

The files are checked by tests/tracer/pcapng_read.py, a reader of our own,
so the test runs everywhere; when tshark is installed it must read them too.
"""

import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import pcapng_read  # noqa: E402
import tracegen  # noqa: E402

CPU_HZ = 12_500_000


def names_in(comment):
    """The record names of a comment's record lines: the event, or the
    function for "fn(arg) {" and "} fn"."""
    out = []
    for line in comment.splitlines()[3:]:
        parts = line.split()
        if len(parts) < 3 or not parts[0].replace(".", "").isdigit():
            continue
        rec = parts[2]
        if rec == "}":
            out.append("exit " + parts[3])
        elif line.rstrip().endswith("{"):
            out.append("enter " + rec.split("(")[0])
        else:
            out.append(rec)
    return out


RX1 = ["ISR_ENTER", "SEM_SIGNAL", "ISR_EXIT", "THREAD_SWITCH", "SEM_TAKE",
       "enter ethernetif_input", "enter low_level_input", "PBUF_ALLOC", "FRAME_RX",
       "exit low_level_input", "enter tcpip_input", "enter tcpip_inpkt", "MBOX_TRYPOST",
       "exit tcpip_inpkt", "exit tcpip_input", "exit ethernetif_input", "THREAD_SWITCH",
       "MBOX_FETCH", "TCPIP_MSG", "enter tcpip_thread", "enter ethernet_input",
       "enter ip4_input", "enter icmp_input", "enter ip4_output_if",
       "enter etharp_output", "enter ethernet_output", "enter low_level_output", "FRAME_TX",
       "exit low_level_output", "exit ethernet_output", "exit etharp_output",
       "exit ip4_output_if", "exit icmp_input", "exit ip4_input", "PBUF_FREE",
       "exit ethernet_input", "exit tcpip_thread"]
TX1 = ["enter ip4_output_if", "enter etharp_output", "enter ethernet_output",
       "enter low_level_output", "FRAME_TX", "exit low_level_output", "exit ethernet_output",
       "exit etharp_output", "exit ip4_output_if"]


class PcapngTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        self.w = w = tracegen.TraceWriter(cpu_hz=CPU_HZ)
        self.sc = sc = tracegen.PingScenario(w, keep=64, sync_at=(1 << 32) + 777)
        sc.ping(seq=1)
        sc.ping(seq=2, frames=2)            # two requests in one interrupt
        sc.end()
        self.trace = self.path("ping.ngt")
        w.write(self.trace, chunk_size=256)

    def export(self, *extra, trace=None):
        out = self.path("out.pcapng")
        status, stdout, err = helpers.run_cli("pcapng", trace or self.trace, "-o", out, *extra)
        self.assertEqual(status, 0, err)
        self.assertEqual(err, "")
        return pcapng_read.read(helpers.read_bytes(out)), stdout, out

    def test_blocks_and_interface(self):
        cap, stdout, out = self.export()
        self.assertEqual(stdout, "%s: 6 frames (3 received, 3 sent) on 1 interface (en0)\n" % out)
        self.assertEqual([b.type for b in cap.blocks], [0x0A0D0D0A, 1] + [6] * 6)
        data = helpers.read_bytes(out)
        self.assertEqual(data[:4], b"\x0a\x0d\x0d\x0a")
        self.assertEqual(data[8:12], b"\x4d\x3c\x2b\x1a")       # little-endian magic
        self.assertEqual(cap.shb_options[4], [b"ngtrace (netglass)"])
        self.assertIn(b"ping.ngt: 3 frames received, 3 sent", cap.shb_options[1][0])
        self.assertEqual(len(cap.interfaces), 1)
        ifc = cap.interfaces[0]
        self.assertEqual((ifc.linktype, ifc.snaplen, ifc.name, ifc.tsresol), (1, 64, "en0", 9))

    def test_packets(self):
        cap, _, _ = self.export()
        marks = self.sc.marks
        # trace order: request 1, reply 1, requests 2 and 3, replies 2 and 3
        want = [(marks[0], "request", "frame_rx", 1), (marks[0], "reply", "frame_tx", 2),
                (marks[1], "request", "frame_rx", 1), (marks[2], "request", "frame_rx", 1),
                (marks[1], "reply", "frame_tx", 2), (marks[2], "reply", "frame_tx", 2)]
        self.assertEqual(len(cap.packets), len(want))
        for pkt, (m, which, rec, flags) in zip(cap.packets, want):
            frame = m[which]
            self.assertEqual(len(frame), 98)
            self.assertEqual(pkt.data, frame[:64])
            self.assertEqual((pkt.caplen, pkt.origlen, pkt.iface, pkt.flags), (64, 98, 0, flags))
            cycles = self.w.record_times[m[rec]]
            self.assertEqual(pkt.ts, cycles * 10 ** 9 // CPU_HZ)
        self.assertGreater(cap.packets[0].ts, 1 << 32)      # the high word is used

    def test_comments(self):
        cap, _, _ = self.export()
        c = [p.comment for p in cap.packets]
        first = c[0].splitlines()
        self.assertRegex(first[0], r"^RX frame #1: ICMP echo request 10\.0\.2\.2 > 10\.0\.2\.15 "
                         r"id=0x1234 seq=1 \(98 bytes, 64 kept\) on en0 at [\d.]+ us$")
        self.assertEqual(first[1], "37 records in isr:irq42 -> eth_rx -> tcpip_thread")
        self.assertEqual(names_in(c[0]), RX1)
        self.assertIn("<= posted by eth_rx", c[0])
        self.assertIn("=> wakes eth_rx", c[0])
        tx = c[1].splitlines()
        self.assertTrue(tx[0].startswith("TX frame #1: ICMP echo reply 10.0.2.15 > 10.0.2.2"))
        self.assertEqual(tx[1], "sent while tcpip_thread handled RX frame #1")
        self.assertEqual(names_in(c[1]), TX1)
        # the second request of one interrupt: no ISR, its own part of eth_rx
        second = names_in(c[3])
        self.assertEqual(second[:3], ["enter low_level_input", "PBUF_ALLOC", "FRAME_RX"])
        self.assertEqual(second.count("FRAME_RX"), 1)
        self.assertEqual(second.count("FRAME_TX"), 1)
        self.assertNotIn("ISR_ENTER", second)
        self.assertIn("exit ethernetif_input", second)
        self.assertNotIn("exit ethernetif_input", names_in(c[2]))
        self.assertTrue(c[5].splitlines()[1] == "sent while tcpip_thread handled RX frame #3")

    def test_comment_cap(self):
        cap, _, _ = self.export("--comment-lines", "10")
        for p in cap.packets:
            lines = p.comment.splitlines()
            self.assertLessEqual(len(lines), 10)
        lines = cap.packets[0].comment.splitlines()
        self.assertEqual(len(lines), 10)
        self.assertEqual(lines[-1], "... 31 more records (ngtrace flow --frame 1 --text shows all)")
        self.assertEqual(len(cap.packets[1].comment.splitlines()), 10)
        self.assertEqual(cap.packets[1].comment.splitlines()[-1], "... 4 more records")
        cap, _, _ = self.export("--comment-lines", "0")
        self.assertTrue(all(p.comment is None for p in cap.packets))
        self.assertTrue(all(p.flags in (1, 2) for p in cap.packets))

    def test_padding_and_two_netifs(self):
        w = tracegen.TraceWriter(cpu_hz=1_000_000)
        w.sync(5)
        w.name(1, "NETIF", "en0")
        w.name(2, "NETIF", "lo<0>")
        arp = tracegen.arp_frame(tracegen.PEER_MAC, tracegen.PEER_IP, tracegen.OUR_IP)
        self.assertEqual(len(arp), 42)
        w.record("FRAME_RX", dt=1, netif=2, len=41, orig_len=60, data=arp[:41])
        w.record("FRAME_TX", dt=1, netif=1, len=42, orig_len=42, data=arp)
        w.record("FRAME_RX", dt=1, netif=2, len=3, orig_len=3, data=b"\x01\x02\x03")
        w.record("END", dt=1)
        path = self.path("arp.ngt")
        w.write(path)
        cap, _, _ = self.export(trace=path)
        self.assertEqual([i.name for i in cap.interfaces], ["lo<0>", "en0"])
        self.assertEqual([i.snaplen for i in cap.interfaces], [41, 42])
        self.assertEqual([(p.iface, p.caplen, p.origlen, p.data) for p in cap.packets],
                         [(0, 41, 60, arp[:41]), (1, 42, 42, arp), (0, 3, 3, b"\x01\x02\x03")])
        self.assertEqual([p.ts for p in cap.packets], [6000, 7000, 8000])
        self.assertTrue(cap.packets[0].comment.startswith(
            "RX frame #1: ARP (cut) (60 bytes, 41 kept) on lo<0>"))
        self.assertTrue(cap.packets[1].comment.startswith(
            "TX frame #1: ARP who-has 10.0.2.15 tell 10.0.2.2 (42 bytes) on en0"))
        self.assertTrue(cap.packets[2].comment.startswith("RX frame #2: runt (3 bytes)"))

    def test_no_frames(self):
        w = tracegen.TraceWriter()
        tracegen.workload(w, 50)
        w.record("END", dt=1)
        path = self.path("noframes.ngt")
        w.write(path)
        out = self.path("x.pcapng")
        status, _, err = helpers.run_cli("pcapng", path, "-o", out)
        self.assertOneLineError(status, err, "no FRAME_RX or FRAME_TX records")
        self.assertFalse(os.path.exists(out))

    def test_unwritable_output(self):
        status, _, err = helpers.run_cli("pcapng", self.trace, "-o",
                                         self.path("no/such/dir/x.pcapng"))
        self.assertOneLineError(status, err, "cannot write")
        status, _, err = helpers.run_cli("pcapng", self.trace)
        self.assertOneLineError(status, err, "-o")

    def test_tshark_reads_it(self):
        tshark = shutil.which("tshark")
        if tshark is None:
            self.skipTest("tshark is not installed (apt-get install tshark); the pcapng "
                          "structure is still checked by the other tests")
        _, _, out = self.export()
        r = subprocess.run([tshark, "-r", out, "-T", "fields", "-E", "separator=|",
                            "-e", "frame.len", "-e", "frame.cap_len", "-e", "icmp.type",
                            "-e", "frame.interface_name", "-e", "frame.comment"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [ln.split("|") for ln in r.stdout.splitlines()]
        self.assertEqual([row[:4] for row in rows],
                         [["98", "64", t, "en0"] for t in ("8", "0", "8", "8", "0", "0")])
        self.assertTrue(rows[0][4].startswith("RX frame #1: ICMP echo request"), rows[0])


if __name__ == "__main__":
    unittest.main()
