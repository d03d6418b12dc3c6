#!/usr/bin/env python3
"""tools/bench_tcp.py - what TCP and UDP cost the board: `make bench`'s
transport figures, with apps/echo_raw (TCP and UDP echo on port 7).

1. Guest instructions per KiB echoed, under -icount shift=0: a host client
   opens 4 TCP connections to the board's echo port through slirp's port
   forwarding, sends 2 MiB of random bytes on each while it reads the echo
   back and checks it, then half-closes and waits for the board's FIN. The
   instructions are QEMU's own count of the guest instructions it has
   executed (QMP `query-replay`, field `icount`), read just before the
   client starts and again when it is done. That count leaves idle time
   out by construction: under -icount the virtual clock is executed
   instructions plus the time skipped while the CPU sleeps in WFI (the
   idle thread), and only the first part is counted. What remains is all
   the work: interrupts, the driver, tcpip_thread, the app, the timers and
   the trace drain. (The idle board's own background, SysTick and timers,
   is measured over one second and printed for scale.) Divided by the KiB
   echoed (4 x 2 MiB = 8192 KiB: each byte in and back out once). Made
   with tracing compiled out (TRACE=0 build) and with every event class
   recorded to a trace file (the default build), and the difference in %.

2. The same echo in plain QEMU (no -icount), timed by the client in host
   time: Mbit/s each way (bytes echoed x 8 / seconds from the first
   connect to the last byte back).

3. The same two through a TAP device in a network namespace (Linux's TCP
   as the peer, no slirp), if run as root; otherwise a line says why not.

4. UDP, the same ways: 4 sockets, each sends 2 MiB in 1472-byte datagrams
   (one full frame each), at most WINDOW datagrams in flight per socket;
   every echo is checked; a datagram not echoed within 0.3 s counts as
   lost and another is sent. Instructions per KiB echoed, Mbit/s each way,
   and the losses.

5. Flash of TCP (net/tcp.o, tcp_in.o, tcp_out.o) and UDP (net/udp.o), as
   linked into echo_raw (from its .map), with tracing and without; RAM
   per connection, from the options (apps/echo_raw/lwipopts.h over
   lwip/opt.h) and structure sizes of this tree, compiled for the board
   and read back with nm.

6. What QEMU itself costs, the floor under the plain-QEMU rate: host
   nanoseconds per read of a stellaris_enet register and per exception,
   from a throwaway image compiled on the spot (no network, idle host),
   and the rate that the FIFO accesses alone would allow.

Every run also passes on the board's own view of memory: the statistics
lines with a nonzero err= and the drops, so "no data loss for want of
memory" can be checked. Any data error, reset or incomplete echo is
printed as such; the figure is then marked INCOMPLETE.

usage: bench_tcp.py [--conns 4] [--bytes 2097152] [--no-tap] [--only tcp|udp]
       bench_tcp.py client tcp|udp HOST PORT CONNS BYTES [WINDOW]   (used by itself)
"""
import argparse
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import size_report
from benchlib import Qmp, free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "lm3s6965evb")
BUILD_NOTRACE = os.path.join(ROOT, "build", "lm3s6965evb-notrace")
SLIRP_IP = "10.0.2.15"
TAP_BOARD_IP, TAP_HOST_IP = "192.0.2.15", "192.0.2.1"     # RFC 5737, inside the namespace
ECHO_PORT = 7
UDP_SIZE = 1472             # a 1514-byte frame
UDP_WINDOW = 2
UDP_LOSS_WAIT = 0.3
STALL = 30                  # s without progress: the run is given up
TOTAL = 300                 # s: the longest one client run may take
STATS_LIMIT = 30            # s: the run that reports the board's statistics stops then

# ---- the clients (run as `bench_tcp.py client ...`, maybe in a namespace) ----


def client_tcp(host, port, conns, nbytes):
    """conns echo connections at once, nbytes each way each; a result dict.
    Each connection has a sending and a receiving thread with blocking
    sockets (a single-threaded select loop in Python measured itself, not
    the board: about half the rate)."""
    datas = [os.urandom(nbytes) for _ in range(conns)]
    res = {"conns": conns, "bytes": nbytes, "echoed": 0, "errors": [], "fins": 0}
    lock = threading.Lock()
    got = [bytearray() for _ in range(conns)]

    def error(msg):
        with lock:
            res["errors"].append(msg)

    def sender(i, s):
        try:
            s.sendall(datas[i])
        except OSError as e:
            error("conn %d: %r while sending" % (i, e))

    def receiver(i, s):
        try:
            while len(got[i]) < nbytes:
                b = s.recv(65536)
                if not b:
                    error("conn %d: closed by the board after %d bytes" % (i, len(got[i])))
                    return
                got[i] += b
        except OSError as e:
            error("conn %d: %r after %d bytes echoed" % (i, e, len(got[i])))

    t0 = time.monotonic()
    socks, threads = [], []
    for i in range(conns):
        try:
            s = socket.create_connection((host, port), timeout=10)
        except OSError as e:
            error("connect %d: %r" % (i, e))
            continue
        s.settimeout(STALL)     # a stall is an error, not a hang
        socks.append((i, s))
        for fn in (sender, receiver):
            t = threading.Thread(target=fn, args=(i, s), daemon=True)
            t.start()
            threads.append(t)
    for t in threads:
        t.join(max(0.1, TOTAL - (time.monotonic() - t0)))
        if t.is_alive():
            error("no end within %d s" % TOTAL)
            break
    res["seconds"] = time.monotonic() - t0
    for i, s in socks:
        res["echoed"] += len(got[i])
        if len(got[i]) == nbytes and bytes(got[i]) != datas[i]:
            first = next(j for j in range(nbytes) if got[i][j] != datas[i][j])
            error("conn %d: echo differs from byte %d on" % (i, first))
        elif len(got[i]) != nbytes:
            error("conn %d: %d of %d bytes echoed" % (i, len(got[i]), nbytes))
    # Our FIN, then the board's (it closes when we do).
    for i, s in socks:
        try:
            s.settimeout(5)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
            res["fins"] += 1
        except OSError:
            pass
        s.close()
    res["seconds_with_close"] = time.monotonic() - t0
    res["ok"] = not res["errors"] and res["echoed"] == conns * nbytes
    return res


def client_udp(host, port, conns, nbytes, window=UDP_WINDOW):
    """conns UDP sockets, nbytes each in UDP_SIZE datagrams, `window` in
    flight per socket; a result dict."""
    sel = selectors.DefaultSelector()
    per = (nbytes + UDP_SIZE - 1) // UDP_SIZE
    res = {"conns": conns, "datagrams": conns * per, "echoed": 0, "echoed_datagrams": 0,
           "lost": 0, "bad": 0, "errors": []}
    socks = []
    for i in range(conns):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.connect((host, port))
        s.setblocking(False)
        st = {"i": i, "s": s, "next": 0, "out": {}, "last": time.monotonic()}
        socks.append(st)
        sel.register(s, selectors.EVENT_READ, st)
    t0 = time.monotonic()

    def fill(st):
        while st["next"] < per and len(st["out"]) < window:
            d = st["i"].to_bytes(4, "big") + st["next"].to_bytes(4, "big") + \
                os.urandom(UDP_SIZE - 8)
            try:
                st["s"].send(d)
            except (BlockingIOError, ConnectionRefusedError):
                break
            st["out"][st["next"]] = d
            st["next"] += 1
            st["last"] = time.monotonic()

    for st in socks:
        fill(st)
    while time.monotonic() - t0 < TOTAL and any(st["next"] < per or st["out"] for st in socks):
        for key, _ in sel.select(timeout=0.05):
            st = key.data
            while True:
                try:
                    d = st["s"].recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                except ConnectionRefusedError:
                    continue
                seq = int.from_bytes(d[4:8], "big")
                want = st["out"].pop(seq, None)
                if want is None:
                    continue            # late: already counted lost
                if d != want:
                    res["bad"] += 1
                    continue
                res["echoed"] += len(d)
                res["echoed_datagrams"] += 1
                st["last"] = time.monotonic()
        now = time.monotonic()
        for st in socks:
            if st["out"] and now - st["last"] > UDP_LOSS_WAIT:
                res["lost"] += len(st["out"])
                st["out"].clear()
            fill(st)
    res["seconds"] = time.monotonic() - t0
    for st in socks:
        st["s"].close()
    if res["bad"]:
        res["errors"].append("%d echoes differ from what was sent" % res["bad"])
    res["ok"] = not res["errors"]
    return res


def client_main(argv):
    global TOTAL, STALL
    kind, host, port, conns, nbytes = argv[0], argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    if len(argv) > 6:               # a shorter leash (the warm-up)
        TOTAL = float(argv[6])
        STALL = min(STALL, TOTAL)
    if kind == "tcp":
        r = client_tcp(host, port, conns, nbytes)
    else:
        r = client_udp(host, port, conns, nbytes, int(argv[5]) if len(argv) > 5 else UDP_WINDOW)
    print(json.dumps(r), flush=True)
    return 0


# ---- the board -------------------------------------------------------------

class Board:
    """echo_raw in QEMU, on slirp (with both port forwardings) or on the
    TAP device of namespace ns; a QMP socket when under -icount."""

    def __init__(self, elf, icount, ns=None, trace=False, limit=0):
        self.dir = tempfile.mkdtemp(prefix="ngbtcp-")
        self.ns = ns
        self.limit = limit
        args = ["enable=on", "target=native", "arg=echo_raw", "arg=limit=%d" % limit,
                "arg=trace=" + ("trace.bin" if trace else "none")]
        if ns:
            args += ["arg=ip=" + TAP_BOARD_IP, "arg=gw=" + TAP_HOST_IP,
                     "arg=netmask=255.255.255.0"]
            net = ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"]
            self.host, self.tcp_port, self.udp_port = TAP_BOARD_IP, ECHO_PORT, ECHO_PORT
        else:
            self.host = "127.0.0.1"
            self.tcp_port, self.udp_port = free_port(), free_port(socket.SOCK_DGRAM)
            net = ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:7,hostfwd=udp:127.0.0.1:%d-:7"
                   % (self.tcp_port, self.udp_port)]
        cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
               "-semihosting-config", ",".join(args), "-kernel", elf] + net + \
              ["-net", "nic,netdev=n0,model=stellaris"]
        self.qmp = None
        if icount:
            # sleep=on (the default): while the board idles its clock follows
            # the host's, so its TCP timers see the host's real delays.
            qpath = os.path.join(self.dir, "qmp.sock")
            cmd[1:1] = ["-icount", "shift=0"]
            cmd += ["-qmp", "unix:%s,server=on,wait=off" % qpath]
        if ns:
            cmd = ["ip", "netns", "exec", ns] + cmd
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines, up = [], threading.Event()

        def read():
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self.lines.append(line)
                if " up, hwaddr " in line:
                    up.set()
        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        if not up.wait(15):
            self.close()
            raise RuntimeError("echo_raw did not come up:\n" + "\n".join(self.lines))
        if icount:
            self.qmp = Qmp(qpath)

    def client(self, kind, conns, nbytes, window=UDP_WINDOW, total=TOTAL):
        port = self.tcp_port if kind == "tcp" else self.udp_port
        cmd = [sys.executable, os.path.abspath(__file__), "client", kind, self.host, str(port),
               str(conns), str(nbytes), str(window), str(total)]
        if self.ns:
            cmd = ["ip", "netns", "exec", self.ns] + cmd
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=TOTAL + 60)
        for line in reversed(p.stdout.splitlines()):
            if line.startswith("{"):
                return json.loads(line)
        return {"ok": False, "errors": ["the client printed no result: " + p.stdout[-2000:]],
                "echoed": 0, "seconds": 0}

    def memory_report(self):
        """Waits for the board's time limit, then its own account: what the
        echo counted, and the statistics lines that say something went
        short (a failed allocation, err=) or was dropped."""
        # The limit is the board's own (virtual) time. Under -icount a busy
        # board's clock runs slower than the host's (one nanosecond per
        # instruction), so after the echo up to the whole limit may still
        # be ahead of it, in host time once it idles: wait that long, and
        # 30 s more for its settling and report, from now.
        try:
            self.proc.wait(timeout=self.limit + 30)
        except subprocess.TimeoutExpired:
            return ["(no report: the board did not stop at its time limit)"]
        self.reader.join(timeout=10)
        return [l for l in self.lines
                if re.search(r"^echo_raw: (tcp|udp) port|err=[1-9]|drops|dropped [1-9]|leak|"
                             r"start-up levels|TIME_WAIT", l)]

    def close(self):
        if self.qmp:
            self.qmp.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- the measurements -----------------------------------------------------------

def warm_up(board, kind):
    """One small exchange first, so ARP and slirp's state are in place."""
    for _ in range(5):
        r = board.client(kind, 1, 4096 if kind == "tcp" else UDP_SIZE, total=5)
        if r.get("echoed"):
            return True
        time.sleep(0.2)
    return False


def describe(r):
    if r.get("ok"):
        return ""
    return " INCOMPLETE (%s)" % "; ".join(r.get("errors", [])[:4])


def instructions(elf, kind, conns, nbytes, ns=None, trace=False, stats=False):
    """(instructions per KiB echoed, result, idle instructions per second);
    with stats, the board stops at STATS_LIMIT and its report is kept."""
    board = Board(elf, icount=True, ns=ns, trace=trace, limit=STATS_LIMIT if stats else 0)
    try:
        if not warm_up(board, kind):
            return None, {"ok": False, "errors": ["no echo at all"], "echoed": 0}, 0
        i0, t0 = board.qmp.icount(), time.monotonic()
        time.sleep(1.0)
        idle = (board.qmp.icount() - i0) / (time.monotonic() - t0)
        i0 = board.qmp.icount()
        r = board.client(kind, conns, nbytes)
        i1 = board.qmp.icount()
        if stats:
            r["memory"] = board.memory_report()
        if not r.get("echoed"):
            return None, r, idle
        return (i1 - i0) / (r["echoed"] / 1024), r, idle
    finally:
        board.close()


def rate(elf, kind, conns, nbytes, ns=None):
    """(Mbit/s each way, result) in plain QEMU."""
    board = Board(elf, icount=False, ns=ns)
    try:
        if not warm_up(board, kind):
            return None, {"ok": False, "errors": ["no echo at all"], "echoed": 0}
        r = board.client(kind, conns, nbytes)
        if not r.get("echoed") or not r.get("seconds"):
            return None, r
        return r["echoed"] * 8 / r["seconds"] / 1e6, r
    finally:
        board.close()


def report_path(label, kind, conns, nbytes, ns, traced_elf, notrace_elf):
    what = "%d %s x %d KiB" % (conns, "connections" if kind == "tcp" else "sockets",
                               nbytes // 1024)
    lean, r0, idle = instructions(notrace_elf, kind, conns, nbytes, ns, stats=True)
    extra = ""
    if kind == "udp" and r0.get("datagrams"):
        extra = ", %d of %d datagrams lost" % (r0["lost"], r0["datagrams"])
    if lean is None:
        print("%s echo, %s, tracing compiled out: not measured%s" % (kind.upper(), what,
                                                                   describe(r0)))
    else:
        print("%s echo via %s, %s: %.0f guest instructions per KiB echoed, tracing compiled "
              "out (%.1f MiB echoed%s)%s" % (kind.upper(), label, what, lean,
                                             r0["echoed"] / 2**20, extra, describe(r0)))
    full, r1, _ = instructions(traced_elf, kind, conns, nbytes, ns, trace=True)
    extra1 = ""
    if kind == "udp" and r1.get("datagrams"):
        extra1 = ", %d of %d datagrams lost" % (r1["lost"], r1["datagrams"])
    if full is None:
        print("%s echo, %s, every event class traced: not measured%s"
              % (kind.upper(), what, describe(r1)))
    else:
        diff = " (%+.1f %% against compiled out)" % ((full / lean - 1) * 100) if lean else ""
        print("%s echo via %s, %s: %.0f guest instructions per KiB echoed, every event class "
              "traced%s%s%s" % (kind.upper(), label, what, full, diff, extra1, describe(r1)))
    for line in r0.get("memory", []):
        print("   board (compiled-out run): " + line)
    print("   (idle board: %.0f instructions per second of SysTick and timers, not "
          "subtracted)" % idle)
    mbit, r2 = rate(notrace_elf, kind, conns, nbytes, ns)
    extra2 = ""
    if kind == "udp" and r2.get("datagrams"):
        extra2 = ", %d of %d datagrams lost" % (r2["lost"], r2["datagrams"])
    if mbit is None:
        print("%s echo, %s, plain QEMU: not measured%s" % (kind.upper(), what, describe(r2)))
    else:
        print("%s echo via %s, %s, plain QEMU, tracing compiled out: %.1f Mbit/s each way "
              "(%.2f s%s)%s" % (kind.upper(), label, what, mbit, r2["seconds"], extra2,
                                describe(r2)))


class Namespace:
    """A network namespace with tap0 = TAP_HOST_IP/24 (as tests/qemu/test_tap.py)."""

    def __init__(self):
        self.name = "ngbench%d" % os.getpid()
        run = lambda c: subprocess.run(c, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, timeout=20)
        p = run(["ip", "netns", "add", self.name])
        if p.returncode:
            raise RuntimeError(p.stdout.strip())
        self.ok = True
        for c in (["ip", "tuntap", "add", "dev", "tap0", "mode", "tap"],
                  ["ip", "addr", "add", TAP_HOST_IP + "/24", "dev", "tap0"],
                  ["ip", "link", "set", "tap0", "up"], ["ip", "link", "set", "lo", "up"]):
            p = run(["ip", "netns", "exec", self.name] + c)
            if p.returncode:
                self.close()
                raise RuntimeError(p.stdout.strip())

    def close(self):
        subprocess.run(["ip", "netns", "del", self.name], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)


# ---- flash and RAM ------------------------------------------------------------------

def object_sizes(mapfile, names):
    """Flash (code + read-only data) and RAM (.data + .bss) of the given
    object files as linked, from a GNU ld map."""
    sizes = {n: [0, 0] for n in names}
    for sec, addr, size, path in size_report.map_entries(open(mapfile).read().splitlines()):
        if not sec.startswith((".text", ".rodata", ".data", ".bss")):
            continue
        if size == 0 or addr == 0 and not sec.startswith(".text"):
            continue
        for n in names:
            if path.endswith("/" + n):
                sizes[n][0 if sec.startswith((".text", ".rodata")) else 1] += size
    return sizes


PROBE = r"""
#include "lwip/opt.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#define SZ(name, expr) char ng_sz_##name[(expr)];
SZ(tcp_pcb, sizeof(struct tcp_pcb))
SZ(tcp_pcb_slot, LWIP_MEM_ALIGN_SIZE(sizeof(struct tcp_pcb)))
SZ(tcp_pcb_listen, sizeof(struct tcp_pcb_listen))
SZ(tcp_seg_slot, LWIP_MEM_ALIGN_SIZE(sizeof(struct tcp_seg)))
SZ(pbuf_hdr, LWIP_MEM_ALIGN_SIZE(sizeof(struct pbuf)))
SZ(tcp_wnd, TCP_WND)
SZ(tcp_snd_buf, TCP_SND_BUF)
SZ(tcp_mss, TCP_MSS)
SZ(tcp_snd_queuelen, TCP_SND_QUEUELEN)
SZ(pool_bufsize, PBUF_POOL_BUFSIZE)
SZ(pool_size, PBUF_POOL_SIZE)
SZ(num_tcp_pcb, MEMP_NUM_TCP_PCB)
SZ(num_tcp_seg, MEMP_NUM_TCP_SEG)
SZ(mem_size, MEM_SIZE)
SZ(udp_pcb, sizeof(struct udp_pcb))
"""


def nm_symbols(path):
    """{name: (address, size)} of an object or ELF, from `nm -S` (size 0
    for a symbol without one, such as the linker script's)."""
    out = subprocess.run(["arm-none-eabi-nm", "-S", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 3:
            syms[f[-1]] = (int(f[0], 16), int(f[1], 16) if len(f) == 4 else 0)
    return syms


def probe_sizes():
    """Sizes and options of this tree, as the board's compiler sees them."""
    d = tempfile.mkdtemp(prefix="ngprobe-")
    try:
        src, obj = os.path.join(d, "probe.c"), os.path.join(d, "probe.o")
        with open(src, "w") as f:
            f.write('#include "lwip/udp.h"\n' + PROBE)
        # The include path of the build (Makefile INCLUDES): the app's own
        # lwipopts.h, if it has one, comes before config/'s.
        inc = ["-I" + os.path.join(ROOT, x) for x in
               ("apps/echo_raw", "apps/common", "config", "include", "kernel", "tracer",
                "boards/common", "boards/lm3s6965evb")]
        p = subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m3", "-mthumb", "-std=gnu11",
                            "-fno-common", "-c", src, "-o", obj] + inc,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode:
            raise RuntimeError(p.stdout)
        return {name[6:]: size for name, (_, size) in nm_symbols(obj).items()
                if name.startswith("ng_sz_")}
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---- what QEMU itself costs: the floor under the plain-QEMU rate ------------------

FLOOR_SRC = r"""
#include <stdint.h>
#define REG(a) (*(volatile uint32_t *)(a))
void reset(void);
void pendsv(void);
__attribute__((section(".vec"))) void (*const vec[16])(void) = {
    (void (*)(void))0x20010000, reset, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, pendsv, 0 };
volatile uint32_t sink;
void pendsv(void) { sink++; }
void reset(void)
{
    for (uint32_t i = 0; i < N; i++) {
#if MODE == 0
        sink = REG(0x40048034);                 /* the MAC's NP register: MMIO */
#elif MODE == 1
        REG(0xe000ed04) = 1u << 28;             /* PendSV: one exception in and out */
        __asm__ volatile("dsb; isb");
#else
        sink = i;                               /* the loop alone */
#endif
    }
    register uint32_t r0 __asm__("r0") = 0x18, r1 __asm__("r1") = 0x20026;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1));    /* semihosting exit */
    for (;;)
        ;
}
"""
FLOOR_LD = """MEMORY { FLASH (rx) : ORIGIN = 0, LENGTH = 256K  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 64K }
SECTIONS { .text : { KEEP(*(.vec)) *(.text*) *(.rodata*) } > FLASH  .bss : { *(.bss*) *(COMMON) } > RAM }
"""


def qemu_floor():
    """Host nanoseconds QEMU (plain, no -icount) spends on one read of a
    stellaris_enet register and on one exception taken and returned, from
    a throwaway image compiled here: the time of the difference of two
    loop counts (which cancels QEMU's start-up), less the bare loop's. The idle
    machine's figures: during an echo QEMU's main loop competes for the
    same lock, and each costs more. (None, None) if it cannot be built."""
    d = tempfile.mkdtemp(prefix="ngfloor-")
    counts = {0: (1000000, 5000000), 1: (100000, 600000), 2: (1000000, 5000000)}
    try:
        with open(os.path.join(d, "f.c"), "w") as f:
            f.write(FLOOR_SRC)
        with open(os.path.join(d, "f.ld"), "w") as f:
            f.write(FLOOR_LD)
        secs = {}
        for mode in (0, 1, 2):
            for n in counts[mode]:
                elf = os.path.join(d, "f%d_%d.elf" % (mode, n))
                p = subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m3", "-mthumb", "-O2",
                                    "-nostdlib", "-T", os.path.join(d, "f.ld"),
                                    "-DMODE=%d" % mode, "-DN=%d" % n, os.path.join(d, "f.c"),
                                    "-o", elf], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
                if p.returncode:
                    return None, None
                best = None
                for _ in range(3):              # the fastest of three: host noise only adds
                    t0 = time.monotonic()
                    subprocess.run(["qemu-system-arm", "-M", "lm3s6965evb", "-nographic",
                                    "-net", "none", "-semihosting-config",
                                    "enable=on,target=native", "-kernel", elf],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=120)
                    t = time.monotonic() - t0
                    best = t if best is None else min(best, t)
                secs[mode, n] = best
        per = {m: (secs[m, counts[m][1]] - secs[m, counts[m][0]]) /
                  (counts[m][1] - counts[m][0]) * 1e9 for m in (0, 1, 2)}
        return per[0] - per[2], per[1] - per[2]
    except (OSError, subprocess.SubprocessError):
        return None, None
    finally:
        shutil.rmtree(d, ignore_errors=True)


def report_floor():
    mmio, exc = qemu_floor()
    if mmio is None:
        print("QEMU's floor: not measured (arm-none-eabi-gcc or qemu-system-arm missing)")
        return
    # A full TCP segment echoed: 1514 bytes read from the RX FIFO and 1514
    # written to the TX FIFO, one 32-bit access per 4 bytes (379 each way).
    per_pair = 2 * 379 * mmio
    print("QEMU's floor (idle host, plain QEMU): %.0f ns per stellaris_enet register access, "
          "%.0f ns per exception (PendSV in and out); the FIFO words alone of one 1460-byte "
          "segment in and out take %.0f us: at most %.0f Mbit/s each way with no other work"
          % (mmio, exc, per_pair / 1000, 1460 * 8 / per_pair * 1000))


def footprint():
    names = ["tcp.o", "tcp_in.o", "tcp_out.o", "udp.o"]
    for build, label in ((BUILD, "tracing on"), (BUILD_NOTRACE, "tracing compiled out")):
        mapfile = os.path.join(build, "echo_raw.map")
        if not os.path.exists(mapfile):
            print("flash: %s is not built" % mapfile)
            continue
        s = object_sizes(mapfile, names)
        tcp = [sum(s[n][k] for n in names[:3]) for k in (0, 1)]
        print("flash, %s: TCP %d bytes (tcp %d, tcp_in %d, tcp_out %d), static RAM %d; "
              "UDP %d bytes, static RAM %d" % (label, tcp[0], s["tcp.o"][0], s["tcp_in.o"][0],
                                               s["tcp_out.o"][0], tcp[1], s["udp.o"][0],
                                               s["udp.o"][1]))
    try:
        z = probe_sizes()
    except RuntimeError as e:
        print("RAM per connection: the size probe did not compile: " + str(e)[:500])
        return
    # Sending: TCP_SND_BUF bytes queued in full segments, each a tcp_seg and
    # a PBUF_RAM pbuf from the heap (pbuf header, room for the Ethernet, IP
    # and TCP headers, the data) and a heap block header (8 bytes).
    segs = -(-z["tcp_snd_buf"] // z["tcp_mss"])
    send = z["tcp_snd_buf"] + segs * (z["tcp_seg_slot"] + z["pbuf_hdr"] + 14 + 20 + 20 + 8)
    # Receiving, the worst case: a whole window held (out of order, or
    # refused by the app) as received frames in PBUF_POOL buffers.
    frame = z["tcp_mss"] + 54
    per_frame = -(-frame // z["pool_bufsize"])
    rsegs = -(-z["tcp_wnd"] // z["tcp_mss"])
    recv = rsegs * per_frame * (z["pbuf_hdr"] + z["pool_bufsize"])
    print("RAM per connection: struct tcp_pcb %d bytes (pool slot %d; %d slots = %d bytes "
          "static); at full window add the send buffer, TCP_SND_BUF %d bytes in %d segments "
          "= %d bytes of heap and TCP_SEG slots, and, at worst, the receive window, TCP_WND "
          "%d bytes held as %d frames of %d PBUF_POOL buffers = %d bytes: %d bytes in all"
          % (z["tcp_pcb"], z["tcp_pcb_slot"], z["num_tcp_pcb"],
             z["num_tcp_pcb"] * z["tcp_pcb_slot"], z["tcp_snd_buf"], segs, send, z["tcp_wnd"],
             rsegs, per_frame, recv, z["tcp_pcb_slot"] + send + recv))
    print("   (for scale: heap MEM_SIZE %d bytes, PBUF_POOL %d x %d bytes, TCP_SEG %d slots; "
          "listening PCB %d bytes, UDP PCB %d bytes)"
          % (z["mem_size"], z["pool_size"], z["pbuf_hdr"] + z["pool_bufsize"],
             z["num_tcp_seg"], z["tcp_pcb_listen"], z["udp_pcb"]))
    full_window_fit(z, send - segs * z["tcp_seg_slot"], segs, rsegs * per_frame)


def full_window_fit(z, heap_per_conn, segs_per_conn, bufs_per_conn, conns=4):
    """The issue's "4 concurrent connections at full window fit in RAM
    beside an 8 KB trace ring", checked against the traced echo_raw image:
    the send buffers in the heap and TCP_SEG pool, the receive windows in
    PBUF_POOL, and the C library's heap left over (thread stacks and
    mailboxes come from there; the board would not start without it)."""
    elf = os.path.join(BUILD, "echo_raw.elf")
    syms = nm_symbols(elf)
    if not {"_heap_start", "_heap_end", "ng_trace"} <= set(syms):
        print("%d connections at full window: not checked (%s has no ng_trace or heap symbols)"
              % (conns, os.path.relpath(elf, ROOT)))
        return
    ring = syms["ng_trace"][1]
    left = syms["_heap_end"][0] - syms["_heap_start"][0]
    heap, segs, bufs = conns * heap_per_conn, conns * segs_per_conn, conns * bufs_per_conn
    fits = heap <= z["mem_size"] and segs <= z["num_tcp_seg"] and bufs < z["pool_size"]
    print("%d connections at full window, traced echo_raw (trace ring and its state %d bytes): "
          "send buffers %d of the heap's %d bytes and %d of %d TCP_SEG slots, receive windows "
          "%d of %d pool buffers (the rest for the frames that carry ACKs); %d bytes left "
          "for the C library's heap (stacks, mailboxes): %s"
          % (conns, ring, heap, z["mem_size"], segs, z["num_tcp_seg"], bufs, z["pool_size"],
             left, "fits" if fits else "DOES NOT FIT"))


def main(argv):
    if len(argv) > 1 and argv[1] == "client":
        return client_main(argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--conns", type=int, default=4)
    ap.add_argument("--bytes", type=int, default=2 * 1024 * 1024)
    ap.add_argument("--no-tap", action="store_true", help="skip the TAP figures")
    ap.add_argument("--only", choices=("tcp", "udp"))
    a = ap.parse_args(argv[1:])
    traced = os.path.join(BUILD, "echo_raw.elf")
    notrace = os.path.join(BUILD_NOTRACE, "echo_raw.elf")
    for elf in (traced, notrace):
        if not os.path.exists(elf):
            print("bench_tcp: %s is not built (make APP=echo_raw [TRACE=0])" % elf)
            return 1
    nm = subprocess.run(["arm-none-eabi-nm", traced], stdout=subprocess.PIPE, text=True)
    has_tcp = re.search(r" T tcp_input$", nm.stdout, re.M) is not None
    kinds = [k for k in ("tcp", "udp") if a.only in (None, k)]
    if "tcp" in kinds and not has_tcp:
        print("TCP: not measured yet (echo_raw has no TCP: net/tcp*.c are not linked)")
        kinds.remove("tcp")
    for kind in kinds:
        print("-- %s echo through slirp's port forwarding (host client, 127.0.0.1)"
              % kind.upper())
        report_path("slirp", kind, a.conns, a.bytes, None, traced, notrace)
    if a.no_tap:
        pass
    elif os.geteuid() != 0 or shutil.which("ip") is None:
        print("-- through TAP: not measured (needs root and `ip netns`)")
    else:
        try:
            ns = Namespace()
        except RuntimeError as e:
            print("-- through TAP: not measured (needs root and `ip netns`: %s)" % e)
            ns = None
        if ns:
            try:
                for kind in kinds:
                    print("-- %s echo through a TAP device (Linux in a namespace as the "
                          "client)" % kind.upper())
                    report_path("TAP", kind, a.conns, a.bytes, ns.name, traced, notrace)
            finally:
                ns.close()
    print("-- flash of TCP and UDP (echo_raw's .map) and RAM per connection")
    footprint()
    print("-- what QEMU itself costs (a throwaway image, no network)")
    report_floor()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
