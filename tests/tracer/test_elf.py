"""ELF reading (symbols, build id, lookup) and the build id check of the
command line."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import tracegen  # noqa: E402
from ngtracelib.elf import Elf  # noqa: E402
from ngtracelib.errors import NgtraceError  # noqa: E402

BUILD_ID = "0123456789abcdef0123456789abcdef01234567"


class Elf32Test(helpers.TempDirTest):
    """A hand-built ARM ELF32, as arm-none-eabi-gcc makes for the board."""

    def make(self, **kw):
        path = self.path("fw32.elf")
        with open(path, "wb") as f:
            f.write(helpers.elf32([("msgs", 0x20000110, 32, 1),
                                   ("worker", 0x00000201, 28, 2),     # Thumb: bit 0 set
                                   ("tiny", 0x20000200, 0, 1),
                                   ("inner", 0x20000118, 4, 1)], **kw))
        return path

    def test_symbols_and_build_id(self):
        e = Elf(self.make(build_id=bytes.fromhex("deadbeef01")))
        self.assertEqual(e.elf_class, 32)
        self.assertEqual(e.build_id_hex, "deadbeef01")
        self.assertEqual(e.by_name["worker"].start, 0x200)
        self.assertEqual(e.by_name["msgs"].size, 32)
        self.assertEqual(e.lookup(0x20000110), "msgs")
        self.assertEqual(e.lookup(0x20000120), "msgs+0x10")
        self.assertEqual(e.lookup(0x2000012F), "msgs+0x1f")
        self.assertIsNone(e.lookup(0x20000130))
        self.assertEqual(e.lookup(0x20000118), "inner")      # the innermost symbol
        self.assertEqual(e.lookup(0x20000200), "tiny")       # size 0: exact address only
        self.assertIsNone(e.lookup(0x20000201))
        self.assertEqual(e.lookup(0x201), "worker")           # Thumb function pointer
        self.assertEqual(e.lookup(0x200), "worker")
        self.assertEqual(e.lookup(0x211), "worker+0x10")
        self.assertIsNone(e.lookup(0x100))

    def test_no_build_id(self):
        self.assertIsNone(Elf(self.make()).build_id)

    def test_build_id_check_via_cli(self):
        elf = self.make(build_id=bytes.fromhex("deadbeef01"))
        for bid, ok in ((bytes.fromhex("deadbeef01"), True), (bytes.fromhex("deadbeef02"), False)):
            w = tracegen.TraceWriter(build_id=bid)
            w.sync(0)
            w.record("MBOX_POST", dt=1, mbox=1, msg=0x20000120)
            w.record("END")
            trace = self.path("t.ngt")
            w.write(trace)
            status, out, err = helpers.run_cli("list", trace, "--elf", elf)
            if ok:
                self.assertEqual(status, 0, err)
                self.assertIn("msg=0x20000120 <msgs+0x10>", out)
            else:
                self.assertOneLineError(status, err, "build id mismatch", "deadbeef01",
                                        "deadbeef02")
                self.assertEqual(out, "")

    def test_not_an_elf(self):
        path = self.path("x.elf")
        with open(path, "w") as f:
            f.write("int main;\n")
        with self.assertRaises(NgtraceError) as cm:
            Elf(path)
        self.assertIn("not an ELF file", str(cm.exception))

    def test_truncated_elf(self):
        data = helpers.read_bytes(self.make(build_id=b"1234"))
        path = self.path("cut.elf")
        for cut in (4, 20, 60, len(data) - 30):
            with open(path, "wb") as f:
                f.write(data[:cut])
            with self.assertRaises(NgtraceError):
                Elf(path)

    def test_big_endian_refused(self):
        data = bytearray(helpers.read_bytes(self.make()))
        data[5] = 2
        path = self.path("be.elf")
        with open(path, "wb") as f:
            f.write(data)
        with self.assertRaises(NgtraceError) as cm:
            Elf(path)
        self.assertIn("little-endian", str(cm.exception))


class CompiledElfTest(helpers.TempDirTest):
    """An ELF64 from the system cc, with a known build id."""

    def setUp(self):
        super().setUp()
        self.elf_path = helpers.compile_elf(self.tmp, BUILD_ID)
        if self.elf_path is None:
            self.skipTest("no cc on this machine: cannot build an ELF test input")
        self.elf = Elf(self.elf_path)

    def trace(self, build_id, msg_offset=0x10):
        msgs = self.elf.by_name["msgs"].start
        worker = self.elf.by_name["worker"].start
        w = tracegen.TraceWriter(build_id=build_id)
        w.sync(0)
        w.name(1, "MBOX", "rx_mbox", addr=msgs)
        w.record("MBOX_POST", dt=1, mbox=1, msg=msgs + msg_offset)
        w.record("TIMER_FIRE", dt=1, handler=worker, arg=0x7)
        w.record("END")
        path = self.path("t.ngt")
        w.write(path)
        return path

    def test_reads_cc_output(self):
        e = self.elf
        self.assertIn(e.elf_class, (32, 64))
        self.assertEqual(e.build_id_hex, BUILD_ID)
        self.assertEqual(e.by_name["msgs"].size, 32)
        self.assertEqual(e.by_name["rx_buf"].size, 100)
        self.assertFalse(e.by_name["msgs"].is_func)
        m = e.by_name["msgs"].start
        self.assertEqual(e.lookup(m), "msgs")
        self.assertEqual(e.lookup(m + 0x10), "msgs+0x10")
        self.assertEqual(e.lookup(e.by_name["worker"].start), "worker")

    def test_listing_resolves_symbols(self):
        path = self.trace(bytes.fromhex(BUILD_ID))
        m = self.elf.by_name["msgs"].start
        status, out, err = helpers.run_cli("list", path, "--elf", self.elf_path)
        self.assertEqual(status, 0, err)
        self.assertIn("msg=0x%08x <msgs+0x10>" % (m + 0x10), out)
        self.assertIn("addr=0x%08x <msgs>" % m, out)
        self.assertIn("handler=0x%08x <worker>" % self.elf.by_name["worker"].start, out)
        self.assertIn("arg=0x00000007\n", out)
        status, out, err = helpers.run_cli("info", path, "--elf", self.elf_path)
        self.assertEqual(status, 0, err)
        self.assertIn("build id matches", out)
        self.assertIn("build id:         %s" % BUILD_ID, out)

    def test_build_id_mismatch(self):
        path = self.trace(bytes.fromhex("aa" * 20))
        for cmd in (["list", path], ["info", path], ["svg", path, "-o", self.path("x.svg")]):
            status, out, err = helpers.run_cli(*(cmd + ["--elf", self.elf_path]))
            self.assertOneLineError(status, err, "build id mismatch", BUILD_ID, "aa" * 20)
            self.assertEqual(out, "")
        self.assertFalse(os.path.exists(self.path("x.svg")))

    def test_trace_without_build_id_warns(self):
        path = self.trace(b"")
        status, out, err = helpers.run_cli("list", path, "--elf", self.elf_path)
        self.assertEqual(status, 0, err)
        self.assertIn("ngtrace: warning: the trace has no build id", err)
        self.assertIn("<msgs+0x10>", out)

    def test_elf_without_build_id(self):
        path = self.trace(bytes.fromhex(BUILD_ID))
        elf = self.path("nobid.elf")
        with open(elf, "wb") as f:
            f.write(helpers.elf32([("msgs", 0x20000110, 32, 1)]))
        status, _out, err = helpers.run_cli("list", path, "--elf", elf)
        self.assertOneLineError(status, err, "has no GNU build id")

    def test_not_an_elf_via_cli(self):
        path = self.trace(bytes.fromhex(BUILD_ID))
        status, _out, err = helpers.run_cli("list", path, "--elf", path)
        self.assertOneLineError(status, err, "not an ELF file")
        status, _out, err = helpers.run_cli("list", path, "--elf", self.path("missing.elf"))
        self.assertOneLineError(status, err, "cannot read ELF")


if __name__ == "__main__":
    unittest.main()
