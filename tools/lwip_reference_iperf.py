#!/usr/bin/env python3
"""tools/lwip_reference_iperf.py - what lwIP 2.2.1's own iperf server
(lwiperf) reaches on this machine's QEMU, beside netglass's net_demo, so
that the iperf target (>= 450 Mbit/s into the board, "lwIP 2.2.1's
lwiperf on this board: ~393") can be checked here rather than taken from
another host.

lwIP is not part of netglass: give the path of an lwIP 2.2.1 source tree
(e.g. a checkout of the STABLE-2_2_1_RELEASE tag). The tool compiles it
with the glue in tools/lwip_ref/ (no OS, polled MAC, lwiperf on port
5001; -O2 like our hot paths) once per receive window asked for, then,
in turns so that a busy host slows both alike, boots each image and our
build/lm3s6965evb-notrace/net_demo.elf (make APP=net_demo TRACE=0) in
plain QEMU behind slirp with the same port forwarding, runs the same
`iperf -c 127.0.0.1 -p PORT -t SECONDS`, and prints iperf's rate (the
host's view, what bench_api.py reports) and each board's own count.

usage: lwip_reference_iperf.py LWIP_DIR [--windows 4,8] [-t 10] [--rounds 2]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import free_port, iperf_client
from lwip_reference_size import CORE_SOURCES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GLUE = os.path.join(ROOT, "tools", "lwip_ref")
OURS = os.path.join(ROOT, "build", "lm3s6965evb-notrace", "net_demo.elf")
SOURCES = CORE_SOURCES + ["apps/lwiperf/lwiperf.c"]


def build(lwip, out, wnd):
    """The reference image with a receive window of wnd MSS (and pool
    buffers for it and the frames in flight)."""
    pool = 2 * wnd + 4
    elf = os.path.join(out, "lwiperf-w%d.elf" % wnd)
    src = [os.path.join(lwip, "src", s) for s in SOURCES]
    cmd = ["arm-none-eabi-gcc", "-O2", "-mcpu=cortex-m3", "-mthumb", "-ffunction-sections",
           "-fdata-sections", "-DREF_WND=%d" % wnd, "-DREF_POOL=%d" % pool, "-I" + GLUE,
           "-I" + os.path.join(lwip, "src", "include"), os.path.join(GLUE, "main.c"),
           os.path.join(GLUE, "start.c")] + src + [
           "--specs=nano.specs", "--specs=nosys.specs", "-nostartfiles",
           "-T", os.path.join(ROOT, "boards", "lm3s6965evb", "link.ld"), "-Wl,--gc-sections",
           "-Wl,--defsym=end=_heap_start", "-o", elf]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise SystemExit("lwip_reference_iperf.py: the reference image did not build:\n"
                         + p.stdout[-3000:])
    return elf


def measure(elf, semihost, secs, banner, cwd):
    """Boot elf behind slirp, wait for banner on its console, iperf into
    it; (Mbit/s by iperf or None, the board's console lines)."""
    port = free_port()
    cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot", "-kernel", elf,
           "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:5001" % port,
           "-net", "nic,netdev=n0,model=stellaris"]
    if semihost:
        cmd[5:5] = ["-semihosting-config", ",".join(["enable=on", "target=native"] +
                                                     ["arg=" + a for a in semihost])]
    log = open(os.path.join(cwd, "console.txt"), "w+")
    q = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                         stderr=subprocess.STDOUT)
    try:
        t0 = time.monotonic()
        while banner not in open(log.name).read():
            if q.poll() is not None or time.monotonic() - t0 > 30:
                return None, open(log.name).read().splitlines()
            time.sleep(0.2)
        mbit, _, _ = iperf_client(port, secs)
        time.sleep(1.0)         # the board's own report follows the client's close
        return mbit, open(log.name).read().splitlines()
    finally:
        q.kill()
        q.wait()
        log.close()


def board_rate(lines):
    for l in reversed(lines):
        m = re.search(r"(\d+) kbit/s", l)
        if m:
            return int(m.group(1)) / 1e3
    return None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lwip", help="an lwIP 2.2.1 source tree (with src/apps/lwiperf)")
    ap.add_argument("--windows", default="4,8",
                    help="receive windows to build lwIP with, in MSS (default: %(default)s)")
    ap.add_argument("-t", type=int, default=10, help="seconds of each iperf run")
    ap.add_argument("--rounds", type=int, default=2, help="turns of every image")
    a = ap.parse_args(argv)
    if not os.path.exists(os.path.join(a.lwip, "src", "apps", "lwiperf", "lwiperf.c")):
        ap.error("%s is not an lwIP source tree (no src/apps/lwiperf/lwiperf.c)" % a.lwip)
    for tool in ("qemu-system-arm", "iperf", "arm-none-eabi-gcc"):
        if shutil.which(tool) is None:
            raise SystemExit("lwip_reference_iperf.py: %s is not installed (make deps)" % tool)
    try:
        windows = [int(w) for w in a.windows.split(",")]
    except ValueError:
        ap.error("--windows takes numbers of MSS, e.g. 4,8")
    with tempfile.TemporaryDirectory(prefix="nglwref-") as d:
        images = [("lwIP 2.2.1 lwiperf, TCP_WND %d MSS" % w, build(a.lwip, d, w), None,
                   "lwiperf: serving") for w in windows]
        if os.path.exists(OURS):
            images.append(("netglass net_demo (TRACE=0), TCP_WND 4 MSS", OURS,
                           ["net_demo", "ip=10.0.2.15", "pings=0", "trace=none"],
                           "net_demo: serving"))
        else:
            print("%s is not built (make APP=net_demo TRACE=0): lwIP only"
                  % os.path.relpath(OURS, ROOT))
        results = {name: [] for name, _, _, _ in images}
        for r in range(a.rounds):
            for name, elf, sh, banner in images:
                mbit, lines = measure(elf, sh, a.t, banner, d)
                board = board_rate(lines)
                results[name].append((mbit, board))
                print("round %d: %-45s iperf %s Mbit/s, the board counted %s Mbit/s"
                      % (r + 1, name, "%.1f" % mbit if mbit else "FAILED",
                         "%.1f" % board if board else "-"), flush=True)
    print("iperf -c into the board through slirp, plain QEMU, %d s, %d rounds:" % (a.t, a.rounds))
    for name, rs in results.items():
        got = [m for m, _ in rs if m]
        print("   %-45s %s" % (name, "%.1f-%.1f Mbit/s" % (min(got), max(got)) if got
                               else "no result"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
