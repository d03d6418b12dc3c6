"""The GDB commands of tools/gdb/netglass.py against the real firmware.

Starts the mailbox demo in QEMU halted (-S) with its GDB server on a free
TCP port, drives gdb-multiarch in batch mode to breakpoints in the middle of
the demo, runs the ng commands there and checks what they print. Builds
nothing: the Makefile builds build/lm3s6965evb/mailbox_demo.elf first, and
without it these tests are skipped. QEMU runs with -icount so that the run,
and so what the commands see, is the same on a busy machine as on an idle
one. Every wait is bounded; QEMU is killed in tearDown.

    python3 -m unittest tests.qemu.test_gdb -v
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(REPO, "build", "lm3s6965evb")
SCRIPT = os.path.join(REPO, "tools", "gdb", "netglass.py")
QEMU = os.environ.get("QEMU", "qemu-system-arm")
GDB = os.environ.get("GDB", "gdb-multiarch")
GDB_TIMEOUT = 60        # seconds for one whole gdb session
LISTEN_TIMEOUT = 20     # seconds for QEMU to open its GDB port

THREADS = ("main", "idle", "consumer", "producer_a", "producer_b")
STATES = ("RUNNING", "READY", "BLOCKED", "SLEEPING", "EXITED")
# A record line of "ng trace": time (or ?), context, event name, fields.
RECORD = re.compile(r"^\s*(\d+\.\d+|\?)\s+\S+\s+([A-Z][A-Z0-9_]+)(\s|$)")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qemu_listens(pid, port):
    """Whether process pid listens on TCP port (its socket is among the
    listeners of /proc/net/tcp*); None when /proc cannot tell."""
    inodes, known = set(), False
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        known = True
        for line in lines:
            cols = line.split()
            if len(cols) > 9 and cols[3] == "0A" and cols[1].endswith(":%04X" % port):
                inodes.add("socket:[%s]" % cols[9])
    fd_dir = "/proc/%d/fd" % pid
    if not known or not os.path.isdir(fd_dir):
        return None
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) in inodes:
                return True
        except OSError:
            pass
    return False


def sections(output):
    """gdb's output cut at the '@@ NAME' markers the scripts echo."""
    out, name = {}, None
    for line in output.splitlines():
        m = re.match(r"^@@ (\S+)$", line)
        if m:
            name = m.group(1)
            out[name] = []
        elif name:
            out[name].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


@unittest.skipUnless(shutil.which(QEMU) and shutil.which(GDB),
                     "needs %s and %s (make deps)" % (QEMU, GDB))
class GdbSession(unittest.TestCase):
    """QEMU running APP halted with a GDB server, and gdb-multiarch runs
    against it; the test classes below say which app."""

    APP = None
    NET = []            # QEMU's network options for the app
    ICOUNT = ["-icount", "shift=0,sleep=off"]   # [] for an app the host talks to live
    ARGS = []           # more semihosting arguments ("arg=...")

    def net(self):
        """QEMU's network options (a method, so a test can pick ports)."""
        return self.NET

    def setUp(self):
        if self.APP is None:
            self.skipTest("the base class runs no app")
        elf = os.path.join(BUILD, self.APP + ".elf")
        if not os.path.exists(elf):
            self.skipTest("%s is missing: build it first (make APP=%s)"
                          % (os.path.relpath(elf, REPO), self.APP))
        self.qemu = None
        self.tmp = tempfile.mkdtemp(prefix="ng-gdb-test-")
        self.log = os.path.join(self.tmp, "qemu.log")
        # QEMU and GDB get the same private copy, in case make rewrites the
        # ELF while the test runs.
        self.elf = os.path.join(self.tmp, os.path.basename(elf))
        shutil.copyfile(elf, self.elf)
        self.port = self.start_qemu()

    def tearDown(self):
        if self.qemu and self.qemu.poll() is None:
            self.qemu.kill()
        if self.qemu:
            try:
                self.qemu.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_qemu(self):
        """QEMU halted at reset, GDB server on a free port; the port.
        Another process may take the port between our probe and QEMU's
        bind, so try a few."""
        for attempt in range(5):
            port = free_port()
            with open(self.log, "wb") as log:
                # The trace file goes into the temporary folder (QEMU's cwd).
                self.qemu = subprocess.Popen(
                    [QEMU, "-M", "lm3s6965evb", "-nographic", "-no-reboot"] + self.ICOUNT
                    + ["-semihosting-config",
                       ",".join(["enable=on,target=native,arg=" + self.APP] + self.ARGS),
                       "-kernel", self.elf, "-S", "-gdb", "tcp:127.0.0.1:%d" % port]
                    + self.net(),
                    cwd=self.tmp, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT)
            start = time.monotonic()
            while time.monotonic() < start + LISTEN_TIMEOUT:
                if self.qemu.poll() is not None:
                    break                   # died: most likely the port was taken
                up = qemu_listens(self.qemu.pid, port)
                if up or (up is None and time.monotonic() > start + 2):
                    return port
                time.sleep(0.05)
            if self.qemu.poll() is None:
                self.qemu.kill()
                self.qemu.wait(timeout=10)
                self.fail("QEMU did not open its GDB port in %d s: %s"
                          % (LISTEN_TIMEOUT, self.qemu_log()))
        self.fail("QEMU would not start: %s" % self.qemu_log())

    def qemu_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read().strip() or "(no output)"
        except OSError:
            return "(no log)"

    def gdb(self, *commands, connect=True):
        """Run gdb-multiarch in batch mode with the netglass commands loaded
        and connected to QEMU; its output (stdout and stderr together)."""
        args = [GDB, "-q", "-nx", "-batch", self.elf,
                "-ex", "set pagination off", "-ex", "set confirm off",
                "-ex", "set width 0", "-ex", "source " + SCRIPT]
        if connect:
            args += ["-ex", "target remote 127.0.0.1:%d" % self.port]
        for c in commands:
            args += ["-ex", c]
        try:
            r = subprocess.run(args, cwd=REPO, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=GDB_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.fail("gdb did not finish in %d s; it printed:\n%s"
                      % (GDB_TIMEOUT, (e.output or b"").decode(errors="replace")))
        text = r.stdout.decode(errors="replace")
        self.assertNotIn("Traceback", text, text)
        self.assertNotIn("Python Exception", text, text)
        return text

    def ng(self, *names_and_commands, **kw):
        """gdb() with '@@ NAME' markers before each (NAME, command)."""
        cmds = []
        for item in names_and_commands:
            if isinstance(item, tuple):
                cmds += ["echo @@ %s\\n" % item[0], item[1]]
            else:
                cmds.append(item)
        text = self.gdb(*cmds, **kw)
        return text, sections(text)


class GdbCommandsTest(GdbSession):
    """The kernel and trace commands in the mailbox demo."""

    APP = "mailbox_demo"

    def test_commands_in_the_middle_of_the_demo(self):
        text, s = self.ng(
            "break on_timer", "continue", "continue",      # the timer's second run
            ("threads", "ng threads"),
            ("mbox", "ng mbox demo_mbox"),
            ("mbox_expr", "ng mbox &demo_mbox"),
            ("objects", "ng objects"),
            ("sem", "ng sem done_sem"),
            ("trace", "ng trace 15"),
            "delete",
            "tbreak sys_arch_mbox_fetch", "continue",      # the consumer, timer re-armed
            ("timers", "ng timers"),
            ("end", "kill"))
        for name in ("threads", "mbox", "objects", "sem", "trace", "timers"):
            self.assertIn(name, s, "no output for ng %s; gdb said:\n%s" % (name, text))
        self.assertIn("Breakpoint 1, on_timer", text)

        # ng threads: every thread, in a real state, with a stack, on_timer
        # runs in the consumer, so it is the current one.
        threads = s["threads"]
        rows = {}
        for line in threads.splitlines():
            m = re.match(r"^([* ])\s*(\d+)\s+(\S+)\s+(\d+)\s+([A-Z]+)\s+(\d+)/(\d+)", line)
            if m:
                rows[m.group(3)] = m
        for name in THREADS:
            self.assertIn(name, rows, threads)
            self.assertIn(rows[name].group(5), STATES, threads)
            used, size = int(rows[name].group(6)), int(rows[name].group(7))
            self.assertTrue(0 < used <= size, threads)
        current = [n for n, m in rows.items() if m.group(1) == "*"]
        self.assertEqual(current, ["consumer"], threads)
        self.assertEqual(rows["consumer"].group(5), "RUNNING", threads)
        self.assertEqual(rows["idle"].group(4), "0", threads)
        self.assertEqual(rows["main"].group(5), "BLOCKED", threads)
        self.assertRegex(threads, r"main .*SEM done_sem")
        self.assertNotIn("BROKEN", threads)

        # ng mbox: the demo's mailbox of 4; both spellings agree.
        mbox = s["mbox"]
        self.assertIn("demo_mbox", mbox)
        self.assertRegex(mbox, r"capacity 4\b")
        self.assertRegex(mbox, r"posts \d+, fetches \d+, fulls \d+")
        self.assertIn("getters", mbox)
        self.assertIn("putters", mbox)
        queued = re.findall(r"slot \d+: 0x[0-9a-f]+ (&msgs_[ab]\[\d+\]|&stop_msg)", mbox)
        count = int(re.search(r"count (\d+)", mbox).group(1))
        self.assertEqual(len(queued), count, mbox)
        self.assertEqual(s["mbox_expr"].strip(), mbox.strip())

        # ng objects: the registry, with kinds and addresses.
        objects = s["objects"]
        for name in THREADS:
            self.assertRegex(objects, r"\d+\s+THREAD\s+%s\s+0x[0-9a-f]{8}" % name)
        self.assertRegex(objects, r"\d+\s+MBOX\s+demo_mbox\s+0x[0-9a-f]{8}\s+\d+ of 4 queued")
        self.assertRegex(objects, r"\d+\s+SEM\s+done_sem\s+0x[0-9a-f]{8}")

        self.assertIn("count", s["sem"])
        self.assertRegex(s["sem"], r"main\s+id \d+")

        # ng trace 15: 15 decoded records with real event names; the last
        # timer run is among them, in the consumer.
        trace = s["trace"]
        self.assertRegex(trace, r"words recorded, \d+ shipped to the host")
        events = [m.group(2) for m in map(RECORD.match, trace.splitlines()) if m]
        self.assertEqual(len(events), 15, trace)
        self.assertTrue({"THREAD_SWITCH", "MBOX_POST", "MBOX_FETCH", "ISR_ENTER"} & set(events),
                        trace)
        self.assertRegex(trace, r"consumer\s+TIMER_FIRE\s+handler=on_timer")
        self.assertNotRegex(trace, r"\?\s+\?\s")       # time and context both known

        # ng timers: the demo's cyclic timer, armed again.
        timers = s["timers"]
        self.assertIn("on_timer", timers)
        self.assertIn("lwip_cyclic_timer", timers)
        self.assertRegex(timers, r"1 timeout pending")

    def test_while_a_thread_is_blocked_in_fetch(self):
        # The consumer's first fetch finds the mailbox empty and blocks;
        # stop in the scheduler right after and look at both sides.
        text, s = self.ng(
            "break ng_mbox_post", "continue",
            ("threads", "ng threads"),
            ("mbox", "ng mbox demo_mbox"),
            ("trace", "ng trace 5"),
            ("end", "kill"))
        self.assertIn("Breakpoint 1, ng_mbox_post", text)
        self.assertRegex(s["threads"], r"consumer\s+3\s+BLOCKED .*MBOX_FETCH demo_mbox until tick")
        self.assertRegex(s["mbox"], r"getters \(blocked in fetch[^\n]*\n\s+consumer\s+id \d+")
        self.assertRegex(s["mbox"], r"count 0\b")
        self.assertIn("MBOX_WAIT", s["trace"])

    def test_at_reset_and_errors(self):
        # Halted at the first instruction: nothing initialised yet. Then
        # wrong arguments: one line each, no traceback.
        text, s = self.ng(
            ("threads", "ng threads"),
            ("trace", "ng trace"),
            ("objects", "ng objects"),
            "break app_main", "continue",
            ("nosuch", "ng mbox no_such_mailbox"),
            ("badexpr", "ng mbox 1 +"),
            ("wrongkind", "ng sem demo_mbox"),
            ("badn", "ng trace many"),
            ("noarg", "ng mbox"),
            ("unknown", "ng frobnicate"),
            ("end", "kill"))
        self.assertRegex(s["threads"], r"^ng threads: no threads yet")
        self.assertIn("no records yet", s["trace"])
        self.assertIn("0 of ", s["objects"])
        for name, start in (("nosuch", "ng mbox: "), ("badexpr", "ng mbox: "),
                            ("wrongkind", "ng sem: "), ("badn", "ng trace: "),
                            ("noarg", "ng mbox: "), ("unknown", "Undefined ng command")):
            lines = [l for l in s[name].splitlines() if l.strip()]
            self.assertEqual(len(lines), 1, "%s: %r" % (name, s[name]))
            self.assertTrue(lines[0].startswith(start), "%s: %r" % (name, lines[0]))
        self.assertIn("mbox", s["wrongkind"])

    def test_not_connected(self):
        text, s = self.ng(("threads", "ng threads"), ("trace", "ng trace 3"), connect=False)
        for name in ("threads", "trace"):
            lines = [l for l in s[name].splitlines() if l.strip()]
            self.assertEqual(len(lines), 1, s[name])
            self.assertIn("not running", lines[0])


if __name__ == "__main__":
    unittest.main()


class GdbNetCommandsTest(GdbSession):
    """ng pcbs, ng netifs, ng arp and ng pools in apps/echo_raw, stopped
    right after its start-up made the TCP listener and the UDP PCB."""

    APP = "echo_raw"
    NET = ["-nic", "user"]

    def test_network_commands_after_start_up(self):
        text, s = self.ng(
            "break netdemo_levels_take", "continue",
            ("pcbs", "ng pcbs"),
            ("netifs", "ng netifs"),
            ("arp", "ng arp"),
            ("pools", "ng pools"),
            ("bad", "ng pcbs extra"),
            ("end", "kill"))
        self.assertIn("Breakpoint 1, netdemo_levels_take", text)
        # The echo service: a listener and a UDP PCB on port 7, nothing else.
        pcbs = s["pcbs"]
        self.assertRegex(pcbs, r"tcp active: 0")
        self.assertRegex(pcbs, r"tcp listen: 1\n\s+0x[0-9a-f]{8} LISTEN\s+0\.0\.0\.0:7\s+"
                               r"backlog 0/\d+ accept \S+")
        self.assertRegex(pcbs, r"udp: 1\n\s+0x[0-9a-f]{8} 0\.0\.0\.0:7 -> 0\.0\.0\.0:0\s+"
                               r"recv echo_recv")
        # The Stellaris interface, default, with QEMU's MAC; the loopback.
        netifs = s["netifs"]
        self.assertRegex(netifs, r"en\d\*\s+ip 10\.0\.2\.15 mask 255\.255\.255\.0 "
                                 r"gw 10\.0\.2\.2 mtu 1500 .*hwaddr 52:54:00:12:34:56")
        self.assertRegex(netifs, r"lo\d\s+ip 127\.0\.0\.1")
        self.assertRegex(s["arp"], r"\d+ of \d+ entries in use")
        # Pools: the listener and the UDP PCB are in use, no connection.
        pools = s["pools"]
        self.assertRegex(pools, r"TCP_PCB_LISTEN\s+\d+\s+\d+\s+1\s")
        self.assertRegex(pools, r"UDP_PCB\s+\d+\s+\d+\s+1\s")
        self.assertRegex(pools, r"TCP_PCB\s+\d+\s+\d+\s+0\s")
        self.assertRegex(pools, r"heap\s+-\s+\d+")
        self.assertIn("ng pcbs: takes no arguments", s["bad"])


class GdbStepOverTraceTest(GdbSession):
    """`step` on a line that makes a trace record goes on to the stack's
    next call, not into the recorder's inlined fast path (netglass.py
    tells GDB to skip tracer/trace_fast.h and the port's ng_arch.h)."""

    APP = "echo_raw"
    NET = ["-nic", "user"]

    def test_step_walks_the_stack_not_the_recorder(self):
        text, s = self.ng(
            "break tcp_new", "continue",
            ("skips", "info skip"),
            ("steps", "step"), "step", "step", "step", "step", "step",
            ("where", "bt 3"),
            ("end", "kill"))
        self.assertIn("Breakpoint 1, tcp_new", text)
        self.assertIn("tracer/trace_fast.h", s["skips"])
        self.assertIn("boards/*/ng_arch.h", s["skips"])
        # tcp_new is { NG_TRACE1(LAYER_ENTER, ...); tcp_alloc(...) } and
        # tcp_alloc { NG_TRACE1(LAYER_ENTER, ...); tcp_alloc_pcb(...) }: the
        # steps go from line to line and call to call, over both records
        steps = s["steps"]
        self.assertIn("NG_TRACE1(LAYER_ENTER, NG_layer_tcp_new", steps)
        self.assertIn("tcp_alloc (prio=", steps)
        self.assertIn("tcp_alloc_pcb (prio=", steps)
        self.assertLess(steps.index("tcp_alloc (prio="), steps.index("tcp_alloc_pcb (prio="))
        self.assertRegex(s["where"], r"#0\s+tcp_alloc_pcb .*\n#1\s+.*tcp_alloc .*\n#2\s+.*tcp_new")
        self.assertNotIn("trace_fast.h", steps + s["where"])
        self.assertNotIn("ng_arch.h", steps + s["where"])


class GdbApiCommandsTest(GdbSession):
    """ng sockets, ng netconns and ng select in apps/net_demo, its services
    up and a TCP echo connection from the host held open.

    QEMU runs in real time (no -icount: the host talks to the board
    through slirp's forwarded ports). One gdb session looks at the reset
    state, runs the board to client_start (called once every service
    listens) and detaches, so the board runs on; the test opens a TCP
    connection to the echo port and checks the echo; a second session
    (QEMU stops the board when gdb connects) runs the commands. Then the
    test floods the echo connection without reading, so the board's echo
    thread ends up blocked in netconn_write, and a third session looks at
    the netconn in the middle of do_write."""

    APP = "net_demo"
    ICOUNT = []
    ARGS = ["arg=trace=none", "arg=limit=0", "arg=pings=0"]
    SERVICES = {"echo": 7, "http": 80, "chargen": 19, "iperf": 5001}

    def net(self):
        self.ports = {name: free_port() for name in self.SERVICES}
        fwd = ",".join("hostfwd=tcp:127.0.0.1:%d-:%d" % (self.ports[n], g)
                       for n, g in self.SERVICES.items())
        return ["-netdev", "user,id=n0," + fwd, "-net", "nic,netdev=n0,model=stellaris"]

    def tearDown(self):
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
        super().tearDown()

    def flood(self, sock, limit=15.0):
        """Send without reading until the board stops taking data for a
        second (its echo thread blocked writing back to us); bytes sent."""
        sock.setblocking(False)
        sent, start = 0, time.monotonic()
        last = start
        while time.monotonic() - last < 1.0 and time.monotonic() - start < limit:
            try:
                sent += sock.send(b"x" * 8192)
                last = time.monotonic()
            except BlockingIOError:
                time.sleep(0.05)
        return sent

    def test_api_commands_with_services_up(self):
        # At reset nothing is allocated yet: one line each, no traceback.
        text, s = self.ng(
            ("sockets0", "ng sockets"),
            ("netconns0", "ng netconns"),
            ("select0", "ng select"),
            ("bad", "ng sockets extra"),
            "break client_start", "continue", "delete",
            ("end", "detach"))
        self.assertIn("Breakpoint 1, client_start", text)
        self.assertRegex(s["sockets0"].strip(), r"^no sockets open \(\d+ slots, all free\)$")
        self.assertRegex(s["netconns0"].strip(),
                         r"^no netconns allocated \(\d+ in the NETCONN pool, all free\)$")
        self.assertEqual(s["select0"].strip(), "no select or poll waiting")
        self.assertEqual(s["bad"].strip().splitlines()[0], "ng sockets: takes no arguments")

        # The board runs on; a connection to its echo service, held open.
        self.conn = socket.socket()
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.conn.settimeout(20)
        self.conn.connect(("127.0.0.1", self.ports["echo"]))
        self.conn.sendall(b"netglass")
        got = b""
        while len(got) < 8:
            d = self.conn.recv(64)
            self.assertTrue(d, "the echo service closed the connection")
            got += d
        self.assertEqual(got, b"netglass")

        text, s = self.ng(
            ("sockets", "ng sockets"),
            ("netconns", "ng netconns"),
            ("select", "ng select"),
            ("threads", "ng threads"),
            ("end", "detach"))

        # ng sockets: HTTP (port 80) and chargen (port 19) are the socket
        # services, each a listening SOCK_STREAM; chargen's is in select.
        socks = s["sockets"]
        self.assertRegex(socks, r"^\d+ of \d+ sockets open", socks)
        listen = {}
        for m in re.finditer(r"fd (\d+)\s+SOCK_STREAM conn (0x[0-9a-f]{8}) NETCONN_LISTEN\s+"
                             r"pcb 0x[0-9a-f]{8} LISTEN 0\.0\.0\.0:(\d+) backlog \d+/\d+\n"
                             r"\s+pending_err ERR_OK\s+rcvevent (-?\d+) sendevent \d+ "
                             r"errevent \d+\s+select_waiting (\d+)\s+lastdata 0 bytes\n"
                             r"\s+recvmbox - acceptmbox \d+/\d+\s+flags (\S+)", socks):
            listen[int(m.group(3))] = m
        self.assertEqual(sorted(listen), [19, 80], socks)
        for port in (19, 80):
            self.assertIn("LISTENING", listen[port].group(6).split("|"), socks)
        self.assertEqual(listen[19].group(5), "1", socks)   # chargen's select
        self.assertEqual(listen[80].group(5), "0", socks)   # HTTP blocks in accept
        self.assertRegex(socks, r"waiting: http\d")

        # ng netconns: all four listeners (echo and iperf are netconn
        # services), the UDP echo netconn, and our echo connection.
        conns = s["netconns"]
        self.assertRegex(conns, r"^\d+ of \d+ netconns allocated", conns)
        for port in (7, 80, 19, 5001):
            self.assertRegex(conns, r"0x[0-9a-f]{8} NETCONN_TCP\s+NETCONN_LISTEN\s+flags \S+\s+"
                                    r"socket [-\d]+[^\n]*\n\s+pcb 0x[0-9a-f]{8} LISTEN "
                                    r"0\.0\.0\.0:%d backlog" % port, conns)
        # The HTTP and chargen listeners are sockets 0 and 1 in ng sockets'
        # numbering, and their callback is the socket layer's.
        for port in (19, 80):
            fd, addr = listen[port].group(1), listen[port].group(2)
            self.assertRegex(conns, r"%s NETCONN_TCP\s+NETCONN_LISTEN\s+flags \S+\s+socket %s\n"
                                    r"[^\n]*callback event_callback" % (addr, fd), conns)
        self.assertRegex(conns, r"NETCONN_UDP\s+NETCONN_NONE[^\n]*\n\s+pcb 0x[0-9a-f]{8} udp "
                                r"0\.0\.0\.0:7 ")
        m = re.search(r"(0x[0-9a-f]{8}) NETCONN_TCP\s+NETCONN_NONE\s+flags \S+\s+socket -\n"
                      r"\s+pcb 0x[0-9a-f]{8} ESTABLISHED 10\.0\.2\.15:7 -> 10\.0\.2\.2:(\d+)\s+"
                      r"pending_err ERR_OK\s+recvmbox (\d+)/\d+ acceptmbox -[^\n]*\n"
                      r"\s+waiting: echo_tcp \(recvmbox\)", conns)
        self.assertIsNotNone(m, conns)
        echo_conn = m.group(1)
        self.assertEqual(m.group(3), "0", conns)    # everything we sent was echoed
        self.assertNotIn("current_msg", conns)      # nothing under way

        # ng select: chargen's select on its listener (socket 1), blocked
        # on its select_sem.
        sel = s["select"]
        self.assertRegex(sel, r"^1 select/poll call\(s\) waiting", sel)
        self.assertRegex(sel, r"0x[0-9a-f]{8} thread chargen\n\s+select\s+read \{%s\}\s+"
                              r"write \{\}\s+except -\n\s+signalled 0\s+sem select_sem valid "
                              r"count 0\s+waiters: chargen" % listen[19].group(1), sel)
        self.assertRegex(s["threads"], r"chargen\s+\d+\s+BLOCKED .*SEM select_sem")

        # The echo thread stuck writing back to a peer that does not read:
        # its netconn in NETCONN_WRITE, current_msg set by do_write.
        sent = self.flood(self.conn)
        self.assertGreater(sent, 0)
        text, s = self.ng(("netconns", "ng netconns"), ("end", "detach"))
        conns = s["netconns"]
        self.assertRegex(conns, r"%s NETCONN_TCP\s+NETCONN_WRITE\s+flags \S+\s+socket -\n"
                                r"\s+pcb 0x[0-9a-f]{8} ESTABLISHED 10\.0\.2\.15:7 -> [^\n]*\n"
                                # "(by its state)": the board was stopped while the
                                # message was not where the command looks for it
                                r"\s+current_msg 0x[0-9a-f]{8}: do_write(?: \(by its state\))?,"
                                r" called by echo_tcp\n"
                                r"\s+waiting: echo_tcp \(op_completed\)" % echo_conn, conns)


class GdbApiCommandsAbsentTest(GdbSession):
    """The same commands in a program without the socket layer
    (apps/echo_raw: the raw API only, built with LWIP_NETCONN and
    LWIP_SOCKET 0, so it has no NETCONN pool either)."""

    APP = "echo_raw"
    NET = ["-nic", "user"]

    def test_without_sockets(self):
        text, s = self.ng(
            "break netdemo_levels_take", "continue",
            ("sockets", "ng sockets"),
            ("netconns", "ng netconns"),
            ("select", "ng select"),
            ("end", "kill"))
        self.assertIn("Breakpoint 1, netdemo_levels_take", text)
        self.assertEqual(s["sockets"].strip(),
                         "no sockets (this program has no socket layer: no sockets[])")
        self.assertEqual(s["netconns"].strip(), "no netconns (this program has no NETCONN pool)")
        self.assertEqual(s["select"].strip(),
                         "no select or poll (this program has no socket layer: "
                         "no select_cb_list)")
