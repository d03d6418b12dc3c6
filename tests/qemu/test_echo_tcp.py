"""tests/qemu/test_echo_tcp.py - the TCP echo and the TCP client of apps/echo_raw, through slirp.

The board runs apps/echo_raw (10.0.2.15/24, gateway 10.0.2.2) in plain QEMU
(no -icount: the host talks to it in real time) behind slirp.

EchoTcpServerTest: one boot, slirp forwarding a free TCP port of 127.0.0.1
to the board's port 7 (RFC 862 echo). Once the board says it is echoing:

1. one connection carries 4 MiB of random bytes; a sender thread writes
   them and shuts its side (FIN), a receiver thread reads the echo to the
   board's FIN; its length and SHA-256 must be the data's;
2. 8 connections at once, each 256 KiB of its own random bytes, all
   echoed intact;
3. the host closes in mid-stream: one connection sends up to 1 MiB and is
   closed without reading its echo (Linux answers the unread data with a
   reset), another is closed with SO_LINGER 0 (a reset at once); then a
   fresh connection still echoes 64 KiB intact;
4. at its time limit the board exits with status 0 (every pool and the
   heap back to their start-up levels) and its counters agree with what
   the host did: every connection accepted, each either closed or reset,
   none aborted or refused, and bytes received = bytes echoed + bytes
   dropped by the resets, within what the host sent.

EchoTcpClientTest: the board as a client (and, first, a client whose
connection is refused: it says so and still exits with status 0). The host listens on a free port
of 127.0.0.1; the board connects to 10.0.2.2:port (slirp hands that to the
host's loopback) and sends 4 MiB of the pattern of apps/echo_raw/main.c,
byte i = (i * 7 + (i >> 8) * 13 + (i >> 16) * 29) & 0xff, then closes. The
host checks the length and the SHA-256, closes, and the board exits with
status 0 (its PCB in TIME_WAIT counted, not taken for a leak) after saying
it sent and saw acknowledged every byte.

The times taken are printed. Set NG_ECHO_TCP_TRACE=1 to have the board
write its trace (trace.bin, kept in a directory that is printed); by
default it records into its RAM ring only, as the trace file would slow
the transfers down.
"""
import hashlib
import os
import random
import re
import socket
import struct
import sys
import threading
import time
import unittest

from tests.qemu import qemu

APP = "echo_raw"
SERVER_LIMIT = 20       # seconds the echo board serves; steps 1-3 must end before
CLIENT_LIMIT = 10       # seconds the client board runs
BANNER_WAIT = 10        # the board must say it is echoing this long after boot (s)
IO_WAIT = 20            # no socket operation may block longer than this (s)
EXIT_WAIT = 30          # QEMU must exit this long after its limit (s)

BULK = 4 * 1024 * 1024
PARALLEL = 8
PARALLEL_EACH = 256 * 1024
MIDSTREAM = 1024 * 1024
MIDSTREAM_WAIT = 3.0    # step 3: stop sending after this long if the window is shut
FRESH = 64 * 1024
CLIENT_SEND = 4 * 1024 * 1024

TRACE = os.environ.get("NG_ECHO_TCP_TRACE") == "1"


def free_tcp_port():
    """A TCP port of 127.0.0.1 that nothing holds just now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def client_pattern(n):
    """The client's stream (apps/echo_raw/main.c): byte i is
    (i * 7 + (i >> 8) * 13 + (i >> 16) * 29) & 0xff. Built 64 KiB at a time:
    within one, the (i >> 16) term is a constant added to every byte."""
    base = bytes((i * 7 + (i >> 8) * 13) & 0xff for i in range(65536))
    out = bytearray()
    for k in range((n + 65535) // 65536):
        table = bytes((x + k * 29) & 0xff for x in range(256))
        out += base.translate(table)
    return bytes(out[:n])


class Board(qemu.LiveBoard):
    """One boot of echo_raw in plain QEMU; its console read by a thread."""

    def __init__(self, testcase, args, netdev):
        self.elf = qemu.require_elf(testcase, APP)
        sh = ["enable=on", "target=native", "arg=" + APP]
        if not TRACE:
            sh.append("arg=trace=none")
        sh += ["arg=" + a for a in args]
        super().__init__(["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
                          "-semihosting-config", ",".join(sh), "-kernel", self.elf,
                          "-netdev", netdev, "-net", "nic,netdev=n0,model=stellaris"],
                         prefix="ngtcp-")

    def close(self):
        super().close(keep_dir=TRACE)
        if TRACE:
            sys.stderr.write(f"\n[echo_raw trace kept in {self.dir}]\n")


class Stream:
    """One echo connection: data out in one thread, the echo in another."""

    def __init__(self, port, data):
        self.data = data
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_WAIT)
        self.errors = []
        self.got = 0
        self.hash = hashlib.sha256()
        self.first_diff = None
        self.sender = threading.Thread(target=self._send, daemon=True)
        self.receiver = threading.Thread(target=self._recv, daemon=True)

    def run(self):
        self.t0 = time.monotonic()
        self.receiver.start()
        self.sender.start()

    def _send(self):
        try:
            view = memoryview(self.data)
            for off in range(0, len(view), 65536):
                self.sock.sendall(view[off:off + 65536])
            self.sock.shutdown(socket.SHUT_WR)  # our FIN: the board closes after the echo
        except OSError as e:
            self.errors.append(f"send: {e!r}")

    def _recv(self):
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                if self.first_diff is None:
                    want = self.data[self.got:self.got + len(chunk)]
                    if chunk != want:
                        for k, (a, b) in enumerate(zip(chunk, want)):
                            if a != b:
                                self.first_diff = self.got + k
                                break
                        else:
                            self.first_diff = self.got + min(len(chunk), len(want))
                self.hash.update(chunk)
                self.got += len(chunk)
        except OSError as e:
            self.errors.append(f"recv after {self.got} bytes: {e!r}")
        self.t1 = time.monotonic()

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for t in (self.sender, self.receiver):
            t.join(max(deadline - time.monotonic(), 0.1))
        alive = self.sender.is_alive() or self.receiver.is_alive()
        self.sock.close()       # wakes a thread still blocked, if any
        return not alive

    def verdict(self):
        """None if the echo is the data, else what is wrong."""
        if self.errors:
            return "; ".join(self.errors)
        if self.got != len(self.data):
            return (f"{self.got} bytes echoed of {len(self.data)}"
                    + (f", first difference at byte {self.first_diff}"
                       if self.first_diff is not None else ""))
        if self.hash.digest() != hashlib.sha256(self.data).digest():
            return f"SHA-256 differs (first difference at byte {self.first_diff})"
        return None


def parse_counters(console):
    m = re.search(r"echo_raw: tcp port 7: (\d+) accepted, (\d+) refused, (\d+) closed, "
                  r"(\d+) reset, (\d+) aborted, (\d+) open, at most (\d+) at once", console)
    n = re.search(r"echo_raw: tcp port 7: (\d+) bytes received, (\d+) echoed, "
                  r"(\d+) acknowledged, (\d+) dropped by resets", console)
    if not m or not n:
        return None
    keys = ("accepted", "refused", "closed", "reset", "aborted", "open", "open_max")
    c = dict(zip(keys, map(int, m.groups())))
    c.update(zip(("bytes_in", "bytes_out", "bytes_acked", "bytes_dropped"),
                 map(int, n.groups())))
    return c


def note(text):
    sys.stderr.write(f"\n    {text}")
    sys.stderr.flush()


class EchoTcpServerTest(unittest.TestCase):
    """Steps 1-4 on one boot, in the order of their names."""

    board = None

    @classmethod
    def setUpClass(cls):
        cls.seed = random.randrange(1 << 32)
        cls.rng = random.Random(cls.seed)
        cls.connections = 0     # connections the host made
        cls.full_bytes = 0      # bytes of streams sent completely (and echoed)
        cls.partial_bytes = 0   # bytes sent on the connections closed in mid-stream
        cls.midstream = 0
        cls.boot_error = None
        # The port may be taken between free_tcp_port and QEMU's bind: then
        # QEMU stops at once, and another port is tried.
        for _ in range(3):
            cls.port = free_tcp_port()
            board = Board(cls, [f"limit={SERVER_LIMIT}"],
                          f"user,id=n0,hostfwd=tcp:127.0.0.1:{cls.port}-:7")
            if board.wait_line(r"echoing on udp and tcp port 7", BANNER_WAIT):
                cls.board = board
                return
            status, console = board.finish(1)
            board.close()
            if "hostfwd" not in console:
                cls.boot_error = (f"the board did not start echoing (status {status}):\n"
                                  + console)
                return
        cls.boot_error = "QEMU could not set up the TCP forwarding on three free ports"

    @classmethod
    def tearDownClass(cls):
        if cls.board is not None:
            cls.board.close()

    def setUp(self):
        if self.boot_error:
            self.fail(self.boot_error)
        if self.board is None:
            self.skipTest("the board is gone")

    def data(self, n):
        return self.rng.randbytes(n)

    def streams(self, sizes):
        """Echo one random stream per size at once; fail on any damage."""
        ss = []
        for n in sizes:
            ss.append(Stream(self.port, self.data(n)))
            type(self).connections += 1
        t0 = time.monotonic()
        for s in ss:
            s.run()
        hung = [i for i, s in enumerate(ss) if not s.join(IO_WAIT + 10)]
        elapsed = time.monotonic() - t0
        bad = [(i, s.verdict()) for i, s in enumerate(ss) if s.verdict() is not None]
        for i, s in enumerate(ss):
            if s.verdict() is None:
                type(self).full_bytes += len(s.data)
        self.assertEqual(hung, [], f"connections still busy after {IO_WAIT + 10} s "
                                   f"(seed {self.seed})")
        self.assertEqual(bad, [], f"damaged echoes (seed {self.seed})")
        return elapsed

    def test_1_bulk_4mib(self):
        elapsed = self.streams([BULK])
        note(f"4 MiB echoed in {elapsed:.2f} s "
             f"({2 * BULK * 8 / elapsed / 1e6:.1f} Mbit/s both ways together)")

    def test_2_parallel_8(self):
        elapsed = self.streams([PARALLEL_EACH] * PARALLEL)
        note(f"{PARALLEL} x {PARALLEL_EACH // 1024} KiB echoed at once in {elapsed:.2f} s")

    def send_unread(self, limit_bytes):
        """Connect, send up to limit_bytes without reading any echo; stop
        early when the windows stay shut for MIDSTREAM_WAIT s."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=IO_WAIT)
        type(self).connections += 1
        type(self).midstream += 1
        s.settimeout(0.2)
        sent = 0
        last = time.monotonic()
        chunk = self.data(16384)
        while sent < limit_bytes and time.monotonic() - last < MIDSTREAM_WAIT:
            try:
                sent += s.send(chunk[:limit_bytes - sent])
                last = time.monotonic()
            except socket.timeout:
                continue
        type(self).partial_bytes += sent
        return s, sent

    def test_3_close_midstream(self):
        # Closed with unread data: Linux sends a reset (RFC 9293 3.6, RFC 2525 2.17).
        s, sent1 = self.send_unread(MIDSTREAM)
        s.close()
        # SO_LINGER 0: the close is a reset at once.
        s, sent2 = self.send_unread(MIDSTREAM // 4)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        note(f"closed in mid-stream after {sent1} and {sent2} bytes")
        time.sleep(0.5)
        self.assertIsNone(self.board.proc.poll(), "the board stopped")
        # A fresh connection still works.
        self.streams([FRESH])
        self.assertLess(time.monotonic() - self.board.booted, SERVER_LIMIT - 1,
                        "the exchanges took too long: the board may have stopped first")

    def test_9_exit_and_counters(self):
        status, console = self.board.finish(SERVER_LIMIT + EXIT_WAIT)
        type(self).board.close()
        type(self).board = None
        self.assertIsNotNone(status, f"QEMU did not exit in time:\n{console}")
        self.assertEqual(status, 0, console)
        self.assertIn("echo_raw: every pool and the heap are back to their start-up levels",
                      console)
        self.assertIn("echo_raw: done\n", console)
        c = parse_counters(console)
        self.assertIsNotNone(c, console)
        self.assertEqual(c["accepted"], self.connections, console)
        self.assertEqual((c["refused"], c["aborted"], c["open"]), (0, 0, 0), console)
        self.assertEqual(c["closed"] + c["reset"], c["accepted"], console)
        self.assertLessEqual(c["reset"], self.midstream, console)
        self.assertGreaterEqual(c["open_max"], PARALLEL, console)
        self.assertEqual(c["bytes_in"], c["bytes_out"] + c["bytes_dropped"], console)
        self.assertGreaterEqual(c["bytes_in"], self.full_bytes, console)
        self.assertLessEqual(c["bytes_in"], self.full_bytes + self.partial_bytes, console)
        self.assertGreaterEqual(c["bytes_acked"], self.full_bytes, console)
        self.assertLessEqual(c["bytes_acked"], c["bytes_out"], console)
        note(f"board: {c}")
        for line in console.splitlines():
            if re.match(r"stats: (mem  HEAP|memp (PBUF_POOL|TCP_SEG|TCP_PCB) |drop)|echo_raw: en1:",
                        line):
                note(line)


class EchoTcpClientTest(unittest.TestCase):
    """The board connects to a host listener and sends 4 MiB of its pattern."""

    def setUp(self):
        self.board = None
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(BANNER_WAIT + 10)
        self.port = self.listener.getsockname()[1]

    def tearDown(self):
        self.listener.close()
        if self.board is not None:
            self.board.close()

    def test_client_sends_4mib(self):
        want = hashlib.sha256(client_pattern(CLIENT_SEND)).hexdigest()
        self.board = Board(self, [f"limit={CLIENT_LIMIT}", f"connect=10.0.2.2:{self.port}",
                                  f"send={CLIENT_SEND}"], "user,id=n0")
        try:
            conn, _ = self.listener.accept()
        except socket.timeout:
            self.fail("the board did not connect:\n" + self.board.console())
        t0 = time.monotonic()
        conn.settimeout(IO_WAIT)
        h = hashlib.sha256()
        got = 0
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                h.update(chunk)
                got += len(chunk)
        except socket.timeout:
            self.fail(f"nothing from the board for {IO_WAIT} s after {got} bytes:\n"
                      + self.board.console())
        finally:
            elapsed = time.monotonic() - t0
            conn.close()
        note(f"host received {got} bytes from the board in {elapsed:.2f} s "
             f"({got * 8 / max(elapsed, 1e-6) / 1e6:.1f} Mbit/s)")
        self.assertEqual(got, CLIENT_SEND, self.board.console())
        self.assertEqual(h.hexdigest(), want, "the stream is not the pattern")

        status, console = self.board.finish(CLIENT_LIMIT + EXIT_WAIT)
        self.assertIsNotNone(status, f"QEMU did not exit in time:\n{console}")
        self.assertEqual(status, 0, console)
        m = re.search(r"echo_raw: client: (\d+) bytes sent and acknowledged in (\d+) ms "
                      r"\((\d+) bytes/s\)", console)
        self.assertIsNotNone(m, console)
        self.assertEqual(int(m.group(1)), CLIENT_SEND, console)
        note(f"board: {m.group(0)}")
        self.assertRegex(console, rf"echo_raw: client to 10\.0\.2\.2:{self.port}: done, "
                                  rf"{CLIENT_SEND} of {CLIENT_SEND} bytes queued, "
                                  rf"{CLIENT_SEND} acknowledged, 0 received")
        # The board closed first, so its PCB is in TIME_WAIT (RFC 9293 3.6),
        # counted apart from the leak check.
        self.assertIn("echo_raw: TIME_WAIT: 1 TCP PCBs", console)
        self.assertIn("echo_raw: every pool and the heap are back to their start-up levels",
                      console)
        self.assertIn("echo_raw: done\n", console)

    def test_client_refused(self):
        # Nobody listens on the port: slirp answers the SYN with a RST, which
        # the board reports as a refused connection, and still exits clean.
        self.listener.close()
        board = self.board = Board(self, ["limit=3", f"connect=10.0.2.2:{self.port}",
                                          "send=1000"], "user,id=n0")
        status, console = board.finish(3 + EXIT_WAIT)
        self.assertEqual(status, 0, console)
        self.assertIn(f"echo_raw: client: connect to 10.0.2.2:{self.port} failed: "
                      "refused (reset)", console)
        self.assertIn(f"echo_raw: client to 10.0.2.2:{self.port}: failed, 0 of 1000 bytes "
                      "queued", console)
        self.assertIn("echo_raw: every pool and the heap are back to their start-up levels",
                      console)


if __name__ == "__main__":
    unittest.main()
