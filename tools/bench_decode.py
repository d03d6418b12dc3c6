#!/usr/bin/env python3
"""Benchmark of the trace decoder: how long "ngtrace list" takes on a
synthetic trace of 1,000,000 records.

The trace is made by the fake encoder of the tests (tests/tracer/tracegen.py)
in a temporary directory, with a realistic mix of records (thread switches,
mailbox posts and fetches, semaphores, nested interrupts, SYNCs), then
tracer/ngtrace list runs on it as a subprocess, its output going to a file.
Prints

    decode: 1000000 records in X.XX s (Y records/s)

This is a measurement, not a test: it never fails on time.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "tracer"))

import tracegen  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", "--records", type=int, default=1_000_000,
                   help="records in the synthetic trace (default 1000000)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="ngtrace-bench-") as tmp:
        path = os.path.join(tmp, "bench.ngt")
        t0 = time.perf_counter()
        w = tracegen.TraceWriter(build_id=bytes(range(20)))
        tracegen.workload(w, args.records - 1)
        w.record("END", dt=10, status=0)
        data = w.write(path, chunk_size=1024)
        n = len(w.record_words)
        gen = time.perf_counter() - t0
        print("generated: %d records, %d bytes in %.2f s" % (n, len(data), gen))
        out = os.path.join(tmp, "bench.txt")
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, os.path.join(ROOT, "tracer", "ngtrace"),
                            "list", path, "-o", out], stderr=subprocess.PIPE, text=True)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            print("bench_decode: ngtrace list failed with status %d" % r.returncode)
            return 1
        with open(out, encoding="utf-8") as f:
            lines = sum(1 for _ in f)
        print("listing: %d lines, %d bytes" % (lines, os.path.getsize(out)))
        print("decode: %d records in %.2f s (%.0f records/s)" % (n, dt, n / dt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
