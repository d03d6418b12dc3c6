"""tests/qemu/test_api_trace.py - the socket flows of design section 1, in
the trace of a real board run (issue 5, "Trace").

One boot of apps/lwip_compat per mode, in plain QEMU (no -icount: slirp
and the host's sockets work in host time) behind slirp, with the trace
written by semihosting to trace.bin. Before the boot the host opens a TCP
listener and a UDP server for the board's two clients (which reach them
as 10.0.2.2:PORT); then:

  * the TCP client (compat_tcp_client.c) does socket, connect, send of a
    2000-byte block, recv until the host closes, close; the host reads the
    block, sends it back and closes;
  * the UDP client (compat_udp_client.c) does sendto/recvfrom 20 times;
    the host answers each with "reply <request>";
  * the host connects through slirp to the select echo server
    (compat_socket_echo.c: socket, bind, listen, select, accept, recv,
    send, close), sends a line, reads the echo, holds the connection a
    moment (so that TCP's timers run) and closes.

The image stops at its time limit and the trace is decoded by the
project's own decoder (tracer/ngtracelib: Trace, FlowIndex; `ngtrace
calls` must list the calls). Each flow is then looked for with the
matcher of tests/qemu/trace_match.py: an ordered subsequence of (thread
role, event, detail) steps that follows the message pointer from post to
fetch, the semaphore from signal to take, and the nesting of the layers,
exactly in the order design section 1 lists them.

With LWIP_TCPIP_CORE_LOCKING = 0 (build/lm3s6965evb/lwip_compat.elf) an
API call crosses tcpip_mbox: post of TCPIP_MSG_API, fetch of the same
pointer by tcpip_thread, TCPIP_MSG API <do_x>, do_x in tcpip_thread, the
signal of op_completed, the take in the app. With 1
(build/lm3s6965evb-corelock/lwip_compat.elf) the app records TCPIP_MSG
with message 0 and runs do_x itself: no mailbox crossing, no signal
(except where the call must wait for the network: connect waits for
do_connected, which tcpip_thread runs on the SYN-ACK). The receive path,
recv_tcp, event_callback and the timers are in tcpip_thread in both.

Where the documents' (lwIP 1.x) names differ from what lwIP 2.x does
(tcp_output_segment calls ip4_output_if directly, no ip_output; an entry
in the ARP table goes etharp_output -> etharp_send_ip, a missing one
etharp_query -> etharp_request; accept_function runs when the handshake
completes, from tcp_process, after tcp_listen_input answered the SYN; a
socket's sendto puts its data in a netbuf from netbuf_new; do_delconn
drains the mailboxes before do_close_internal closes the PCB; the TCP
timers run from tcpip_tcp_timer only while there are TCP PCBs), the steps
follow lwIP 2.x and docs/api.md says so. memp_malloc is the MEMP_ALLOC
record of the TCP_PCB pool inside tcp_alloc.

    python3 -m unittest tests.qemu.test_api_trace -v
"""
import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from tests.qemu import qemu
from tests.qemu.compat_peers import CompatPeers
from tests.qemu.trace_match import Matcher, NoMatch, S

for _p in (os.path.join(qemu.ROOT, "tracer"),):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from ngtracelib import cli as ngcli  # noqa: E402
from ngtracelib.calls import find_calls  # noqa: E402
from ngtracelib.elf import Elf  # noqa: E402
from ngtracelib.flow import FlowIndex  # noqa: E402
from ngtracelib.reader import Trace  # noqa: E402

APP = "lwip_compat"
LIMIT = 7               # guest seconds the image runs (plain QEMU: host time)
UP_WAIT = 20.0
IO_WAIT = 15.0
BLOCK = 2000            # apps/lwip_compat/compat.h COMPAT_TCP_CLIENT_BYTES
ECHO_PORT = 7001        # COMPAT_SOCKET_ECHO_PORT
LINE = b"one line through select and back\n"
HOLD = 2.0              # seconds the host keeps the echo connection open

ROLES = {"stack": "tcpip_thread", "rx": "eth_rx", "isr": "isr:irq42"}


def block_pattern(n):
    """compat_tcp_client.c block_byte(i)."""
    return bytes((i * 7 + (i >> 8) * 13 + 1) & 0xff for i in range(n))


def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


# -- the steps of the flows ----------------------------------------------------
#
# Each function returns the steps of one flow of design section 1 for an
# application role "app" and a core-locking mode; p (a prefix) keeps the
# labels and variables of two parts of one flow apart.

def crossing(do_fn, locked, inner=(), signal=True, p="x", call=()):
    """tcpip_apimsg(do_fn): the crossing of an API call and do_fn's work.
    inner are (event, what) pairs done inside do_fn, in order."""
    steps = [S("app", "enter", "tcpip_apimsg", in_layers=call, label=p + "api")]
    if locked:
        # LWIP_TCPIP_CORE_LOCKING = 1: no message, do_fn in the caller
        steps += [S("app", "MUTEX_LOCK", "lock_tcpip_core", inside=p + "api"),
                  S("app", "TCPIP_MSG", "API " + do_fn, fields={"msg": 0}, inside=p + "api"),
                  S("app", "enter", do_fn, inside=p + "api", label=p + "do")]
        steps += [S("app", ev, what, inside=p + "do") for ev, what in inner]
    else:
        steps += [S("app", "MBOX_POST", "tcpip_mbox", inside=p + "api", bind={"msg": p + "M"},
                    label=p + "post"),
                  S("stack", "MBOX_FETCH", "tcpip_mbox", pair=p + "post", bind={"msg": p + "M"}),
                  S("stack", "TCPIP_MSG", "API " + do_fn, bind={"msg": p + "M"}),
                  S("stack", "enter", "tcpip_thread", bind={"arg": p + "M"}, label=p + "run"),
                  S("stack", "enter", do_fn, inside=p + "run", label=p + "do")]
        steps += [S("stack", ev, what, inside=p + "do") for ev, what in inner]
        if signal:
            steps += [S("stack", "SEM_SIGNAL", "op_completed", inside=p + "do",
                        bind={"sem": p + "OP"}, label=p + "sig"),
                      S("app", "SEM_TAKE", "op_completed", pair=p + "sig", inside=p + "api",
                        bind={"sem": p + "OP"})]
    if signal:
        steps.append(S("app", "exit", "tcpip_apimsg"))
    return steps


# the output path of a TCP segment to an address in the ARP table (lwIP
# 2.x: tcp_output_segment calls ip4_output_if itself, there is no ip_output)
TCP_OUT = [("enter", "tcp_output"), ("enter", "tcp_output_segment"), ("enter", "ip4_output_if"),
           ("enter", "etharp_output"), ("enter", "etharp_send_ip"), ("enter", "ethernet_output"),
           ("enter", "low_level_output"), ("FRAME_TX", None)]


def receive_path(p, transport="tcp_input"):
    """A frame up to the transport's input: Ethernet IRQ -> the ISR gives
    eth_rx_sem -> eth_rx (in the same wake-up) -> ethernetif_input ->
    low_level_input -> tcpip_input -> trypost INPKT to tcpip_mbox ->
    tcpip_thread fetches that message -> ethernet_input -> ip4_input ->
    transport. The run of tcpip_thread is labelled p + "run"."""
    return [S("isr", "ISR_ENTER", "irq42", label=p + "isr"),
            S("isr", "SEM_SIGNAL", "eth_rx_sem", same=p + "isr", label=p + "isig"),
            S("rx", "SEM_TAKE", "eth_rx_sem", pair=p + "isig", label=p + "take"),
            S("rx", "enter", "ethernetif_input", label=p + "eif",
              quiet=(p + "take", {"SEM_TAKE", "SEM_WAIT"})),
            S("rx", "enter", "low_level_input", inside=p + "eif"),
            S("rx", "FRAME_RX", inside=p + "eif"),
            S("rx", "exit", "low_level_input", inside=p + "eif"),
            S("rx", "enter", "tcpip_input", inside=p + "eif"),
            S("rx", "MBOX_TRYPOST", "tcpip_mbox", inside=p + "eif", bind={"msg": p + "IN"},
              label=p + "inpost"),
            S("stack", "MBOX_FETCH", "tcpip_mbox", pair=p + "inpost", bind={"msg": p + "IN"}),
            S("stack", "TCPIP_MSG", "INPKT ethernet_input", bind={"msg": p + "IN"}),
            S("stack", "enter", "tcpip_thread", bind={"arg": p + "IN"}, label=p + "run"),
            S("stack", "enter", "ethernet_input", inside=p + "run"),
            S("stack", "enter", "ip4_input", inside=p + "run"),
            S("stack", "enter", transport, inside=p + "run", label=p + "transport")]


def socket_creation(locked):
    return ([S("app", "enter", "lwip_socket", label="call"),
             S("app", "enter", "netconn_new_with_proto_and_callback", inside="call")] +
            crossing("do_newconn", locked, [("enter", "pcb_new"), ("enter", "tcp_new"),
                                            ("enter", "tcp_alloc"), ("MEMP_ALLOC", "TCP_PCB")],
                     call=("lwip_socket", "netconn_new_with_proto_and_callback")) +
            [S("app", "enter", "alloc_socket", inside="call"),
             S("app", "exit", "lwip_socket")])


def connect(locked, arp_pending=False):
    """arp_pending: the SYN found the ARP entry of 10.0.2.2 still pending
    (the UDP client's query not answered yet): etharp_output queues it
    (etharp_query), and it leaves when the ARP reply comes."""
    out = TCP_OUT[:4] + [("enter", "etharp_query")] if arp_pending else TCP_OUT
    steps = ([S("app", "enter", "lwip_connect", label="call"),
              S("app", "enter", "netconn_connect", inside="call")] +
             crossing("do_connect", locked,
                      [("enter", "setup_tcp"), ("enter", "tcp_connect"),
                       ("enter", "tcp_enqueue")] + out,
                      signal=False, call=("lwip_connect", "netconn_connect")))
    # the SYN-ACK: tcp_input -> do_connected signals op_completed
    steps += receive_path("s")
    steps += [S("stack", "enter", "do_connected", inside="srun", label="conn"),
              S("stack", "SEM_SIGNAL", "op_completed", inside="conn", label="csig"),
              S("app", "SEM_TAKE", "op_completed", pair="csig", in_layers=("lwip_connect",)),
              S("app", "exit", "lwip_connect")]
    return steps


def send(locked):
    return ([S("app", "enter", "lwip_send", label="call"),
             S("app", "enter", "netconn_write_partly", inside="call")] +
            crossing("do_write", locked, [("enter", "do_writemore"), ("enter", "tcp_write"),
                                          ("enter", "tcp_enqueue")] + TCP_OUT,
                     call=("lwip_send", "netconn_write_partly")) +
            [S("app", "exit", "lwip_send")])


def receive(locked):
    return (receive_path("r") +
            [S("stack", "enter", "recv_tcp", inside="rrun", label="rt"),
             S("stack", "MBOX_TRYPOST", "recvmbox", inside="rt", bind={"msg": "DATA"},
               label="dpost"),
             S("stack", "enter", "event_callback", inside="rt", label="ec"),
             S("stack", "NETCONN_EVT", "RCVPLUS", inside="ec"),
             S("app", "MBOX_FETCH", "recvmbox", pair="dpost", bind={"msg": "DATA"},
               in_layers=("lwip_recvfrom", "netconn_recv")),
             S("app", "enter", "netbuf_copy_partial", in_layers=("lwip_recvfrom",),
               bind={"arg": "DATA"})] +
            crossing("do_recv", locked, [("enter", "tcp_recved")], call=("lwip_recvfrom",)) +
            [S("app", "exit", "lwip_recvfrom")])


def close(locked):
    return ([S("app", "enter", "lwip_close", label="call"),
             S("app", "enter", "netconn_delete", inside="call")] +
            crossing("do_delconn", locked, [("MBOX_EMPTY", "recvmbox"),
                                            ("enter", "do_close_internal"),
                                            ("enter", "tcp_close")],
                     call=("lwip_close", "netconn_delete")) +
            [S("app", "exit", "lwip_close")])


def bind_listen_accept(locked):
    steps = ([S("app", "enter", "lwip_bind", label="bcall"),
              S("app", "enter", "netconn_bind", inside="bcall")] +
             crossing("do_bind", locked, [], p="b", call=("lwip_bind",)) +
             [S("app", "exit", "lwip_bind"),
              S("app", "enter", "lwip_listen", label="lcall"),
              S("app", "enter", "netconn_listen_with_backlog", inside="lcall")] +
             crossing("do_listen", locked, [], p="l", call=("lwip_listen",)) +
             [S("app", "exit", "lwip_listen")])
    # the SYN, answered by tcp_listen_input; the handshake's last ACK,
    # where tcp_process calls accept_function (lwIP 2.x)
    steps += receive_path("y") + [S("stack", "enter", "tcp_listen_input", inside="yrun")]
    steps += receive_path("a") + [
        S("stack", "enter", "accept_function", inside="arun", label="af"),
        S("stack", "MBOX_TRYPOST", "acceptmbox", inside="af", bind={"msg": "NEWCONN"},
          label="apost"),
        S("app", "enter", "lwip_accept", label="acall"),
        S("app", "enter", "netconn_accept", inside="acall"),
        S("app", "MBOX_FETCH", "acceptmbox", pair="apost", bind={"msg": "NEWCONN"},
          in_layers=("lwip_accept", "netconn_accept")),
        S("app", "enter", "alloc_socket", inside="acall", bind={"arg": "NEWCONN"}),
        S("app", "exit", "lwip_accept")]
    return steps


def select(locked):
    return [S("app", "enter", "lwip_select", label="call"),
            S("app", "enter", "lwip_selscan", inside="call"),
            S("app", "exit", "lwip_selscan", inside="call"),
            S("app", "SEM_WAIT", "select_sem", inside="call", bind={"sem": "SEL"}),
            S("stack", "enter", "event_callback", label="ec"),
            S("stack", "SELECT_WAKE", inside="ec"),
            S("stack", "SEM_SIGNAL", "select_sem", inside="ec", bind={"sem": "SEL"},
              woke="app", label="sig"),
            S("app", "SEM_TAKE", "select_sem", pair="sig", inside="call"),
            S("app", "enter", "lwip_selscan", inside="call"),
            S("app", "exit", "lwip_select")]


def udp(locked):
    steps = ([S("app", "enter", "lwip_sendto", label="call"),
              S("app", "enter", "netbuf_new", inside="call"),
              S("app", "enter", "netconn_send", inside="call")] +
             crossing("do_send", locked, [("enter", "udp_sendto"), ("enter", "ip4_output_if"),
                                          ("enter", "etharp_output"),
                                          ("enter", "low_level_output")],
                      call=("lwip_sendto", "netconn_send")) +
             [S("app", "exit", "lwip_sendto")])
    steps += receive_path("u", "udp_input") + [
        S("stack", "enter", "recv_udp", inside="urun", label="ru"),
        S("stack", "MBOX_TRYPOST", "recvmbox", inside="ru", bind={"msg": "BUF"}, label="dpost"),
        S("stack", "enter", "event_callback", inside="ru", label="ec"),
        S("stack", "NETCONN_EVT", "RCVPLUS", inside="ec"),
        S("app", "MBOX_FETCH", "recvmbox", pair="dpost", bind={"msg": "BUF"},
          in_layers=("lwip_recvfrom", "netconn_recv")),
        S("app", "exit", "lwip_recvfrom")]
    return steps


def tcp_timers(locked):
    """tcpip_thread waits on its mailbox with the next timeout; when it
    runs out, sys_check_timeouts fires the TCP timer: tcp_fasttmr, and
    tcp_slowtmr every other time."""
    return [S("stack", "MBOX_WAIT", "tcpip_mbox"),
            S("stack", "MBOX_TIMEOUT", "tcpip_mbox"),
            S("stack", "TIMER_FIRE", "tcpip_tcp_timer"),
            S("stack", "enter", "tcp_fasttmr"),
            S("stack", "exit", "tcp_fasttmr"),
            S("stack", "enter", "tcp_slowtmr"),
            S("stack", "exit", "tcp_slowtmr")]


def cyclic_timer(name):
    return [S("stack", "MBOX_TIMEOUT", "tcpip_mbox"),
            S("stack", "TIMER_FIRE", name),
            S("stack", "enter", name),
            S("stack", "exit", name),
            S("stack", "TIMER_ARM", name)]


# -- the run ---------------------------------------------------------------------

class ApiTraceBase(unittest.TestCase):
    BOARD = "lm3s6965evb"
    LOCKED = False

    @classmethod
    def setUpClass(cls):
        cls.elf = qemu.elf_path(APP, cls.BOARD)
        if not os.path.exists(cls.elf):
            raise unittest.SkipTest(f"{cls.elf} is not built: run `make test`, which builds it")
        if shutil.which("qemu-system-arm") is None:
            raise unittest.SkipTest("qemu-system-arm is not installed")
        cls.workdir = tempfile.mkdtemp(prefix="ngq-api-")
        peers = CompatPeers(BLOCK, UP_WAIT + LIMIT, IO_WAIT)
        try:
            cls._run(peers)
        finally:
            peers.close()
        cls.peers = peers
        cls.trace_path = os.path.join(cls.workdir, "trace.bin")
        cls.warnings = []
        cls.trace = Trace(cls.trace_path, warn=cls.warnings.append) \
            if os.path.exists(cls.trace_path) else None
        if cls.trace is not None:
            cls.index = FlowIndex(cls.trace)
            cls.elfsyms = Elf(cls.elf)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def _run(cls, peers):
        host_port = free_port()
        sh = ",".join(["enable=on", "target=native", "arg=" + APP, "arg=limit=%d" % LIMIT,
                       "arg=tcpclient=10.0.2.2:%d" % peers.tcp_port,
                       "arg=udpserver=10.0.2.2:%d" % peers.udp_port])
        cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
               "-semihosting-config", sh, "-kernel", cls.elf,
               "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d" % (host_port, ECHO_PORT),
               "-net", "nic,netdev=n0,model=stellaris"]
        cls.lines = []
        cls.echo = None
        cls.status = None
        proc = subprocess.Popen(cmd, cwd=cls.workdir, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        up = threading.Event()

        def read():
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                cls.lines.append(line)
                if line.startswith("lwip_compat: up"):
                    up.set()
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            if not up.wait(UP_WAIT):
                return
            # the clients run first, then the select echo server gets a
            # connection of its own (the flows can be told apart by thread
            # anyway: the matcher follows each one's app thread)
            deadline = time.monotonic() + IO_WAIT
            while time.monotonic() < deadline and not all(
                    any(ln.startswith(k) for ln in cls.lines) for k in ("tcp_client:",
                                                                         "udp_client:")):
                time.sleep(0.1)
            try:
                with socket.create_connection(("127.0.0.1", host_port), timeout=IO_WAIT) as c:
                    c.sendall(LINE)
                    got = b""
                    while len(got) < len(LINE):
                        d = c.recv(4096)
                        if not d:
                            break
                        got += d
                    time.sleep(HOLD)
                cls.echo = got
            except OSError as e:
                cls.echo = repr(e).encode()
            proc.wait(timeout=LIMIT + 30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            reader.join(timeout=5)
            proc.stdout.close()
        cls.status = proc.returncode

    # -- helpers -------------------------------------------------------------

    def setUp(self):
        console = "\n".join(self.lines)
        self.assertEqual(self.status, 0, "the image did not run to its limit:\n" + console)
        self.assertIsNotNone(self.trace, "no trace.bin:\n" + console)

    def matcher(self, app):
        return Matcher(self.index, dict(ROLES, app=app), self.elfsyms)

    def find(self, flow, app, start=0):
        """The flow's Match for app from record start; fail with the matcher's
        report (expected steps, records around the first missing one)."""
        try:
            return self.matcher(app).find(flow(self.LOCKED), start)
        except NoMatch as e:
            self.fail("%s in %s (core locking %d):\n%s" % (flow.__name__, app,
                                                           int(self.LOCKED), e))

    # -- the run itself ------------------------------------------------------

    def test_run_is_complete(self):
        """The host and board agree on what happened, nothing was lost, and
        the project's decoder lists the calls."""
        console = "\n".join(self.lines)
        self.assertEqual(self.peers.tcp_got, block_pattern(BLOCK), console)
        self.assertIn("tcp_client: sent %d of %d bytes to 10.0.2.2:%d, got %d back, intact"
                      % (BLOCK, BLOCK, self.peers.tcp_port, BLOCK), console)
        self.assertRegex(console, r"udp_client: 20 of 20 requests answered by 10\.0\.2\.2:\d+")
        self.assertEqual(self.echo, LINE)
        recs = self.index.recs
        self.assertEqual(recs[-1].event.name, "END")
        self.assertEqual(recs[-1].fields["status"], 0)
        lost = sum(r.fields["lost"] for r in recs if r.event.name == "OVERFLOW")
        self.assertEqual(lost, 0, "records were lost: the flows may have holes")
        calls = find_calls(self.index)
        by_thread = {}
        for c in calls:
            by_thread.setdefault(c.thread, []).append(c.function)
        self.assertEqual(by_thread["tcp_client"][:3], ["lwip_socket", "lwip_connect", "lwip_send"])
        self.assertEqual(by_thread["tcp_client"][-1], "lwip_close")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            status = ngcli.main(["calls", self.trace_path, "--elf", self.elf])
        self.assertEqual(status, 0, out.getvalue())
        self.assertIn("tcp_client     lwip_connect(", out.getvalue())

    # -- the flows of design section 1 ------------------------------------------

    def test_socket_creation(self):
        m = self.find(socket_creation, "tcp_client")
        if not self.LOCKED:     # the message tcpip_thread ran is the one posted
            self.assertEqual(self.index.recs[m["xpost"]].fields["msg"],
                             self.index.recs[m["xrun"]].fields["arg"])

    def find_connect(self):
        """connect's Match, and whether the SYN had to wait for ARP (the
        other branch design section 1 names: ARP request and queue)."""
        m = self.matcher("tcp_client")
        try:
            return m.find(connect(self.LOCKED)), False
        except NoMatch as e:
            first = e
        try:
            return m.find(connect(self.LOCKED, arp_pending=True)), True
        except NoMatch as e:
            self.fail("connect in tcp_client (core locking %d):\n%s\n"
                      "nor with the SYN queued for ARP:\n%s" % (int(self.LOCKED), first, e))

    def test_connect(self):
        m, arp_pending = self.find_connect()
        if arp_pending:
            return
        # the frame the SYN went out in
        syn = self.index.recs[m.at[[s.event for s in connect(self.LOCKED)].index("FRAME_TX")]]
        self.assertEqual(syn.fields["data"][12:14], b"\x08\x00")
        self.assertEqual(syn.fields["data"][23], 6)              # TCP
        self.assertEqual(syn.fields["data"][47] & 0x12, 0x02)   # SYN, not ACK

    def test_send(self):
        m = self.find(send, "tcp_client")
        self.assertEqual(self.index.recs[m["call"]].fields["arg"],
                         self.index.recs[self.find_connect()[0]["call"]].fields["arg"])

    def test_receive(self):
        start = self.find(send, "tcp_client")["call"]
        self.find(receive, "tcp_client", start)

    def test_close(self):
        start = self.find(send, "tcp_client")["call"]
        self.find(close, "tcp_client", start)

    def test_bind_listen_accept(self):
        self.find(bind_listen_accept, "socket_echo")

    def test_select(self):
        self.find(select, "socket_echo")

    def test_udp_sendto_recvfrom(self):
        self.find(udp, "udp_client")

    def test_timers(self):
        self.find(tcp_timers, "tcp_client")
        for name, ms in (("etharp_tmr", 1000), ("ip_reass_tmr", 1000)):
            self.find(lambda locked, n=name: cyclic_timer(n), "tcp_client")
            m = self.matcher("tcp_client")
            dues = [r.fields["due"] for r in self.index.recs
                    if r.event.name == "TIMER_ARM" and m.sym(r.fields["handler"]) == name]
            self.assertGreaterEqual(len(dues), 3, name)
            self.assertEqual({b - a for a, b in zip(dues, dues[1:])}, {ms}, name)
        # the TCP timer: every 250 ms while it runs, tcp_slowtmr every other
        # time (lwIP 2.x's tcp_tmr), and tcp_fasttmr every time
        m = self.matcher("tcp_client")
        fires = [i for i, r in enumerate(self.index.recs)
                 if r.event.name == "TIMER_FIRE" and
                 m.sym(r.fields["handler"]) == "tcpip_tcp_timer"]
        self.assertGreaterEqual(len(fires), 3)
        recs = self.index.recs
        arms = [i for i, r in enumerate(recs)
                if r.event.name == "TIMER_ARM" and m.sym(r.fields["handler"]) == "tcpip_tcp_timer"]
        layers = []
        for i in fires:
            # what tcpip_thread does from the firing to its next wait or timer
            lst = self.index.ctx_list(i)
            names, rearm = [], None
            for j in lst[self.index.pos[i] + 1:]:
                if recs[j].event.name in ("TIMER_FIRE", "MBOX_WAIT", "MBOX_FETCH"):
                    break
                if recs[j].event.name == "LAYER_ENTER":
                    names.append(m.what_of(j))
                if j in arms:
                    rearm = j
            layers.append(("tcp_fasttmr" in names, "tcp_slowtmr" in names))
            if rearm is not None:   # due TCP_TMR_INTERVAL after the due time it had
                armed = max(a for a in arms if a < i)
                self.assertEqual(recs[rearm].fields["due"] - recs[armed].fields["due"], 250)
        self.assertTrue(all(f for f, _ in layers), layers)
        slow = [s for _, s in layers]
        self.assertTrue(all(a != b for a, b in zip(slow, slow[1:])), layers)

    # -- the matcher can fail ------------------------------------------------------

    def test_matcher_reports_a_wrong_order(self):
        """Steps in an order the trace does not have are not found, and the
        message shows the steps and the records after the last one found."""
        wrong = socket_creation(self.LOCKED)
        k = next(n for n, s in enumerate(wrong) if s.what == "tcp_alloc")
        wrong[k - 1], wrong[k] = wrong[k], wrong[k - 1]     # tcp_alloc before tcp_new
        with self.assertRaises(NoMatch) as cm:
            self.matcher("tcp_client").find(wrong)
        text = str(cm.exception)
        self.assertIn("MISSING", text)
        self.assertIn("enter tcp_new", text)
        self.assertIn("LAYER_ENTER      fn=tcp_alloc", text)


class ApiTraceTest(ApiTraceBase):
    """LWIP_TCPIP_CORE_LOCKING = 0: every call crosses tcpip_mbox."""


class ApiTraceCoreLockTest(ApiTraceBase):
    """LWIP_TCPIP_CORE_LOCKING = 1: the do_* run in the app thread."""
    BOARD = "lm3s6965evb-corelock"
    LOCKED = True


del ApiTraceBase

if __name__ == "__main__":
    unittest.main()
