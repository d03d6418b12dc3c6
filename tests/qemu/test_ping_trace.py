"""tests/qemu/test_ping_trace.py - the trace of one real received ping.

Boots apps/ping_demo (count=0: it sends no pings of its own, it only
answers) on QEMU's dgram back end with the scripted peer of
tests/qemu/peer.py. The peer waits for the board's first frame, resolves
its address, sends one echo request and waits for the reply; the demo
stops at its time limit and its trace is decoded. The test checks, on the
decoded records themselves:

  * the request's FRAME_RX holds exactly the bytes the peer sent, and the
    reply's FRAME_TX exactly the bytes the peer got back;
  * the records of the receive path come in the order of design section 1:
    ISR_ENTER irq42, SEM_SIGNAL waking eth_rx, ISR_EXIT; in eth_rx SEM_TAKE,
    ethernetif_input { low_level_input { FRAME_RX } tcpip_input {
    tcpip_inpkt { MBOX_TRYPOST tcpip_mbox msg=M } } }; in tcpip_thread
    MBOX_FETCH msg=M, TCPIP_MSG INPKT msg=M, then ethernet_input, ip4_input,
    icmp_input, ip4_output_if, etharp_output, ethernet_output and
    low_level_output entered in that order, FRAME_TX, and the exit of the
    tcpip_thread layer; the pbuf built by low_level_input is the argument
    of every input layer;
  * "ngtrace flow" picks that frame by default and its flow holds exactly
    those records' contexts, and "ngtrace pcapng" writes the request and the
    reply (checked by our pcapng reader, and by tshark when installed).

QEMU runs with -icount shift=0 but without sleep=off: the guest's time is
counted in instructions (so the trace's clock is steady), yet an idle guest
still waits for the host clock, so its time limit leaves the peer, which
works in host time, the time to talk to it. Skipped when the image or the
peer is not there yet.

    python3 -m unittest tests.qemu.test_ping_trace -v
"""
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from tests.qemu import qemu

from tests.qemu import peer as peer_mod

TRACER_TESTS = os.path.join(qemu.ROOT, "tests", "tracer")
for _p in (os.path.join(qemu.ROOT, "tracer"), TRACER_TESTS):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from ngtracelib import cli as ngcli  # noqa: E402
from ngtracelib.flow import FlowIndex, frame_number_of_echo  # noqa: E402
from ngtracelib.reader import Trace  # noqa: E402
import pcapng_read  # noqa: E402

BOARD_IP = "10.0.2.15"
ETH_EXCEPTION = 16 + 42         # the Stellaris MAC's IRQ 42
IDENT, SEQ = 0x7071, 1
DATA = bytes((i * 7 + 3) & 0xFF for i in range(56))
LIMIT_S = 2                     # the demo's time limit (guest seconds)

# The layers tcpip_thread enters for an echo request, in order, with the
# request's pbuf as argument (icmp_input turns it into the reply in place).
INPUT_LAYERS = ("ethernet_input", "ip4_input", "icmp_input")
OUTPUT_LAYERS = ("ip4_output_if", "etharp_output", "ethernet_output", "low_level_output")


class PingTrace(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        qemu.require_elf(cls, "ping_demo")
        if shutil.which("qemu-system-arm") is None:
            raise unittest.SkipTest("qemu-system-arm is not installed")
        cls.workdir = tempfile.mkdtemp(prefix="ngq-ping-")
        cls.peer = peer_mod.Peer()
        try:
            cls._run()
        finally:
            cls.peer.close()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def _run(cls):
        peer = cls.peer
        elf = qemu.elf_path("ping_demo")
        sh = "enable=on,target=native,arg=ping_demo,arg=count=0,arg=limit=%d" % LIMIT_S
        cmd = ["qemu-system-arm", "-icount", "shift=0", "-M", "lm3s6965evb", "-nographic",
               "-no-reboot",
               "-semihosting-config", sh, "-kernel", elf] + peer.qemu_netdev_args()
        q = subprocess.Popen(cmd, cwd=cls.workdir, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            # the board announces itself once its interface is up; before
            # that QEMU may not even listen on its port
            cls.first = peer.run_until(lambda f: True, timeout=10)
            cls.arp = peer.resolve(BOARD_IP, timeout=3) if cls.first else None
            cls.request = peer.echo_frames(BOARD_IP, IDENT, SEQ, DATA)
            cls.reply = None
            if cls.arp:
                for frame in cls.request:
                    peer.send(frame)
                got = peer.run_until(
                    lambda f: f.ip is not None and f.ip.proto == 1 and
                    f.ip.payload[:1] == b"\x00", timeout=3)
                cls.reply = got.raw if got else None
            out, err = q.communicate(timeout=LIMIT_S + 30)
        except BaseException:
            q.kill()
            q.communicate()
            raise
        cls.status = q.returncode
        cls.console = out.decode("utf-8", "replace")
        cls.stderr = err.decode("utf-8", "replace")
        cls.trace_path = os.path.join(cls.workdir, "trace.bin")

    # -- helpers -----------------------------------------------------------

    def setUp(self):
        self.assertIsNotNone(self.first, "the board sent nothing: " + self.console)
        self.assertIsNotNone(self.arp, "no ARP reply from the board: " + self.console)
        self.assertIsNotNone(self.reply, "no echo reply from the board: " + self.console)
        self.assertEqual(self.status, 0, self.console + self.stderr)
        self.assertTrue(os.path.exists(self.trace_path), "no trace.bin: " + self.console)
        self.warnings = []
        self.trace = Trace(self.trace_path, warn=self.warnings.append)
        self.index = FlowIndex(self.trace)
        self.recs = self.index.recs
        self.layer = self.trace.table.enums["layer"]

    def request_frame(self):
        """Index of the FRAME_RX of our echo request."""
        sent = self.request[0]
        hits = [i for i in self.index.rx_frames
                if self.recs[i].fields["data"] == sent[:self.recs[i].fields["len"]]]
        self.assertEqual(len(hits), 1, "FRAME_RX records of the request: %r" % hits)
        return hits[0]

    def find(self, start, what, pred, ctx=None):
        """Index of the first record from start on that is event `what`, in
        context ctx (a name) if given, and satisfies pred(fields)."""
        for i in range(start, len(self.recs)):
            r = self.recs[i]
            if r.event.name == what and (ctx is None or r.context == ctx) and pred(r.fields):
                return i
        self.fail("no %s%s after record #%d" % (what, " in " + ctx if ctx else "", start))

    def enter(self, fn):
        return lambda f, v=self.layer[fn]: f["fn"] == v

    # -- the tests ---------------------------------------------------------

    def test_frames_hold_the_bytes_on_the_wire(self):
        rx = self.recs[self.request_frame()].fields
        sent = self.request[0]
        self.assertEqual((rx["orig_len"], rx["len"]), (len(sent), min(len(sent), 64)))
        self.assertEqual(rx["data"], sent[:rx["len"]])
        tx = [self.recs[i].fields for i in self.index.tx_frames
              if self.recs[i].fields["data"] == self.reply[:self.recs[i].fields["len"]]]
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx[0]["orig_len"], len(self.reply))

    def test_receive_path_in_order(self):
        r = self.request_frame()
        recs = self.recs
        # backwards from the frame: the take that woke eth_rx, the signal it
        # took, and the interrupt that gave it
        take = max(i for i in range(r) if recs[i].event.name == "SEM_TAKE"
                   and recs[i].context == "eth_rx")
        signal = self.index.signal_of.get(take)
        self.assertIsNotNone(signal, "the SEM_TAKE of eth_rx has no signal")
        self.assertEqual(recs[signal].context, "isr:irq42")
        self.assertEqual(recs[signal].reg.thread_name(recs[signal].fields["woke"]), "eth_rx")
        # (SysTick may run in between, even nested in the Ethernet handler)
        isr = max(i for i in range(signal) if recs[i].event.name == "ISR_ENTER"
                  and recs[i].fields["irq"] == ETH_EXCEPTION)
        self.assertEqual(recs[isr].context, "isr:irq42")
        isr_exit = self.find(isr, "ISR_EXIT", lambda f: f["irq"] == ETH_EXCEPTION)
        self.assertLess(signal, isr_exit)
        self.assertLess(isr_exit, take)

        steps = [("eth_rx", take)]
        at = take

        def step(what, pred, ctx):
            nonlocal at
            at = self.find(at + 1, what, pred, ctx)
            steps.append((what, at))
            return at

        step("LAYER_ENTER", self.enter("ethernetif_input"), "eth_rx")
        step("LAYER_ENTER", self.enter("low_level_input"), "eth_rx")
        alloc = step("PBUF_ALLOC", lambda f: True, "eth_rx")
        p = recs[alloc].fields["p"]
        self.assertEqual(step("FRAME_RX", lambda f: True, "eth_rx"), r)
        step("LAYER_EXIT", self.enter("low_level_input"), "eth_rx")
        step("LAYER_ENTER", lambda f: self.enter("tcpip_input")(f) and f["arg"] == p, "eth_rx")
        step("LAYER_ENTER", lambda f: self.enter("tcpip_inpkt")(f) and f["arg"] == p, "eth_rx")
        post = step("MBOX_TRYPOST", lambda f: True, "eth_rx")
        m = recs[post].fields["msg"]
        self.assertEqual(recs[post].reg.obj_name(recs[post].fields["mbox"]), "tcpip_mbox")
        step("LAYER_EXIT", self.enter("ethernetif_input"), "eth_rx")
        fetch = step("MBOX_FETCH", lambda f: f["msg"] == m, "tcpip_thread")
        self.assertEqual(self.index.post_of.get(fetch), post)
        msg = step("TCPIP_MSG", lambda f: f["msg"] == m, "tcpip_thread")
        self.assertEqual(self.trace.table.enum_names["msgtype"][recs[msg].fields["type"]],
                         "INPKT")
        step("LAYER_ENTER", lambda f: self.enter("tcpip_thread")(f) and f["arg"] == m,
             "tcpip_thread")
        for fn in INPUT_LAYERS:
            step("LAYER_ENTER", lambda f, fn=fn: self.enter(fn)(f) and f["arg"] == p,
                 "tcpip_thread")
        for fn in OUTPUT_LAYERS:
            step("LAYER_ENTER", self.enter(fn), "tcpip_thread")
        tx = step("FRAME_TX", lambda f: True, "tcpip_thread")
        self.assertEqual(recs[tx].fields["data"], self.reply[:recs[tx].fields["len"]])
        step("LAYER_EXIT", self.enter("tcpip_thread"), "tcpip_thread")

        # the flow of "ngtrace flow" is that frame, with those records
        self.assertEqual(self.index.rx_frames[frame_number_of_echo(self.index) - 1], r)
        flow = self.index.rx_flow(self.index.rx_frames.index(r) + 1)
        got = set(flow.indexes())
        for what, i in steps + [("ISR_ENTER", isr), ("SEM_SIGNAL", signal),
                                ("ISR_EXIT", isr_exit)]:
            self.assertIn(i, got, "%s (#%d) is not in the flow" % (what, i))
        self.assertEqual([s.label for s in flow.segments], ["isr:irq42", "eth_rx",
                                                            "tcpip_thread"])
        self.assertEqual(flow.indexes()[0], isr)
        self.assertEqual(flow.indexes()[-1], steps[-1][1])

    def test_pcapng_has_request_and_reply(self):
        out = os.path.join(self.workdir, "ping.pcapng")
        msgs = io.StringIO()
        with contextlib.redirect_stdout(msgs), contextlib.redirect_stderr(msgs):
            status = ngcli.main(["pcapng", self.trace_path, "--elf",
                                 qemu.elf_path("ping_demo"), "-o", out])
        self.assertEqual(status, 0, msgs.getvalue())
        self.assertNotIn("error", msgs.getvalue())
        with open(out, "rb") as f:
            cap = pcapng_read.read(f.read())
        self.assertEqual([i.linktype for i in cap.interfaces], [1])
        sent = self.request[0]
        req = [p for p in cap.packets if p.data == sent[:p.caplen] and p.flags == 1]
        rep = [p for p in cap.packets if p.data == self.reply[:p.caplen] and p.flags == 2]
        self.assertEqual((len(req), len(rep)), (1, 1))
        self.assertEqual((req[0].origlen, rep[0].origlen), (len(sent), len(self.reply)))
        self.assertLess(req[0].ts, rep[0].ts)
        self.assertTrue(req[0].comment.startswith("RX frame #"), req[0].comment)
        self.assertIn("ICMP echo request 10.0.2.2 > 10.0.2.15 id=0x7071 seq=1",
                      req[0].comment.splitlines()[0])
        self.assertIn("isr:irq42 -> eth_rx -> tcpip_thread", req[0].comment)
        self.assertIn("ICMP echo reply 10.0.2.15 > 10.0.2.2", rep[0].comment.splitlines()[0])
        tshark = shutil.which("tshark")
        if tshark is None:
            self.skipTest("tshark is not installed: the pcapng file was checked by "
                          "tests/tracer/pcapng_read.py only")
        r = subprocess.run([tshark, "-r", out, "-T", "fields", "-E", "separator=|",
                            "-e", "icmp.type", "-e", "icmp.ident", "-e", "icmp.seq"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [ln for ln in r.stdout.splitlines() if ln.split("|")[0]]
        self.assertIn("8|%d|%d" % (IDENT, SEQ), rows)
        self.assertIn("0|%d|%d" % (IDENT, SEQ), rows)


if __name__ == "__main__":
    unittest.main()
