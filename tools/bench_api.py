#!/usr/bin/env python3
"""tools/bench_api.py - what netconn and sockets cost the board: `make
bench`'s issue-5 figures.

1. Footprint: bytes of code (.text + .rodata) of the stack's objects, the
   files of net/ and api/ (tcpip_thread, netconn, netbuf, sockets, the
   OS layer sys_arch, the protocols, pools, heap, timers), as linked into
   apps/net_demo (every part of the API: sockets with select, netconn,
   DHCP, DNS) and into apps/bench_api (netconn and socket sends only),
   from their .map files (after --gc-sections), tracing compiled out
   (TRACE=0). Not counted: the kernel (kernel/), the trace stubs
   (tracer/), the board's port and Ethernet driver (boards/), the app
   (apps/) and the C library and libgcc. Three builds: the Makefile's
   default (OPT=-Og, and -O2 for the HOT_SRC files: the buffers, the
   checksum, the kernel, the driver); everything at -Os (OPT=-Os
   HOT_SRC=, into build/lm3s6965evb-os-notrace), which is how lwIP's
   figure (36.5 KB for tcpip + netconn + sockets on a Cortex-M3) is made;
   and the same with lwIP's defaults for the checks lwIP makes optional
   (CHECKS=lwip: LWIP_NOASSERT, MEMP_OVERFLOW_CHECK 0, LWIP_STATS_DISPLAY
   0, into build/lm3s6965evb-os-lwipchecks), which is what lwIP's figure counts:
   the like-for-like comparison (tests/qemu/test_net_demo.py runs that
   image through the whole demo).
   DHCP (net/dhcp.o), DNS (net/dns.o) and the resolver front end
   (api/netdb.o: lwip_getaddrinfo, lwip_gethostbyname) are reported
   apart and the target is checked on the stack without them; the same
   objects as compiled (before the linker drops unused functions) are
   printed as the upper bound.

2. One send through the mailbox vs with the core lock, in guest
   instructions: apps/bench_api built with LWIP_TCPIP_CORE_LOCKING 0
   (build/lm3s6965evb-notrace) and 1 (build/lm3s6965evb-corelock-notrace),
   TRACE=0 both, run under -icount shift=0. The board times each loop of
   N = 1000 calls of 64 bytes itself (SysTick, one count per 80
   instructions; exact while it never idles, which it reports) and counts
   the context switches; see apps/bench_api/main.c for the loops. The UDP
   loops go to a host sink through slirp (the board only sends: the
   clearest figure of the API's cost), the TCP loops over loopback to a
   raw-API sink on the board (no host in the loop: exact, but the sink's
   receive and the ACKs are in the figure) and to a host sink through
   slirp (the board waits for the host's ACKs, idle: that loop is counted
   with QEMU's own instruction count, QMP query-replay, read while the
   board sleeps before and after it).

3. apps/net_demo's HTTP server and iperf 2 server in plain QEMU through
   slirp's port forwarding (host time): connections per second and the
   latency of N requests each on a new connection, the latency of N on
   one keep-alive connection (p50/p99), and `iperf -c` throughput into
   the board. The TRACE=0 build (build/lm3s6965evb-notrace/net_demo.elf);
   if it is not built, or does not come up, a line says so.

usage: bench_api.py [--only footprint|send|demo] [-n 1000] [--requests 200] [--iperf-time 10]
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import size_report
from benchlib import Qmp, free_port, iperf_client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILDS = {
    "default": os.path.join(ROOT, "build", "lm3s6965evb-notrace"),
    "-Os": os.path.join(ROOT, "build", "lm3s6965evb-os-notrace"),
    "lwIP's checks": os.path.join(ROOT, "build", "lm3s6965evb-os-lwipchecks"),
}
# How each is built (APP=<app> TRACE=0 and this); the last is the one to
# set beside lwIP's figure: lwIP's defaults for the checks it makes
# optional, which its 36.5 KB cannot include (tools/lwip_reference_size.py
# builds lwIP 2.2.1 both ways: with its assertion messages it is some
# 50 KB).
HOW = {
    "default": "(OPT=-Og, HOT_SRC at -O2)",
    "-Os": "OPT=-Os HOT_SRC= BUILD=build/lm3s6965evb-os-notrace",
    "lwIP's checks": "OPT=-Os HOT_SRC= CHECKS=lwip BUILD=build/lm3s6965evb-os-lwipchecks",
}
CORELOCK = os.path.join(ROOT, "build", "lm3s6965evb-corelock-notrace")
LWIP_TARGET = 36.5 * 1024       # lwIP 2.2.1, -Os, tcpip + netconn + sockets, Cortex-M3
APART = ("net/dhcp.o", "net/dns.o", "api/netdb.o")
IPERF_TARGET = 450              # Mbit/s into the board, plain QEMU


def rel(path):
    return os.path.relpath(path, ROOT)


# ---- 1. footprint ---------------------------------------------------------------

def stack_code(mapfile, app):
    """{object: code bytes} for the stack's objects (obj/APP/net|api/*.o)
    as linked, from a GNU ld map (the memory map part: what was kept)."""
    obj = re.compile(r"/obj/%s/((?:net|api)/[^/]+\.o)$" % re.escape(app))
    sizes = {}
    for sec, addr, size, path in size_report.map_entries(open(mapfile).read().splitlines()):
        if not sec.startswith((".text", ".rodata")):
            continue
        o = obj.search(path)
        if o and size and addr:
            sizes[o.group(1)] = sizes.get(o.group(1), 0) + size
    return sizes


def compiled_code(build, app):
    """{object: code bytes} of the same objects as compiled (`size`'s text:
    every read-only allocated section, before --gc-sections)."""
    objs = []
    for d in ("net", "api"):
        p = os.path.join(build, "obj", app, d)
        if os.path.isdir(p):
            objs += [os.path.join(p, f) for f in sorted(os.listdir(p)) if f.endswith(".o")]
    if not objs:
        return {}
    out = subprocess.run(["arm-none-eabi-size"] + objs, stdout=subprocess.PIPE, text=True).stdout
    sizes = {}
    for line in out.splitlines()[1:]:
        f = line.split()
        if len(f) >= 6 and f[0].isdigit():
            name = "/".join(f[5].split("/")[-2:])
            sizes[name] = int(f[0])
    return sizes


def kb(n):
    return "%d bytes (%.1f KiB)" % (n, n / 1024)


def footprint():
    print("-- footprint: code (.text + .rodata) of net/*.o and api/*.o, TRACE=0")
    print("   counted: every object of net/ and api/ linked in (tcpip, api_lib, api_msg, netbuf,")
    print("   sockets*, inet, err, netdb, sys_arch, timeouts, init, the protocols, pools, heap,")
    print("   stats); not counted: kernel/, tracer/, boards/ (port, Ethernet driver), apps/,")
    print("   libc and libgcc. Target: <= %s without DHCP and DNS" % kb(int(LWIP_TARGET)))
    print("   (lwIP 2.2.1 at -Os, tcpip + netconn + sockets, Cortex-M3). Three builds: the default,")
    print("   -Os with netglass's checks (assertions, pool guards, stats_display), and -Os with")
    print("   lwIP's default checks (LWIP_NOASSERT, MEMP_OVERFLOW_CHECK 0, LWIP_STATS_DISPLAY 0):")
    print("   the last is the like-for-like comparison with lwIP's figure")
    any_map = False
    for label, build in BUILDS.items():
        how = "make APP=<app> TRACE=0 " + HOW[label]
        for app in ("net_demo", "bench_api"):
            mapfile = os.path.join(build, app + ".map")
            if not os.path.exists(mapfile):
                print("%s, %s: %s is not built (%s)" % (app, label, rel(mapfile), how))
                continue
            any_map = True
            s = stack_code(mapfile, app)
            total = sum(s.values())
            apart = {o: s.get(o, 0) for o in APART}
            core = total - sum(apart.values())
            verdict = "meets" if core <= LWIP_TARGET else "MISSES"
            print("%s, %s build (%s):" % (app, label, how.replace("<app>", app)))
            print("   stack without DHCP/DNS: %s: %s the target of <= 36.5 KiB"
                  % (kb(core), verdict))
            print("   DHCP (dhcp.o) %d, DNS (dns.o) %d, netdb.o %d bytes; with them: %s"
                  % (apart["net/dhcp.o"], apart["net/dns.o"], apart["api/netdb.o"], kb(total)))
            api = sum(v for k, v in s.items() if k.startswith("api/") and k != "api/netdb.o"
                      and k not in ("api/sys_arch.o", "api/err.o"))
            sock = sum(v for k, v in s.items() if k.startswith("api/sockets") or
                       k == "api/inet.o")
            nc = sum(s.get(k, 0) for k in ("api/api_lib.o", "api/api_msg.o", "api/netbuf.o"))
            print("   of which: sockets (sockets*.o, inet.o) %d, netconn (api_lib, api_msg, "
                  "netbuf) %d, tcpip.o %d, sys_arch.o %d; the API in all %d"
                  % (sock, nc, s.get("api/tcpip.o", 0), s.get("api/sys_arch.o", 0), api))
            big = sorted(s.items(), key=lambda kv: -kv[1])[:8]
            print("   largest: " + ", ".join("%s %d" % (k.split("/")[1][:-2], v) for k, v in big))
            c = compiled_code(build, app)
            if c:
                ctotal = sum(c.values())
                capart = sum(c.get(o, 0) for o in APART)
                print("   the same objects as compiled (before --gc-sections): %d without "
                      "DHCP/DNS, %d with" % (ctotal - capart, ctotal))
    return any_map


# ---- 2. one send: mailbox vs core lock -----------------------------------------------

class Sinks:
    """The host's UDP and TCP sinks: count what arrives."""

    def __init__(self):
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # Room for every datagram of a loop (a host this busy may read them
        # later than the board sends them): SO_RCVBUFFORCE (33) as root.
        for opt in (33, socket.SO_RCVBUF):
            try:
                self.udp.setsockopt(socket.SOL_SOCKET, opt, 8 << 20)
                break
            except OSError:
                pass
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self.tcp = socket.socket()
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(4)
        self.tcp.settimeout(0.2)
        self.datagrams = self.tcp_bytes = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=fn, daemon=True) for fn in (self._udp, self._tcp)]
        for t in self.threads:
            t.start()

    def _udp(self):
        while not self.stop.is_set():
            try:
                self.udp.recv(2048)
                self.datagrams += 1
            except socket.timeout:
                pass

    def _tcp(self):
        while not self.stop.is_set():
            try:
                c, _ = self.tcp.accept()
            except socket.timeout:
                continue
            c.settimeout(0.2)
            while not self.stop.is_set():
                try:
                    b = c.recv(65536)
                except socket.timeout:
                    continue
                if not b:
                    break
                self.tcp_bytes += len(b)
            c.close()

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(2)
        self.udp.close()
        self.tcp.close()


LOOP_LINE = re.compile(r"bench_api: (.+?): (\d+) calls, ([\d.]+) instructions per call, "
                       r"([\d.]+) switches per call, idle (\d+)")


def run_send(elf, n):
    """One run of bench_api; {loop: (instr, switches, idle)}, the lines,
    the host's counts and the QMP count of the host loop."""
    d = tempfile.mkdtemp(prefix="ngbapi-")
    sinks = Sinks()
    qpath = os.path.join(d, "qmp.sock")
    args = ["enable=on", "target=native", "arg=bench_api", "arg=n=%d" % n,
            "arg=udppeer=10.0.2.2:%d" % sinks.udp.getsockname()[1],
            "arg=tcppeer=10.0.2.2:%d" % sinks.tcp.getsockname()[1]]
    # sleep=on (the default): while the board waits for the host's ACKs its
    # clock follows the host's, so its TCP timers see real round trips.
    cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
           "-icount", "shift=0", "-semihosting-config", ",".join(args), "-kernel", elf,
           "-netdev", "user,id=n0", "-net", "nic,netdev=n0,model=stellaris",
           "-qmp", "unix:%s,server=on,wait=off" % qpath]
    proc = subprocess.Popen(cmd, cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines, marks, late = [], {}, []
    qmp = None
    try:
        qmp = Qmp(qpath)
        deadline = time.monotonic() + 120
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(line)
            m = re.match(r"bench_api: mark (.+) (begin|end)$", line)
            if m:
                t0 = time.monotonic()
                marks[m.group(2)] = qmp.icount()
                if time.monotonic() - t0 > 0.15:    # the board sleeps 0.2 s after a mark
                    late.append(m.group(2))
            if line.startswith("bench_api: done") or time.monotonic() > deadline:
                break
        proc.wait(timeout=30)
    finally:
        if qmp:
            qmp.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        time.sleep(0.3)
        sinks.close()
        shutil.rmtree(d, ignore_errors=True)
    loops = {}
    for line in lines:
        m = LOOP_LINE.search(line)
        if m:
            loops[m.group(1)] = (float(m.group(3)), float(m.group(4)), int(m.group(5)))
    host = None
    if "begin" in marks and "end" in marks:
        host = ((marks["end"] - marks["begin"]) / n, late)
    return loops, lines, sinks, host


def send_cost(n):
    print("-- one send through the mailbox vs with the core lock: apps/bench_api, %d calls of "
          "64 bytes a loop," % n)
    print("   TRACE=0, under -icount shift=0: make APP=bench_api TRACE=0; make APP=bench_api "
          "TRACE=0 BUILD=%s EXTRA_CFLAGS=-DLWIP_TCPIP_CORE_LOCKING=1" % rel(CORELOCK))
    elfs = {"mailbox": os.path.join(BUILDS["default"], "bench_api.elf"),
            "core lock": os.path.join(CORELOCK, "bench_api.elf")}
    res = {}
    for label, elf in elfs.items():
        if not os.path.exists(elf):
            print("bench_api: %s is not built" % rel(elf))
            return
        loops, lines, sinks, host = run_send(elf, n)
        bad = [l for l in lines if "failed" in l and "0 failures" not in l or
               "received" in l and "bench_api" in l]
        want = 3 * n + 1            # three UDP loops and the warm-up datagram
        if sinks.datagrams != want:     # the board sent them all (each send said so)
            print("   note (%s): the host's UDP sink read %d of the %d datagrams (lost in the "
                  "host's socket buffer, after the board)" % (label, sinks.datagrams, want))
        if sinks.tcp_bytes != n * 64:
            bad.append("the host's TCP sink got %d of %d bytes" % (sinks.tcp_bytes, n * 64))
        if not any(l.startswith("bench_api: done, 0 failures") for l in lines):
            bad.append("the board did not finish cleanly:\n   " + "\n   ".join(lines[-8:]))
        for b in bad:
            print("INCOMPLETE (%s): %s" % (label, b))
        res[label] = (loops, host)
    mb, cl = res["mailbox"][0], res["core lock"][0]
    print("   %-56s %12s %12s %10s   (switches per call: mailbox / core lock)"
          % ("instructions per call", "mailbox", "core lock", "difference"))
    for loop in mb:
        if loop not in cl or loop.startswith("tcp host"):
            continue
        a, b = mb[loop], cl[loop]
        note = "" if a[2] == 0 and b[2] == 0 else \
            "  (idle %d / %d: the idle time is counted too)" % (a[2], b[2])
        print("   %-56s %12.1f %12.1f %+10.1f   (%.2f / %.2f)%s"
              % (loop, a[0], b[0], b[0] - a[0], a[1], b[1], note))
    hm, hc = res["mailbox"][1], res["core lock"][1]
    tag = "tcp host (lwip_send, to the host through slirp, TCP_NODELAY)"
    short = "tcp host (lwip_send via slirp, NODELAY; QMP icount)"
    if hm and hc:
        sw = (mb.get(tag, (0, 0, 0))[1], cl.get(tag, (0, 0, 0))[1])
        late = "" if not (hm[1] or hc[1]) else "  (a QMP reading came late: inexact)"
        print("   %-56s %12.1f %12.1f %+10.1f   (%.2f / %.2f)%s"
              % (short, hm[0], hc[0], hc[0] - hm[0], sw[0], sw[1], late))
    else:
        print("   tcp host: not measured (no QMP marks)")
    key = ("udp netconn (netconn_send)", "udp raw (udp_send in tcpip_thread)",
           "udp socket (lwip_send, connected)")
    if all(k in mb and k in cl for k in key):
        print("   the API's own cost of a UDP send (over udp_send in tcpip_thread): netconn_send "
              "%.0f through the mailbox, %.0f with the core lock; lwip_send %.0f / %.0f"
              % (mb[key[0]][0] - mb[key[1]][0], cl[key[0]][0] - cl[key[1]][0],
                 mb[key[2]][0] - mb[key[1]][0], cl[key[2]][0] - cl[key[1]][0]))


# ---- 3. the network demo: HTTP and iperf ------------------------------------------------

def read_response(sock, buf):
    """One HTTP response from sock (Content-Length framed); (status, rest of
    buf after it). Raises OSError on a short read."""
    while b"\r\n\r\n" not in buf:
        b = sock.recv(65536)
        if not b:
            raise OSError("closed before the end of the head")
        buf += b
    head, _, buf = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    m = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
    length = int(m.group(1)) if m else 0
    while len(buf) < length:
        b = sock.recv(65536)
        if not b:
            raise OSError("closed before the end of the body")
        buf += b
    return status, buf[length:]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def http_bench(port, n):
    pages = ((b"/", 200, "GET /, the live statistics page"),
             (b"/bench-404", 404, "GET /bench-404: the 404 answer, no page"))
    for path, want, what in pages:
        new_connections(port, n, path, want, what)
    for path, want, what in pages:
        keepalive(port, n, path, want, what)


def new_connections(port, n, path, want, what):
    req = b"GET " + path + b" HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
    lat, errors = [], 0
    t0 = time.monotonic()
    for _ in range(n):
        t = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(req)
                status, _ = read_response(s, b"")
                while s.recv(65536):            # the board closes: the connection's end
                    pass
            errors += status != want
        except OSError:
            errors += 1
        lat.append(time.monotonic() - t)
    total = time.monotonic() - t0
    print("HTTP, %d requests each on a new connection (%s; connect to the board's FIN): "
          "%.0f connections/s, latency p50 %.2f ms, p99 %.2f ms, %d errors"
          % (n, what, n / total, pct(lat, 50) * 1e3, pct(lat, 99) * 1e3, errors))


def keepalive(port, n, path, want, what):
    req = b"GET " + path + b" HTTP/1.1\r\nHost: bench\r\n\r\n"
    lat, errors = [], 0
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buf = b""
            t0 = time.monotonic()
            for _ in range(n):
                t = time.monotonic()
                s.sendall(req)
                status, buf = read_response(s, buf)
                lat.append(time.monotonic() - t)
                errors += status != want
            total = time.monotonic() - t0
    except OSError as e:
        print("HTTP keep-alive (%s): failed after %d requests: %r" % (what, len(lat), e))
        return
    print("HTTP, %d requests on one keep-alive connection (%s): %.0f requests/s, latency "
          "p50 %.2f ms, p99 %.2f ms, %d errors" % (n, what, n / total, pct(lat, 50) * 1e3,
                                                  pct(lat, 99) * 1e3, errors))


def iperf_bench(port, secs):
    if shutil.which("iperf") is None:
        print("iperf: not measured (iperf 2 is not installed: make deps)")
        return
    mbit, cmd, out = iperf_client(port, secs)
    if mbit is None:
        print("iperf: failed (%s): %s" % (" ".join(cmd), out.strip()[-500:]))
        return
    print("iperf 2 into the board (%s, TCP, host -> board through slirp, plain QEMU): "
          "%.1f Mbit/s (target >= %d: %s; lwIP 2.2.1's lwiperf here: make bench LWIP_DIR=...)"
          % ("iperf -c 127.0.0.1 -p <fwd> -t %d" % secs, mbit, IPERF_TARGET,
             "meets" if mbit >= IPERF_TARGET else "misses"))


def demo(requests, iperf_secs):
    elf = os.path.join(BUILDS["default"], "net_demo.elf")
    print("-- the network demo: HTTP server (port 80) and iperf 2 server (port 5001), plain "
          "QEMU, TRACE=0 (make APP=net_demo TRACE=0), host clients through slirp")
    if not os.path.exists(elf):
        print("net_demo: not measured (%s is not built)" % rel(elf))
        return
    http, iperf = free_port(), free_port()
    d = tempfile.mkdtemp(prefix="ngbdemo-")
    args = ["enable=on", "target=native", "arg=net_demo", "arg=ip=10.0.2.15", "arg=pings=0"]
    cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
           "-semihosting-config", ",".join(args), "-kernel", elf, "-netdev",
           "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80,hostfwd=tcp:127.0.0.1:%d-:5001"
           % (http, iperf), "-net", "nic,netdev=n0,model=stellaris"]
    proc = subprocess.Popen(cmd, cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines, up = [], threading.Event()

    def read():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(line)
            if "net_demo: serving" in line:
                up.set()
    threading.Thread(target=read, daemon=True).start()
    try:
        if not up.wait(30):
            print("net_demo: not measured (it did not come up):\n   " + "\n   ".join(lines[-10:]))
            return
        time.sleep(0.5)
        http_bench(http, requests)
        iperf_bench(iperf, iperf_secs)
        board = [l for l in lines if "net_demo: iperf" in l]
        if board:
            print("   the board's own account: " + board[-1])
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(d, ignore_errors=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--only", choices=("footprint", "send", "demo"))
    ap.add_argument("-n", type=int, default=1000, help="calls per send loop")
    ap.add_argument("--requests", type=int, default=200, help="HTTP requests of each kind")
    ap.add_argument("--iperf-time", type=int, default=10, help="seconds of iperf -c")
    a = ap.parse_args(argv[1:])
    if a.only in (None, "footprint"):
        footprint()
    if a.only in (None, "send"):
        send_cost(a.n)
    if a.only in (None, "demo"):
        demo(a.requests, a.iperf_time)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
