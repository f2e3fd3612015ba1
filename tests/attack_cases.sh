# Attack cases (sourced by tests/integration.sh; run inside guest_cases, so each runs on Bochs
# under VMX and on QEMU under SVM). tests/manifests/attack.toml: "attack" runs every attack of
# guests/attack in turn (memory reads, ports, MSRs, CPUID, XSETBV, virtualization
# instructions, IPIs, 100,000 fuzzed hypercalls; then one store outside its memory per run,
# restarted after each, and a triple fault); "spin" masks its LAPIC, loads an unshadowed IDT
# copy and spins with interrupts off until its time limit stops it (first, "idtalias": it writes
# its shadowed IDT through page-table aliases and walks it as a page table); "heartbeat" beats on its
# own timer through all of it. Judged by the attackers' PASS lines, the hypervisor's line
# saying why it stopped each, the neighbour's PASS lines, and the log's order: a beat between
# each attack's "begin" and "end" (docs/security.md lists the attacks).
attack_cases() {
    local P=$1 ph order=() checks=() r manifest=tests/manifests/attack.toml
    # The same guests on QEMU, whose clocks follow the host's: the neighbour beats longer.
    [ "$P" = bochs ] || manifest=tests/manifests/qemu-attack.toml
    # Bochs sets a walk's A/D bits without EPT write permission (no exit to step): there the
    # walk over the IDT page is checked, its stepping only under SVM in QEMU.
    local walk=idt-as-page-table-walk-writes-stepped
    [ "$P" = bochs ] && walk=idt-as-page-table-walked
    for ph in reads ports msrs cpuid xsetbv virt ipis hcfuzz; do
        order+=("^\\[attack\\] attack: $ph: begin" '^\[heartbeat\] hb [0-9]+' "^\\[attack\\] attack: $ph: end")
    done
    for r in past-ram pci-hole-80000000 ecam-b0000000 pci-hole-c0000000 pci-hole-e0000000 \
             ioapic-fec00000 hpet-fed00000 vtd-fed90000 lapic-fee00000 bios-ffff0000 high-to-maxphyaddr; do
        checks+=("^PASS: attack/read-$r")
    done
    for r in ports-every-access-exits ports-unclaimed-counted msrs-swept-guest-intact msrs-most-refused \
             cpuid-no-virtualization-offered cpuid-hypervisor-leaf-intact xsetbv-bad-values-gp \
             xsetbv-xcr0-kept virt-own-vendor-ud virt-guest-intact ipis-foreign-refused \
             ipis-self-still-delivered hcfuzz-all-served hcfuzz-memory-intact hcfuzz-hypervisor-serves-after; do
        checks+=("^PASS: attack/$r")
    done
    local stop='guest: error: attack stopped: (EPT violation|VMEXIT_NPF): write of guest-physical'
    CASE_TIMEOUT=600 guest_case $P-attack 4 "$manifest" "${checks[@]}" \
        'mem: attack: 8-byte read of guest-physical 0xfed90000 at rip 0x[0-9a-f]+: neither RAM nor a device there, all ones' \
        'msr: attack: read of MSR 0 \(not in the policy\) refused: #GP' \
        'apic: warning: attack: vCPU 0: IPI to a core that is not the guest.s refused' \
        "$stop 0x801000 outside its memory" "$stop 0xfee00000 outside its memory" \
        "$stop 0xfec00000 outside its memory" "$stop 0xfed90000 outside its memory" \
        "$stop 0xe0000000 outside its memory" "$stop 0x8000000000 outside its memory" \
        'guest: warning: attack: restarting \(6 of 6\)' 'guest: error: attack stopped: triple fault' \
        'apic: warning: spin: vCPU 0: LVT timer on a vector that is not the guest.s refused' \
        'apic: spin: vCPU 0: write 0xf to APIC SVR \(MSR 0x80f\) not applied' \
        '^PASS: spin/idt-alias-4k-write-followed' '^PASS: spin/idt-alias-2m-write-followed' \
        "^PASS: spin/$walk" '^PASS: spin/idt-alias-own-vector-still-delivered' \
        '^PASS: spin/lapic-hypervisor-settings-kept' '^\[spin\] attack: spin: IDT copy at 0x[0-9a-f]+ loaded, interrupts off' \
        'guest: error: spin stopped: ran past its time limit of [0-9]+ ms' \
        '^PASS: heartbeat/beats' '^PASS: heartbeat/no-stray-interrupts' \
        'guest: heartbeat: stopped \(stopped itself \(hypercall\)\), 2 checks passed, 0 failed' \
        'all guests have stopped: each as expected'
    # The neighbour beat during each attack, while the spinner spun, and after the last one.
    vf_order $P-attack "${order[@]}"
    vf_order $P-attack '^\[spin\] attack: idtalias: begin' '^\[heartbeat\] hb [0-9]+' '^\[spin\] attack: idtalias: end'
    vf_order $P-attack '^\[spin\] attack: spin: IDT copy' '^\[heartbeat\] hb [0-9]+' \
        'guest: error: spin stopped: ran past its time limit'
    vf_order $P-attack 'guest: error: attack stopped: triple fault' '^\[heartbeat\] hb [0-9]+' '^PASS: heartbeat/beats'
}
