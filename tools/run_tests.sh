#!/bin/sh
# tools/run_tests.sh - `make test`: every suite, or the ones named.
cd "$(dirname "$0")/.." && exec python3 tools/run_tests.py "$@"
