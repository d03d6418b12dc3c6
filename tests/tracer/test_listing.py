"""The text listing ("ngtrace list") and the summary ("ngtrace info")."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import tracegen  # noqa: E402

BID = bytes.fromhex("c0ffee0042")


class ListingTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        self.elf = self.path("fw.elf")
        with open(self.elf, "wb") as f:
            f.write(helpers.elf32([("msgs", 0x20000110, 64, 1),
                                   ("tcpip_thread", 0x00000401, 100, 2)], build_id=BID))
        w = tracegen.TraceWriter(cpu_hz=1_000_000, tick_hz=100, build_id=BID)
        w.sync(1_000_000)                                   # 1 s
        w.name(1, "THREAD", "main", addr=0x20000100)
        w.name(2, "THREAD", "tcpip")
        w.name(3, "MBOX", "rx<mbox>")
        w.name(16 + 10, "IRQ", "eth")
        w.switch(1, 0, "READY", dt=1)
        w.record("THREAD_CREATE", dt=2, thread=2, prio=3, stack=1024, entry=0x401)
        w.record("MBOX_POST", dt=3, mbox=3, msg=0x20000120)
        w.record("ISR_ENTER", dt=4, irq=15)
        w.record("ISR_ENTER", dt=5, irq=16 + 10)
        w.record("ISR_EXIT", dt=6, irq=16 + 10)
        w.record("ISR_EXIT", dt=7, irq=15)
        w.record("ISR_ENTER", dt=1, irq=16 + 42)
        w.record("ISR_EXIT", dt=1, irq=16 + 42)
        w.record("MBOX_WAIT", dt=8, mbox=3, timeout=50)
        w.switch(2, 1, "BLOCKED", dt=9)
        w.record("MBOX_FETCH", dt=10, mbox=3, msg=0x20000120)
        w.record("THREAD_SLEEP", dt=11, thread=2, ticks=5)
        w.record("TIMER_ARM", dt=12, handler=0x12345678, due=250)
        w.record("OVERFLOW", dt=13, thread=2, lost=42, irq=0)
        w.record("SEM_SIGNAL", dt=14, sem=9, count=3, woke=0)
        w.record("UNNAME", dt=15, id=3)
        w.at(2_500_000, "END", status=3)
        self.w = w
        self.trace = self.path("t.ngt")
        w.write(self.trace, chunk_size=40)

    def test_lines(self):
        status, out, err = helpers.run_cli("list", self.trace, "--elf", self.elf)
        self.assertEqual(status, 0, err)
        lines = out.splitlines()
        want = [
            " 1000000.000  boot           SYNC             cycles_lo=1000000 cycles_hi=0",
            " 1000000.000  boot           NAME             id=main kind=THREAD len=4 "
            "addr=0x20000100 name=\"main\"",
            ' 1000000.000  boot           NAME             id=rx<mbox> kind=MBOX len=8 '
            'addr=0x00000000 name="rx<mbox>"',
            " 1000001.000  boot           THREAD_SWITCH    to=main from=none from_state=READY",
            " 1000003.000  main           THREAD_CREATE    thread=tcpip prio=3 stack=1024 "
            "entry=0x00000401 <tcpip_thread>",
            " 1000006.000  main           MBOX_POST        mbox=rx<mbox> msg=0x20000120 "
            "<msgs+0x10>",
            " 1000010.000  isr:SysTick    ISR_ENTER        irq=SysTick",
            " 1000015.000  isr:eth        ISR_ENTER        irq=eth",
            " 1000021.000  isr:eth        ISR_EXIT         irq=eth",
            " 1000028.000  isr:SysTick    ISR_EXIT         irq=SysTick",
            " 1000029.000  isr:irq42      ISR_ENTER        irq=irq42",
            " 1000038.000  main           MBOX_WAIT        mbox=rx<mbox> timeout=50ticks",
            " 1000047.000  main           THREAD_SWITCH    to=tcpip from=main from_state=BLOCKED",
            " 1000057.000  tcpip          MBOX_FETCH       mbox=rx<mbox> msg=0x20000120 "
            "<msgs+0x10>",
            " 1000068.000  tcpip          THREAD_SLEEP     thread=tcpip ticks=5ticks",
            " 1000080.000  tcpip          TIMER_ARM        handler=0x12345678 due=250ms",
            " 1000093.000  tcpip          OVERFLOW         thread=tcpip lost=42 irq=none",
            " 1000107.000  tcpip          SEM_SIGNAL       sem=#9 count=3 woke=none",
            " 1000122.000  tcpip          UNNAME           id=rx<mbox>",
            " 2500000.000  tcpip          END              status=3",
        ]
        for line in want:
            self.assertIn(line, lines)
        body = [ln for ln in lines if not ln.startswith("#")]
        self.assertEqual(len(body), len(self.w.record_words))
        footer = [ln for ln in lines if ln.startswith("#")]
        self.assertEqual(footer[0], "# records:      %d" % len(self.w.record_words))
        self.assertIn("# duration:     1500000.000 us (1000000.000 .. 2500000.000 us)", footer)
        per = 4 * len(self.w.words) / len(self.w.record_words)
        self.assertIn("# bytes/record: %.2f" % per, footer)
        self.assertIn("# lost records: 42 (in 1 OVERFLOW record)", footer)
        self.assertIn("# end:          END seen, exit status 3", footer)
        self.assertIn("ngtrace: warning:", err)
        self.assertIn("42 records lost", err)

    def test_without_elf_and_to_file(self):
        out_path = self.path("out.txt")
        status, out, err = helpers.run_cli("list", self.trace, "-o", out_path)
        self.assertEqual(status, 0, err)
        self.assertEqual(out, "")
        with open(out_path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("msg=0x20000120\n", text)
        self.assertNotIn("<msgs", text)
        status, out2, err = helpers.run_cli("list", self.trace)
        self.assertEqual(out2, text)

    def test_script_entry_point(self):
        status, out, err = helpers.run_script("list", self.trace)
        self.assertEqual(status, 0, err)
        self.assertIn("MBOX_FETCH", out)
        self.assertIn("ngtrace: warning:", err)

    def test_info(self):
        status, out, err = helpers.run_cli("info", self.trace, "--elf", self.elf)
        self.assertEqual(status, 0, err)
        self.assertIn("format version:   1", out)
        self.assertIn("cpu_hz:           1000000", out)
        self.assertIn("tick_hz:          100", out)
        self.assertIn("build id:         c0ffee0042", out)
        self.assertIn("build id matches", out)
        self.assertIn("records:          %d" % len(self.w.record_words), out)
        self.assertIn("duration:         1500000.000 us", out)
        self.assertIn("lost records:     42 (in 1 OVERFLOW record)", out)
        self.assertIn("end:              END seen, exit status 3", out)
        self.assertRegex(out, r"\n  ISR_ENTER\s+3\s+[\d.]+%\n")
        self.assertRegex(out, r"\n  NAME\s+4\s+[\d.]+%\n")
        self.assertRegex(out, r"\n  SYNC\s+2\s+[\d.]+%\n")

    def test_no_end(self):
        self.w.truncate(len(self.w.record_words) - 1)
        path = self.path("noend.ngt")
        self.w.write(path)
        status, out, err = helpers.run_cli("info", path)
        self.assertEqual(status, 0, err)
        self.assertIn("end:              no END record (the trace was cut short)", out)
        self.assertIn("ngtrace: warning:", err)
        self.assertIn("no END record", err)

class EnumAndBytesTest(helpers.TempDirTest):
    """Fields of an NG_ENUM type by name, "bytes" fields in hex."""

    def listing(self, build):
        w = tracegen.TraceWriter(cpu_hz=1_000_000)
        w.sync(0)
        w.name(7, "NETIF", "en0")
        build(w)
        w.record("END", dt=1)
        path = self.path("t.ngt")
        w.write(path)
        status, out, err = helpers.run_cli("list", path)
        self.assertEqual(status, 0, err)
        return [ln[14:].rstrip() for ln in out.splitlines()[2:-7]]

    def test_enum_names(self):
        layer = tracegen.parse_enums()["layer"]
        lines = self.listing(lambda w: (
            w.record("LAYER_ENTER", fn=layer["ip4_input"], arg=0x20000010),
            w.record("LAYER_EXIT", fn=layer["ip4_input"]),
            w.record("LAYER_ENTER", fn=250, arg=0),               # no such layer
            w.record("TCPIP_MSG", type="INPKT", msg=0x20000100, handler=0x401),
            w.record("PBUF_ALLOC", type=0x82, p=0x20000200, tot_len=1514, layer=14),
            w.record("PBUF_FREE", type=0x7f, p=0x20000200),      # no such type
            w.record("DROP", reason="IP_CHKSUM", arg=0x20000200)))
        self.assertEqual(lines, [
            "boot           LAYER_ENTER      fn=ip4_input arg=0x20000010",
            "boot           LAYER_EXIT       fn=ip4_input",
            "boot           LAYER_ENTER      fn=250 arg=0x00000000",
            "boot           TCPIP_MSG        type=INPKT msg=0x20000100 handler=0x00000401",
            "boot           PBUF_ALLOC       type=POOL p=0x20000200 tot_len=1514 layer=14",
            "boot           PBUF_FREE        type=127 p=0x20000200",
            "boot           DROP             reason=IP_CHKSUM arg=0x20000200"])

    def test_bytes_in_hex(self):
        data = bytes(range(0xa0, 0xa0 + 64))
        lines = self.listing(lambda w: (
            w.record("FRAME_RX", netif=7, len=0, orig_len=60, data=b""),
            w.record("FRAME_RX", netif=7, len=32, orig_len=32, data=data[:32]),
            w.record("FRAME_TX", netif=7, len=33, orig_len=1514, data=data[:33]),
            w.record("FRAME_TX", netif=7, len=64, orig_len=98, data=data)))
        h32 = data[:32].hex()
        self.assertEqual(lines, [
            "boot           FRAME_RX         netif=en0 len=0 orig_len=60 data=",
            "boot           FRAME_RX         netif=en0 len=32 orig_len=32 data=" + h32,
            "boot           FRAME_TX         netif=en0 len=33 orig_len=1514 data=%s..." % h32,
            "boot           FRAME_TX         netif=en0 len=64 orig_len=98 data=%s..." % h32])
        self.assertEqual(h32[:8], "a0a1a2a3")


if __name__ == "__main__":
    unittest.main()
