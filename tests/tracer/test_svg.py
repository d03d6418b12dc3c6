"""The sequence diagram ("ngtrace svg")."""

import os
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import tracegen  # noqa: E402

NS = "{http://www.w3.org/2000/svg}"


def groups(root, cls):
    return [g for g in root.iter(NS + "g") if g.get("class") == cls]


def title(g):
    t = g.find(NS + "title")
    return t.text if t is not None else ""


class SvgTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        w = tracegen.TraceWriter(cpu_hz=1_000_000)
        w.sync(0)
        w.name(1, "THREAD", "producer")
        w.name(2, "THREAD", "consumer")
        w.name(3, "MBOX", "q<&>")
        w.switch(2, 0, dt=1)                                     # t=1
        w.record("MBOX_WAIT", dt=1, mbox=3, timeout=0)           # 2
        w.switch(1, 2, "BLOCKED", dt=1)                          # 3: consumer blocked
        w.record("MBOX_POST", dt=10, mbox=3, msg=0x100)          # 13
        w.record("MBOX_POST", dt=10, mbox=3, msg=0x200)          # 23
        w.record("MBOX_FULL", dt=10, mbox=3, msg=0x300)          # 33
        w.switch(2, 1, "READY", dt=10)                           # 43: consumer runs
        w.record("MBOX_FETCH", dt=1000, mbox=3, msg=0x100)       # 1043: 1.03 ms after post
        w.record("MBOX_FETCH", dt=10, mbox=3, msg=0x200)         # 1053
        w.record("MBOX_WAIT", dt=10, mbox=3, timeout=5)          # 1063
        w.switch(1, 2, "BLOCKED", dt=1)
        w.record("ISR_ENTER", dt=5, irq=15)
        w.record("MBOX_TRYPOST", dt=5, mbox=3, msg=0x400)        # from the ISR
        w.record("ISR_EXIT", dt=5, irq=15)
        w.switch(2, 1, "READY", dt=1)
        w.record("MBOX_TIMEOUT", dt=1, mbox=3)
        w.record("MBOX_FETCH", dt=1, mbox=3, msg=0x500)          # never posted
        w.record("END", dt=1)
        self.w = w
        self.trace = self.path("t.ngt")
        w.write(self.trace)

    def render(self, *extra):
        out = self.path("d.svg")
        status, stdout, err = helpers.run_cli("svg", self.trace, "-o", out, *extra)
        self.assertEqual(status, 0, err)
        with open(out, encoding="utf-8") as f:
            text = f.read()
        return ET.fromstring(text), text

    def test_well_formed_with_lanes_and_arrows(self):
        root, text = self.render()
        self.assertEqual(root.tag, NS + "svg")
        self.assertTrue(text.startswith("<?xml"))
        texts = [t.text for t in root.iter(NS + "text")]
        for lane in ("producer", "consumer", "q<&>", "isr:SysTick"):
            self.assertIn(lane, texts)
        self.assertIn("q&lt;&amp;&gt;", text)          # escaped in the file
        posts = groups(root, "post")
        self.assertEqual(len(posts), 3)                 # 2 posts + 1 trypost
        self.assertEqual(len(groups(root, "fetch")), 3)
        self.assertEqual(len(groups(root, "full")), 1)
        self.assertEqual(len(groups(root, "timeout")), 1)
        self.assertEqual(len(groups(root, "wait")), 2)
        self.assertEqual(len(groups(root, "switch")), 5)
        for g in posts + groups(root, "fetch"):
            self.assertIsNotNone(g.find(NS + "line").get("marker-end"))
        self.assertIn("0x00000100", texts)
        titles = [title(g) for g in posts]
        self.assertIn("fetched 1.03 ms later by consumer", titles[0])
        self.assertIn("fetched 1.03 ms later by consumer", titles[1])
        self.assertIn("isr:SysTick posted (trypost) 0x00000400", titles[2])
        self.assertIn("not fetched in this trace", titles[2])
        fetch_titles = [title(g) for g in groups(root, "fetch")]
        self.assertIn("posted 1.03 ms earlier by producer", fetch_titles[0])
        self.assertIn("its post is not in the trace", fetch_titles[2])
        self.assertIn("mailbox full", title(groups(root, "full")[0]))
        # blocked intervals: consumer twice
        blocked = [r for g in groups(root, "blocked") for r in g.iter(NS + "rect")]
        self.assertEqual(len(blocked), 2)
        self.assertTrue(all("consumer blocked" in r.find(NS + "title").text for r in blocked))
        self.assertIn("from 2.000 µs until 43.000 µs", blocked[0].find(NS + "title").text)

    def test_max_rows(self):
        root, text = self.render("--max-rows", "4")
        rows = sum(len(groups(root, c)) for c in ("post", "fetch", "full", "switch",
                                                 "wait", "timeout"))
        self.assertEqual(rows, 4)
        self.assertIn("11 more rows left out (--max-rows 4)", text)
        # the fetch is not drawn, but the post still knows about it
        self.assertIn("fetched 1.03 ms later by consumer", title(groups(root, "post")[0]))

    def test_window(self):
        root, text = self.render("--from-us", "10", "--to-us", "1050")
        self.assertEqual(len(groups(root, "post")), 2)
        self.assertEqual(len(groups(root, "fetch")), 1)
        self.assertEqual(len(groups(root, "switch")), 1)
        self.assertIn("window 10.000 .. 1050.000 µs", text)
        # matching still sees the whole trace
        self.assertIn("fetched 1.03 ms later", title(groups(root, "post")[1]))
        # consumer was blocked before the window began: shaded from the top
        blocked = [r for g in groups(root, "blocked") for r in g.iter(NS + "rect")]
        self.assertEqual(len(blocked), 1)

    def test_empty_window(self):
        root, text = self.render("--from-us", "99999999")
        self.assertIn("no mailbox, wait or switch events", text)

    def test_bad_options(self):
        out = self.path("x.svg")
        for extra, needle in ((["--max-rows", "0"], "--max-rows"),
                              (["--max-rows", "x"], "--max-rows"),
                              (["--from-us", "-1"], "--from-us"),
                              (["--from-us", "5", "--to-us", "1"], "after --to-us")):
            status, _o, err = helpers.run_cli("svg", self.trace, "-o", out, *extra)
            self.assertOneLineError(status, err, needle)
        self.assertFalse(os.path.exists(out))
        status, _o, err = helpers.run_cli("svg", self.trace)
        self.assertOneLineError(status, err, "-o")
        status, _o, err = helpers.run_cli("svg", self.trace, "-o",
                                          self.path("no/such/dir/x.svg"))
        self.assertOneLineError(status, err, "cannot write")


if __name__ == "__main__":
    unittest.main()
