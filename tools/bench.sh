#!/bin/bash
# make bench: boots the bench guests in Bochs under VMX (clock sync=none: cycles are emulated
# TSC, deterministic run to run) and in QEMU TCG under SVM (-icount: time counted in
# instructions, single-threaded, deterministic), and writes the tables to build/bench.md and
# their plot to build/bench.png (tools/bench_report.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
out=$BUILD/bench.md log=$BUILD/bench/serial.log
mkdir -p "$BUILD/bench"

# Linux rows: the stock Debian kernel of `make linux-guest` on Bochs (VMX), one core, 2 Bochs CPUs
# and 256 MiB in all three boots: natively (GRUB boots its bzImage with the guest's command line,
# plus the noapic the loader appends and nr_cpus=1 mem=128M for the guest's one core and 128 MiB;
# Bochs's ignore_bad_msrs=1, as its CPU model has no MISC_ENABLE, which the kernel reads
# unguarded and the hypervisor emulates; the run is judged by init reaching its end)
# and under the hypervisor (PVH vmlinux) idling 0 s, then N s. tools/linux_bench.py computes the
# rows from the logs and fails when it cannot.
linux_bench() {
    local dir=$BUILD/bench/linux g=$BUILD/guests/linux/current cmdline
    mkdir -p "$dir"
    for f in bzImage vmlinux initrd.cpio.gz; do
        [ -f "$g/$f" ] || { echo "bench: $g/$f missing: make linux-guest" >&2; return 1; }
    done
    cmdline=$(sed -n 's/^cmdline = "\(.*\)"$/\1/p' tests/manifests/linux-bench.toml)
    [ -n "$cmdline" ] || { echo "bench: no cmdline in tests/manifests/linux-bench.toml" >&2; return 1; }
    # Natively the kernel would believe CPUID's 3.5 GHz claim while Bochs's TSC ticks at ips per
    # emulated second, and every TSC-timed delay would last 70 times too long: it is told the
    # TSC's real rate, as the hypervisor tells its guest (CPUID 0x15 from its measurement).
    local ips
    ips=$(sed -n 's/.*ips=\([0-9]*\).*/\1/p' tests/bochs/bochsrc.in)
    [ -n "$ips" ] || { echo "bench: no ips in tests/bochs/bochsrc.in" >&2; return 1; }
    tools/mklinuxiso.sh --out "$dir/native.iso" --kernel "$g/bzImage" --initrd "$g/initrd.cpio.gz" \
        --cmdline "$cmdline noapic nr_cpus=1 mem=128M tsc_early_khz=$((ips / 1000))" > /dev/null
    tools/mkiso.sh --out "$dir/hv0.iso" --elf "$BUILD/exitless.elf" \
        --manifest tests/manifests/linux-bench.toml > /dev/null
    tools/mkiso.sh --out "$dir/hvidle.iso" --elf "$BUILD/exitless.elf" \
        --manifest tests/manifests/linux-bench-idle.toml > /dev/null
    # The three boots side by side (each is single-threaded and takes minutes).
    local pids=() run
    tests/run-platform.sh --iso "$dir/native.iso" --platform bochs --cpus 2 --megs 256 --timeout 2400 \
        --log "$dir/native.log" --quiet --pass-line '^exitless-init: done [0-9]+ passed' \
        --bochs-args "cpu: ignore_bad_msrs=1" & pids+=($!)
    for run in hv0 hvidle; do
        tests/run-platform.sh --iso "$dir/$run.iso" --platform bochs --cpus 2 --megs 256 --timeout 2400 \
            --log "$dir/$run.log" --quiet & pids+=($!)
    done
    local rc=0 i=0
    for run in native hv0 hvidle; do
        wait "${pids[$i]}" || { echo "bench: the Linux $run run failed, see $dir/$run.log" >&2; rc=1; }
        i=$((i + 1))
    done
    [ $rc = 0 ] || return 1
    # Names for the hot RIPs: Debian ships no System.map, so the same kernel boots natively in
    # QEMU TCG (seconds) and its init's syms check reads them from /proc/kallsyms (nokaslr).
    local rips syms=${LINUX_SYMS:-}
    rips=$(tr -d '\r' < "$dir/hv0.log" | sed -n 's/.*stats: linux0:   hot rip \(0x[0-9a-f]*\): .*/\1/p' | paste -sd, -)
    if [ -z "$syms" ] && [ -n "$rips" ]; then
        syms=$dir/syms.log
        timeout 600 qemu-system-x86_64 -accel tcg -cpu max -m 256 -smp 1 -nographic -no-reboot \
            -kernel "$g/bzImage" -initrd "$g/initrd.cpio.gz" \
            -append "console=ttyS0,115200 quiet nokaslr mitigations=off exitless.checks=syms exitless.syms=$rips" \
            < /dev/null > "$syms" 2>&1 || true
        grep -aq '^PASS: syms' "$syms" ||
            { echo "bench: warning: the hot RIPs could not be named (see $syms)" >&2; syms=; }
    fi
    python3 tools/linux_bench.py --native "$dir/native.log" --hv "$dir/hv0.log" --idle "$dir/hvidle.log" \
        ${syms:+--syms "$syms"} > "$dir/rows.md" || { echo "bench: Linux rows: see $dir" >&2; return 1; }
}
linux_section() {
    echo "## Linux (Bochs/VMX)"
    echo
    echo "Linux boot (Bochs/VMX): $(sed -n 's/.*exitless-init: kernel \([^ ,]*\),.*/\1/p' "$BUILD/bench/linux/hv0.log" | tr -d '\r' | head -n 1),"
    echo "one core, 128 MiB, exitless interrupts (tests/manifests/linux-bench.toml, PVH vmlinux)"
    echo "against the same kernel's bzImage booted natively by GRUB in the same Bochs (2 CPUs,"
    echo "256 MiB, same ips; natively \`nr_cpus=1 mem=128M noapic tsc_early_khz=<ips/1000>\` added to"
    echo "the same command line"
    echo "and Bochs's \`ignore_bad_msrs=1\`: its CPU model has no MISC_ENABLE MSR, which the"
    echo "kernel reads unguarded, and which the hypervisor emulates for its guest)."
    echo "Boot cycles: from the kernel's first line (\"Linux version\") to \"Run /init\", both"
    echo "printk timestamps (sched_clock: the TSC scaled by the frequency the kernel believes, the"
    echo "\"tsc: Detected\" line of the same run), so (t_init - t_first) x believed Hz; natively"
    echo "the kernel is told the TSC's real rate (tsc_early_khz; it would otherwise believe CPUID's"
    echo "3.5 GHz, 70 times Bochs's real rate, and stretch every TSC-timed delay as much), under the"
    echo "hypervisor it believes the measured frequency (CPUID 0x15): each run is scaled by its own."
    echo "The bzImage's decompressor runs before the first line and is not counted."
    echo "Exits: the hypervisor's stop report for that boot (whole run: boot, init, power-off), top"
    echo "reasons and hot RIPs (named from /proc/kallsyms of the same kernel booted natively in"
    echo "QEMU, nokaslr). Idle: a second boot whose init sleeps N s (exitless.idle=N); the exits"
    echo "between the two exit-count marks its init sets around the sleep (the UART's scratch"
    echo "register; exitless.marks=1), divided by the idle time the guest's /proc/uptime saw,"
    echo "then by reason."
    echo
    echo "| measurement | value | unit |"
    echo "|---|---:|---|"
    cat "$BUILD/bench/linux/rows.md"
}
# The scaling rows: one sidecore serving 1, 2, 4 and 8 pvnet guests (role=scale: each sends
# from its port 0 to its own port 1 for 2 s of its TSC), QEMU TCG under SVM with 10 CPUs in
# every run, -icount for deterministic time (so xAPIC mode, as the SVM exit-cost run), two runs
# side by side. tools/bench_scaling.py makes the table and build/bench-scaling.png.
scaling_bench() {
    local dir=$BUILD/bench/scaling n pids=() logs=()
    mkdir -p "$dir"
    for n in 1 2 4 8; do
        tools/mkiso.sh --out "$dir/scale-$n.iso" --elf "$BUILD/exitless.elf" --cmdline xapic \
            --manifest "tests/manifests/pvnet-scale-$n.toml" > /dev/null
        logs+=("$dir/scale-$n.log")
    done
    for n in 1 2 4 8; do
        tests/run-platform.sh --iso "$dir/scale-$n.iso" --platform qemu --cpus 10 --megs 256 \
            --timeout 900 --log "$dir/scale-$n.log" --quiet \
            --qemu-args "-device intel-iommu,intremap=on -icount shift=9,sleep=off" & pids+=($!)
        if [ ${#pids[@]} = 2 ]; then
            wait "${pids[0]}" && wait "${pids[1]}" || { echo "bench: a scaling run failed, see $dir" >&2; return 1; }
            pids=()
        fi
    done
    for f in "${logs[@]}"; do
        grep -aq 'vcpu: backend: SVM' "$f" || { echo "bench: $f did not run under SVM" >&2; return 1; }
    done
    cat > "$dir/intro.md" <<TEXT
QEMU 10 TCG, \`-cpu max\` (SVM), 10 CPUs in every run (0 manages, 1 is the sidecore, the
guests on 2 up; the rest idle), \`-icount shift=9,sleep=off\`, xAPIC mode
(tests/manifests/pvnet-scale-{1,2,4,8}.toml). Each guest (pvnet \`role=scale\`) sends 128-byte
frames from its port 0 to its own port 1 through the switch for 2 s of its TSC, at most a
ring's worth in flight, and counts what arrives intact; rates are per second of virtual time.
Under -icount QEMU runs the vCPUs one at a time from one instruction stream, and virtual
time advances with every instruction any of them executes: each spinning guest takes its
share of that stream from the sidecore, so the total falls with the number of guests here
where parallel cores would not make it fall. Read the rows for the split between guests
(min-max, Jain's index (sum x)^2/(n sum x^2) of the per-guest rates) and for the sidecore's
behaviour, not as a capacity of the switch. The guests start one after another, so their
2-second windows overlap only in part. Utilisation: the sidecore's own line when the last
guest stopped, from its start (boot and idle halts included).
TEXT
    python3 tools/bench_scaling.py --out "$dir/section.md" --plot "$BUILD/bench-scaling.png" \
        --intro "$dir/intro.md" "${logs[@]}" || { echo "bench: the scaling section failed" >&2; return 1; }
}
if [ "${BENCH_ONLY:-}" = scaling ]; then
    scaling_bench || exit 1
    { echo "# Exitless benchmarks (scaling rows only: BENCH_ONLY=scaling)"; echo; cat "$BUILD/bench/scaling/section.md"; } > "$BUILD/bench-scaling.md"
    cat "$BUILD/bench-scaling.md"
    exit 0
fi
if [ "${BENCH_ONLY:-}" = linux ]; then
    linux_bench || exit 1
    { echo "# Exitless benchmarks (Linux rows only: BENCH_ONLY=linux)"; echo; linux_section; } > "$BUILD/bench-linux.md"
    cat "$BUILD/bench-linux.md"
    exit 0
fi
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
# The polling sidecore (Bochs/VMX): virtio-blk served by the sidecore against the same requests
# in baseline mode (tests/manifests/pvblk-baseline.toml), virtio-net round trips the same two
# ways (tests/manifests/pvnet-baseline.toml), between two guests with their exit counts, and the
# switch's rate limits (four boots side by side, each single-threaded).
side_log=$BUILD/bench/sidecore.log
: > "$side_log"
side_pids=()
for m in pvblk-baseline pvnet-baseline pvnet pvnet-qos; do
    tools/mkiso.sh --out "$BUILD/bench/$m.iso" --elf "$BUILD/exitless.elf" \
        --manifest "tests/manifests/$m.toml" > /dev/null
    tests/run-platform.sh --iso "$BUILD/bench/$m.iso" --platform bochs --cpus 4 --megs 256 \
        --timeout 900 --log "$BUILD/bench/$m.log" --quiet & side_pids+=($!)
done
i=0
for m in pvblk-baseline pvnet-baseline pvnet pvnet-qos; do
    wait "${side_pids[$i]}" || { echo "bench: the $m run failed, see $BUILD/bench/$m.log" >&2; exit 1; }
    grep -a ' BENCH ' "$BUILD/bench/$m.log" >> "$side_log"
    i=$((i + 1))
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
linux_bench || exit 1
scaling_bench || exit 1
# The report: tools/bench_report.py puts each log's BENCH lines in tables, each mode against
# its baseline, and draws build/bench.png with gnuplot (make deps-bench installs it).
intro=$BUILD/bench/intro
mkdir -p "$intro"
cat > "$intro/vmx.md" <<TEXT
Bochs 2.7, \`clock: sync=none\` (cycles are emulated TSC cycles: deterministic).
Exit costs: the bench guest alone on CPU 1. Interrupt rows: the eli guest twice in the
same run, exitless (CPU 2) against injected (CPU 3), 50 LAPIC timer interrupts and 50
IPIs from the management CPU each; latency from the sender's TSC stamp to the handler.
Device rows: the e1000 assigned to one guest (two boots, exitless then injected), 50
interrupts raised through its interrupt cause set register; latency from just before
that MMIO write to the handler's first instruction.
All measured by the guests with RDTSC.
Bochs advances the TSC once per emulated instruction, so a cycle here is an emulated
instruction: compare rows with each other, not with silicon.
TEXT
cat > "$intro/sidecore.md" <<TEXT
Bochs 2.7, \`clock: sync=none\` (a 50 MHz emulated TSC), 4 CPUs: management, two guests, one
sidecore. Exits are the hypervisor's own counts over each guest's data path, read with its
stats hypercall before and after. virtio-blk: 4 requests (write, flush, read, get-id) by the
same guest image, once served by the sidecore (exitless interrupts), once in baseline mode
(\`virtio_mode = "baseline"\`: every kick exits and is served on the guest's vCPU, interrupts
injected), in the same run. virtio-net: 64 round trips between a guest's own two ports
through the switch, by the same guest image served by the sidecore (exitless interrupts) and in
baseline mode (every kick exits and is handed to the switch's sidecore, interrupts injected),
in the same run (\`net-loop\` rows; latency is TSC cycles per round trip of two frames), and 64
round trips between two guests. Rate limits: an egress-limited port
sending as fast as the switch takes its frames, and a flood against an ingress-limited and
an unlimited receiver (tests/manifests/pvnet-qos.toml), in emulated time.
TEXT
cat > "$intro/svm-exits.md" <<TEXT
QEMU 10 TCG, \`-cpu max\` (AMD model: SVM with nested paging, no next-RIP save, no
decode assists), \`$icount\`, xAPIC mode.
The virtual clock advances 512 ns per emulated instruction and the vCPUs run one at a
time; the TSC runs at 1 GHz of that clock, so a cycle here is a virtual nanosecond and
cycles / 512 is the number of emulated instructions (guest and hypervisor) per round
trip. xAPIC mode because QEMU 10 aborts on x2APIC accesses under -icount.
TEXT
cat > "$intro/svm.md" <<TEXT
No -icount: QEMU cannot count time in instructions with x2APIC, which exitless mode needs.
The same manifest as the VMX table, plus an igb VF per guest (tests/manifests/bench-vf.toml:
50 MSI-X interrupts raised by the VF's cause set register, remapped by VT-d; latency from
just before that write to the handler). Exit counts are exact; cycle figures are the
emulated TSC under multi-threaded TCG and vary with the host's load: compare the two
modes within this run only.
TEXT
linux_section > "$BUILD/bench/linux/section.md"
python3 tools/bench_report.py --out "$out" --plot "$BUILD/bench.png" \
    --revision "$(git describe --always --dirty)" \
    --section "## VMX (Bochs)|$log|$intro/vmx.md" \
    --section "## The polling sidecore (Bochs/VMX)|$side_log|$intro/sidecore.md" \
    --section "## SVM (QEMU TCG): exit costs, deterministic|$svm_exits_log|$intro/svm-exits.md" \
    --section "## SVM (QEMU TCG): interrupts, exitless against injected|$svm_log|$intro/svm.md" \
    --linux "$BUILD/bench/linux/section.md" || { echo "bench: the report failed" >&2; exit 1; }
{ echo; cat "$BUILD/bench/scaling/section.md"; echo; echo "Plot: $BUILD/bench-scaling.png."; } >> "$out"
rows=$(grep -c '^| [a-z]' "$out" || true)
grep -q '^| linux-idle-exits-per-second |' "$out" || { echo "bench: no Linux rows in $out" >&2; exit 1; }
[ "$rows" -ge 40 ] || { echo "bench: expected at least 40 rows, got $rows; see $log, $svm_exits_log and $svm_log" >&2; exit 1; }
echo "bench: $out, $BUILD/bench.png and $BUILD/bench-scaling.png written"
cat "$out"
