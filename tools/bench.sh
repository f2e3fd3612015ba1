#!/bin/bash
# make bench: boots the bench guests in Bochs (clock sync=none: cycles are emulated TSC,
# deterministic run to run) and writes the table to build/bench.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
out=$BUILD/bench.md log=$BUILD/bench/serial.log
mkdir -p "$BUILD/bench"
tools/mkiso.sh --out "$BUILD/bench/bench.iso" --elf "$BUILD/exitless.elf" \
    --manifest tests/manifests/bench.toml > /dev/null
tests/run-platform.sh --iso "$BUILD/bench/bench.iso" --platform bochs --cpus 2 --megs 128 \
    --timeout 600 --log "$log" --quiet || { echo "bench: the run failed, see $log" >&2; exit 1; }
{
    echo "# Exitless benchmarks"
    echo
    echo "Bochs 2.7, \`clock: sync=none\` (cycles are emulated TSC cycles: deterministic),"
    echo "one guest on its own core (CPU 1), injected-interrupt mode; measured by the guest with RDTSC."
    echo "Bochs advances the TSC once per emulated instruction, so a cycle here is an emulated"
    echo "instruction: compare rows with each other, not with silicon."
    echo "Revision: $(git describe --always --dirty)."
    echo
    echo "| measurement | value | unit |"
    echo "|---|---:|---|"
    grep -a '^\[bench\] BENCH ' "$log" | tr -d '\r' | while read -r _ _ name value unit; do
        echo "| $name | $value | $unit |"
    done
} > "$out"
rows=$(grep -c '^| [a-z]' "$out" || true)
[ "$rows" -ge 4 ] || { echo "bench: expected 4 rows, got $rows; see $log" >&2; exit 1; }
cat "$out"
