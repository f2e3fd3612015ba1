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
# SVM (QEMU TCG, -cpu max). Exit costs with instruction-counted time (-icount); QEMU 10
# aborts ("Bad icount read") when x2APIC registers are used under -icount, so that run boots
# in xAPIC mode with the bench guest alone. The interrupt rows need x2APIC (exitless mode):
# the bench manifest again without -icount, where exit counts are exact but cycle figures
# follow the host's load.
svm_exits_log=$BUILD/bench/svm-exits.log svm_log=$BUILD/bench/svm.log
icount="-icount shift=9,sleep=off"
tools/mkiso.sh --out "$BUILD/bench/svm-exits.iso" --elf "$BUILD/exitless.elf" --cmdline xapic \
    --manifest tests/manifests/bench-exits.toml > /dev/null
tests/run-platform.sh --iso "$BUILD/bench/svm-exits.iso" --platform qemu --cpus 2 --megs 256 \
    --timeout 600 --log "$svm_exits_log" --quiet --qemu-args "-device intel-iommu,intremap=on $icount" ||
    { echo "bench: the SVM exit-cost run failed, see $svm_exits_log" >&2; exit 1; }
tests/run-platform.sh --iso "$BUILD/bench/bench.iso" --platform qemu --cpus 4 --megs 256 \
    --timeout 900 --log "$svm_log" --quiet --qemu-args "-device intel-iommu,intremap=on" ||
    { echo "bench: the SVM interrupt run failed, see $svm_log" >&2; exit 1; }
# VF interrupts: an igb VF per guest, its MSI-X remapped by VT-d, exitless against injected.
svm_vf_log=$BUILD/bench/svm-vf.log
tools/mkiso.sh --out "$BUILD/bench/svm-vf.iso" --elf "$BUILD/exitless.elf" \
    --manifest tests/manifests/bench-vf.toml > /dev/null
tests/run-platform.sh --iso "$BUILD/bench/svm-vf.iso" --platform qemu --cpus 4 --megs 512 \
    --timeout 600 --log "$svm_vf_log" --quiet \
    --qemu-args "-device intel-iommu,intremap=on -netdev user,id=n0 -device igb,netdev=n0" ||
    { echo "bench: the SVM VF run failed, see $svm_vf_log" >&2; exit 1; }
{ echo; grep -a ' BENCH ' "$svm_vf_log"; } >> "$svm_log"
for f in "$svm_exits_log" "$svm_log" "$svm_vf_log"; do
    grep -aq 'vcpu: backend: SVM' "$f" || { echo "bench: $f did not run under SVM" >&2; exit 1; }
done
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
    echo "## SVM (QEMU TCG)"
    echo
    echo "QEMU 10 TCG, \`-cpu max\` (AMD model: SVM with nested paging, no next-RIP save, no"
    echo "decode assists)."
    echo
    echo "### Exit costs, deterministic (\`$icount\`, xAPIC mode)"
    echo
    echo "The virtual clock advances 512 ns per emulated instruction and the vCPUs run one at a"
    echo "time; the TSC runs at 1 GHz of that clock, so a cycle here is a virtual nanosecond and"
    echo "cycles / 512 is the number of emulated instructions (guest and hypervisor) per round"
    echo "trip. xAPIC mode because QEMU 10 aborts on x2APIC accesses under -icount."
    echo
    table "$svm_exits_log"
    echo
    echo "### Interrupts, exitless against injected (no -icount: QEMU cannot count time in"
    echo "instructions with x2APIC, which exitless mode needs)"
    echo
    echo "The same manifest as the VMX table, plus an igb VF per guest (tests/manifests/bench-vf.toml:"
    echo "50 MSI-X interrupts raised by the VF's cause set register, remapped by VT-d; latency from"
    echo "just before that write to the handler). Exit counts are exact; cycle figures are the"
    echo "emulated TSC under multi-threaded TCG and vary with the host's load: compare the two"
    echo "modes within this run only."
    echo
    table "$svm_log"
} > "$out"
rows=$(grep -c '^| [a-z]' "$out" || true)
[ "$rows" -ge 30 ] || { echo "bench: expected at least 30 rows, got $rows; see $log, $svm_exits_log and $svm_log" >&2; exit 1; }
cat "$out"
