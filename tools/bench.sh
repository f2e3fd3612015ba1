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
tests/run-platform.sh --iso "$BUILD/bench/bench.iso" --platform bochs --cpus 4 --megs 256 \
    --timeout 600 --log "$log" --quiet || { echo "bench: the run failed, see $log" >&2; exit 1; }
# Device interrupts: Bochs's single e1000 assigned to one guest, exitless then injected (two
# boots; the device exists once).
e1000=$(grep -v '^#' tests/bochs/e1000.args)  # the same device as the e1000 integration cases
for mode in e1000 e1000-injected; do
    tools/mkiso.sh --out "$BUILD/bench/$mode.iso" --elf "$BUILD/exitless.elf" \
        --manifest "tests/manifests/$mode.toml" > /dev/null
    tests/run-platform.sh --iso "$BUILD/bench/$mode.iso" --platform bochs --cpus 2 --megs 256 \
        --timeout 600 --log "$BUILD/bench/$mode.log" --quiet --bochs-args "$e1000" ||
        { echo "bench: the $mode run failed, see $BUILD/bench/$mode.log" >&2; exit 1; }
    { echo; grep -a ' BENCH ' "$BUILD/bench/$mode.log"; } >> "$log"
done
{
    echo "# Exitless benchmarks"
    echo
    echo "Bochs 2.7, \`clock: sync=none\` (cycles are emulated TSC cycles: deterministic),"
    echo "Exit costs: the bench guest alone on CPU 1. Interrupt rows: the eli guest twice in the"
    echo "same run, exitless (CPU 2) against injected (CPU 3), 50 LAPIC timer interrupts and 50"
    echo "IPIs from the management CPU each; latency from the sender's TSC stamp to the handler."
    echo "Device rows: the e1000 assigned to one guest (two boots, exitless then injected), 50"
    echo "interrupts raised through its interrupt cause set register; latency from just before"
    echo "that MMIO write to the handler's first instruction."
    echo "All measured by the guests with RDTSC."
    echo "Bochs advances the TSC once per emulated instruction, so a cycle here is an emulated"
    echo "instruction: compare rows with each other, not with silicon."
    echo "Revision: $(git describe --always --dirty)."
    echo
    echo "| measurement | value | unit |"
    echo "|---|---:|---|"
    grep -aE '^\[(bench|exitless|injected|nicguest|nicinjected)\] BENCH ' "$log" | tr -d '\r' | sort -k3 | while read -r _ _ name value unit; do
        echo "| $name | $value | $unit |"
    done
} > "$out"
rows=$(grep -c '^| [a-z]' "$out" || true)
[ "$rows" -ge 20 ] || { echo "bench: expected 20 rows, got $rows; see $log" >&2; exit 1; }
cat "$out"
