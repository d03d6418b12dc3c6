"""Flows ("ngtrace flow"): which records follow one received frame across
the ISR, the receive thread, tcpip_mbox and tcpip_thread, in which order,
the --text listing, the SVG diagram, and the errors."""

import os
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import tracegen  # noqa: E402
from ngtracelib import flow as flow_mod  # noqa: E402
from ngtracelib.reader import Trace  # noqa: E402
from test_pcapng import RX1, names_in  # noqa: E402

NS = "{http://www.w3.org/2000/svg}"

LANES = ["isr:irq42", "eth_rx", "tcpip_mbox", "tcpip_thread", "ethernetif_input",
         "low_level_input", "tcpip_input", "tcpip_inpkt", "tcpip_thread()",
         "ethernet_input", "ip4_input", "icmp_input",
         "ip4_output_if", "etharp_output", "ethernet_output", "low_level_output", "wire en0"]


class FlowTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        self.w = w = tracegen.TraceWriter(cpu_hz=12_500_000)
        self.sc = sc = tracegen.PingScenario(w)
        # first a frame that is not a ping, handled outside any layer
        arp = tracegen.arp_frame(tracegen.PEER_MAC, tracegen.PEER_IP, tracegen.OUR_IP)
        w.record("FRAME_RX", dt=5, netif=tracegen.N_EN0, len=42, orig_len=60, data=arp)
        sc.ping(seq=1)
        sc.ping(seq=2, frames=2)
        sc.end()
        self.trace = self.path("ping.ngt")
        w.write(self.trace)

    def index(self):
        return flow_mod.FlowIndex(Trace(self.trace))

    def test_records_of_one_ping_in_order(self):
        idx = self.index()
        f = idx.rx_flow(2)
        m = self.sc.marks[0]
        got = f.indexes()
        # the records, exactly: from the ISR run to tcpip_thread's last exit
        want = list(range(m["isr_enter"], m["ethif_exit"] + 1))
        want += [m["switch_tcpip"]] + list(range(m["fetch"], m["exit_tcpip_thread"] + 1))
        self.assertEqual(got, want)
        self.assertEqual([s.role for s in f.segments], ["isr", "rx", "fetch"])
        self.assertEqual([s.label for s in f.segments], ["isr:irq42", "eth_rx", "tcpip_thread"])
        kinds = [(ln.kind, ln.src, ln.dst) for ln in f.links]
        self.assertIn(("signal", m["signal"], m["take"]), kinds)
        self.assertIn(("post", m["post"], m["fetch"]), kinds)
        self.assertIn(("switch", m["switch_rx"], m["switch_rx"]), kinds)
        self.assertIn(("switch", m["switch_tcpip"], m["switch_tcpip"]), kinds)

    def test_frames_of_one_activation_are_split(self):
        idx = self.index()
        f3, f4 = idx.rx_flow(3), idx.rx_flow(4)
        m3, m4 = self.sc.marks[1], self.sc.marks[2]
        a3, a4 = f3.indexes(), f4.indexes()
        # only the switch that let tcpip_thread run (for both messages) is shared
        self.assertEqual(set(a3) & set(a4), {m3["switch_tcpip"]})
        s3 = {i for s in f3.segments for i in s.indexes}
        s4 = {i for s in f4.segments for i in s.indexes}
        self.assertFalse(s3 & s4)
        self.assertEqual(a3[0], m3["isr_enter"])
        self.assertEqual(max(i for i in a3 if i < m3["fetch"]), m3["switch_tcpip"])
        self.assertEqual(min(a4), m4["lli_enter"])
        self.assertIn(m4["ethif_exit"], a4)
        self.assertIn(m3["frame_tx"], a3)
        self.assertIn(m4["frame_tx"], a4)
        self.assertNotIn(m4["frame_tx"], a3)
        # eth_rx's part of frame 3 ends just before frame 4's low_level_input
        rx3 = [s for s in f3.segments if s.role == "rx"][0]
        self.assertEqual(rx3.indexes[-1] + 1, m4["lli_enter"])

    def test_text(self):
        status, out, err = helpers.run_cli("flow", self.trace, "--text")
        self.assertEqual(status, 0, err)
        lines = out.splitlines()
        self.assertRegex(lines[0], r"^RX frame #2: ICMP echo request 10\.0\.2\.2 > 10\.0\.2\.15 "
                         r"id=0x1234 seq=1 \(98 bytes, 64 kept\) on en0 at \d+\.\d{3} us$")
        self.assertEqual(names_in(out), RX1)
        # indentation: two spaces per open layer, counted in the context
        body = {ln.split()[2].split("(")[0]: ln for ln in lines[3:] if ln.endswith("{")}
        for depth, fn in ((0, "ethernetif_input"), (1, "low_level_input"), (1, "tcpip_input"),
                          (2, "tcpip_inpkt"), (0, "tcpip_thread"), (1, "ethernet_input"),
                          (7, "low_level_output")):
            self.assertIn("  " + "  " * depth + fn + "(", body[fn][27:], body[fn])
        frame_tx = [ln for ln in lines if " FRAME_TX " in ln][0]
        self.assertEqual(frame_tx[29:29 + 18], " " * 16 + "FR")     # 8 layers deep
        self.assertIn("FRAME_TX netif=en0 len=64 orig_len=98 data=525400aabbcc", frame_tx)
        self.assertTrue(frame_tx.endswith("..."))

    def test_pick_by_number(self):
        status, out, err = helpers.run_cli("flow", self.trace, "--text", "--frame", "4")
        self.assertEqual(status, 0, err)
        self.assertIn("RX frame #4: ICMP echo request", out.splitlines()[0])
        self.assertIn("seq=3", out.splitlines()[0])
        status, out, err = helpers.run_cli("flow", self.trace, "--text", "--frame", "1")
        self.assertEqual(status, 0, err)
        self.assertEqual(out.splitlines()[:2], [
            "RX frame #1: ARP who-has 10.0.2.15 tell 10.0.2.2 (60 bytes, 42 kept) on en0 at "
            "84.400 us", "1 record in idle"])

    def test_svg(self):
        out = self.path("flow.svg")
        status, stdout, err = helpers.run_cli("flow", self.trace, "-o", out)
        self.assertEqual((status, stdout), (0, ""), err)
        root = ET.parse(out).getroot()
        self.assertEqual(root.tag, NS + "svg")
        lanes = [g for g in root.iter(NS + "g") if g.get("class") == "lanes"][0]
        labels = [t.find(NS + "title").text for t in lanes.iter(NS + "text")]
        self.assertEqual(labels, LANES)
        rows = [g for g in root.iter(NS + "g") if g.get("class") == "rows"][0]
        kinds = [g.get("class") for g in rows if g.tag == NS + "g"]
        self.assertEqual(len(kinds), len(RX1))
        self.assertEqual(kinds[:7], ["note", "signal", "note", "switch", "note", "call", "call"])
        self.assertEqual(kinds.count("call"), 12)
        self.assertEqual(kinds.count("return"), 12)
        self.assertEqual((kinds.count("post"), kinds.count("fetch"), kinds.count("frame")),
                         (1, 1, 2))
        # order: the post to tcpip_mbox, then its fetch, then the FRAME_TX
        self.assertLess(kinds.index("post"), kinds.index("fetch"))
        self.assertEqual([k for k in kinds if k == "frame"], ["frame", "frame"])
        titles = [g.find(NS + "title").text for g in rows if g.tag == NS + "g"]
        self.assertIn("MBOX_TRYPOST", titles[kinds.index("post")])
        self.assertIn("fetched by tcpip_thread", titles[kinds.index("post")])
        bars = [g for g in root.iter(NS + "g") if g.get("class") == "bars"][0]
        self.assertEqual(len(list(bars)), 12 + 3)       # one per call, one per context

    def test_svg_and_text_together(self):
        out = self.path("flow.svg")
        status, stdout, err = helpers.run_cli("flow", self.trace, "-o", out, "--text",
                                              "--frame", "3")
        self.assertEqual(status, 0, err)
        self.assertTrue(stdout.startswith("RX frame #3"))
        ET.parse(out)


class FlowErrorTest(helpers.TempDirTest):

    def write(self, build):
        w = tracegen.TraceWriter()
        build(w)
        path = self.path("t.ngt")
        w.write(path)
        return path

    def test_no_frames(self):
        path = self.write(lambda w: (tracegen.workload(w, 40), w.record("END")))
        for args in (["--text"], ["--text", "--frame", "1"]):
            status, out, err = helpers.run_cli("flow", path, *args)
            self.assertOneLineError(status, err, "no FRAME_RX records")
            self.assertEqual(out, "")

    def test_no_such_frame(self):
        def build(w):
            sc = tracegen.PingScenario(w)
            sc.ping()
            sc.end()
        path = self.write(build)
        status, _, err = helpers.run_cli("flow", path, "--text", "--frame", "2")
        self.assertOneLineError(status, err, "no FRAME_RX #2: the trace has 1")
        status, _, err = helpers.run_cli("flow", path, "--text", "--frame", "0")
        self.assertOneLineError(status, err, "--frame")

    def test_no_echo_request(self):
        def build(w):
            w.sync(0)
            w.record("FRAME_RX", dt=1, netif=0, len=4, orig_len=4, data=b"\x00\x01\x02\x03")
        path = self.write(build)
        status, _, err = helpers.run_cli("flow", path, "--text")
        self.assertOneLineError(status, err, "none of the 1 FRAME_RX records is an ICMP echo "
                                "request", "--frame N")

    def test_needs_an_output(self):
        status, _, err = helpers.run_cli("flow", self.path("whatever.ngt"))
        self.assertOneLineError(status, err, "-o OUT.svg, --text")

    def test_unwritable_svg(self):
        def build(w):
            sc = tracegen.PingScenario(w)
            sc.ping()
            sc.end()
        path = self.write(build)
        status, _, err = helpers.run_cli("flow", path, "-o", self.path("nope/x.svg"))
        self.assertOneLineError(status, err, "cannot write")


if __name__ == "__main__":
    unittest.main()
