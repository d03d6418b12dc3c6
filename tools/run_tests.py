#!/usr/bin/env python3
"""tools/run_tests.py - what `make test` runs, suite by suite, with one summary.

Suites:
  unit    the Check tests on the host build (ASan + UBSan), build/host/tests/test_*
  tracer  the host tool's unittest tests, tests/tracer/
  qemu    images booted in QEMU and talked to from the host, tests/qemu/
Builds what each suite needs first. Prints every suite's own output, then
one closing line "tests: N passed, N failed, N skipped"; exits non-zero if
anything failed or a suite could not run.
"""
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKE = ["make", "-s", "--no-print-directory"]


def sh(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, **kw)


def build(targets):
    for t in targets:
        if sh(MAKE + t, stdout=subprocess.DEVNULL).returncode != 0:
            print(f"tests: build failed: make {' '.join(t)}", flush=True)
            return False
    return True


# The MEM_LIBC_MALLOC = 1 variant of the memory tests, in a tree of its own.
LIBC_BUILD = "build/host-libc/tests"
LIBC_TESTS = ["test_mem", "test_pbuf"]
LIBC_MAKE = ["UNIT_BUILD=" + LIBC_BUILD, "UNIT_OBJ=" + LIBC_BUILD + "/obj",
             "UNIT_SAN=-fsanitize=address,undefined -fno-sanitize-recover=undefined "
             "-fno-omit-frame-pointer -DMEM_LIBC_MALLOC=1"] + \
            [LIBC_BUILD + "/" + t for t in LIBC_TESTS]

# The LWIP_TCPIP_CORE_LOCKING = 1 variant of the API tests, in a tree of its
# own: every object, api/tcpip.c and api/api_msg.c included, is built with
# the core lock (API calls run their do_* in the caller, under the lock).
CORELOCK_BUILD = "build/host-corelock/tests"
CORELOCK_TESTS = ["test_netconn_smoke", "test_sockets_smoke", "test_netconn", "test_sockets", "test_api_review"]
CORELOCK_MAKE = ["UNIT_BUILD=" + CORELOCK_BUILD, "UNIT_OBJ=" + CORELOCK_BUILD + "/obj",
                 "UNIT_SAN=-fsanitize=address,undefined -fno-sanitize-recover=undefined "
                 "-fno-omit-frame-pointer -DLWIP_TCPIP_CORE_LOCKING=1"] + \
                [CORELOCK_BUILD + "/" + t for t in CORELOCK_TESTS]

# The build whose code size is compared with lwIP's (tools/bench_api.py):
# every file at -Os, tracing compiled out, and lwIP's defaults for the
# checks lwIP makes optional (CHECKS=lwip: no assertions, no pool guards,
# no stats_display).
LWIP_CHECKS_MAKE = ["TRACE=0", "OPT=-Os", "HOT_SRC=", "CHECKS=lwip",
                    "BUILD=build/lm3s6965evb-os-lwipchecks"]


def run_unit():
    p1, f1, s1 = run_check_binaries(os.path.join(ROOT, "build", "host", "tests"), None)
    print("---- unit, with MEM_LIBC_MALLOC = 1:", flush=True)
    p2, f2, s2 = run_check_binaries(os.path.join(ROOT, LIBC_BUILD), LIBC_TESTS)
    print("---- unit, with LWIP_TCPIP_CORE_LOCKING = 1:", flush=True)
    p3, f3, s3 = run_check_binaries(os.path.join(ROOT, CORELOCK_BUILD), CORELOCK_TESTS)
    return p1 + p2 + p3, f1 + f2 + f3, s1 + s2 + s3


def run_check_binaries(d, only):
    passed = failed = 0
    # The tests that exist in the sources, not whatever binaries lie around
    # from a renamed or deleted test.
    src = os.path.join(ROOT, "tests", "unit")
    bins = only or sorted(f[:-2] for f in os.listdir(src)
                          if f.startswith("test_") and f.endswith(".c"))
    missing = [b for b in bins if not os.path.exists(os.path.join(d, b))]
    if missing:
        print(f"tests: unit test binaries not built: {', '.join(missing)}")
        return 0, len(missing), 0
    if not bins:
        print("tests: no unit test binaries were built")
        return 0, 1, 0
    env = dict(os.environ, CK_DEFAULT_TIMEOUT="60",
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=0")
    for b in bins:
        p = sh([os.path.join(d, b)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
               text=True, env=env)
        out = "\n".join(l for l in p.stdout.splitlines()
                        if "doesn't fully support makecontext" not in l)
        print(out, flush=True)
        m = re.search(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)", out)
        if not m:
            print(f"tests: {b} printed no Check summary (status {p.returncode})")
            failed += 1
            continue
        total, fails, errs = map(int, m.groups())
        passed += total - fails - errs
        failed += fails + errs
        if p.returncode != 0 and fails + errs == 0:
            print(f"tests: {b} exited with status {p.returncode}")
            failed += 1
    return passed, failed, 0


def run_unittest(start):
    p = sh([sys.executable, "-m", "unittest", "discover", "-s", start, "-t", ".", "-v"],
           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(p.stdout, flush=True)
    ran = re.search(r"Ran (\d+) tests?", p.stdout)
    if not ran:
        return 0, 1, 0
    total = int(ran.group(1))
    fails = sum(int(x) for x in re.findall(r"(?:failures|errors)=(\d+)", p.stdout.splitlines()[-1]))
    skipped = re.search(r"skipped=(\d+)", p.stdout.splitlines()[-1])
    skipped = int(skipped.group(1)) if skipped else 0
    if p.returncode != 0 and fails == 0:
        fails = 1
    return total - fails - skipped, fails, skipped


SUITES = {
    "unit": ([["unit-build"], LIBC_MAKE, CORELOCK_MAKE], run_unit),
    "tracer": ([], lambda: run_unittest("tests/tracer")),
    "qemu": ([["APP=mailbox_demo"], ["APP=fault_demo"], ["APP=mailbox_demo", "TRACE=0"],
              ["BOARD=host", "APP=mailbox_demo"],
              # the network: ping_demo, also with tracing compiled out and with
              # LWIP_TCPIP_CORE_LOCKING = 1 (tests/qemu/test_ping.py boots both)
              ["APP=ping_demo"], ["APP=ping_demo", "TRACE=0"],
              ["APP=ping_demo", "BUILD=build/lm3s6965evb-corelock",
               "EXTRA_CFLAGS=-DLWIP_TCPIP_CORE_LOCKING=1"],
              ["APP=echo_raw"], ["APP=lwip_compat"], ["APP=net_demo"], ["APP=dhcp_demo"],
              ["APP=net_demo", "BUILD=build/lm3s6965evb-corelock",
               "EXTRA_CFLAGS=-DLWIP_TCPIP_CORE_LOCKING=1"],
              ["APP=lwip_compat", "BUILD=build/lm3s6965evb-corelock",
               "EXTRA_CFLAGS=-DLWIP_TCPIP_CORE_LOCKING=1"],
              # net_demo as the footprint is measured against lwIP's figure
              # (tools/bench_api.py): -Os, TRACE=0, lwIP's default checks
              ["APP=net_demo"] + LWIP_CHECKS_MAKE],
             lambda: run_unittest("tests/qemu")),
}


def main(argv):
    names = argv[1:] or list(SUITES)
    totals = [0, 0, 0]
    t0 = time.time()
    for name in names:
        if name not in SUITES:
            print(f"tests: unknown suite '{name}' (suites: {', '.join(SUITES)})")
            return 2
        targets, runner = SUITES[name]
        print(f"==== {name} ====", flush=True)
        if not build(targets):
            totals[1] += 1
            continue
        p, f, s = runner()
        print(f"---- {name}: {p} passed, {f} failed, {s} skipped", flush=True)
        for i, v in enumerate((p, f, s)):
            totals[i] += v
    print(f"(all suites took {time.time() - t0:.0f} s)")
    print(f"tests: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
