#!/bin/bash
# Runs a command, shows its output, and records its "PASS: x" / "FAIL: x" lines as results.
# Usage: record.sh RESULTS_FILE command...
set -uo pipefail
results=$1; shift
mkdir -p "$(dirname "$results")"
out=$("$@" 2>&1); rc=$?
echo "$out"
: > "$results"
echo "$out" | grep -E '^PASS: ' | sed 's/^PASS: /pass /' >> "$results"
echo "$out" | grep -E '^FAIL: ' | sed 's/^FAIL: /fail /' >> "$results"
if [ $rc -ne 0 ] && ! grep -q '^fail' "$results"; then
    echo "fail $* exited $rc" >> "$results"
fi
grep -q . "$results" || echo "fail $* printed no result" >> "$results"
exit $rc
