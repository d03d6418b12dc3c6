#!/usr/bin/env python3
"""tools/lwip_reference_size.py - lwIP's own code size, measured the way
tools/bench_api.py measures ours, so that the footprint target (lwIP 2.2.1
at -Os, tcpip + netconn + sockets on a Cortex-M3: 36.5 KB) can be checked
rather than taken on trust.

lwIP is not part of netglass (nothing of it is copied here): give the
path of an lwIP 2.2.1 source tree, e.g. a checkout of the
STABLE-2_2_1_RELEASE tag. The tool

 1. takes the port of tools/lwip_ref/arch/ (cc.h, sys_arch.h) and writes
    an lwipopts.h with netglass's choices for the options that change lwIP's
    code (IPv4 only, ARP with queueing and static entries, reassembly and
    fragmentation, raw, UDP, TCP with keepalive, out-of-order queue and
    listen backlog, loopback, netconn, sockets with select and poll,
    SO_REUSE, the send and receive timeouts, SO_RCVBUF, DHCP, DNS,
    statistics on and not displayed);
 2. compiles lwIP's core, IPv4, Ethernet and API files with the board's
    flags (arm-none-eabi-gcc -Os -mcpu=cortex-m3 -mthumb
    -ffunction-sections -fdata-sections), twice: with LWIP_NOASSERT, and
    with assertions whose port prints message, file and line (what lwIP's
    own ports do);
 3. links each set with --gc-sections (a relocatable link, `ld -r`) kept
    from the same roots as our image: the stack functions and variables
    that the rest of apps/net_demo (app, driver, port, kernel) uses, read
    from our -Os build's objects, plus ethernet_input (our driver hands
    frames to tcpip_input, lwIP's tcpip_input to ethernet_input);
 4. prints, per object, lwIP's linked code (.text + .rodata, from the map)
    beside ours, and the totals without DHCP, DNS, AutoIP/ACD and netdb,
    as bench_api.py reports ours.

usage: lwip_reference_size.py LWIP_DIR [--ours build/lm3s6965evb-os-lwipchecks]

Needs our build first (make APP=net_demo TRACE=0 OPT=-Os HOT_SRC=
CHECKS=lwip BUILD=build/lm3s6965evb-os-lwipchecks, which `make bench` and
`make test` do).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import size_report
import bench_api

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CFLAGS = ["-Os", "-mcpu=cortex-m3", "-mthumb", "-ffunction-sections", "-fdata-sections"]
# lwIP's files under src/: the core that every build has (also the iperf
# reference image's, tools/lwip_reference_iperf.py), then DHCP and DNS
# (with AutoIP or ACD, whichever the version has) and the API.
CORE_SOURCES = ["core/" + f for f in (
    "def.c", "inet_chksum.c", "init.c", "ip.c", "mem.c", "memp.c", "netif.c", "pbuf.c",
    "raw.c", "stats.c", "sys.c", "tcp.c", "tcp_in.c", "tcp_out.c", "timeouts.c", "udp.c")] + \
    ["core/ipv4/" + f for f in ("etharp.c", "icmp.c", "ip4.c", "ip4_addr.c", "ip4_frag.c")] + \
    ["netif/ethernet.c"]
SOURCES = CORE_SOURCES + ["core/dns.c"] + ["core/ipv4/" + f for f in (
    "dhcp.c", "acd.c", "autoip.c")] + ["api/" + f for f in (
        "api_lib.c", "api_msg.c", "err.c", "netbuf.c", "netdb.c", "sockets.c", "tcpip.c")]
# The port both reference tools use: arch/cc.h and arch/sys_arch.h.
PORT = os.path.join(ROOT, "tools", "lwip_ref")
APART = {"dhcp.o", "dns.o", "acd.o", "autoip.o", "netdb.o"}
EXTRA_ROOTS = ["ethernet_input"]

# netglass's values (include/lwip/opt.h, apps/net_demo/lwipopts.h) of the
# options that change what lwIP compiles.
OPTIONS = """
#define NO_SYS 0
#define LWIP_TCPIP_CORE_LOCKING 0
#define SYS_LIGHTWEIGHT_PROT 1
#define MEM_ALIGNMENT 4
#define MEM_SIZE 8192
#define MEMP_OVERFLOW_CHECK 0
#define MEMP_NUM_PBUF 16
#define PBUF_POOL_SIZE 16
#define PBUF_POOL_BUFSIZE 512
#define MEMP_NUM_TCPIP_MSG_API 8
#define MEMP_NUM_TCPIP_MSG_INPKT 16
#define TCPIP_MBOX_SIZE 16
#define LWIP_ETHERNET 1
#define LWIP_ARP 1
#define ARP_TABLE_SIZE 8
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define SO_REUSE 1
#define LWIP_TCP 1
#define MEMP_NUM_TCP_PCB 16
#define MEMP_NUM_TCP_SEG 48
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
#define LWIP_COMPAT_SOCKETS 1
#define LWIP_POSIX_SOCKETS_IO_NAMES 1
#define MEMP_NUM_NETCONN 16
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_RCVBUF 1
#define LWIP_SOCKET_SELECT 1
#define LWIP_SOCKET_POLL 1
#define DEFAULT_TCP_RECVMBOX_SIZE 8
#define DEFAULT_UDP_RECVMBOX_SIZE 6
#define DEFAULT_RAW_RECVMBOX_SIZE 4
#define DEFAULT_ACCEPTMBOX_SIZE 4
#define LWIP_DHCP 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_DNS 1
#define DNS_TABLE_SIZE 4
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define LWIP_ERRNO_STDINCLUDE 1
"""


def roots(ours_build):
    """Stack symbols the rest of our net_demo image uses (its app, port,
    driver, kernel objects' undefined symbols that net/ or api/ defines)."""
    obj = os.path.join(ours_build, "obj", "net_demo")
    stack, rest = [], []
    for d, _, files in os.walk(obj):
        for f in files:
            if f.endswith(".o"):
                p = os.path.join(d, f)
                top = os.path.relpath(p, obj).split(os.sep)[0]
                (stack if top in ("net", "api") else rest).append(p)
    if not stack or not rest:
        raise SystemExit("lwip_reference_size.py: %s has no net_demo objects: build it first "
                         "(see --help)" % os.path.relpath(obj, ROOT))
    nm = ["arm-none-eabi-nm", "--defined-only"]
    defined = set()
    for line in subprocess.run(nm + stack, stdout=subprocess.PIPE, text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDRB":
            defined.add(f[2])
    used = set()
    out = subprocess.run(["arm-none-eabi-nm", "-u"] + rest, stdout=subprocess.PIPE, text=True)
    for line in out.stdout.splitlines():
        f = line.split()
        if f and f[0] == "U":
            used.add(f[1])
    return sorted((defined & used) | set(EXTRA_ROOTS))


def build_lwip(lwip, work, noassert):
    """Compile lwIP into work/obj; return the object paths. Our options'
    lwipopts.h goes first on the include path, before the port's folder
    (which has the iperf image's lwipopts.h)."""
    opts = os.path.join(work, "opts")
    os.makedirs(opts, exist_ok=True)
    with open(os.path.join(opts, "lwipopts.h"), "w") as f:
        f.write(OPTIONS + ("#define LWIP_NOASSERT\n" if noassert else ""))
    objdir = os.path.join(work, "obj")
    os.makedirs(objdir, exist_ok=True)
    objs = []
    for s in SOURCES:
        src = os.path.join(lwip, "src", s)
        if not os.path.exists(src):
            continue            # autoip.c or acd.c: one or the other per lwIP version
        o = os.path.join(objdir, os.path.basename(s)[:-2] + ".o")
        cmd = ["arm-none-eabi-gcc"] + CFLAGS + ["-I" + opts, "-I" + PORT,
                                                 "-I" + os.path.join(lwip, "src", "include"),
                                                 "-c", src, "-o", o]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise SystemExit("lwip_reference_size.py: %s did not compile:\n%s" % (s, p.stdout[-2000:]))
        objs.append(o)
    return objs


def linked_sizes(objs, keep, work):
    """{object: .text + .rodata bytes} after ld -r --gc-sections from `keep`."""
    mapfile = os.path.join(work, "lwip.map")
    cmd = ["arm-none-eabi-ld", "-r", "--gc-sections", "-Map", mapfile,
           "-o", os.path.join(work, "lwip.o")]
    for r in keep:
        cmd += ["-u", r]
    p = subprocess.run(cmd + objs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise SystemExit("lwip_reference_size.py: the link failed:\n" + p.stdout[-2000:])
    sizes = {}
    for sec, addr, size, path in size_report.map_entries(open(mapfile).read().splitlines()):
        m = re.search(r"([^/]+\.o)$", path)
        if sec.startswith((".text", ".rodata")) and m and size:
            sizes[m.group(1)] = sizes.get(m.group(1), 0) + size
    return sizes


def core(sizes, apart):
    return sum(v for k, v in sizes.items() if k not in apart)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lwip", help="an lwIP 2.2.1 source tree (with src/core, src/api)")
    ap.add_argument("--ours", default=os.path.join("build", "lm3s6965evb-os-lwipchecks"),
                    help="our -Os TRACE=0 build to compare with (default: %(default)s)")
    a = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(a.lwip, "src", "core")):
        ap.error("%s is not an lwIP source tree (no src/core)" % a.lwip)
    ours_build = os.path.join(ROOT, a.ours) if not os.path.isabs(a.ours) else a.ours
    keep = roots(ours_build)
    ours = {k.split("/")[1]: v for k, v in
            bench_api.stack_code(os.path.join(ours_build, "net_demo.map"), "net_demo").items()}
    with tempfile.TemporaryDirectory() as work:
        noassert = linked_sizes(build_lwip(a.lwip, os.path.join(work, "n"), True), keep,
                                os.path.join(work, "n"))
        asserts = linked_sizes(build_lwip(a.lwip, os.path.join(work, "a"), False), keep,
                               os.path.join(work, "a"))
    print("lwIP (%s) at -Os, linked from the %d symbols our net_demo uses; ours: %s"
          % (os.path.basename(os.path.abspath(a.lwip)), len(keep), a.ours))
    print("%-16s %8s %8s %8s" % ("object", "lwIP", "ours", "ours-lwIP"))
    names = sorted(set(noassert) | set(ours), key=lambda k: -(ours.get(k, 0) - noassert.get(k, 0)))
    for k in names:
        print("%-16s %8d %8d %+8d" % (k, noassert.get(k, 0), ours.get(k, 0),
                                      ours.get(k, 0) - noassert.get(k, 0)))
    ours_apart = {"dhcp.o", "dns.o", "netdb.o"}
    print("without DHCP, DNS, ACD and netdb: lwIP %d bytes with LWIP_NOASSERT, %d with its "
          "assertion messages; ours %d (target <= %d)"
          % (core(noassert, APART), core(asserts, APART), core(ours, ours_apart),
             int(bench_api.LWIP_TARGET)))
    print("with them: lwIP %d / %d; ours %d" % (sum(noassert.values()), sum(asserts.values()),
                                               sum(ours.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
