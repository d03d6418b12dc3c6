"""tests/qemu/test_echo_udp.py - the UDP echo of apps/echo_raw through slirp.

The board runs apps/echo_raw (10.0.2.15/24, gateway 10.0.2.2) in plain QEMU
(no -icount: the host talks to it in real time) behind slirp, which
forwards a free UDP port of 127.0.0.1 to the board's port 7. The host:

1. sends small probes, each with its own payload, until one comes back:
   slirp hands a datagram on only once the board has answered its ARP;
2. sends datagrams of 0, 1, 100 and 1472 bytes (the most one frame holds)
   and of random sizes and contents, one at a time, and checks that each
   comes back byte for byte;
3. lets the board reach its time limit, and checks its exit status (0),
   its counters (every datagram that reached it, echoed, none lost to a
   send error, the UDP statistics agreeing), and that every pool and the
   heap are back to their start-up levels.
"""
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from tests.qemu import qemu

APP = "echo_raw"
LIMIT = 8               # seconds the board serves; the exchange takes about one
PROBE_TRIES = 50        # step 1: at most this many probes ...
PROBE_WAIT = 0.2        # ... each waited for this long (s)
ECHO_WAIT = 2.0         # step 2: the longest an echo may take (s)
EXIT_WAIT = LIMIT + 30  # QEMU must have exited this long after boot (s)


def free_udp_port():
    """A UDP port of 127.0.0.1 that nothing holds just now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class EchoUdpTest(unittest.TestCase):

    def setUp(self):
        self.elf = qemu.require_elf(self, APP)
        self.proc = None
        self.sock = None
        self.dir = tempfile.mkdtemp(prefix="ngecho-")
        self.seed = random.randrange(1 << 32)
        self.rng = random.Random(self.seed)

    def tearDown(self):
        if self.sock is not None:
            self.sock.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            try:
                self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def boot(self):
        # The port may be taken between free_udp_port and QEMU's bind: then
        # QEMU stops at once, and another port is tried.
        for _ in range(3):
            port = free_udp_port()
            sh = ",".join(["enable=on", "target=native", "arg=" + APP, f"arg=limit={LIMIT}"])
            cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
                   "-semihosting-config", sh, "-kernel", self.elf,
                   "-netdev", f"user,id=n0,hostfwd=udp:127.0.0.1:{port}-:7",
                   "-net", "nic,netdev=n0,model=stellaris"]
            self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.booted = time.monotonic()
            try:
                out, _ = self.proc.communicate(timeout=0.5)
            except subprocess.TimeoutExpired:
                return port
            if "hostfwd" not in out.decode("utf-8", "replace"):
                self.fail(f"QEMU stopped at once (status {self.proc.returncode}):\n"
                          + out.decode("utf-8", "replace"))
        self.fail("QEMU could not set up the UDP forwarding on three free ports")

    def probe(self, i):
        return b"probe %d" % i

    def recv_echo(self, want):
        """The next echo that is not a late probe: it must be `want`."""
        deadline = time.monotonic() + ECHO_WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail(f"no echo of the {len(want)}-byte datagram within {ECHO_WAIT} s "
                          f"(seed {self.seed})")
            self.sock.settimeout(left)
            try:
                got = self.sock.recv(65535)
            except socket.timeout:
                continue
            if got in self.probes_sent and got not in self.probes_echoed:
                self.probes_echoed.add(got)     # a probe slirp had held back
                continue
            return got

    def test_udp_echo(self):
        port = self.boot()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(("127.0.0.1", port))

        # 1. Probes until slirp forwards (it drops or holds datagrams until
        # the board has answered its ARP request).
        self.probes_sent, self.probes_echoed = set(), set()
        for i in range(PROBE_TRIES):
            self.assertIsNone(self.proc.poll(), "QEMU stopped before the first echo")
            payload = self.probe(i)
            self.probes_sent.add(payload)
            self.sock.send(payload)
            self.sock.settimeout(PROBE_WAIT)
            try:
                got = self.sock.recv(65535)
            except socket.timeout:
                continue
            except ConnectionRefusedError:
                # slirp not listening yet: ICMP port unreachable from QEMU
                time.sleep(PROBE_WAIT)
                continue
            self.assertIn(got, self.probes_sent, "an echo that no probe carried")
            self.probes_echoed.add(got)
            break
        else:
            self.fail(f"no probe echoed in {PROBE_TRIES} tries")

        # 2. The datagrams proper, one at a time.
        sizes = [0, 1, 100, 1472] + [self.rng.randint(1, 1472) for _ in range(16)]
        sent_bytes = 0
        for n in sizes:
            data = bytes(self.rng.getrandbits(8) for _ in range(n))
            self.sock.send(data)
            got = self.recv_echo(data)
            self.assertEqual(len(got), n, f"echo of a {n}-byte datagram (seed {self.seed})")
            self.assertEqual(got, data, f"echo of a {n}-byte datagram (seed {self.seed})")
            sent_bytes += n
        self.assertLess(time.monotonic() - self.booted, LIMIT - 1,
                        "the exchange took too long: the board may have stopped first")

        # 3. The board's end of it.
        left = EXIT_WAIT - (time.monotonic() - self.booted)
        try:
            out, _ = self.proc.communicate(timeout=max(left, 1))
        except subprocess.TimeoutExpired:
            self.fail(f"QEMU did not exit within {EXIT_WAIT} s of boot")
        console = out.decode("utf-8", "replace").replace("\r\n", "\n")
        self.assertEqual(self.proc.returncode, 0, console)

        # Late probe echoes may still be queued on the socket.
        self.sock.setblocking(False)
        while True:
            try:
                got = self.sock.recv(65535)
            except (BlockingIOError, ConnectionRefusedError):
                break
            self.assertIn(got, self.probes_sent, "an echo after the last datagram")
            self.probes_echoed.add(got)

        # Every probe the board saw was echoed (no send error, below), and
        # every echo arrived here over the loopback: so the board saw the
        # probes echoed here, and the datagrams of step 2.
        dgrams = len(sizes) + len(self.probes_echoed)
        nbytes = sent_bytes + sum(len(p) for p in self.probes_echoed)
        m = re.search(r"echo_raw: udp port 7: (\d+) datagrams (\d+) bytes received, "
                      r"(\d+) datagrams (\d+) bytes echoed, (\d+) send errors", console)
        self.assertIsNotNone(m, console)
        self.assertEqual(tuple(map(int, m.groups())), (dgrams, nbytes, dgrams, nbytes, 0),
                         console)
        m = re.search(r"stats: udp +xmit=(\d+) recv=(\d+)", console)
        self.assertIsNotNone(m, console)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (dgrams, dgrams), console)
        self.assertIn("every pool and the heap are back to their start-up levels", console)
        self.assertIn("echo_raw: done\n", console)


if __name__ == "__main__":
    unittest.main()
