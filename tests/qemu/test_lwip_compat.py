"""tests/qemu/test_lwip_compat.py - lwIP 2.x application code, unchanged,
on netglass (issue 5, "lwIP source compatibility").

apps/lwip_compat/compat_*.c are applications written the way lwIP 2.x
users write them: a netconn TCP echo server, a socket TCP echo server that
serves several clients with select(), a raw-API TCP echo server, a
socket UDP client and a socket TCP client. This test checks

1. that they are what they claim: they include nothing but lwIP's public
   headers (lwip/..., the C library, and their own compat.h, which itself
   includes only lwip/arch.h) and use no netglass name (ng_, NG_, netglass);
2. that, built into the board image apps/lwip_compat (the Makefile built
   them against netglass's headers only: -Iinclude and the port), they work
   against real peers: the board runs in plain QEMU behind slirp, which
   forwards three host ports to the three echo servers; the host sends
   random bytes to each (three clients at once to the select server) and
   checks every echoed byte; a host UDP server answers the board's UDP
   client, which must report all 20 requests answered; a host TCP listener
   takes the board's TCP client's block (COMPAT_TCP_CLIENT_BYTES of a known
   pattern), checks it, sends it back and closes, and the client must
   report it got the block back intact.
"""
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from tests.qemu import qemu
from tests.qemu.compat_peers import CompatPeers

APP = "lwip_compat"
SRC_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "apps", APP)
PORTS = {"netconn": 7000, "socket": 7001, "raw": 7002}
BYTES = 96 * 1024
UP_WAIT = 15.0
TCP_CLIENT_BYTES = 2000     # compat.h COMPAT_TCP_CLIENT_BYTES


def tcp_client_block(n):
    """The TCP client's block (compat_tcp_client.c block_byte)."""
    return bytes((i * 7 + (i >> 8) * 13 + 1) & 0xff for i in range(n))


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class SourcesTest(unittest.TestCase):
    """Step 1: the compat sources are plain lwIP application code."""

    def sources(self):
        names = sorted(f for f in os.listdir(SRC_DIR) if f.startswith("compat_") and f.endswith(".c"))
        self.assertEqual(len(names), 5, names)
        return [(n, open(os.path.join(SRC_DIR, n)).read()) for n in names]

    def test_includes_only_lwip_headers(self):
        std = {"stdio.h", "stdlib.h", "string.h", "stddef.h", "stdint.h", "errno.h"}
        for name, text in self.sources() + [("compat.h", open(os.path.join(SRC_DIR, "compat.h")).read())]:
            for inc in re.findall(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', text, re.M):
                ok = inc.startswith("lwip/") or inc in std or inc == "compat.h"
                self.assertTrue(ok, f"{name} includes {inc}, which is not an lwIP public header")

    def test_no_netglass_names(self):
        for name, text in self.sources():
            code = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
            self.assertIsNone(re.search(r"\bng_|\bNG_|netglass", code),
                              f"{name} uses a netglass name")


class CompatRunTest(unittest.TestCase):
    """Step 2: the servers echo and both clients are answered, through slirp."""

    def setUp(self):
        self.elf = qemu.require_elf(self, APP)
        self.dir = tempfile.mkdtemp(prefix="ngcompat-")
        self.proc = None
        self.lines = []
        self.peers = CompatPeers(TCP_CLIENT_BYTES, UP_WAIT + 30, 20)

    def tearDown(self):
        self.peers.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def boot(self):
        self.host_ports = {k: free_port(socket.SOCK_STREAM) for k in PORTS}
        fwd = ",".join(f"hostfwd=tcp:127.0.0.1:{self.host_ports[k]}-:{PORTS[k]}" for k in PORTS)
        udp_port = self.peers.udp_port
        tcp_port = self.peers.tcp_port
        sh = ",".join(["enable=on", "target=native", "arg=" + APP,
                       f"arg=udpserver=10.0.2.2:{udp_port}",
                       f"arg=tcpclient=10.0.2.2:{tcp_port}"])
        cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
               "-semihosting-config", sh, "-kernel", self.elf,
               "-netdev", "user,id=n0," + fwd, "-net", "nic,netdev=n0,model=stellaris"]
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        up = threading.Event()

        def read():
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self.lines.append(line)
                if line.startswith("lwip_compat: up"):
                    up.set()
        threading.Thread(target=read, daemon=True).start()
        self.assertTrue(up.wait(UP_WAIT), "the image did not come up:\n" + "\n".join(self.lines))

    def echo(self, port, nbytes, rng, results, key):
        """Send nbytes of random data to 127.0.0.1:port while reading the
        echo; results[key] = None if every byte came back, else why not."""
        data = bytes(rng.getrandbits(8) for _ in range(nbytes))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
                got = bytearray()

                def reader():
                    while len(got) < nbytes:
                        chunk = s.recv(65536)
                        if not chunk:
                            return
                        got.extend(chunk)
                t = threading.Thread(target=reader, daemon=True)
                t.start()
                for i in range(0, nbytes, 1400):
                    s.sendall(data[i:i + 1400])
                t.join(timeout=30)
                s.shutdown(socket.SHUT_WR)
                if bytes(got) != data:
                    first = next((i for i in range(min(len(got), nbytes)) if got[i] != data[i]),
                                 min(len(got), nbytes))
                    results[key] = f"{len(got)} of {nbytes} bytes back, first difference at {first}"
                    return
                s.settimeout(10)
                results[key] = None if s.recv(1) == b"" else "no FIN after the echo"
        except OSError as e:
            results[key] = f"{type(e).__name__}: {e}"

    def test_servers_echo_and_client_is_answered(self):
        self.boot()
        seed = random.randrange(1 << 32)
        rng = random.Random(seed)
        # A connect succeeds at once through slirp even before the guest
        # answers (qemu-lm3s6965-notes.md): the data check is the test.
        results = {}
        for kind in ("netconn", "raw"):
            self.echo(self.host_ports[kind], BYTES, rng, results, kind)
        threads = [threading.Thread(target=self.echo, args=(self.host_ports["socket"], BYTES // 3,
                                                            random.Random(seed + i), results,
                                                            f"socket{i}"))
                   for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        bad = {k: v for k, v in results.items() if v is not None}
        self.assertEqual(len(results), 5, results)
        self.assertFalse(bad, f"seed {seed}: {bad}\nconsole:\n" + "\n".join(self.lines[-30:]))
        deadline = time.monotonic() + 30
        done = None
        while time.monotonic() < deadline and done is None:
            done = next((l for l in self.lines if l.startswith("udp_client:")), None)
            time.sleep(0.2)
        self.assertIsNotNone(done, "the UDP client printed no result:\n" + "\n".join(self.lines))
        self.assertRegex(done, r"udp_client: 20 of 20 requests answered by 10\.0\.2\.2:\d+")
        self.assertGreaterEqual(self.peers.udp_answered, 20)
        done = None
        while time.monotonic() < deadline and done is None:
            done = next((l for l in self.lines if l.startswith("tcp_client:")), None)
            time.sleep(0.2)
        self.assertIsNotNone(done, "the TCP client printed no result:\n" + "\n".join(self.lines))
        self.assertEqual(done, "tcp_client: sent %d of %d bytes to 10.0.2.2:%d, got %d back, intact"
                         % (TCP_CLIENT_BYTES, TCP_CLIENT_BYTES, self.peers.tcp_port,
                            TCP_CLIENT_BYTES))
        self.assertEqual(self.peers.tcp_got, tcp_client_block(TCP_CLIENT_BYTES))


if __name__ == "__main__":
    unittest.main()
