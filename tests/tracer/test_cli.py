"""The command line: argument errors, missing files, exit statuses, and no
traceback ever reaching the user."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402
import tracegen  # noqa: E402


class CliTest(helpers.TempDirTest):

    def setUp(self):
        super().setUp()
        w = tracegen.TraceWriter()
        tracegen.workload(w, 200)
        w.record("END", dt=1, status=0)
        self.trace = self.path("t.ngt")
        w.write(self.trace, chunk_size=128)

    def test_bad_arguments(self):
        cases = [
            ([], "required"),
            (["nope"], "invalid choice"),
            (["list"], "TRACE"),
            (["list", self.trace, "--bogus"], "unrecognized arguments"),
            (["info"], "TRACE"),
            (["svg", self.trace, "-o"], "expected one argument"),
            (["svg", self.trace, "-o", self.path("x.svg"), "--max-rows", "-3"], "--max-rows"),
            (["svg", self.trace, "-o", self.path("x.svg"), "--to-us", "abc"], "--to-us"),
            (["events", "extra"], "unrecognized arguments"),
        ]
        for args, needle in cases:
            status, out, err = helpers.run_cli(*args)
            self.assertOneLineError(status, err, needle)
            self.assertEqual(out, "", args)

    def test_bad_arguments_script(self):
        """The real script too: status 2, one line, no usage dump, no traceback."""
        status, out, err = helpers.run_script("list")
        self.assertOneLineError(status, err, "TRACE")
        status, out, err = helpers.run_script("frobnicate", self.trace)
        self.assertOneLineError(status, err, "invalid choice")

    def test_help(self):
        status, out, err = helpers.run_script("--help")
        self.assertEqual(status, 0)
        for cmd in ("list", "svg", "info", "events"):
            self.assertIn(cmd, out)
        status, out, err = helpers.run_script("svg", "--help")
        self.assertEqual(status, 0)
        self.assertIn("--max-rows", out)

    def test_missing_and_unreadable_files(self):
        status, out, err = helpers.run_script("list", self.path("missing.ngt"))
        self.assertOneLineError(status, err, "cannot read trace", "No such file")
        status, out, err = helpers.run_script("info", self.tmp)
        self.assertOneLineError(status, err, "cannot read trace")
        status, out, err = helpers.run_script("list", self.trace, "-o", self.tmp)
        self.assertOneLineError(status, err, "cannot write")
        status, out, err = helpers.run_script("--events", self.path("no.def"), "events")
        self.assertOneLineError(status, err, "cannot read events table")

    def test_not_a_trace(self):
        path = self.path("junk.ngt")
        with open(path, "wb") as f:
            f.write(b"\x7fELF" + bytes(100))
        status, out, err = helpers.run_script("list", path)
        self.assertOneLineError(status, err, "not a trace file", "offset 0")
        with open(path, "wb") as f:
            f.write(b"")
        status, out, err = helpers.run_script("info", path)
        self.assertOneLineError(status, err, "not a trace file")

    def test_good_runs(self):
        for args in (["list", self.trace], ["info", self.trace], ["events"],
                     ["svg", self.trace, "-o", self.path("d.svg")]):
            status, out, err = helpers.run_script(*args)
            self.assertEqual(status, 0, (args, err))
            self.assertEqual(err, "", args)

    def test_closed_pipe_is_quiet(self):
        w = tracegen.TraceWriter()
        tracegen.workload(w, 50000)
        w.record("END")
        big = self.path("big.ngt")
        w.write(big)
        p = subprocess.Popen([sys.executable, helpers.NGTRACE, "list", big],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.readline()
        p.stdout.close()
        err = p.stderr.read().decode()
        p.stderr.close()
        status = p.wait()
        self.assertEqual(status, 0, err)
        self.assertNotIn("Traceback", err)


if __name__ == "__main__":
    unittest.main()
