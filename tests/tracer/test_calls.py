"""Socket and netconn calls ("ngtrace calls", "ngtrace call"): which calls
are found, which records each call's flow holds (across tcpip_mbox and
tcpip_thread, and through the op_completed semaphore back to the app),
with and without the core lock, and the command line's outputs and
errors."""

import errno
import os
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import apigen  # noqa: E402
import helpers  # noqa: E402
import tracegen  # noqa: E402
from apigen import S_OPC2, T_APP2, T_IDLE  # noqa: E402
from ngtracelib import calls as calls_mod  # noqa: E402
from ngtracelib.flow import FlowIndex  # noqa: E402
from ngtracelib.reader import Trace  # noqa: E402

NS = "{http://www.w3.org/2000/svg}"


def build(core_lock=False, errno=0, end=True):
    """socket, connect (a ping and app2's socket happen while it waits for
    the SYN-ACK), send, and a recv that never returns."""
    w = tracegen.TraceWriter(cpu_hz=12_500_000)
    sc = apigen.ApiScenario(w, core_lock=core_lock)
    marks = {"socket": sc.socket(), "connect": sc.connect_start()}
    marks["ping"] = sc.ping(seq=1)[0]
    sc.running = T_IDLE
    marks["socket2"] = sc.socket(app=T_APP2, sem=S_OPC2, msg=apigen.MSG_APP2)
    sc.run(T_IDLE, "BLOCKED")
    marks["synack"] = sc.synack(marks["connect"])
    sc.connect_end(marks["connect"], errno=errno)
    marks["send"] = sc.send()
    marks["recv"] = sc.recv_forever()
    if end:
        sc.end()
    return w, marks


def span(a, b):
    return list(range(a, b + 1))


class CallsTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        self.w, self.m = build()
        self.trace = self.path("api.ngt")
        self.w.write(self.trace)

    def calls(self, path=None):
        return calls_mod.find_calls(FlowIndex(Trace(path or self.trace)))

    def test_calls_found(self):
        calls = self.calls()
        self.assertEqual([(c.number, c.thread, c.function) for c in calls], [
            (1, "app", "lwip_socket"), (2, "app", "lwip_connect"), (3, "app2", "lwip_socket"),
            (4, "app", "lwip_send"), (5, "app", "lwip_recvfrom")])
        self.assertEqual([c.enter for c in calls],
                         [self.m[k]["enter"] for k in ("socket", "connect", "socket2", "send",
                                                       "recv")])
        self.assertEqual(calls[1].exit, self.m["connect"]["exit"])
        self.assertIsNone(calls[4].exit)

    def test_socket_crosses_the_mailbox(self):
        m = self.m["socket"]
        f = self.calls()[0].flow()
        want = span(m["enter"], m["switch_tcpip"]) + span(m["fetch"], m["tcpip_exit"]) + \
            [m["switch_app"]] + span(m["take"], m["exit"])
        self.assertEqual(f.indexes(), want)
        self.assertEqual([(s.role, s.label) for s in f.segments],
                         [("call", "app"), ("fetch", "tcpip_thread")])
        links = {(ln.kind, ln.src, ln.dst) for ln in f.links}
        self.assertIn(("post", m["post"], m["fetch"]), links)
        self.assertIn(("signal", m["signal"], m["take"]), links)
        self.assertIn(("switch", m["switch_app"], m["switch_app"]), links)

    def test_connect_completes_from_a_later_inpkt(self):
        m, r = self.m["connect"], self.m["synack"]
        f = self.calls()[1].flow()
        got = set(f.indexes())
        # the do_connect message, with the SYN it sent
        self.assertTrue(set(span(m["fetch"], m["tcpip_exit"])) <= got)
        self.assertIn(m["frame_tx"][0], got)
        # the SYN-ACK: eth_rx's part of the frame, its INPKT message and
        # tcpip_thread's handling of it up to the exit, ACK included
        self.assertTrue(set(span(r["ethif"], r["ethif_exit"])) <= got)
        self.assertTrue(set(span(r["fetch"], r["tcpip_exit"])) <= got)
        self.assertIn(r["frame_tx"][0], got)
        self.assertNotIn(r["isr"], got)         # the frame's part, not what woke eth_rx
        links = {(ln.kind, ln.src, ln.dst) for ln in f.links}
        self.assertIn(("signal", r["signal"], m["take"]), links)
        self.assertIn(("post", r["post"], r["fetch"]), links)
        self.assertIn(("post", m["post"], m["fetch"]), links)
        # nothing of the ping, nor of app2's socket call, in between
        p, s2 = self.m["ping"], self.m["socket2"]
        self.assertFalse(got & set(span(p["isr_enter"], p["exit_tcpip_thread"])))
        self.assertFalse(got & set(span(s2["enter"], s2["exit"])))
        self.assertEqual(f.indexes()[-1], m["exit"])
        self.assertEqual([s.label for s in f.segments], ["app", "tcpip_thread", "eth_rx",
                                                         "tcpip_thread"])

    def test_message_pointer_reused_fifo(self):
        # socket and connect post the same stack address: each call gets its own fetch
        s, c = self.m["socket"], self.m["connect"]
        calls = self.calls()
        self.assertNotIn(c["fetch"], calls[0].flow().indexes())
        self.assertNotIn(s["fetch"], calls[1].flow().indexes())

    def test_interleaved_threads(self):
        calls = self.calls()
        s2, c = self.m["socket2"], self.m["connect"]
        f3 = calls[2].flow()
        got = set(f3.indexes())
        self.assertTrue(set(span(s2["fetch"], s2["tcpip_exit"])) <= got)
        self.assertEqual({s.label for s in f3.segments}, {"app2", "tcpip_thread"})
        links = {(ln.kind, ln.src, ln.dst) for ln in f3.links}
        self.assertIn(("signal", s2["signal"], s2["take"]), links)
        self.assertFalse(got & set(calls[1].own()))
        self.assertNotIn(self.m["synack"]["signal"], got)

    def test_nested_call_is_one(self):
        m = self.m["send"]
        calls = self.calls()
        self.assertNotIn("netconn_write_partly", [c.function for c in calls])
        f = calls[3].flow()
        self.assertIn(m["nested"], f.indexes())
        self.assertIn(m["frame_tx"][0], f.indexes())
        self.assertEqual(f.indexes()[-1], m["exit"])

    def test_never_returns(self):
        m = self.m["recv"]
        c = self.calls()[4]
        self.assertEqual(calls_mod.result(c), "never returns")
        # the MBOX_WAIT; its switch to idle is left out (idle plays no part)
        self.assertEqual(c.flow().indexes(), [m["enter"], m["enter"] + 1, m["wait"]])
        status, out, err = helpers.run_cli("call", self.trace, "5", "--text")
        self.assertEqual(status, 0, err)
        self.assertRegex(out.splitlines()[0], r"^call #5: lwip_recvfrom\(0\) in app at "
                         r"\d+\.\d{3} us, never returns \(the trace ends\)$")

    def test_trace_cut_short(self):
        w, m = build(end=False)
        path = self.path("cut.ngt")
        w.write(path)
        status, out, err = helpers.run_cli("calls", path)
        self.assertEqual(status, 0, err)
        self.assertIn("no END record", err)
        self.assertRegex(out.splitlines()[5], r"^\s+5\s+app\s+lwip_recvfrom\(0\)\s+[\d.]+\s+-"
                                              r"\s+-\s+never returns\s+3$")


class CoreLockTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        self.w, self.m = build(core_lock=True)
        self.trace = self.path("lock.ngt")
        self.w.write(self.trace)
        self.calls = calls_mod.find_calls(FlowIndex(Trace(self.trace)))

    def test_same_calls(self):
        self.assertEqual([c.function for c in self.calls],
                         ["lwip_socket", "lwip_connect", "lwip_socket", "lwip_send",
                          "lwip_recvfrom"])

    def test_socket_is_the_app_span(self):
        m = self.m["socket"]
        f = self.calls[0].flow()
        self.assertEqual(f.indexes(), span(m["enter"], m["exit"]))
        self.assertEqual([s.label for s in f.segments], ["app"])
        self.assertEqual(f.links, [])
        rec = f.index.recs[m["tcpip_msg"]]
        self.assertEqual((rec.context, rec.fields["msg"]), ("app", 0))

    def test_connect_plus_what_wakes_it(self):
        m, r = self.m["connect"], self.m["synack"]
        f = self.calls[1].flow()
        got = set(f.indexes())
        self.assertTrue(set(span(m["enter"], m["wait"])) <= got)
        self.assertIn(m["frame_tx"][0], got)     # the SYN, sent by the app thread itself
        self.assertTrue(set(span(r["fetch"], r["tcpip_exit"])) <= got)
        self.assertTrue(set(span(r["lli"], r["rx_end"])) <= got)
        self.assertEqual([s.label for s in f.segments], ["app", "eth_rx", "tcpip_thread"])
        kinds = sorted(ln.kind for ln in f.links if ln.kind != "switch")
        self.assertEqual(kinds, ["post", "signal"])   # the INPKT and op_completed


class CallCliTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        w, self.m = build(errno=111)
        self.trace = self.path("api.ngt")
        w.write(self.trace)

    def test_calls_listing(self):
        status, out, err = helpers.run_cli("calls", self.trace)
        self.assertEqual(status, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["#", "THREAD", "CALL", "START", "us", "END", "us",
                                            "TIME", "RESULT", "RECORDS"])
        self.assertEqual(len(lines), 7)
        self.assertEqual(lines[-1], "5 calls")
        row = lines[2].split()
        self.assertEqual(row[:3], ["2", "app", "lwip_connect(0)"])
        self.assertEqual(row[-3:-1], ["errno", "111"])
        calls = calls_mod.find_calls(FlowIndex(Trace(self.trace)))
        self.assertEqual(int(row[-1]), len(calls[1].flow().indexes()))

    def test_errno_names_from_the_elf(self):
        elf = self.path("fw.elf")
        with open(elf, "wb") as f:
            f.write(helpers.elf32([("do_connect", 0x3010, 16, 2)]))
        status, out, err = helpers.run_cli("calls", self.trace, "--elf", elf)
        self.assertEqual(status, 0, err)
        self.assertIn("errno 111 (ECONNREFUSED)", out)      # newlib's 111
        with open(elf, "wb") as f:
            f.write(helpers.elf32([], machine=62))
        status, out, err = helpers.run_cli("calls", self.trace, "--elf", elf)
        self.assertEqual(status, 0, err)
        self.assertIn("errno 111 (%s)" % errno.errorcode[111], out)   # this host's C library

    def test_svg(self):
        out = self.path("c.svg")
        status, stdout, err = helpers.run_cli("call", self.trace, "1", "-o", out)
        self.assertEqual((status, stdout), (0, ""), err)
        root = ET.parse(out).getroot()
        lanes = [g for g in root.iter(NS + "g") if g.get("class") == "lanes"][0]
        labels = [t.find(NS + "title").text for t in lanes.iter(NS + "text")]
        self.assertEqual(labels, ["app", "lwip_socket", "netconn_new_with_proto_and_callback",
                                  "tcpip_apimsg", "tcpip_mbox", "tcpip_thread",
                                  "tcpip_thread()", "do_newconn", "pcb_new", "tcp_new",
                                  "tcp_alloc", "alloc_socket"])
        rows = [g for g in root.iter(NS + "g") if g.get("class") == "rows"][0]
        kinds = [g.get("class") for g in rows if g.tag == NS + "g"]
        self.assertEqual(len(kinds), 27)
        self.assertEqual((kinds.count("post"), kinds.count("fetch"), kinds.count("signal")),
                         (1, 1, 1))
        self.assertLess(kinds.index("post"), kinds.index("fetch"))
        self.assertLess(kinds.index("fetch"), kinds.index("signal"))
        title = [t for t in root.iter(NS + "text")][0].text
        self.assertRegex(title, r"^call #1: lwip_socket\(2\) in app at [\d.]+ \.\. [\d.]+ us$")

    def test_connect_svg_has_the_wire_and_eth_rx(self):
        out = self.path("c.svg")
        status, _, err = helpers.run_cli("call", self.trace, "2", "-o", out)
        self.assertEqual(status, 0, err)
        root = ET.parse(out).getroot()
        lanes = [g for g in root.iter(NS + "g") if g.get("class") == "lanes"][0]
        labels = [t.find(NS + "title").text for t in lanes.iter(NS + "text")]
        self.assertEqual(labels[:8], ["app", "lwip_connect", "netconn_connect", "tcpip_apimsg",
                                      "tcpip_mbox", "tcpip_thread", "tcpip_thread()",
                                      "do_connect"])
        self.assertIn("eth_rx", labels)
        self.assertEqual(labels[-1], "wire en0")
        rows = [g for g in root.iter(NS + "g") if g.get("class") == "rows"][0]
        kinds = [g.get("class") for g in rows if g.tag == NS + "g"]
        self.assertEqual(kinds.count("frame"), 3)       # SYN, SYN-ACK, ACK
        self.assertEqual(kinds.count("post"), 2)        # the API message, the INPKT
        self.assertEqual(kinds.count("signal"), 1)      # do_connected -> app

    def test_dir_all(self):
        d = self.path("out")
        status, out, err = helpers.run_cli("call", self.trace, "--all", "--dir", d)
        self.assertEqual(status, 0, err)
        names = ["01-lwip_socket.svg", "02-lwip_connect.svg", "03-lwip_socket.svg",
                 "04-lwip_send.svg", "05-lwip_recvfrom.svg"]
        self.assertEqual(sorted(os.listdir(d)), names)
        for n in names:
            ET.parse(os.path.join(d, n))
        self.assertEqual(len(out.splitlines()), 5)
        self.assertIn("02-lwip_connect.svg: call #2 lwip_connect in app, ", out)
        status, out, err = helpers.run_cli("call", self.trace, "--all", "--dir", d,
                                           "--format", "mermaid")
        self.assertEqual(status, 0, err)
        self.assertIn("03-lwip_socket.mmd", os.listdir(d))

    def test_text_and_mermaid(self):
        status, out, err = helpers.run_cli("call", self.trace, "2", "--text")
        self.assertEqual(status, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[1], "result: errno 111")
        self.assertTrue(lines[2].endswith("records in app -> tcpip_thread -> eth_rx"))
        self.assertIn("SEM_SIGNAL sem=op_completed count=0 woke=app  => wakes app", out)
        self.assertIn("<= signalled by tcpip_thread", out)
        status, out2, err = helpers.run_cli("call", self.trace, "2", "--format", "text")
        self.assertEqual(out2, out)
        status, out3, err = helpers.run_cli("call", self.trace, "2", "--format", "text",
                                            "-o", self.path("c.txt"))
        self.assertEqual((status, out3), (0, ""), err)
        self.assertEqual(helpers.read_bytes(self.path("c.txt")).decode(), out)
        status, out, err = helpers.run_cli("call", self.trace, "1", "--format", "mermaid")
        self.assertEqual(status, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[1], "sequenceDiagram")
        self.assertEqual(lines[2:4], ["    participant p0 as app",
                                      "    participant p1 as lwip_socket"])
        self.assertIn("    p0->>p1: lwip_socket(0x2)", lines)
        self.assertIn("    p5->>p6: tcpip_thread(0x20007f40)", lines)
        self.assertIn("    p3->>p4: post 0x20007f40", lines)     # tcpip_apimsg -> tcpip_mbox
        self.assertIn("    p4->>p5: fetch 0x20007f40", lines)
        self.assertTrue(any(ln.startswith("    p7-)p0: signal op_completed") for ln in lines))

    def test_argument_errors(self):
        cases = [
            (["call", self.trace, "9", "--text"], "no call #9: the trace has 5 (1..5)"),
            (["call", self.trace, "0", "--text"], "must be at least 1"),
            (["call", self.trace, "x", "--text"], "not an integer"),
            (["call", self.trace, "1", "--format", "png"], "invalid choice: 'png'"),
            (["call", self.trace, "--text"], "a call number N or --all"),
            (["call", self.trace, "1", "--all", "--text"], "a call number N or --all"),
            (["call", self.trace, "--all", "-o", self.path("x.svg")], "use --dir"),
            (["call", self.trace, "1"], "-o OUT, --dir DIR, --text"),
            (["call", self.trace, "1", "-o", "a.svg", "--dir", "d"], "not allowed with"),
            (["call", self.trace, "1", "-o", self.path("no/such/x.svg")], "cannot write"),
            (["calls"], "TRACE"),
        ]
        for args, needle in cases:
            status, out, err = helpers.run_cli(*args)
            self.assertOneLineError(status, err, needle)
            self.assertEqual(out, "", args)

    def test_errors_from_the_script(self):
        status, out, err = helpers.run_script("call", self.trace, "6", "-o", self.path("x.svg"))
        self.assertOneLineError(status, err, "no call #6")
        status, out, err = helpers.run_script("call", self.trace, "1", "--format", "pdf")
        self.assertOneLineError(status, err, "--format")

    def test_no_calls(self):
        w = tracegen.TraceWriter()
        sc = tracegen.PingScenario(w)
        sc.ping()
        sc.end()
        path = self.path("ping.ngt")
        w.write(path)
        for args in (["calls", path], ["call", path, "1", "--text"],
                     ["call", path, "--all", "--dir", self.path("d")]):
            status, out, err = helpers.run_cli(*args)
            self.assertOneLineError(status, err, "no socket or netconn calls")
            self.assertEqual(out, "")
        self.assertFalse(os.path.exists(self.path("d")))


class DamagedTraceTest(helpers.TempDirTest):

    def test_truncated_file(self):
        w, _ = build()
        data = w.build(chunk_size=1024)
        path = self.path("cut.ngt")
        with open(path, "wb") as f:
            f.write(data[:w.chunk_offsets[1] + 100])     # inside the second chunk
        for args in (["calls", path], ["call", path, "1", "--text"],
                     ["call", path, "--all", "--dir", self.path("d")]):
            status, out, err = helpers.run_script(*args)
            self.assertOneLineError(status, err, "truncated chunk 1")
            self.assertEqual(out, "")

    def test_corrupt_record(self):
        w, m = build()
        w.truncate(m["connect"]["fetch"])
        w.raw(0)                                        # a zeroed word
        w.record("END")
        path = self.path("zero.ngt")
        w.write(path)
        status, out, err = helpers.run_script("call", path, "1", "--text")
        self.assertOneLineError(status, err, "zero event id at offset")
        self.assertEqual(out, "")


if __name__ == "__main__":
    unittest.main()
