"""tools/benchlib.py - what the bench tools share: a free host port, one
`iperf -c` run, and just enough QMP to read QEMU's instruction count
(-icount).

Imported by tools/bench_tcp.py, tools/bench_api.py and
tools/lwip_reference_iperf.py (run from tools/, so the import finds this
file next to them).
"""
import json
import socket
import subprocess
import time


def free_port(kind=socket.SOCK_STREAM):
    """A port of 127.0.0.1 nobody listens on right now (for hostfwd)."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def iperf_client(port, secs):
    """`iperf -c 127.0.0.1 -p port -t secs` (iperf 2, CSV report): (the
    rate in Mbit/s, or None if iperf failed or reported none; the command;
    its output)."""
    cmd = ["iperf", "-c", "127.0.0.1", "-p", str(port), "-t", str(secs), "-y", "C"]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=secs + 60)
    rates = [int(l.split(",")[-1]) for l in p.stdout.splitlines() if l.count(",") >= 8]
    mbit = rates[-1] / 1e6 if rates and p.returncode == 0 else None
    return mbit, cmd, p.stdout


class Qmp:
    """Just enough QMP to read QEMU's instruction count (-icount): connects
    to QEMU's -qmp unix socket (retrying while QEMU starts), leaves
    capabilities negotiation, runs commands without arguments."""

    def __init__(self, path, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self.sock.settimeout(timeout)
        self.f = self.sock.makefile("rwb")
        json.loads(self.f.readline())           # the greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name):
        self.f.write(json.dumps({"execute": name}).encode() + b"\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError("QMP %s: %s" % (name, r["error"]))

    def icount(self):
        """Guest instructions executed so far (-icount only)."""
        return self.cmd("query-replay")["icount"]

    def close(self):
        self.sock.close()
