"""Shared helpers of the ngtrace tests: paths, running the command line
in-process or as a subprocess, temporary directories, and small ELF files
(compiled with the system cc, or built by hand as ELF32)."""

import contextlib
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRACER = os.path.join(ROOT, "tracer")
NGTRACE = os.path.join(TRACER, "ngtrace")
EVENTS_DEF = os.path.join(TRACER, "events.def")

for p in (TRACER, HERE):
    if p not in sys.path:
        sys.path.insert(0, p)

from ngtracelib import cli  # noqa: E402


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def run_cli(*args):
    """Run ngtrace in-process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main([str(a) for a in args])
        except SystemExit as e:
            status = e.code
    return status, out.getvalue(), err.getvalue()


def run_script(*args):
    """Run tracer/ngtrace as a subprocess: (status, stdout, stderr)."""
    r = subprocess.run([sys.executable, NGTRACE] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return r.returncode, r.stdout, r.stderr


class TempDirTest(unittest.TestCase):
    """A test case with a fresh temporary directory."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ngtrace-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def assertOneLineError(self, status, err, *needles):
        """Exit status 2, stderr a single ngtrace: error: line holding needles."""
        self.assertEqual(status, 2, err)
        self.assertNotIn("Traceback", err)
        errors = [ln for ln in err.splitlines() if ln.startswith("ngtrace: error: ")]
        self.assertEqual(len(errors), 1, err)
        others = [ln for ln in err.splitlines()
                  if ln and not ln.startswith(("ngtrace: error: ", "ngtrace: warning: "))]
        self.assertEqual(others, [], err)
        for n in needles:
            self.assertIn(n, errors[0])
        return errors[0]


# -- ELF inputs ------------------------------------------------------------

C_SOURCE = r"""
int msgs[8] = { 1, 2, 3 };
char rx_buf[100];
void worker(void) { rx_buf[0]++; }
int main(void) { worker(); return msgs[0]; }
"""


def compile_elf(tmp, build_id_hex, name="fw.elf"):
    """Compile C_SOURCE with cc and the given build id; None without cc."""
    cc = shutil.which("cc")
    if cc is None:
        return None
    src = os.path.join(tmp, "fw.c")
    with open(src, "w") as f:
        f.write(C_SOURCE)
    out = os.path.join(tmp, name)
    r = subprocess.run([cc, "-O0", "-o", out, src, "-Wl,--build-id=0x" + build_id_hex],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise AssertionError("cc failed: %s" % r.stderr)
    return out


def elf32(symbols, build_id=None, machine=40):
    """A minimal little-endian ELF32 file: .strtab, .symtab, .shstrtab and
    optionally .note.gnu.build-id.  symbols: (name, value, size, type) with
    type 1 OBJECT, 2 FUNC."""
    shstr = b"\0.strtab\0.symtab\0.shstrtab\0.note.gnu.build-id\0"
    strtab = b"\0"
    syms = b"\0" * 16
    for name, value, size, typ in symbols:
        syms += struct.pack("<IIIBBH", len(strtab), value, size, (1 << 4) | typ, 0, 1)
        strtab += name.encode() + b"\0"
    note = b""
    if build_id is not None:
        note = struct.pack("<III", 4, len(build_id), 3) + b"GNU\0" + build_id
        note += b"\0" * (-len(note) % 4)
    blobs = [strtab, syms, shstr, note]
    off = 52
    offsets = []
    for b in blobs:
        offsets.append(off)
        off += len(b) + (-len(b) % 4)
    shoff = off
    nsec = 5 if build_id is not None else 4
    ehdr = b"\x7fELF" + bytes([1, 1, 1]) + b"\0" * 9 + struct.pack(
        "<HHIIIIIHHHHHH", 2, machine, 1, 0, 0, shoff, 0, 52, 0, 0, 40, nsec, 3)
    body = b"".join(b + b"\0" * (-len(b) % 4) for b in blobs)

    def sh(name, typ, k, link=0, entsize=0):
        return struct.pack("<IIIIIIIIII", name, typ, 0, 0, offsets[k], len(blobs[k]),
                           link, 0, 4, entsize)
    shdrs = b"\0" * 40
    shdrs += sh(1, 3, 0)                    # .strtab
    shdrs += sh(9, 2, 1, link=1, entsize=16)  # .symtab
    shdrs += sh(17, 3, 2)                   # .shstrtab
    if build_id is not None:
        shdrs += sh(27, 7, 3)               # .note.gnu.build-id
    return ehdr + body + shdrs
