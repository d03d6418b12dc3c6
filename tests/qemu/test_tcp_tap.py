"""tests/qemu/test_tcp_tap.py - TCP of apps/echo_raw against the Linux kernel's
TCP, through a lossy link.

Needs root and `ip netns`. A network namespace of its own holds a TAP device
with 192.0.2.1/24 (a documentation range, RFC 5737, used inside the
namespace only). The TAP device is made by tests/qemu/relay.py in this
process and then moved into the namespace (its open file stays valid); the
relay forwards frames between it and QEMU's `-netdev dgram` back end, and
per direction drops 5 %, duplicates 2 % and reorders 3 % of them (netem is
not available on these kernels). The board is 192.0.2.15, gateway
192.0.2.1, in plain QEMU (no -icount: Linux talks to it in real time).

(a) Linux as the client: from inside the namespace, a Python script
    connects to the board's echo port 7, sends 4 MiB of random bytes while
    it reads the echo, and compares the echo's length and SHA-256; then it
    half-closes and expects the board to close too.
(b) The board as the client: a listener inside the namespace; echo_raw with
    connect=192.0.2.1:PORT send=4194304 connects to it and sends 4 MiB of
    the pattern documented at the top of apps/echo_raw/main.c, then closes;
    the listener checks the length and the SHA-256 (and names the first
    wrong byte, if any).

Each prints the relay's counters and the time taken: minutes, not seconds
(see TRANSFER_TIMEOUT for why). Every step has a time limit; the
namespace, QEMU and the relay are always cleaned up. Without root, or
without `ip netns`, or without TCP in echo_raw, the test is skipped and
says why.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from tests.qemu import qemu
from tests.qemu import relay as relay_mod

BOARD_IP = "192.0.2.15"
HOST_IP = "192.0.2.1"
ECHO_PORT = 7
LISTEN_PORT = 5001
NBYTES = 4 * 1024 * 1024
# s: the longest either 4 MiB may take through the relay. Measured
# (2026-12-01, with early retransmit, RFC 5827): 36 s board -> Linux, 325 s
# for the echo. Before early retransmit, 220-400 s each: with at most two
# segments in flight (echo_raw's TCP_SND_BUF, TCP_WND) three duplicate ACKs
# never come, and a lost segment waited for the ~1 s retransmission timeout.
TRANSFER_TIMEOUT = 900
STALL_TIMEOUT = 60          # s: the longest any one send or receive may make no progress
BOOT_TIMEOUT = 15           # s: until the board prints that it is up

# The byte stream of echo_raw's client mode (apps/echo_raw/main.c, top
# comment): byte i of the stream. Used here and, as source text, by the
# listener inside the namespace.
PATTERN_SRC = r"""
def pattern(n):
    return bytes((i * 7 + (i >> 8) * 13 + (i >> 16) * 29) & 0xff for i in range(n))
"""

# (a) Inside the namespace: connect to the echo port, send random bytes
# while reading the echo, compare; then half-close and wait for the board's
# FIN. Prints one JSON line.
ECHO_CLIENT = r"""
import hashlib, json, os, socket, sys, threading, time
host, port, n, total, stall = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), float(sys.argv[5])
data = os.urandom(n)
res = {"sent": 0, "received": 0, "eof": False, "error": None}
t0 = time.monotonic()
deadline = t0 + total
try:
    s = socket.create_connection((host, port), timeout=30)
    res["connect_s"] = round(time.monotonic() - t0, 3)
    s.settimeout(stall)
    def sender():
        try:
            view = memoryview(data)
            while res["sent"] < n:
                res["sent"] += s.send(view[res["sent"]:res["sent"] + 65536])
        except Exception as e:
            res["error"] = res["error"] or "send: %r" % e
    th = threading.Thread(target=sender, daemon=True)
    th.start()
    got = bytearray()
    while len(got) < n and time.monotonic() < deadline:
        b = s.recv(65536)
        if not b:
            res["error"] = res["error"] or "the board closed after %d bytes" % len(got)
            break
        got += b
        res["received"] = len(got)
    res["seconds"] = round(time.monotonic() - t0, 3)
    res["match"] = bytes(got) == data
    res["sha_sent"] = hashlib.sha256(data).hexdigest()
    res["sha_echo"] = hashlib.sha256(got).hexdigest()
    if not res["match"]:
        res["first_difference"] = next((i for i in range(min(len(got), n))
                                        if got[i] != data[i]), min(len(got), n))
    th.join(timeout=5)
    if len(got) >= n:
        # The echo is complete: our FIN, then the board's (RFC 9293 3.6).
        s.shutdown(socket.SHUT_WR)
        s.settimeout(30)
        extra = s.recv(65536)
        while extra:
            res["after_echo"] = res.get("after_echo", 0) + len(extra)
            extra = s.recv(65536)
        res["eof"] = True
    s.close()
except Exception as e:
    res["error"] = res["error"] or repr(e)
print(json.dumps(res), flush=True)
"""

# (b) Inside the namespace: accept one connection, read to the end, check.
SINK = PATTERN_SRC + r"""
import hashlib, json, socket, sys, time
host, port, n, total, stall = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), float(sys.argv[5])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((host, port))
ls.listen(1)
ls.settimeout(total)
print("listening", flush=True)
res = {"received": 0, "eof": False, "error": None}
try:
    c, peer = ls.accept()
    t0 = time.monotonic()
    res["peer"] = "%s:%d" % peer
    c.settimeout(stall)
    got = bytearray()
    while time.monotonic() < t0 + total:
        b = c.recv(65536)
        if not b:
            res["eof"] = True
            break
        got += b
    res["seconds"] = round(time.monotonic() - t0, 3)
    res["received"] = len(got)
    want = pattern(n)
    res["match"] = bytes(got) == want
    res["sha_want"] = hashlib.sha256(want).hexdigest()
    res["sha_got"] = hashlib.sha256(got).hexdigest()
    if not res["match"]:
        res["first_difference"] = next((i for i in range(min(len(got), n))
                                        if got[i] != want[i]), min(len(got), n))
    c.close()
except Exception as e:
    res["error"] = repr(e)
print(json.dumps(res), flush=True)
"""


run = qemu.run


def last_json(text):
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def note(text):
    """What the test measured, on the test runner's output."""
    print("    tcp_tap: " + text, file=sys.stderr, flush=True)


class TcpThroughLossyTap(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root (a network namespace and a TAP device)")
        if shutil.which("ip") is None:
            self.skipTest("needs root and `ip netns` (iproute2 is not installed)")
        if not os.path.exists("/dev/net/tun"):
            self.skipTest("needs /dev/net/tun (a TAP device)")
        self.elf = qemu.require_elf(self, "echo_raw")
        nm = subprocess.run(["arm-none-eabi-nm", self.elf], stdout=subprocess.PIPE, text=True)
        if not re.search(r" T tcp_input$", nm.stdout, re.M):
            self.skipTest("echo_raw has no TCP yet (no tcp_input in %s)" % self.elf)
        self.remove_stale_namespaces()
        self.ns = "ngtcp%d" % os.getpid()
        self.tap = "ngtcp%d" % (os.getpid() % 100000)
        p = run(["ip", "netns", "add", self.ns], check=False)
        if p.returncode != 0:
            self.skipTest("needs root and `ip netns`: " + p.stdout.strip())
        self.addCleanup(run, ["ip", "netns", "del", self.ns], 20, False)
        self.seed = int(os.environ.get("NG_RELAY_SEED", "0")) or int(time.time()) % 100000
        self.relay = relay_mod.Relay(self.tap, seed=self.seed)
        self.addCleanup(self.relay.stop)
        run(["ip", "link", "set", self.tap, "netns", self.ns])
        for cmd in (["ip", "addr", "add", HOST_IP + "/24", "dev", self.tap],
                    ["ip", "link", "set", self.tap, "up"],
                    ["ip", "link", "set", "lo", "up"]):
            self.in_ns(cmd, check=True)
        # (IPv6 on the TAP would only add router solicitations to the link.)
        self.in_ns(["sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % self.tap])
        self.relay.start()
        self.q = None
        self.workdir = tempfile.mkdtemp(prefix="ngtcp-")
        self.addCleanup(shutil.rmtree, self.workdir, True)

    @staticmethod
    def remove_stale_namespaces():
        """Namespaces of earlier runs of this test that were killed before
        their clean-up (named after a process that no longer exists)."""
        p = run(["ip", "netns", "list"], check=False)
        for m in re.finditer(r"^ngtcp(\d+)\b", p.stdout, re.M):
            if not os.path.exists("/proc/" + m.group(1)):
                run(["ip", "netns", "del", m.group(0)], check=False)

    def in_ns(self, cmd, timeout=30, check=False):
        return run(["ip", "netns", "exec", self.ns] + cmd, timeout=timeout, check=check)

    def boot(self, args):
        """echo_raw in plain QEMU on the relay; waits until it is up."""
        sh = ",".join(["enable=on", "target=native", "arg=echo_raw", "arg=ip=" + BOARD_IP,
                       "arg=gw=" + HOST_IP, "arg=netmask=255.255.255.0", "arg=trace=none"] +
                      ["arg=" + a for a in args])
        self.q = subprocess.Popen(["qemu-system-arm", "-M", "lm3s6965evb", "-nographic",
                                   "-no-reboot", "-semihosting-config", sh, "-kernel",
                                   self.elf] + self.relay.qemu_netdev_args(),
                                  cwd=self.workdir, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines, up = [], threading.Event()

        def read_console():
            for raw in self.q.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self.lines.append(line)
                if " up, hwaddr " in line:
                    up.set()
        self.reader = threading.Thread(target=read_console, daemon=True)
        self.reader.start()
        self.addCleanup(self.stop_board)
        self.assertTrue(up.wait(BOOT_TIMEOUT), "the board did not come up:\n" + self.console())

    def stop_board(self):
        if self.q.poll() is None:
            self.q.kill()
        self.q.wait(timeout=10)
        self.reader.join(timeout=10)
        self.q.stdout.close()

    def console(self):
        return "\n".join(self.lines)

    def context(self):
        return "\n%s\nboard console:\n%s" % (self.relay.report(), self.console())

    def test_a_linux_client_echo_4mib(self):
        """Linux sends 4 MiB to the board's echo port and gets them back."""
        self.boot(["limit=0"])
        t0 = time.monotonic()
        p = self.in_ns([sys.executable, "-c", ECHO_CLIENT, BOARD_IP, str(ECHO_PORT),
                        str(NBYTES), str(TRANSFER_TIMEOUT), str(STALL_TIMEOUT)],
                       timeout=TRANSFER_TIMEOUT + 90)
        secs = time.monotonic() - t0
        res = last_json(p.stdout)
        note("linux -> board port 7 -> linux, %d bytes each way: %.1f s (seed %d)"
             % (NBYTES, secs, self.seed))
        note(self.relay.report())
        self.assertIsNotNone(res, "the client printed no result: " + p.stdout + self.context())
        if res.get("seconds"):
            note("echo complete after %.1f s: %.2f Mbit/s each way; board's FIN %s"
                 % (res["seconds"], NBYTES * 8 / res["seconds"] / 1e6,
                    "received" if res["eof"] else "missing"))
        self.assertIsNone(res["error"], json.dumps(res) + self.context())
        self.assertEqual(res["received"], NBYTES, json.dumps(res) + self.context())
        self.assertEqual(res["sha_echo"], res["sha_sent"], json.dumps(res) + self.context())
        self.assertTrue(res["eof"], "no FIN from the board after the echo: " +
                        json.dumps(res) + self.context())
        self.assertNotIn("after_echo", res, json.dumps(res))
        self.assertIsNone(self.q.poll(), "the board stopped:" + self.context())

    def test_b_board_client_sends_4mib(self):
        """The board connects to a listener in the namespace and sends 4 MiB."""
        sink = subprocess.Popen(["ip", "netns", "exec", self.ns, sys.executable, "-c", SINK,
                                 HOST_IP, str(LISTEN_PORT), str(NBYTES),
                                 str(TRANSFER_TIMEOUT), str(STALL_TIMEOUT)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

        def stop_sink():
            if sink.poll() is None:
                sink.kill()
            sink.communicate(timeout=10)
        self.addCleanup(stop_sink)
        first = sink.stdout.readline()
        if first.strip() != "listening":
            self.fail("the listener did not start: " + first + (sink.stdout.read() or ""))
        t0 = time.monotonic()
        self.boot(["limit=0", "connect=%s:%d" % (HOST_IP, LISTEN_PORT), "send=%d" % NBYTES])
        try:
            out, _ = sink.communicate(timeout=TRANSFER_TIMEOUT + 60)
        except subprocess.TimeoutExpired:
            self.fail("the listener did not finish within %d s%s"
                      % (TRANSFER_TIMEOUT + 60, self.context()))
        secs = time.monotonic() - t0
        res = last_json(out)
        note("board -> linux listener, %d bytes: %.1f s from boot (seed %d)"
             % (NBYTES, secs, self.seed))
        note(self.relay.report())
        self.assertIsNotNone(res, "the listener printed no result (status %s): %s%s"
                             % (sink.returncode, out, self.context()))
        if res.get("seconds"):
            note("accept to FIN: %.1f s, %.2f Mbit/s" % (res["seconds"],
                                                         res["received"] * 8 / res["seconds"]
                                                         / 1e6))
        self.assertIsNone(res["error"], json.dumps(res) + self.context())
        self.assertEqual(res["peer"].split(":")[0], BOARD_IP, json.dumps(res))
        self.assertTrue(res["eof"], "the board did not close: " + json.dumps(res) +
                        self.context())
        self.assertEqual(res["received"], NBYTES, json.dumps(res) + self.context())
        self.assertEqual(res["sha_got"], res["sha_want"], json.dumps(res) + self.context())
        # The board's side: every byte acknowledged (Linux's last ACK may
        # itself be lost on the way and come again with a retransmission).
        deadline = time.monotonic() + 30
        done = re.compile(r"echo_raw: client: (\d+) bytes sent and acknowledged in (\d+) ms")
        while time.monotonic() < deadline and not done.search(self.console()):
            time.sleep(0.2)
        m = done.search(self.console())
        self.assertIsNotNone(m, "the board did not report its send as acknowledged" +
                             self.context())
        self.assertEqual(int(m.group(1)), NBYTES, self.context())
        note("the board: %s bytes acknowledged %s ms after the handshake" % m.groups())


if __name__ == "__main__":
    unittest.main()
