"""ngtrace profile: busy time per context and per layer (self time), the
idle thread counted apart, interrupts charged to themselves, and the
instructions-per-KiB arithmetic."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import tracegen  # noqa: E402
from ngtracelib import profile as profile_mod  # noqa: E402
from ngtracelib.reader import Trace  # noqa: E402

T_MAIN, T_IDLE, T_TCPIP = 1, 2, 3


class ProfileTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        w = tracegen.TraceWriter(cpu_hz=12_500_000)
        w.sync(1000)
        w.name(T_MAIN, "THREAD", "main", addr=0x20000100)
        w.name(T_IDLE, "THREAD", "idle", addr=0x20000200)
        w.name(T_TCPIP, "THREAD", "tcpip_thread", addr=0x20000300)
        w.switch(T_TCPIP, 0, "READY")                       # tcpip_thread runs ...
        w.record("LAYER_ENTER", dt=10, fn="tcp_input")      # 10 outside any layer
        w.record("LAYER_ENTER", dt=20, fn="tcp_receive")    # 20 in tcp_input
        w.record("LAYER_EXIT", dt=30, fn="tcp_receive")     # 30 in tcp_receive
        w.record("ISR_ENTER", dt=5, irq=15)                 # 5 more in tcp_input
        w.record("ISR_EXIT", dt=7, irq=15)                  # 7 in SysTick
        w.record("LAYER_EXIT", dt=40, fn="tcp_input")       # 40 more in tcp_input
        w.switch(T_IDLE, T_TCPIP, "BLOCKED", dt=3)          # 3 outside
        w.record("ISR_ENTER", dt=1000, irq=15)              # idle: 1000
        w.record("ISR_EXIT", dt=7, irq=15)                  # 7 in SysTick
        w.switch(T_MAIN, T_IDLE, "READY", dt=100)           # idle: 100
        w.record("END", dt=50, status=0)                    # main: 50
        self.trace = self.path("p.ngt")
        w.write(self.trace)

    def test_split(self):
        busy, idle, ctx, layers = profile_mod.profile(Trace(self.trace))
        self.assertEqual(idle, 1100)
        self.assertEqual(ctx["tcpip_thread"], 10 + 20 + 30 + 5 + 40 + 3)
        self.assertEqual(ctx["isr:SysTick"], 14)
        self.assertEqual(ctx["main"], 50)
        self.assertNotIn("idle", ctx)
        self.assertEqual(busy, 108 + 14 + 50)
        self.assertEqual(layers[("tcpip_thread", "tcp_input")], 20 + 5 + 40)
        self.assertEqual(layers[("tcpip_thread", "tcp_receive")], 30)
        self.assertEqual(layers[("tcpip_thread", "-")], 13)
        self.assertEqual(layers[("isr:SysTick", "-")], 14)

    def test_cli_per_kib_in_instructions(self):
        # -icount shift=0 with a 12.5 MHz trace clock: 80 instructions a cycle.
        status, out, err = helpers.run_cli("profile", self.trace, "--per-kib", "2",
                                           "--icount-shift", "0")
        self.assertEqual(status, 0, err)
        self.assertIn("busy %d instructions, idle %d" % (172 * 80, 1100 * 80), out)
        self.assertIn("per KiB: %d instructions busy" % (172 * 80 // 2), out)
        self.assertRegex(out, r"tcpip_thread\s+tcp_input\s+37\.8%%\s+%d" % (65 * 80 // 2))

    def test_bad_arguments(self):
        status, _, err = helpers.run_cli("profile", self.trace, "--per-kib", "0")
        self.assertEqual(status, 2)
        self.assertIn("must be more than 0", err)
        status, _, err = helpers.run_cli("profile", self.path("missing.ngt"))
        self.assertNotEqual(status, 0)
        self.assertNotIn("Traceback", err)


if __name__ == "__main__":
    unittest.main()
