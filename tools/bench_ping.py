#!/usr/bin/env python3
"""tools/bench_ping.py - what one ping costs the board: `make bench`'s
network figures.

1. Round-trip time and echo rate, as the scripted peer (tests/qemu/peer.py)
   sees them through plain QEMU (host time: these vary with the machine):
   N echoes of 56 bytes one after the other (RTT min/avg/max, replies per
   second), then a window of W echoes in flight.

2. Guest instructions per 56-byte echo, under -icount shift=0, where every
   guest instruction takes exactly 1 ns of virtual time and the SysTick
   counter (12.5 MHz) advances once per 80 instructions; the trace's
   timestamps are that counter. Method: for each echo request, from the
   ISR_ENTER of the Ethernet interrupt (IRQ 42) that announced it to the
   THREAD_SWITCH to the idle thread after the reply's FRAME_TX: the whole
   path, interrupt, eth_rx, tcpip_thread, reply and clean-up, with nothing
   else to do meanwhile (the peer waits for each reply, so the board is
   idle between echoes; an echo whose successor arrives before the board
   went idle is left out). The median over all echoes is reported, so the
   occasional SysTick that lands inside does not count. Recording itself
   costs instructions: the run is made twice, with every event class and
   with only the classes the measurement needs (META, THREAD, ISR, FRAME);
   the difference in instructions over the difference in records per echo
   is the cost of one record, and the figure without any recording is the
   lean run's minus its records times that cost.

3. Flash and RAM of the network core, the OS layer and the driver, from the
   image's .map (tools/size_report.py), whether kernel + network core +
   driver static RAM leave at least 32 KiB of the 64 KiB of SRAM, and the
   thread stacks the stack takes from the C heap (ping_demo prints them).

usage: bench_ping.py [--elf build/lm3s6965evb/ping_demo.elf] [-n N]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tracer"))
from tests.qemu import peer as P  # noqa: E402
from ngtracelib import reader  # noqa: E402

BOARD_IP = "10.0.2.15"
ETH_EXCEPTION = 16 + 42
INSTR_PER_CYCLE = 1e9 / 12.5e6      # -icount shift=0: 1 ns per instruction, 80 ns a count
CLASS_BITS = {"META": 0, "THREAD": 1, "ISR": 2, "FRAME": 10}
LEAN_MASK = sum(1 << b for b in CLASS_BITS.values())


class Run:
    """ping_demo in QEMU, a peer on its dgram link; killed when done."""

    def __init__(self, elf, args, icount=False):
        self.peer = P.Peer()
        self.dir = tempfile.mkdtemp(prefix="ngbench-")
        sh = ",".join(["enable=on", "target=native", "arg=ping_demo"] +
                      ["arg=" + a for a in args])
        cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot"]
        if icount:
            cmd += ["-icount", "shift=0"]       # idle time still follows the host clock
        cmd += ["-semihosting-config", sh, "-kernel", elf] + self.peer.qemu_netdev_args()
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.peer.serve_until(lambda: self.peer.answered_echo >= 1, 10)
        if self.peer.resolve(BOARD_IP) is None:
            self.close()
            raise SystemExit("bench_ping: the board does not answer ARP")

    def finish(self, timeout):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.peer.idle(0.2)
        try:
            out, _ = self.proc.communicate(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate(timeout=10)
        return out.decode("utf-8", "replace").replace("\r\n", "\n")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)
        self.peer.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def ping_series(peer, n, first_seq=1):
    """n sequential 56-byte echoes: list of RTTs in seconds (None: lost)."""
    rtts = []
    for seq in range(first_seq, first_seq + n):
        data = bytes((seq + i) & 0xff for i in range(56))
        t = time.perf_counter()
        r = peer.ping(BOARD_IP, seq & 0xffff, data, timeout=1.0)
        ok = r is not None and r[1][8:] == data
        rtts.append(time.perf_counter() - t if ok else None)
    return rtts


def ping_window(peer, n, window):
    """n echoes with up to `window` in flight: (replies, seconds)."""
    got, sent, seq0 = 0, 0, 30000
    t = time.perf_counter()
    outstanding = set()

    def is_reply(f):
        if f.datagram and f.ip.src == BOARD_IP and f.datagram[1][:1] == b"\0":
            s = int.from_bytes(f.datagram[1][6:8], "big")
            if s in outstanding:
                outstanding.discard(s)
                return True
        return False

    while got < n:
        while sent < n and len(outstanding) < window:
            seq = seq0 + sent
            for fr in peer.echo_frames(BOARD_IP, 0x7071, seq, bytes(56)):
                peer.send(fr)
            outstanding.add(seq)
            sent += 1
        if peer.run_until(is_reply, 1.0) is None:
            break       # lost: stop rather than wait forever
        got += 1
    return got, time.perf_counter() - t


def echo_costs(trace_path):
    """Per echo request: (instructions, records) from the Ethernet ISR
    entry to the switch to idle after its reply went out."""
    t = reader.Trace(trace_path)
    costs, start, start_index, replied = [], None, None, False
    for r in t.records():
        if r.name == "ISR_ENTER" and r.fields.get("irq") == ETH_EXCEPTION:
            # (a new frame before the board went idle: the open measurement,
            # if any, would span two echoes, so it starts again from here)
            start, start_index, replied = r.time, r.index, False
        elif r.name == "FRAME_RX" and start is not None:
            d = r.fields["data"]
            # an IPv4 ICMP echo request (type 8 after a 20-byte header)?
            if not (len(d) > 34 and d[12:14] == b"\x08\x00" and d[23] == 1 and d[34] == 8):
                start = None
        elif r.name == "FRAME_TX" and start is not None:
            replied = True
        elif r.name == "THREAD_SWITCH" and start is not None and replied and \
                r.reg.thread_name(r.fields["to"]) == "idle":
            costs.append(((r.time - start) * INSTR_PER_CYCLE, r.index - start_index + 1))
            start = None
    return costs


def measure_instructions(elf, n, mask):
    """Costs of n echoes (see echo_costs) with the trace's class mask."""
    run = Run(elf, ["limit=0", "count=1", "interval=10", "trace=bench.bin", "mask=%#x" % mask],
              icount=True)
    try:
        ping_series(run.peer, n, 100)
        run.peer.idle(0.3)
        run.proc.kill()     # limit=0 serves for ever; the drain has shipped all but a block
        run.proc.communicate(timeout=10)
        return echo_costs(os.path.join(run.dir, "bench.bin"))
    finally:
        run.close()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--elf", default=os.path.join(ROOT, "build", "lm3s6965evb", "ping_demo.elf"))
    ap.add_argument("-n", type=int, default=200, help="echoes per measurement (200)")
    a = ap.parse_args(argv[1:])
    if not os.path.exists(a.elf):
        print(f"bench_ping: {a.elf} is not built (make APP=ping_demo)")
        return 1

    print("-- RTT and echo rate seen by the scripted peer (plain QEMU, host time)")
    run = Run(a.elf, ["limit=0", "count=1", "interval=10", "trace=none"])
    try:
        rtts = ping_series(run.peer, a.n)
        ok = [x * 1000 for x in rtts if x is not None]
        lost = len(rtts) - len(ok)
        if ok:
            print(f"{len(rtts)} echoes of 56 bytes, one at a time: rtt min/avg/max = "
                  f"{min(ok):.3f}/{statistics.mean(ok):.3f}/{max(ok):.3f} ms, "
                  f"{1000 / statistics.mean(ok):.0f} replies/s, {lost} lost")
        for window in (8,):
            got, secs = ping_window(run.peer, a.n, window)
            print(f"{a.n} echoes, {window} in flight: {got} replies in {secs * 1000:.0f} ms, "
                  f"{got / secs:.0f} replies/s")
    finally:
        run.close()

    print()
    print("-- guest instructions per 56-byte echo (-icount shift=0, from the trace)")
    full = measure_instructions(a.elf, a.n, 0xffffffff)
    lean = measure_instructions(a.elf, a.n, LEAN_MASK)
    if len(full) < a.n // 2 or len(lean) < a.n // 2:
        print(f"bench_ping: too few echoes found in the traces ({len(full)}, {len(lean)})")
        return 1
    fi, fr = statistics.median(c for c, _ in full), statistics.median(r for _, r in full)
    li, lr = statistics.median(c for c, _ in lean), statistics.median(r for _, r in lean)
    per_record = (fi - li) / (fr - lr) if fr > lr else 0
    print(f"every event class:    {fi:7.0f} instructions, {fr:.0f} records per echo "
          f"({len(full)} echoes)")
    print(f"META/THREAD/ISR/FRAME: {li:6.0f} instructions, {lr:.0f} records per echo "
          f"({len(lean)} echoes)")
    print(f"one record: {per_record:.0f} instructions; without recording: "
          f"~{li - lr * per_record:.0f} instructions per echo "
          f"(interrupt entry to idle, reply sent)")

    print()
    print("-- footprint of the network core (tools/size_report.py on ping_demo's .map)")
    mapfile = os.path.splitext(a.elf)[0] + ".map"
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "size_report.py"), mapfile],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    print(p.stdout.rstrip())
    run = Run(a.elf, ["limit=2", "count=1", "interval=10", "trace=none"])
    try:
        console = run.finish(30)
    finally:
        run.close()
    stacks = {m.group(1): int(m.group(2)) for m in
              re.finditer(r"ping_demo: thread (\S+)\s+stack\s+(\d+) bytes", console)}
    heap = sum(v for k, v in stacks.items() if k in ("tcpip_thread", "eth_rx"))
    if heap:
        print("thread stacks from the C heap: " +
              ", ".join(f"{k} {v}" for k, v in stacks.items() if k in ("tcpip_thread", "eth_rx")) +
              f" = {heap} bytes (not in the static figure above)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
