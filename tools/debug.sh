#!/bin/sh
# tools/debug.sh - the firmware in QEMU, halted, with gdb-multiarch attached.
#
#   tools/debug.sh ELF "ARGS"        (what "make debug" runs)
#
# Starts qemu-system-arm in the background, halted before the first
# instruction (-S) with its GDB server on TCP port $NG_GDB_PORT (default
# 1234), its console going to a log file beside the ELF under build/. Then
# runs gdb-multiarch in the foreground with the netglass commands
# (tools/gdb/netglass.py) loaded and connected, and stops QEMU when GDB
# exits. ARGS are the application's arguments, passed by semihosting; a
# trace= option is added (next to the log) unless ARGS has one.
#
# Environment: NG_GDB_PORT, QEMU (default qemu-system-arm), GDB (default
# gdb-multiarch).
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: tools/debug.sh ELF [\"ARGS\"]" >&2
    exit 2
fi
ELF=$1
ARGS=${2:-}
PORT=${NG_GDB_PORT:-1234}
QEMU=${QEMU:-qemu-system-arm}
GDB=${GDB:-gdb-multiarch}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

if [ ! -f "$ELF" ]; then
    echo "netglass: $ELF does not exist (run make first)" >&2
    exit 1
fi
case $PORT in
    ''|*[!0-9]*) echo "netglass: NG_GDB_PORT must be a port number, not '$PORT'" >&2; exit 2 ;;
esac
for tool in "$QEMU" "$GDB"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "netglass: $tool is not installed (make deps installs it)" >&2
        exit 1
    fi
done

APP=$(basename "$ELF" .elf)
DIR=$(dirname "$ELF")
LOG=$DIR/$APP-debug.log
SEMI="enable=on,target=native,arg=$APP"
case " $ARGS " in
    *" trace="*) TRACE="" ;;
    *) TRACE=$DIR/$APP-debug.trace; SEMI="$SEMI,arg=trace=$TRACE" ;;
esac
for a in $ARGS; do
    SEMI="$SEMI,arg=$a"
done

# Inodes of the sockets listening on TCP port $1 (from /proc/net/tcp*).
listeners() {
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p=":$(printf '%04X' "$1")" '$2 ~ p"$" && $4 == "0A" { print $10 }'
}
if [ -n "$(listeners "$PORT")" ]; then
    echo "netglass: TCP port $PORT is taken (another QEMU?); choose one with NG_GDB_PORT=..." >&2
    exit 1
fi

# QEMU gets a session of its own (setsid) so that the Ctrl-C typed to stop
# the program in GDB does not reach QEMU and end it.
SETSID=""
command -v setsid >/dev/null 2>&1 && SETSID=setsid
$SETSID "$QEMU" -M lm3s6965evb -nographic -semihosting-config "$SEMI" \
    -kernel "$ELF" -S -gdb "tcp::$PORT" </dev/null >"$LOG" 2>&1 &
QPID=$!
stop_qemu() {
    kill "$QPID" 2>/dev/null
    wait "$QPID" 2>/dev/null
}
trap stop_qemu EXIT
trap 'exit 130' HUP TERM
trap ':' INT        # a handler, not SIG_IGN: GDB must still get Ctrl-C

# Wait (at most 10 s) until QEMU itself listens; say why if it died instead.
i=0
while :; do
    if ! kill -0 "$QPID" 2>/dev/null; then
        echo "netglass: QEMU stopped at once; its log $LOG says:" >&2
        sed 's/^/    /' "$LOG" >&2
        exit 1
    fi
    if [ -r /proc/net/tcp ] && [ -d "/proc/$QPID/fd" ]; then
        found=0
        for inode in $(listeners "$PORT"); do
            ls -l "/proc/$QPID/fd" 2>/dev/null | grep -q "socket:\[$inode\]" && found=1
        done
        [ $found = 1 ] && break
    elif [ $i -ge 10 ]; then
        break       # no /proc to look at: a second is plenty
    fi
    i=$((i + 1))
    if [ $i -ge 100 ]; then
        echo "netglass: QEMU is not listening on port $PORT after 10 s (log: $LOG)" >&2
        exit 1
    fi
    sleep 0.1
done

echo "netglass: QEMU halted at reset, GDB server :$PORT, console in $LOG${TRACE:+, trace in $TRACE};" \
     "'continue' runs (Ctrl-C stops), 'quit' ends both."
echo "netglass: ng threads | ng objects | ng mbox NAME | ng sem NAME | ng mutex NAME |" \
     "ng timers | ng trace [N]   (help ng)"
"$GDB" -q -nx "$ELF" -ex "source tools/gdb/netglass.py" -ex "target remote :$PORT"
