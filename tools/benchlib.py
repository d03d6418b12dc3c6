"""tools/benchlib.py - what the bench tools share: a free host port and
just enough QMP to read QEMU's instruction count (-icount).

Imported by tools/bench_tcp.py and tools/bench_api.py (run from tools/,
so the import finds this file next to them).
"""
import json
import socket
import time


def free_port(kind=socket.SOCK_STREAM):
    """A port of 127.0.0.1 nobody listens on right now (for hostfwd)."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


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
