#!/bin/bash
# Runs the host unit-test binaries; each prints "suite: N passed, M failed".
# Usage: run-unit.sh RESULTS_FILE BINARY...
set -uo pipefail
results=$1; shift
mkdir -p "$(dirname "$results")"
: > "$results"
status=0
for bin in "$@"; do
    name=$(basename "$bin")
    out=$("$bin" 2>&1); rc=$?
    echo "$out" | grep -E '^FAIL' || true
    line=$(echo "$out" | grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed$' | tail -1)
    if [ -z "$line" ]; then
        echo "fail $name crashed-or-no-summary" >> "$results"
        echo "FAIL: $name (exit $rc, no summary line):"; echo "$out" | tail -20
        status=1; continue
    fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    for _ in $(seq 1 "$p"); do echo "pass $name" >> "$results"; done
    for _ in $(seq 1 "$f"); do echo "fail $name" >> "$results"; done
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then status=1; echo "FAIL: $line"; else echo "PASS: $line"; fi
done
exit $status
