#!/bin/sh
# tools/deps.sh - install the Debian packages netglass needs, if missing.
#
# Idempotent: checks each package with dpkg and only runs apt-get (after
# "apt-get update", since a fresh machine's lists may be empty) when
# something is missing; through sudo when not root. One clear message and
# a failing status when it cannot install.
set -u

PACKAGES="gcc make gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi \
qemu-system-arm gdb-multiarch check pkg-config python3 iproute2 iputils-ping iputils-arping tshark \
curl iperf netcat-openbsd"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "netglass: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "netglass: cannot install$missing: not root and no sudo; install them by hand" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "netglass: cannot install$missing: no apt-get (netglass expects Debian or Ubuntu)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq >/dev/null || \
   ! $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
    echo "netglass: apt-get could not install$missing (see the messages above)" >&2
    exit 1
fi
echo "netglass: installed$missing"
