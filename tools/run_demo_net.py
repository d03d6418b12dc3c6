#!/usr/bin/env python3
"""tools/run_demo_net.py - what `make run` does with the network demo
(apps/net_demo, the default app of tools/run_demo.sh).

1. Opens the host's side of the board's client flows on 127.0.0.1: a TCP
   echo listener and a UDP echo listener (the board reaches them as
   10.0.2.2:PORT through slirp) and a small DNS resolver on port 53 when it
   can have it (root), answering demo.netglass.test with 192.0.2.7.
2. Boots build/lm3s6965evb/net_demo.elf in QEMU (plain: the host drives it
   in real time) with slirp forwarding free ports of 127.0.0.1 to the
   board's HTTP (80), echo (7, TCP and UDP) and chargen (19) ports, the
   trace written to out/trace.bin.
3. Once the board serves, drives its servers a little: two HTTP requests
   (the statistics page is saved as out/stats.html and out/stats.json), a
   TCP and a UDP echo, some chargen lines. Little, so that the trace stays
   small enough to read.
4. When the board has stopped at its time limit: out/trace.txt (the
   listing), out/net_demo.pcapng (the frames with the trace records as
   comments), one sequence diagram per socket call of the board's client
   thread in out/flows/ (socket, connect, send, recv, close, sendto,
   recvfrom ...: the flows of design.md section 1), out/console.txt and
   out/summary.txt; and prints what happened and where the files are.

usage: run_demo_net.py [OUT]   (default out/)
"""
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ELF = os.path.join(ROOT, "build", "lm3s6965evb", "net_demo.elf")
NGTRACE = os.path.join(ROOT, "tracer", "ngtrace")
LIMIT = 10                  # seconds the board runs
LOOKUP, LOOKUP_ADDR = "demo.netglass.test", "192.0.2.7"


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tcp_echo_listener():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    s.settimeout(LIMIT + 30)

    def serve():
        try:
            c, _ = s.accept()
            c.settimeout(10)
            with c:
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    c.sendall(d)
        except OSError:
            pass
        s.close()
    threading.Thread(target=serve, daemon=True).start()
    return s.getsockname()[1]


def udp_echo_listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(LIMIT + 30)

    def serve():
        try:
            while True:
                d, peer = s.recvfrom(65536)
                s.sendto(d, peer)
        except OSError:
            pass
    threading.Thread(target=serve, daemon=True).start()
    return s.getsockname()[1]


def resolver():
    """A DNS server on 127.0.0.1:53 (RFC 1035 4.1), or None."""
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 53))
    except OSError:
        return None
    s.settimeout(LIMIT + 30)

    def serve():
        try:
            while True:
                q, peer = s.recvfrom(512)
                if len(q) < 17:
                    continue
                off, labels = 12, []
                while q[off]:
                    labels.append(q[off + 1:off + 1 + q[off]].decode("ascii", "replace"))
                    off += 1 + q[off]
                off += 5
                name = ".".join(labels).lower()
                question = q[12:off]
                if name == LOOKUP:
                    out = struct.pack("!HHHHHH", struct.unpack("!H", q[:2])[0], 0x8180, 1, 1, 0, 0)
                    out += question + struct.pack("!HHHIH", 0xc00c, 1, 1, 60, 4)
                    out += socket.inet_aton(LOOKUP_ADDR)
                else:
                    out = struct.pack("!HHHHHH", struct.unpack("!H", q[:2])[0], 0x8183, 1, 0, 0, 0)
                    out += question
                s.sendto(out, peer)
        except OSError:
            pass
    threading.Thread(target=serve, daemon=True).start()
    return s


def http_get(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: netglass\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), body


def drive(ports, out, log):
    """A little traffic at each server; what happened goes to log."""
    status, body = http_get(ports["http"], "/")
    with open(os.path.join(out, "stats.html"), "wb") as f:
        f.write(body)
    log.append(f"GET / -> {status}, {len(body)} bytes (saved as stats.html)")
    status, body = http_get(ports["http"], "/stats.json")
    with open(os.path.join(out, "stats.json"), "wb") as f:
        f.write(body)
    try:
        j = json.loads(body)
        log.append(f"GET /stats.json -> {status}: {len(j['tcp'])} TCP PCBs, "
                   f"{len(j['netconns'])} netconns, rx {j['netif']['rx_frames']} frames")
    except (ValueError, KeyError):
        log.append(f"GET /stats.json -> {status}, not JSON")
    with socket.create_connection(("127.0.0.1", ports["echo"]), timeout=10) as s:
        msg = b"hello, netglass\n"
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            d = s.recv(100)
            if not d:
                break
            got += d
        log.append(f"TCP echo: {'ok' if got == msg else 'wrong: %r' % got}")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(0.5)
    ok = False
    for _ in range(10):
        u.sendto(b"udp hello", ("127.0.0.1", ports["uecho"]))
        try:
            ok = u.recv(100) == b"udp hello"
            break
        except (socket.timeout, ConnectionRefusedError):
            time.sleep(0.2)
    u.close()
    log.append(f"UDP echo: {'ok' if ok else 'no answer'}")
    with socket.create_connection(("127.0.0.1", ports["chargen"]), timeout=10) as s:
        got = b""
        while got.count(b"\r\n") < 5:
            d = s.recv(1000)
            if not d:
                break
            got += d
        log.append("chargen: " + got.split(b"\r\n")[0][:40].decode("ascii", "replace") + " ...")


def ngtrace(*args):
    return subprocess.run([NGTRACE] + list(args), cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def main(argv):
    out = os.path.join(ROOT, argv[1] if len(argv) > 1 else "out")
    os.makedirs(out, exist_ok=True)
    flows = os.path.join(out, "flows")
    os.makedirs(flows, exist_ok=True)
    for f in os.listdir(flows):
        if f.endswith(".svg"):
            os.remove(os.path.join(flows, f))
    trace = os.path.join(out, "trace.bin")
    if os.path.exists(trace):
        os.remove(trace)

    echo_port, uecho_port = tcp_echo_listener(), udp_echo_listener()
    dns = resolver()
    ports, fwd = {}, []
    for name, proto, guest in (("http", "tcp", 80), ("echo", "tcp", 7), ("uecho", "udp", 7),
                               ("chargen", "tcp", 19)):
        ports[name] = free_port(socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
        fwd.append(f"hostfwd={proto}:127.0.0.1:{ports[name]}-:{guest}")
    args = ["net_demo", "trace=" + os.path.relpath(trace, ROOT), f"limit={LIMIT}",
            f"peer=10.0.2.2:{echo_port}", f"udppeer=10.0.2.2:{uecho_port}", "pings=2"]
    if dns is not None:
        args += [f"lookup={LOOKUP}", "dns=10.0.2.2"]
    cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
           "-semihosting-config", "enable=on,target=native," + ",".join("arg=" + a for a in args),
           "-kernel", ELF, "-netdev", "user,id=n0," + ",".join(fwd),
           "-net", "nic,netdev=n0,model=stellaris"]
    print(f"netglass: booting {os.path.relpath(ELF, ROOT)} in QEMU (lm3s6965evb, slirp) "
          f"for {LIMIT} s")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines = []
    serving = threading.Event()

    def read():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(line)
            if "net_demo: serving echo" in line:
                serving.set()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    log = []
    if serving.wait(30):
        try:
            drive(ports, out, log)
        except OSError as e:
            log.append(f"driving the servers failed: {e!r}")
    else:
        log.append("the board did not start its services within 30 s")
    try:
        status = proc.wait(timeout=LIMIT + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        status = proc.wait()
        log.append("QEMU did not stop by itself: killed")
    reader.join(5)
    console = "\n".join(lines) + "\n"
    with open(os.path.join(out, "console.txt"), "w") as f:
        f.write(console)

    print("\nnetglass: what the board did")
    for pattern in (r"net_demo: dhcp bound .*", r"net_demo: fallback .*",
                    r"net_demo: client: (connect|recv|recvfrom|getaddrinfo)[^\n]*",
                    r"net_demo: ping [\d.]+: \d+ sent.*", r"net_demo: client: done.*",
                    r"net_demo: (http|echo tcp|echo udp|chargen): \d+ [^\n]*",
                    r"net_demo: every pool.*", r"net_demo: pool .*", r"net_demo: done.*"):
        for m in re.finditer(pattern, console):
            print("  " + m.group(0).replace("net_demo: ", ""))
    print("netglass: what the host did")
    for l in log:
        print("  " + l)
    if dns is None:
        print("  (no DNS lookup: 127.0.0.1:53 could not be had for the scripted resolver)")
    if status != 0 or not os.path.exists(trace):
        print(f"netglass: the demo exited with status {status} (console: {out}/console.txt)",
              file=sys.stderr)
        return status or 1

    elf = ["--elf", ELF]
    with open(os.path.join(out, "trace.txt"), "w") as f:
        f.write(ngtrace("list", *elf, trace).stdout)
    ngtrace("pcapng", *elf, "-o", os.path.join(out, "net_demo.pcapng"), trace)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(ngtrace("info", *elf, trace).stdout)
    calls = ngtrace("calls", *elf, trace).stdout
    with open(os.path.join(out, "calls.txt"), "w") as f:
        f.write(calls)
    # The client's calls: the first of each kind per socket it opens (one
    # send of the sixteen the TCP flow makes is the send flow).
    drawn, seen, sockets = [], set(), 0
    for row in calls.splitlines():
        m = re.match(r"\s*(\d+)\s+client\s+(lwip_\w+|netconn_\w+)\(", row)
        if not m or m.group(2) in ("lwip_setsockopt", "lwip_getsockopt"):
            continue
        sockets += m.group(2) == "lwip_socket"
        if (sockets, m.group(2)) in seen:
            continue
        seen.add((sockets, m.group(2)))
        name = os.path.join(flows, f"{int(m.group(1)):03d}-{m.group(2)}.svg")
        if ngtrace("call", *elf, "-o", name, trace, m.group(1)).returncode == 0:
            drawn.append(os.path.basename(name))
    rel = os.path.relpath(out, ROOT)
    print("\nnetglass: wrote")
    print(f"  {rel}/trace.bin        the raw trace ({os.path.getsize(trace)} bytes)")
    print(f"  {rel}/trace.txt        the decoded listing")
    print(f"  {rel}/net_demo.pcapng  the frames, trace records as packet comments (wireshark)")
    print(f"  {rel}/calls.txt        every socket and netconn call of every thread")
    print(f"  {rel}/flows/           one sequence diagram per socket call of the client "
          f"thread: {len(drawn)}")
    for i in range(0, len(drawn), 3):
        print("      " + "  ".join(drawn[i:i + 3]))
    print(f"  {rel}/stats.html       the board's statistics page, as served")
    print(f"  {rel}/console.txt      the board's console; {rel}/summary.txt: counts, losses")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
