#!/bin/sh
# tools/bench.sh - `make bench`: the platform's performance figures.
#
# Every guest figure is measured under QEMU -icount shift=0, where one guest
# instruction is one nanosecond of virtual time, so the numbers are exact
# and repeat run after run. Prints each figure with its target; the same
# text goes to build/bench.txt. docs/performance.md explains each one.
set -eu
cd "$(dirname "$0")/.."
OUT=build/bench.txt
mkdir -p build
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

{
echo "netglass bench ($(date -u +%Y-%m-%d), $(qemu-system-arm --version | head -1))"
make -s APP=bench >/dev/null
make -s APP=bench TRACE=0 >/dev/null
make -s APP=mailbox_demo >/dev/null

q() {   # q ELF ARGS... : boot under -icount, console to stdout
    elf=$1; shift
    a="enable=on,target=native,arg=$(basename "$elf" .elf)"
    for x in "$@"; do a="$a,arg=$x"; done
    (cd "$TMP" && timeout 120 qemu-system-arm -M lm3s6965evb -nographic -icount shift=0,sleep=off \
        -semihosting-config "$a" -kernel "$OLDPWD/$elf" </dev/null 2>/dev/null | tr -d '\r')
}

echo
echo "== trace record cost (target: <= 40 guest instructions per record)"
q build/lm3s6965evb/bench.elf bench=trace trace=bench.bin

echo
echo "== bytes per record in the mailbox demo (target: <= 8)"
q build/lm3s6965evb/mailbox_demo.elf trace=demo.bin >/dev/null
tracer/ngtrace info "$TMP/demo.bin" --elf build/lm3s6965evb/mailbox_demo.elf 2>/dev/null \
    | grep -E "^(records|bytes/record):"

echo
echo "== context switch (target: <= 150 guest instructions from PendSV entry to the next thread)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for variant in "" -notrace; do
    elf=build/lm3s6965evb$variant/bench.elf
    (cd "$TMP" && timeout 120 qemu-system-arm -M lm3s6965evb -nographic -icount shift=0 \
        -semihosting-config enable=on,target=native,arg=bench,arg=bench=switch,arg=trace=switch.bin \
        -kernel "$OLDPWD/$elf" -S -gdb tcp:127.0.0.1:$port </dev/null >/dev/null 2>&1) &
    sleep 0.5
    label="tracing on"; [ -n "$variant" ] && label="tracing compiled out"
    timeout 120 gdb-multiarch -q -nx -batch "$elf" -ex "target remote 127.0.0.1:$port" \
        -x tools/bench_switch_gdb.py 2>/dev/null | grep '^bench:' | sed "s/\$/ ($label)/"
    wait
    q "$elf" bench=switch trace=switch.bin | sed "s/\$/ ($label)/"
done

echo
echo "== footprint (target: kernel + recorder <= 10 KB of code; ring buffer 8 KB by default)"
python3 tools/size_report.py build/lm3s6965evb/mailbox_demo.map

echo
echo "== host tool (target: 1,000,000 records to the text listing in <= 10 s)"
python3 tools/bench_decode.py

# ---- the network: ping_demo against the scripted peer (tools/bench_ping.py) ----
echo
echo "== ping: RTT, echo rate, guest instructions per echo, network footprint"
echo "   (target: kernel + network core + driver static RAM leave >= 32 KB of SRAM)"
make -s APP=ping_demo >/dev/null
python3 tools/bench_ping.py

# ---- the transports: echo_raw's TCP and UDP echo (tools/bench_tcp.py) ----
echo
echo "== TCP and UDP echo: guest instructions per KiB echoed, Mbit/s each way, footprint"
echo "   (targets: TCP <= 9,000 instructions per KiB with tracing compiled out, at most"
echo "   15 % more with full tracing; >= 200 Mbit/s each way in plain QEMU)"
make -s APP=echo_raw >/dev/null
make -s APP=echo_raw TRACE=0 >/dev/null
python3 tools/bench_tcp.py

# ---- netconn and sockets: footprint, one send, the demo's servers (tools/bench_api.py) ----
echo
echo "== netconn and sockets: footprint, one send through the mailbox vs the core lock, HTTP, iperf"
echo "   (targets: the stack <= 36.5 KB of code, TRACE=0; iperf into the board >= 450 Mbit/s)"
for app in bench_api net_demo; do
    make -s APP=$app TRACE=0 >/dev/null || echo "bench_api.py: APP=$app TRACE=0 did not build"
    make -s APP=$app TRACE=0 OPT=-Os HOT_SRC= BUILD=build/lm3s6965evb-os-notrace >/dev/null \
        || echo "bench_api.py: APP=$app at -Os did not build"
    make -s APP=$app TRACE=0 OPT=-Os HOT_SRC= CHECKS=lwip BUILD=build/lm3s6965evb-os-lwipchecks \
        >/dev/null \
        || echo "bench_api.py: APP=$app at -Os with lwIP's checks did not build"
done
make -s APP=bench_api TRACE=0 BUILD=build/lm3s6965evb-corelock-notrace \
    EXTRA_CFLAGS=-DLWIP_TCPIP_CORE_LOCKING=1 >/dev/null \
    || echo "bench_api.py: APP=bench_api with the core lock did not build"
python3 tools/bench_api.py

# ---- lwIP 2.2.1 itself, for the footprint and iperf targets (only with LWIP_DIR) ----
echo
if [ -n "${LWIP_DIR:-}" ]; then
    echo "== lwIP 2.2.1 from LWIP_DIR, built and measured as ours: code size, iperf"
    python3 tools/lwip_reference_size.py "$LWIP_DIR"
    python3 tools/lwip_reference_iperf.py "$LWIP_DIR"
else
    echo "== lwIP 2.2.1 itself: not measured (make bench LWIP_DIR=<an lwIP 2.2.1 tree>)"
fi
} 2>&1 | tee "$OUT"
