"""tests/qemu/qemu.py - boot a netglass image in QEMU and collect what it did.

Shared by the QEMU tests: runs qemu-system-arm on the lm3s6965evb board with
semihosting (so the image can read its arguments, write its trace and exit
with a status), in a temporary directory, with a hard time limit, and
returns the exit status, the console text and the trace bytes.
"""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build", "lm3s6965evb")
NGTRACE = os.path.join(ROOT, "tracer", "ngtrace")


def elf_path(app, board="lm3s6965evb"):
    return os.path.join(ROOT, "build", board, app + ".elf")


def require_elf(testcase, app, board="lm3s6965evb"):
    path = elf_path(app, board)
    if not os.path.exists(path):
        raise unittest.SkipTest(f"{path} is not built: run `make test`, which builds it")
    return path


class Run:
    """The outcome of one boot."""

    def __init__(self, status, console, stderr, trace, workdir):
        self.status = status
        self.console = console
        self.stderr = stderr
        self.trace = trace
        self.workdir = workdir


def boot(app, args=(), icount=True, timeout=60, extra=(), trace_name="trace.bin",
         keep_dir=None):
    """Boot build/lm3s6965evb/<app>.elf with semihosting arguments `args`."""
    elf = elf_path(app)
    workdir = keep_dir or tempfile.mkdtemp(prefix="ngq-")
    sh_args = ",".join(["enable=on", "target=native", "arg=" + app] +
                       ["arg=" + a.replace(",", ",,") for a in args])
    cmd = ["qemu-system-arm", "-M", "lm3s6965evb", "-nographic", "-no-reboot",
           "-semihosting-config", sh_args, "-kernel", elf]
    if icount:
        cmd[1:1] = ["-icount", "shift=0,sleep=off"]
    cmd += list(extra)
    try:
        p = subprocess.run(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"QEMU did not exit within {timeout} s: {' '.join(cmd)}") from e
    trace_path = os.path.join(workdir, trace_name)
    trace = None
    if os.path.exists(trace_path):
        with open(trace_path, "rb") as f:
            trace = f.read()
    console = p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    run = Run(p.returncode, console, p.stderr.decode("utf-8", "replace"), trace, workdir)
    if keep_dir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return run


class LiveBoard:
    """One boot that keeps running while the test talks to it (plain QEMU
    or -icount, on a network back end): cmd is QEMU's whole command line;
    a thread reads the console line by line as it comes, so the test can
    wait for a line (wait_line) while it drives the board from the host."""

    def __init__(self, cmd, prefix="ngq-"):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.lines = []             # console lines; None after the last one
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.booted = time.monotonic()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)     # end of output
            self.cond.notify_all()

    def console(self):
        with self.cond:
            return "\n".join(l for l in self.lines if l is not None) + "\n"

    def wait_line(self, pattern, timeout):
        """The match of the first console line matching pattern (a regex),
        or None when the timeout passes or QEMU's output ends first."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if line is None:
                        return None
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def finish(self, timeout):
        """Wait for QEMU to exit: (status, console); kills it on timeout
        and gives None for the status then."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.reader.join(5)
            return None, self.console()
        self.reader.join(5)
        return self.proc.returncode, self.console()

    def close(self, keep_dir=False):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        self.proc.stdout.close()
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def addr2line(elf, addr):
    """Function name for a code address, via binutils."""
    p = subprocess.run(["arm-none-eabi-addr2line", "-f", "-e", elf, hex(addr)],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p.stdout.splitlines()[0] if p.stdout else "??"


def run(cmd, timeout=20, check=True):
    """Run a command (ip, ip netns exec ...) with its output captured; fail
    the test with that output when it fails and check is set."""
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stdout))
    return p


def dgram_netdev_args(qemu_port, peer_port, mac="52:54:00:12:34:56"):
    """QEMU's arguments that connect the board's MAC, over -netdev dgram on
    127.0.0.1, to a peer listening on peer_port (QEMU on qemu_port)."""
    return ["-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=%d,"
            "remote.type=inet,remote.host=127.0.0.1,remote.port=%d" % (qemu_port, peer_port),
            "-net", "nic,netdev=n0,model=stellaris,macaddr=%s" % mac]
