"""tests/qemu/test_net_demo.py - the network demo (apps/net_demo) on the real board.

One boot of build/lm3s6965evb/net_demo.elf in plain QEMU (no -icount: the
host talks to it in real time) behind slirp, which gives it its address by
DHCP and forwards free ports of 127.0.0.1 to the board's services: TCP 80
(HTTP), TCP and UDP 7 (echo), TCP 19 (chargen), TCP 5001 (iperf). Before
the boot the host opens what the board's own client talks to: a TCP echo
listener and a UDP echo listener (the board reaches them as 10.0.2.2:PORT,
which slirp hands to the host's loopback) and a scripted DNS resolver on
127.0.0.1:53 (the board is told dns=10.0.2.2). Then, in order:

 1. DHCP: the board prints its lease from slirp: 10.0.2.15/24, gateway and
    DNS 10.0.2.2 and 10.0.2.3.
 2. HTTP with curl: GET / is an HTML page and GET /stats.json JSON with the
    live figures: the interface's address and growing frame counters, the
    four listening PCBs, the very connection curl is using (ESTABLISHED on
    port 80), a TCP echo connection the test holds open, the pools, the
    mailboxes, and the request counter counting our requests.
 3. 50 requests in a row on one keep-alive connection (curl reports one
    connect for all of them), then 50 on new connections: all 200.
 4. 404 (unknown path, and the connection still serves the next request),
    400 (no Host: curl -H "Host:"; a garbage request line), 405 (curl -X
    DELETE, with Allow), 414 and 431 (oversized line and head), 505.
 5. A client that connects and says nothing is closed by the board's
    request timeout while other requests are still served; one that stops
    in the middle of a request gets 408.
 6. TCP echo: nc (netcat-openbsd) and 8 Python connections of random bytes,
    each echoed intact; UDP echo: datagrams of 0 .. 1472 bytes echoed intact.
 7. chargen: the RFC 864 line pattern checked line by line on 4 clients
    read at once; a fifth is closed by the board.
 8. iperf -c: exits 0 with a rate; the board prints bytes and time.
 9. The board's client flows: the host's listeners got the TCP pattern
    (checked by SHA-256) and the UDP datagram, and the board saw its echoes
    intact; its DNS lookup of the test's name reached the resolver and gave
    the scripted address; its ping is reported (what slirp does with ICMP
    echo to 10.0.2.2 depends on the host: the result is printed, not
    required).
10. At limit= the board exits with status 0: every pool and the heap back
    to their start-up levels (TCP PCBs in TIME_WAIT aside), its counters
    agreeing with what the host did.

NetDemoCoreLockTest repeats all of it with the image built for
LWIP_TCPIP_CORE_LOCKING = 1 (build/lm3s6965evb-corelock/net_demo.elf).
NetDemoLwipChecksTest repeats it with the image the footprint is measured on
(build/lm3s6965evb-os-lwipchecks/: -Os, TRACE=0, lwIP's default checks).
NetDemoFallbackTest boots with no network at all: no lease, the fallback
address, a clean exit.

Tools: curl, nc and iperf must be installed (`make deps`); a missing one
makes its test fail saying so. The DNS check needs 127.0.0.1:53 (root): if
it cannot be had the test says so and skips that check only.
"""
import hashlib
import json
import os
import random
import re
import select
import shutil
import socket
import struct
import subprocess
import threading
import time
import unittest

from tests.qemu import qemu

APP = "net_demo"
LIMIT = 60              # seconds the board serves; every step must be done before
BANNER_WAIT = 30        # boot + DHCP + services, at most (s)
IO_WAIT = 20            # no socket operation may block longer than this (s)
EXIT_WAIT = 40          # QEMU must exit this long after its limit (s)
HTTP_IDLE = 5.0         # apps/net_demo/http_server.c HTTP_IDLE_MS
CLIENT_SEND = 8192      # send= of the board's TCP flow
CLIENT_UDP = 256        # apps/net_demo/client.c CLIENT_UDP_BYTES
LOOKUP = "demo.netglass.test"
LOOKUP_ADDR = "192.0.2.7"   # documentation range (RFC 5737)
TOOLS = ("curl", "nc", "iperf")


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def client_pattern(n):
    """The board client's stream (apps/net_demo/client.c, as apps/echo_raw):
    byte i = (i * 7 + (i >> 8) * 13 + (i >> 16) * 29) & 0xff."""
    return bytes((i * 7 + (i >> 8) * 13 + (i >> 16) * 29) & 0xff for i in range(n))


def chargen_line(n):
    """Line n (from 0) of the RFC 864 stream: 72 characters, CR LF."""
    return bytes(32 + (n + k) % 95 for k in range(72)) + b"\r\n"


class HostEchoTcp(threading.Thread):
    """A TCP echo listener for the board's client: records what it got."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(2)
        self.sock.settimeout(LIMIT + BANNER_WAIT)
        self.port = self.sock.getsockname()[1]
        self.received = bytearray()
        self.done = threading.Event()
        self.error = None

    def run(self):
        try:
            c, _ = self.sock.accept()
            c.settimeout(IO_WAIT)
            with c:
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    self.received += d
                    c.sendall(d)
        except OSError as e:
            self.error = repr(e)
        finally:
            self.done.set()
            self.sock.close()


class HostEchoUdp(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(1.0)
        self.port = self.sock.getsockname()[1]
        self.datagrams = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                d, peer = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            self.datagrams.append(d)
            self.sock.sendto(d, peer)
        self.sock.close()


class HostResolver(threading.Thread):
    """A scripted DNS server (RFC 1035 4.1) on 127.0.0.1:53: A records for
    LOOKUP, NXDOMAIN for every other name."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 53))
        self.sock.settimeout(1.0)
        self.queries = []
        self.stop = threading.Event()

    @staticmethod
    def qname(msg, off):
        labels = []
        while msg[off]:
            n = msg[off]
            labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
            off += 1 + n
        return ".".join(labels), off + 1

    def run(self):
        while not self.stop.is_set():
            try:
                q, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                break
            if len(q) < 17:
                continue
            qid, flags, qd = struct.unpack("!HHH", q[:6])
            name, end = self.qname(q, 12)
            qtype, qclass = struct.unpack("!HH", q[end:end + 4])
            self.queries.append((name, qtype))
            question = q[12:end + 4]
            if name.lower() == LOOKUP and qtype == 1:
                ans = struct.pack("!HHHH", 0xc00c, 1, 1, 0) + struct.pack("!HH", 60, 4) + \
                    socket.inet_aton(LOOKUP_ADDR)
                hdr = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
            else:
                ans = b""
                hdr = struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0)
            self.sock.sendto(hdr + question + ans, peer)
        self.sock.close()


class Board(qemu.LiveBoard):
    """The boot, its console read line by line by a thread."""

    def __init__(self, elf, args, fwd):
        self.elf = elf
        sh = ["enable=on", "target=native", "arg=" + APP, "arg=trace=none"]
        sh += ["arg=" + a for a in args]
        netdev = "user,id=n0," + ",".join(fwd)
        super().__init__(["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
                          "-semihosting-config", ",".join(sh), "-kernel", self.elf,
                          "-netdev", netdev, "-net", "nic,netdev=n0,model=stellaris"],
                         prefix="ngdemo-")


def http_exchange(port, data, read_all=True, timeout=IO_WAIT):
    """Send raw bytes to the HTTP server; the bytes that come back until
    the board closes (read_all) or the first answer's end."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            try:
                d = s.recv(65536)
            except ConnectionResetError:
                break
            if not d:
                break
            out += d
            if not read_all and b"\r\n\r\n" in out:
                head, _, body = out.partition(b"\r\n\r\n")
                m = re.search(rb"Content-Length: (\d+)", head)
                if m and len(body) >= int(m.group(1)):
                    break
        return out


class NetDemoTest(unittest.TestCase):
    """One boot for every step (they are numbered to run in order)."""

    BUILD_DIR = "lm3s6965evb"   # under build/

    @classmethod
    def setUpClass(cls):
        elf = qemu.require_elf(cls, APP, cls.BUILD_DIR)
        cls.missing = [t for t in TOOLS if shutil.which(t) is None]
        cls.echo_tcp = HostEchoTcp()
        cls.echo_udp = HostEchoUdp()
        cls.echo_tcp.start()
        cls.echo_udp.start()
        cls.resolver = None
        cls.resolver_why = None
        for attempt in range(10):   # another test's resolver may be closing
            try:
                cls.resolver = HostResolver()
                cls.resolver.start()
                break
            except OSError as e:
                cls.resolver_why = f"cannot listen on 127.0.0.1:53 for the scripted resolver: {e}"
                time.sleep(0.5)
        cls.ports = {}
        fwd = []
        for name, proto, guest in (("http", "tcp", 80), ("echo", "tcp", 7), ("uecho", "udp", 7),
                                   ("chargen", "tcp", 19), ("iperf", "tcp", 5001)):
            p = free_port(socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
            cls.ports[name] = p
            fwd.append(f"hostfwd={proto}:127.0.0.1:{p}-:{guest}")
        args = [f"limit={LIMIT}", f"peer=10.0.2.2:{cls.echo_tcp.port}",
                f"udppeer=10.0.2.2:{cls.echo_udp.port}", f"send={CLIENT_SEND}",
                f"lookup={LOOKUP}", "dns=10.0.2.2", "pings=3"]
        cls.board = Board(elf, args, fwd)
        cls.serving = cls.board.wait_line(r"net_demo: serving echo", BANNER_WAIT)
        cls.requests = 0        # HTTP requests this test made

    @classmethod
    def tearDownClass(cls):
        cls.board.close()
        cls.echo_udp.stop.set()
        if cls.resolver is not None:
            cls.resolver.stop.set()
            cls.resolver.join(5)    # its socket closed: port 53 free for the next

    def setUp(self):
        if self.serving is None:
            self.fail("the board did not start its services within %d s:\n%s"
                      % (BANNER_WAIT, self.board.console()))

    def need(self, *tools):
        missing = [t for t in tools if t in self.missing]
        if missing:
            self.fail(f"{', '.join(missing)} is not installed (make deps installs it)")

    def curl(self, *args, timeout=IO_WAIT):
        self.need("curl")
        p = subprocess.run(["curl", "-s", "--max-time", str(timeout)] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout + 5)
        return p

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.ports['http']}{path}"

    def get_json(self):
        p = self.curl(self.url("/stats.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        type(self).requests += 1
        return json.loads(p.stdout)

    # ---- 1 --------------------------------------------------------------------
    def test_01_dhcp(self):
        c = self.board.console()
        m = re.search(r"net_demo: dhcp bound (\S+) mask (\S+) gw (\S+) dns (\S+)", c)
        self.assertIsNotNone(m, c)
        self.assertEqual(m.groups(), ("10.0.2.15", "255.255.255.0", "10.0.2.2", "10.0.2.3"), c)
        self.assertNotIn("falling back", c)

    # ---- 2 --------------------------------------------------------------------
    def test_02_http_live_figures(self):
        p = self.curl("-i", self.url("/"))
        self.assertEqual(p.returncode, 0, p.stderr)
        type(self).requests += 1
        head, _, body = p.stdout.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK"), head)
        self.assertIn(b"Content-Type: text/html", head)
        m = re.search(rb"Content-Length: (\d+)", head)
        self.assertIsNotNone(m, head)
        self.assertEqual(int(m.group(1)), len(body))
        for section in (b"<h2>Interface</h2>", b"<h2>TCP connections</h2>", b"<h2>Pools</h2>",
                        b"<h2>Netconns and their mailboxes</h2>", b"tcpip_mbox", b"10.0.2.15"):
            self.assertIn(section, body)
        self.assertRegex(body, rb"<td>10\.0\.2\.15:80</td><td>10\.0\.2\.2:\d+</td>"
                         rb"<td>ESTABLISHED</td>")

        # An echo connection held open shows up, then goes away.
        with socket.create_connection(("127.0.0.1", self.ports["echo"]), timeout=IO_WAIT) as e:
            e.sendall(b"x")
            self.assertEqual(e.recv(1), b"x")
            j1 = self.get_json()
        j2 = self.get_json()
        self.assertEqual(j1["netif"]["ip"], "10.0.2.15")
        self.assertTrue(j1["netif"]["dhcp_bound"])
        states = {(t["local"], t["state"]) for t in j1["tcp"]}
        for port in (7, 19, 80, 5001):
            self.assertIn((f"0.0.0.0:{port}", "LISTEN"), states, j1["tcp"])
        self.assertIn(("10.0.2.15:7", "ESTABLISHED"), states, j1["tcp"])
        self.assertIn(("10.0.2.15:80", "ESTABLISHED"), states, j1["tcp"])
        # the live figures move
        self.assertGreater(j2["snapshot"], j1["snapshot"])
        self.assertGreater(j2["uptime_ms"], j1["uptime_ms"])
        self.assertGreater(j2["netif"]["rx_frames"], j1["netif"]["rx_frames"])
        self.assertGreater(j2["netif"]["tx_bytes"], j1["netif"]["tx_bytes"])
        self.assertEqual(j2["services"]["http_requests"], j1["services"]["http_requests"] + 1)
        self.assertGreaterEqual(j1["services"]["echo_conns"], 1)
        self.assertGreaterEqual(j1["pools"]["TCP_PCB"]["used"], 2)
        self.assertEqual(j1["tcpip_mbox"]["size"], 16)
        self.assertGreaterEqual(j1["tcpip_mbox"]["posts"], 1)
        # the netconns: the listening ones with an acceptmbox, the sockets with numbers
        self.assertTrue(any(n["acceptmbox"][1] > 0 for n in j1["netconns"]), j1["netconns"])
        self.assertTrue(any(n["socket"] >= 0 for n in j1["netconns"]), j1["netconns"])
        self.assertTrue(any(n["type"] == "UDP" for n in j1["netconns"]), j1["netconns"])
        self.assertIn("PBUF_POOL", j1["pools"])

    # ---- 3 --------------------------------------------------------------------
    def test_03_fifty_requests(self):
        n = 50
        args = []
        for i in range(n):
            args += ["-o", "/dev/null", self.url("/stats.json" if i % 2 else "/")]
        p = self.curl("-w", "%{http_code} %{num_connects}\\n", *args, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = [l.split() for l in p.stdout.decode().split("\n") if l.strip()]
        self.assertEqual(len(rows), n, p.stdout)
        self.assertEqual([r[0] for r in rows], ["200"] * n, p.stdout)
        self.assertEqual(sum(int(r[1]) for r in rows), 1,
                         "curl had to connect more than once: no keep-alive")
        type(self).requests += n

        codes = []
        for i in range(n):
            q = self.curl("-o", "/dev/null", "-w", "%{http_code}", self.url("/"))
            codes.append(q.stdout.decode())
        type(self).requests += n
        self.assertEqual(codes, ["200"] * n)

    # ---- 4 --------------------------------------------------------------------
    def test_04_errors(self):
        p = self.curl("-i", self.url("/no/such/page"))
        type(self).requests += 1
        self.assertTrue(p.stdout.startswith(b"HTTP/1.1 404 Not Found"), p.stdout)
        p = self.curl("-i", "-H", "Host:", self.url("/"))
        type(self).requests += 1
        self.assertTrue(p.stdout.startswith(b"HTTP/1.1 400 Bad Request"), p.stdout)
        p = self.curl("-i", "-X", "DELETE", self.url("/"))
        type(self).requests += 1
        self.assertTrue(p.stdout.startswith(b"HTTP/1.1 405 Method Not Allowed"), p.stdout)
        self.assertIn(b"Allow: GET, HEAD", p.stdout)

        port = self.ports["http"]
        # 404 keeps the connection: the next request on it is answered
        out = http_exchange(port, b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                                  b"GET /stats.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        type(self).requests += 2
        self.assertTrue(out.startswith(b"HTTP/1.1 404"), out[:200])
        self.assertIn(b"HTTP/1.1 200 OK", out)
        # HEAD: the headers only
        out = http_exchange(port, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        type(self).requests += 1
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK"), out[:200])
        self.assertEqual(body, b"")
        self.assertGreater(int(re.search(rb"Content-Length: (\d+)", head).group(1)), 0)
        cases = [
            (b"BLAH\r\n\r\n", b"400"),
            (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", b"400"),
            (b"GET /" + b"a" * 400 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
            (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"b" * 1500 + b"\r\n\r\n", b"431"),
            (b"GET / HTTP/3.0\r\nHost: x\r\n\r\n", b"505"),
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd", b"405"),
        ]
        for req, status in cases:
            out = http_exchange(port, req)
            type(self).requests += 1
            self.assertTrue(out.startswith(b"HTTP/1.1 " + status), (req[:60], out[:200]))
            self.assertIn(b"Connection: close", out)

    # ---- 5 --------------------------------------------------------------------
    def test_05_request_timeout(self):
        port = self.ports["http"]
        silent = socket.create_connection(("127.0.0.1", port), timeout=IO_WAIT)
        partial = socket.create_connection(("127.0.0.1", port), timeout=IO_WAIT)
        try:
            t0 = time.monotonic()
            partial.sendall(b"GET / HTTP/1.1\r\nHos")
            # both handler threads may now be held: the board still serves
            # a third client once one of them times out
            p = self.curl("-o", "/dev/null", "-w", "%{http_code}", self.url("/"), timeout=30)
            type(self).requests += 1
            self.assertEqual(p.stdout, b"200")
            got = {}
            for name, s in (("silent", silent), ("partial", partial)):
                s.settimeout(HTTP_IDLE * 3)
                data = b""
                try:
                    while True:
                        d = s.recv(4096)
                        if not d:
                            break
                        data += d
                except ConnectionResetError:
                    pass
                got[name] = (data, time.monotonic() - t0)
            self.assertEqual(got["silent"][0], b"", "the silent client was sent something")
            self.assertTrue(got["partial"][0].startswith(b"HTTP/1.1 408"), got["partial"][0])
            for name, (_, t) in got.items():
                self.assertLess(t, HTTP_IDLE * 3, f"the {name} client was held {t:.1f} s")
        finally:
            silent.close()
            partial.close()

    # ---- 6 --------------------------------------------------------------------
    def test_06_echo_tcp(self):
        self.need("nc")
        data = b"netglass echo through nc\n" * 40
        p = subprocess.run(["nc", "-N", "-w", "10", "127.0.0.1", str(self.ports["echo"])],
                           input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, data)
        rng = random.Random(5)
        for i in range(8):
            blob = rng.randbytes(rng.randint(1, 96 * 1024))
            with socket.create_connection(("127.0.0.1", self.ports["echo"]), timeout=IO_WAIT) as s:
                sender = threading.Thread(target=lambda: (s.sendall(blob),
                                                          s.shutdown(socket.SHUT_WR)))
                sender.start()
                got = bytearray()
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    got += d
                sender.join()
            self.assertEqual(hashlib.sha256(got).hexdigest(), hashlib.sha256(blob).hexdigest(),
                             f"connection {i}: {len(got)} of {len(blob)} bytes")

    def test_06_echo_udp(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("127.0.0.1", self.ports["uecho"]))
        try:
            for i in range(50):         # slirp holds datagrams until it knows the MAC
                s.send(b"probe %d" % i)
                s.settimeout(0.2)
                try:
                    if s.recv(2048).startswith(b"probe"):
                        break
                except (socket.timeout, ConnectionRefusedError):
                    continue
            else:
                self.fail("no UDP echo")
            s.settimeout(3)
            rng = random.Random(6)
            for n in [0, 1, 100, 1472] + [rng.randint(1, 1472) for _ in range(12)]:
                d = rng.randbytes(n)
                s.send(d)
                while True:
                    got = s.recv(2048)
                    if not got.startswith(b"probe"):
                        break
                self.assertEqual(got, d, f"{n}-byte datagram")
        finally:
            s.close()

    # ---- 7 --------------------------------------------------------------------
    CHARGEN_KEEP = 200 * 74     # bytes of each client's stream the step checks

    def chargen_read(self, socks, got, want, what, first=None):
        """Read every socket at once, as chargen clients do, until each has
        at least want bytes in got (which keeps the first CHARGEN_KEEP of
        each: the rest is read and dropped). Reading one client at a time
        would not do: the clients share the board's 8 KiB heap (MEM_SIZE),
        and two that are not read hold all of it in their send queues, so
        the others get nothing until they are (docs/api.md, "Limits worth
        knowing"). first, if given, gets each client's wait for its first byte (s)."""
        assert want <= self.CHARGEN_KEEP
        start = time.monotonic()
        deadline = start + IO_WAIT
        read = [0] * len(socks)
        while any(len(g) < want for g in got):
            ready, _, _ = select.select(socks, [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                self.fail(f"chargen {what}: in {IO_WAIT} s the clients got "
                          f"{[len(g) for g in got]} bytes of {want}:\n" + self.board.console())
            for s in ready:
                k = socks.index(s)
                d = s.recv(65536)
                self.assertTrue(d, f"chargen client {k} closed after {len(got[k])} bytes"
                                f" ({read[k]} read by this call)")
                if first is not None and not got[k]:
                    first[k] = time.monotonic() - start
                read[k] += len(d)
                got[k] += d[:self.CHARGEN_KEEP - len(got[k])]

    def test_07_chargen(self):
        lines = self.CHARGEN_KEEP // 74
        socks = [socket.create_connection(("127.0.0.1", self.ports["chargen"]), timeout=IO_WAIT)
                 for _ in range(4)]
        try:
            # the four are the board's before the fifth comes: each has its first line
            got = [bytearray() for _ in range(4)]
            waits = [0.0] * 4
            self.chargen_read(socks, got, 74, "first lines", waits)
            print("\n[chargen: first bytes after " + " / ".join(f"{w:.2f}" for w in waits)
                  + " s]")
            for k in range(4):
                self.assertEqual(got[k][:74], chargen_line(0), f"client {k}, line 0")
            fifth = socket.create_connection(("127.0.0.1", self.ports["chargen"]),
                                             timeout=IO_WAIT)
            self.chargen_read(socks, got, lines * 74, f"{lines} lines")
            for k in range(4):
                for i in range(lines):
                    self.assertEqual(got[k][i * 74:(i + 1) * 74], chargen_line(i),
                                     f"client {k}, line {i}")
            try:
                self.assertEqual(fifth.recv(100), b"", "a fifth chargen client was served")
            except ConnectionResetError:
                pass
            fifth.close()
        finally:
            for s in socks:
                s.close()

    # ---- 8 --------------------------------------------------------------------
    def test_08_iperf(self):
        self.need("iperf")
        p = subprocess.run(["iperf", "-c", "127.0.0.1", "-p", str(self.ports["iperf"]), "-t", "3",
                            "-f", "k"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=40)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        m = re.search(r"([\d.]+) KBytes\s+([\d.]+) Kbits/sec", out)
        self.assertIsNotNone(m, out)
        self.assertGreater(float(m.group(2)), 0, out)
        line = self.board.wait_line(r"net_demo: iperf: 10\.0\.2\.2:\d+: (\d+) bytes in (\d+) ms,"
                                    r" (\d+) kbit/s", 15)
        self.assertIsNotNone(line, self.board.console())
        self.assertGreater(int(line.group(1)), 0)
        print(f"\n[iperf into the board: client {m.group(2)} Kbit/s, board "
              f"{line.group(3)} kbit/s over {line.group(2)} ms]", flush=True)

    # ---- 9 --------------------------------------------------------------------
    def test_09_client_flows(self):
        m = self.board.wait_line(r"net_demo: client: done, (\d+) steps ok, (\d+) failed", 30)
        c = self.board.console()
        self.assertIsNotNone(m, c)
        # TCP: the host got the pattern and the board saw it come back
        self.assertTrue(self.echo_tcp.done.wait(IO_WAIT), "the host echo listener is not done")
        self.assertIsNone(self.echo_tcp.error, self.echo_tcp.error)
        self.assertEqual(len(self.echo_tcp.received), CLIENT_SEND)
        self.assertEqual(hashlib.sha256(self.echo_tcp.received).hexdigest(),
                         hashlib.sha256(client_pattern(CLIENT_SEND)).hexdigest())
        for want in (r"client: tcp socket\(\) -> \d+",
                     rf"client: connect\(10\.0\.2\.2:{self.echo_tcp.port}\) -> 0",
                     rf"client: send\({CLIENT_SEND} bytes of the pattern\) -> {CLIENT_SEND} sent",
                     rf"client: recv -> {CLIENT_SEND} of {CLIENT_SEND} bytes back, the pattern intact",
                     r"client: close\(\d+\) -> 0"):
            self.assertRegex(c, want)
        # UDP: the datagram reached the host, and its echo the board
        self.assertIn(client_pattern(CLIENT_UDP), self.echo_udp.datagrams)
        self.assertRegex(c, rf"client: recvfrom -> {CLIENT_UDP} bytes from 10\.0\.2\.2:{self.echo_udp.port},"
                            r" the datagram intact")
        # DNS
        if self.resolver is None:
            print(f"\n[DNS not checked: {self.resolver_why}]", flush=True)
        else:
            self.assertIn((LOOKUP, 1), self.resolver.queries, c)
            self.assertRegex(c, rf"client: getaddrinfo\({re.escape(LOOKUP)}\) -> 0, "
                                rf"{re.escape(LOOKUP_ADDR)}")
            self.assertRegex(c, rf"client: netconn_gethostbyname\({re.escape(LOOKUP)}\) -> "
                                rf"0 \(.*\), {re.escape(LOOKUP_ADDR)}")
        # ping: reported either way
        pm = re.search(r"net_demo: ping 10\.0\.2\.2: 3 sent, (\d+) replies", c)
        self.assertIsNotNone(pm, c)
        print(f"\n[ping from the board to 10.0.2.2 through slirp: {pm.group(1)} of 3 answered]",
              flush=True)
        failed = int(m.group(2)) - (1 if pm.group(1) == "0" else 0)
        if self.resolver is None:
            # No resolver of ours: the lookups may fail (none answers) or
            # succeed (something else holds port 53); only their failures
            # are excused, every other step must have worked.
            failed -= len(re.findall(r"client: (?:getaddrinfo|netconn_gethostbyname)\(.*\) -> "
                                     r"(?!0[ ,])", c))
        self.assertEqual(failed, 0, c)

    # ---- 10 -------------------------------------------------------------------
    def test_10_clean_exit(self):
        left = LIMIT + EXIT_WAIT - (time.monotonic() - self.board.booted)
        status, c = self.board.finish(max(left, 1))
        self.assertIsNotNone(status, "QEMU did not exit after the limit:\n" + c)
        self.assertEqual(status, 0, c)
        self.assertIn("every pool and the heap are back to their start-up levels", c)
        self.assertIn("net_demo: done\n", c)
        m = re.search(r"net_demo: http: (\d+) connections, (\d+) requests, (\d+) errors, "
                      r"(\d+) timeouts", c)
        self.assertIsNotNone(m, c)
        # the earlier steps' requests, if they ran (a run of this method alone makes none)
        self.assertGreaterEqual(int(m.group(2)), self.requests, c)
        m = re.search(r"net_demo: chargen: (\d+) connections, (\d+) refused", c)
        self.assertIsNotNone(m, c)


class NetDemoCoreLockTest(NetDemoTest):
    """The same steps with the image built for LWIP_TCPIP_CORE_LOCKING = 1
    (build/lm3s6965evb-corelock/): every API call runs its do_* function
    in the caller's thread under the core lock instead of crossing
    tcpip_mbox."""

    BUILD_DIR = "lm3s6965evb-corelock"


class NetDemoLwipChecksTest(NetDemoTest):
    """The same steps with the image whose code size is compared with
    lwIP's (build/lm3s6965evb-os-lwipchecks/, tools/bench_api.py): every
    file at -Os, tracing compiled out, and lwIP's defaults for its optional
    checks (LWIP_NOASSERT, MEMP_OVERFLOW_CHECK 0, LWIP_STATS_DISPLAY 0), so
    the figure is of a stack that works."""

    BUILD_DIR = "lm3s6965evb-os-lwipchecks"


class NetDemoFallbackTest(unittest.TestCase):
    """No network at all (-nic none): no DHCP lease comes, so after
    dhcp_wait= the board falls back to 10.0.2.15/24, gateway 10.0.2.2, and
    says so; its ping of the gateway goes unanswered (the request waits in
    the ARP queue until etharp gives up, which the board waits for); it
    still serves until its limit and exits 0 with every pool back. Under
    -icount: nothing talks to it in real time."""

    def test_fallback(self):
        qemu.require_elf(self, APP)
        r = qemu.boot(APP, ["trace=none", "limit=4", "dhcp_wait=2000", "pings=1"],
                      extra=["-nic", "none"], timeout=60)
        c = r.console
        self.assertIn("net_demo: no DHCP lease within 2000 ms: falling back", c)
        self.assertRegex(c, r"net_demo: fallback 10\.0\.2\.15 mask 255\.255\.255\.0 "
                            r"gw 10\.0\.2\.2 ")
        self.assertNotIn("dhcp bound", c)
        self.assertIn("net_demo: ping 10.0.2.2: 1 sent, 0 replies", c)
        self.assertIn("net_demo: serving echo", c)
        self.assertEqual(r.status, 0, c)
        self.assertIn("every pool and the heap are back to their start-up levels", c)
        self.assertIn("net_demo: done\n", c)


if __name__ == "__main__":
    unittest.main()
