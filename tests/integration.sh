#!/bin/bash
# Integration tests: each case boots an ISO (hypervisor + command line + manifest) on one
# platform and is judged by the lines printed from inside: every "PASS: x" counts as a
# passed check, every "FAIL: x: why" as a failed one, and the case itself passes only if
# the run ended with "RESULT: PASS" and every expected line appeared.
# Usage: [ONLY=regex] integration.sh bochs|qemu RESULTS_FILE
set -uo pipefail
cd "$(dirname "$0")/.."
tier=$1 results=$2
BUILD=${BUILD:-build}
elf=$BUILD/exitless.elf
test_elf=$BUILD/exitless-test.elf  # with the device checks
logs=$BUILD/test-results/logs
mkdir -p "$logs" "$BUILD/test-iso" "$(dirname "$results")"
: > "$results"

# boot_case NAME PLATFORM FIRMWARE CPUS "CMDLINE" MANIFEST [EXPECTED-REGEX...]
boot_case() {
    local name=$1 platform=$2 firmware=$3 cpus=$4 cmdline=$5 manifest=$6
    shift 6
    # ONLY=regex runs just the matching cases (development; `make test` runs them all).
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    local iso=$BUILD/test-iso/$name.iso log=$logs/$name.log
    local t0=$SECONDS
    if ! tools/mkiso.sh --out "$iso" --elf "${CASE_ELF:-$elf}" --cmdline "$cmdline" \
            ${manifest:+--manifest "$manifest"} ${MKISO_FLAGS:-} > /dev/null; then
        echo "fail $name could-not-build-iso" >> "$results"
        echo "FAIL: $name: could not build the ISO"
        return
    fi
    local timeout=${CASE_TIMEOUT:-300} rc attempt
    for attempt in 1 2; do
        tests/run-platform.sh --iso "$iso" --platform "$platform" --firmware "$firmware" \
            --cpus "$cpus" --megs "${CASE_MEGS:-256}" --timeout "$timeout" --log "$log" --quiet \
            --elf "${CASE_ELF:-$elf}" \
            ${QEMU_ARGS:+--qemu-args "$QEMU_ARGS"} ${BOCHS_ARGS:+--bochs-args "$BOCHS_ARGS"} ${PASS_EXIT:+--pass-exit "$PASS_EXIT"}
        rc=$?
        # QEMU's TCG can abort on its own race between a memory-map change (a VF's FLR, a
        # BAR or bus-master toggle) and another vCPU's MMIO access (docs/soak.md, seen once
        # in 535 soak restarts). That is the emulator dying, not a result of the system under
        # test: the case runs once more, and the rerun is reported. Nothing else is retried.
        [ "$attempt" = 1 ] && [ "$platform" = qemu ] && [ $rc -ne 0 ] && \
            grep -aq 'iotlb_to_section: Assertion' "${log%.log}.emulator.log" 2>/dev/null || break
        mv "$log" "${log%.log}.qemu-abort.log"
        mv "${log%.log}.emulator.log" "${log%.log}.qemu-abort.emulator.log"
        echo "note $name qemu aborted (iotlb_to_section assertion, its TCG memory-map race): ran again" >> "$results"
        echo "NOTE: $name: QEMU aborted on its TCG memory-map race (iotlb_to_section assertion); the case runs once more (first log: ${log%.log}.qemu-abort.log)"
    done
    local ok=1 why=
    # Every check the system reported.
    while IFS= read -r line; do
        case "$line" in
        PASS:*) echo "pass $name/${line#PASS: }" >> "$results" ;;
        FAIL:*) echo "fail $name/${line#FAIL: }" >> "$results"; ok=0; why="a check failed" ;;
        esac
    done < <(grep -aE '^(PASS|FAIL): ' "$log" | tr -d '\r')
    # GUEST_CHECKS=1 (Linux guests, which cannot make the test hypercall): the checks their
    # init prints on their console, which the hypervisor prefixes with "[guest] ". Only for
    # such cases: elsewhere a guest's console is not a source of results.
    if [ "${GUEST_CHECKS:-0}" = 1 ]; then
        while IFS= read -r line; do
            local guest=${line%%]*} rest=${line#*] }
            guest=${guest#[}
            case "$rest" in
            PASS:*) echo "pass $name/$guest/${rest#PASS: }" >> "$results" ;;
            FAIL:*) echo "fail $name/$guest/${rest#FAIL: }" >> "$results"; ok=0; why="a check failed" ;;
            esac
        done < <(grep -aE '^\[[A-Za-z0-9_.-]+\] (PASS|FAIL): ' "$log" | tr -d '\r')
    fi
    for re in "$@"; do
        if ! grep -aqE "$re" "$log"; then
            ok=0 why="expected line missing: $re"
            echo "fail $name/expect: missing line matching '$re'" >> "$results"
        fi
    done
    if [ "${EXPECT_RESULT:-PASS}" = FAIL ]; then
        # A refusal test: the expected lines, then a clean stop with RESULT: FAIL.
        if [ $rc -ne 1 ] || ! grep -aq '^RESULT: FAIL' "$log" || grep -aq '^PANIC' "$log"; then
            ok=0 why=${why:-"did not stop cleanly with RESULT: FAIL (runner status $rc)"}
        fi
    else
        [ $rc -eq 0 ] || { ok=0; why=${why:-"run ended badly (runner status $rc)"}; }
    fi
    if [ $ok = 1 ]; then
        echo "pass $name" >> "$results"
        echo "PASS: $name ($platform, $firmware, $cpus CPUs, $((SECONDS - t0))s)"
    else
        echo "fail $name $why" >> "$results"
        echo "FAIL: $name ($platform, $firmware, $cpus CPUs): $why"
        # Few and short: CI's excerpt of this output keeps only its first lines, and the
        # log's very end is what tells where a timed-out run stood.
        echo "---- last lines of $log ----"
        tail -n 10 "$log" | tr -d '\r' | cut -c1-200
        echo "---- full log: $log ----"
    fi
}

# The platform layer's boot lines for N CPUs: every CPU's check-in with its APIC id (both
# emulators number APIC ids 0..N-1), all online, the MADT summary and the TSC decision.
smp_lines() {
    local n=$1 i
    for ((i = 0; i < n; i++)); do
        echo "^\[cpu$i\] smp: check-in: cpu $i, APIC id $i \("
    done
    echo "smp: $n of $n CPUs online \(0 failed"
    echo "acpi: MADT: $n CPUs? \(APIC ids"
    echo "time: TSC frequency [0-9]+ Hz"
}

# vmx_case NAME CPUS MANIFEST [EXPECTED-REGEX...]: guests from a manifest under Bochs.
vmx_case() {
    local name=$1 cpus=$2 manifest=$3
    shift 3
    boot_case "$name" bochs bios "$cpus" "" "$manifest" "$@"
}

# smp_case NAME PLATFORM FIRMWARE CPUS "CMDLINE" [EXPECTED-REGEX...]
# The TSC self-checks say which claim they make: strict (1%) where tsc-ref-hz= declares that
# the emulator counts time in instructions, bounded by each measurement's own uncertainty
# where its clocks follow the host's wall clock (selftest/smptest.c, tsc_claim_here).
smp_case() {
    local name=$1 platform=$2 firmware=$3 cpus=$4 cmdline=$5 expect claim=bounded
    shift 5
    mapfile -t expect < <(smp_lines "$cpus")
    [[ " $cmdline " == *" tsc-ref-hz="* ]] && claim=strict
    expect+=("test: TSC checks are $claim \\(")
    boot_case "$name" "$platform" "$firmware" "$cpus" "$cmdline" "" "${expect[@]}" "$@"
}

# Bochs's TSC ticks once per emulated instruction: the truth is the bochsrc's ips.
bochs_ips=$(sed -n 's/.*[ ,]ips=\([0-9]*\).*/\1/p' tests/bochs/bochsrc.in)
# Bochs's e1000 in PCI slot 1 (00:02.0), no network behind it; its MAC is in its EEPROM.
bochs_e1000=$(grep -v '^#' tests/bochs/e1000.args)
# The Bochs BIOS numbers its IOAPIC after the CPUs: id = CPU count.
bochs_acpi=('acpi: MCFG: absent' 'acpi: DMAR: absent' 'IOAPIC id [0-9]+ at 0xfec00000 version 0x11: GSI 0-23')
# QEMU q35 with an emulated VT-d unit so the DMAR table exists (TCG: no split irqchip needed).
q35_iommu="-device intel-iommu,intremap=on"
q35_acpi=('acpi: MCFG: segment 0 buses 0-255 at 0xb0000000'
          'acpi: DMAR: haw 48, 1 DRHD at 0xfed90000' 'IOAPIC id 0 at 0xfec00000')


# guest_case NAME CPUS MANIFEST [EXPECTED-REGEX...]: guests from a manifest on the tier's
# platform: Bochs runs them under VMX, QEMU TCG (-cpu max, an AMD model) under SVM. The same
# manifests, guest images and expected lines on both: one runner, the backend picked by the CPU.
guest_case() {
    local name=$1 cpus=$2 manifest=$3
    shift 3
    if [ "$GUEST_PLATFORM" = bochs ]; then
        boot_case "$name" bochs bios "$cpus" "" "$manifest" 'vcpu: backend: VMX' "$@"
    else
        QEMU_ARGS=${QEMU_ARGS:-$q35_iommu} boot_case "$name" qemu bios "$cpus" "" "$manifest" \
            'vcpu: backend: SVM' "$@"
    fi
}

# linux_case NAME CPUS MANIFEST [EXPECTED-REGEX...]: stock Linux guests (guests/linux), judged by
# the PASS lines their init prints and by their power-off through ACPI S5.
linux_case() {
    local name=$1 cpus=$2 manifest=$3
    shift 3
    GUEST_CHECKS=1 CASE_TIMEOUT=${CASE_TIMEOUT:-900} guest_case "$name" "$cpus" "$manifest" \
        'loader: linux0: appended to the command line: noapic' \
        '^\[linux0\] PASS: boot( |$)' '^\[linux0\] PASS: cpus( |$)' \
        '^\[linux0\] exitless-init: done [0-9]+ passed 0 failed' \
        'guest: linux0: powered off \(ACPI S5\)' "$@"
}

# The attacks of guests/pvhostile in its order, and the reason the device logs for each.
PVHOSTILE_ATTACKS=(head-out-of-range next-out-of-range desc-loop desc-self-loop indirect-loop
    indirect-nested len-0xffffffff len-sum-wraps-32-bits len-sum-past-bound addr-past-ram
    addr-straddles-ram-end addr-own-bar addr-local-apic addr-2p52 addr-wraps-64-bits
    avail-idx-jump used-ring-past-ram desc-table-at-2p52 avail-ring-straddles-ram-end
    used-ring-on-own-bar)
PVHOSTILE_REASONS=('head index out of range: device' 'next index out of range \(head 0\)'
    'descriptor loop \(head 0\)' 'descriptor loop \(head 5\)' 'descriptor loop \(head 0\)'
    'bad indirect descriptor \(head 0\)' 'buffer outside guest memory \(head 0\)'
    'chain too long in bytes \(head 0\)' 'avail index out of range: device' 'bad queue setup: device')

# guest_cases bochs|qemu: every guest case of the tier (names bochs-* or qemu-svm-*).
guest_cases() {
    local P GUEST_PLATFORM=$1
    if [ "$1" = bochs ]; then P=bochs; else P=qemu-svm; fi
    # Guests from manifests: three at once, faults contained, multiboot kernels.
    guest_case $P-three 4 tests/manifests/vmx-three.toml \
        '^PASS: hello/exit-stats' '^PASS: cpuid-msr/msr-unknown-write-denied' \
        '^PASS: cpuid-msr/cpuid-leaf15-tsc' '^PASS: cpuid-msr/cpuid-leaf16-mhz' \
        '^PASS: cpuid-msr/cpuid-arat-only' '^PASS: cpuid-msr/cpuid-pdcm-hidden' \
        '^PASS: cpuid-msr/cpuid-topology-levels' '^PASS: cpuid-msr/msr-gp-frame-has-rf' \
        '^PASS: cpuid-msr/msr-mtrr-def-type-kept' '^PASS: cpuid-msr/msr-perf-capabilities-denied' \
        '^PASS: cpuid-msr/(msr-misc-enable-limit-cpuid|msr-hwcr-tsc-p0)' \
        'msr: cpuid-msr: read of MSR 0xce \(not in the policy\) refused: #GP \(logged once\)' \
        'stats: cpuid-msr: [0-9]+ MSR accesses refused with #GP' 'stats: cpuid-msr:   MSR 0x1234 write: 1 refused' \
        '^PASS: portio/hc-unknown' 'stats: hello: +[0-9]+ exits' 'stats: portio: +hot rip' \
        '^\[hello\] console: [0-9]+ bytes in [0-9]+ lines dropped \(rate limit 512 bytes/s\)' \
        '^PASS: hello/console-flood-result-printed' 'all guests have stopped: each as expected'
    guest_case $P-faults 4 tests/manifests/vmx-faults.toml \
        'guest: error: isolation stopped: (EPT violation|VMEXIT_NPF): write of guest-physical 0x802000 outside its memory' \
        '^PASS: isolation/unbacked-above-ram-mov8' '^PASS: isolation/unbacked-pci-hole-movsxd' \
        '^PASS: isolation/unbacked-hpet-mov64' '^PASS: isolation/unbacked-hpet-mov8-ah' \
        '^PASS: isolation/unbacked-hpet-moffs' '^PASS: isolation/unbacked-straddle-ram' \
        'mem: isolation: 1-byte read of guest-physical 0xfed00000 at rip 0x[0-9a-f]+: neither RAM nor a device there, all ones' \
        'stats: isolation: 32 reads of unbacked guest-physical addresses answered with all ones \(4 pages logged' \
        'guest: error: crash stopped: triple fault' 'guest: warning: crash: restarting \(1 of 1\)' \
        '^PASS: neighbour/exit-stats' 'neighbour: stopped \(stopped itself' \
        'all guests have stopped: each as expected'
    guest_case $P-multiboot 3 tests/manifests/vmx-multiboot.toml \
        '^PASS: multiboot1/mb1-cmdline' '^PASS: multiboot2/mb2-protected-no-paging' \
        '^PASS: multiboot1/mb1-module' '^PASS: multiboot2/mb2-module' \
        'multiboot2: 8 MiB .* entry 0x[0-9a-f]+ \(32-bit protected mode\)'
    # The guest platform (vmm/platform/): PIT channel 2 against the TSC, the power management
    # ports; ACPI S5 powers a guest off, the reset register stops one whose policy is "stop"
    # and restarts one whose policy is "restart" (then the keyboard controller's reset does).
    local pit
    pit=(latched-count count-decreases out2-low-before-terminal-count out2-rises-at-terminal-count
         gate-low-holds-count gate-high-resumes readback-status mode1-refused channel0-absent)
    guest_case $P-platform 3 tests/manifests/platform.toml \
        "${pit[@]/#/^PASS: platform/pit-}" '^PASS: platform/tsc-frequency-known' \
        '^PASS: platform/port-b-gate-and-speaker-kept' '^PASS: platform/pm-sleep-status-clear' \
        '^PASS: platform/pm-s3-refused-guest-runs' \
        'pit: warning: platform: PIT control word 0xb2 refused: modes 1, 4 and 5 are not emulated' \
        'guest: warning: platform: sleep type 3 refused' \
        'guest: platform: powered off \(ACPI S5\)' \
        'guest: noreboot: reboot requested \(ACPI reset register\)' \
        'guest: warning: noreboot: asked to reboot, but its policy does not restart it \(on_fault = "stop"\): it stays stopped' \
        'platform: stopped \(powered off \(ACPI S5\)\), 1[0-9] checks passed, 0 failed' \
        'noreboot: stopped \(reboot requested \(ACPI reset register\)\)' \
        'all guests have stopped: each as expected'
    guest_case $P-platform-reboot 2 tests/manifests/platform-reboot.toml \
        'guest: rebooter: reboot requested \(ACPI reset register\)' \
        'guest: warning: rebooter: restarting \(1 of 2\) after: reboot requested \(ACPI reset register\)' \
        '^PASS: rebooter/restarted-after-reset-register' \
        'guest: warning: rebooter: restarting \(2 of 2\) after: reboot requested \(keyboard controller reset\)' \
        '^PASS: rebooter/restarted-after-kbc-reset' 'guest: rebooter: powered off \(ACPI S5\)' \
        'rebooter: stopped \(powered off \(ACPI S5\)\), 2 checks passed, 0 failed' \
        'all guests have stopped: each as expected'
    # ELI: the same guest exitless and injected side by side; exit counts checked per path.
    guest_case $P-eli 3 tests/manifests/eli.toml \
        '^PASS: exitless/timer-no-exits' '^PASS: exitless/ipi-no-exits' \
        '^PASS: exitless/hv-ipi-by-nmi' '^PASS: exitless/own-np-reflected' \
        '^PASS: exitless/new-idt-followed' '^PASS: injected/ipi-injected-exits' \
        '^PASS: exitless/notify-rewrite-ignored' '^PASS: injected/notify-hv-vector-refused' \
        '^PASS: exitless/ltr-loads-tr' '^PASS: exitless/ltr-busy-tss-gp' '^PASS: exitless/lldt-tss-gp' \
        '^PASS: injected/ltr-loads-tr' '^PASS: injected/lldt-null-clears' \
        'all guests have stopped: each as expected'
    # virtio-blk served by a polling sidecore (tests/manifests/pvblk.toml): a pattern written,
    # flushed, read back and checksummed, get-id, no exit on the data path, MSI-X completion
    # interrupts by IPI; a write to the read-only disk fails with VIRTIO_BLK_S_IOERR; BAR0's
    # registers read and written by memory access (emulated) agree with the access window.
    guest_case $P-pvblk 4 tests/manifests/pvblk.toml \
        '^PASS: pvblk/disk-init' '^PASS: pvblk/capacity' '^PASS: pvblk/write' '^PASS: pvblk/flush' \
        '^PASS: pvblk/read' '^PASS: pvblk/read-back-checksum' '^PASS: pvblk/get-id' \
        '^PASS: pvblk/data-path-no-exits' '^PASS: pvblk/completion-interrupts' \
        '^PASS: pvblk/ro-disk-init' '^PASS: pvblk/ro-feature-offered' '^PASS: pvblk/ro-write-ioerr' \
        '^PASS: pvblk/ro-read-ok' 'sidecore: CPU 2: polling the virtio queues' \
        '^PASS: pvblk/bar0-by-memory' '^PASS: pvblk-inj/bar0-by-memory' \
        'sidecore: pvblk virtio-blk 0: 9 register accesses to BAR0 emulated' \
        '^PASS: pvblk/idle-notifications-on' '^PASS: pvblk/idle-wake-io' '^PASS: pvblk/idle-one-kick-exits' \
        'sidecore: CPU 2: idle, halting' 'sidecore: CPU 2: utilisation over [0-9]+ TSC cycles: .* [1-9][0-9]* woken by a kick' \
        '^PASS: pvblk-inj/read-back-checksum' '^PASS: pvblk-inj/completion-interrupts' \
        '^PASS: pvblk-inj/ro-write-ioerr' \
        'all guests have stopped: each as expected'
    # The same virtio-blk devices in baseline mode beside a sidecore-served guest, in one run
    # (tests/manifests/pvblk-baseline.toml): every kick exits and is served on the vCPU.
    guest_case $P-pvblk-baseline 4 tests/manifests/pvblk-baseline.toml \
        '^PASS: pvblk-base/disk-init' '^PASS: pvblk-base/read-back-checksum' '^PASS: pvblk-base/get-id' \
        '^PASS: pvblk-base/baseline-kicks-exit' '^PASS: pvblk-base/completion-interrupts' \
        '^PASS: pvblk-base/ro-write-ioerr' '^PASS: pvblk-base/ro-read-ok' \
        'pvblk-base virtio-blk 0 \(baseline\): [1-9][0-9]* kicks exited' \
        '^PASS: pvblk-side/read-back-checksum' '^PASS: pvblk-side/data-path-no-exits' \
        'all guests have stopped: each as expected'
    # virtio-net served both ways in one run (tests/manifests/pvnet-baseline.toml): round trips
    # between a guest's own two ports, with no exit when the sidecore polls, and with every kick
    # exiting (handed to the switch's sidecore) and interrupts injected in baseline mode.
    guest_case $P-pvnet-baseline 4 tests/manifests/pvnet-baseline.toml \
        '^PASS: net-base/loop-up' '^PASS: net-base/loop-intact' '^PASS: net-base/baseline-kicks-exit' \
        '^PASS: net-base/rx-interrupts' '^PASS: net-side/loop-up' '^PASS: net-side/loop-intact' \
        '^PASS: net-side/data-path-no-exits' '^PASS: net-side/rx-interrupts' \
        'net-base virtio-net 0 \(baseline\): [1-9][0-9]* kicks exited, [1-9][0-9]* chains in [1-9][0-9]* turns by the switch' \
        'net-base virtio-net 1 \(port 2\): .* received [1-9][0-9]* ' \
        'all guests have stopped: each as expected'
    # virtio-net on the sidecore's switch (tests/manifests/pvnet.toml): two guests ping each
    # other with no exit on the data path; spoofed frames and frames from another VLAN never
    # arrive (and the switch counts the spoofed ones); the mirror target sees every frame.
    guest_case $P-pvnet 4 tests/manifests/pvnet.toml \
        '^PASS: pvnet-a/port0-init' '^PASS: pvnet-a/port1-init' '^PASS: pvnet-b/port0-init' \
        '^PASS: pvnet-a/peer-answers' '^PASS: pvnet-a/ping-pong' '^PASS: pvnet-a/data-path-no-exits' \
        '^PASS: pvnet-a/rx-interrupts' '^PASS: pvnet-a/isolation-frames-decided' \
        '^PASS: pvnet-b/done-received' '^PASS: pvnet-b/answered' '^PASS: pvnet-b/data-path-no-exits' \
        '^PASS: pvnet-b/spoof-dropped' '^PASS: pvnet-b/vlan-isolation' '^PASS: pvnet-b/mirror-copies' \
        '^PASS: pvnet-b/no-stray-frames' \
        "pvnet-a virtio-net 0 \\(port 1\\): .* dropped: 8 spoofed" \
        "pvnet-a virtio-net 1 \\(port 10\\): .* dropped: 0 spoofed, 0 tagged, 0 malformed, 8 unknown" \
        "pvnet-b virtio-net 0 \\(port 2\\): .* received [0-9]+ .* 0 interrupts sent" \
        'all guests have stopped: each as expected'
    if [ "$GUEST_PLATFORM" = bochs ]; then
        # Rate limits, where time is deterministic (tests/manifests/pvnet-qos.toml): an
        # egress_limit within 5% over the measured window; a flood against a receiver with an
        # ingress_limit and one without, policed before any copy, with the sidecore's cost per
        # policed frame.
        guest_case $P-pvnet-qos 4 tests/manifests/pvnet-qos.toml \
            '^PASS: qos-src/sink-answers' '^PASS: qos-src/egress-within-5pct' '^PASS: qos-src/flood-sent' \
            '^PASS: qos-sink/end-received' '^PASS: qos-sink/egress-frames-arrived' \
            '^PASS: qos-sink/flood-exceeds-limit' '^PASS: qos-sink/limited-receives-its-limit' \
            '^PASS: qos-sink/unlimited-gets-the-rest' \
            'qos-src virtio-net 1 \(port 21\): sidecore cost per frame sent .*: [1-9][0-9]* policed at the receiver .* at [0-9]+ each' \
            'all guests have stopped: each as expected'
    fi
    # A hostile PV guest against its own virtio-blk on the sidecore, beside a neighbour whose
    # write + read-back rounds on the same sidecore must all match and end after the attacks
    # (tests/manifests/pvhostile.toml; Bochs: a short storm, fewer rounds). Every bad chain or
    # ring gives one needs-reset line with its reason; each attack is followed by a recovery.
    local m=tests/manifests/pvhostile.toml
    [ $P = bochs ] && m=tests/manifests/pvhostile-bochs.toml
    local a hostile=()
    for a in "${PVHOSTILE_ATTACKS[@]}"; do
        hostile+=("^PASS: pvhostile/$a-needs-reset" "^PASS: pvhostile/$a-recovered")
    done
    CASE_TIMEOUT=600 guest_case $P-pvhostile 4 $m \
        '^PASS: pvhostile/disk-init' '^PASS: pvhostile/baseline-request' "${hostile[@]}" \
        '^PASS: pvhostile/notify-storm-served' \
        "${PVHOSTILE_REASONS[@]/#/guest .pvhostile. virtio-blk 0: queue 0: }" \
        '^PASS: neighbour/read-back-checksum' '^PASS: neighbour/io-rounds' \
        '^PASS: neighbour/ro-write-ioerr' 'all guests have stopped: each as expected'
    # One needs-reset line per attack; the neighbour's rounds went on during the attacks (a
    # progress line between the first reset and the hostile guest's done line) and ended after.
    vf_count $P-pvhostile ${#PVHOSTILE_ATTACKS[@]} 'device needs reset'
    vf_order $P-pvhostile 'guest .pvhostile. virtio-blk 0: .*device needs reset' \
        '^\[neighbour\] pvblk: round [0-9]+ at' 'pvhostile: done:' '^PASS: neighbour/io-rounds'
    # The local APIC as an OS finds it and INIT-SIPI-SIPI between a guest's own cores: a
    # three-vCPU exitless guest starts its APs in real mode (tests/manifests/smpboot.toml).
    CASE_TIMEOUT=360 guest_case $P-smpboot 4 tests/manifests/smpboot.toml \
        '^PASS: smpboot/apic-base-read' '^PASS: smpboot/apic-base-write-same-accepted' \
        '^PASS: smpboot/apic-base-disable-gp' '^PASS: smpboot/x2apic-registers-readable' \
        '^PASS: smpboot/x2apic-cmci-as-mcg-cap-says' '^PASS: smpboot/x2apic-write-only-gp' \
        '^PASS: smpboot/x2apic-ppr-follows-tpr' '^PASS: smpboot/lvt-timer-0xec-no-exits' \
        '^PASS: smpboot/self-ipi-0xfd-delivered' '^PASS: smpboot/init-sipi-foreign-refused' \
        'apic: warning: smpboot: vCPU 0: INIT to a core that is not the guest.s refused' \
        'apic: warning: smpboot: vCPU 0: APIC base write 0x[0-9a-f]+ refused with #GP' \
        '^PASS: smpboot/aps-ran-from-entry' '^PASS: smpboot/sipi-without-init-ignored' \
        'smpboot: vCPU 0 sent STARTUP \(vector 0x20\) to vCPU 1, which is not waiting for one: ignored' \
        'smpboot: vCPU 0 sent INIT to vCPU 2' \
        '^PASS: smpboot/aps-started-once-each' '^PASS: smpboot/aps-started-at-sipi-vector' \
        '^PASS: smpboot/aps-started-in-real-mode' '^PASS: smpboot/aps-report-own-apic-ids' \
        '^PASS: smpboot/aps-apic-base-no-bsp' 'all guests have stopped: each as expected'
    # A hostile two-vCPU guest (tests/manifests/hostile*.toml): each attack ends in checks of
    # what the hypervisor did; the neighbour's heartbeat runs through it; nothing panics.
    CASE_TIMEOUT=360 guest_case $P-hostile 4 tests/manifests/hostile.toml \
        '^PASS: hostile/smp-vcpu1-started' '^PASS: hostile/console-race-hc-lengths' \
        '^PASS: hostile/console-race-stats-sane' '^PASS: hostile/console-after-race' \
        '^\[hostile\] console: [0-9]+ bytes in [0-9]+ lines dropped \(rate limit 512 bytes/s\)' \
        '^PASS: hostile/notify-rewrite-bounded' '^PASS: hostile/notify-rewrite-at-most-count' \
        '^PASS: hostile/notify-rewrite-no-other-vector' '^PASS: hostile/notify-clean-after-rewrite' \
        '^PASS: hostile/x2apic-reserved-ICR' '^PASS: hostile/x2apic-reserved-SELF_IPI' \
        '^PASS: hostile/x2apic-reserved-TPR' '^PASS: hostile/x2apic-reserved-EOI' \
        '^PASS: hostile/x2apic-reserved-LVT_TIMER' '^PASS: hostile/x2apic-reserved-LVT_CMCI' \
        '^PASS: hostile/x2apic-reserved-LVT_THERMAL' '^PASS: hostile/x2apic-reserved-LVT_PERF' \
        '^PASS: hostile/x2apic-reserved-LVT_LINT0' '^PASS: hostile/x2apic-reserved-LVT_LINT1' \
        '^PASS: hostile/x2apic-reserved-LVT_ERROR' '^PASS: hostile/x2apic-reserved-SVR' \
        '^PASS: hostile/x2apic-reserved-TIMER_INIT' '^PASS: hostile/x2apic-reserved-TIMER_DIV' \
        '^PASS: hostile/x2apic-reserved-ESR' '^PASS: hostile/x2apic-reserved-TSC_DEADLINE' \
        '^PASS: hostile/x2apic-ICR-foreign-destinations-denied' '^PASS: hostile/x2apic-self-ipis-arrive' \
        '^PASS: hostile/x2apic-foreign-special-modes-denied' \
        '^PASS: hostile/xsetbv-without-osxsave-ud' \
        '^PASS: hostile/cpuid-osxsave-follows-cr4' \
        '^PASS: hostile/xsetbv-valid' '^PASS: hostile/xsetbv-invalid-gp' '^PASS: hostile/xsetbv-xcr0-kept' \
        '^PASS: hostile/hypervisor-still-answers' '^PASS: neighbour/heartbeat' \
        'all guests have stopped: each as expected'
    idt_checks=()
    for after in setup straddle lidt-race step; do
        idt_checks+=("^PASS: hostile/idt-write-exits-after-$after"
                     "^PASS: hostile/hv-ipi-through-hypervisor-after-$after"
                     "^PASS: hostile/rewritten-gate-used-after-$after")
    done
    CASE_TIMEOUT=360 guest_case $P-hostile-eli 4 tests/manifests/hostile-eli.toml \
        '^PASS: hostile/smp-vcpu1-started' "${idt_checks[@]}" \
        '^PASS: hostile/idt-straddle-survived' '^PASS: hostile/idt-lidt-race-self-ipis' \
        '^PASS: hostile/idt-never-ending-step-returned' \
        '^PASS: hostile/notify-rewrite-bounded' '^PASS: hostile/notify-rewrite-at-most-count' \
        '^PASS: hostile/notify-rewrite-no-other-vector' '^PASS: hostile/notify-clean-after-rewrite' \
        '^PASS: hostile/hypervisor-still-answers' '^PASS: neighbour/heartbeat' \
        'all guests have stopped: each as expected'
    # Guests that never give their core back are stopped by their manifest time_limit.
    CASE_TIMEOUT=360 guest_case $P-blockers 4 tests/manifests/blockers.toml \
        '^\[cli\] block-cli: interrupts off' '^\[cr8\] block-cr8: CR8 = 15' \
        'guest: error: cli stopped: ran past its time limit of 1000 ms' \
        'guest: error: cr8 stopped: ran past its time limit of 1000 ms' \
        '^PASS: neighbour/heartbeat' 'all guests have stopped: each as expected'
    CASE_TIMEOUT=360 guest_case $P-blockers-idt 4 tests/manifests/blockers-idt.toml \
        '^\[idtlimit\] block-idt-limit: IDT limit 0xdff' '^\[step\] block-step: inside the interrupt' \
        '^PASS: idtlimit/short-idt-hv-ipi-through-hypervisor' \
        'guest: error: idtlimit stopped: ran past its time limit of 1000 ms' \
        'guest: error: step stopped: ran past its time limit of 1000 ms' \
        '^PASS: neighbour/heartbeat' 'all guests have stopped: each as expected'
    attack_cases "$P"
}
source tests/attack_cases.sh

# vf_order NAME RE1 RE2 ...: in NAME's log each RE matches a line after the previous RE's
# first match (the log says "A, then B").
vf_order() {
    local name=$1 log=$logs/$1.log at=0 n re
    shift
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    for re in "$@"; do
        n=$(tail -n +$((at + 1)) "$log" | grep -anE "$re" | head -1 | cut -d: -f1)
        if [ -z "$n" ]; then
            echo "fail $name/order: no line matching '$re' after line $at" >> "$results"
            echo "FAIL: $name: no line matching '$re' after line $at"
            return
        fi
        at=$((at + n))
    done
    echo "pass $name/order" >> "$results"
}

# vf_count NAME N RE: exactly N lines of NAME's log match RE.
vf_count() {
    local name=$1 want=$2 re=$3 got
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    got=$(grep -acE "$re" "$logs/$name.log")
    if [ "$got" = "$want" ]; then
        echo "pass $name/count" >> "$results"
    else
        echo "fail $name/count: $got lines match '$re', want $want" >> "$results"
        echo "FAIL: $name: $got lines match '$re', want $want"
    fi
}

# linux_window_faults NAME GUEST: the guest's ping window (marks 0xe1-0xe2) has no
# guest-physical fault and no exception exit while the sidecore polls. A sidecore that halts in
# the window (over SIDECORE_IDLE_US without work: a host busy enough to stall the guest's TCG
# vCPUs that long) write-protects the notify pages again, and the guest's next notification is a
# fault by design; such a window is reported, not judged (as is any window once the sidecore
# stops logging its halts, SIDECORE_HALT_LOG_MAX).
linux_window_faults() {
    local name=$1 guest=$2 log=$logs/$1.log halts faults
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    halts=$(awk -v g="$guest" '
        index($0, "stats: " g ": mark") && index($0, "(value 0xe1)") { on = 1; next }
        index($0, "stats: " g ": mark") && index($0, "(value 0xe2)") { on = 0 }
        on && /sidecore: CPU [0-9]+: idle, halting/ { n++ }
        /sidecore: CPU [0-9]+: idle, halting; further halts are counted/ { capped = 1 }
        END { print (capped ? 1 : 0) + n }' "$log")
    faults=$(grep -acE "stats: $guest: mark [0-9]+ \(value 0xe2\): .*(guest-physical fault|exception)" "$log")
    if [ "$halts" -gt 0 ]; then
        echo "note: $name: the sidecore halted $halts times in $guest's ping window; its faults and exceptions there ($faults lines) are not judged"
    elif [ "$faults" = 0 ]; then
        echo "pass $name/window" >> "$results"
    else
        echo "fail $name/window: guest-physical faults or exceptions in $guest's ping window with the sidecore polling" >> "$results"
        echo "FAIL: $name: guest-physical faults or exceptions in $guest's ping window with the sidecore polling"
    fi
}

# linux_exits_per_ping NAME GUEST PINGS: from the exit-count marks the guest's init sets (an
# empty stretch 0xe0-0xe1, then its pings 0xe1-0xe2), the exits of the ping window beyond what a
# mark costs, per ping; printed for the record, never judged.
linux_exits_per_ping() {
    local name=$1 guest=$2 pings=$3 log=$logs/$1.log empty window
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    empty=$(grep -aoE "stats: $guest: mark [0-9]+ \(value 0xe1\): [0-9]+ exits" "$log" | awk '{print $(NF-1)}')
    window=$(grep -aoE "stats: $guest: mark [0-9]+ \(value 0xe2\): [0-9]+ exits" "$log" | awk '{print $(NF-1)}')
    [ -n "$empty" ] && [ -n "$window" ] || return
    echo "note: $name: $guest: $((window - empty)) exits in $pings pings' window ($window with the closing mark, a mark alone $empty): $(awk -v e=$((window - empty)) -v n="$pings" 'BEGIN { printf "%.2f", e / n }') per ping"
}

# soak_manifest NAME MANIFEST CYCLES: MANIFEST with its cycler's max_restarts and cycles= set
# to CYCLES, written beside the case's ISO (module paths stay right: one folder under build/).
soak_manifest() {
    local out=$BUILD/test-iso/$1.toml
    local limit=$(($3 * 20 > 3600 ? $3 * 20 : 3600))
    sed -E "s/^max_restarts = [0-9]+/max_restarts = $3/; s/cycles=[0-9]+/cycles=$3/; s/limit_s=[0-9]+/limit_s=$limit/; s#\.\./\.\./build/#../#" "$2" > "$out"
    echo "$out"
}

# soak_case NAME PLATFORM CPUS MANIFEST CYCLES WORD [EXPECTED-REGEX...]: the restart soak in the
# test image (selftest/soak.c): the cycler guest faults and is restarted CYCLES times, a
# census after each restart; WORD is soak (every census equal) or soak-leak (the control).
soak_case() {
    local name=$1 platform=$2 cpus=$3 manifest=$4 cycles=$5 word=$6 m
    shift 6
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    m=$(soak_manifest "$name" "$manifest" "$cycles")
    local qargs=${QEMU_ARGS:-}
    [ "$platform" = qemu ] && qargs=${qargs:-$vf_qemu}
    QEMU_ARGS=$qargs CASE_ELF=$test_elf CASE_MEGS=512 CASE_TIMEOUT=${CASE_TIMEOUT:-900} \
        boot_case "$name" "$platform" bios "$cpus" "$word" "$m" \
        'soak: armed: a resource census after each guest restart' \
        "guest: warning: cycler: restarting \\($cycles of $cycles\\)" \
        "^PASS: cycler/restarted-every-cycle" "$@"
    vf_count "$name" "$cycles" 'guest: warning: cycler: restarting \([0-9]+ of '
}

vf_qemu="$q35_iommu -netdev user,id=n0 -device igb,netdev=n0"
vf_checks=(vf-found vf-bar0 vf-enabled vf-msix-capability vf-msix-table)

# igb_case NAME WORD MANIFEST CPUS "WIRE-CHECKS" [EXPECTED-REGEX...]: the test image drives
# the VFs (`WORD`) while tests/igb_wire.py plays the LAN on a -netdev dgram socket; the wire
# capture (filter-dump) is then checked for the WIRE-CHECKS (igb_wire.py check options).
igb_case() {
    local name=$1 word=$2 manifest=$3 cpus=$4 wire=$5
    shift 5
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    local port=$((20000 + ($$ * 2) % 20000)) pcap=$logs/$name.pcap
    rm -f "$pcap"
    # shellcheck disable=SC2086
    python3 tests/igb_wire.py inject --port $port --qemu-port $((port + 1)) --seconds 240 ${IGB_INJECT:-} &
    local inj=$!
    local net="-netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$((port + 1)),remote.type=inet,remote.host=127.0.0.1,remote.port=$port"
    CASE_ELF=${IGB_ELF:-$test_elf} CASE_MEGS=512 QEMU_ARGS="$q35_iommu $net -device igb,netdev=n0 -object filter-dump,id=f0,netdev=n0,file=$pcap" \
        boot_case "$name" qemu bios "$cpus" "$word" "$manifest" "$@"
    kill $inj 2>/dev/null; wait $inj 2>/dev/null
    local line
    # shellcheck disable=SC2086
    while IFS= read -r line; do
        echo "$line"
        case "$line" in
        PASS:*) echo "pass $name/${line#PASS: }" >> "$results" ;;
        FAIL:*) echo "fail $name/${line#FAIL: }" >> "$results" ;;
        esac
    done < <(python3 tests/igb_wire.py check "$pcap" $wire)
}

# The igb PF driver's boot lines for tests/manifests/qemu-igb.toml on QEMU's model.
igb_lines=('igb: igb0: 82576 at 0000:00:02.0 reset; device model: QEMU \(subsystem 1af4:1100\)'
    'igb: igb0: link up at 1Gbit full duplex'
    'igb: igb0: VMDq \+ SR-IOV: 4 VF pool\(s\), PF pool 4, default pool off'
    'igb: igb0: switching veb: VF-to-VF frames are switched inside the NIC'
    'igb: warning: igb0 VF0 \(alpha\): tx-rate: not enforced by this device: 100Mbit: RTTBCNRC read back 0x0, wrote 0x80028000'
    'igb: warning: igb0 VF0 \(alpha\): spoof-check: not enforced by this device'
    'igb: warning: igb0 VF0 \(alpha\): mirror: not enforced by this device: mirror rule 0: VMRCTL read back 0x0, wrote 0x301'
    'igb: warning: igb0 VF3 \(mon\): mirror: not enforced by this device'
    'igb: warning: igb0 VF0 \(alpha\): rx-drop: not enforced by this device'
    'igb: warning: igb0 VF0 \(alpha\): ingress-limit: not enforced by this device \(no such mechanism\): the 82576 has no receive rate limiter'
    'igb: warning: igb0 VF1 \(beta\): priority: not enforced by this device \(no such mechanism\)'
    'igb:   0   alpha +02:00:00:00:00:10 +untagged +100Mbit +on +source +mac-filter / spoof-check,tx-rate,rx-drop,ingress-limit,mirror'
    'igb:   2   gamma +02:00:00:00:00:12 +port 10 prio 5 +- +on +- +mac-filter,vlan-filter,port-vlan,priority / spoof-check,rx-drop'
    'igb:   3   mon +02:00:00:00:00:13 +untagged +- +off +target +mac-filter / rx-drop,mirror'
    'igb: mailbox interrupt: PF MSI-X 0 -> vector 0xe1|igb: igb0: mailbox interrupt: PF MSI-X 0 -> vector 0xe1'
    'qos_policy = "best-effort": running without them')

case "$tier" in
bochs)
    smp_case bochs-selftest bochs bios 1 "selftest tsc-ref-hz=$bochs_ips" \
        '^\[cpu0\] boot: firmware: BIOS' 'platform: Bochs' 'features: VMX yes, EPT yes' \
        "${bochs_acpi[@]}"
    # xAPIC (MMIO) mode on purpose: both emulators would otherwise always use x2APIC.
    smp_case bochs-smp2-xapic bochs bios 2 "selftest xapic tsc-ref-hz=$bochs_ips" \
        'local APIC: xAPIC \(MMIO\) mode' "${bochs_acpi[@]}"
    smp_case bochs-smp4 bochs bios 4 "selftest tsc-ref-hz=$bochs_ips" \
        'local APIC: x2APIC \(MSR\) mode' "${bochs_acpi[@]}"
    guest_cases bochs
    # Restart soak under VMX without devices (Bochs has no IOMMU or VFs): a triple-faulting
    # guest restarted ${SOAK_BOCHS_CYCLES:-12} times, a census after each restart, a neighbour's
    # hypercall heartbeat beside it.
    soak_case bochs-soak bochs 3 tests/manifests/bochs-soak.toml "${SOAK_BOCHS_CYCLES:-12}" soak \
        'vcpu: backend: VMX' \
        "^PASS: soak-census-stable \\(${SOAK_BOCHS_CYCLES:-12} cycles, each census equal to cycle 1's: free-frames=[0-9]+ .* cpu-contexts=2 " \
        '^PASS: neighbour/heartbeat'
    vf_order bochs-soak "guest: warning: cycler: restarting \\(${SOAK_BOCHS_CYCLES:-12} of " '^PASS: neighbour/heartbeat'
    # A stock Linux kernel: PVH entry (Bochs would spend minutes in a bzImage's decompressor).
    GUEST_PLATFORM=bochs linux_case bochs-linux 2 tests/manifests/linux-pvh.toml \
        'loader: linux0: Linux vmlinux, PVH entry 0x[0-9a-f]+'
    # Device assignment without an IOMMU (Bochs has none): its e1000 in the guest's virtual
    # PCI, BAR0 through EPT, INTx on the guest's vector; exitless, then injected.
    BOCHS_ARGS="$bochs_e1000" vmx_case bochs-e1000-exitless 2 tests/manifests/e1000.toml \
        'vpci: warning: nicguest: UNSAFE: 0000:00:02.0 is assigned without an IOMMU' \
        'vpci: nicguest: 0000:00:02.0 8086:100e at guest 00:01.0: BAR0 0xc0000000\+0x20000' \
        'vpci: nicguest: 0000:00:02.0 INTxA: GSI [0-9]+ -> vector 0xd0 on APIC id 1 \(exitless\)' \
        '^PASS: nicguest/pci-device-found' '^PASS: nicguest/pci-bar0-sized' \
        '^PASS: nicguest/dev-eeprom-mac' '^PASS: nicguest/dev-interrupts' \
        '^PASS: nicguest/dev-interrupts-no-exits' 'all guests have stopped: each as expected'
    BOCHS_ARGS="$bochs_e1000" vmx_case bochs-e1000-injected 2 tests/manifests/e1000-injected.toml \
        'INTxA: GSI [0-9]+ -> vector 0xd0 on APIC id 1 \(injected, line masked until EOI\)' \
        '^PASS: nicinjected/dev-interrupts' '^PASS: nicinjected/dev-interrupts-injected-exits' \
        'all guests have stopped: each as expected'
    # A bad manifest: every error printed, the boot stops before anything is configured.
    EXPECT_RESULT=FAIL MKISO_FLAGS=--unchecked boot_case bochs-bad-manifest bochs bios 2 "" tests/manifests/bad/errors.toml \
        "^manifest:5:1: error: \\[\\[guest\\]\\] 'first': missing key 'memory'" \
        "^manifest:8:1: error: unknown key 'memroy' in \\[\\[guest\\]\\] 'first'; did you mean 'memory'\\?" \
        "^manifest:13:8: error: guest 'second': CPU 1 is already used by guest 'first' \\(line 7\\)" \
        "^manifest:7:8: error: guest 'first': CPU 1 is a sidecore \\(hypervisor.sidecores\\)" \
        "^manifest:18:10: error: 'uplink': no \\[\\[nic\\]\\] is named 'nic9'" \
        'boot stopped: fix the manifest; no device was configured'
    ;;
qemu)
    QEMU_ARGS=$q35_iommu smp_case qemu-seabios-selftest qemu bios 1 "selftest" \
        '^\[cpu0\] boot: firmware: BIOS' 'platform: QEMU' "${q35_acpi[@]}"
    QEMU_ARGS=$q35_iommu smp_case qemu-seabios-smp2-xapic qemu bios 2 "selftest xapic" \
        'local APIC: xAPIC \(MMIO\) mode' "${q35_acpi[@]}"
    QEMU_ARGS=$q35_iommu smp_case qemu-seabios-smp4 qemu bios 4 "selftest" \
        'local APIC: x2APIC \(MSR\) mode' "${q35_acpi[@]}"
    QEMU_ARGS=$q35_iommu smp_case qemu-ovmf-selftest qemu uefi 1 "selftest" \
        '^\[cpu0\] boot: firmware: UEFI' 'platform: QEMU' "${q35_acpi[@]}"
    QEMU_ARGS=$q35_iommu smp_case qemu-ovmf-smp2 qemu uefi 2 "selftest" "${q35_acpi[@]}"
    QEMU_ARGS=$q35_iommu smp_case qemu-ovmf-smp4 qemu uefi 4 "selftest" "${q35_acpi[@]}"
    # Strict TSC checks on QEMU: -icount counts time in instructions, so a busy host cannot
    # move one clock against another. The TSC then ticks in virtual nanoseconds (1 GHz).
    # shift=9 (512 ns per instruction) runs about as fast as the cases above (12 s; shift=3
    # took 95 s on one CPU, most of it in GRUB; shift=10 leaves a port read's bracket over
    # the 500 ppm the calibration wants); sleep=off keeps idle time off the host clock.
    # xAPIC: in x2APIC mode QEMU 10.0 aborts with "Bad icount read" (seen as the LAPIC timer
    # is set up, just after the TSC calibration).
    QEMU_ARGS="$q35_iommu -icount shift=9,sleep=off" smp_case qemu-seabios-icount-smp4 qemu \
        bios 4 "selftest xapic tsc-ref-hz=1000000000" 'local APIC: xAPIC \(MMIO\) mode' \
        "${q35_acpi[@]}"
    # ACPI S5 from the DSDT's \_S5 package: QEMU exits with status 0 only if it powered off.
    PASS_EXIT=0 boot_case qemu-seabios-poweroff qemu bios 2 "selftest end=poweroff" "" \
        'acpi: power-off: S5 with SLP_TYPa 0 SLP_TYPb 0'
    # A CPU with neither VMX nor SVM: said plainly, guests not started, the run ends cleanly.
    EXPECT_RESULT=FAIL QEMU_ARGS="$q35_iommu -cpu qemu64,-svm" boot_case qemu-no-virt qemu bios 4 "" \
        tests/manifests/vmx-three.toml \
        'vcpu: error: no virtualization backend: VMX: this CPU has no VMX .*; SVM: ' \
        'guest hello cannot run: no VMX or SVM' 'all guests have stopped: not as expected'
    # Every guest case of the Bochs tier, under SVM.
    guest_cases qemu
    # A stock Linux kernel as found in /boot (bzImage), two CPUs started with INIT-SIPI-SIPI.
    GUEST_PLATFORM=qemu linux_case qemu-svm-linux-smp 3 tests/manifests/linux-smp.toml \
        'loader: linux0: Linux bzImage, boot protocol 2\.[0-9]+' \
        'loader: linux0: appended to the command line: noapic tsc_early_khz=[0-9]+' \
        'apic: linux0: vCPU 0 sent STARTUP \(vector 0x[0-9a-f]+\) to vCPU 1' \
        '^\[linux0\] PASS: cpus \(2 online'
    # Guests drive their assigned igb VFs under SVM, end to end (guests/vf).

    # VF interrupts (issue 13): two guests take their own VF's MSI-X with no exit; entries
    # aimed at another core or at a vector no guest owns stay masked on the VF (checked once);
    # the same through an alias of the table page its own page tables map (issue 16).
    irq_lines=()
    for g in irq-a irq-b; do
        for c in "${vf_checks[@]}" msix-table-reads-back vf-interrupts vf-interrupts-no-exits \
                 msix-other-core-refused msix-unowned-vector-refused \
                 msix-held-message-delivered-when-allowed msix-alias-other-core-refused \
                 msix-remappable-format-refused msix-alias-write-followed; do
            irq_lines+=("^PASS: $g/$c")
        done
        irq_lines+=("guest: $g: stopped \\(stopped itself \\(hypercall\\)\\), 14 checks passed, 0 failed")
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-irq qemu bios 4 "" tests/manifests/qemu-vf-irq.toml \
        'vcpu: backend: SVM' \
        'vpci: irq-a: 0000:00:12.0 8086:10ca \(VF\) at guest 00:01.0: BAR0 0xc0000000\+0x4000 BAR3 0xc0004000\+0x4000; .*MSI-X shadowed' \
        'vpci: irq-b: 0000:00:12.2 8086:10ca \(VF\) at guest 00:01.0: BAR0 0xc0000000\+0x4000 BAR3 0xc0004000\+0x4000; .*MSI-X shadowed' \
        "vpci: warning: irq-a: 0000:00:12.0 MSI-X entry 1 refused \\(address 0:fee02000 data 0x51\\): destination is not one of the guest's cores; left masked" \
        "vpci: warning: irq-a: 0000:00:12.0 MSI-X entry 2 refused \\(address 0:fee01000 data 0x1f\\): vector outside the guest's range 0x20-0xff; left masked" \
        "vpci: warning: irq-b: 0000:00:12.2 MSI-X entry 1 refused \\(address 0:fee03000 data 0x51\\): destination is not one of the guest's cores; left masked" \
        "vpci: warning: irq-b: 0000:00:12.2 MSI-X entry 2 refused \\(address 0:fee02000 data 0x1f\\): vector outside the guest's range 0x20-0xff; left masked" \
        "${irq_lines[@]}"
    # Entry 1 is refused three times per guest: a foreign destination directly, then through
    # the alias, then a remappable-format address.
    vf_count qemu-vf-irq 8 'MSI-X entry [12] refused'
    vf_count qemu-vf-irq 2 'MSI-X entry 1 refused \(address 0:fee[0-9a-f]+ data 0x52\): remappable-format address'

    # VF DMA (issue 13): frames between guests' VFs from rings in their own memory; dma-a's
    # descriptors outside its memory fault (blocked, logged with BDF and owner) until it is
    # stopped; dma-b and dma-c keep trading frames afterwards. Before that (issue 16, test
    # image: HC_TEST_HV_FRAMES) dma-a aims its VF's reads and a write at the host addresses of
    # the hypervisor's text, a canary and the frame past its RAM; dma-b later has the
    # hypervisor check they are unchanged.
    dma_lines=()
    for g in dma-a dma-b dma-c; do
        for c in peer-addresses "${vf_checks[@]}" mailbox-reset-handshake; do dma_lines+=("^PASS: $g/$c"); done
    done
    CASE_ELF=$test_elf QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-dma qemu bios 4 "" tests/manifests/qemu-vf-dma.toml \
        'igb: igb0 VF0 \(dma-a\): reset handshake: MAC 02:00:00:00:0d:0a handed over' \
        'igb: igb0 VF1 \(dma-b\): reset handshake: MAC 02:00:00:00:0d:0b handed over' \
        'igb: igb0 VF2 \(dma-c\): reset handshake: MAC 02:00:00:00:0d:0c handed over' \
        'vtd: warning: fault: DMA read of 0x2000000 by 0000:00:12.0 \(guest dma-a\) blocked: read of a page without read permission \(not mapped\) \(reason 0x6\)' \
        'guest: error: dma-a stopped: its assigned device keeps faulting: 8 VT-d faults in this run' \
        'vpci: dma-a: 0000:00:12.0 reset \(FLR\) after the guest stopped' \
        'guest: dma-a: failed \(its assigned device keeps faulting: .*\), 9 checks passed, 0 failed' \
        'guest: dma-b: stopped \(stopped itself \(hypercall\)\), 11 checks passed, 0 failed' \
        '^PASS: dma-a/hv-frames-given' '^PASS: dma-b/hv-frames-unchanged' \
        'hvframes: dma-b asked: 3 of 3 frames unchanged since they were handed out' \
        'guest: dma-c: stopped \(stopped itself \(hypercall\)\), 8 checks passed, 0 failed' \
        "${dma_lines[@]}" \
        '^PASS: dma-a/frame-sent-and-received' '^PASS: dma-b/frame-from-faulting-neighbour' \
        '^PASS: dma-b/neighbour-fault-announced' '^PASS: dma-b/traffic-after-neighbour-fault' \
        '^PASS: dma-c/served-neighbour'
    vf_order qemu-vf-dma '^PASS: dma-a/frame-sent-and-received' \
        'fault: DMA read of 0x2000000 by 0000:00:12.0 \(guest dma-a\)' 'guest: error: dma-a stopped' \
        'vpci: dma-a: 0000:00:12.0 reset \(FLR\) after the guest stopped' '^PASS: dma-b/traffic-after-neighbour-fault'
    vf_count qemu-vf-dma 0 'fault: .* by 0000:00:12\.[24] '

    # Configuration-space attacks through a VF (issue 16): cfg-a writes its BARs (sizing,
    # a move, the original), the MSI-X control and table location, turns bus master off (no
    # frame leaves) and on, asks for an FLR through the PCIe capability (read-only: dropped),
    # reads and writes every function it does not own and reads the host's ECAM, sends the PF
    # malformed mailbox requests, requests before its reset handshake and a flood of 5000
    # requests that never wait; after each it trades a frame with
    # cfg-b, whose VF answers every round. Foreign MSI-X entries are qemu-vf-irq's.
    cfg_lines=()
    for g in cfg-a cfg-b; do
        for c in peer-address "${vf_checks[@]}" mailbox-reset-handshake; do cfg_lines+=("^PASS: $g/$c"); done
    done
    for c in bring-up bar-writes msix-writes bus-master flr foreign-functions mailbox-malformed mailbox-flood; do
        cfg_lines+=("^PASS: cfg-a/frames-after-$c")
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-cfgattack qemu bios 3 "" tests/manifests/qemu-vf-cfgattack.toml \
        "${cfg_lines[@]}" \
        '^PASS: cfg-a/bar0-writes' '^PASS: cfg-a/bar3-writes' '^PASS: cfg-a/msix-capability-writes' \
        '^PASS: cfg-a/bus-master-off-stops-dma' '^PASS: cfg-a/bus-master-on-again' \
        '^PASS: cfg-a/flr-write-dropped' '^PASS: cfg-a/foreign-functions-absent' '^PASS: cfg-a/pf-sriov-unreachable' \
        '^PASS: cfg-a/ecam-absent' 'mem: cfg-a: 4-byte read of guest-physical 0xb0010000 at rip .*: neither RAM nor a device there, all ones' \
        'mem: cfg-a: 4-byte read of guest-physical 0xb0090000 at rip .*: neither RAM nor a device there, all ones' \
        '^PASS: cfg-b/no-frame-while-bus-master-off' '^PASS: cfg-b/served-every-round' \
        '^PASS: cfg-a/mailbox-malformed-refused' '^PASS: cfg-a/mailbox-before-handshake-refused' \
        '^PASS: cfg-a/mailbox-flood-survived' '^PASS: cfg-a/reset-loop-survived' \
        'igb: warning: igb0 VF0 \(cfg-a\): 8 reset lines logged for this VF: the rest are counted, not logged' \
        'igb: warning: igb0 VF0 \(cfg-a\): mailbox unknown type 0x77 refused: unknown request' \
        'igb: warning: igb0 VF0 \(cfg-a\): mailbox set-VLAN add VLAN 20 refused' \
        'igb: warning: igb0 VF0 \(cfg-a\): mailbox set-multicast refused: no reset handshake yet' \
        'igb: warning: igb0 VF0 \(cfg-a\): 16 mailbox lines logged for this VF: the rest are counted, not logged' \
        'igb: warning: igb0 VF0 \(cfg-a\): [1-9][0-9]* mailbox lines since the last report were not logged' \
        'vpci: warning: cfg-a: tried to move a BAR of 0000:00:12\.0 \(offset 0x10 <- ' \
        'vpci: warning: cfg-a: tried to move a BAR of 0000:00:12\.0 \(offset 0x1c <- ' \
        'vpci: warning: cfg-a: asked for an FLR of 0000:00:12\.0 through its PCIe capability: dropped' \
        'guest: cfg-a: stopped \(stopped itself \(hypercall\)\)' \
        'guest: cfg-b: stopped \(stopped itself \(hypercall\)\)' \
        'all guests have stopped: each as expected'
    vf_order qemu-vf-cfgattack '^PASS: cfg-a/frames-after-bring-up' '^PASS: cfg-a/bar0-writes' \
        'cfg-b: neighbour progress: answering round 2' '^PASS: cfg-a/msix-capability-writes' \
        'cfg-b: neighbour progress: answering round 3' '^PASS: cfg-a/bus-master-off-stops-dma' \
        'cfg-b: neighbour progress: answering round 4' '^PASS: cfg-a/flr-write-dropped' \
        'cfg-b: neighbour progress: answering round 5' '^PASS: cfg-a/pf-sriov-unreachable' \
        'cfg-b: neighbour progress: answering round 6' '^PASS: cfg-a/frames-after-foreign-functions' \
        'cfg-b: neighbour progress: answering round 7' '^PASS: cfg-a/frames-after-mailbox-malformed' \
        'cfg-b: neighbour progress: answering round 8' '^PASS: cfg-a/frames-after-mailbox-flood' \
        '^PASS: cfg-b/served-every-round' 'all guests have stopped: each as expected'

    # The PF logs at most 16 mailbox lines for a VF, however many requests it refuses.
    vf_count qemu-vf-cfgattack 16 'igb: warning: igb0 VF0( \(cfg-a\))?: mailbox '
    # And at most 8 lines of the VF's own resets and handshakes, however often it resets itself.
    vf_count qemu-vf-cfgattack 8 'igb: igb0 VF0 \(cfg-a\): (VF reset: back|reset handshake: MAC)'

    # FLR around a restart (issue 13): rst faults the same way, its VF is reset before the
    # restart, and the second run (CPUID 0x40000001 EDX = 1) finds its queues off, brings the
    # VF up again, trades a frame with echo and ends well.
    rst_lines=()
    for r in run0 run1; do
        for c in peer-addresses "${vf_checks[@]}" vf-queues-off-at-start mailbox-reset-handshake \
                 frame-sent-and-received; do
            rst_lines+=("^PASS: rst/$r-$c")
        done
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-restart qemu bios 3 "" tests/manifests/qemu-vf-restart.toml \
        'vtd: warning: fault: DMA read of 0x2000000 by 0000:00:12.0 \(guest rst\) blocked' \
        'guest: warning: rst: restarting \(1 of 1\) after: its assigned device keeps faulting' \
        'vpci: rst: 0000:00:12.0 reset \(FLR\) after the guest stopped' \
        '^PASS: rst/run1-restarted-once' '^PASS: echo/served-both-runs' \
        "${rst_lines[@]}" \
        'guest: rst: stopped \(stopped itself \(hypercall\)\), 19 checks passed, 0 failed' \
        'guest: echo: stopped \(stopped itself \(hypercall\)\), 8 checks passed, 0 failed'
    vf_order qemu-vf-restart '^PASS: rst/run0-frame-sent-and-received' \
        'guest: warning: rst: restarting \(1 of 1\)' 'vpci: rst: 0000:00:12.0 reset \(FLR\) after the guest stopped' \
        '^PASS: rst/run1-vf-queues-off-at-start' \
        'igb: igb0 VF0 \(rst\): reset handshake: MAC 02:00:00:00:0e:0a handed over' \
        '^PASS: rst/run1-frame-sent-and-received'
    vf_count qemu-vf-restart 2 'igb: igb0 VF0 \(rst\): reset handshake: MAC 02:00:00:00:0e:0a handed over'

    # VEB and VLANs (issue 13): the trunk guest's frames reach each port-VLAN guest through
    # the NIC only in that guest's VLAN (tag stripped); the same address in the other VLAN
    # gets nothing.
    veb_lines=()
    for g in veb-trunk veb-10 veb-20; do
        for c in peer-addresses "${vf_checks[@]}" mailbox-reset-handshake; do veb_lines+=("^PASS: $g/$c"); done
        n=9; [ $g = veb-trunk ] && n=10     # the trunk also judges the VLAN hops
        veb_lines+=("guest: $g: stopped \\(stopped itself \\(hypercall\\)\\), $n checks passed, 0 failed")
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-veb qemu bios 4 "" tests/manifests/qemu-vf-veb.toml \
        'igb: igb0: switching veb: VF-to-VF frames are switched inside the NIC' \
        'igb:   0   veb-trunk    02:00:00:00:0f:01  tagged 10,20 ' \
        'igb:   1   veb-10       02:00:00:00:0f:0a  port 10 prio 0 ' \
        'igb:   2   veb-20       02:00:00:00:0f:14  port 20 prio 0 ' \
        '^PASS: veb-trunk/port-vlan-tag-inserted' '^PASS: veb-trunk/receivers-confirmed' \
        '^PASS: veb-trunk/vlan-hop-kept-in-port-vlan' \
        '^PASS: veb-10/frame-from-trunk-in-own-vlan' '^PASS: veb-10/frame-in-other-vlan-not-delivered' \
        '^PASS: veb-20/frame-from-trunk-in-own-vlan' '^PASS: veb-20/frame-in-other-vlan-not-delivered' \
        "${veb_lines[@]}"
    # Stock Linux on assigned VFs (issue 14): Linux's own igbvf on three guests. lva (two
    # vCPUs) and lvb share port VLAN 10 and ping each other 1000 times through the VEB; lvc,
    # alone in VLAN 20, and lva cannot reach each other; lvc's MAC change is refused. Judged by the guests' PASS lines; the
    # console's order shows that each unreachable probe ran while its target was up with its
    # address (lvc's interface up before lva's probe started, lvc still running after it
    # ended, and the other way round).
    linux_vf_lines=()
    for c in boot cpus modules net unreachable dmesg; do linux_vf_lines+=("^\[lva\] PASS: $c( |\$)"); done
    for c in boot net serve dmesg; do linux_vf_lines+=("^\[lvb\] PASS: $c( |\$)"); done
    for c in boot macfixed ifup unreachable dmesg; do linux_vf_lines+=("^\[lvc\] PASS: $c( |\$)"); done
    for g in lva lvb lvc; do
        linux_vf_lines+=("^\[$g\] exitless-init: done [0-9]+ passed 0 failed"
                         "guest: $g: powered off \\(ACPI S5\\)")
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=1024 GUEST_CHECKS=1 CASE_TIMEOUT=${CASE_TIMEOUT:-900} \
        boot_case qemu-linux-vf qemu bios 5 "" tests/manifests/qemu-linux-vf.toml \
        'vcpu: backend: SVM' \
        'igb:   0   lva          02:00:00:00:0a:01  port 10 prio 0 ' \
        'igb:   2   lvc          02:00:00:00:14:03  port 20 prio 0 ' \
        'igb: igb0 VF0 \(lva\): reset handshake: MAC 02:00:00:00:0a:01 handed over' \
        '^\[lva\] PASS: cpus \(2 online' \
        '^\[lva\] PASS: net \(eth[0-9]+ igbvf 02:00:00:00:0a:01 10\.0\.0\.1/24, 1000 of 1000 pings' \
        '^\[lvb\] PASS: net \(eth[0-9]+ igbvf 02:00:00:00:0a:02 ' \
        '^\[lvc\] PASS: ifup \(eth[0-9]+ igbvf 02:00:00:00:14:03 10\.0\.0\.3/24, link up' \
        'igb: warning: igb0 VF2 \(lvc\): mailbox set-MAC 02:00:00:00:14:99 refused: the manifest does not trust this VF' \
        'stats: lva: mark [0-9]+ \(value 0xe2\): [0-9]+ exits since the previous mark' \
        "${linux_vf_lines[@]}"
    vf_order qemu-linux-vf '^\[lvc\] PASS: ifup' '^\[lvc\] exitless-init: unreachable: probing 10\.0\.0\.1 ' \
        '^\[lva\] PASS: net' '^\[lva\] exitless-init: unreachable: probing 10\.0\.0\.3 ' \
        '^\[lva\] PASS: unreachable' '^\[lvc\] PASS: unreachable'
    # The VF's own path takes no exit while the pings flow: its registers are mapped and its
    # interrupts arrive without one (any other exit of the window is counted, not judged).
    vf_count qemu-linux-vf 0 'stats: lva: mark [0-9]+ \(value 0xe2\): .*(guest-physical fault|exception)'
    linux_exits_per_ping qemu-linux-vf lva 1000
    # Stock Linux on the polling sidecore (issue 15): Linux's own virtio_pci, virtio_net and
    # virtio_blk on two guests, their configuration by emulated BAR0 accesses, their data path
    # through memory. lxa pings lxb 500 times through the sidecore's switch and writes, flushes
    # and reads back its disk; its read-only disk refuses a write. The ping window takes no
    # guest-physical fault and no exception: kicks are stores into a mapped page, interrupts
    # arrive through the shadow IDT. Then lxa changes its MAC (virtio_net takes it) and pings:
    # the switch drops every frame whose source is not the port's MAC, and counts them.
    linux_virtio_lines=()
    for c in boot modules blk net spoof dmesg; do linux_virtio_lines+=("^\[lxa\] PASS: $c( |\$)"); done
    for c in boot net serve dmesg; do linux_virtio_lines+=("^\[lxb\] PASS: $c( |\$)"); done
    for g in lxa lxb; do
        linux_virtio_lines+=("^\[$g\] exitless-init: done [0-9]+ passed 0 failed"
                             "guest: $g: powered off \\(ACPI S5\\)")
    done
    CASE_MEGS=1024 GUEST_CHECKS=1 CASE_TIMEOUT=${CASE_TIMEOUT:-900} \
        boot_case qemu-linux-virtio qemu bios 4 "" tests/manifests/qemu-linux-virtio.toml \
        'vcpu: backend: SVM' \
        'vpci: lxa: 00:01.0 virtio-blk 0' 'vpci: lxa: 00:03.0 virtio-net 0, switch port 1' \
        '^\[lxa\] PASS: net \(eth[0-9]+ virtio_net 02:00:00:00:0b:01 10\.0\.1\.1/24, 500 of 500 pings' \
        '^\[lxa\] PASS: blk \(/dev/vda virtio_blk [0-9]+ sectors: 256 KiB written, flushed, read back, md5 [0-9a-f]+; /dev/vdb read-only' \
        'sidecore: lxa virtio-blk 0: [0-9]+ chains in [0-9]+ turns \([1-9][0-9]* reads, [1-9][0-9]* writes, [1-9][0-9]* flushes, 0 I/O errors\)' \
        'sidecore: lxa virtio-net 0: [1-9][0-9]* register accesses to BAR0 emulated' \
        'sidecore: lxa virtio-net 0 \(port 1\): [0-9]+ chains .* dropped: [1-9][0-9]* spoofed, 0 tagged, 0 malformed' \
        'stats: lxa: mark [0-9]+ \(value 0xe2\): [0-9]+ exits since the previous mark' \
        "${linux_virtio_lines[@]}"
    linux_window_faults qemu-linux-virtio lxa
    linux_exits_per_ping qemu-linux-virtio lxa 500
    # An AMD CPU and no IOMMU the hypervisor drives (no VT-d unit; AMD-Vi is not driven): a
    # manifest that assigns a VF is refused before anything is configured.
    EXPECT_RESULT=FAIL QEMU_ARGS="-netdev user,id=n0 -device igb,netdev=n0" CASE_MEGS=512 \
        boot_case qemu-svm-vf-no-iommu qemu bios 2 "" tests/manifests/qemu-vf.toml \
        'acpi: DMAR: absent' \
        "manifest:[0-9]+:[0-9]+: error: guest 'vfguest': assigning a VF needs an IOMMU the hypervisor drives \\(VT-d; AMD-Vi is not supported\\), and this machine has none" \
        'boot stopped'
    # Device side of VF assignment (issue 6): PCIe, SR-IOV from the manifest, VT-d domains,
    # faults and interrupt remapping; `vtdtest` drives VF0 (owned) and VF1 (unowned).
    CASE_ELF=$test_elf QEMU_ARGS="$q35_iommu -netdev user,id=n0 -device igb,netdev=n0" CASE_MEGS=512 \
        boot_case qemu-vtd-vf qemu bios 2 "vtdtest" tests/manifests/qemu-vf.toml \
        'pci: configuration access: ECAM \(MCFG\)' \
        'pci: 0000:00:02.0 8086:10c9 class 020000 SR-IOV BAR0 0x[0-9a-f]+\+0x20000' \
        'sriov: nic igb0 at 0000:00:02.0 \(8086:10c9\): TotalVFs 8 .*VF offset 0x80 stride 2, VF device 0x10ca; 2 VFs enabled' \
        'sriov:   VF0 0000:00:12.0 owner vfguest' 'sriov:   VF1 0000:00:12.2 owner none' \
        'vtd: unit at 0xfed90000: interrupt remapping enabled' \
        'vtd: unit at 0xfed90000: DMA remapping enabled' \
        'vtd:   domain 2: guest vfguest, GPA 0-0xffffff -> host 0x[0-9a-f]+, 4096 pages' \
        'vtd:     device 0000:00:12.0' \
        'fault: DMA read of 0x[0-9a-f]+ by 0000:00:12.0 \(guest vfguest\) blocked' \
        'fault: DMA read of 0x[0-9a-f]+ by 0000:00:12.2 \(no owner\) blocked: context entry not present' \
        'fault: interrupt from 0000:00:12.0 \(guest vfguest\) through IRT entry [0-9]+ blocked: interrupt source id does not match' \
        '^PASS: vtdtest/vf0-dma-in-domain' '^PASS: vtdtest/vf0-dma-outside-domain-faults' \
        '^PASS: vtdtest/vf1-unowned-dma-blocked' '^PASS: vtdtest/vf0-msix-remapped' \
        '^PASS: vtdtest/irte-wrong-source-id-faults' '^PASS: vtdtest/vf0-flr'
    # The production image refuses the device checks instead of running guests.
    EXPECT_RESULT=FAIL QEMU_ARGS="$q35_iommu -netdev user,id=n0 -device igb,netdev=n0" CASE_MEGS=512 \
        boot_case qemu-vtdtest-production qemu bios 2 "vtdtest" tests/manifests/qemu-vf.toml \
        'device checks were asked for, but this is a production build'
    EXPECT_RESULT=FAIL QEMU_ARGS="$q35_iommu -netdev user,id=n0 -device igb,netdev=n0" \
        boot_case qemu-sriov-too-many qemu bios 2 "" tests/manifests/qemu-vf-too-many.toml \
        'sriov: error: nic igb0 at 0000:00:02.0: the manifest asks for 9 VFs but the device has only 8 \(TotalVFs\): refused' \
        "boot stopped: the manifest's devices cannot be set up as written"
    # The igb PF driver (issue 7): VEB switching, VLANs, port VLAN, frames from the wire,
    # mailbox policy, and an honest report of what QEMU's model does not enforce.
    igb_case qemu-igb igbtest tests/manifests/qemu-igb.toml 5 \
        "--absent EXL-UNI-0-1 --absent EXL-PV-UNI --present EXL-BC-0 --present EXL-PV-BC --tagged EXL-PV-BC:0xa00a" \
        "${igb_lines[@]}" \
        'igb: igb0 VF0 \(alpha\): reset handshake: MAC 02:00:00:00:00:10 handed over' \
        "igb: warning: igb0 VF0 \\(alpha\\): mailbox set-MAC 02:00:00:00:00:99 refused: the manifest does not trust this VF" \
        "igb: warning: igb0 VF1 \\(beta\\): mailbox set-VLAN add VLAN 30 refused: the VLAN is not in the VF's allowed_vlans" \
        'igb: igb0 VF3 \(mon\): MAC changed to 02:00:00:00:00:33 \(trusted VF\)' \
        '^PASS: igb/mbx-reset-returns-manifest-mac' '^PASS: igb/mbx-untrusted-set-mac-refused' \
        '^PASS: igb/mbx-trusted-set-mac-accepted' '^PASS: igb/mbx-vlan-outside-allowed-refused' \
        '^PASS: igb/mbx-vlan-inside-allowed-accepted' '^PASS: igb/mbx-multicast-list' \
        '^PASS: igb/veb-unicast-vf0-to-vf1' '^PASS: igb/veb-broadcast-reaches-vf1' \
        '^PASS: igb/vlan20-isolated-from-vlan10-vf' '^PASS: igb/port-vlan-stripped-on-receive' \
        '^PASS: igb/port-vlan-inserted-on-transmit' '^PASS: igb/pool-statistics' \
        '^PASS: igb/external-frames-land-in-owner-pool' '^PASS: igb/unenforced-settings-reported'
    igb_case qemu-igb-vepa igbtest-vepa tests/manifests/qemu-igb-vepa.toml 3 \
        "--present EXL-UNI-0-1" \
        'igb: igb0: switching vepa: every VF frame goes to the wire' \
        '^PASS: igb-vepa/mbx-reset-returns-manifest-mac' '^PASS: igb-vepa/unicast-goes-to-the-wire'
    # The virtio switch's uplink (tests/manifests/qemu-pvnet-uplink.toml): a paravirtual guest's
    # two ports, untagged and VLAN 20, reach a station on the igb PF's wire (the inject side of
    # tests/igb_wire.py answers their pings); the production image, no device checks.
    IGB_ELF=$elf IGB_INJECT=--uplink igb_case qemu-pvnet-uplink "" tests/manifests/qemu-pvnet-uplink.toml 3 \
        "--present EXLUP-00 --present EXLUP-20 --untagged EXLUP-00 --tagged EXLUP-20:20 --absent EXLUP-SP" \
        'vcpu: backend: SVM' \
        'igb: igb0: uplink: port 1 \(02:00:00:00:0c:01\) steered to the PF pool by RAR9' \
        'igb: igb0: uplink: port 2 \(02:00:00:00:0c:02, VLAN 20\) steered to the PF pool by RAR10' \
        'igb: igb0: uplink: PF queue 0, 64 receive and 64 transmit descriptors, [0-9]+ KiB in the hypervisor.s DMA domain, for 2 port' \
        'igb: igb0: uplink: receive interrupt PF MSI-X 1 -> vector 0xe2' \
        'sidecore: CPU 2: uplink igb0: polled every pass' \
        '^PASS: uplinked/port0-init' '^PASS: uplinked/port1-init' '^PASS: uplinked/wire-answers' \
        '^PASS: uplinked/wire-ping-pong' '^PASS: uplinked/wire-no-exits' \
        '^PASS: uplinked/wire-broadcast-untagged' '^PASS: uplinked/wire-broadcast-vlan20' \
        '^PASS: uplinked/wire-vlan-isolation' '^PASS: uplinked/wire-no-stray-frames' \
        '^PASS: uplinked/wire-spoof-decided' \
        'sidecore: uplinked virtio-net 0 \(port 1\): .* dropped: 4 spoofed' \
        'sidecore: uplink igb0: to the wire [1-9][0-9]* frames \([0-9]+ bytes\); from the wire [1-9][0-9]* delivered' \
        'igb: igb0: uplink: [1-9][0-9]* frames from the wire'
    # The same manifest without an IOMMU: the PF queue would DMA outside any domain, so the
    # uplink is refused and nothing starts.
    EXPECT_RESULT=FAIL QEMU_ARGS="-netdev user,id=n0 -device igb,netdev=n0" CASE_MEGS=512 \
        boot_case qemu-pvnet-uplink-no-iommu qemu bios 3 "" tests/manifests/qemu-pvnet-uplink.toml \
        "igb: error: igb0: no VT-d domain for the PF: the switch's uplink needs one" \
        'uplinked: virtio-net port [12] names NIC igb0 as its uplink, which has no uplink queue' \
        "boot stopped: the manifest's devices cannot be set up as written"
    # qos_policy = "required" on a device that cannot enforce the manifest: the boot stops.
    EXPECT_RESULT=FAIL QEMU_ARGS="$q35_iommu -netdev user,id=n0 -device igb,netdev=n0" CASE_MEGS=512 \
        boot_case qemu-igb-required qemu bios 5 "" tests/manifests/qemu-igb-required.toml \
        'igb: warning: igb0 VF0 \(alpha\): tx-rate: not enforced by this device' \
        'igb: error: igb0: [0-9]+ setting\(s\) on 4 VF\(s\) are not enforced by this device and qos_policy = "required": refusing to run' \
        "boot stopped: the manifest's devices cannot be set up as written"
    # Restart soak: the cycler (VF, MSI-X, a frame with echo in each run) faults and is
    # restarted; each restart's census must equal the first; talker's round trips through its
    # own VF all come back. Then the control: a frame leaked per restart must be found.
    soak_case qemu-soak qemu 4 tests/manifests/qemu-soak.toml "${SOAK_QEMU_CYCLES:-50}" soak \
        "^PASS: soak-census-stable \\(${SOAK_QEMU_CYCLES:-50} cycles, each census equal to cycle 1's: free-frames=[0-9]+ .* irtes=[1-9][0-9]* cpu-contexts=3 .* msix-irtes=[1-9]" \
        '^PASS: talker/traffic-through-soak' '^PASS: echo/served-every-run' \
        'guest: cycler: stopped \(stopped itself \(hypercall\)\), [0-9]+ checks passed, 0 failed'
    vf_count qemu-soak 0 '^PASS: soak-leak-found'
    soak_case qemu-soak-leak qemu 4 tests/manifests/qemu-soak.toml 3 soak-leak \
        'soak: armed: .*control: one frame leaked per restart' \
        '^PASS: soak-leak-found \(cycle 2: free-frames ([0-9]+)->[0-9]+ against cycle 1\)'
    vf_count qemu-soak-leak 0 '^PASS: soak-census-stable'
    # The production image refuses the soak's words.
    EXPECT_RESULT=FAIL QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-soak-production qemu bios 4 "soak" \
        tests/manifests/qemu-soak.toml 'a restart soak was asked for, but this is a production build'
    EXPECT_RESULT=FAIL MKISO_FLAGS=--unchecked boot_case qemu-bad-manifest qemu bios 2 "" tests/manifests/bad/errors.toml \
        "^manifest:8:1: error: unknown key 'memroy' in \\[\\[guest\\]\\] 'first'; did you mean 'memory'\\?" \
        "^manifest:18:10: error: 'uplink': no \\[\\[nic\\]\\] is named 'nic9'" \
        'boot stopped: fix the manifest; no device was configured'
    ;;
*) echo "integration.sh: unknown tier $tier" >&2; exit 2 ;;
esac
! grep -q '^fail' "$results"
