"""tests/qemu/test_boot.py - the platform on the emulated board.

Boots the mailbox demo and the fault demo on QEMU's lm3s6965evb and checks
what a user would: the console text, the exit status, that the trace file
is written (and is byte-identical across two runs under -icount), that
every deliberate failure exits with its own status naming the thread, and
that bad arguments are refused clearly.
"""
import os
import re
import subprocess
import unittest

from tests.qemu import qemu


class MailboxDemo(unittest.TestCase):
    def setUp(self):
        qemu.require_elf(self, "mailbox_demo")

    def test_boots_prints_and_exits_zero(self):
        r = qemu.boot("mailbox_demo")
        self.assertEqual(r.status, 0, r.console + r.stderr)
        self.assertIn("mailbox_demo: mailbox of 4", r.console)
        m = re.search(r"producer_b: (\d+) accepted, (\d+) refused", r.console)
        self.assertIsNotNone(m, r.console)
        self.assertEqual(int(m.group(1)) + int(m.group(2)), 12)
        self.assertGreater(int(m.group(2)), 0, "trypost never found the mailbox full")
        m = re.search(r"consumer: (\d+) fetched, (\d+) fetch timeouts, timer fired (\d+)",
                      r.console)
        self.assertIsNotNone(m, r.console)
        self.assertGreater(int(m.group(2)), 0)
        self.assertGreater(int(m.group(3)), 0)
        self.assertIn("mailbox_demo: ok", r.console)
        self.assertIsNotNone(r.trace, "no trace.bin in QEMU's working directory")
        self.assertEqual(r.trace[:4], b"NGTR")

    def test_two_icount_runs_give_identical_traces(self):
        a = qemu.boot("mailbox_demo")
        b = qemu.boot("mailbox_demo")
        self.assertEqual(a.status, 0)
        self.assertEqual(b.status, 0)
        self.assertGreater(len(a.trace), 1000)
        self.assertEqual(a.trace, b.trace, "two runs under -icount differ")

    def test_trace_argument_names_the_file(self):
        r = qemu.boot("mailbox_demo", ["trace=elsewhere.bin"], trace_name="elsewhere.bin")
        self.assertEqual(r.status, 0)
        self.assertIsNotNone(r.trace)
        self.assertEqual(r.trace[:4], b"NGTR")

    def test_trace_over_uart1(self):
        d = __import__("tempfile").mkdtemp(prefix="ngq-")
        r = qemu.boot("mailbox_demo", ["trace=uart"], keep_dir=d,
                      extra=["-serial", "mon:stdio", "-serial", "file:uart1.bin"])
        self.assertEqual(r.status, 0, r.console)
        with open(os.path.join(d, "uart1.bin"), "rb") as f:
            data = f.read()
        self.assertEqual(data[:4], b"NGTR")
        self.assertGreater(len(data), 1000)
        p = subprocess.run([qemu.NGTRACE, "info", os.path.join(d, "uart1.bin")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_time_limit_ends_a_forever_run_cleanly(self):
        r = qemu.boot("mailbox_demo", ["rounds=0", "limit=1"])
        self.assertEqual(r.status, 0, r.console)
        self.assertIn("time limit of 1 s reached", r.console)
        self.assertIn("mailbox_demo: ok", r.console)
        self.assertGreater(len(r.trace), 20000)

    def test_killed_run_loses_at_most_the_block_being_filled(self):
        """QEMU killed from outside: what reached the file decodes, and the
        file ends on a chunk boundary (the drain writes whole blocks)."""
        import signal
        import tempfile
        import time
        d = tempfile.mkdtemp(prefix="ngk-")
        elf = qemu.elf_path("mailbox_demo")
        p = subprocess.Popen(["qemu-system-arm", "-M", "lm3s6965evb", "-nographic",
                              "-semihosting-config",
                              "enable=on,target=native,arg=mailbox_demo,arg=rounds=0",
                              "-kernel", elf], cwd=d, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path = os.path.join(d, "trace.bin")
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                if os.path.exists(path) and os.path.getsize(path) > 16384:
                    break
                time.sleep(0.05)
        finally:
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=10)
        self.assertGreater(os.path.getsize(path), 16384, "the drain did not ship blocks")
        out = subprocess.run([qemu.NGTRACE, "info", path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("no END record", out.stderr)
        self.assertRegex(out.stdout, r"lost records:\s+0")

    def test_unknown_app_argument_is_refused(self):
        """A typo must not fall back to a default (limt=5 would run forever)."""
        r = qemu.boot("mailbox_demo", ["rounds=0", "limt=5"], timeout=30)
        self.assertEqual(r.status, 127, r.console)
        self.assertIn("unknown argument 'limt=5'; this app takes: rounds= limit=", r.console)

    def test_mask_is_hex(self):
        r = qemu.boot("mailbox_demo", ["mask=ff"])
        self.assertEqual(r.status, 0, r.console)
        for bad in ("mask=-1", "mask=1ffffffff"):
            with self.subTest(arg=bad):
                self.assertEqual(qemu.boot("mailbox_demo", [bad]).status, 127)

    def test_bad_board_argument_is_refused(self):
        r = qemu.boot("mailbox_demo", ["mask=zz"])
        self.assertEqual(r.status, 127)
        self.assertIn("bad argument 'mask=zz'", r.console)

    def test_tracing_compiled_out_still_runs(self):
        elf = qemu.elf_path("mailbox_demo", "lm3s6965evb-notrace")
        if not os.path.exists(elf):
            self.skipTest("build/lm3s6965evb-notrace/mailbox_demo.elf not built")
        p = subprocess.run(["qemu-system-arm", "-M", "lm3s6965evb", "-nographic",
                            "-semihosting-config",
                            "enable=on,target=native,arg=mailbox_demo,arg=trace=none",
                            "-kernel", elf], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"mailbox_demo: ok", p.stdout)
        nm = subprocess.run(["arm-none-eabi-nm", elf], stdout=subprocess.PIPE, text=True)
        self.assertNotIn("ng_trace_ring", nm.stdout, "the recorder is still linked in")


class Faults(unittest.TestCase):
    """Each failure has its own exit status and names the thread."""

    CASES = {
        "usage": (125, "UsageFault in thread 'crasher'"),
        "div0": (125, "UsageFault in thread 'crasher'"),
        "mem": (123, "MemManage in thread 'crasher'"),
        "hard": (122, "HardFault in thread 'crasher'"),
        "overflow": (121, "stack overflow in thread 'deep'"),
        "assert": (120, "assertion failed: fault_demo: deliberate assertion in thread "
                        "'crasher' at apps/fault_demo/main.c:"),
    }

    def setUp(self):
        self.elf = qemu.require_elf(self, "fault_demo")

    def test_no_fault_exits_zero(self):
        r = qemu.boot("fault_demo")
        self.assertEqual(r.status, 0, r.console)
        self.assertIn("nothing failed", r.console)

    def test_each_fault(self):
        for kind, (status, text) in self.CASES.items():
            with self.subTest(fault=kind):
                r = qemu.boot("fault_demo", ["fault=" + kind])
                self.assertEqual(r.status, status, r.console)
                self.assertIn(text, r.console)
                self.assertNotIn("survived", r.console)
                # The trace is flushed on the way out and ends with END.
                self.assertIsNotNone(r.trace)
                self.assertEqual(r.trace[:4], b"NGTR")

    def test_fault_pc_resolves_to_the_faulting_function(self):
        r = qemu.boot("fault_demo", ["fault=usage"])
        m = re.search(r"pc\s+0x([0-9a-f]{8})", r.console)
        self.assertIsNotNone(m, r.console)
        self.assertEqual(qemu.addr2line(self.elf, int(m.group(1), 16)), "crasher")


class HostBuild(unittest.TestCase):
    def test_host_demo_runs(self):
        elf = qemu.elf_path("mailbox_demo", "host")
        if not os.path.exists(elf):
            self.skipTest("build/host/mailbox_demo.elf not built")
        d = __import__("tempfile").mkdtemp(prefix="ngh-")
        p = subprocess.run([elf, "trace=host.bin"], cwd=d, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("mailbox_demo: ok", p.stdout)
        with open(os.path.join(d, "host.bin"), "rb") as f:
            self.assertEqual(f.read(4), b"NGTR")


if __name__ == "__main__":
    unittest.main()
