#!/usr/bin/env python3
"""tools/size_report.py - flash and RAM per part of an image, from its .map.

Reads the GNU ld map file and sums, per group of object files (kernel,
recorder, OS layer, board, app, libc), the bytes of code and read-only data
(flash) and of .data/.bss (RAM). `make` appends this to build/<board>/<app>.size
and `make bench` prints the kernel + recorder line.

usage: size_report.py MAP
"""
import re
import sys

GROUPS = [
    ("kernel", r"/obj/[^/]+/kernel/"),
    ("recorder", r"/obj/[^/]+/tracer/"),
    ("port", r"/obj/[^/]+/boards/lm3s6965evb/(arch|startup|fault|semihost)\.o"),
    ("board", r"/obj/[^/]+/boards/"),
    ("lwip-sys", r"/obj/[^/]+/(api|net)/"),
    ("app", r"/obj/[^/]+/apps/"),
    ("libc+libgcc", r"\.a\("),
]
LINE = re.compile(r"^ (\.(?:text|rodata|data|bss)[.\w]*)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)")


def group_of(path):
    for name, pat in GROUPS:
        if re.search(pat, path):
            return name
    return "other"


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
    section = None
    in_memory_map = False
    for i, line in enumerate(lines):
        if line.startswith("Linker script and memory map"):
            in_memory_map = True
        if not in_memory_map:
            continue
        m = re.match(r"^ (\.\w[\w.]*)\s*$", line)
        if m:                               # a long section name on its own line
            section = m.group(1)
            continue
        m = LINE.match(line)
        if not m:
            continue
        sec = m.group(1) or section
        section = None
        if not sec or not sec.startswith((".text", ".rodata", ".data", ".bss")):
            continue
        addr, size, path = int(m.group(2), 16), int(m.group(3), 16), m.group(4)
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
