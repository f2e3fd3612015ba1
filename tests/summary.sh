#!/bin/bash
# Adds up every tier's results and prints the closing line "N passed, N failed".
set -uo pipefail
dir=$1
p=$(cat "$dir"/*.txt 2>/dev/null | grep -c '^pass')
f=$(cat "$dir"/*.txt 2>/dev/null | grep -c '^fail')
for t in unit bochs qemu; do
    [ -f "$dir/$t.txt" ] || { echo "tier $t did not run"; f=$((f + 1)); }
done
n=$(cat "$dir"/*.txt 2>/dev/null | grep -c '^note')
[ "$n" -eq 0 ] || cat "$dir"/*.txt | grep '^note' | sed 's/^note /note: /'
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
