#!/bin/bash
# make bench: boots the bench guests in Bochs under VMX (clock sync=none: cycles are emulated
# TSC, deterministic run to run) and in QEMU TCG under SVM (-icount: time counted in
# instructions, single-threaded, deterministic), and writes the tables to build/bench.md.
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
# SVM: the same manifest in QEMU TCG (-cpu max) with instruction-counted time.
svm_log=$BUILD/bench/svm.log
icount="-icount shift=0,align=off,sleep=off"
tests/run-platform.sh --iso "$BUILD/bench/bench.iso" --platform qemu --cpus 4 --megs 256 \
    --timeout 900 --log "$svm_log" --quiet --qemu-args "-device intel-iommu,intremap=on $icount" ||
    { echo "bench: the SVM run failed, see $svm_log" >&2; exit 1; }
grep -aq 'vcpu: backend: SVM' "$svm_log" || { echo "bench: the QEMU run did not use SVM" >&2; exit 1; }
table() {
    echo "| measurement | value | unit |"
    echo "|---|---:|---|"
    grep -aE '^\[(bench|exitless|injected|nicguest|nicinjected|vfexitless|vfinjected)\] BENCH ' "$1" | tr -d '\r' | sort -k3 | while read -r _ _ name value unit; do
        echo "| $name | $value | $unit |"
    done
}
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
    echo "## VMX (Bochs)"
    echo
    table "$log"
    echo
    echo "## SVM (QEMU TCG, -icount)"
    echo
    echo "QEMU 10 TCG, \`-cpu max\` (AMD model: SVM with nested paging, no next-RIP save, no"
    echo "decode assists), \`$icount\`: the virtual clock advances 1 ns per guest instruction and"
    echo "the vCPUs run one at a time, so the TSC (and every cycle figure) counts instructions"
    echo "deterministically. The same manifest as the VMX table: exit costs on CPU 1, the eli guest"
    echo "exitless (CPU 2) against injected (CPU 3)."
    echo
    table "$svm_log"
} > "$out"
rows=$(grep -c '^| [a-z]' "$out" || true)
[ "$rows" -ge 34 ] || { echo "bench: expected at least 34 rows (20 VMX, 14 SVM), got $rows; see $log and $svm_log" >&2; exit 1; }
cat "$out"
