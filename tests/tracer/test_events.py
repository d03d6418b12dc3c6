"""The events table: parsing tracer/events.def, its grammar checks, the
signature, and "ngtrace events"."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import tracegen  # noqa: E402
from ngtracelib import events  # noqa: E402
from ngtracelib.errors import NgtraceError  # noqa: E402


class TableTest(unittest.TestCase):

    def setUp(self):
        self.table = events.load(helpers.EVENTS_DEF)
        self.classes, self.kinds, self.states, self.specs = tracegen.parse_events_def()

    def test_same_events_as_independent_parser(self):
        self.assertGreater(len(self.specs), 10)
        self.assertEqual([e.name for e in self.table.events], [s.name for s in self.specs])
        for s in self.specs:
            ev = self.table.by_name[s.name]
            self.assertEqual((ev.id, ev.nwords, ev.var, ev.cls),
                             (s.id, s.nwords, s.var, s.cls), s.name)
            self.assertIs(self.table.by_id[s.id], ev)
            self.assertEqual(sorted(ev.field_types), sorted(s.field_names()), s.name)
        self.assertEqual(self.table.classes, self.classes)
        self.assertEqual(self.table.kinds, self.kinds)
        self.assertEqual(self.table.states, self.states)

    def test_signature(self):
        self.assertEqual(self.table.signature, tracegen.signature(self.classes, self.specs))
        # by hand, for a two-event table
        a = events.Event("A", 1, "META", 0, 2, False, "- x:u32 y:u32", [], 1)
        b = events.Event("B", 0x30, "MBOX", 5, 1, True, "", [], 2)
        want = (((1 * 2654435761) & 0xFFFFFFFF) ^ (2 << 8)) + \
            (((0x30 * 2654435761) & 0xFFFFFFFF) ^ (1 << 8 | 5 << 16 | 1 << 24))
        self.assertEqual(events.compute_signature([a, b]), want & 0xFFFFFFFF)

    def test_comment_lines_are_not_events(self):
        # the comment at the top of events.def shows NG_EVENT(NAME, ID, ...)
        self.assertNotIn("NAME", [e.name for e in self.table.events if e.id == 0])
        self.assertTrue(all(1 <= e.id <= 255 for e in self.table.events))

    def test_packed_fields(self):
        ev = self.table.by_name["THREAD_SWITCH"]
        d = ev.decode(7, [0x0000_02_05], 0)
        self.assertEqual(d, {"to": 7, "from": 5, "from_state": 2})
        ev = self.table.by_name["SEM_SIGNAL"]
        self.assertEqual(ev.decode(3, [0x0009_1234], 0), {"sem": 3, "count": 0x1234, "woke": 9})
        ev = self.table.by_name["OVERFLOW"]
        self.assertEqual(ev.decode(2, [0x2A_000010], 0), {"thread": 2, "lost": 16, "irq": 42})
        ev = self.table.by_name["NAME"]
        self.assertTrue(ev.var)
        self.assertEqual(ev.len_field, "len")
        self.assertEqual(ev.str_field, "name")
        self.assertEqual(ev.decode(4, [0x0705, 0x20000100], 0),
                         {"id": 4, "kind": 5, "len": 7, "addr": 0x20000100})

    def test_unused_fields_are_skipped(self):
        ev = self.table.by_name["SYNC"]
        self.assertEqual(ev.decode(0x99, [5, 6], 0), {"cycles_lo": 5, "cycles_hi": 6})


class GrammarErrorTest(helpers.TempDirTest):

    def table_with(self, line):
        path = self.path("events.def")
        with open(helpers.EVENTS_DEF) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text + "\n" + line + "\n")
        return path

    def check_bad(self, line, needle):
        path = self.table_with(line)
        with self.assertRaises(NgtraceError) as cm:
            events.Table(path)
        self.assertIn(needle, str(cm.exception))
        self.assertIn(path + ":", str(cm.exception))

    def test_good_extra_event(self):
        path = self.table_with('NG_EVENT(APP_X, 0x7e, APP, 1, 0, "a:u8 b:u16|c:u8|d:u8")')
        t = events.Table(path)
        self.assertEqual(t.by_name["APP_X"].decode(1, [0x04030002], 0),
                         {"a": 1, "b": 2, "c": 3, "d": 4})
        self.assertNotEqual(t.signature, events.load(helpers.EVENTS_DEF).signature)

    def test_errors(self):
        self.check_bad('NG_EVENT(APP_X, 0x7e, APP, 2, 0, "a:u8 b:u32")', "field tokens")
        self.check_bad('NG_EVENT(APP_X, 0x7e, APP, 1, 0, "a:u8 b:u7")', "unknown type")
        self.check_bad('NG_EVENT(APP_X, 0x7e, APP, 1, 0, "a:u8 b:u24|c:u16")', "bits")
        self.check_bad('NG_EVENT(APP_X, 0x7e, APP, 0, 0, "a:u16")', "bits")
        self.check_bad('NG_EVENT(APP_X, 0x01, APP, 0, 0, "a:u8")', "already used")
        self.check_bad('NG_EVENT(APP_X, 0x00, APP, 0, 0, "a:u8")', "not in 1..255")
        self.check_bad('NG_EVENT(APP_X, 0x7e, NOPE, 0, 0, "a:u8")', "unknown class")
        self.check_bad('NG_EVENT(APP_X, 0x7e, APP, 0, VAR, "a:u8 s:str")', "len")
        self.check_bad('NG_EVENT(APP_X, 0x7e, APP, 0, 0, "a:u8 a:u8")', "field tokens")
        self.check_bad('NG_EVENT(APP_X, 0x7e, APP, 1, 0, "a:u8 a:u8")', "twice")
        self.check_bad('NG_EVENT(APP_X 0x7e)', "cannot parse")
        self.check_bad('garbage', "not an NG_")

    def test_missing_file(self):
        with self.assertRaises(NgtraceError) as cm:
            events.Table(self.path("nope.def"))
        self.assertIn("cannot read events table", str(cm.exception))


class EventsCommandTest(unittest.TestCase):

    def test_prints_every_event(self):
        status, out, err = helpers.run_cli("events")
        self.assertEqual(status, 0, err)
        table = events.load(helpers.EVENTS_DEF)
        lines = out.splitlines()
        for ev in table.events:
            row = [ln for ln in lines if ln.startswith("0x%02x  " % ev.id)]
            self.assertEqual(len(row), 1, ev.name)
            self.assertIn(ev.name, row[0])
            self.assertIn(ev.cls, row[0])
            self.assertIn(ev.fields_text, row[0])
        self.assertIn("signature 0x%08x" % table.signature, out)

class EnumTest(helpers.TempDirTest):
    """NG_ENUM lines, enum-typed fields, and the VAR data type bytes."""

    def table_with(self, *lines):
        path = self.path("events.def")
        with open(helpers.EVENTS_DEF) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text + "\n" + "\n".join(lines) + "\n")
        return path

    def check_bad(self, needle, *lines):
        with self.assertRaises(NgtraceError) as cm:
            events.Table(self.table_with(*lines))
        self.assertIn(needle, str(cm.exception))

    def test_enums_of_the_table(self):
        t = events.load(helpers.EVENTS_DEF)
        self.assertEqual(t.enums, tracegen.parse_enums())
        self.assertEqual(t.enums["layer"]["ip4_input"], 15)
        self.assertEqual(t.enum_names["msgtype"][2], "INPKT")
        self.assertEqual(t.enum_names["pbuf_type"][0x82], "POOL")
        ev = t.by_name["LAYER_ENTER"]
        self.assertEqual([(f.name, f.type, f.width) for f in ev.fields],
                         [("fn", "layer", 8), ("arg", "ptr", 32)])
        ev = t.by_name["FRAME_RX"]
        self.assertEqual((ev.str_field, ev.var_type, ev.len_field), ("data", "bytes", "len"))
        self.assertEqual(t.by_name["NAME"].var_type, "str")

    def test_enum_field_in_a_word_is_8_bits(self):
        # an enum used before its NG_ENUM lines, in the a field and in a word
        t = events.Table(self.table_with(
            'NG_EVENT(APP_X, 0x7e, APP, 1, 0, "r:colour c:colour|n:u16|d:drop")',
            "NG_ENUM(colour, RED, 1)", "NG_ENUM(colour, GREEN, 0xff)"))
        ev = t.by_name["APP_X"]
        self.assertEqual(ev.decode(1, [0x0c_1234_ff], 0),
                         {"r": 1, "c": 0xff, "n": 0x1234, "d": 12})
        self.assertEqual(t.enums["colour"], {"RED": 1, "GREEN": 255})

    def test_events_command_lists_enums(self):
        status, out, err = helpers.run_cli("events")
        self.assertEqual(status, 0, err)
        self.assertIn("\nenum layer: low_level_input=1 ethernetif_input=2 ", out)
        self.assertIn("\nenum msgtype: API=0 API_CALL=1 INPKT=2 ", out)
        self.assertTrue(all(len(ln) <= 110 for ln in out.splitlines() if "=" in ln
                            and not ln.startswith("0x")))

    def test_bytes_var_event(self):
        t = events.Table(self.table_with(
            'NG_EVENT(APP_X, 0x7e, APP, 1, VAR, "- len:u16 raw:bytes")'))
        self.assertEqual(t.by_name["APP_X"].var_type, "bytes")

    def test_errors(self):
        self.check_bad("defined twice", "NG_ENUM(layer, ip4_input, 99)")
        self.check_bad("the value of", "NG_ENUM(layer, ip9_input, 15)")
        self.check_bad("out of range 0..255", "NG_ENUM(colour, RED, 256)")
        self.check_bad("built-in type", "NG_ENUM(u8, RED, 1)")
        self.check_bad("built-in type", "NG_ENUM(bytes, RED, 1)")
        self.check_bad("cannot parse", "NG_ENUM(colour, RED)")
        self.check_bad("unknown type", 'NG_EVENT(APP_X, 0x7e, APP, 0, 0, "a:colour")')
        self.check_bad("only the last token of a VAR event",
                       'NG_EVENT(APP_X, 0x7e, APP, 1, 0, "a:u8 b:bytes")')
        self.check_bad("only the last token of a VAR event",
                       'NG_EVENT(APP_X, 0x7e, APP, 1, 0, "a:u8 b:str")')
        self.check_bad("name:str or name:bytes",
                       'NG_EVENT(APP_X, 0x7e, APP, 1, VAR, "- len:u8 b:u32")')
        self.check_bad("field len twice",
                       'NG_EVENT(APP_X, 0x7e, APP, 1, VAR, "- len:u8 len:bytes")')


if __name__ == "__main__":
    unittest.main()
