#!/usr/bin/env python3
"""tools/size_report.py - flash and RAM per part of an image, from its .map.

Reads the GNU ld map file and sums, per group of object files (kernel,
recorder, port, Ethernet driver, board, OS layer, network core, app, libc),
the bytes of code and read-only data (flash) and of .data/.bss (RAM); for
an image with the network stack, also whether kernel + network core +
driver leave at least 32 KiB of the board's 64 KiB of SRAM. `make` appends this to build/<board>/<app>.size
and `make bench` prints the kernel + recorder line.

usage: size_report.py MAP
"""
import re
import sys

GROUPS = [
    ("kernel", r"/obj/[^/]+/kernel/"),
    ("recorder", r"/obj/[^/]+/tracer/"),
    ("port", r"/obj/[^/]+/boards/lm3s6965evb/(arch|startup|fault|semihost)\.o"),
    ("driver", r"/obj/[^/]+/boards/[^/]+/ethernetif\.o"),
    ("board", r"/obj/[^/]+/boards/"),
    ("lwip-sys", r"/obj/[^/]+/(api/(sys_arch|err)|net/timeouts)\.o"),
    ("net-core", r"/obj/[^/]+/(api|net)/"),     # tcpip_thread, pools, heap, protocols
    ("app", r"/obj/[^/]+/apps/"),
    ("libc+libgcc", r"\.a\("),
]
SRAM = 65536            # the LM3S6965's
NET_RAM_BUDGET = 32768  # what kernel + network core + driver must leave free
LINE = re.compile(r"^ (\.(?:text|rodata|data|bss)[.\w]*)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)")


def group_of(path):
    for name, pat in GROUPS:
        if re.search(pat, path):
            return name
    return "other"


def map_entries(lines):
    """(section, address, size, object file) of each input section in the
    memory-map part of a GNU ld map's lines. A long section name stands on
    a line of its own, its address, size and file on the next one. Shared
    with tools/bench_tcp.py and tools/bench_api.py."""
    section, in_map = None, False
    for line in lines:
        if line.startswith("Linker script and memory map"):
            in_map = True
        if not in_map:
            continue
        m = re.match(r"^ (\.\w[\w.]*)\s*$", line)
        if m:
            section = m.group(1)
            continue
        m = LINE.match(line)
        if not m:
            continue
        sec = m.group(1) or section
        section = None
        if sec:
            yield sec, int(m.group(2), 16), int(m.group(3), 16), m.group(4)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        lines = open(argv[1]).read().splitlines()
    except OSError as e:
        print(f"size_report: {e}", file=sys.stderr)
        return 2
    sizes = {}
    for sec, addr, size, path in map_entries(lines):
        if not sec.startswith((".text", ".rodata", ".data", ".bss")):
            continue
        if size == 0 or addr == 0 and not sec.startswith(".text"):
            continue
        kind = "flash" if sec.startswith((".text", ".rodata")) else "ram"
        g = group_of(path)
        sizes.setdefault(g, {"flash": 0, "ram": 0})[kind] += size
    order = [g for g, _ in GROUPS] + ["other"]
    print(f"{'part':<14}{'flash':>8}{'ram':>8}")
    for g in order:
        if g in sizes:
            print(f"{g:<14}{sizes[g]['flash']:>8}{sizes[g]['ram']:>8}")
    k = sizes.get("kernel", {"flash": 0, "ram": 0})
    r = sizes.get("recorder", {"flash": 0, "ram": 0})
    p = sizes.get("port", {"flash": 0, "ram": 0})
    print(f"kernel + recorder + port: {k['flash'] + r['flash'] + p['flash']} bytes of flash, "
          f"{k['ram'] + r['ram'] + p['ram']} bytes of RAM (the ring buffer included)")
    if "net-core" in sizes:
        zero = {"flash": 0, "ram": 0}
        net = [sizes.get(g, zero) for g in ("lwip-sys", "net-core", "driver")]
        flash, ram = sum(x["flash"] for x in net), sum(x["ram"] for x in net)
        print(f"network core + OS layer + driver: {flash} bytes of flash, {ram} bytes of RAM")
        static = ram + k["ram"] + p["ram"]
        print(f"kernel + port + network core + driver: {static} bytes of static RAM, "
              f"{SRAM - static} of {SRAM} left "
              f"({'meets' if SRAM - static >= NET_RAM_BUDGET else 'MISSES'} the target of "
              f">= {NET_RAM_BUDGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
