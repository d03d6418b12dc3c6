"""tests/qemu/test_tap.py - the ping demo with the Linux kernel as its peer.

Needs root and `ip netns`: a network namespace of its own holds a TAP
device with 192.0.2.1/24 (a documentation range, RFC 5737, used inside the
namespace only); QEMU runs inside the namespace with `-netdev tap` and the
board as 192.0.2.15, gateway 192.0.2.1. Then Linux's own stack talks to it:
the board pings Linux (its gateway), and from Linux `ping -c 5` and
`arping -c 3` (or, when those are not installed, the same done by Python
with a raw ICMP socket, so the kernel builds the IP packets and resolves
the address itself, and with an AF_PACKET socket for ARP). The namespace
is always deleted. Without root, or without `ip netns`, the test is
skipped and says so.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

from tests.qemu import qemu

BOARD_IP = "192.0.2.15"
HOST_IP = "192.0.2.1"
LIMIT = 6

# A ping of the Linux stack, for when iputils' ping is not installed: the
# kernel builds the IP header and resolves the board's MAC by ARP itself.
PY_PING = r"""
import os, socket, struct, sys, time
dst, count = sys.argv[1], int(sys.argv[2])
def csum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(1.0)
ident, got = os.getpid() & 0xffff, 0
for seq in range(1, count + 1):
    data = bytes((seq + i) & 0xff for i in range(56))
    m = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
    t = time.monotonic()
    s.sendto(m, (dst, 0))
    while True:
        try:
            pkt, addr = s.recvfrom(2048)
        except socket.timeout:
            print("no reply seq=%d" % seq)
            break
        r = pkt[(pkt[0] & 15) * 4:]
        if addr[0] == dst and r[0] == 0 and struct.unpack("!HH", r[4:8]) == (ident, seq) \
                and r[8:] == data and csum(r) == 0:
            got += 1
            print("64 bytes from %s: icmp_seq=%d time=%.3f ms"
                  % (dst, seq, (time.monotonic() - t) * 1000))
            break
    time.sleep(0.2)
print("%d packets transmitted, %d received" % (count, got))
"""

# An ARP probe (RFC 826 request, broadcast) on the TAP device.
PY_ARPING = r"""
import socket, struct, sys, time
dev, dst, src, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
mac = bytes(int(x, 16) for x in open("/sys/class/net/%s/address" % dev).read().split(":"))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((dev, 0))
s.settimeout(1.0)
got = 0
for i in range(count):
    req = b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + \
        mac + socket.inet_aton(src) + b"\0" * 6 + socket.inet_aton(dst)
    s.send(req)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        try:
            f = s.recv(2048)
        except socket.timeout:
            break
        if len(f) >= 42 and f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02" and \
                f[28:32] == socket.inet_aton(dst) and f[32:38] == mac:
            got += 1
            print("Unicast reply from %s [%s]" % (dst, ":".join("%02x" % b for b in f[22:28])))
            break
    time.sleep(0.2)
print("Received %d response(s)" % got)
"""


run = qemu.run


class PingDemoOnTap(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root (a network namespace and a TAP device)")
        if shutil.which("ip") is None:
            self.skipTest("needs root and `ip netns` (iproute2 is not installed)")
        self.elf = qemu.require_elf(self, "ping_demo")
        self.ns = "ngtap%d" % os.getpid()
        p = run(["ip", "netns", "add", self.ns], check=False)
        if p.returncode != 0:
            self.skipTest("needs root and `ip netns`: " + p.stdout.strip())
        self.addCleanup(run, ["ip", "netns", "del", self.ns], 20, False)
        for cmd in (["ip", "tuntap", "add", "dev", "tap0", "mode", "tap"],
                    ["ip", "addr", "add", HOST_IP + "/24", "dev", "tap0"],
                    ["ip", "link", "set", "tap0", "up"],
                    ["ip", "link", "set", "lo", "up"]):
            run(["ip", "netns", "exec", self.ns] + cmd)

    def in_ns(self, cmd, timeout=30):
        return run(["ip", "netns", "exec", self.ns] + cmd, timeout=timeout, check=False)

    def test_linux_pings_and_arpings_the_board(self):
        workdir = tempfile.mkdtemp(prefix="ngtap-")
        self.addCleanup(shutil.rmtree, workdir, True)
        sh = ",".join(["enable=on", "target=native", "arg=ping_demo", "arg=ip=" + BOARD_IP,
                       "arg=gw=" + HOST_IP, "arg=netmask=255.255.255.0", "arg=count=3",
                       "arg=interval=200", "arg=limit=%d" % LIMIT, "arg=trace=none"])
        q = subprocess.Popen(["ip", "netns", "exec", self.ns, "qemu-system-arm", "-M",
                              "lm3s6965evb", "-nographic", "-no-reboot", "-semihosting-config",
                              sh, "-kernel", self.elf, "-netdev",
                              "tap,id=n0,ifname=tap0,script=no,downscript=no",
                              "-net", "nic,netdev=n0,model=stellaris"],
                             cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)

        lines, up = [], threading.Event()

        def read_console():
            for raw in q.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                lines.append(line)
                if " up, hwaddr " in line:
                    up.set()
        reader = threading.Thread(target=read_console, daemon=True)
        reader.start()

        def stop():
            if q.poll() is None:
                q.kill()
                q.wait(timeout=10)
            reader.join(timeout=10)
            q.stdout.close()
        self.addCleanup(stop)
        self.assertTrue(up.wait(10), "the board did not come up:\n" + "\n".join(lines))

        if shutil.which("ping"):
            ping = self.in_ns(["ping", "-c", "5", "-i", "0.2", "-W", "1", BOARD_IP])
        else:
            ping = self.in_ns([sys.executable, "-c", PY_PING, BOARD_IP, "5"])
        if shutil.which("arping"):
            arping = self.in_ns(["arping", "-c", "3", "-I", "tap0", BOARD_IP])
        else:
            arping = self.in_ns([sys.executable, "-c", PY_ARPING, "tap0", BOARD_IP, HOST_IP,
                                 "3"])
        try:
            q.wait(timeout=LIMIT + 30)
        except subprocess.TimeoutExpired:
            self.fail("ping_demo did not stop at its time limit")
        reader.join(timeout=10)
        console = "\n".join(lines)

        # Linux's ping: five of five (the first may wait for ARP, within -W).
        m = re.search(r"(\d+) packets transmitted, (\d+) received", ping.stdout)
        self.assertIsNotNone(m, ping.stdout)
        self.assertEqual(m.groups(), ("5", "5"), ping.stdout)
        m = re.search(r"Received (\d+) response", arping.stdout)
        self.assertIsNotNone(m, arping.stdout)
        self.assertEqual(m.group(1), "3", arping.stdout)
        self.assertIn("52:54:00:12:34:56", arping.stdout.lower())
        # The board's own pings of Linux, and its clean exit.
        self.assertEqual(q.returncode, 0, console)
        self.assertIn(f"ip {BOARD_IP} mask 255.255.255.0 gw {HOST_IP}", console)
        self.assertIn("3 packets transmitted, 3 received, 0% packet loss", console)
        self.assertIn("every pool and the heap are back to their start-up levels", console)


if __name__ == "__main__":
    unittest.main()
