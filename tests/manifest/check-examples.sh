#!/bin/sh
# Validates every example manifest with the host tool: one PASS/FAIL line each, non-zero on any failure.
tool=$1
shift
status=0
count=0
for f in "$@"; do
    [ -f "$f" ] || continue
    count=$((count + 1))
    name=$(basename "$f" .toml)
    if out=$("$tool" --quiet "$f" 2>&1); then
        echo "PASS: $name"
    else
        echo "FAIL: $name: $(printf '%s\n' "$out" | head -n 1)"
        printf '%s\n' "$out" | sed 's/^/    /'
        status=1
    fi
done
if [ "$count" -eq 0 ]; then
    echo "FAIL: no example manifests found"
    status=1
fi
exit $status
